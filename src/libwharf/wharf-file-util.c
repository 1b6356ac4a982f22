/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-file-util.c: verifying and ranged streams, paths, temp files and JSON for the file
 * transports. */

#define G_LOG_DOMAIN "wharf-files"
/* copy_file_range() */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-image.h"

#define COPY_BUFFER_SIZE (256 * 1024)

/* Verifying stream */

#define WHARF_TYPE_BLOB_CHECK_STREAM (wharf_blob_check_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfBlobCheckStream, wharf_blob_check_stream,
                      WHARF, BLOB_CHECK_STREAM, GFilterInputStream)

struct _WharfBlobCheckStream
{
  GFilterInputStream  parent_instance;

  WharfHasher        *hasher;
  char               *expected;
  gint64              expected_size;
  gint64              count;
  char               *what;
  gboolean            verified;
};

G_DEFINE_FINAL_TYPE (WharfBlobCheckStream, wharf_blob_check_stream, G_TYPE_FILTER_INPUT_STREAM)

static gboolean
blob_check_stream_verify (WharfBlobCheckStream  *self,
                     GError            **error)
{
  g_autofree char *actual = wharf_hasher_finish (self->hasher);

  g_clear_pointer (&self->hasher, wharf_hasher_free);
  self->verified = TRUE;

  if (g_strcmp0 (actual, self->expected) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("The blob %s in %s does not match its digest: the data is damaged."),
                   self->expected, self->what);
      return FALSE;
    }

  return TRUE;
}

static void
set_size_error (WharfBlobCheckStream  *self,
                GError            **error)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
               _("The blob %s in %s is not %lld bytes long as recorded: "
                 "the data is damaged."),
               self->expected, self->what, (long long) self->expected_size);
}

static gssize
wharf_blob_check_stream_read_fn (GInputStream  *stream,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  WharfBlobCheckStream *self = WHARF_BLOB_CHECK_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n < 0)
    return -1;

  if (self->verified)
    {
      /* Checked at the recorded size already: anything more is too much. */
      if (n > 0)
        {
          set_size_error (self, error);
          return -1;
        }
      return 0;
    }

  if (n == 0)
    {
      if (self->expected_size >= 0 && self->count != self->expected_size)
        {
          self->verified = TRUE;
          set_size_error (self, error);
          return -1;
        }
      if (!blob_check_stream_verify (self, error))
        return -1;
      return 0;
    }

  wharf_hasher_update (self->hasher, buffer, n);
  self->count += n;

  if (self->expected_size >= 0)
    {
      if (self->count > self->expected_size)
        {
          self->verified = TRUE;
          set_size_error (self, error);
          return -1;
        }
      /* A reader that stops at the recorded size still gets the verdict. */
      if (self->count == self->expected_size && !blob_check_stream_verify (self, error))
        return -1;
    }

  return n;
}

static void
wharf_blob_check_stream_finalize (GObject *object)
{
  WharfBlobCheckStream *self = WHARF_BLOB_CHECK_STREAM (object);

  g_clear_pointer (&self->hasher, wharf_hasher_free);
  g_clear_pointer (&self->expected, g_free);
  g_clear_pointer (&self->what, g_free);

  G_OBJECT_CLASS (wharf_blob_check_stream_parent_class)->finalize (object);
}

static void
wharf_blob_check_stream_class_init (WharfBlobCheckStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_blob_check_stream_finalize;
  stream_class->read_fn = wharf_blob_check_stream_read_fn;
}

static void
wharf_blob_check_stream_init (WharfBlobCheckStream *self)
{
}

GInputStream *
_wharf_blob_check_stream_new (GInputStream  *base,
                          const char    *digest,
                          gint64         size,
                          const char    *what,
                          GError       **error)
{
  g_autoptr(WharfHasher) hasher = NULL;
  WharfBlobCheckStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  if (!wharf_digest_validate (digest, error))
    return NULL;

  hasher = wharf_hasher_new_for_digest (digest, error);
  if (hasher == NULL)
    return NULL;

  self = g_object_new (WHARF_TYPE_BLOB_CHECK_STREAM, "base-stream", base, NULL);
  self->hasher = g_steal_pointer (&hasher);
  self->expected = g_strdup (digest);
  self->expected_size = size;
  self->what = g_strdup (what);

  return G_INPUT_STREAM (self);
}

/* Shared descriptors and ranged streams */

struct _WharfSharedFd
{
  int fd;
};

static void
shared_fd_clear (gpointer data)
{
  WharfSharedFd *self = data;

  if (self->fd >= 0)
    g_close (self->fd, NULL);
}

