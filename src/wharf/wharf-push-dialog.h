/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-push-dialog.h: what an image archive or OCI folder holds, and where to push it. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

/* Set on the WharfTransferItem of each push (a WharfReference*, the tag
 * written): the window refreshes the repository and tag lists it shows
 * when the push ends. */
#define WHARF_TRANSFER_ITEM_DESTINATION_KEY "wharf-destination-reference"

#define WHARF_TYPE_PUSH_DIALOG (wharf_push_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfPushDialog, wharf_push_dialog, WHARF, PUSH_DIALOG, AdwWindow)

/* Reads @file (a `docker save` tarball, an OCI archive or an OCI layout
 * folder) in a worker thread and lists its images; asks for a registry of
 * @store and a "repository:tag", checked as it is typed. Push starts the
 * transfer through @manager and closes the dialog.
 *
 * Properties: "loading" (the file is being read), "can-push". Signal
 * "push-started" (WharfTransferItem*): just before the dialog closes. */
WharfPushDialog *wharf_push_dialog_new              (GtkWindow            *parent,
                                                     WharfRegistryStore   *store,
                                                     WharfTransferManager *manager,
                                                     GFile                *file);
/* Preselects the target registry (a drop onto it in the sidebar). */
void             wharf_push_dialog_set_registry     (WharfPushDialog      *self,
                                                     WharfRegistry        *registry);
WharfRegistry   *wharf_push_dialog_get_registry     (WharfPushDialog      *self);
/* Preselects the repository (a drop onto the open repository): the tag
 * still comes from the archive. */
void             wharf_push_dialog_set_repository   (WharfPushDialog      *self,
                                                     const char           *repository);
GFile           *wharf_push_dialog_get_file         (WharfPushDialog      *self);
gboolean         wharf_push_dialog_get_loading      (WharfPushDialog      *self);
gboolean         wharf_push_dialog_get_can_push     (WharfPushDialog      *self);
/* The images found (WharfArchiveImage*), NULL while loading or after an error. */
GPtrArray       *wharf_push_dialog_get_images       (WharfPushDialog      *self);
/* Why the file cannot be pushed, one sentence, or NULL. */
const char      *wharf_push_dialog_get_error        (WharfPushDialog      *self);
/* The "repository:tag" field and what is wrong with it (NULL: nothing). */
const char      *wharf_push_dialog_get_target       (WharfPushDialog      *self);
void             wharf_push_dialog_set_target       (WharfPushDialog      *self,
                                                     const char           *target);
const char      *wharf_push_dialog_get_target_error (WharfPushDialog      *self);

G_END_DECLS
