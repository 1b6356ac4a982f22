/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transport-oci.c: OCI image layouts (oci:DIR[:REF]) and tars of them
 * (oci-archive:FILE[:REF]) as image sources and destinations. */

#define G_LOG_DOMAIN "wharf-transport-oci"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-image.h"
#include "wharf-transport-private.h"

#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"
#define OCI_LAYOUT_FILE         "oci-layout"
#define OCI_INDEX_FILE          "index.json"
#define OCI_LAYOUT_CONTENT      "{\"imageLayoutVersion\":\"1.0.0\"}"
#define OCI_LAYOUT_MAX_SIZE     (64 * 1024)

/* "blobs/sha256/abc…" for a digest already validated. */
static char *
blob_relative_path (const char *digest)
{
  const char *colon = strchr (digest, ':');

  return g_strdup_printf ("blobs/%.*s/%s", (int) (colon - digest), digest, colon + 1);
}

static char *
digest_algorithm (const char *digest)
{
  const char *colon = digest != NULL ? strchr (digest, ':') : NULL;

  if (colon == NULL)
    return g_strdup ("sha256");

  return g_strndup (digest, colon - digest);
}

static const char *
transport_name (gboolean archive)
{
  return archive ? "oci-archive" : "oci";
}

/* Source */

typedef struct
{
  WharfImageSource  parent;

  char             *path;
  gboolean          archive;
  char             *ref;
  WharfTarReader   *tar;          /* archive only */

  char             *top_media_type;
  char             *top_digest;
  gint64            top_size;
} WharfOciSource;

static gboolean
set_invalid_digest_error (GError     **error,
                          const char  *path,
                          const char  *digest)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
               _("The image in %s names a blob by an invalid digest, “%s”."),
               path, digest != NULL ? digest : "");
  return FALSE;
}

/* The blob's bytes, unverified; a crafted digest never becomes a path. */
static GInputStream *
oci_source_open_blob (WharfOciSource  *self,
                      const char      *digest,
                      gint64          *out_size,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autofree char *relative = NULL;
  g_autofree char *path = NULL;
  GStatBuf st;
  int fd;

  if (digest == NULL || !wharf_digest_validate (digest, NULL))
    {
      set_invalid_digest_error (error, self->path, digest);
      return NULL;
    }

  relative = blob_relative_path (digest);

  if (self->archive)
    {
      g_autoptr(GError) local_error = NULL;
      GInputStream *stream;

      stream = _wharf_tar_reader_open_entry (self->tar, relative, out_size,
                                             cancellable, &local_error);
      if (stream == NULL && g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                       _("The blob %s is missing from %s."), digest, self->path);
          return NULL;
        }
      if (stream == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));

      return stream;
    }

  path = g_build_filename (self->path, relative, NULL);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                     _("The blob %s is missing from %s."), digest, self->path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _("Could not read the blob %s in %s: %s"),
                     digest, self->path, g_strerror (errsv));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("The blob %s in %s is not a file."), digest, self->path);
      return NULL;
    }

  if (out_size != NULL)
    *out_size = st.st_size;

  return g_unix_input_stream_new (fd, TRUE);
}

