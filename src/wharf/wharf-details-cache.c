/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-details-cache.c: what the tag list shows about an image, kept on disk by digest. */

#define G_LOG_DOMAIN "wharf-details-cache"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "wharf-digest.h"

#include "wharf-details-cache.h"

/* Bumped when the file format changes; older files are then misses. */
/* 2: an index has the size and date of one platform's image. */
#define SUMMARY_VERSION 2

G_DEFINE_BOXED_TYPE (WharfImageSummary, wharf_image_summary,
                     wharf_image_summary_ref, wharf_image_summary_unref)

WharfImageSummary *
wharf_image_summary_new (const char         *digest,
                         const char         *media_type,
                         gint64              size,
                         GDateTime          *created,
                         const char * const *platforms,
                         const char         *size_platform)
{
  WharfImageSummary *summary;

  g_return_val_if_fail (digest != NULL, NULL);

  summary = g_new0 (WharfImageSummary, 1);
  g_atomic_ref_count_init (&summary->ref_count);
  summary->digest = g_strdup (digest);
  summary->media_type = g_strdup (media_type != NULL ? media_type : "");
  summary->size = size;
  summary->created = created != NULL ? g_date_time_ref (created) : NULL;
  if (platforms != NULL)
    summary->platforms = g_strdupv ((char **) platforms);
  else
    summary->platforms = g_new0 (char *, 1);
  summary->size_platform = g_strdup (size_platform);

  return summary;
}

WharfImageSummary *
wharf_image_summary_ref (WharfImageSummary *summary)
{
  g_return_val_if_fail (summary != NULL, NULL);

  g_atomic_ref_count_inc (&summary->ref_count);
  return summary;
}

void
wharf_image_summary_unref (WharfImageSummary *summary)
{
  g_return_if_fail (summary != NULL);

  if (!g_atomic_ref_count_dec (&summary->ref_count))
    return;

  g_free (summary->digest);
  g_free (summary->media_type);
  g_clear_pointer (&summary->created, g_date_time_unref);
  g_strfreev (summary->platforms);
  g_free (summary->size_platform);
  g_free (summary);
}

char *
wharf_image_summary_dup_platforms_text (const WharfImageSummary *summary)
{
  g_return_val_if_fail (summary != NULL, NULL);

  return g_strjoinv (" · ", summary->platforms);
}

char *
wharf_image_summary_to_json (const WharfImageSummary *summary)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (summary != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, SUMMARY_VERSION);
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, summary->digest);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, summary->media_type);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, summary->size);
  if (summary->created != NULL)
    {
      g_autofree char *created = g_date_time_format_iso8601 (summary->created);

      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
    }
  json_builder_set_member_name (builder, "platforms");
  json_builder_begin_array (builder);
  for (guint i = 0; summary->platforms[i] != NULL; i++)
    json_builder_add_string_value (builder, summary->platforms[i]);
  json_builder_end_array (builder);
  if (summary->size_platform != NULL)
    {
      json_builder_set_member_name (builder, "sizePlatform");
      json_builder_add_string_value (builder, summary->size_platform);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gpointer
set_invalid (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The cached image details cannot be read."));
  return NULL;
}

WharfImageSummary *
wharf_image_summary_new_from_json (const char  *json,
                                   gssize       length,
                                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GPtrArray) platforms = g_ptr_array_new ();
  JsonObject *object;
  JsonNode *node;
  const char *digest;
  const char *media_type;
  const char *size_platform = NULL;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, NULL))
    return set_invalid (error);

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error);
  object = json_node_get_object (node);

  if (json_object_get_int_member_with_default (object, "version", 0) != SUMMARY_VERSION)
    return set_invalid (error);

  digest = json_object_get_string_member_with_default (object, "digest", NULL);
  if (digest == NULL || !wharf_digest_validate (digest, NULL))
    return set_invalid (error);
  media_type = json_object_get_string_member_with_default (object, "mediaType", "");

  if (json_object_has_member (object, "created"))
    {
      const char *text = json_object_get_string_member_with_default (object, "created", NULL);

      if (text == NULL || !(created = g_date_time_new_from_iso8601 (text, NULL)))
        return set_invalid (error);
    }

  node = json_object_get_member (object, "platforms");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return set_invalid (error);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING)
        return set_invalid (error);
      g_ptr_array_add (platforms, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (platforms, NULL);

  if (json_object_has_member (object, "sizePlatform"))
    {
      node = json_object_get_member (object, "sizePlatform");
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return set_invalid (error);
      size_platform = json_node_get_string (node);
    }

  return wharf_image_summary_new (digest, media_type,
                                  json_object_get_int_member_with_default (object, "size", -1),
                                  created, (const char * const *) platforms->pdata,
                                  size_platform);
}

