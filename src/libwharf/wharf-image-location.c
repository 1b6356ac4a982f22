/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image-location.c: telling what a dropped file or folder is, and
 * listing the images it holds for the push dialog. */

#define G_LOG_DOMAIN "wharf-image-location"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-image.h"
#include "wharf-transfer.h"
#include "wharf-transport-private.h"

#define OCI_LAYOUT_FILE         "oci-layout"
#define OCI_INDEX_FILE          "index.json"
#define DOCKER_MANIFEST_FILE    "manifest.json"
#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfImageSource, _wharf_image_source_free)

/* WharfArchiveImage */

G_DEFINE_BOXED_TYPE (WharfArchiveImage, wharf_archive_image,
                     wharf_archive_image_copy, wharf_archive_image_free)

static WharfArchiveImage *
archive_image_new (const char *ref)
{
  WharfArchiveImage *image = g_new0 (WharfArchiveImage, 1);

  image->ref = g_strdup (ref);
  image->platforms = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_platform_free);
  image->size = -1;

  return image;
}

WharfArchiveImage *
wharf_archive_image_copy (const WharfArchiveImage *image)
{
  WharfArchiveImage *copy;

  g_return_val_if_fail (image != NULL, NULL);

  copy = archive_image_new (image->ref);
  copy->tags = g_strdupv (image->tags);
  copy->digest = g_strdup (image->digest);
  copy->size = image->size;
  for (guint i = 0; image->platforms != NULL && i < image->platforms->len; i++)
    {
      const WharfPlatform *platform = g_ptr_array_index (image->platforms, i);

      g_ptr_array_add (copy->platforms, wharf_platform_copy (platform));
    }

  return copy;
}

void
wharf_archive_image_free (WharfArchiveImage *image)
{
  if (image == NULL)
    return;

  g_free (image->ref);
  g_strfreev (image->tags);
  g_free (image->digest);
  g_clear_pointer (&image->platforms, g_ptr_array_unref);
  g_free (image);
}

/* Detection */

static gboolean
set_not_an_image_error (GError     **error,
                        const char  *path)
{
  g_autofree char *name = g_filename_display_basename (path);

  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
               _("“%s” is not an image Wharf can read: choose a tarball made by "
                 "“docker save”, an OCI archive, or an OCI image layout folder."),
               name);
  return FALSE;
}

static WharfImageLocation *
location_new (WharfTransport  transport,
              const char     *path)
{
  WharfImageLocation *location = g_new0 (WharfImageLocation, 1);

  location->transport = transport;
  location->path = g_strdup (path);

  return location;
}

static WharfImageLocation *
location_for_directory (const char  *path,
                        GError     **error)
{
  g_autofree char *layout = g_build_filename (path, OCI_LAYOUT_FILE, NULL);
  g_autofree char *index = g_build_filename (path, OCI_INDEX_FILE, NULL);

  if (!g_file_test (layout, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (index, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_filename_display_basename (path);

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   _("The folder “%s” is not an OCI image layout (it lacks oci-layout or "
                     "index.json): choose a tarball made by “docker save”, an OCI archive, "
                     "or an OCI image layout folder."),
                   name);
      return NULL;
    }

  return location_new (WHARF_TRANSPORT_OCI, path);
}

static gboolean
tar_has_file (WharfTarReader  *tar,
              const char      *name,
              GError         **error)
{
  return _wharf_tar_reader_lookup (tar, name, NULL, error);
}

static WharfImageLocation *
location_for_regular_file (const char    *path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(WharfTarReader) tar = NULL;
  g_autoptr(GError) local_error = NULL;

  tar = _wharf_tar_reader_open (path, cancellable, &local_error);
  if (tar == NULL)
    {
      if (local_error->domain == G_IO_ERROR)
        {
          /* Cancelled, or not readable at all: that sentence says more. */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_debug ("%s is no tar: %s", path, local_error->message);
      set_not_an_image_error (error, path);
      return NULL;
    }

  /* A Docker 25+ save holds both layouts; its RepoTags are what people
   * expect to see, so manifest.json wins. */
  if (tar_has_file (tar, DOCKER_MANIFEST_FILE, &local_error))
    return location_new (WHARF_TRANSPORT_DOCKER_ARCHIVE, path);
  if (local_error == NULL &&
      tar_has_file (tar, OCI_LAYOUT_FILE, &local_error) &&
      tar_has_file (tar, OCI_INDEX_FILE, &local_error))
    return location_new (WHARF_TRANSPORT_OCI_ARCHIVE, path);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  set_not_an_image_error (error, path);
  return NULL;
}

WharfImageLocation *
wharf_image_location_new_for_file_sync (GFile         *file,
                                        GCancellable  *cancellable,
                                        GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   _("Wharf reads images from local files only, and “%s” is not one: "
                     "copy it to your computer first."),
                   uri);
      return NULL;
    }

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return NULL;

  switch (g_file_info_get_file_type (info))
    {
    case G_FILE_TYPE_DIRECTORY:
      return location_for_directory (path, error);

    case G_FILE_TYPE_REGULAR:
      return location_for_regular_file (path, cancellable, error);

    case G_FILE_TYPE_UNKNOWN:
    case G_FILE_TYPE_SYMBOLIC_LINK:
    case G_FILE_TYPE_SPECIAL:
    case G_FILE_TYPE_SHORTCUT:
    case G_FILE_TYPE_MOUNTABLE:
    default:
      set_not_an_image_error (error, path);
      return NULL;
    }
}