static GBytes *
oci_source_read_blob (WharfOciSource  *self,
                      const char      *digest,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) data = NULL;
  g_autofree char *what = NULL;
  gint64 size = 0;
  gsize got = 0;

  stream = oci_source_open_blob (self, digest, &size, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (size > WHARF_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("The manifest %s in %s is larger than 4 MiB."), digest, self->path);
      return NULL;
    }

  data = g_byte_array_sized_new (size);
  g_byte_array_set_size (data, size);
  if (size > 0 && !g_input_stream_read_all (stream, data->data, size, &got, cancellable, error))
    return NULL;

  what = g_strdup_printf (_("manifest %s in %s"), digest, self->path);
  if (got != (gsize) size || !wharf_digest_verify (digest, data->data, size, what, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     _("The manifest %s in %s is truncated."), digest, self->path);
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static WharfRawManifest *
oci_source_get_manifest (WharfImageSource  *source,
                         const char        *digest,
                         GCancellable      *cancellable,
                         GError           **error)
{
  WharfOciSource *self = (WharfOciSource *) source;
  g_autoptr(GBytes) bytes = NULL;
  WharfRawManifest *manifest;

  if (digest == NULL)
    digest = self->top_digest;

  bytes = oci_source_read_blob (self, digest, cancellable, error);
  if (bytes == NULL)
    return NULL;

  manifest = g_new0 (WharfRawManifest, 1);
  manifest->bytes = g_steal_pointer (&bytes);
  manifest->digest = g_strdup (digest);
  if (g_strcmp0 (digest, self->top_digest) == 0 && self->top_media_type != NULL)
    manifest->media_type = g_strdup (self->top_media_type);
  else
    manifest->media_type = _wharf_json_manifest_media_type (manifest->bytes);

  return manifest;
}

static GInputStream *
oci_source_get_blob (WharfImageSource       *source,
                     const WharfDescriptor  *descriptor,
                     gint64                 *out_size,
                     GCancellable           *cancellable,
                     GError                **error)
{
  WharfOciSource *self = (WharfOciSource *) source;
  g_autoptr(GInputStream) stream = NULL;
  gint64 size = -1;

  stream = oci_source_open_blob (self, descriptor->digest, &size, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (descriptor->size >= 0 && size != descriptor->size)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("The blob %s in %s is %lld bytes long, not %lld as its manifest says: "
                     "the data is damaged."),
                   descriptor->digest, self->path, (long long) size,
                   (long long) descriptor->size);
      return NULL;
    }

  if (out_size != NULL)
    *out_size = size;

  return _wharf_blob_check_stream_new (stream, descriptor->digest, size, self->path, error);
}

static void
oci_source_free (WharfImageSource *source)
{
  WharfOciSource *self = (WharfOciSource *) source;

  g_clear_object (&self->parent.client);
  g_clear_pointer (&self->parent.repository, g_free);
  g_clear_pointer (&self->tar, _wharf_tar_reader_unref);
  g_free (self->path);
  g_free (self->ref);
  g_free (self->top_media_type);
  g_free (self->top_digest);
  g_free (self);
}

static const WharfImageSourceVTable oci_source_vtable = {
  .get_manifest = oci_source_get_manifest,
  .get_blob = oci_source_get_blob,
  .free = oci_source_free,
};

static GBytes *
oci_source_read_file (WharfOciSource  *self,
                      const char      *name,
                      gsize            max,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  if (self->archive)
    bytes = _wharf_tar_reader_read_entry (self->tar, name, max, cancellable, &local_error);
  else
    {
      g_autofree char *path = g_build_filename (self->path, name, NULL);

      bytes = _wharf_read_file_capped (path, max, cancellable, &local_error);
    }

  if (bytes == NULL)
    {
      if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND) ||
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                     _("%s is not an OCI image layout: it has no %s file."),
                     self->path, name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return bytes;
}

static const char *
descriptor_ref_name (JsonObject *descriptor)
{
  JsonNode *annotations = json_object_get_member (descriptor, "annotations");

  if (annotations == NULL || !JSON_NODE_HOLDS_OBJECT (annotations))
    return NULL;

  return _wharf_json_get_string (json_node_get_object (annotations), OCI_REF_NAME_ANNOTATION);
}

