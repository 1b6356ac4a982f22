/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tar.c: reading tar archives in place by an index of their entries, and writing them. */

#define G_LOG_DOMAIN "wharf-tar"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wharf-error.h"
#include "wharf-files-private.h"

#define READ_BLOCK_SIZE  (64 * 1024)
#define COPY_BUFFER_SIZE (256 * 1024)
#define MAX_LINK_DEPTH   16

typedef enum
{
  ENTRY_FILE,
  ENTRY_HARDLINK,
  ENTRY_SYMLINK,
  ENTRY_OTHER,
} EntryKind;

typedef struct
{
  EntryKind  kind;
  goffset    offset;   /* of the data, in a plain tar */
  gint64     size;
  char      *link;     /* symlink target as written; hard link target normalised */
  guint      ordinal;  /* position in the archive, to find it again when reading in order */
} TarEntry;

struct _WharfTarReader
{
  gatomicrefcount  ref_count;
  char            *path;
  WharfSharedFd   *fd;
  gboolean         seekable;
  GHashTable      *entries;  /* normalised name → TarEntry */
};

static void
tar_entry_free (gpointer data)
{
  TarEntry *entry = data;

  g_free (entry->link);
  g_free (entry);
}

static void
set_damaged_error (GError     **error,
                   const char  *path)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
               _("The archive %s is truncated or damaged."), path);
}

static void
set_unsafe_error (GError     **error,
                  const char  *path,
                  const char  *name)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
               _("The archive %s holds an entry named “%s”, which points outside the "
                 "archive: it is refused."),
               path, name);
}

/* "./", "." and "" are the archive's root: harmless, nothing to index. */
static gboolean
name_is_root (const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p != '.' && *p != '/')
        return FALSE;
      if (p[0] == '.' && p[1] == '.')
        return FALSE;
    }

  return name[0] != '/';
}

static struct archive *
new_read_archive (void)
{
  struct archive *a = archive_read_new ();

  archive_read_support_format_tar (a);
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_bzip2 (a);

  return a;
}

WharfTarReader *
_wharf_tar_reader_open (const char    *path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(WharfTarReader) self = NULL;
  struct archive *a;
  struct archive_entry *entry;
  struct stat st;
  guint ordinal = 0;
  gboolean ok = TRUE;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not open %s: %s"), path, g_strerror (errsv));
      return NULL;
    }

  self = g_new0 (WharfTarReader, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (path);
  self->fd = _wharf_shared_fd_new (fd);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, tar_entry_free);
  self->seekable = TRUE;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s is not a file."), path);
      return NULL;
    }

  a = new_read_archive ();
  if (archive_read_open_fd (a, fd, READ_BLOCK_SIZE) != ARCHIVE_OK)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("%s is not a tar archive."), path);
      archive_read_free (a);
      return NULL;
    }

  while (ok)
    {
      const char *name;
      g_autofree char *normalized = NULL;
      TarEntry *tar_entry;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }

      r = archive_read_next_header (a, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          g_debug ("Reading %s: %s", path, archive_error_string (a));
          if (ordinal == 0)
            g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                         _("%s is not a tar archive, or it is damaged."), path);
          else
            set_damaged_error (error, path);
          ok = FALSE;
          break;
        }

      self->seekable = archive_filter_code (a, 0) == ARCHIVE_FILTER_NONE;

      name = archive_entry_pathname (entry);
      if (name == NULL)
        name = "";

      normalized = _wharf_archive_path_normalize (name);
      if (normalized == NULL)
        {
          if (name_is_root (name))
            {
              ordinal++;
              continue;
            }
          set_unsafe_error (error, path, name);
          ok = FALSE;
          break;
        }

      tar_entry = g_new0 (TarEntry, 1);
      tar_entry->ordinal = ordinal++;
      tar_entry->kind = ENTRY_OTHER;

      if (archive_entry_hardlink (entry) != NULL)
        {
          tar_entry->kind = ENTRY_HARDLINK;
          tar_entry->link = _wharf_archive_path_normalize (archive_entry_hardlink (entry));
          if (tar_entry->link == NULL)
            {
              set_unsafe_error (error, path, archive_entry_hardlink (entry));
              tar_entry_free (tar_entry);
              ok = FALSE;
              break;
            }
        }
      else if (archive_entry_filetype (entry) == AE_IFLNK)
        {
          tar_entry->kind = ENTRY_SYMLINK;
          tar_entry->link = g_strdup (archive_entry_symlink (entry));
        }
      else if (archive_entry_filetype (entry) == AE_IFREG)
        {
          tar_entry->kind = ENTRY_FILE;
          tar_entry->size = archive_entry_size (entry);
          tar_entry->offset = archive_filter_bytes (a, 0);

          if (self->seekable)
            {
              /* Sparse data is not where a plain read would find it. */
              if (archive_entry_sparse_count (entry) > 0)
                tar_entry->kind = ENTRY_OTHER;
              else if (tar_entry->size < 0 || tar_entry->offset + tar_entry->size > st.st_size)
                {
                  set_damaged_error (error, path);
                  tar_entry_free (tar_entry);
                  ok = FALSE;
                  break;
                }
            }
        }

      g_hash_table_replace (self->entries, g_steal_pointer (&normalized), tar_entry);
    }

  archive_read_free (a);

  if (!ok)
    return NULL;

  g_debug ("Indexed %u entries of %s (%s)", g_hash_table_size (self->entries), path,
           self->seekable ? "read in place" : "compressed, read in order");

  return g_steal_pointer (&self);
}

