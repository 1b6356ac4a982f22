/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-compress.c: gzip (ISA-L) and zstd compression and decompression as input streams. */

#define G_LOG_DOMAIN "wharf-compress"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <isa-l.h>
#include <string.h>
#include <zstd.h>

#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-transport-private.h"

/* Big enough that a layer moves in few library calls, small enough that four
 * transfers at once stay far below the memory budget. */
#define BUFFER_SIZE (256 * 1024)

/* Room to put back up to 8 bytes ISA-L may hold in its bit buffer at the
 * end of a gzip member. */
#define INPUT_SLACK 16

/* zstd's window: 1 MiB instead of level 3's 2 MiB keeps a compressor near
 * 2.5 MiB, and the decompressor of what we make near 1.2 MiB, with blobs
 * about 2% larger. Four layers at once then stay within the memory budget
 * (2 MiB windows: 35 MiB peak; two worker threads per layer: 60 MiB). */
#define ZSTD_WINDOW_LOG 20

static const guint8 gzip_magic[] = { 0x1f, 0x8b };
static const guint8 zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Compression */

#define WHARF_TYPE_COMPRESS_STREAM (wharf_compress_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfCompressStream, wharf_compress_stream,
                      WHARF, COMPRESS_STREAM, GFilterInputStream)

struct _WharfCompressStream
{
  GFilterInputStream     parent_instance;

  WharfCompression       compression;

  guint8                *in_buf;
  gsize                  in_pos;
  gsize                  in_len;
  guint8                *out_buf;
  gsize                  out_pos;
  gsize                  out_len;
  guint                  input_eof : 1;
  guint                  finished : 1;

  struct isal_zstream   *zs;
  guint8                *level_buf;
  ZSTD_CCtx             *cctx;
};

G_DEFINE_FINAL_TYPE (WharfCompressStream, wharf_compress_stream, G_TYPE_FILTER_INPUT_STREAM)

static gboolean
compress_step_gzip (WharfCompressStream  *self,
                    GError              **error)
{
  struct isal_zstream *zs = self->zs;
  int ret;

  zs->next_in = self->in_buf + self->in_pos;
  zs->avail_in = self->in_len;
  zs->next_out = self->out_buf;
  zs->avail_out = BUFFER_SIZE;
  zs->end_of_stream = self->input_eof;

  ret = isal_deflate (zs);
  if (ret != COMP_OK)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("Could not compress the layer with gzip (ISA-L error %d)."), ret);
      return FALSE;
    }

  self->in_pos += self->in_len - zs->avail_in;
  self->in_len = zs->avail_in;
  self->out_len = BUFFER_SIZE - zs->avail_out;
  self->out_pos = 0;

  if (zs->internal_state.state == ZSTATE_END)
    self->finished = TRUE;

  return TRUE;
}

static gboolean
compress_step_zstd (WharfCompressStream  *self,
                    GError              **error)
{
  ZSTD_inBuffer in = { self->in_buf + self->in_pos, self->in_len, 0 };
  ZSTD_outBuffer out = { self->out_buf, BUFFER_SIZE, 0 };
  size_t remaining;

  remaining = ZSTD_compressStream2 (self->cctx, &out, &in,
                                    self->input_eof ? ZSTD_e_end : ZSTD_e_continue);
  if (ZSTD_isError (remaining))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("Could not compress the layer with zstd: %s."),
                   ZSTD_getErrorName (remaining));
      return FALSE;
    }

  self->in_pos += in.pos;
  self->in_len -= in.pos;
  self->out_len = out.pos;
  self->out_pos = 0;

  if (self->input_eof && self->in_len == 0 && remaining == 0)
    self->finished = TRUE;

  return TRUE;
}

static gssize
wharf_compress_stream_read_fn (GInputStream  *stream,
                               void          *buffer,
                               gsize          count,
                               GCancellable  *cancellable,
                               GError       **error)
{
  WharfCompressStream *self = WHARF_COMPRESS_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  for (;;)
    {
      if (self->out_pos < self->out_len)
        {
          gsize n = MIN (count, self->out_len - self->out_pos);

          memcpy (buffer, self->out_buf + self->out_pos, n);
          self->out_pos += n;
          return n;
        }

      if (self->finished)
        return 0;

      if (self->in_len == 0 && !self->input_eof)
        {
          gssize n = g_input_stream_read (base, self->in_buf, BUFFER_SIZE, cancellable, error);

          if (n < 0)
            return -1;
          self->in_pos = 0;
          self->in_len = n;
          self->input_eof = (n == 0);
        }

      if (self->compression == WHARF_COMPRESSION_ZSTD)
        {
          if (!compress_step_zstd (self, error))
            return -1;
        }
      else if (!compress_step_gzip (self, error))
        return -1;
    }
}

