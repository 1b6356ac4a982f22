/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-delete.c: deleting tags, manifests and repositories on a registry,
 * keeping what went so that it can be put back; retagging. */

#define G_LOG_DOMAIN "wharf-delete"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "wharf-client-private.h"
#include "wharf-delete.h"
#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-transport-private.h"

#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define MAX_INDEX_DEPTH 4

/* WharfDeletion */

G_DEFINE_BOXED_TYPE (WharfDeletion, wharf_deletion, wharf_deletion_ref, wharf_deletion_unref)

static void
deleted_manifest_free (WharfDeletedManifest *manifest)
{
  g_free (manifest->repository);
  g_free (manifest->digest);
  g_free (manifest->media_type);
  g_clear_pointer (&manifest->bytes, g_bytes_unref);
  g_strfreev (manifest->tags);
  g_free (manifest);
}

static WharfDeletion *
deletion_new (void)
{
  WharfDeletion *deletion = g_new0 (WharfDeletion, 1);

  g_atomic_ref_count_init (&deletion->ref_count);
  deletion->manifests = g_ptr_array_new_with_free_func ((GDestroyNotify) deleted_manifest_free);

  return deletion;
}

WharfDeletion *
wharf_deletion_ref (WharfDeletion *deletion)
{
  g_return_val_if_fail (deletion != NULL, NULL);

  g_atomic_ref_count_inc (&deletion->ref_count);
  return deletion;
}

void
wharf_deletion_unref (WharfDeletion *deletion)
{
  g_return_if_fail (deletion != NULL);

  if (g_atomic_ref_count_dec (&deletion->ref_count))
    {
      g_ptr_array_unref (deletion->manifests);
      g_free (deletion);
    }
}

GStrv
wharf_deletion_dup_removed_tags (const WharfDeletion *deletion)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (deletion != NULL, NULL);

  for (guint i = 0; i < deletion->manifests->len; i++)
    {
      const WharfDeletedManifest *manifest = g_ptr_array_index (deletion->manifests, i);

      for (guint j = 0; manifest->tags != NULL && manifest->tags[j] != NULL; j++)
        {
          g_autofree char *name = g_strdup_printf ("%s:%s", manifest->repository,
                                                   manifest->tags[j]);

          g_strv_builder_add (builder, name);
        }
    }

  return g_strv_builder_end (builder);
}

static void
deletion_add (WharfDeletion    *deletion,
              const char       *repository,
              WharfRawManifest *raw,
              GStrv             tags)
{
  WharfDeletedManifest *manifest = g_new0 (WharfDeletedManifest, 1);

  manifest->repository = g_strdup (repository);
  manifest->digest = g_strdup (raw->digest);
  manifest->media_type = g_strdup (raw->media_type);
  manifest->bytes = g_bytes_ref (raw->bytes);
  manifest->tags = tags != NULL ? tags : g_new0 (char *, 1);

  g_ptr_array_add (deletion->manifests, manifest);
}

/* Requests. */

static const char *
client_host (WharfClient *client)
{
  return wharf_endpoint_get_domain (wharf_client_get_endpoint (client));
}

static void
set_delete_disabled_error (WharfClient  *client,
                           GError      **error)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
               _("Deleting is disabled on %s (storage.delete.enabled)."),
               client_host (client));
}

/* DELETE /v2/<repo>/manifests/<reference>. Returns the status; 405 is
 * turned into the "disabled" sentence, and 400 is returned to the caller
 * when @allow_400 (distribution 2.8 refuses a tag there). */
static guint
send_delete (WharfClient   *client,
             const char    *repository,
             const char    *reference,
             gboolean       allow_400,
             GCancellable  *cancellable,
             GError       **error)
{
  static const guint ok_with_400[] = { 400, 405, 0 };
  static const guint ok[] = { 405, 0 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *path = g_strdup_printf ("/v2/%s/manifests/%s", repository, reference);
  guint status;

  uri = _wharf_client_resolve_uri (client, path, error);
  if (uri == NULL)
    return 0;

  msg = soup_message_new_from_uri ("DELETE", uri);
  body = _wharf_client_send_and_read (client, &msg, repository, WHARF_ACCESS_DELETE, 64 * 1024,
                                      allow_400 ? ok_with_400 : ok, cancellable, error);
  if (body == NULL)
    return 0;

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED)
    {
      set_delete_disabled_error (client, error);
      return 0;
    }

  return status;
}