WharfTarReader *
_wharf_tar_reader_ref (WharfTarReader *reader)
{
  g_atomic_ref_count_inc (&reader->ref_count);
  return reader;
}

void
_wharf_tar_reader_unref (WharfTarReader *reader)
{
  if (!g_atomic_ref_count_dec (&reader->ref_count))
    return;

  g_clear_pointer (&reader->fd, _wharf_shared_fd_unref);
  g_clear_pointer (&reader->entries, g_hash_table_unref);
  g_free (reader->path);
  g_free (reader);
}

gboolean
_wharf_tar_reader_is_seekable (WharfTarReader *reader)
{
  return reader->seekable;
}

const char *
_wharf_tar_reader_get_path (WharfTarReader *reader)
{
  return reader->path;
}

/* Joins a symbolic link's target to the directory of the link, resolving
 * ".." inside the archive; NULL if it climbs out. */
static char *
resolve_symlink_target (const char *link_name,
                        const char *target)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) link_parts = NULL;
  g_auto(GStrv) target_parts = NULL;

  if (target == NULL || target[0] == '/' || target[0] == '\0')
    return NULL;

  link_parts = g_strsplit (link_name, "/", -1);
  for (guint i = 0; link_parts[i] != NULL && link_parts[i + 1] != NULL; i++)
    g_ptr_array_add (parts, g_strdup (link_parts[i]));

  target_parts = g_strsplit (target, "/", -1);
  for (guint i = 0; target_parts[i] != NULL; i++)
    {
      if (target_parts[i][0] == '\0' || strcmp (target_parts[i], ".") == 0)
        continue;
      if (strcmp (target_parts[i], "..") == 0)
        {
          if (parts->len == 0)
            return NULL;
          g_ptr_array_remove_index (parts, parts->len - 1);
          continue;
        }
      g_ptr_array_add (parts, g_strdup (target_parts[i]));
    }

  if (parts->len == 0)
    return NULL;

  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("/", (char **) parts->pdata);
}

static TarEntry *
resolve_entry (WharfTarReader  *self,
               const char      *name,
               GError         **error)
{
  g_autofree char *current = _wharf_archive_path_normalize (name);

  if (current == NULL)
    {
      set_unsafe_error (error, self->path, name);
      return NULL;
    }

  for (guint depth = 0; depth < MAX_LINK_DEPTH; depth++)
    {
      TarEntry *entry = g_hash_table_lookup (self->entries, current);
      char *next;

      if (entry == NULL)
        return NULL;

      switch (entry->kind)
        {
        case ENTRY_FILE:
          return entry;

        case ENTRY_HARDLINK:
          next = g_strdup (entry->link);
          break;

        case ENTRY_SYMLINK:
          next = resolve_symlink_target (current, entry->link);
          if (next == NULL)
            {
              set_unsafe_error (error, self->path, current);
              return NULL;
            }
          break;

        case ENTRY_OTHER:
        default:
          return NULL;
        }

      g_free (current);
      current = next;
    }

  g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
               _("The archive %s holds links that lead in circles, at “%s”."),
               self->path, name);
  return NULL;
}