WharfSharedFd *
_wharf_shared_fd_new (int fd)
{
  WharfSharedFd *self = g_atomic_rc_box_new0 (WharfSharedFd);

  self->fd = fd;
  return self;
}

WharfSharedFd *
_wharf_shared_fd_ref (WharfSharedFd *fd)
{
  return g_atomic_rc_box_acquire (fd);
}

void
_wharf_shared_fd_unref (WharfSharedFd *fd)
{
  g_atomic_rc_box_release_full (fd, shared_fd_clear);
}

int
_wharf_shared_fd_get (WharfSharedFd *fd)
{
  return fd->fd;
}

#define WHARF_TYPE_RANGE_STREAM (wharf_range_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfRangeStream, wharf_range_stream,
                      WHARF, RANGE_STREAM, GInputStream)

struct _WharfRangeStream
{
  GInputStream   parent_instance;

  WharfSharedFd *fd;
  goffset        offset;
  gint64         remaining;
};

G_DEFINE_FINAL_TYPE (WharfRangeStream, wharf_range_stream, G_TYPE_INPUT_STREAM)

static gssize
wharf_range_stream_read_fn (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  WharfRangeStream *self = WHARF_RANGE_STREAM (stream);
  gssize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (self->remaining <= 0)
    return 0;

  count = MIN ((gint64) count, self->remaining);

  do
    n = pread (self->fd->fd, buffer, count, self->offset);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not read the archive: %s"), g_strerror (errsv));
      return -1;
    }

  self->offset += n;
  self->remaining -= n;

  return n;
}

static void
wharf_range_stream_finalize (GObject *object)
{
  WharfRangeStream *self = WHARF_RANGE_STREAM (object);

  g_clear_pointer (&self->fd, _wharf_shared_fd_unref);

  G_OBJECT_CLASS (wharf_range_stream_parent_class)->finalize (object);
}

static void
wharf_range_stream_class_init (WharfRangeStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_range_stream_finalize;
  stream_class->read_fn = wharf_range_stream_read_fn;
}

static void
wharf_range_stream_init (WharfRangeStream *self)
{
}

GInputStream *
_wharf_range_stream_new (WharfSharedFd *fd,
                         goffset        offset,
                         gint64         length)
{
  WharfRangeStream *self = g_object_new (WHARF_TYPE_RANGE_STREAM, NULL);

  self->fd = _wharf_shared_fd_ref (fd);
  self->offset = offset;
  self->remaining = length;

  return G_INPUT_STREAM (self);
}

/* Paths and files */

char *
_wharf_archive_path_normalize (const char *name)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = NULL;

  if (name == NULL || name[0] == '/' || name[0] == '\0')
    return NULL;

  parts = g_strsplit (name, "/", -1);
  out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        return NULL;
      if (out->len > 0)
        g_string_append_c (out, '/');
      g_string_append (out, parts[i]);
    }

  if (out->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
_wharf_rm_rf (const char *path)
{
  GStatBuf st;

  if (path == NULL || g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          _wharf_rm_rf (child);
        }

      if (g_rmdir (path) != 0)
        g_debug ("Could not remove the folder %s: %s", path, g_strerror (errno));
    }
  else if (g_unlink (path) != 0)
    g_debug ("Could not remove %s: %s", path, g_strerror (errno));
}

GBytes *
_wharf_read_file_capped (const char    *path,
                         gsize          max,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  GStatBuf st;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && (guint64) st.st_size > max)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("%s is larger than %llu bytes, too large to be read."),
                   path, (unsigned long long) max);
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  if (len > max)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("%s is larger than %llu bytes, too large to be read."),
                   path, (unsigned long long) max);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          len,
           GError       **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not write a file: %s"), g_strerror (errsv));
          return FALSE;
        }

      data += n;
      len -= n;
    }

  return TRUE;
}

gboolean
_wharf_write_at (int            fd,
                 const void    *data,
                 gsize          len,
                 goffset        offset,
                 GError       **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = pwrite (fd, p, len, offset);

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not write a file: %s"), g_strerror (errsv));
          return FALSE;
        }

      p += n;
      len -= n;
      offset += n;
    }

  return TRUE;
}

gboolean
_wharf_copy_range (int            from_fd,
                   goffset        from_offset,
                   int            to_fd,
                   goffset        to_offset,
                   guint64        len,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree guint8 *buffer = NULL;
  loff_t in = from_offset;
  loff_t out = to_offset;

  /* In the kernel: no copy through user space, and a reflink where the
   * file system shares extents. */
  while (len > 0)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = copy_file_range (from_fd, &in, to_fd, &out, MIN (len, G_MAXINT32 & ~0xfffu), 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len -= n;
    }

  /* Old kernels, or file systems that refuse it: read and write. */
  while (len > 0)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (buffer == NULL)
        buffer = g_malloc (COPY_BUFFER_SIZE);

      n = pread (from_fd, buffer, MIN (len, COPY_BUFFER_SIZE), in);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not read a file: %s"), g_strerror (errsv));
          return FALSE;
        }

      if (!_wharf_write_at (to_fd, buffer, n, out, error))
        return FALSE;
      in += n;
      out += n;
      len -= n;
    }

  return TRUE;
}

