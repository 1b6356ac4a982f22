/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-files-private.h: helpers the file transports (OCI layout, OCI archive,
 * docker-archive) share: tar reading and writing, verifying streams, paths. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* wharf-compress.c */

/* Names the data in the stream's error messages ("sha256:…"). */
void            _wharf_decompress_stream_set_description (GInputStream  *stream,
                                                          const char    *description);
/* "gzip", "zstd", or NULL for anything else (a plain tar), by magic bytes. */
const char     *_wharf_compression_sniff          (const guint8        *data,
                                                   gsize                len);

/* wharf-file-util.c */

/* A stream over @base that hashes and counts what passes and fails the read
 * that completes it (EOF, or the @size-th byte when @size >= 0) with
 * WHARF_ERROR_DIGEST_MISMATCH if the content is not @digest (or longer or
 * shorter than @size). @what names where the blob was read from, for the
 * message. NULL with WHARF_ERROR_INVALID_DIGEST for an unusable digest. */
GInputStream   *_wharf_blob_check_stream_new      (GInputStream        *base,
                                                   const char          *digest,
                                                   gint64               size,
                                                   const char          *what,
                                                   GError             **error);

/* A stream of @length bytes of @fd from @offset, read with pread() so that
 * several streams can share one descriptor from several threads. The
 * descriptor is closed with the last reference to it. */
typedef struct _WharfSharedFd WharfSharedFd;
WharfSharedFd  *_wharf_shared_fd_new              (int                  fd);
WharfSharedFd  *_wharf_shared_fd_ref              (WharfSharedFd       *fd);
void            _wharf_shared_fd_unref            (WharfSharedFd       *fd);
int             _wharf_shared_fd_get              (WharfSharedFd       *fd);
GInputStream   *_wharf_range_stream_new           (WharfSharedFd       *fd,
                                                   goffset              offset,
                                                   gint64               length);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfSharedFd, _wharf_shared_fd_unref)

/* Archive member names: "./a//b/" → "a/b". NULL for an absolute name, a
 * ".." component, or nothing left. */
char           *_wharf_archive_path_normalize     (const char          *name);

/* Removes @path and, for a directory, everything below it, without following
 * symbolic links. Errors are logged at debug level only: callers clean up. */
void            _wharf_rm_rf                      (const char          *path);

