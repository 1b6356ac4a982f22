/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transport-docker-archive.c: `docker save` tarballs
 * (docker-archive:FILE[:REF]) as image sources and destinations. */

#define G_LOG_DOMAIN "wharf-transport-docker-archive"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-image.h"
#include "wharf-reference.h"
#include "wharf-transport-private.h"

#define MANIFEST_FILE     "manifest.json"
#define REPOSITORIES_FILE "repositories"
#define HASH_BUFFER_SIZE  (256 * 1024)
#define COPY_BUFFER_SIZE  (256 * 1024)

/* A RepoTags entry or a REF as docker reads it: "foo:1" and
 * "docker.io/library/foo:1" are the same image. NULL if it does not parse. */
static char *
normalize_repo_tag (const char *text)
{
  g_autoptr(WharfReference) reference = wharf_reference_parse (text, NULL);
  g_autofree char *repository = NULL;

  if (reference == NULL)
    return NULL;

  repository = wharf_reference_get_repository (reference);
  return g_strdup_printf ("%s:%s", repository, wharf_reference_get_tag_or_latest (reference));
}

static GStrv
config_get_diff_ids (GBytes      *config,
                     const char  *what,
                     GError     **error)
{
  g_autoptr(JsonNode) root = _wharf_json_parse (config, FALSE, what, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *rootfs;
  JsonNode *diff_ids;
  JsonArray *array;

  if (root == NULL)
    return NULL;

  rootfs = json_object_get_member (json_node_get_object (root), "rootfs");
  diff_ids = (rootfs != NULL && JSON_NODE_HOLDS_OBJECT (rootfs))
               ? json_object_get_member (json_node_get_object (rootfs), "diff_ids") : NULL;
  if (diff_ids == NULL || !JSON_NODE_HOLDS_ARRAY (diff_ids))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("%s has no list of layer diff IDs (rootfs.diff_ids)."), what);
      return NULL;
    }

  array = json_node_get_array (diff_ids);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *diff_id = NULL;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        diff_id = json_node_get_string (node);

      if (diff_id == NULL || !wharf_digest_validate (diff_id, NULL))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
                       _("%s names a layer by an invalid diff ID, “%s”."),
                       what, diff_id != NULL ? diff_id : "");
          return NULL;
        }

      g_strv_builder_add (builder, diff_id);
    }

  return g_strv_builder_end (builder);
}

/* Source */

typedef struct
{
  char   *name;  /* in the archive */
  gint64  size;
} ArchiveBlob;

typedef struct
{
  WharfImageSource  parent;

  char             *path;
  char             *ref;
  WharfTarReader   *tar;

  char             *config_name;
  GBytes           *config;
  char             *config_digest;
  GPtrArray        *layer_names;
  GStrv             diff_ids;

  GMutex            lock;
  GBytes           *manifest;       /* made on first use */
  char             *manifest_digest;
  GHashTable       *blobs;          /* digest → ArchiveBlob */
} WharfDockerArchiveSource;

static void
archive_blob_free (gpointer data)
{
  ArchiveBlob *blob = data;

  g_free (blob->name);
  g_free (blob);
}

static void
add_blob (WharfDockerArchiveSource *self,
          const char               *digest,
          const char               *name,
          gint64                    size)
{
  ArchiveBlob *blob = g_new0 (ArchiveBlob, 1);

  blob->name = g_strdup (name);
  blob->size = size;
  g_hash_table_replace (self->blobs, g_strdup (digest), blob);
}

/* The layer's first bytes, to tell gzip and zstd from a plain tar. */
static gboolean
sniff_entry (WharfDockerArchiveSource  *self,
             const char                *name,
             const char               **out_compression,
             GCancellable              *cancellable,
             GError                   **error)
{
  g_autoptr(GInputStream) stream = NULL;
  guint8 head[4] = { 0, };
  gsize got = 0;

  stream = _wharf_tar_reader_open_entry (self->tar, name, NULL, cancellable, error);
  if (stream == NULL ||
      !g_input_stream_read_all (stream, head, sizeof head, &got, cancellable, error))
    return FALSE;

  *out_compression = _wharf_compression_sniff (head, got);
  return TRUE;
}

static char *
hash_entry (WharfDockerArchiveSource  *self,
            const char                *name,
            GCancellable              *cancellable,
            GError                   **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(WharfHasher) hasher = wharf_hasher_new ("sha256");
  g_autofree guint8 *buffer = g_malloc (HASH_BUFFER_SIZE);

  stream = _wharf_tar_reader_open_entry (self->tar, name, NULL, cancellable, error);
  if (stream == NULL)
    return NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, HASH_BUFFER_SIZE, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      wharf_hasher_update (hasher, buffer, n);
    }

  return wharf_hasher_finish (hasher);
}

static void
add_descriptor (JsonBuilder *builder,
                const char  *media_type,
                gint64       size,
                const char  *digest)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, media_type);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, size);
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, digest);
  json_builder_end_object (builder);
}

/* Called with the lock held. A Docker schema2 manifest for the image: plain
 * layers by their diff IDs, compressed ones by the digest of their bytes. */