static char *
list_ref_names (JsonArray *manifests)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (manifests); i++)
    {
      JsonNode *node = json_array_get_element (manifests, i);
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      name = descriptor_ref_name (json_node_get_object (node));
      if (names->len > 0)
        g_string_append (names, ", ");
      if (name != NULL)
        g_string_append (names, name);
      else
        {
          const char *digest = _wharf_json_get_string (json_node_get_object (node), "digest");
          g_autofree char *short_digest = digest != NULL ? wharf_digest_shorten (digest) : NULL;

          g_string_append_printf (names, _("(unnamed %s)"),
                                  short_digest != NULL ? short_digest : "?");
        }
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Picks the index.json entry named by the ref, or the only one. */
static gboolean
oci_source_choose (WharfOciSource  *self,
                   JsonObject      *index,
                   GError         **error)
{
  JsonNode *manifests_node = json_object_get_member (index, "manifests");
  JsonArray *manifests;
  JsonObject *chosen = NULL;
  const char *digest;
  JsonNode *size_node;
  guint n_matches = 0;

  if (manifests_node == NULL || !JSON_NODE_HOLDS_ARRAY (manifests_node))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("index.json in %s has no list of manifests."), self->path);
      return FALSE;
    }

  manifests = json_node_get_array (manifests_node);

  for (guint i = 0; i < json_array_get_length (manifests); i++)
    {
      JsonNode *node = json_array_get_element (manifests, i);
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      entry = json_node_get_object (node);
      if (self->ref == NULL || g_strcmp0 (descriptor_ref_name (entry), self->ref) == 0)
        {
          if (chosen == NULL)
            chosen = entry;
          n_matches++;
        }
    }

  if (n_matches == 0 && self->ref != NULL)
    {
      g_autofree char *names = list_ref_names (manifests);

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("%s has no image named “%s” (it has: %s)."),
                   self->path, self->ref, names[0] != '\0' ? names : _("nothing"));
      return FALSE;
    }

  if (n_matches == 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("%s holds no image."), self->path);
      return FALSE;
    }

  if (n_matches > 1)
    {
      g_autofree char *names = list_ref_names (manifests);

      if (self->ref != NULL)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                     _("%s holds several images named “%s”; Wharf cannot tell which one "
                       "to use."),
                     self->path, self->ref);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                     _("%s holds several images: %s. Name one, as in %s:%s:NAME."),
                     self->path, names, transport_name (self->archive), self->path);
      return FALSE;
    }

  digest = _wharf_json_get_string (chosen, "digest");
  if (digest == NULL || !wharf_digest_validate (digest, NULL))
    return set_invalid_digest_error (error, self->path, digest);

  self->top_digest = g_strdup (digest);
  self->top_media_type = g_strdup (_wharf_json_get_string (chosen, "mediaType"));
  size_node = json_object_get_member (chosen, "size");
  self->top_size = (size_node != NULL && JSON_NODE_HOLDS_VALUE (size_node))
                     ? json_node_get_int (size_node) : -1;

  return TRUE;
}

/**
 * _wharf_oci_source_new:
 * @dir_or_archive: the layout's folder, or the tar of one
 * @archive: whether it is a tar
 * @ref: (nullable): the image's org.opencontainers.image.ref.name
 *
 * Reads oci-layout and index.json and picks the image; blobs are read when
 * asked for and verified as they are read. A plain archive is read in place.
 */
WharfImageSource *
_wharf_oci_source_new (const char    *dir_or_archive,
                       gboolean       archive,
                       const char    *ref,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GBytes) layout_bytes = NULL;
  g_autoptr(GBytes) index_bytes = NULL;
  g_autoptr(JsonNode) layout = NULL;
  g_autoptr(JsonNode) index = NULL;
  g_autofree char *index_what = NULL;
  WharfOciSource *self;
  const char *version;

  g_return_val_if_fail (dir_or_archive != NULL, NULL);

  self = g_new0 (WharfOciSource, 1);
  self->parent.vtable = &oci_source_vtable;
  self->path = g_strdup (dir_or_archive);
  self->archive = archive;
  self->ref = (ref != NULL && ref[0] != '\0') ? g_strdup (ref) : NULL;

  if (archive)
    {
      self->tar = _wharf_tar_reader_open (dir_or_archive, cancellable, error);
      if (self->tar == NULL)
        goto failed;
      self->parent.supports_parallel = _wharf_tar_reader_is_seekable (self->tar);
    }
  else
    {
      if (!g_file_test (dir_or_archive, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                       _("%s is not an OCI image layout: there is no such folder."),
                       dir_or_archive);
          goto failed;
        }
      self->parent.supports_parallel = TRUE;
    }

  layout_bytes = oci_source_read_file (self, OCI_LAYOUT_FILE, OCI_LAYOUT_MAX_SIZE,
                                       cancellable, error);
  if (layout_bytes == NULL)
    goto failed;

  layout = _wharf_json_parse (layout_bytes, FALSE, OCI_LAYOUT_FILE, error);
  if (layout == NULL)
    goto failed;

  version = _wharf_json_get_string (json_node_get_object (layout), "imageLayoutVersion");
  if (version == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("The oci-layout file of %s has no imageLayoutVersion."), dir_or_archive);
      goto failed;
    }
  if (strcmp (version, "1.0.0") != 0)
    g_debug ("%s has image layout version %s; reading it as 1.0.0", dir_or_archive, version);

  index_bytes = oci_source_read_file (self, OCI_INDEX_FILE, WHARF_MANIFEST_MAX_SIZE,
                                      cancellable, error);
  if (index_bytes == NULL)
    goto failed;

  index_what = g_strdup_printf (_("index.json in %s"), dir_or_archive);
  index = _wharf_json_parse (index_bytes, FALSE, index_what, error);
  if (index == NULL)
    goto failed;

  if (!oci_source_choose (self, json_node_get_object (index), error))
    goto failed;

  return &self->parent;