/* Listing */

static GBytes *
read_stream_capped (GInputStream  *stream,
                    const char    *what,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[16 * 1024];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      if (data->len + (gsize) n > WHARF_MANIFEST_MAX_SIZE)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                       _("%s is larger than 4 MiB."), what);
          return NULL;
        }
      g_byte_array_append (data, buffer, n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static WharfManifest *
source_get_manifest (WharfImageSource  *source,
                     const char        *digest,
                     GCancellable      *cancellable,
                     GError           **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;

  raw = source->vtable->get_manifest (source, digest, cancellable, error);
  if (raw == NULL)
    return NULL;

  return wharf_manifest_parse (raw->bytes, raw->media_type, error);
}

static WharfPlatform *
source_get_platform (WharfImageSource  *source,
                     WharfManifest     *manifest,
                     GCancellable      *cancellable,
                     GError           **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  WharfPlatform *platform;

  stream = source->vtable->get_blob (source, manifest->config, NULL, cancellable, error);
  if (stream == NULL)
    return NULL;

  bytes = read_stream_capped (stream, manifest->config->digest, cancellable, error);
  if (bytes == NULL)
    return NULL;

  config = wharf_image_config_parse (bytes, error);
  if (config == NULL)
    return NULL;

  platform = g_new0 (WharfPlatform, 1);
  platform->os = g_strdup (config->os);
  platform->architecture = g_strdup (config->architecture);
  platform->variant = g_strdup (config->variant);

  return platform;
}

static void
count_blob (const WharfDescriptor *descriptor,
            GHashTable            *seen,
            gint64                *size)
{
  if (*size < 0 || descriptor == NULL || descriptor->digest == NULL)
    return;

  if (descriptor->size < 0)
    *size = -1;
  else if (g_hash_table_add (seen, g_strdup (descriptor->digest)))
    *size += descriptor->size;
}

/* Adds what @manifest stores that @seen has not counted yet: images of an
 * index share layers. */
static void
count_blobs (WharfManifest *manifest,
             GHashTable    *seen,
             gint64        *size)
{
  count_blob (manifest->config, seen, size);
  for (guint i = 0; i < manifest->layers->len; i++)
    count_blob (g_ptr_array_index (manifest->layers, i), seen, size);
}

/* Fills @image from the image @source picks: its top-level manifest or
 * index, the platforms and the stored size of everything it names. */
static gboolean
describe_source (WharfImageSource   *source,
                 WharfArchiveImage  *image,
                 GCancellable       *cancellable,
                 GError            **error)
{
  g_autoptr(WharfManifest) top = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 size = 0;

  top = source_get_manifest (source, NULL, cancellable, error);
  if (top == NULL)
    return FALSE;

  g_free (image->digest);
  image->digest = g_strdup (top->digest);

  if (top->kind == WHARF_MANIFEST_KIND_INDEX)
    {
      GPtrArray *entries = wharf_manifest_get_platform_entries (top);

      for (guint i = 0; i < entries->len; i++)
        {
          const WharfDescriptor *entry = g_ptr_array_index (entries, i);
          g_autoptr(WharfManifest) child = NULL;
          g_autoptr(GError) local_error = NULL;

          if (entry->platform != NULL)
            g_ptr_array_add (image->platforms, wharf_platform_copy (entry->platform));

          /* A layout may hold the index but only some of its images. */
          child = source_get_manifest (source, entry->digest, cancellable, &local_error);
          if (child == NULL)
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              g_debug ("Not counting %s: %s", entry->digest, local_error->message);
              size = -1;
              continue;
            }

          if (child->kind == WHARF_MANIFEST_KIND_IMAGE)
            count_blobs (child, seen, &size);
        }
    }
  else if (top->kind == WHARF_MANIFEST_KIND_IMAGE)
    {
      WharfPlatform *platform = source_get_platform (source, top, cancellable, error);

      if (platform == NULL)
        return FALSE;

      g_ptr_array_add (image->platforms, platform);
      count_blobs (top, seen, &size);
    }
  else
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("The image %s is of a kind Wharf cannot copy (%s)."),
                   top->digest, top->media_type != NULL ? top->media_type : _("unknown"));
      return FALSE;
    }

  image->size = size;

  return TRUE;
}