static gboolean
synthesize_manifest (WharfDockerArchiveSource  *self,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len = 0;

  if (self->manifest != NULL)
    return TRUE;

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  json_builder_set_member_name (builder, "config");
  add_descriptor (builder, WHARF_MEDIA_TYPE_DOCKER_CONFIG,
                  g_bytes_get_size (self->config), self->config_digest);
  add_blob (self, self->config_digest, self->config_name, g_bytes_get_size (self->config));

  json_builder_set_member_name (builder, "layers");
  json_builder_begin_array (builder);

  for (guint i = 0; i < self->layer_names->len; i++)
    {
      const char *name = g_ptr_array_index (self->layer_names, i);
      const char *compression = NULL;
      const char *media_type;
      g_autofree char *digest = NULL;
      gint64 size = 0;

      if (!_wharf_tar_reader_lookup (self->tar, name, &size, error) ||
          !sniff_entry (self, name, &compression, cancellable, error))
        return FALSE;

      if (compression == NULL)
        {
          media_type = WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
          digest = g_strdup (self->diff_ids[i]);
        }
      else
        {
          media_type = strcmp (compression, "zstd") == 0 ? WHARF_MEDIA_TYPE_OCI_LAYER_ZSTD
                                                         : WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP;
          digest = hash_entry (self, name, cancellable, error);
          if (digest == NULL)
            return FALSE;
        }

      add_descriptor (builder, media_type, size, digest);
      add_blob (self, digest, name, size);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  self->manifest = g_bytes_new_take (text, len);
  self->manifest_digest = wharf_digest_compute_bytes (self->manifest);

  return TRUE;
}

static WharfRawManifest *
docker_archive_source_get_manifest (WharfImageSource  *source,
                                    const char        *digest,
                                    GCancellable      *cancellable,
                                    GError           **error)
{
  WharfDockerArchiveSource *self = (WharfDockerArchiveSource *) source;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  WharfRawManifest *manifest;

  if (!synthesize_manifest (self, cancellable, error))
    return NULL;

  if (digest != NULL && strcmp (digest, self->manifest_digest) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("The archive %s holds no manifest %s."), self->path, digest);
      return NULL;
    }

  manifest = g_new0 (WharfRawManifest, 1);
  manifest->bytes = g_bytes_ref (self->manifest);
  manifest->media_type = g_strdup (WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  manifest->digest = g_strdup (self->manifest_digest);

  return manifest;
}

static GInputStream *
docker_archive_source_get_blob (WharfImageSource       *source,
                                const WharfDescriptor  *descriptor,
                                gint64                 *out_size,
                                GCancellable           *cancellable,
                                GError                **error)
{
  WharfDockerArchiveSource *self = (WharfDockerArchiveSource *) source;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *name = NULL;
  ArchiveBlob *blob;
  gint64 size = 0;

  g_mutex_lock (&self->lock);
  if (!synthesize_manifest (self, cancellable, error))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  blob = descriptor->digest != NULL ? g_hash_table_lookup (self->blobs, descriptor->digest) : NULL;
  if (blob != NULL)
    name = g_strdup (blob->name);
  g_mutex_unlock (&self->lock);

  if (name == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("The archive %s holds no blob %s."), self->path,
                   descriptor->digest != NULL ? descriptor->digest : "");
      return NULL;
    }

  stream = _wharf_tar_reader_open_entry (self->tar, name, &size, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (out_size != NULL)
    *out_size = size;

  /* Plain layers are checked against their diff ID here, so the caller need
   * not hash them a second time. */
  return _wharf_blob_check_stream_new (stream, descriptor->digest, size, self->path, error);
}

static void
docker_archive_source_free (WharfImageSource *source)
{
  WharfDockerArchiveSource *self = (WharfDockerArchiveSource *) source;

  g_clear_object (&self->parent.client);
  g_clear_pointer (&self->parent.repository, g_free);
  g_clear_pointer (&self->tar, _wharf_tar_reader_unref);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->ref);
  g_free (self->config_name);
  g_clear_pointer (&self->config, g_bytes_unref);
  g_free (self->config_digest);
  g_clear_pointer (&self->layer_names, g_ptr_array_unref);
  g_strfreev (self->diff_ids);
  g_clear_pointer (&self->manifest, g_bytes_unref);
  g_free (self->manifest_digest);
  g_clear_pointer (&self->blobs, g_hash_table_unref);
  g_free (self);
}

static const WharfImageSourceVTable docker_archive_source_vtable = {
  .get_manifest = docker_archive_source_get_manifest,
  .get_blob = docker_archive_source_get_blob,
  .free = docker_archive_source_free,
};

static char *
describe_images (JsonArray *items)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonNode *tags = JSON_NODE_HOLDS_OBJECT (node)
                         ? json_object_get_member (json_node_get_object (node), "RepoTags") : NULL;
      gboolean named = FALSE;

      if (text->len > 0)
        g_string_append (text, ", ");

      if (tags != NULL && JSON_NODE_HOLDS_ARRAY (tags))
        {
          JsonArray *array = json_node_get_array (tags);

          for (guint j = 0; j < json_array_get_length (array); j++)
            {
              JsonNode *tag = json_array_get_element (array, j);

              if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING)
                continue;
              g_string_append_printf (text, "%s%s", named ? " " : "", json_node_get_string (tag));
              named = TRUE;
            }
        }

      if (named)
        g_string_append_printf (text, " (@%u)", i);
      else
        g_string_append_printf (text, "@%u", i);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
item_has_repo_tag (JsonObject *item,
                   const char *wanted)
{
  JsonNode *tags = json_object_get_member (item, "RepoTags");
  JsonArray *array;

  if (tags == NULL || !JSON_NODE_HOLDS_ARRAY (tags))
    return FALSE;

  array = json_node_get_array (tags);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *tag = json_array_get_element (array, i);
      g_autofree char *normalized = NULL;

      if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING)
        continue;

      normalized = normalize_repo_tag (json_node_get_string (tag));
      if (g_strcmp0 (normalized, wanted) == 0)
        return TRUE;
    }

  return FALSE;
}

static JsonObject *
choose_item (WharfDockerArchiveSource  *self,
             JsonArray                 *items,
             GError                   **error)
{
  guint n_items = json_array_get_length (items);
  JsonNode *node = NULL;

  if (n_items == 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("The archive %s holds no image."), self->path);
      return NULL;
    }

  if (self->ref == NULL)
    {
      if (n_items > 1)
        {
          g_autofree char *images = describe_images (items);

          g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                       _("The archive %s holds several images: %s. Name one, as in "
                         "docker-archive:%s:NAME:TAG or docker-archive:%s:@N."),
                       self->path, images, self->path, self->path);
          return NULL;
        }
      node = json_array_get_element (items, 0);
    }
  else if (self->ref[0] == '@')
    {
      char *end = NULL;
      guint64 index = g_ascii_strtoull (self->ref + 1, &end, 10);

      if (self->ref[1] == '\0' || end == NULL || *end != '\0' || index >= n_items)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The archive %s has no image %s: it holds %u image, "
                                    "numbered from @0.",
                                    "The archive %s has no image %s: it holds %u images, "
                                    "numbered from @0.",
                                    n_items),
                       self->path, self->ref, n_items);
          return NULL;
        }
      node = json_array_get_element (items, index);
    }
  else
    {
      g_autofree char *wanted = normalize_repo_tag (self->ref);

      if (wanted == NULL)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                       _("“%s” is neither NAME:TAG nor @N."), self->ref);
          return NULL;
        }

      for (guint i = 0; i < n_items && node == NULL; i++)
        {
          JsonNode *candidate = json_array_get_element (items, i);

          if (JSON_NODE_HOLDS_OBJECT (candidate) &&
              item_has_repo_tag (json_node_get_object (candidate), wanted))
            node = candidate;
        }

      if (node == NULL)
        {
          g_autofree char *images = describe_images (items);

          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                       _("The archive %s has no image tagged %s (it holds: %s)."),
                       self->path, self->ref, images);
          return NULL;
        }
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("manifest.json in %s is not a list of images."), self->path);
      return NULL;
    }

  return json_node_get_object (node);
}