static gboolean
delete_digest (WharfClient   *client,
               const char    *repository,
               const char    *digest,
               GCancellable  *cancellable,
               GError       **error)
{
  guint status = send_delete (client, repository, digest, FALSE, cancellable, error);

  if (status == 0)
    return FALSE;

  if (status != SOUP_STATUS_ACCEPTED && status != SOUP_STATUS_OK
      && status != SOUP_STATUS_NO_CONTENT)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s answered a delete with status %u."), client_host (client), status);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ensure_empty_blob (WharfClient   *client,
                   const char    *repository,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *digest = NULL;

  if (wharf_client_head_blob_sync (client, repository, EMPTY_DIGEST, NULL, cancellable,
                                   &local_error))
    return TRUE;

  if (!g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  stream = g_memory_input_stream_new_from_data ("{}", 2, NULL);
  return _wharf_registry_put_blob (client, repository, stream, 2, EMPTY_DIGEST, &digest, NULL,
                                   cancellable, error);
}

/* A manifest nobody else has: the tag is moved onto it, then it is deleted
 * by digest, which takes the tag along and nothing else. */
static GBytes *
unique_placeholder_manifest (void)
{
  g_autofree char *nonce = g_uuid_string_random ();
  char *json;

  json = g_strdup_printf ("{\"schemaVersion\":2,"
                          "\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\","
                          "\"config\":{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_EMPTY "\","
                          "\"digest\":\"" EMPTY_DIGEST "\",\"size\":2},"
                          "\"layers\":[],"
                          "\"annotations\":{\"io.github.wharfapp.wharf.untag\":\"%s\"}}",
                          nonce);

  return g_bytes_new_take (json, strlen (json));
}

WharfDeletion *
wharf_client_delete_tag_sync (WharfClient   *self,
                              const char    *repository,
                              const char    *tag,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GBytes) placeholder = NULL;
  g_autofree char *placeholder_digest = NULL;
  g_autoptr(GError) local_error = NULL;
  guint status;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  if (!wharf_reference_validate_tag (tag, error))
    return NULL;

  /* Read first: these bytes are what an undo puts back. */
  raw = wharf_client_get_manifest_sync (self, repository, tag, cancellable, error);
  if (raw == NULL)
    return NULL;

  deletion = deletion_new ();

  status = send_delete (self, repository, tag, TRUE, cancellable, error);
  if (status == 0)
    return NULL;

  if (status == SOUP_STATUS_ACCEPTED || status == SOUP_STATUS_OK
      || status == SOUP_STATUS_NO_CONTENT)
    {
      deletion_add (deletion, repository, raw, g_strdupv ((char *[]) { (char *) tag, NULL }));
      return g_steal_pointer (&deletion);
    }

  g_debug ("%s refuses DELETE by tag (%u); untagging through a placeholder",
           client_host (self), status);

  if (!ensure_empty_blob (self, repository, cancellable, error))
    return NULL;

  placeholder = unique_placeholder_manifest ();
  placeholder_digest = _wharf_registry_put_manifest (self, repository, tag, placeholder,
                                                     WHARF_MEDIA_TYPE_OCI_MANIFEST,
                                                     cancellable, error);
  if (placeholder_digest == NULL)
    return NULL;

  if (!delete_digest (self, repository, placeholder_digest, cancellable, &local_error))
    {
      g_autofree char *restored = NULL;
      g_autoptr(GError) restore_error = NULL;

      /* The tag must not be left on the placeholder: put the image back. */
      restored = _wharf_registry_put_manifest (self, repository, tag, raw->bytes,
                                               raw->media_type, NULL, &restore_error);
      if (restored == NULL)
        g_debug ("Could not put %s:%s back: %s", repository, tag, restore_error->message);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  deletion_add (deletion, repository, raw, g_strdupv ((char *[]) { (char *) tag, NULL }));
  return g_steal_pointer (&deletion);
}

/* Tags of @repository grouped by the digest they point at. */
static GHashTable *
map_tags (WharfClient   *client,
          const char    *repository,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GHashTable) map = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(GError) local_error = NULL;

  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                               (GDestroyNotify) g_ptr_array_unref);

  tags = wharf_client_list_tags_sync (client, repository, cancellable, &local_error);
  if (tags == NULL)
    {
      if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
        return g_steal_pointer (&map);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autoptr(WharfDescriptor) desc = NULL;
      g_autoptr(GError) head_error = NULL;
      GPtrArray *list;

      desc = wharf_client_head_manifest_sync (client, repository, tags[i], cancellable,
                                              &head_error);
      if (desc == NULL)
        {
          /* A tag removed meanwhile is simply not there any more. */
          if (g_error_matches (head_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
            continue;

          g_propagate_error (error, g_steal_pointer (&head_error));
          return NULL;
        }

      list = g_hash_table_lookup (map, desc->digest);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (map, g_strdup (desc->digest), list);
        }
      g_ptr_array_add (list, g_strdup (tags[i]));
    }

  return g_steal_pointer (&map);
}

