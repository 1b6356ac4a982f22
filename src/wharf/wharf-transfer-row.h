/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer-row.h: one transfer in the transfers panel: progress, speed,
 * per-layer detail, and Cancel, Retry or Show in Files. */

#pragma once

#include <adwaita.h>

#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

#define WHARF_TYPE_TRANSFER_ROW (wharf_transfer_row_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransferRow, wharf_transfer_row, WHARF, TRANSFER_ROW, GtkListBoxRow)

GtkWidget         *wharf_transfer_row_new             (WharfTransferItem *item);
WharfTransferItem *wharf_transfer_row_get_item        (WharfTransferRow  *self);
/* The line under the progress bar ("12 MB of 40 MB · 3 MB/s · 9 s left",
 * "Done", "Cancelled"), as shown and read to screen reader users. */
const char        *wharf_transfer_row_get_status_text (WharfTransferRow  *self);

/* Shows @file selected in the file manager (org.freedesktop.FileManager1),
 * or opens its folder when there is none. */
void               wharf_show_file_in_folder          (GtkWidget         *parent,
                                                       GFile             *file);

G_END_DECLS