failed:
  oci_source_free (&self->parent);
  return NULL;
}

/* Destination */

typedef struct
{
  WharfImageDest  parent;

  char           *path;
  gboolean        archive;
  char           *ref;

  GMutex          lock;
  char           *root;          /* the layout written into: @path, or a staging folder */
  char           *created_top;   /* the outermost folder we made, removed on abort */
  GPtrArray      *new_dirs;      /* folders we made inside an existing layout */
  GPtrArray      *new_files;     /* files that were not there before */
  GPtrArray      *blob_names;    /* archive: "blobs/alg/hex" in the order written */
  GHashTable     *blob_set;
  GHashTable     *algorithms;

  char           *top_media_type;
  char           *top_digest;
  gint64          top_size;
  gboolean        finished;      /* committed or aborted */
} WharfOciDest;

/* Called with the lock held. */
static gboolean
oci_dest_ensure_root (WharfOciDest  *self,
                      GError       **error)
{
  if (self->root != NULL)
    return TRUE;

  if (self->archive)
    {
      self->root = _wharf_make_staging_dir (self->path, error);
      if (self->root == NULL)
        return FALSE;
      self->created_top = g_strdup (self->root);
      return TRUE;
    }

  if (!g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *top = g_strdup (self->path);

      /* Remember the outermost folder that is new, so an abort leaves the
       * file system as it found it. */
      for (;;)
        {
          g_autofree char *parent = g_path_get_dirname (top);

          if (strcmp (parent, top) == 0 || g_file_test (parent, G_FILE_TEST_EXISTS))
            break;
          g_free (top);
          top = g_steal_pointer (&parent);
        }

      if (g_mkdir_with_parents (self->path, 0755) != 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not create the folder %s: %s"), self->path, g_strerror (errsv));
          return FALSE;
        }

      self->created_top = g_steal_pointer (&top);
    }
  else if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s exists and is not a folder."), self->path);
      return FALSE;
    }

  self->root = g_strdup (self->path);
  return TRUE;
}

/* Called with the lock held. */
static gboolean
oci_dest_ensure_dir (WharfOciDest  *self,
                     const char    *relative,
                     GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);
  g_autofree char *current = g_strdup (self->root);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *next = g_build_filename (current, parts[i], NULL);

      g_free (current);
      current = next;

      if (g_mkdir (current, 0755) == 0)
        {
          if (self->created_top == NULL)
            g_ptr_array_add (self->new_dirs, g_strdup (current));
        }
      else if (errno != EEXIST)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not create the folder %s: %s"), current, g_strerror (errsv));
          return FALSE;
        }
    }

  return TRUE;
}

/* Called with the lock held, after the file at @relative came into being. */
static void
oci_dest_record_blob (WharfOciDest *self,
                      const char   *relative,
                      gboolean      existed)
{
  if (!existed && self->created_top == NULL)
    g_ptr_array_add (self->new_files, g_build_filename (self->root, relative, NULL));

  if (!g_hash_table_contains (self->blob_set, relative))
    {
      g_hash_table_add (self->blob_set, g_strdup (relative));
      g_ptr_array_add (self->blob_names, g_strdup (relative));
    }
}

static gboolean
oci_dest_has_blob (WharfImageDest  *dest,
                   const char      *digest,
                   gint64          *out_size,
                   GCancellable    *cancellable,
                   GError         **error)
{
  WharfOciDest *self = (WharfOciDest *) dest;
  g_autofree char *relative = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  GStatBuf st;

  if (!wharf_digest_validate (digest, NULL))
    return set_invalid_digest_error (error, self->path, digest);

  relative = blob_relative_path (digest);

  locker = g_mutex_locker_new (&self->lock);

  /* A staged archive only holds what this copy wrote. */
  if (self->archive && !g_hash_table_contains (self->blob_set, relative))
    return FALSE;

  path = g_build_filename (self->root != NULL ? self->root : self->path, relative, NULL);
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;

  if (out_size != NULL)
    *out_size = st.st_size;

  return TRUE;
}