/* Reads a whole small file; WHARF_ERROR_MANIFEST_TOO_LARGE above @max bytes. */
GBytes         *_wharf_read_file_capped           (const char          *path,
                                                   gsize                max,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* Copies @stream into the open file @fd, hashing (with @algorithm) and
 * counting what it writes. Returns the "algorithm:hex" digest. */
char           *_wharf_stream_to_fd               (GInputStream        *stream,
                                                   int                  fd,
                                                   const char          *algorithm,
                                                   gint64              *out_size,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* pwrite() of all of @data. */
gboolean        _wharf_write_at                   (int                  fd,
                                                   const void          *data,
                                                   gsize                len,
                                                   goffset              offset,
                                                   GError             **error);
/* Copies @len bytes between two files at the given offsets, in the kernel
 * (copy_file_range()) where it can. */
gboolean        _wharf_copy_range                 (int                  from_fd,
                                                   goffset              from_offset,
                                                   int                  to_fd,
                                                   goffset              to_offset,
                                                   guint64              len,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* Writes @stream to a temp file in @dir, checks it against @expected_digest
 * and @expected_size when given (mismatch: WHARF_ERROR_DIGEST_MISMATCH naming
 * @what), and returns the temp file's path for the caller to rename. */
char           *_wharf_stream_to_temp_file        (GInputStream        *stream,
                                                   const char          *dir,
                                                   const char          *expected_digest,
                                                   gint64               expected_size,
                                                   const char          *what,
                                                   char               **out_digest,
                                                   gint64              *out_size,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* Parses @bytes as JSON whose root must be an object (or an array when
 * @want_array); WHARF_ERROR_MANIFEST_INVALID naming @what otherwise. */
JsonNode       *_wharf_json_parse                 (GBytes              *bytes,
                                                   gboolean             want_array,
                                                   const char          *what,
                                                   GError             **error);
/* The manifest's media type: its "mediaType" member, else told by its shape
 * (OCI index with "manifests", else OCI manifest). */
char           *_wharf_json_manifest_media_type   (GBytes              *bytes);
/* A string member, or NULL when missing or not a string. */
const char     *_wharf_json_get_string            (JsonObject          *object,
                                                   const char          *member);

/* A temp directory beside @target ("DIR/.NAME.XXXXXX"), on the same file
 * system so that renames into place stay atomic. */
char           *_wharf_make_staging_dir           (const char          *target,
                                                   GError             **error);

/* wharf-tar.c */

typedef struct _WharfTarReader WharfTarReader;

/* Indexes the tar once (plain, or gzip/zstd/xz/bzip2-compressed). Entry
 * names with an absolute path or a ".." component, and a truncated or
 * damaged archive, are errors. */
WharfTarReader *_wharf_tar_reader_open            (const char          *path,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
WharfTarReader *_wharf_tar_reader_ref             (WharfTarReader      *reader);
void            _wharf_tar_reader_unref           (WharfTarReader      *reader);
/* TRUE for a plain tar: entries are read in place with pread(), so several
 * at once from several threads. A compressed tar is read from the start for
 * each entry. */
gboolean        _wharf_tar_reader_is_seekable     (WharfTarReader      *reader);
const char     *_wharf_tar_reader_get_path        (WharfTarReader      *reader);
/* Whether a regular file (after following symbolic and hard links inside
 * the archive) is at @name; FALSE with an error for a link that leads
 * outside the archive, FALSE without one for a missing entry. */
gboolean        _wharf_tar_reader_lookup          (WharfTarReader      *reader,
                                                   const char          *name,
                                                   gint64              *out_size,
                                                   GError             **error);
/* The entry's data; WHARF_ERROR_NOT_FOUND if there is none. */
GInputStream   *_wharf_tar_reader_open_entry      (WharfTarReader      *reader,
                                                   const char          *name,
                                                   gint64              *out_size,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
/* A whole small entry; WHARF_ERROR_MANIFEST_TOO_LARGE above @max bytes. */
GBytes         *_wharf_tar_reader_read_entry      (WharfTarReader      *reader,
                                                   const char          *name,
                                                   gsize                max,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfTarReader, _wharf_tar_reader_unref)

typedef struct _WharfTarWriter WharfTarWriter;

/* Writes a POSIX tar (ustar, pax only where ustar cannot hold a name) to
 * @fd, which stays open and owned by the caller. */
WharfTarWriter *_wharf_tar_writer_new             (int                  fd,
                                                   GError             **error);
gboolean        _wharf_tar_writer_add_directory   (WharfTarWriter      *writer,
                                                   const char          *name,
                                                   GError             **error);
gboolean        _wharf_tar_writer_add_bytes       (WharfTarWriter      *writer,
                                                   const char          *name,
                                                   GBytes              *bytes,
                                                   GError             **error);
/* Streams the file at @path into the entry @name. */
gboolean        _wharf_tar_writer_add_file        (WharfTarWriter      *writer,
                                                   const char          *name,
                                                   const char          *path,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
/* Writes the end-of-archive blocks. */
gboolean        _wharf_tar_writer_finish          (WharfTarWriter      *writer,
                                                   GError             **error);
void            _wharf_tar_writer_free            (WharfTarWriter      *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfTarWriter, _wharf_tar_writer_free)

/* One entry of an archive to write: a directory (@path and @bytes NULL), a
 * file copied from @path, or @bytes. */
typedef struct
{
  char   *name;
  char   *path;
  GBytes *bytes;
} WharfTarItem;

WharfTarItem   *_wharf_tar_item_new               (const char          *name,
                                                   const char          *path,
                                                   GBytes              *bytes);
void            _wharf_tar_item_free              (WharfTarItem        *item);

/* Writes @items (WharfTarItem*) in order into a new temp file beside
 * @target, then renames it to @target. Nothing is left behind on failure or
 * cancellation. */
gboolean        _wharf_tar_write_items            (const char          *target,
                                                   GPtrArray           *items,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* Raw tar writing, for a writer that streams entries into a file it owns
 * (wharf-transport-docker-archive.c). */
#define WHARF_TAR_BLOCK_SIZE 512

/* The header blocks of a regular file, or of a directory: one ustar block,
 * after a pax extended header when the name does not fit ustar. The last
 * block's size can be set again with _wharf_tar_header_set_size(). */
GBytes         *_wharf_tar_header_new             (const char          *name,
                                                   gboolean             directory,
                                                   guint64              size,
                                                   gint64               mtime);
/* Sets the size field (octal, or GNU base-256 from 8 GiB on) and the
 * checksum of a 512-byte ustar header block. */
void            _wharf_tar_header_set_size        (guint8              *block,
                                                   guint64              size);
/* Zero bytes that follow @size bytes of data, up to the next block. */
guint64         _wharf_tar_padding                (guint64              size);

G_END_DECLS