/* A path from manifest.json, checked to stay inside the archive and to name
 * a file it holds. */
static char *
check_archive_path (WharfDockerArchiveSource  *self,
                    const char                *name,
                    GError                   **error)
{
  g_autofree char *normalized = _wharf_archive_path_normalize (name);
  g_autoptr(GError) local_error = NULL;

  if (normalized == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("manifest.json in %s points to “%s”, outside the archive: it is refused."),
                   self->path, name != NULL ? name : "");
      return NULL;
    }

  if (!_wharf_tar_reader_lookup (self->tar, normalized, NULL, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                     _("manifest.json in %s names “%s”, which the archive does not hold."),
                     self->path, name);
      return NULL;
    }

  return g_steal_pointer (&normalized);
}

/**
 * _wharf_docker_archive_source_new:
 * @file: a `docker save` tarball, either layout (before and since Docker 25)
 * @ref: (nullable): "name:tag" (matched against RepoTags as docker
 *   normalises them) or "@N", the N-th image from 0
 *
 * Follows manifest.json to the config and layers and checks that they stay
 * inside the archive. A plain archive is read in place, several layers at
 * once.
 */
WharfImageSource *
_wharf_docker_archive_source_new (const char    *file,
                                  const char    *ref,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(JsonNode) manifest = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *manifest_what = NULL;
  g_autofree char *config_what = NULL;
  WharfDockerArchiveSource *self;
  JsonObject *item;
  JsonNode *layers;
  const char *config_name;
  JsonArray *array;

  g_return_val_if_fail (file != NULL, NULL);

  self = g_new0 (WharfDockerArchiveSource, 1);
  self->parent.vtable = &docker_archive_source_vtable;
  self->path = g_strdup (file);
  self->ref = (ref != NULL && ref[0] != '\0') ? g_strdup (ref) : NULL;
  self->layer_names = g_ptr_array_new_with_free_func (g_free);
  self->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, archive_blob_free);
  g_mutex_init (&self->lock);

  self->tar = _wharf_tar_reader_open (file, cancellable, error);
  if (self->tar == NULL)
    goto failed;
  self->parent.supports_parallel = _wharf_tar_reader_is_seekable (self->tar);

  manifest_bytes = _wharf_tar_reader_read_entry (self->tar, MANIFEST_FILE,
                                                 WHARF_MANIFEST_MAX_SIZE, cancellable,
                                                 &local_error);
  if (manifest_bytes == NULL)
    {
      if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                     _("The archive %s has no manifest.json: it is not a docker-archive, "
                       "or it is truncated."), file);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      goto failed;
    }

  manifest_what = g_strdup_printf (_("manifest.json in %s"), file);
  manifest = _wharf_json_parse (manifest_bytes, TRUE, manifest_what, error);
  if (manifest == NULL)
    goto failed;

  item = choose_item (self, json_node_get_array (manifest), error);
  if (item == NULL)
    goto failed;

  config_name = _wharf_json_get_string (item, "Config");
  layers = json_object_get_member (item, "Layers");
  if (config_name == NULL || layers == NULL || !JSON_NODE_HOLDS_ARRAY (layers))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("manifest.json in %s lacks the Config or the Layers of the image."), file);
      goto failed;
    }

  self->config_name = check_archive_path (self, config_name, error);
  if (self->config_name == NULL)
    goto failed;

  array = json_node_get_array (layers);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *name = NULL;
      char *checked;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        name = json_node_get_string (node);

      checked = check_archive_path (self, name, error);
      if (checked == NULL)
        goto failed;
      g_ptr_array_add (self->layer_names, checked);
    }

  self->config = _wharf_tar_reader_read_entry (self->tar, self->config_name,
                                               WHARF_MANIFEST_MAX_SIZE, cancellable, error);
  if (self->config == NULL)
    goto failed;
  self->config_digest = wharf_digest_compute_bytes (self->config);

  config_what = g_strdup_printf (_("The image config in %s"), file);
  self->diff_ids = config_get_diff_ids (self->config, config_what, error);
  if (self->diff_ids == NULL)
    goto failed;

  if (g_strv_length (self->diff_ids) != self->layer_names->len)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The image config in %s lists %u layer, but manifest.json "
                                "lists %u.",
                                "The image config in %s lists %u layers, but manifest.json "
                                "lists %u.",
                                g_strv_length (self->diff_ids)),
                   file, g_strv_length (self->diff_ids), self->layer_names->len);
      goto failed;
    }

  return &self->parent;

failed:
  docker_archive_source_free (&self->parent);
  return NULL;
}

/* Destination
 *
 * The tar is written by hand, straight into its final file (under a temp
 * name in a staging folder beside the target, renamed at commit): a layer
 * streams into it as it arrives, behind a header whose size is patched when
 * the layer ends. One layer at a time can do that; layers arriving while
 * another holds the tar go to files in the staging folder and move into the
 * tar (copy_file_range, in the kernel) as soon as it is free, or at commit.
 * So most bytes are written once, and nothing is copied through user space
 * at commit. */

typedef enum
{
  STORED_IN_TAR,     /* an entry of the output already */
  STORED_STAGED,     /* a file in the staging folder, appended at commit */
  STORED_IN_MEMORY,  /* small (the config), written at commit */
} StoredPlace;

typedef struct
{
  StoredPlace  place;
  gint64       size;
  char        *entry_name;  /* IN_TAR */
  goffset      offset;      /* IN_TAR: of the data */
  char        *path;        /* STAGED */
  GBytes      *bytes;       /* IN_MEMORY */
} StoredBlob;