static gboolean
oci_dest_put_blob (WharfImageDest         *dest,
                   GInputStream           *stream,
                   const WharfDescriptor  *descriptor,
                   char                  **out_digest,
                   gint64                 *out_size,
                   GCancellable           *cancellable,
                   GError                **error)
{
  WharfOciDest *self = (WharfOciDest *) dest;
  g_autofree char *algorithm = NULL;
  g_autofree char *blob_dir_relative = NULL;
  g_autofree char *blob_dir = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *final = NULL;
  g_autofree char *what = NULL;
  gint64 size = 0;
  gboolean existed;

  if (descriptor->digest != NULL && !wharf_digest_validate (descriptor->digest, NULL))
    return set_invalid_digest_error (error, self->path, descriptor->digest);

  algorithm = digest_algorithm (descriptor->digest);
  blob_dir_relative = g_strdup_printf ("blobs/%s", algorithm);

  g_mutex_lock (&self->lock);
  if (!oci_dest_ensure_root (self, error) ||
      !oci_dest_ensure_dir (self, blob_dir_relative, error))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_hash_table_add (self->algorithms, g_strdup (algorithm));
  blob_dir = g_build_filename (self->root, blob_dir_relative, NULL);
  g_mutex_unlock (&self->lock);

  what = g_strdup_printf (_("The blob %s"), descriptor->digest != NULL ? descriptor->digest : "");
  temp = _wharf_stream_to_temp_file (stream, blob_dir, descriptor->digest, descriptor->size,
                                     what, &digest, &size, cancellable, error);
  if (temp == NULL)
    return FALSE;

  relative = blob_relative_path (digest);
  final = g_build_filename (self->root, relative, NULL);

  g_mutex_lock (&self->lock);
  existed = g_file_test (final, G_FILE_TEST_EXISTS);
  if (g_rename (temp, final) != 0)
    {
      int errsv = errno;

      g_mutex_unlock (&self->lock);
      g_unlink (temp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), final, g_strerror (errsv));
      return FALSE;
    }
  oci_dest_record_blob (self, relative, existed);
  g_mutex_unlock (&self->lock);

  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&digest);
  if (out_size != NULL)
    *out_size = size;

  return TRUE;
}

static gboolean
oci_dest_put_manifest (WharfImageDest  *dest,
                       GBytes          *bytes,
                       const char      *media_type,
                       const char      *digest,
                       gboolean         top_level,
                       GCancellable    *cancellable,
                       GError         **error)
{
  WharfOciDest *self = (WharfOciDest *) dest;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *written_digest = NULL;
  WharfDescriptor descriptor = { 0, };
  gint64 size = 0;

  descriptor.media_type = (char *) media_type;
  descriptor.digest = (char *) digest;
  descriptor.size = g_bytes_get_size (bytes);

  stream = g_memory_input_stream_new_from_bytes (bytes);
  if (!oci_dest_put_blob (dest, stream, &descriptor, &written_digest, &size, cancellable, error))
    return FALSE;

  if (top_level)
    {
      g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

      g_free (self->top_media_type);
      self->top_media_type = media_type != NULL ? g_strdup (media_type)
                                                : _wharf_json_manifest_media_type (bytes);
      g_free (self->top_digest);
      self->top_digest = g_steal_pointer (&written_digest);
      self->top_size = size;
    }

  return TRUE;
}

static gboolean
descriptor_is_replaced (WharfOciDest *self,
                        JsonObject   *entry)
{
  const char *name = descriptor_ref_name (entry);

  if (self->ref != NULL)
    return g_strcmp0 (name, self->ref) == 0;

  /* Without a name, only an unnamed entry for the same image goes. */
  return name == NULL &&
         g_strcmp0 (_wharf_json_get_string (entry, "digest"), self->top_digest) == 0;
}

/* The new index.json: the old one's entries, the one named like ours
 * replaced by ours. */