gboolean
_wharf_tar_reader_lookup (WharfTarReader  *reader,
                          const char      *name,
                          gint64          *out_size,
                          GError         **error)
{
  TarEntry *entry = resolve_entry (reader, name, error);

  if (entry == NULL)
    return FALSE;

  if (out_size != NULL)
    *out_size = entry->size;

  return TRUE;
}

/* Reading one entry of a compressed archive: from the start, in order. */

#define WHARF_TYPE_TAR_ENTRY_STREAM (wharf_tar_entry_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfTarEntryStream, wharf_tar_entry_stream,
                      WHARF, TAR_ENTRY_STREAM, GInputStream)

struct _WharfTarEntryStream
{
  GInputStream    parent_instance;
  struct archive *archive;
  char           *path;
};

G_DEFINE_FINAL_TYPE (WharfTarEntryStream, wharf_tar_entry_stream, G_TYPE_INPUT_STREAM)

static gssize
wharf_tar_entry_stream_read_fn (GInputStream  *stream,
                                void          *buffer,
                                gsize          count,
                                GCancellable  *cancellable,
                                GError       **error)
{
  WharfTarEntryStream *self = WHARF_TAR_ENTRY_STREAM (stream);
  la_ssize_t n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  n = archive_read_data (self->archive, buffer, count);
  if (n < 0)
    {
      g_debug ("Reading %s: %s", self->path, archive_error_string (self->archive));
      set_damaged_error (error, self->path);
      return -1;
    }

  return n;
}

static gboolean
wharf_tar_entry_stream_close_fn (GInputStream  *stream,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  WharfTarEntryStream *self = WHARF_TAR_ENTRY_STREAM (stream);

  g_clear_pointer (&self->archive, archive_read_free);
  return TRUE;
}

static void
wharf_tar_entry_stream_finalize (GObject *object)
{
  WharfTarEntryStream *self = WHARF_TAR_ENTRY_STREAM (object);

  g_clear_pointer (&self->archive, archive_read_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (wharf_tar_entry_stream_parent_class)->finalize (object);
}

static void
wharf_tar_entry_stream_class_init (WharfTarEntryStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_tar_entry_stream_finalize;
  stream_class->read_fn = wharf_tar_entry_stream_read_fn;
  stream_class->close_fn = wharf_tar_entry_stream_close_fn;
}

static void
wharf_tar_entry_stream_init (WharfTarEntryStream *self)
{
}

static GInputStream *
open_entry_in_order (WharfTarReader  *self,
                     TarEntry        *wanted,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_autoptr(WharfTarEntryStream) stream = NULL;
  struct archive_entry *entry;

  stream = g_object_new (WHARF_TYPE_TAR_ENTRY_STREAM, NULL);
  stream->path = g_strdup (self->path);
  stream->archive = new_read_archive ();

  if (archive_read_open_filename (stream->archive, self->path, READ_BLOCK_SIZE) != ARCHIVE_OK)
    {
      set_damaged_error (error, self->path);
      return NULL;
    }

  for (guint ordinal = 0; ; ordinal++)
    {
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      r = archive_read_next_header (stream->archive, &entry);
      if (r == ARCHIVE_EOF || r < ARCHIVE_WARN)
        {
          /* The archive changed since it was indexed. */
          set_damaged_error (error, self->path);
          return NULL;
        }

      if (ordinal == wanted->ordinal)
        break;
    }

  return G_INPUT_STREAM (g_steal_pointer (&stream));
}

GInputStream *
_wharf_tar_reader_open_entry (WharfTarReader  *reader,
                              const char      *name,
                              gint64          *out_size,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  TarEntry *entry = resolve_entry (reader, name, &local_error);

  if (entry == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                     _("The archive %s has no file “%s”."), reader->path, name);
      return NULL;
    }

  if (out_size != NULL)
    *out_size = entry->size;

  if (reader->seekable)
    return _wharf_range_stream_new (reader->fd, entry->offset, entry->size);

  return open_entry_in_order (reader, entry, cancellable, error);
}