typedef struct
{
  WharfImageDest  parent;

  char           *path;
  char           *repo_tag;       /* "docker.io/library/foo:1", or NULL */
  char           *repository;     /* "docker.io/library/foo" */
  char           *tag;
  gint64          mtime;

  GMutex          lock;
  char           *staging;        /* folder beside @path, made on the first blob */
  char           *temp_path;      /* the output under its temp name, in @staging */
  int             fd;             /* of @temp_path, -1 until then */
  goffset         end;            /* where the next entry of the output starts */
  gint            tar_busy;       /* atomic: a blob streams into the output */
  guint           staged_serial;
  GHashTable     *stored;         /* digest → StoredBlob */
  char           *config_digest;  /* from the manifest */
  gboolean        finished;
} WharfDockerArchiveDest;

static void
stored_blob_free (gpointer data)
{
  StoredBlob *blob = data;

  g_free (blob->entry_name);
  g_free (blob->path);
  g_clear_pointer (&blob->bytes, g_bytes_unref);
  g_free (blob);
}

static char *
layer_entry_name (const char *digest)
{
  return g_strdup_printf ("%s/layer.tar", wharf_digest_get_encoded (digest));
}

/* Called with the lock held. */
static gboolean
ensure_started (WharfDockerArchiveDest  *self,
                GError                 **error)
{
  g_autofree char *staging = NULL;
  g_autofree char *temp_path = NULL;
  int fd;

  if (self->finished)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The copy was stopped."));
      return FALSE;
    }

  if (self->fd >= 0)
    return TRUE;

  staging = _wharf_make_staging_dir (self->path, error);
  if (staging == NULL)
    return FALSE;

  temp_path = g_build_filename (staging, "archive.tar", NULL);
  fd = g_open (temp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), temp_path, g_strerror (errsv));
      _wharf_rm_rf (staging);
      return FALSE;
    }

  self->staging = g_steal_pointer (&staging);
  self->temp_path = g_steal_pointer (&temp_path);
  self->fd = fd;
  self->end = 0;

  return TRUE;
}

/* Called with the lock held; @blob is taken. A blob that arrived twice
 * keeps its first copy. */
static void
store_blob (WharfDockerArchiveDest *self,
            const char             *digest,
            StoredBlob             *blob)
{
  if (g_hash_table_contains (self->stored, digest))
    {
      if (blob->place == STORED_STAGED)
        g_unlink (blob->path);
      stored_blob_free (blob);
      return;
    }

  g_hash_table_insert (self->stored, g_strdup (digest), blob);
}

static gboolean
docker_archive_dest_has_blob (WharfImageDest  *dest,
                              const char      *digest,
                              gint64          *out_size,
                              GCancellable    *cancellable,
                              GError         **error)
{
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  StoredBlob *blob = g_hash_table_lookup (self->stored, digest);

  if (blob == NULL)
    return FALSE;

  if (out_size != NULL)
    *out_size = blob->size;

  return TRUE;
}

/* Checks what was written against what the engine expected. */
static gboolean
check_written (const WharfDescriptor  *descriptor,
               const char             *digest,
               guint64                 size,
               GError                **error)
{
  g_autofree char *what = g_strdup_printf (_("The blob %s"),
                                           descriptor->digest != NULL ? descriptor->digest : "");

  if (descriptor->size >= 0 && size != (guint64) descriptor->size)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("%s was %lld bytes long, not %lld as recorded: the data is damaged."),
                   what, (long long) size, (long long) descriptor->size);
      return FALSE;
    }

  if (descriptor->digest != NULL && strcmp (digest, descriptor->digest) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("%s does not match its digest %s: the data is damaged."),
                   what, descriptor->digest);
      return FALSE;
    }

  return TRUE;
}

static WharfHasher *
hasher_for (const WharfDescriptor  *descriptor,
            GError                **error)
{
  g_autofree char *algorithm = NULL;
  const char *digest = descriptor->digest;

  if (digest == NULL)
    return wharf_hasher_new ("sha256");

  if (!wharf_digest_validate (digest, error))
    return NULL;
  algorithm = g_strndup (digest, strchr (digest, ':') - digest);

  return wharf_hasher_new (algorithm);
}

/* The config (and anything else small that is not a layer) is kept in
 * memory until commit names it "<id>.json". */
static gboolean
is_small_blob (const WharfDescriptor *descriptor)
{
  return descriptor->media_type != NULL &&
         (g_str_equal (descriptor->media_type, WHARF_MEDIA_TYPE_DOCKER_CONFIG) ||
          strstr (descriptor->media_type, "config") != NULL);
}

static gboolean
put_small_blob (WharfDockerArchiveDest  *self,
                GInputStream            *stream,
                const WharfDescriptor   *descriptor,
                char                   **out_digest,
                gint64                  *out_size,
                GCancellable            *cancellable,
                GError                 **error)
{
  g_autoptr(WharfHasher) hasher = hasher_for (descriptor, error);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *digest = NULL;
  StoredBlob *blob;

  if (hasher == NULL)
    return FALSE;

  for (;;)
    {
      guint8 buffer[16384];
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;

      if (data->len + n > WHARF_MANIFEST_MAX_SIZE)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                       _("The image config %s is larger than 4 MiB; Wharf refuses it."),
                       descriptor->digest != NULL ? descriptor->digest : "");
          return FALSE;
        }

      wharf_hasher_update (hasher, buffer, n);
      g_byte_array_append (data, buffer, n);
    }

  digest = wharf_hasher_finish (hasher);
  if (!check_written (descriptor, digest, data->len, error))
    return FALSE;

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  blob = g_new0 (StoredBlob, 1);
  blob->place = STORED_IN_MEMORY;
  blob->size = g_bytes_get_size (bytes);
  blob->bytes = g_bytes_ref (bytes);

  g_mutex_lock (&self->lock);
  store_blob (self, digest, blob);
  g_mutex_unlock (&self->lock);

  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&digest);
  if (out_size != NULL)
    *out_size = g_bytes_get_size (bytes);

  return TRUE;
}

/* Where a layer's bytes go while it arrives: into the output, or a staged
 * file until the output is free. */
typedef struct
{
  WharfDockerArchiveDest *dest;
  const char             *digest;         /* expected; NULL: staged, named at the end */
  guint64                 written;

  gboolean                in_tar;
  goffset                 entry_start;    /* truncated back to on failure */
  GBytes                  *file_header;   /* its last block gets the size at the end */
  goffset                 header_offset;  /* of that block */
  goffset                 data_offset;

  int                     staged_fd;
  char                   *staged_path;
} LayerSink;