static GBytes *
oci_dest_build_index (WharfOciDest  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *index_path = g_build_filename (self->root, OCI_INDEX_FILE, NULL);
  g_autoptr(JsonNode) old_root = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *old_index = NULL;
  char *text;
  gsize len = 0;

  if (!self->archive && g_file_test (index_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GBytes) old_bytes = NULL;
      g_autofree char *what = g_strdup_printf (_("index.json in %s"), self->path);

      old_bytes = _wharf_read_file_capped (index_path, WHARF_MANIFEST_MAX_SIZE,
                                           cancellable, error);
      if (old_bytes == NULL)
        return NULL;
      old_root = _wharf_json_parse (old_bytes, FALSE, what, error);
      if (old_root == NULL)
        {
          g_prefix_error (error, _("Not overwriting the image layout: "));
          return NULL;
        }
      old_index = json_node_get_object (old_root);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 2);

  /* Keep what other tools put at the top (mediaType, annotations). */
  if (old_index != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (old_index);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *member = l->data;

          if (strcmp (member, "schemaVersion") == 0 || strcmp (member, "manifests") == 0)
            continue;
          json_builder_set_member_name (builder, member);
          json_builder_add_value (builder,
                                  json_node_copy (json_object_get_member (old_index, member)));
        }
    }

  json_builder_set_member_name (builder, "manifests");
  json_builder_begin_array (builder);

  if (old_index != NULL)
    {
      JsonNode *manifests = json_object_get_member (old_index, "manifests");

      if (manifests != NULL && JSON_NODE_HOLDS_ARRAY (manifests))
        {
          JsonArray *array = json_node_get_array (manifests);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *node = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (node) &&
                  descriptor_is_replaced (self, json_node_get_object (node)))
                continue;
              json_builder_add_value (builder, json_node_copy (node));
            }
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, self->top_media_type);
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, self->top_digest);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, self->top_size);
  if (self->ref != NULL)
    {
      json_builder_set_member_name (builder, "annotations");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, OCI_REF_NAME_ANNOTATION);
      json_builder_add_string_value (builder, self->ref);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  return g_bytes_new_take (text, len);
}

/* Called with the lock held. */
static gboolean
oci_dest_write_file (WharfOciDest  *self,
                     const char    *name,
                     GBytes        *bytes,
                     GError       **error)
{
  g_autofree char *path = g_build_filename (self->root, name, NULL);
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents_full (path, data != NULL ? data : "", len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;

  if (!existed && self->created_top == NULL)
    g_ptr_array_add (self->new_files, g_steal_pointer (&path));

  return TRUE;
}

static gboolean
oci_dest_commit (WharfImageDest  *dest,
                 GCancellable    *cancellable,
                 GError         **error)
{
  WharfOciDest *self = (WharfOciDest *) dest;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GBytes) index = NULL;
  g_autofree char *layout_path = NULL;

  if (self->top_digest == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("No image was written to %s."), self->path);
      return FALSE;
    }

  if (!oci_dest_ensure_root (self, error))
    return FALSE;

  layout_path = g_build_filename (self->root, OCI_LAYOUT_FILE, NULL);
  if (!g_file_test (layout_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GBytes) layout = g_bytes_new_static (OCI_LAYOUT_CONTENT,
                                                     strlen (OCI_LAYOUT_CONTENT));

      if (!oci_dest_write_file (self, OCI_LAYOUT_FILE, layout, error))
        return FALSE;
    }

  index = oci_dest_build_index (self, cancellable, error);
  if (index == NULL)
    return FALSE;

  /* index.json goes last: until it names the image, the layout is as it was. */
  if (!oci_dest_write_file (self, OCI_INDEX_FILE, index, error))
    return FALSE;

  if (self->archive)
    {
      g_autoptr(GPtrArray) items = NULL;
      g_autofree char *index_path = g_build_filename (self->root, OCI_INDEX_FILE, NULL);
      GHashTableIter iter;
      gpointer key;

      items = g_ptr_array_new_with_free_func ((GDestroyNotify) _wharf_tar_item_free);
      g_ptr_array_add (items, _wharf_tar_item_new (OCI_LAYOUT_FILE, layout_path, NULL));
      g_ptr_array_add (items, _wharf_tar_item_new (OCI_INDEX_FILE, index_path, NULL));
      g_ptr_array_add (items, _wharf_tar_item_new ("blobs/", NULL, NULL));

      g_hash_table_iter_init (&iter, self->algorithms);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_autofree char *dir = g_strdup_printf ("blobs/%s/", (const char *) key);

          g_ptr_array_add (items, _wharf_tar_item_new (dir, NULL, NULL));
        }

      for (guint i = 0; i < self->blob_names->len; i++)
        {
          const char *name = g_ptr_array_index (self->blob_names, i);
          g_autofree char *path = g_build_filename (self->root, name, NULL);

          g_ptr_array_add (items, _wharf_tar_item_new (name, path, NULL));
        }

      if (!_wharf_tar_write_items (self->path, items, cancellable, error))
        return FALSE;

      _wharf_rm_rf (self->root);
      g_clear_pointer (&self->created_top, g_free);
    }

  self->finished = TRUE;
  return TRUE;
}