GBytes *
_wharf_tar_reader_read_entry (WharfTarReader  *reader,
                              const char      *name,
                              gsize            max,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) data = NULL;
  gint64 size = 0;

  stream = _wharf_tar_reader_open_entry (reader, name, &size, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (size < 0 || (guint64) size > max)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("“%s” in %s is larger than %llu bytes, too large to be read."),
                   name, reader->path, (unsigned long long) max);
      return NULL;
    }

  data = g_byte_array_sized_new (size);
  g_byte_array_set_size (data, size);

  if (size > 0)
    {
      gsize got = 0;

      if (!g_input_stream_read_all (stream, data->data, size, &got, cancellable, error))
        return NULL;
      if (got != (gsize) size)
        {
          set_damaged_error (error, reader->path);
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* Writing */

struct _WharfTarWriter
{
  struct archive *archive;
  time_t          mtime;
};

static gboolean
set_write_error (WharfTarWriter  *self,
                 GError         **error)
{
  int errsv = archive_errno (self->archive);

  g_set_error (error, G_IO_ERROR, errsv > 0 ? g_io_error_from_errno (errsv) : G_IO_ERROR_FAILED,
               _("Could not write the archive: %s"),
               archive_error_string (self->archive) != NULL
                 ? archive_error_string (self->archive) : g_strerror (errsv));
  return FALSE;
}

WharfTarWriter *
_wharf_tar_writer_new (int      fd,
                       GError **error)
{
  g_autoptr(WharfTarWriter) self = g_new0 (WharfTarWriter, 1);

  self->archive = archive_write_new ();
  self->mtime = time (NULL);

  /* ustar where it fits, pax headers only where it does not: what docker,
   * skopeo and umoci all read. */
  if (archive_write_set_format_pax_restricted (self->archive) != ARCHIVE_OK ||
      archive_write_open_fd (self->archive, fd) != ARCHIVE_OK)
    {
      set_write_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&self);
}

static gboolean
write_header (WharfTarWriter  *self,
              const char      *name,
              unsigned int     filetype,
              gint64           size,
              GError         **error)
{
  struct archive_entry *entry = archive_entry_new ();
  int r;

  archive_entry_set_pathname (entry, name);
  archive_entry_set_filetype (entry, filetype);
  archive_entry_set_perm (entry, filetype == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size (entry, size);
  archive_entry_set_mtime (entry, self->mtime, 0);
  archive_entry_set_uid (entry, 0);
  archive_entry_set_gid (entry, 0);

  r = archive_write_header (self->archive, entry);
  archive_entry_free (entry);

  if (r != ARCHIVE_OK)
    return set_write_error (self, error);

  return TRUE;
}

gboolean
_wharf_tar_writer_add_directory (WharfTarWriter  *writer,
                                 const char      *name,
                                 GError         **error)
{
  g_autofree char *with_slash = g_str_has_suffix (name, "/") ? g_strdup (name)
                                                             : g_strconcat (name, "/", NULL);

  return write_header (writer, with_slash, AE_IFDIR, 0, error);
}

gboolean
_wharf_tar_writer_add_bytes (WharfTarWriter  *writer,
                             const char      *name,
                             GBytes          *bytes,
                             GError         **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!write_header (writer, name, AE_IFREG, len, error))
    return FALSE;

  if (len > 0 && archive_write_data (writer->archive, data, len) != (la_ssize_t) len)
    return set_write_error (writer, error);

  return TRUE;
}

gboolean
_wharf_tar_writer_add_file (WharfTarWriter  *writer,
                            const char      *name,
                            const char      *path,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autofree guint8 *buffer = NULL;
  struct stat st;
  gint64 done = 0;
  int fd;
  gboolean ok = TRUE;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not read %s: %s"), path, g_strerror (errsv));
      if (fd >= 0)
        g_close (fd, NULL);
      return FALSE;
    }

  if (!write_header (writer, name, AE_IFREG, st.st_size, error))
    {
      g_close (fd, NULL);
      return FALSE;
    }

  buffer = g_malloc (COPY_BUFFER_SIZE);

  while (ok && done < st.st_size)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }

      n = read (fd, buffer, COPY_BUFFER_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not read %s: %s"), path, g_strerror (errsv));
          ok = FALSE;
          break;
        }

      n = MIN (n, st.st_size - done);
      if (archive_write_data (writer->archive, buffer, n) != n)
        ok = set_write_error (writer, error);
      done += n;
    }

  g_close (fd, NULL);

  return ok;
}