static void
sink_close_staged (LayerSink *sink,
                   gboolean   remove)
{
  if (sink->staged_fd >= 0)
    g_close (sink->staged_fd, NULL);
  sink->staged_fd = -1;

  if (remove && sink->staged_path != NULL)
    g_unlink (sink->staged_path);
  if (remove)
    g_clear_pointer (&sink->staged_path, g_free);
}

static gboolean
sink_open_staged (LayerSink  *sink,
                  GError    **error)
{
  WharfDockerArchiveDest *self = sink->dest;
  g_autofree char *name = NULL;

  g_mutex_lock (&self->lock);
  name = g_strdup_printf ("layer-%u", self->staged_serial++);
  sink->staged_path = g_build_filename (self->staging, name, NULL);
  g_mutex_unlock (&self->lock);

  sink->staged_fd = g_open (sink->staged_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (sink->staged_fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), sink->staged_path, g_strerror (errsv));
      g_clear_pointer (&sink->staged_path, g_free);
      return FALSE;
    }

  return TRUE;
}

/* Gives the output back: after a failure, cut what this layer wrote. */
static void
sink_release_tar (LayerSink *sink,
                  goffset    new_end)
{
  WharfDockerArchiveDest *self = sink->dest;

  if (!sink->in_tar)
    return;

  if (new_end == sink->entry_start && ftruncate (self->fd, sink->entry_start) != 0)
    g_debug ("Could not cut %s back: %s", self->temp_path, g_strerror (errno));

  g_mutex_lock (&self->lock);
  self->end = new_end;
  g_atomic_int_set (&self->tar_busy, FALSE);
  g_mutex_unlock (&self->lock);

  sink->in_tar = FALSE;
}

/* Takes the output if it is free: writes the layer's headers and moves
 * what was staged so far behind them. FALSE without an error: busy. */
static gboolean
sink_try_take_tar (LayerSink     *sink,
                   GCancellable  *cancellable,
                   GError       **error)
{
  WharfDockerArchiveDest *self = sink->dest;
  g_autofree char *dir_name = NULL;
  g_autofree char *file_name = NULL;
  g_autoptr(GBytes) dir_header = NULL;
  gsize dir_len;
  gsize file_len;
  goffset start;

  if (sink->digest == NULL || g_atomic_int_get (&self->tar_busy))
    return FALSE;

  g_mutex_lock (&self->lock);
  if (self->tar_busy || self->finished)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_atomic_int_set (&self->tar_busy, TRUE);
  start = self->end;
  g_mutex_unlock (&self->lock);

  sink->in_tar = TRUE;
  sink->entry_start = start;

  dir_name = g_strdup_printf ("%s/", wharf_digest_get_encoded (sink->digest));
  file_name = layer_entry_name (sink->digest);
  dir_header = _wharf_tar_header_new (dir_name, TRUE, 0, self->mtime);
  sink->file_header = _wharf_tar_header_new (file_name, FALSE, 0, self->mtime);
  dir_len = g_bytes_get_size (dir_header);
  file_len = g_bytes_get_size (sink->file_header);
  sink->header_offset = start + dir_len + file_len - WHARF_TAR_BLOCK_SIZE;
  sink->data_offset = start + dir_len + file_len;

  if (!_wharf_write_at (self->fd, g_bytes_get_data (dir_header, NULL), dir_len, start, error) ||
      !_wharf_write_at (self->fd, g_bytes_get_data (sink->file_header, NULL), file_len,
                        start + dir_len, error) ||
      (sink->written > 0 &&
       !_wharf_copy_range (sink->staged_fd, 0, self->fd, sink->data_offset, sink->written,
                           cancellable, error)))
    {
      sink_release_tar (sink, sink->entry_start);
      return FALSE;
    }

  sink_close_staged (sink, TRUE);
  return TRUE;
}

static gboolean
sink_write (LayerSink     *sink,
            const guint8  *data,
            gsize          len,
            GError       **error)
{
  gboolean ok;

  if (sink->in_tar)
    ok = _wharf_write_at (sink->dest->fd, data, len, sink->data_offset + sink->written, error);
  else
    ok = _wharf_write_at (sink->staged_fd, data, len, sink->written, error);

  if (ok)
    sink->written += len;

  return ok;
}

/* The layer is complete and checked: seals its entry or keeps the staged
 * file. */