static void
oci_dest_abort (WharfImageDest *dest)
{
  WharfOciDest *self = (WharfOciDest *) dest;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->finished)
    return;
  self->finished = TRUE;

  if (self->created_top != NULL)
    {
      _wharf_rm_rf (self->created_top);
      return;
    }

  for (guint i = 0; i < self->new_files->len; i++)
    g_unlink (g_ptr_array_index (self->new_files, i));

  for (guint i = self->new_dirs->len; i > 0; i--)
    g_rmdir (g_ptr_array_index (self->new_dirs, i - 1));
}

static void
oci_dest_free (WharfImageDest *dest)
{
  WharfOciDest *self = (WharfOciDest *) dest;

  /* Dropped without a commit: leave nothing half-written. */
  oci_dest_abort (dest);

  g_clear_object (&self->parent.client);
  g_clear_pointer (&self->parent.repository, g_free);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->ref);
  g_free (self->root);
  g_free (self->created_top);
  g_ptr_array_unref (self->new_dirs);
  g_ptr_array_unref (self->new_files);
  g_ptr_array_unref (self->blob_names);
  g_hash_table_unref (self->blob_set);
  g_hash_table_unref (self->algorithms);
  g_free (self->top_media_type);
  g_free (self->top_digest);
  g_free (self);
}

static const WharfImageDestVTable oci_dest_vtable = {
  .has_blob = oci_dest_has_blob,
  .mount_blob = NULL,
  .put_blob = oci_dest_put_blob,
  .put_manifest = oci_dest_put_manifest,
  .commit = oci_dest_commit,
  .abort = oci_dest_abort,
  .free = oci_dest_free,
};

/**
 * _wharf_oci_dest_new:
 * @dir_or_archive: the layout's folder (made if needed), or the tar to write
 * @archive: whether to write a tar
 * @ref: (nullable): the org.opencontainers.image.ref.name of the image
 *
 * Nothing is written until the first blob. Blobs are verified under a temp
 * name, then renamed; index.json is replaced atomically at commit, keeping
 * entries for other names. An archive is staged in a folder beside it and
 * written as a whole at commit; it replaces an existing file.
 */
WharfImageDest *
_wharf_oci_dest_new (const char  *dir_or_archive,
                     gboolean     archive,
                     const char  *ref,
                     GError     **error)
{
  WharfOciDest *self;

  g_return_val_if_fail (dir_or_archive != NULL, NULL);

  if (archive && g_file_test (dir_or_archive, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s is a folder; an OCI archive is a file."), dir_or_archive);
      return NULL;
    }
  if (!archive && g_file_test (dir_or_archive, G_FILE_TEST_EXISTS) &&
      !g_file_test (dir_or_archive, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s exists and is not a folder."), dir_or_archive);
      return NULL;
    }

  self = g_new0 (WharfOciDest, 1);
  self->parent.vtable = &oci_dest_vtable;
  self->parent.supports_parallel = TRUE;
  self->parent.layer_form = WHARF_LAYER_FORM_ANY;
  self->parent.keeps_index = TRUE;
  self->path = g_strdup (dir_or_archive);
  self->archive = archive;
  self->ref = (ref != NULL && ref[0] != '\0') ? g_strdup (ref) : NULL;
  g_mutex_init (&self->lock);
  self->new_dirs = g_ptr_array_new_with_free_func (g_free);
  self->new_files = g_ptr_array_new_with_free_func (g_free);
  self->blob_names = g_ptr_array_new_with_free_func (g_free);
  self->blob_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->algorithms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->top_size = -1;

  return &self->parent;
}
