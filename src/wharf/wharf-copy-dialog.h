/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-copy-dialog.h: "Copy to…" another registry or repository, and "Add Tag…" in place. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

#define WHARF_TYPE_COPY_DIALOG (wharf_copy_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfCopyDialog, wharf_copy_dialog, WHARF, COPY_DIALOG, AdwWindow)

/* Copy to…: the target registry (one of @store's, @target preselected, else
 * @source) and `repository:tag`, prefilled with the source's and checked
 * against the reference grammar as it is typed. Copy emits "confirmed" and
 * closes the dialog; whoever listens starts the transfer. */
WharfCopyDialog *wharf_copy_dialog_new_copy              (GtkWindow          *parent,
                                                          WharfRegistryStore *store,
                                                          WharfRegistry      *source,
                                                          const char         *repository,
                                                          const char         *tag,
                                                          WharfRegistry      *target);
/* Add Tag…: a new tag for the same image in the same repository. The dialog
 * tags it itself (wharf_client_tag_async), says inline what went wrong, and
 * emits "tagged" (const char *new_tag, const char *digest) before it closes. */
WharfCopyDialog *wharf_copy_dialog_new_add_tag           (GtkWindow          *parent,
                                                          WharfRegistry      *source,
                                                          const char         *repository,
                                                          const char         *tag);
/* What the name field says now; NULLs while it says nothing valid. */
WharfRegistry   *wharf_copy_dialog_get_target_registry   (WharfCopyDialog    *self);
const char      *wharf_copy_dialog_get_target_repository (WharfCopyDialog    *self);
const char      *wharf_copy_dialog_get_target_tag        (WharfCopyDialog    *self);
/* The sentence shown under the field, or NULL when the name is valid. */
const char      *wharf_copy_dialog_get_error             (WharfCopyDialog    *self);
/* Presses Copy or Add Tag, as Enter in the field does. FALSE if invalid or busy. */
gboolean         wharf_copy_dialog_confirm               (WharfCopyDialog    *self);

/* Copies @repository:@tag of @source to @target_repository:@target_tag of
 * @target through @manager, every platform of an index included, so the
 * digest stays the same. The item is the manager's. */
WharfTransferItem *_wharf_start_registry_copy            (WharfTransferManager *manager,
                                                          WharfRegistry        *source,
                                                          const char           *repository,
                                                          const char           *tag,
                                                          WharfRegistry        *target,
                                                          const char           *target_repository,
                                                          const char           *target_tag);

G_END_DECLS