static GStrv
take_tags (GHashTable *map,
           const char *digest)
{
  GPtrArray *list = g_hash_table_lookup (map, digest);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; list != NULL && i < list->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (list, i));

  return g_strv_builder_end (builder);
}

static gboolean
delete_manifest_into (WharfClient    *client,
                      const char     *repository,
                      const char     *digest,
                      GHashTable     *tag_map,
                      WharfDeletion  *deletion,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;

  raw = wharf_client_get_manifest_sync (client, repository, digest, cancellable, error);
  if (raw == NULL)
    return FALSE;

  if (!delete_digest (client, repository, digest, cancellable, error))
    return FALSE;

  deletion_add (deletion, repository, raw, take_tags (tag_map, digest));
  return TRUE;
}

WharfDeletion *
wharf_client_delete_manifest_sync (WharfClient   *self,
                                   const char    *repository,
                                   const char    *digest,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GHashTable) tag_map = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  if (!wharf_digest_validate (digest, error))
    return NULL;

  /* Which tags go is only knowable before: afterwards they all 404. */
  tag_map = map_tags (self, repository, cancellable, error);
  if (tag_map == NULL)
    return NULL;

  deletion = deletion_new ();
  if (!delete_manifest_into (self, repository, digest, tag_map, deletion, cancellable, error))
    return NULL;

  return g_steal_pointer (&deletion);
}

WharfDeletion *
wharf_client_delete_repository_sync (WharfClient   *self,
                                     const char    *repository,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GHashTable) tag_map = NULL;
  g_autofree const char **digests = NULL;
  guint n_digests = 0;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);

  tag_map = map_tags (self, repository, cancellable, error);
  if (tag_map == NULL)
    return NULL;

  if (g_hash_table_size (tag_map) == 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("%s/%s has no tags to delete."), client_host (self), repository);
      return NULL;
    }

  deletion = deletion_new ();
  digests = (const char **) g_hash_table_get_keys_as_array (tag_map, &n_digests);
  for (guint i = 0; i < n_digests; i++)
    {
      if (!delete_manifest_into (self, repository, digests[i], tag_map, deletion,
                                 cancellable, error))
        return NULL;
    }

  return g_steal_pointer (&deletion);
}