/* index.json or manifest.json, from the folder or the tar. */
static JsonNode *
read_json_file (const WharfImageLocation  *location,
                WharfTarReader            *tar,
                const char                *name,
                gboolean                   want_array,
                GCancellable              *cancellable,
                GError                   **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *what = NULL;

  if (tar != NULL)
    bytes = _wharf_tar_reader_read_entry (tar, name, WHARF_MANIFEST_MAX_SIZE, cancellable, error);
  else
    {
      g_autofree char *path = g_build_filename (location->path, name, NULL);

      bytes = _wharf_read_file_capped (path, WHARF_MANIFEST_MAX_SIZE, cancellable, error);
    }

  if (bytes == NULL)
    return NULL;

  /* Translators: "index.json in /path/to/layout" */
  what = g_strdup_printf (_("%s in %s"), name, location->path);
  return _wharf_json_parse (bytes, want_array, what, error);
}

static const char *
oci_entry_ref_name (JsonObject *entry)
{
  JsonNode *annotations = json_object_get_member (entry, "annotations");

  if (annotations == NULL || !JSON_NODE_HOLDS_OBJECT (annotations))
    return NULL;

  return _wharf_json_get_string (json_node_get_object (annotations), OCI_REF_NAME_ANNOTATION);
}

static gboolean
list_oci (const WharfImageLocation  *location,
          GPtrArray                 *images,
          GCancellable              *cancellable,
          GError                   **error)
{
  gboolean archive = location->transport == WHARF_TRANSPORT_OCI_ARCHIVE;
  g_autoptr(WharfTarReader) tar = NULL;
  g_autoptr(JsonNode) index = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *manifests_node;
  JsonArray *manifests;
  guint n_entries;

  if (archive)
    {
      tar = _wharf_tar_reader_open (location->path, cancellable, error);
      if (tar == NULL)
        return FALSE;
    }

  index = read_json_file (location, tar, OCI_INDEX_FILE, FALSE, cancellable, error);
  if (index == NULL)
    return FALSE;

  manifests_node = json_object_get_member (json_node_get_object (index), "manifests");
  if (manifests_node == NULL || !JSON_NODE_HOLDS_ARRAY (manifests_node))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("index.json in %s has no list of manifests."), location->path);
      return FALSE;
    }

  manifests = json_node_get_array (manifests_node);
  n_entries = json_array_get_length (manifests);

  /* A ref name used twice picks nothing: the source refuses it. */
  for (guint i = 0; i < n_entries; i++)
    {
      JsonNode *node = json_array_get_element (manifests, i);
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      name = oci_entry_ref_name (json_node_get_object (node));
      if (name != NULL && !g_hash_table_add (names, (gpointer) name))
        g_hash_table_replace (names, (gpointer) name, NULL);
    }

  for (guint i = 0; i < n_entries; i++)
    {
      JsonNode *node = json_array_get_element (manifests, i);
      g_autoptr(WharfArchiveImage) image = NULL;
      g_autoptr(WharfImageSource) source = NULL;
      const char *name = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        name = oci_entry_ref_name (json_node_get_object (node));

      /* Only what a location can name is listed: a named entry, or the
       * one entry of a layout. */
      if (name != NULL
          ? g_hash_table_lookup (names, name) == NULL
          : n_entries != 1)
        {
          g_debug ("%s: entry %u cannot be picked by name", location->path, i);
          continue;
        }

      source = _wharf_oci_source_new (location->path, archive, name, cancellable, error);
      if (source == NULL)
        return FALSE;

      image = archive_image_new (name);
      if (name != NULL)
        {
          const char * const tags[] = { name, NULL };

          image->tags = g_strdupv ((GStrv) tags);
        }
      else
        image->tags = g_new0 (char *, 1);

      if (!describe_source (source, image, cancellable, error))
        return FALSE;

      g_ptr_array_add (images, g_steal_pointer (&image));
    }

  return TRUE;
}

