/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfers-panel.h: the list of uploads, downloads and copies, shown
 * in a popover from the header bar, and the button that opens it with the
 * overall progress drawn in it. */

#pragma once

#include <adwaita.h>

#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

#define WHARF_TYPE_TRANSFERS_PANEL (wharf_transfers_panel_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransfersPanel, wharf_transfers_panel,
                      WHARF, TRANSFERS_PANEL, GtkWidget)

GtkWidget            *wharf_transfers_panel_new         (WharfTransferManager *manager);
WharfTransferManager *wharf_transfers_panel_get_manager (WharfTransfersPanel  *self);
void                  wharf_transfers_panel_set_manager (WharfTransfersPanel  *self,
                                                         WharfTransferManager *manager);

#define WHARF_TYPE_TRANSFERS_BUTTON (wharf_transfers_button_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransfersButton, wharf_transfers_button,
                      WHARF, TRANSFERS_BUTTON, GtkWidget)

/* For the header bar. Property "manager": unset, it is the application's
 * (wharf_application_get_transfer_manager) once the button is in a window.
 * Hidden while the manager lists nothing. In a window, it also asks before
 * the application's last window closes with transfers running. */
GtkWidget            *wharf_transfers_button_new         (WharfTransferManager *manager);
WharfTransferManager *wharf_transfers_button_get_manager (WharfTransfersButton *self);
void                  wharf_transfers_button_set_manager (WharfTransfersButton *self,
                                                          WharfTransferManager *manager);
/* Opens the panel. */
void                  wharf_transfers_button_popup       (WharfTransfersButton *self);
WharfTransfersPanel  *wharf_transfers_button_get_panel   (WharfTransfersButton *self);

G_END_DECLS