static gboolean
sink_finish (LayerSink   *sink,
             const char  *digest,
             GError     **error)
{
  WharfDockerArchiveDest *self = sink->dest;
  StoredBlob *blob = g_new0 (StoredBlob, 1);

  blob->size = sink->written;

  if (sink->in_tar)
    {
      static const guint8 zeros[WHARF_TAR_BLOCK_SIZE] = { 0, };
      guint8 block[WHARF_TAR_BLOCK_SIZE];
      gsize header_len = 0;
      const guint8 *header = g_bytes_get_data (sink->file_header, &header_len);
      guint64 padding = _wharf_tar_padding (sink->written);

      memcpy (block, header + header_len - WHARF_TAR_BLOCK_SIZE, WHARF_TAR_BLOCK_SIZE);
      _wharf_tar_header_set_size (block, sink->written);

      if (!_wharf_write_at (self->fd, block, sizeof block, sink->header_offset, error) ||
          !_wharf_write_at (self->fd, zeros, padding, sink->data_offset + sink->written, error))
        {
          stored_blob_free (blob);
          sink_release_tar (sink, sink->entry_start);
          return FALSE;
        }

      blob->place = STORED_IN_TAR;
      blob->entry_name = layer_entry_name (digest);
      blob->offset = sink->data_offset;

      g_mutex_lock (&self->lock);
      store_blob (self, digest, blob);
      g_mutex_unlock (&self->lock);

      sink_release_tar (sink, sink->data_offset + sink->written + padding);
      return TRUE;
    }

  if (!g_close (sink->staged_fd, error))
    {
      sink->staged_fd = -1;
      stored_blob_free (blob);
      return FALSE;
    }
  sink->staged_fd = -1;

  blob->place = STORED_STAGED;
  blob->path = g_steal_pointer (&sink->staged_path);

  g_mutex_lock (&self->lock);
  store_blob (self, digest, blob);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static void drain_staged (WharfDockerArchiveDest *self,
                          GCancellable           *cancellable);

static gboolean
docker_archive_dest_put_blob (WharfImageDest         *dest,
                              GInputStream           *stream,
                              const WharfDescriptor  *descriptor,
                              char                  **out_digest,
                              gint64                 *out_size,
                              GCancellable           *cancellable,
                              GError                **error)
{
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;
  g_autoptr(WharfHasher) hasher = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree char *digest = NULL;
  LayerSink sink = { 0, };
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = ensure_started (self, error);
  g_mutex_unlock (&self->lock);
  if (!ok)
    return FALSE;

  if (is_small_blob (descriptor))
    return put_small_blob (self, stream, descriptor, out_digest, out_size, cancellable, error);

  hasher = hasher_for (descriptor, error);
  if (hasher == NULL)
    return FALSE;

  sink.dest = self;
  sink.digest = descriptor->digest;
  sink.staged_fd = -1;

  {
    g_autoptr(GError) local_error = NULL;

    if (!sink_try_take_tar (&sink, cancellable, &local_error))
      {
        if (local_error != NULL)
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        if (!sink_open_staged (&sink, error))
          return FALSE;
      }
  }

  buffer = g_malloc (COPY_BUFFER_SIZE);
  ok = TRUE;

  while (ok)
    {
      gssize n = g_input_stream_read (stream, buffer, COPY_BUFFER_SIZE, cancellable, error);

      if (n < 0)
        ok = FALSE;
      if (n <= 0)
        break;

      wharf_hasher_update (hasher, buffer, n);

      /* The output came free: move over, staged bytes and all. */
      if (!sink.in_tar && sink.digest != NULL && !g_atomic_int_get (&self->tar_busy))
        {
          g_autoptr(GError) local_error = NULL;

          if (!sink_try_take_tar (&sink, cancellable, &local_error) && local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
              break;
            }
        }

      ok = sink_write (&sink, buffer, n, error);
    }

  if (ok)
    {
      digest = wharf_hasher_finish (hasher);
      ok = check_written (descriptor, digest, sink.written, error) &&
           sink_finish (&sink, digest, error);
    }

  if (!ok)
    {
      sink_release_tar (&sink, sink.entry_start);
      sink_close_staged (&sink, TRUE);
      g_clear_pointer (&sink.file_header, g_bytes_unref);
      return FALSE;
    }

  g_clear_pointer (&sink.file_header, g_bytes_unref);

  /* Whoever finds the output free moves finished staged layers in. */
  drain_staged (self, cancellable);

  if (out_size != NULL)
    *out_size = sink.written;
  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&digest);

  return TRUE;
}

static gboolean
docker_archive_dest_put_manifest (WharfImageDest  *dest,
                                  GBytes          *bytes,
                                  const char      *media_type,
                                  const char      *digest,
                                  gboolean         top_level,
                                  GCancellable    *cancellable,
                                  GError         **error)
{
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  JsonNode *config;
  const char *config_digest = NULL;

  if (media_type != NULL && wharf_media_type_is_index (media_type))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("A docker-archive holds the image of one platform, not an index; "
                     "choose a platform."));
      return FALSE;
    }

  root = _wharf_json_parse (bytes, FALSE, _("The image manifest"), error);
  if (root == NULL)
    return FALSE;

  config = json_object_get_member (json_node_get_object (root), "config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    config_digest = _wharf_json_get_string (json_node_get_object (config), "digest");

  if (config_digest == NULL || !wharf_digest_validate (config_digest, NULL))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("A docker-archive holds the image of one platform, not an index; "
                     "choose a platform."));
      return FALSE;
    }

  if (!top_level)
    return TRUE;

  locker = g_mutex_locker_new (&self->lock);
  g_free (self->config_digest);
  self->config_digest = g_strdup (config_digest);

  return TRUE;
}

static GBytes *
generate_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  return g_bytes_new_take (text, len);
}

/* Writes an entry at *@at of the output, from @bytes or from the staged
 * file at @path, and moves *@at past it. The caller holds the output: the
 * lock at commit, tar_busy before. */
static gboolean
write_entry (WharfDockerArchiveDest  *self,
             goffset                 *at,
             goffset                 *out_data_offset,
             const char              *name,
             gboolean                 directory,
             GBytes                  *bytes,
             const char              *path,
             guint64                  size,
             GCancellable            *cancellable,
             GError                 **error)
{
  static const guint8 zeros[WHARF_TAR_BLOCK_SIZE] = { 0, };
  g_autoptr(GBytes) header = NULL;
  guint64 padding = _wharf_tar_padding (size);
  goffset offset = *at;
  gsize header_len;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  header = _wharf_tar_header_new (name, directory, size, self->mtime);
  header_len = g_bytes_get_size (header);
  if (!_wharf_write_at (self->fd, g_bytes_get_data (header, NULL), header_len, offset, error))
    return FALSE;
  offset += header_len;
  if (out_data_offset != NULL)
    *out_data_offset = offset;

  if (bytes != NULL && size > 0 &&
      !_wharf_write_at (self->fd, g_bytes_get_data (bytes, NULL), size, offset, error))
    return FALSE;

  if (path != NULL)
    {
      int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
      gboolean ok;

      if (fd < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not read %s: %s"), path, g_strerror (errsv));
          return FALSE;
        }

      ok = _wharf_copy_range (fd, 0, self->fd, offset, size, cancellable, error);
      g_close (fd, NULL);
      if (!ok)
        return FALSE;
    }

  offset += size;
  if (!_wharf_write_at (self->fd, zeros, padding, offset, error))
    return FALSE;

  *at = offset + padding;
  return TRUE;
}

/* A layer's two entries, "<id>/" and "<id>/layer.tar", at *@at. */
static gboolean
write_layer_entries (WharfDockerArchiveDest  *self,
                     goffset                 *at,
                     goffset                 *out_data_offset,
                     const char              *digest,
                     StoredBlob              *blob,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_autofree char *dir_name = g_strdup_printf ("%s/", wharf_digest_get_encoded (digest));
  g_autofree char *name = layer_entry_name (digest);

  return write_entry (self, at, NULL, dir_name, TRUE, NULL, NULL, 0, cancellable, error) &&
         write_entry (self, at, out_data_offset, name, FALSE, blob->bytes, blob->path,
                      blob->size, cancellable, error);
}