gboolean
wharf_client_undo_deletion_sync (WharfClient    *self,
                                 WharfDeletion  *deletion,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (deletion != NULL, FALSE);

  for (guint i = 0; i < deletion->manifests->len; i++)
    {
      const WharfDeletedManifest *manifest = g_ptr_array_index (deletion->manifests, i);
      guint n_tags = manifest->tags != NULL ? g_strv_length (manifest->tags) : 0;

      for (guint j = 0; j < MAX (n_tags, 1); j++)
        {
          const char *reference = n_tags > 0 ? manifest->tags[j] : manifest->digest;
          g_autofree char *digest = NULL;

          digest = _wharf_registry_put_manifest (self, manifest->repository, reference,
                                                 manifest->bytes, manifest->media_type,
                                                 cancellable, error);
          if (digest == NULL)
            {
              g_prefix_error (error, _("Could not put %s:%s back: "),
                              manifest->repository, reference);
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* Retag. */

static gboolean
copy_blob_across (WharfClient            *client,
                  const char             *from,
                  const char             *to,
                  const WharfDescriptor  *blob,
                  GCancellable           *cancellable,
                  GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *digest = NULL;
  gint64 size = -1;

  if (wharf_client_head_blob_sync (client, to, blob->digest, NULL, cancellable, &local_error))
    return TRUE;

  if (!g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);

  if (_wharf_registry_mount_blob (client, to, blob->digest, from, cancellable, &local_error))
    return TRUE;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The registry would not mount it: copy the bytes through. */
  stream = wharf_client_get_blob_sync (client, from, blob->digest, &size, cancellable, error);
  if (stream == NULL)
    return FALSE;

  return _wharf_registry_put_blob (client, to, stream, size, blob->digest, &digest, NULL,
                                   cancellable, error);
}

static gboolean
copy_manifest_content (WharfClient       *client,
                       const char        *from,
                       const char        *to,
                       WharfRawManifest  *raw,
                       guint              depth,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_autoptr(WharfManifest) manifest = NULL;

  manifest = wharf_manifest_parse (raw->bytes, raw->media_type, error);
  if (manifest == NULL)
    return FALSE;

  switch (manifest->kind)
    {
    case WHARF_MANIFEST_KIND_IMAGE:
      if (manifest->config != NULL
          && !copy_blob_across (client, from, to, manifest->config, cancellable, error))
        return FALSE;

      for (guint i = 0; i < manifest->layers->len; i++)
        {
          if (!copy_blob_across (client, from, to, g_ptr_array_index (manifest->layers, i),
                                 cancellable, error))
            return FALSE;
        }
      return TRUE;

    case WHARF_MANIFEST_KIND_INDEX:
      if (depth > MAX_INDEX_DEPTH)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                       _("The index %s nests indexes too deeply."), raw->digest);
          return FALSE;
        }

      for (guint i = 0; i < manifest->manifests->len; i++)
        {
          const WharfDescriptor *entry = g_ptr_array_index (manifest->manifests, i);
          g_autoptr(WharfRawManifest) child = NULL;
          g_autofree char *written = NULL;

          child = wharf_client_get_manifest_sync (client, from, entry->digest, cancellable, error);
          if (child == NULL
              || !copy_manifest_content (client, from, to, child, depth + 1, cancellable, error))
            return FALSE;

          written = _wharf_registry_put_manifest (client, to, child->digest, child->bytes,
                                                  child->media_type, cancellable, error);
          if (written == NULL)
            return FALSE;
        }
      return TRUE;

    case WHARF_MANIFEST_KIND_SCHEMA1:
    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                   _("The manifest %s is of a type Wharf can not copy (%s)."),
                   raw->digest, raw->media_type);
      return FALSE;
    }
}

char *
wharf_client_tag_sync (WharfClient   *self,
                       const char    *source_repository,
                       const char    *reference,
                       const char    *target_repository,
                       const char    *new_tag,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autofree char *digest = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (source_repository != NULL, NULL);
  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (new_tag != NULL, NULL);

  if (target_repository == NULL)
    target_repository = source_repository;

  if (!wharf_reference_validate_tag (new_tag, error)
      || !wharf_reference_validate_path (target_repository, error))
    return NULL;

  raw = wharf_client_get_manifest_sync (self, source_repository, reference, cancellable, error);
  if (raw == NULL)
    return NULL;

  if (g_strcmp0 (source_repository, target_repository) != 0
      && !copy_manifest_content (self, source_repository, target_repository, raw, 1,
                                 cancellable, error))
    return NULL;

  digest = _wharf_registry_put_manifest (self, target_repository, new_tag, raw->bytes,
                                         raw->media_type, cancellable, error);
  if (digest == NULL)
    return NULL;

  return g_steal_pointer (&digest);
}

/* Async wrappers: the same in a worker thread. */

typedef struct
{
  char          *repository;
  char          *reference;
  char          *target_repository;
  char          *new_tag;
  WharfDeletion *deletion;
} TaskData;

static void
task_data_free (TaskData *data)
{
  g_free (data->repository);
  g_free (data->reference);
  g_free (data->target_repository);
  g_free (data->new_tag);
  g_clear_pointer (&data->deletion, wharf_deletion_unref);
  g_free (data);
}

static GTask *
task_new (WharfClient         *self,
          gpointer             source_tag,
          const char          *repository,
          const char          *reference,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  g_task_set_source_tag (task, source_tag);
  data->repository = g_strdup (repository);
  data->reference = g_strdup (reference);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);

  return task;
}