struct _WharfDetailsCache
{
  GObject      parent_instance;

  char        *directory;

  /* Workers and the main thread share it: digest → WharfImageSummary. */
  GMutex       mutex;
  GHashTable  *summaries;
};

G_DEFINE_FINAL_TYPE (WharfDetailsCache, wharf_details_cache, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wharf_details_cache_finalize (GObject *object)
{
  WharfDetailsCache *self = WHARF_DETAILS_CACHE (object);

  g_clear_pointer (&self->summaries, g_hash_table_unref);
  g_mutex_clear (&self->mutex);
  g_clear_pointer (&self->directory, g_free);

  G_OBJECT_CLASS (wharf_details_cache_parent_class)->finalize (object);
}

static void
wharf_details_cache_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WharfDetailsCache *self = WHARF_DETAILS_CACHE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_details_cache_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  WharfDetailsCache *self = WHARF_DETAILS_CACHE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      if (g_value_get_string (value) != NULL)
        self->directory = g_value_dup_string (value);
      else
        self->directory = g_build_filename (g_get_user_cache_dir (), "wharf", "details", NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_details_cache_class_init (WharfDetailsCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wharf_details_cache_finalize;
  object_class->get_property = wharf_details_cache_get_property;
  object_class->set_property = wharf_details_cache_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_details_cache_init (WharfDetailsCache *self)
{
  g_mutex_init (&self->mutex);
  self->summaries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) wharf_image_summary_unref);
}

WharfDetailsCache *
wharf_details_cache_new (const char *directory)
{
  return g_object_new (WHARF_TYPE_DETAILS_CACHE,
                       "directory", directory,
                       NULL);
}

WharfDetailsCache *
wharf_details_cache_get_default (void)
{
  static WharfDetailsCache *instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, wharf_details_cache_new (NULL));

  return instance;
}

const char *
wharf_details_cache_get_directory (WharfDetailsCache *self)
{
  g_return_val_if_fail (WHARF_IS_DETAILS_CACHE (self), NULL);

  return self->directory;
}

static void
remember (WharfDetailsCache *self,
          WharfImageSummary *summary)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->summaries, g_strdup (summary->digest),
                        wharf_image_summary_ref (summary));
  g_mutex_unlock (&self->mutex);
}