/* Called with the lock held. */
static gboolean
append_entry (WharfDockerArchiveDest  *self,
              const char              *name,
              GBytes                  *bytes,
              GCancellable            *cancellable,
              GError                 **error)
{
  return write_entry (self, &self->end, NULL, name, FALSE, bytes, NULL,
                      g_bytes_get_size (bytes), cancellable, error);
}

/* Called with the lock held: the staged file is in the output now. */
static void
mark_in_tar (StoredBlob *blob,
             char       *entry_name,
             goffset     data_offset)
{
  if (blob->path != NULL)
    g_unlink (blob->path);
  g_clear_pointer (&blob->path, g_free);

  blob->place = STORED_IN_TAR;
  blob->entry_name = entry_name;
  blob->offset = data_offset;
}

/* Moves complete staged layers into the output while it is free, so that
 * commit has little left to copy. Best effort: a layer that fails to move
 * stays staged, and commit reports the error. */
static void
drain_staged (WharfDockerArchiveDest *self,
              GCancellable           *cancellable)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *digest = NULL;
      StoredBlob *blob = NULL;
      GHashTableIter iter;
      gpointer key;
      gpointer value;
      goffset start;
      goffset at;
      goffset data_offset = 0;
      gboolean ok;

      g_mutex_lock (&self->lock);
      if (self->tar_busy || self->finished || self->fd < 0)
        {
          g_mutex_unlock (&self->lock);
          return;
        }

      g_hash_table_iter_init (&iter, self->stored);
      while (blob == NULL && g_hash_table_iter_next (&iter, &key, &value))
        {
          if (((StoredBlob *) value)->place == STORED_STAGED)
            {
              blob = value;
              digest = g_strdup (key);
            }
        }

      if (blob == NULL)
        {
          g_mutex_unlock (&self->lock);
          return;
        }

      g_atomic_int_set (&self->tar_busy, TRUE);
      start = at = self->end;
      g_mutex_unlock (&self->lock);

      /* The blob stays as it is while the lock is let go: only the holder
       * of the output changes staged blobs. */
      ok = write_layer_entries (self, &at, &data_offset, digest, blob, cancellable, &error);
      if (!ok && ftruncate (self->fd, start) != 0)
        g_debug ("Could not cut %s back: %s", self->temp_path, g_strerror (errno));

      g_mutex_lock (&self->lock);
      if (ok)
        {
          mark_in_tar (blob, layer_entry_name (digest), data_offset);
          self->end = at;
        }
      g_atomic_int_set (&self->tar_busy, FALSE);
      g_mutex_unlock (&self->lock);

      if (!ok)
        {
          g_debug ("Layer %s stays staged until commit: %s", digest, error->message);
          return;
        }
    }
}

/* Called with the lock held: the config's bytes, wherever they are. */
static GBytes *
read_stored_blob (WharfDockerArchiveDest  *self,
                  StoredBlob              *blob,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(GByteArray) data = NULL;
  gsize done = 0;

  if (blob->place == STORED_IN_MEMORY)
    return g_bytes_ref (blob->bytes);
  if (blob->place == STORED_STAGED)
    return _wharf_read_file_capped (blob->path, WHARF_MANIFEST_MAX_SIZE, cancellable, error);

  if (blob->size > WHARF_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("The image config is larger than 4 MiB; Wharf refuses it."));
      return NULL;
    }

  data = g_byte_array_sized_new (blob->size);
  g_byte_array_set_size (data, blob->size);
  while (done < (gsize) blob->size)
    {
      gssize n = pread (self->fd, data->data + done, blob->size - done, blob->offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not read %s: %s"), self->temp_path, g_strerror (errsv));
          return NULL;
        }
      done += n;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* Called with the lock held: makes sure the blob is an entry of the output
 * and returns its name there. */
static const char *
place_in_tar (WharfDockerArchiveDest  *self,
              StoredBlob              *blob,
              const char              *digest,
              gboolean                 is_config,
              GCancellable            *cancellable,
              GError                 **error)
{
  goffset at = self->end;
  goffset data_offset = 0;
  char *name;

  if (blob->place == STORED_IN_TAR)
    return blob->entry_name;

  if (is_config)
    {
      name = g_strdup_printf ("%s.json", wharf_digest_get_encoded (digest));
      if (!write_entry (self, &at, &data_offset, name, FALSE, blob->bytes, blob->path,
                        blob->size, cancellable, error))
        {
          g_free (name);
          return NULL;
        }
    }
  else
    {
      if (!write_layer_entries (self, &at, &data_offset, digest, blob, cancellable, error))
        return NULL;
      name = layer_entry_name (digest);
    }

  self->end = at;
  mark_in_tar (blob, name, data_offset);

  return blob->entry_name;
}

static gboolean
docker_archive_dest_commit (WharfImageDest  *dest,
                            GCancellable    *cancellable,
                            GError         **error)
{
  static const guint8 end_blocks[2 * WHARF_TAR_BLOCK_SIZE] = { 0, };
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonBuilder) manifest = json_builder_new_immutable ();
  g_autoptr(JsonBuilder) repositories = json_builder_new_immutable ();
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(GBytes) repositories_bytes = NULL;
  g_auto(GStrv) diff_ids = NULL;
  StoredBlob *config_blob;
  const char *config_name;
  const char *last_layer = NULL;
  int fd;

  if (self->config_digest == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("No image was written to %s."), self->path);
      return FALSE;
    }

  config_blob = g_hash_table_lookup (self->stored, self->config_digest);
  if (config_blob == NULL || self->fd < 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("The image config %s was not written to %s."),
                   self->config_digest, self->path);
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  config = read_stored_blob (self, config_blob, cancellable, error);
  if (config == NULL)
    return FALSE;
  diff_ids = config_get_diff_ids (config, _("The image config"), error);
  if (diff_ids == NULL)
    return FALSE;

  for (guint i = 0; diff_ids[i] != NULL; i++)
    {
      if (!g_hash_table_contains (self->stored, diff_ids[i]))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                       _("The layer with diff ID %s was not written to %s."),
                       diff_ids[i], self->path);
          return FALSE;
        }
    }

  config_name = place_in_tar (self, config_blob, self->config_digest, TRUE, cancellable, error);
  if (config_name == NULL)
    return FALSE;

  json_builder_begin_array (manifest);
  json_builder_begin_object (manifest);
  json_builder_set_member_name (manifest, "Config");
  json_builder_add_string_value (manifest, config_name);
  json_builder_set_member_name (manifest, "RepoTags");
  json_builder_begin_array (manifest);
  if (self->repo_tag != NULL)
    json_builder_add_string_value (manifest, self->repo_tag);
  json_builder_end_array (manifest);
  json_builder_set_member_name (manifest, "Layers");
  json_builder_begin_array (manifest);

  /* Layers as docker save wrote them before Docker 25, one folder each,
   * named for the diff ID: the uncompressed data is what the ID hashes. */
  for (guint i = 0; diff_ids[i] != NULL; i++)
    {
      StoredBlob *layer = g_hash_table_lookup (self->stored, diff_ids[i]);
      const char *name;

      if (g_hash_table_contains (written, diff_ids[i]))
        name = layer->entry_name;
      else
        name = place_in_tar (self, layer, diff_ids[i], FALSE, cancellable, error);
      if (name == NULL)
        return FALSE;
      g_hash_table_add (written, diff_ids[i]);

      json_builder_add_string_value (manifest, name);
      last_layer = wharf_digest_get_encoded (diff_ids[i]);
    }

  json_builder_end_array (manifest);
  json_builder_end_object (manifest);
  json_builder_end_array (manifest);
  manifest_bytes = generate_json (manifest);
  if (!append_entry (self, MANIFEST_FILE, manifest_bytes, cancellable, error))
    return FALSE;

  if (self->repo_tag != NULL && last_layer != NULL)
    {
      json_builder_begin_object (repositories);
      json_builder_set_member_name (repositories, self->repository);
      json_builder_begin_object (repositories);
      json_builder_set_member_name (repositories, self->tag);
      json_builder_add_string_value (repositories, last_layer);
      json_builder_end_object (repositories);
      json_builder_end_object (repositories);
      repositories_bytes = generate_json (repositories);
      if (!append_entry (self, REPOSITORIES_FILE, repositories_bytes, cancellable, error))
        return FALSE;
    }

  if (!_wharf_write_at (self->fd, end_blocks, sizeof end_blocks, self->end, error))
    return FALSE;
  self->end += sizeof end_blocks;

  /* A blob that was dropped after a failed attempt may have left bytes
   * past the end. */
  if (ftruncate (self->fd, self->end) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), self->path, g_strerror (errsv));
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  fd = self->fd;
  self->fd = -1;
  if (!g_close (fd, error))
    return FALSE;

  if (g_rename (self->temp_path, self->path) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), self->path, g_strerror (errsv));
      return FALSE;
    }

  _wharf_rm_rf (self->staging);
  g_clear_pointer (&self->staging, g_free);
  self->finished = TRUE;

  return TRUE;
}