static GStrv
docker_item_repo_tags (JsonObject *item)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *tags = json_object_get_member (item, "RepoTags");

  if (tags != NULL && JSON_NODE_HOLDS_ARRAY (tags))
    {
      JsonArray *array = json_node_get_array (tags);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *tag = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (tag) && json_node_get_value_type (tag) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (tag));
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
list_docker_archive (const WharfImageLocation  *location,
                     GPtrArray                 *images,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_autoptr(WharfTarReader) tar = NULL;
  g_autoptr(JsonNode) manifest = NULL;
  JsonArray *items;

  tar = _wharf_tar_reader_open (location->path, cancellable, error);
  if (tar == NULL)
    return FALSE;

  manifest = read_json_file (location, tar, DOCKER_MANIFEST_FILE, TRUE, cancellable, error);
  if (manifest == NULL)
    return FALSE;

  /* The tar is indexed again per image: archives hold one image nearly
   * always, and the source checks every path manifest.json names. */
  g_clear_pointer (&tar, _wharf_tar_reader_unref);

  items = json_node_get_array (manifest);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      g_autoptr(WharfArchiveImage) image = NULL;
      g_autoptr(WharfImageSource) source = NULL;
      g_autofree char *ref = g_strdup_printf ("@%u", i);

      source = _wharf_docker_archive_source_new (location->path, ref, cancellable, error);
      if (source == NULL)
        return FALSE;

      image = archive_image_new (ref);
      if (JSON_NODE_HOLDS_OBJECT (node))
        image->tags = docker_item_repo_tags (json_node_get_object (node));
      else
        image->tags = g_new0 (char *, 1);

      if (!describe_source (source, image, cancellable, error))
        return FALSE;

      g_ptr_array_add (images, g_steal_pointer (&image));
    }

  return TRUE;
}

GPtrArray *
wharf_image_location_list_images_sync (const WharfImageLocation  *location,
                                       GCancellable              *cancellable,
                                       GError                   **error)
{
  g_autoptr(GPtrArray) images = NULL;
  gboolean ok;

  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (location->transport != WHARF_TRANSPORT_DOCKER, NULL);
  g_return_val_if_fail (location->path != NULL, NULL);

  images = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_archive_image_free);

  if (location->transport == WHARF_TRANSPORT_DOCKER_ARCHIVE)
    ok = list_docker_archive (location, images, cancellable, error);
  else
    ok = list_oci (location, images, cancellable, error);

  if (!ok)
    return NULL;

  if (images->len == 0)
    {
      g_autofree char *name = g_filename_display_basename (location->path);

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("“%s” holds no image that can be picked by name: give its images "
                     "names (tags) and try again."),
                   name);
      return NULL;
    }

  return g_steal_pointer (&images);
}

static void
list_images_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const WharfImageLocation *location = task_data;
  GError *error = NULL;
  GPtrArray *images;

  images = wharf_image_location_list_images_sync (location, cancellable, &error);
  if (images == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, images, (GDestroyNotify) g_ptr_array_unref);
}

void
wharf_image_location_list_images_async (const WharfImageLocation *location,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (location != NULL);
  g_return_if_fail (location->transport != WHARF_TRANSPORT_DOCKER);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_image_location_list_images_async);
  g_task_set_task_data (task, wharf_image_location_copy (location),
                        (GDestroyNotify) wharf_image_location_free);
  g_task_run_in_thread (task, list_images_thread);
}

GPtrArray *
wharf_image_location_list_images_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_image_location_list_images_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