WharfImageSummary *
wharf_details_cache_peek (WharfDetailsCache *self,
                          const char        *digest)
{
  WharfImageSummary *summary;

  g_return_val_if_fail (WHARF_IS_DETAILS_CACHE (self), NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  g_mutex_lock (&self->mutex);
  summary = g_hash_table_lookup (self->summaries, digest);
  if (summary != NULL)
    wharf_image_summary_ref (summary);
  g_mutex_unlock (&self->mutex);

  return summary;
}

/* <dir>/sha256/<hex>.json. The digest grammar has no '/' and no "..", so
 * once validated it is safe as a file name. */
static char *
summary_path (WharfDetailsCache *self,
              const char        *digest)
{
  g_autofree char *algorithm = NULL;
  g_autofree char *file_name = NULL;
  const char *encoded;

  if (!wharf_digest_validate (digest, NULL))
    return NULL;

  encoded = wharf_digest_get_encoded (digest);
  algorithm = g_strndup (digest, encoded - digest - 1);
  file_name = g_strconcat (encoded, ".json", NULL);

  return g_build_filename (self->directory, algorithm, file_name, NULL);
}

static char *
tags_path (WharfDetailsCache *self,
           const char        *domain,
           const char        *repository)
{
  g_autofree char *key = g_strconcat (domain, "/", repository, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *file_name = g_strconcat (hash, ".json", NULL);

  return g_build_filename (self->directory, "tags", file_name, NULL);
}

/* In a worker thread. A miss, a stale format or a broken file are all NULL:
 * a cache must never make an image fail to show. */
static WharfImageSummary *
read_summary (WharfDetailsCache *self,
              const char        *digest)
{
  g_autoptr(WharfImageSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if ((summary = wharf_details_cache_peek (self, digest)))
    return g_steal_pointer (&summary);

  if (!(path = summary_path (self, digest)))
    return NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_debug ("Cannot read %s: %s", path, error->message);
      return NULL;
    }

  summary = wharf_image_summary_new_from_json (contents, length, &error);
  if (summary == NULL || g_strcmp0 (summary->digest, digest) != 0)
    {
      g_debug ("Ignoring the cache file %s: %s", path,
               error != NULL ? error->message : "wrong digest");
      return NULL;
    }

  remember (self, summary);

  return g_steal_pointer (&summary);
}

static gboolean
write_file (const char  *path,
            const char  *contents,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the cache folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_task_return_pointer (task, read_summary (source_object, task_data),
                         (GDestroyNotify) wharf_image_summary_unref);
}

void
wharf_details_cache_lookup_async (WharfDetailsCache   *self,
                                  const char          *digest,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_DETAILS_CACHE (self));
  g_return_if_fail (digest != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_details_cache_lookup_async);
  g_task_set_task_data (task, g_strdup (digest), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

WharfImageSummary *
wharf_details_cache_lookup_finish (WharfDetailsCache  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WharfDetailsCache *self = source_object;
  WharfImageSummary *summary = task_data;
  g_autofree char *path = summary_path (self, summary->digest);
  g_autofree char *json = NULL;
  GError *error = NULL;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a digest."), summary->digest);
      return;
    }

  json = wharf_image_summary_to_json (summary);
  if (!write_file (path, json, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
wharf_details_cache_store_async (WharfDetailsCache   *self,
                                 WharfImageSummary   *summary,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_DETAILS_CACHE (self));
  g_return_if_fail (summary != NULL);

  /* Readers see it at once, before the file is written. */
  remember (self, summary);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_details_cache_store_async);
  g_task_set_task_data (task, wharf_image_summary_ref (summary),
                        (GDestroyNotify) wharf_image_summary_unref);
  g_task_run_in_thread (task, store_thread);
}

gboolean
wharf_details_cache_store_finish (WharfDetailsCache  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char       *domain;
  char       *repository;
  GHashTable *tags;
} TagsData;

static void
tags_data_free (gpointer data)
{
  TagsData *tags_data = data;

  g_free (tags_data->domain);
  g_free (tags_data->repository);
  g_clear_pointer (&tags_data->tags, g_hash_table_unref);
  g_free (tags_data);
}

static void
lookup_tags_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  WharfDetailsCache *self = source_object;
  TagsData *data = task_data;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *path = tags_path (self, data->domain, data->repository);
  g_autofree char *contents = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonObject *tags;
  JsonNode *node;
  gsize length;

  found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) wharf_image_summary_unref);

  if (!g_file_get_contents (path, &contents, &length, NULL)
      || !json_parser_load_from_data (parser, contents, length, NULL)
      || !(node = json_parser_get_root (parser))
      || !JSON_NODE_HOLDS_OBJECT (node))
    goto done;

  object = json_node_get_object (node);
  /* The file name is a hash: make sure it is the repository asked for. */
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "domain", NULL),
                 data->domain) != 0
      || g_strcmp0 (json_object_get_string_member_with_default (object, "repository", NULL),
                    data->repository) != 0)
    goto done;

  node = json_object_get_member (object, "tags");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto done;
  tags = json_node_get_object (node);
  members = json_object_get_members (tags);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *digest = json_object_get_string_member_with_default (tags, l->data, NULL);
      WharfImageSummary *summary;

      if (g_cancellable_is_cancelled (cancellable))
        break;

      if (digest != NULL && (summary = read_summary (self, digest)))
        g_hash_table_insert (found, g_strdup (l->data), summary);
    }

done:
  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) g_hash_table_unref);
}

void
wharf_details_cache_lookup_tags_async (WharfDetailsCache   *self,
                                       const char          *domain,
                                       const char          *repository,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TagsData *data;

  g_return_if_fail (WHARF_IS_DETAILS_CACHE (self));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (repository != NULL);

  data = g_new0 (TagsData, 1);
  data->domain = g_strdup (domain);
  data->repository = g_strdup (repository);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_details_cache_lookup_tags_async);
  g_task_set_task_data (task, data, tags_data_free);
  g_task_run_in_thread (task, lookup_tags_thread);
}

GHashTable *
wharf_details_cache_lookup_tags_finish (WharfDetailsCache  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_tags_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  WharfDetailsCache *self = source_object;
  TagsData *data = task_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = tags_path (self, data->domain, data->repository);
  g_autofree char *json = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  GError *error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, data->domain);
  json_builder_set_member_name (builder, "repository");
  json_builder_add_string_value (builder, data->repository);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, data->tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  if (!write_file (path, json, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
wharf_details_cache_store_tags_async (WharfDetailsCache   *self,
                                      const char          *domain,
                                      const char          *repository,
                                      GHashTable          *tags,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  TagsData *data;

  g_return_if_fail (WHARF_IS_DETAILS_CACHE (self));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (repository != NULL);
  g_return_if_fail (tags != NULL);

  data = g_new0 (TagsData, 1);
  data->domain = g_strdup (domain);
  data->repository = g_strdup (repository);
  /* A copy: the caller keeps changing its table on the main thread. */
  data->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (data->tags, g_strdup (key), g_strdup (value));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_details_cache_store_tags_async);
  g_task_set_task_data (task, data, tags_data_free);
  g_task_run_in_thread (task, store_tags_thread);
}

gboolean
wharf_details_cache_store_tags_finish (WharfDetailsCache  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