static void
return_deletion (GTask         *task,
                 WharfDeletion *deletion,
                 GError        *error)
{
  if (deletion == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, deletion, (GDestroyNotify) wharf_deletion_unref);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  WharfDeletion *deletion;

  if (strchr (data->reference, ':') != NULL)
    deletion = wharf_client_delete_manifest_sync (source_object, data->repository,
                                                  data->reference, cancellable, &error);
  else
    deletion = wharf_client_delete_tag_sync (source_object, data->repository, data->reference,
                                             cancellable, &error);

  return_deletion (task, deletion, error);
}

void
wharf_client_delete_async (WharfClient         *self,
                           const char          *repository,
                           const char          *tag_or_digest,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (tag_or_digest != NULL);

  task = task_new (self, wharf_client_delete_async, repository, tag_or_digest,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, delete_thread);
}

WharfDeletion *
wharf_client_delete_finish (WharfClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_client_delete_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_repository_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  WharfDeletion *deletion;

  deletion = wharf_client_delete_repository_sync (source_object, data->repository,
                                                  cancellable, &error);
  return_deletion (task, deletion, error);
}

void
wharf_client_delete_repository_async (WharfClient         *self,
                                      const char          *repository,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);

  task = task_new (self, wharf_client_delete_repository_async, repository, NULL,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, delete_repository_thread);
}

WharfDeletion *
wharf_client_delete_repository_finish (WharfClient   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == wharf_client_delete_repository_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;

  if (wharf_client_undo_deletion_sync (source_object, data->deletion, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
wharf_client_undo_deletion_async (WharfClient         *self,
                                  WharfDeletion       *deletion,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (deletion != NULL);

  task = task_new (self, wharf_client_undo_deletion_async, NULL, NULL,
                   cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->deletion = wharf_deletion_ref (deletion);
  g_task_run_in_thread (task, undo_thread);
}

gboolean
wharf_client_undo_deletion_finish (WharfClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == wharf_client_undo_deletion_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tag_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  char *digest;

  digest = wharf_client_tag_sync (source_object, data->repository, data->reference,
                                  data->target_repository, data->new_tag, cancellable, &error);
  if (digest == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, digest, g_free);
}

void
wharf_client_tag_async (WharfClient         *self,
                        const char          *source_repository,
                        const char          *reference,
                        const char          *target_repository,
                        const char          *new_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (source_repository != NULL);
  g_return_if_fail (reference != NULL);
  g_return_if_fail (new_tag != NULL);

  task = task_new (self, wharf_client_tag_async, source_repository, reference,
                   cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->target_repository = g_strdup (target_repository);
  data->new_tag = g_strdup (new_tag);
  g_task_run_in_thread (task, tag_thread);
}

char *
wharf_client_tag_finish (WharfClient   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_client_tag_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
