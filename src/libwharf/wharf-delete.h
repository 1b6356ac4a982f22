/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-delete.h: deleting tags, manifests and repositories, with undo; retagging. */

#pragma once

#include <gio/gio.h>

#include "wharf-client.h"

G_BEGIN_DECLS

typedef struct
{
  char   *repository;
  char   *digest;
  char   *media_type;
  GBytes *bytes;       /* the exact manifest bytes, for undo */
  GStrv   tags;        /* the tags that pointed at it and are gone */
} WharfDeletedManifest;

#define WHARF_TYPE_DELETION (wharf_deletion_get_type ())

/* What a delete removed, kept so that it can be put back while the blobs
 * still exist (until garbage collection). */
typedef struct
{
  gatomicrefcount  ref_count;
  GPtrArray       *manifests;  /* WharfDeletedManifest* */
} WharfDeletion;

GType          wharf_deletion_get_type (void) G_GNUC_CONST;
WharfDeletion *wharf_deletion_ref      (WharfDeletion *deletion);
void           wharf_deletion_unref    (WharfDeletion *deletion);
/* All tags removed, "repo:tag" each. */
GStrv          wharf_deletion_dup_removed_tags (const WharfDeletion *deletion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfDeletion, wharf_deletion_unref)

/* Removes only @tag: the OCI tag DELETE where the registry supports it, else
 * the tag is pointed at a tiny unique manifest which is then deleted by
 * digest, so other tags sharing the digest survive. Deletion disabled →
 * WHARF_ERROR_UNSUPPORTED "Deleting is disabled on HOST (storage.delete.enabled)." */
WharfDeletion *wharf_client_delete_tag_sync        (WharfClient    *self,
                                                    const char     *repository,
                                                    const char     *tag,
                                                    GCancellable   *cancellable,
                                                    GError        **error);
/* Deletes the manifest; every tag on it goes (listed in the result). */
WharfDeletion *wharf_client_delete_manifest_sync   (WharfClient    *self,
                                                    const char     *repository,
                                                    const char     *digest,
                                                    GCancellable   *cancellable,
                                                    GError        **error);
/* Deletes every tagged manifest of the repository. */
WharfDeletion *wharf_client_delete_repository_sync (WharfClient    *self,
                                                    const char     *repository,
                                                    GCancellable   *cancellable,
                                                    GError        **error);
/* Re-PUTs the kept manifests under their tags. */
gboolean       wharf_client_undo_deletion_sync     (WharfClient    *self,
                                                    WharfDeletion  *deletion,
                                                    GCancellable   *cancellable,
                                                    GError        **error);

/* Puts the manifest of @source_repository@@reference (tag or digest) under
 * @target_repository:@new_tag with the same bytes; across repositories the
 * blobs are mounted first. Returns the digest. */
char          *wharf_client_tag_sync               (WharfClient    *self,
                                                    const char     *source_repository,
                                                    const char     *reference,
                                                    const char     *target_repository,
                                                    const char     *new_tag,
                                                    GCancellable   *cancellable,
                                                    GError        **error);

/* The same in a worker thread. */
void           wharf_client_delete_async           (WharfClient        *self,
                                                    const char         *repository,
                                                    const char         *tag_or_digest,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
WharfDeletion *wharf_client_delete_finish          (WharfClient        *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);
void           wharf_client_delete_repository_async  (WharfClient        *self,
                                                      const char         *repository,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
WharfDeletion *wharf_client_delete_repository_finish (WharfClient        *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
void           wharf_client_undo_deletion_async    (WharfClient        *self,
                                                    WharfDeletion      *deletion,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean       wharf_client_undo_deletion_finish   (WharfClient        *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);
void           wharf_client_tag_async              (WharfClient        *self,
                                                    const char         *source_repository,
                                                    const char         *reference,
                                                    const char         *target_repository,
                                                    const char         *new_tag,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
char          *wharf_client_tag_finish             (WharfClient        *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

G_END_DECLS