static void
wharf_compress_stream_finalize (GObject *object)
{
  WharfCompressStream *self = WHARF_COMPRESS_STREAM (object);

  g_clear_pointer (&self->in_buf, g_free);
  g_clear_pointer (&self->out_buf, g_free);
  g_clear_pointer (&self->zs, g_free);
  g_clear_pointer (&self->level_buf, g_free);
  g_clear_pointer (&self->cctx, ZSTD_freeCCtx);

  G_OBJECT_CLASS (wharf_compress_stream_parent_class)->finalize (object);
}

static void
wharf_compress_stream_class_init (WharfCompressStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_compress_stream_finalize;
  stream_class->read_fn = wharf_compress_stream_read_fn;
}

static void
wharf_compress_stream_init (WharfCompressStream *self)
{
  self->in_buf = g_malloc (BUFFER_SIZE);
  self->out_buf = g_malloc (BUFFER_SIZE);
}

/**
 * _wharf_compress_stream_new:
 * @base: the uncompressed data
 * @compression: gzip or zstd
 *
 * A stream yielding @base compressed: gzip by ISA-L igzip level 1, zstd at
 * level 3 with a 1 MiB window, on the calling thread: the engine already
 * compresses several layers at once. Closing it closes
 * @base.
 */
GInputStream *
_wharf_compress_stream_new (GInputStream     *base,
                            WharfCompression  compression)
{
  WharfCompressStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (WHARF_TYPE_COMPRESS_STREAM, "base-stream", base, NULL);
  self->compression = compression;

  switch (compression)
    {
    case WHARF_COMPRESSION_ZSTD:
      self->cctx = ZSTD_createCCtx ();
      ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_compressionLevel, 3);
      ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_checksumFlag, 1);
      ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_windowLog, ZSTD_WINDOW_LOG);
      break;

    case WHARF_COMPRESSION_GZIP:
    default:
      self->compression = WHARF_COMPRESSION_GZIP;
      self->zs = g_new0 (struct isal_zstream, 1);
      isal_deflate_init (self->zs);
      self->level_buf = g_malloc (ISAL_DEF_LVL1_DEFAULT);
      self->zs->level = 1;
      self->zs->level_buf = self->level_buf;
      self->zs->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
      self->zs->gzip_flag = IGZIP_GZIP;
      self->zs->flush = NO_FLUSH;
      break;
    }

  return G_INPUT_STREAM (self);
}

/* Decompression */

typedef enum
{
  DECOMPRESS_SNIFFING,
  DECOMPRESS_PLAIN,
  DECOMPRESS_GZIP,
  DECOMPRESS_ZSTD,
} DecompressMode;

#define WHARF_TYPE_DECOMPRESS_STREAM (wharf_decompress_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfDecompressStream, wharf_decompress_stream,
                      WHARF, DECOMPRESS_STREAM, GFilterInputStream)

struct _WharfDecompressStream
{
  GFilterInputStream     parent_instance;

  DecompressMode         mode;
  char                  *description;

  guint8                *in_buf;
  gsize                  in_pos;
  gsize                  in_len;
  guint8                *out_buf;
  gsize                  out_pos;
  gsize                  out_len;
  guint                  input_eof : 1;
  guint                  finished : 1;
  guint                  member_done : 1;

  struct inflate_state  *is;
  ZSTD_DCtx             *dctx;
  /* The last frame read was complete: EOF here is a clean end. */
  gboolean               zstd_frame_done;
};

G_DEFINE_FINAL_TYPE (WharfDecompressStream, wharf_decompress_stream, G_TYPE_FILTER_INPUT_STREAM)

static void
set_invalid_error (WharfDecompressStream  *self,
                   GError                **error,
                   const char             *format_name,
                   const char             *reason)
{
  if (self->description != NULL)
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                 /* Translators: "The layer sha256:… is not valid gzip data: it is truncated." */
                 _("The layer %s is not valid %s data: %s."),
                 self->description, format_name, reason);
  else
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                 _("The layer is not valid %s data: %s."), format_name, reason);
}

/* Moves unread input to the front of the buffer and reads more after it,
 * so that a header split across reads can be looked at whole. FALSE on a
 * read error; EOF sets input_eof. */
static gboolean
fill_input (WharfDecompressStream  *self,
            GCancellable           *cancellable,
            GError                **error)
{
  gssize n;

  if (self->in_pos > 0)
    {
      memmove (self->in_buf, self->in_buf + self->in_pos, self->in_len);
      self->in_pos = 0;
    }

  if (self->in_len >= BUFFER_SIZE)
    return TRUE;

  n = g_input_stream_read (g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self)),
                           self->in_buf + self->in_len, BUFFER_SIZE - self->in_len,
                           cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    self->input_eof = TRUE;
  self->in_len += n;

  return TRUE;
}