char *
_wharf_stream_to_fd (GInputStream  *stream,
                     int            fd,
                     const char    *algorithm,
                     gint64        *out_size,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(WharfHasher) hasher = wharf_hasher_new (algorithm != NULL ? algorithm : "sha256");
  g_autofree guint8 *buffer = g_malloc (COPY_BUFFER_SIZE);
  gint64 total = 0;

  if (hasher == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
                   _("The digest algorithm “%s” is not supported."), algorithm);
      return NULL;
    }

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, COPY_BUFFER_SIZE, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      wharf_hasher_update (hasher, buffer, n);
      if (!write_all (fd, buffer, n, error))
        return NULL;
      total += n;
    }

  if (out_size != NULL)
    *out_size = total;

  return wharf_hasher_finish (hasher);
}

char *
_wharf_stream_to_temp_file (GInputStream  *stream,
                            const char    *dir,
                            const char    *expected_digest,
                            gint64         expected_size,
                            const char    *what,
                            char         **out_digest,
                            gint64        *out_size,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *template = g_build_filename (dir, ".tmp-XXXXXX", NULL);
  g_autofree char *algorithm = NULL;
  g_autofree char *digest = NULL;
  gint64 size = 0;
  int fd;

  if (expected_digest != NULL)
    {
      const char *colon;

      if (!wharf_digest_validate (expected_digest, error))
        return NULL;
      colon = strchr (expected_digest, ':');
      algorithm = g_strndup (expected_digest, colon - expected_digest);
    }

  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create a file in %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  digest = _wharf_stream_to_fd (stream, fd, algorithm, &size, cancellable, error);

  if (!g_close (fd, digest != NULL ? error : NULL) && digest != NULL)
    g_clear_pointer (&digest, g_free);

  if (digest == NULL)
    {
      g_unlink (template);
      return NULL;
    }

  if (expected_size >= 0 && size != expected_size)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("%s was %lld bytes long, not %lld as recorded: the data is damaged."),
                   what, (long long) size, (long long) expected_size);
      g_unlink (template);
      return NULL;
    }

  if (expected_digest != NULL && strcmp (digest, expected_digest) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("%s does not match its digest %s: the data is damaged."),
                   what, expected_digest);
      g_unlink (template);
      return NULL;
    }

  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&digest);
  if (out_size != NULL)
    *out_size = size;

  return g_steal_pointer (&template);
}

char *
_wharf_make_staging_dir (const char  *target,
                         GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *template = g_build_filename (parent, name, NULL);

  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The folder %s does not exist."), parent);
      return NULL;
    }

  if (g_mkdtemp_full (template, 0755) == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create a folder in %s: %s"), parent, g_strerror (errsv));
      return NULL;
    }

  return g_steal_pointer (&template);
}

/* JSON */

JsonNode *
_wharf_json_parse (GBytes      *bytes,
                   gboolean     want_array,
                   const char  *what,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data != NULL ? data : "", len, &local_error))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("%s is not valid JSON: %s"), what, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL ||
      (want_array && !JSON_NODE_HOLDS_ARRAY (root)) ||
      (!want_array && !JSON_NODE_HOLDS_OBJECT (root)))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   want_array ? _("%s does not hold a JSON array.")
                              : _("%s does not hold a JSON object."),
                   what);
      return NULL;
    }

  return json_node_ref (root);
}

const char *
_wharf_json_get_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

char *
_wharf_json_manifest_media_type (GBytes *bytes)
{
  g_autoptr(JsonNode) root = _wharf_json_parse (bytes, FALSE, "manifest", NULL);
  JsonObject *object;
  const char *media_type;

  if (root == NULL)
    return g_strdup (WHARF_MEDIA_TYPE_OCI_MANIFEST);

  object = json_node_get_object (root);
  media_type = _wharf_json_get_string (object, "mediaType");
  if (media_type != NULL && media_type[0] != '\0')
    return g_strdup (media_type);

  if (json_object_has_member (object, "manifests"))
    return g_strdup (WHARF_MEDIA_TYPE_OCI_INDEX);

  return g_strdup (WHARF_MEDIA_TYPE_OCI_MANIFEST);
}