gboolean
_wharf_tar_writer_finish (WharfTarWriter  *writer,
                          GError         **error)
{
  if (archive_write_close (writer->archive) != ARCHIVE_OK)
    return set_write_error (writer, error);

  return TRUE;
}

void
_wharf_tar_writer_free (WharfTarWriter *writer)
{
  if (writer == NULL)
    return;

  g_clear_pointer (&writer->archive, archive_write_free);
  g_free (writer);
}

WharfTarItem *
_wharf_tar_item_new (const char *name,
                     const char *path,
                     GBytes     *bytes)
{
  WharfTarItem *item = g_new0 (WharfTarItem, 1);

  item->name = g_strdup (name);
  item->path = g_strdup (path);
  item->bytes = bytes != NULL ? g_bytes_ref (bytes) : NULL;

  return item;
}

void
_wharf_tar_item_free (WharfTarItem *item)
{
  if (item == NULL)
    return;

  g_free (item->name);
  g_free (item->path);
  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_free (item);
}

gboolean
_wharf_tar_write_items (const char    *target,
                        GPtrArray     *items,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *template = g_strconcat (target, ".tmp-XXXXXX", NULL);
  g_autoptr(WharfTarWriter) writer = NULL;
  gboolean ok = TRUE;
  int fd;

  fd = g_mkstemp_full (template, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), template, g_strerror (errsv));
      return FALSE;
    }

  writer = _wharf_tar_writer_new (fd, error);
  ok = writer != NULL;

  for (guint i = 0; ok && i < items->len; i++)
    {
      WharfTarItem *item = g_ptr_array_index (items, i);

      if (item->path != NULL)
        ok = _wharf_tar_writer_add_file (writer, item->name, item->path, cancellable, error);
      else if (item->bytes != NULL)
        ok = _wharf_tar_writer_add_bytes (writer, item->name, item->bytes, error);
      else
        ok = _wharf_tar_writer_add_directory (writer, item->name, error);
    }

  if (ok)
    ok = _wharf_tar_writer_finish (writer, error);

  g_clear_pointer (&writer, _wharf_tar_writer_free);

  if (!g_close (fd, ok ? error : NULL))
    ok = FALSE;

  if (ok && g_rename (template, target) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), target, g_strerror (errsv));
      ok = FALSE;
    }

  if (!ok)
    g_unlink (template);

  return ok;
}

/* Raw headers, for writers that stream entries into a file of their own */

#define TAR_NAME_LEN   100
#define TAR_PREFIX_LEN 155
#define TAR_SIZE_OFFSET   124
#define TAR_CHKSUM_OFFSET 148
/* The largest size the 11 octal digits of ustar hold: 8 GiB - 1. */
#define TAR_OCTAL_SIZE_MAX G_GUINT64_CONSTANT (077777777777)

static void
put_octal (guint8      *field,
           gsize        len,
           guint64      value)
{
  /* len - 1 digits and a NUL, as GNU tar and Go write them. */
  g_snprintf ((char *) field, len, "%0*" G_GINT64_MODIFIER "o", (int) len - 1, value);
}

static void
set_checksum (guint8 *block)
{
  guint sum = 0;

  memset (block + TAR_CHKSUM_OFFSET, ' ', 8);
  for (guint i = 0; i < WHARF_TAR_BLOCK_SIZE; i++)
    sum += block[i];

  g_snprintf ((char *) block + TAR_CHKSUM_OFFSET, 7, "%06o", sum);
  block[TAR_CHKSUM_OFFSET + 7] = ' ';
}