static void
docker_archive_dest_abort (WharfImageDest *dest)
{
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->finished)
    return;
  self->finished = TRUE;

  if (self->fd >= 0)
    g_close (self->fd, NULL);
  self->fd = -1;

  /* The output under its temp name goes with the staging folder. */
  _wharf_rm_rf (self->staging);
  g_clear_pointer (&self->staging, g_free);
}

static void
docker_archive_dest_free (WharfImageDest *dest)
{
  WharfDockerArchiveDest *self = (WharfDockerArchiveDest *) dest;

  /* Dropped without a commit: leave nothing behind. */
  docker_archive_dest_abort (dest);

  g_clear_object (&self->parent.client);
  g_clear_pointer (&self->parent.repository, g_free);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->repo_tag);
  g_free (self->repository);
  g_free (self->tag);
  g_free (self->staging);
  g_free (self->temp_path);
  g_hash_table_unref (self->stored);
  g_free (self->config_digest);
  g_free (self);
}

static const WharfImageDestVTable docker_archive_dest_vtable = {
  .has_blob = docker_archive_dest_has_blob,
  .mount_blob = NULL,
  .put_blob = docker_archive_dest_put_blob,
  .put_manifest = docker_archive_dest_put_manifest,
  .commit = docker_archive_dest_commit,
  .abort = docker_archive_dest_abort,
  .free = docker_archive_dest_free,
};

/**
 * _wharf_docker_archive_dest_new:
 * @file: the tarball to write (replaced if it exists)
 * @ref: (nullable): "name:tag" for RepoTags and repositories
 *
 * Takes uncompressed layers (the engine decompresses) and writes the tar as
 * they arrive, under a temp name beside @file that commit renames: what
 * `docker load` and skopeo read.
 */
WharfImageDest *
_wharf_docker_archive_dest_new (const char  *file,
                                const char  *ref,
                                GError     **error)
{
  g_autoptr(WharfReference) reference = NULL;
  g_autofree char *parent = NULL;
  WharfDockerArchiveDest *self;

  g_return_val_if_fail (file != NULL, NULL);

  if (ref != NULL && ref[0] != '\0')
    {
      if (ref[0] == '@')
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                       _("“%s” picks an image to read; to write, name it as NAME:TAG."), ref);
          return NULL;
        }

      reference = wharf_reference_parse (ref, error);
      if (reference == NULL)
        return NULL;

      if (reference->digest != NULL && reference->tag == NULL)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                       _("A docker-archive names its image by NAME:TAG, not by digest (“%s”)."),
                       ref);
          return NULL;
        }
    }

  if (g_file_test (file, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s is a folder; a docker-archive is a file."), file);
      return NULL;
    }

  parent = g_path_get_dirname (file);
  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The folder %s does not exist."), parent);
      return NULL;
    }

  self = g_new0 (WharfDockerArchiveDest, 1);
  self->parent.vtable = &docker_archive_dest_vtable;
  self->parent.supports_parallel = TRUE;
  self->parent.layer_form = WHARF_LAYER_FORM_UNCOMPRESSED;
  self->parent.keeps_index = FALSE;
  self->path = g_strdup (file);
  self->mtime = g_get_real_time () / G_USEC_PER_SEC;
  self->fd = -1;
  g_mutex_init (&self->lock);
  self->stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stored_blob_free);

  if (reference != NULL)
    {
      self->repository = wharf_reference_get_repository (reference);
      self->tag = g_strdup (wharf_reference_get_tag_or_latest (reference));
      self->repo_tag = g_strdup_printf ("%s:%s", self->repository, self->tag);
    }

  return &self->parent;
}
