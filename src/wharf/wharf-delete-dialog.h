/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-delete-dialog.h: the confirmation that says exactly what a delete removes. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-tag-model.h"

G_BEGIN_DECLS

#define WHARF_TYPE_DELETE_DIALOG (wharf_delete_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfDeleteDialog, wharf_delete_dialog, WHARF, DELETE_DIALOG,
                      AdwMessageDialog)

/* Responses "cancel" and "delete". The body is complete once "ready" is
 * TRUE (for tags: which other tags share their images, fetched through the
 * model if not known yet; for a repository: its tags, listed) and only then
 * is "delete" enabled. The first dialog for a registry in a session also says
 * that deleting frees no disk space until garbage collection. */
WharfDeleteDialog  *wharf_delete_dialog_new_for_tags       (GtkWindow          *parent,
                                                            WharfRegistry      *registry,
                                                            WharfTagModel      *model,
                                                            const char * const *tags);
WharfDeleteDialog  *wharf_delete_dialog_new_for_repository (GtkWindow          *parent,
                                                            WharfRegistry      *registry,
                                                            const char         *repository);
WharfRegistry      *wharf_delete_dialog_get_registry       (WharfDeleteDialog  *self);
const char         *wharf_delete_dialog_get_repository     (WharfDeleteDialog  *self);
/* The tags that go: those asked for, or the repository's once listed. */
const char * const *wharf_delete_dialog_get_tags           (WharfDeleteDialog  *self);
gboolean            wharf_delete_dialog_get_whole_repository (WharfDeleteDialog *self);
gboolean            wharf_delete_dialog_get_ready          (WharfDeleteDialog  *self);

/* "v1", "v1 and v2", "v1, v2 and v3"; past @max names: "…, v8 and 4 more". */
char               *_wharf_join_names                      (const char * const *names,
                                                            guint               max);

G_END_DECLS