void
_wharf_tar_header_set_size (guint8  *block,
                            guint64  size)
{
  guint8 *field = block + TAR_SIZE_OFFSET;

  if (size <= TAR_OCTAL_SIZE_MAX)
    put_octal (field, 12, size);
  else
    {
      /* GNU base-256: a set high bit, then the number big-endian; Go,
       * libarchive and GNU tar read it in any header format. */
      memset (field, 0, 12);
      field[0] = 0x80;
      for (int i = 11; i >= 4; i--)
        {
          field[i] = size & 0xff;
          size >>= 8;
        }
    }

  set_checksum (block);
}

static gsize
count_digits (gsize value)
{
  gsize digits = 1;

  while (value >= 10)
    {
      value /= 10;
      digits++;
    }

  return digits;
}

/* Splits @name into ustar's prefix and name fields at a '/'. */
static gboolean
split_ustar_name (const char  *name,
                  gsize       *prefix_len)
{
  gsize len = strlen (name);

  if (len <= TAR_NAME_LEN)
    {
      *prefix_len = 0;
      return TRUE;
    }

  for (gsize i = MIN (len - 1, TAR_PREFIX_LEN); i > 0; i--)
    {
      if (name[i] == '/' && len - i - 1 <= TAR_NAME_LEN && len - i - 1 > 0)
        {
          *prefix_len = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
fill_ustar_block (guint8     *block,
                  const char *name,
                  gsize       prefix_len,
                  char        type,
                  guint       mode,
                  guint64     size,
                  gint64      mtime)
{
  memset (block, 0, WHARF_TAR_BLOCK_SIZE);

  if (prefix_len > 0)
    {
      memcpy (block + 345, name, prefix_len);
      name += prefix_len + 1;
    }
  memcpy (block, name, MIN (strlen (name), TAR_NAME_LEN));

  put_octal (block + 100, 8, mode);
  put_octal (block + 108, 8, 0);
  put_octal (block + 116, 8, 0);
  put_octal (block + 136, 12, (guint64) MAX (mtime, 0));
  block[156] = type;
  memcpy (block + 257, "ustar", 6);
  memcpy (block + 263, "00", 2);

  _wharf_tar_header_set_size (block, size);
}

GBytes *
_wharf_tar_header_new (const char *name,
                       gboolean    directory,
                       guint64     size,
                       gint64      mtime)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();
  gsize prefix_len = 0;
  gsize old_len;

  g_return_val_if_fail (name != NULL && name[0] != '\0', NULL);

  if (!split_ustar_name (name, &prefix_len))
    {
      /* A pax extended header carries the whole name; ustar's own field
       * keeps a truncated one for readers that know no pax. */
      gsize body_len = strlen (" path=\n") + strlen (name);
      gsize record_len = body_len + 1;
      g_autofree char *record = NULL;
      gsize padded;

      /* The record's length counts its own digits. */
      while (record_len != body_len + count_digits (record_len))
        record_len++;
      record = g_strdup_printf ("%" G_GSIZE_FORMAT " path=%s\n", record_len, name);
      g_assert (strlen (record) == record_len);

      padded = (record_len + WHARF_TAR_BLOCK_SIZE - 1) / WHARF_TAR_BLOCK_SIZE
               * WHARF_TAR_BLOCK_SIZE;
      g_byte_array_set_size (header, WHARF_TAR_BLOCK_SIZE + padded);
      memset (header->data, 0, header->len);
      fill_ustar_block (header->data, "PaxHeaders/entry", 0, 'x', 0644, record_len, mtime);
      memcpy (header->data + WHARF_TAR_BLOCK_SIZE, record, record_len);
    }

  old_len = header->len;
  g_byte_array_set_size (header, old_len + WHARF_TAR_BLOCK_SIZE);
  fill_ustar_block (header->data + old_len, name, prefix_len, directory ? '5' : '0',
                    directory ? 0755 : 0644, directory ? 0 : size, mtime);

  return g_byte_array_free_to_bytes (g_steal_pointer (&header));
}

guint64
_wharf_tar_padding (guint64 size)
{
  return (WHARF_TAR_BLOCK_SIZE - size % WHARF_TAR_BLOCK_SIZE) % WHARF_TAR_BLOCK_SIZE;
}
