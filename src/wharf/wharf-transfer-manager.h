/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer-manager.h: every upload, download and copy of the
 * application, running or finished, as a list the transfers panel shows. */

#pragma once

#include <gio/gio.h>

#include "wharf.h"

G_BEGIN_DECLS

typedef enum
{
  WHARF_TRANSFER_DIRECTION_UPLOAD,    /* file → registry */
  WHARF_TRANSFER_DIRECTION_DOWNLOAD,  /* registry → file */
  WHARF_TRANSFER_DIRECTION_COPY,      /* registry → registry */
} WharfTransferDirection;

#define WHARF_TYPE_TRANSFER_ITEM (wharf_transfer_item_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransferItem, wharf_transfer_item, WHARF, TRANSFER_ITEM, GObject)

/* One row of the panel. Properties (notify on the main context, at most a
 * few times a second): "title" ("alpine:3.19 → localhost:5000"),
 * "direction", "transfer" (the current WharfTransfer; replaced on retry),
 * "state" (WharfTransferState as int), "bytes-done", "bytes-total",
 * "speed" (bytes/s, smoothed), "eta" (seconds, -1 unknown), "error-message"
 * (nullable: one sentence), "destination-file" (GFile, nullable: downloads,
 * for "Show in Files"). Signal "finished": the run ended, "state" and
 * "error-message" already tell how. */
const char        *wharf_transfer_item_get_title            (WharfTransferItem *self);
WharfTransferDirection wharf_transfer_item_get_direction    (WharfTransferItem *self);
WharfTransfer     *wharf_transfer_item_get_transfer         (WharfTransferItem *self);
WharfTransferState wharf_transfer_item_get_state            (WharfTransferItem *self);
gint64             wharf_transfer_item_get_bytes_done       (WharfTransferItem *self);
gint64             wharf_transfer_item_get_bytes_total      (WharfTransferItem *self);
double             wharf_transfer_item_get_speed            (WharfTransferItem *self);
gint64             wharf_transfer_item_get_eta              (WharfTransferItem *self);
const char        *wharf_transfer_item_get_error_message    (WharfTransferItem *self);
GFile             *wharf_transfer_item_get_destination_file (WharfTransferItem *self);
/* Seconds the latest run took, or has taken so far. */
double             wharf_transfer_item_get_duration         (WharfTransferItem *self);
void               wharf_transfer_item_cancel               (WharfTransferItem *self);
/* After a failure or cancel: the same copy again, from a fresh WharfTransfer. */
void               wharf_transfer_item_retry                (WharfTransferItem *self);

#define WHARF_TYPE_TRANSFER_MANAGER (wharf_transfer_manager_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransferManager, wharf_transfer_manager,
                      WHARF, TRANSFER_MANAGER, GObject)

/* A GListModel of WharfTransferItem, newest first. Properties:
 * "n-active" (running transfers), "fraction" (overall progress of the
 * running ones, 0..1). Signal "finished" (WharfTransferItem*): one ended
 * (done, failed or cancelled) — the window refreshes its models in place
 * (a pushed tag appears) and notifies the desktop when unfocused. */
WharfTransferManager *wharf_transfer_manager_new         (void);
/* Starts @transfer (configured, not yet run) and lists it. @source_client /
 * @destination_client are set on it by the caller beforehand when needed. */
WharfTransferItem    *wharf_transfer_manager_start       (WharfTransferManager  *self,
                                                          WharfTransfer         *transfer,
                                                          WharfTransferDirection direction,
                                                          const char            *title,
                                                          GFile                 *destination_file);
guint                 wharf_transfer_manager_get_n_active (WharfTransferManager *self);
double                wharf_transfer_manager_get_fraction (WharfTransferManager *self);
/* Cancels every running transfer (quit after confirmation). */
void                  wharf_transfer_manager_cancel_all   (WharfTransferManager *self);
/* Drops the items that are not running from the list. */
void                  wharf_transfer_manager_clear_finished (WharfTransferManager *self);

G_END_DECLS