static const char *
isal_error_reason (int ret)
{
  switch (ret)
    {
    case ISAL_INCORRECT_CHECKSUM:
      return _("its checksum does not match");
    case ISAL_INVALID_WRAPPER:
    case ISAL_UNSUPPORTED_METHOD:
      return _("its header is not a gzip header");
    default:
      return _("it holds an invalid deflate block");
    }
}

static gboolean
decompress_step_gzip (WharfDecompressStream  *self,
                      GCancellable           *cancellable,
                      GError                **error)
{
  struct inflate_state *is = self->is;
  int ret;

  if (self->member_done)
    {
      /* Several gzip members one after the other decompress to the
       * concatenation of their data (RFC 1952 §2.2), like gzip -d does. */
      if (self->in_len < sizeof gzip_magic && !self->input_eof)
        return fill_input (self, cancellable, error);

      if (self->in_len == 0)
        {
          self->finished = TRUE;
          return TRUE;
        }

      if (self->in_len < sizeof gzip_magic ||
          memcmp (self->in_buf + self->in_pos, gzip_magic, sizeof gzip_magic) != 0)
        {
          set_invalid_error (self, error, "gzip", _("unexpected data follows the end"));
          return FALSE;
        }

      isal_inflate_reset (is);
      is->crc_flag = ISAL_GZIP;
      self->member_done = FALSE;
    }

  if (self->in_len == 0 && !self->input_eof)
    return fill_input (self, cancellable, error);

  is->next_in = self->in_buf + self->in_pos;
  is->avail_in = self->in_len;
  is->next_out = self->out_buf;
  is->avail_out = BUFFER_SIZE;

  ret = isal_inflate (is);
  if (ret < 0)
    {
      set_invalid_error (self, error, "gzip", isal_error_reason (ret));
      return FALSE;
    }

  self->in_pos += self->in_len - is->avail_in;
  self->in_len = is->avail_in;
  self->out_len = BUFFER_SIZE - is->avail_out;
  self->out_pos = 0;

  if (is->block_state == ISAL_BLOCK_FINISH)
    {
      /* ISA-L 2.30 hands back the bytes after a member in next_in; should a
       * version keep whole bytes in its bit buffer instead, they belong to
       * what follows the member, so put them back in front. */
      guint extra = is->read_in_length > 0 ? (guint) is->read_in_length / 8 : 0;

      if (extra > 0)
        {
          guint8 bytes[8];

          for (guint i = 0; i < extra && i < sizeof bytes; i++)
            bytes[i] = (is->read_in >> (8 * i)) & 0xff;
          extra = MIN (extra, sizeof bytes);

          memmove (self->in_buf + extra, self->in_buf + self->in_pos, self->in_len);
          memcpy (self->in_buf, bytes, extra);
          self->in_pos = 0;
          self->in_len += extra;
        }

      self->member_done = TRUE;
    }
  else if (self->input_eof && self->in_len == 0 && self->out_len == 0)
    {
      set_invalid_error (self, error, "gzip", _("it is truncated"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
decompress_step_zstd (WharfDecompressStream  *self,
                      GCancellable           *cancellable,
                      GError                **error)
{
  ZSTD_inBuffer in;
  ZSTD_outBuffer out = { self->out_buf, BUFFER_SIZE, 0 };
  size_t ret;

  if (self->in_len == 0 && !self->input_eof)
    return fill_input (self, cancellable, error);

  in.src = self->in_buf + self->in_pos;
  in.size = self->in_len;
  in.pos = 0;

  ret = ZSTD_decompressStream (self->dctx, &out, &in);
  if (ZSTD_isError (ret))
    {
      set_invalid_error (self, error, "zstd", ZSTD_getErrorName (ret));
      return FALSE;
    }

  self->in_pos += in.pos;
  self->in_len -= in.pos;
  self->out_len = out.pos;
  self->out_pos = 0;

  /* 0 means a frame ended and was flushed; a later call with no input
   * returns a size hint for the next frame, which is no truncation. */
  if (ret == 0)
    self->zstd_frame_done = TRUE;
  else if (in.pos > 0)
    self->zstd_frame_done = FALSE;

  if (self->input_eof && self->in_len == 0 && self->out_len == 0)
    {
      if (!self->zstd_frame_done)
        {
          set_invalid_error (self, error, "zstd", _("it is truncated"));
          return FALSE;
        }
      self->finished = TRUE;
    }

  return TRUE;
}

static gboolean
sniff (WharfDecompressStream  *self,
       GCancellable           *cancellable,
       GError                **error)
{
  while (self->in_len < sizeof zstd_magic && !self->input_eof)
    {
      if (!fill_input (self, cancellable, error))
        return FALSE;
    }

  if (self->in_len >= sizeof gzip_magic &&
      memcmp (self->in_buf, gzip_magic, sizeof gzip_magic) == 0)
    {
      self->mode = DECOMPRESS_GZIP;
      self->is = g_new0 (struct inflate_state, 1);
      isal_inflate_init (self->is);
      self->is->crc_flag = ISAL_GZIP;
    }
  else if (self->in_len >= sizeof zstd_magic &&
           memcmp (self->in_buf, zstd_magic, sizeof zstd_magic) == 0)
    {
      self->mode = DECOMPRESS_ZSTD;
      self->dctx = ZSTD_createDCtx ();
    }
  else
    self->mode = DECOMPRESS_PLAIN;

  return TRUE;
}

static gssize
wharf_decompress_stream_read_fn (GInputStream  *stream,
                                 void          *buffer,
                                 gsize          count,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  WharfDecompressStream *self = WHARF_DECOMPRESS_STREAM (stream);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (self->mode == DECOMPRESS_SNIFFING && !sniff (self, cancellable, error))
    return -1;

  if (self->mode == DECOMPRESS_PLAIN)
    {
      GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

      if (self->in_len > 0)
        {
          gsize n = MIN (count, self->in_len);

          memcpy (buffer, self->in_buf + self->in_pos, n);
          self->in_pos += n;
          self->in_len -= n;
          return n;
        }
      if (self->input_eof)
        return 0;

      return g_input_stream_read (base, buffer, count, cancellable, error);
    }

  for (;;)
    {
      gboolean ok;

      if (self->out_pos < self->out_len)
        {
          gsize n = MIN (count, self->out_len - self->out_pos);

          memcpy (buffer, self->out_buf + self->out_pos, n);
          self->out_pos += n;
          return n;
        }

      if (self->finished)
        return 0;

      if (self->mode == DECOMPRESS_ZSTD)
        ok = decompress_step_zstd (self, cancellable, error);
      else
        ok = decompress_step_gzip (self, cancellable, error);

      if (!ok)
        return -1;
    }
}

static void
wharf_decompress_stream_finalize (GObject *object)
{
  WharfDecompressStream *self = WHARF_DECOMPRESS_STREAM (object);

  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->in_buf, g_free);
  g_clear_pointer (&self->out_buf, g_free);
  g_clear_pointer (&self->is, g_free);
  g_clear_pointer (&self->dctx, ZSTD_freeDCtx);

  G_OBJECT_CLASS (wharf_decompress_stream_parent_class)->finalize (object);
}

static void
wharf_decompress_stream_class_init (WharfDecompressStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_decompress_stream_finalize;
  stream_class->read_fn = wharf_decompress_stream_read_fn;
}

static void
wharf_decompress_stream_init (WharfDecompressStream *self)
{
  self->in_buf = g_malloc (BUFFER_SIZE + INPUT_SLACK);
  self->out_buf = g_malloc (BUFFER_SIZE);
}

/**
 * _wharf_decompress_stream_new:
 * @base: gzip, zstd or plain data
 *
 * A stream yielding @base decompressed, the format told by its first bytes;
 * plain data passes through. Invalid or truncated data fails the read with
 * WHARF_ERROR_FAILED. Closing it closes @base.
 */
GInputStream *
_wharf_decompress_stream_new (GInputStream *base)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  return g_object_new (WHARF_TYPE_DECOMPRESS_STREAM, "base-stream", base, NULL);
}

/**
 * _wharf_decompress_stream_set_description:
 * @stream: a stream from _wharf_decompress_stream_new()
 * @description: what the data is, for error messages ("sha256:…")
 */
void
_wharf_decompress_stream_set_description (GInputStream *stream,
                                          const char   *description)
{
  WharfDecompressStream *self;

  g_return_if_fail (WHARF_IS_DECOMPRESS_STREAM (stream));

  self = WHARF_DECOMPRESS_STREAM (stream);
  g_free (self->description);
  self->description = g_strdup (description);
}

/**
 * _wharf_compression_sniff:
 * @data: the first bytes of a blob
 * @len: how many (4 are enough)
 *
 * Returns: the media type suffix the magic bytes say: "gzip", "zstd", or
 *   NULL for anything else (a plain tar).
 */
const char *
_wharf_compression_sniff (const guint8 *data,
                          gsize         len)
{
  if (len >= sizeof gzip_magic && memcmp (data, gzip_magic, sizeof gzip_magic) == 0)
    return "gzip";
  if (len >= sizeof zstd_magic && memcmp (data, zstd_magic, sizeof zstd_magic) == 0)
    return "zstd";
  return NULL;
}
