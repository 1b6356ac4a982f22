/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transport-files.c: OCI layouts, OCI archives, docker-archives and the
 * compression streams, checked against skopeo, umoci, gzip and zlib. */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <zstd.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-files-private.h"
#include "wharf-image.h"
#include "wharf-transport-private.h"

#define OCI_REF_NAME "org.opencontainers.image.ref.name"

/* Helpers: commands, files, JSON */

static char *
run_argv (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv);

      g_test_message ("%s failed:\n%s%s", line, out, err);
    }
  g_assert_no_error (error);

  return out;
}

static char *
run (const char *first,
     ...) G_GNUC_NULL_TERMINATED;

static char *
run (const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return run_argv ((const char * const *) argv->pdata);
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("wharf-files-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
write_file (const char *path,
            const void *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (data + i, &r, MIN (4, len - i));
    }

  return g_bytes_new_take (data, len);
}

static GBytes *
compressible_bytes (gsize len)
{
  g_autoptr(GString) text = g_string_sized_new (len);

  for (guint i = 0; text->len < len; i++)
    g_string_append_printf (text, "line %u: the quick brown fox jumps over the lazy dog %u\n",
                            i, i % 97);
  g_string_truncate (text, len);

  return g_string_free_to_bytes (g_steal_pointer (&text));
}

static JsonNode *
parse_json (const char *text,
            gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, len, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
parse_json_bytes (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return parse_json (data, len);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* Names in @dir; fails the test listing them if there are not @expected. */
static void
assert_dir_holds (const char *dir,
                  guint       expected)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_string_append_printf (names, "%s ", name);
      count++;
    }

  if (count != expected)
    g_test_message ("%s holds: %s", dir, names->str);
  g_assert_cmpuint (count, ==, expected);
}

static GBytes *
read_stream (GInputStream  *stream,
             gsize          chunk,
             GError       **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (chunk);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, chunk, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (data, buffer, n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* A stream that hands out at most a few bytes per read, to catch code that
 * assumes a read fills the buffer. */

#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream,
                      TEST, TRICKLE_STREAM, GFilterInputStream)

struct _TestTrickleStream
{
  GFilterInputStream parent_instance;
  gsize              max;
};

G_DEFINE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
test_trickle_stream_read_fn (GInputStream  *stream,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  return g_input_stream_read (base, buffer, MIN (count, self->max), cancellable, error);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_stream_read_fn;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
}

static GInputStream *
trickle_stream_new (GBytes *bytes,
                    gsize   max)
{
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (bytes);
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, "base-stream", base, NULL);

  self->max = max;
  return G_INPUT_STREAM (self);
}

static GBytes *
zlib_gzip (GBytes *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (base, G_CONVERTER (compressor));
  GBytes *out = read_stream (stream, 65536, &error);

  g_assert_no_error (error);
  return out;
}

static GBytes *
zlib_gunzip (GBytes *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GInputStream) stream = NULL;
  GBytes *out;

  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (base, G_CONVERTER (decompressor));
  out = read_stream (stream, 65536, &error);

  g_assert_no_error (error);
  return out;
}

static GBytes *
wharf_compress (GBytes           *data,
                WharfCompression  compression)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GInputStream) stream = _wharf_compress_stream_new (base, compression);
  /* An odd read size, smaller than the stream's buffers. */
  GBytes *out = read_stream (stream, 10007, &error);

  g_assert_no_error (error);
  return out;
}

static GBytes *
wharf_decompress (GBytes  *data,
                  gsize    trickle,
                  GError **error)
{
  g_autoptr(GInputStream) base = trickle_stream_new (data, trickle);
  g_autoptr(GInputStream) stream = _wharf_decompress_stream_new (base);

  return read_stream (stream, 65536, error);
}

/* Compression */

static void
test_compress_gzip (void)
{
  GBytes *inputs[2];

  inputs[0] = random_bytes (5 * 1024 * 1024 + 123);
  inputs[1] = compressible_bytes (6 * 1024 * 1024 + 7);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) compressed = wharf_compress (inputs[i], WHARF_COMPRESSION_GZIP);
      g_autoptr(GBytes) by_zlib = NULL;
      g_autoptr(GBytes) by_wharf = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *head = g_bytes_get_data (compressed, NULL);

      g_assert_cmpuint (g_bytes_get_size (compressed), >, 18);
      g_assert_cmpuint (head[0], ==, 0x1f);
      g_assert_cmpuint (head[1], ==, 0x8b);
      if (i == 1)
        g_assert_cmpuint (g_bytes_get_size (compressed), <, g_bytes_get_size (inputs[i]) / 4);

      /* zlib is an independent implementation: what it reads is gzip. */
      by_zlib = zlib_gunzip (compressed);
      g_assert_true (g_bytes_equal (by_zlib, inputs[i]));

      by_wharf = wharf_decompress (compressed, 100000, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (by_wharf, inputs[i]));
    }

  g_bytes_unref (inputs[0]);
  g_bytes_unref (inputs[1]);
}

static void
test_compress_zstd (void)
{
  GBytes *inputs[2];

  inputs[0] = random_bytes (4 * 1024 * 1024 + 1);
  inputs[1] = compressible_bytes (7 * 1024 * 1024);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) compressed = wharf_compress (inputs[i], WHARF_COMPRESSION_ZSTD);
      g_autoptr(GBytes) by_wharf = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *one_shot = NULL;
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (compressed, &len);
      unsigned long long content_size;
      gsize total = 0;
      const guint8 *p = data;
      gsize left = len;

      g_assert_cmpuint (len, >, 4);
      g_assert_cmpuint (data[0], ==, 0x28);
      g_assert_cmpuint (data[3], ==, 0xfd);
      if (i == 1)
        g_assert_cmpuint (len, <, g_bytes_get_size (inputs[i]) / 4);

      /* Frame by frame with the one-shot API, not the streaming one. */
      one_shot = g_malloc (g_bytes_get_size (inputs[i]) + 1);
      while (left > 0)
        {
          size_t frame = ZSTD_findFrameCompressedSize (p, left);
          size_t got;

          g_assert_false (ZSTD_isError (frame));
          content_size = ZSTD_getFrameContentSize (p, frame);
          g_assert_true (content_size != ZSTD_CONTENTSIZE_ERROR);
          got = ZSTD_decompress (one_shot + total, g_bytes_get_size (inputs[i]) + 1 - total,
                                 p, frame);
          g_assert_false (ZSTD_isError (got));
          total += got;
          p += frame;
          left -= frame;
        }
      g_assert_cmpuint (total, ==, g_bytes_get_size (inputs[i]));
      g_assert_cmpmem (one_shot, total, g_bytes_get_data (inputs[i], NULL), total);

      by_wharf = wharf_decompress (compressed, 4096, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (by_wharf, inputs[i]));
    }

  g_bytes_unref (inputs[0]);
  g_bytes_unref (inputs[1]);
}

static void
test_compress_multi_member (void)
{
  g_autoptr(GBytes) part1 = compressible_bytes (300000);
  g_autoptr(GBytes) part2 = random_bytes (70001);
  g_autoptr(GBytes) part3 = compressible_bytes (5);
  g_autoptr(GBytes) gz1 = zlib_gzip (part1);
  g_autoptr(GBytes) gz2 = wharf_compress (part2, WHARF_COMPRESSION_GZIP);
  g_autoptr(GBytes) gz3 = zlib_gzip (part3);
  g_autoptr(GByteArray) joined = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GBytes) joined_bytes = NULL;
  g_autoptr(GBytes) expected_bytes = NULL;
  GBytes *compressed[] = { gz1, gz2, gz3 };
  GBytes *plain[] = { part1, part2, part3 };
  const gsize trickles[] = { 1, 3, 7, 4096, 1 << 20 };

  for (guint i = 0; i < G_N_ELEMENTS (compressed); i++)
    {
      g_byte_array_append (joined, g_bytes_get_data (compressed[i], NULL),
                           g_bytes_get_size (compressed[i]));
      g_byte_array_append (expected, g_bytes_get_data (plain[i], NULL),
                           g_bytes_get_size (plain[i]));
    }
  joined_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&joined));
  expected_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&expected));

  /* Member boundaries land at every offset of a read for some trickle. */
  for (guint i = 0; i < G_N_ELEMENTS (trickles); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = wharf_decompress (joined_bytes, trickles[i], &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (out, expected_bytes));
    }
}

static void
test_compress_plain_passthrough (void)
{
  g_autoptr(GBytes) data = random_bytes (1000003);
  g_autoptr(GBytes) tiny = g_bytes_new_static ("ab", 2);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) tiny_out = NULL;
  g_autoptr(GBytes) empty_out = NULL;

  /* Random data might start with a magic number by chance. */
  ((guint8 *) g_bytes_get_data (data, NULL))[0] = 'x';

  out = wharf_decompress (data, 999, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (out, data));

  tiny_out = wharf_decompress (tiny, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (tiny_out, tiny));

  empty_out = wharf_decompress (empty, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty_out), ==, 0);
}

static void
assert_decompress_fails (GBytes *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = wharf_decompress (data, 65536, &error);

  g_assert_null (out);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "not valid") != NULL);
}

static void
test_compress_corrupt (void)
{
  g_autoptr(GBytes) plain = compressible_bytes (2 * 1024 * 1024);
  g_autoptr(GBytes) gz = wharf_compress (plain, WHARF_COMPRESSION_GZIP);
  g_autoptr(GBytes) zst = wharf_compress (plain, WHARF_COMPRESSION_ZSTD);
  g_autoptr(GBytes) gz_truncated = g_bytes_new_from_bytes (gz, 0, g_bytes_get_size (gz) / 2);
  g_autoptr(GBytes) zst_truncated = g_bytes_new_from_bytes (zst, 0, g_bytes_get_size (zst) - 10);
  g_autoptr(GBytes) gz_damaged = NULL;
  g_autoptr(GBytes) gz_trailing = NULL;
  g_autoptr(GByteArray) array = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (gz, &len);

  assert_decompress_fails (gz_truncated);
  assert_decompress_fails (zst_truncated);

  /* Flipped bits in the middle: an invalid block or a checksum mismatch. */
  array = g_byte_array_new ();
  g_byte_array_append (array, data, len);
  for (gsize i = len / 2; i < len / 2 + 64; i++)
    array->data[i] ^= 0x5a;
  gz_damaged = g_byte_array_free_to_bytes (g_steal_pointer (&array));
  assert_decompress_fails (gz_damaged);

  array = g_byte_array_new ();
  g_byte_array_append (array, data, len);
  g_byte_array_append (array, (const guint8 *) "garbage", 7);
  gz_trailing = g_byte_array_free_to_bytes (g_steal_pointer (&array));
  assert_decompress_fails (gz_trailing);
}

static void
test_compress_cancel (void)
{
  g_autoptr(GBytes) plain = compressible_bytes (1024 * 1024);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (plain);
  g_autoptr(GInputStream) stream = _wharf_compress_stream_new (base, WHARF_COMPRESSION_GZIP);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint8 buffer[1024];

  g_assert_cmpint (g_input_stream_read (stream, buffer, sizeof buffer, cancellable, &error), >, 0);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (g_input_stream_read (stream, buffer, sizeof buffer, cancellable, &error),
                   ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A test image, made by hand with tar and gzip */

typedef struct
{
  char      *manifest_digest;
  char      *config_digest;
  GBytes    *manifest;
  GBytes    *config;
  GPtrArray *layer_digests;   /* as in the manifest */
  GPtrArray *diff_ids;
  GPtrArray *layers;          /* GBytes, as in the manifest */
} TestImage;

static void
test_image_free (TestImage *image)
{
  g_free (image->manifest_digest);
  g_free (image->config_digest);
  g_bytes_unref (image->manifest);
  g_bytes_unref (image->config);
  g_ptr_array_unref (image->layer_digests);
  g_ptr_array_unref (image->diff_ids);
  g_ptr_array_unref (image->layers);
  g_free (image);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestImage, test_image_free)

static char *
write_blob (const char *layout,
            GBytes     *bytes)
{
  char *digest = wharf_digest_compute_bytes (bytes);
  g_autofree char *path = g_build_filename (layout, "blobs", "sha256",
                                            wharf_digest_get_encoded (digest), NULL);

  write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return digest;
}

/* A tar of a folder holding @file_name with @content (and @extra, if
 * given, as random.bin), made by GNU tar. */
static GBytes *
make_layer_tar (const char *work,
                const char *file_name,
                const char *content,
                GBytes     *extra)
{
  g_autofree char *tree = g_build_filename (work, "tree-XXXXXX", NULL);
  g_autofree char *file = NULL;
  g_autofree char *tar_path = NULL;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *out = NULL;

  g_assert_nonnull (g_mkdtemp (tree));
  file = g_build_filename (tree, file_name, NULL);
  write_file (file, content, strlen (content));
  if (extra != NULL)
    {
      g_autofree char *extra_path = g_build_filename (tree, "random.bin", NULL);

      write_file (extra_path, g_bytes_get_data (extra, NULL), g_bytes_get_size (extra));
    }

  tar_path = g_strconcat (tree, ".tar", NULL);
  out = run ("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0",
             "-C", tree, "-cf", tar_path, ".", NULL);
  tar = read_file (tar_path);
  _wharf_rm_rf (tree);
  g_unlink (tar_path);

  return g_steal_pointer (&tar);
}

static GBytes *
gzip_with_tool (const char *work,
                GBytes     *data)
{
  g_autofree char *path = g_build_filename (work, "gz-input", NULL);
  g_autofree char *gz_path = g_build_filename (work, "gz-input.gz", NULL);
  g_autofree char *out = NULL;
  GBytes *gz;

  write_file (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  out = run ("gzip", "-n", "-f", path, NULL);
  gz = read_file (gz_path);
  g_unlink (gz_path);

  return gz;
}

static GBytes *
make_config (GPtrArray *diff_ids)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append (text, "{\"architecture\":\"amd64\",\"os\":\"linux\","
                         "\"config\":{\"Env\":[\"PATH=/usr/bin:/bin\"],\"Cmd\":[\"/bin/sh\"]},"
                         "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
  for (guint i = 0; i < diff_ids->len; i++)
    g_string_append_printf (text, "%s\"%s\"", i > 0 ? "," : "",
                            (const char *) g_ptr_array_index (diff_ids, i));
  g_string_append (text, "]},\"history\":[{\"created_by\":\"test one\"},"
                         "{\"created_by\":\"test two\"}]}");

  return g_string_free_to_bytes (g_steal_pointer (&text));
}

/* Two layers: a gzip one with hello.txt and 2 MiB of random data, and a
 * plain tar one with motd; an OCI manifest and config. Blobs are written
 * into @layout (made if needed) but not index.json. */
static TestImage *
make_image (const char *work,
            const char *layout,
            const char *tag_text)
{
  g_autoptr(GBytes) extra = random_bytes (2 * 1024 * 1024);
  g_autoptr(GBytes) tar1 = make_layer_tar (work, "hello.txt", tag_text, extra);
  g_autoptr(GBytes) tar2 = make_layer_tar (work, "motd", "Welcome to the second layer\n", NULL);
  g_autoptr(GBytes) gz1 = gzip_with_tool (work, tar1);
  g_autoptr(GString) manifest = g_string_new (NULL);
  TestImage *image = g_new0 (TestImage, 1);
  const char *media_types[] = { WHARF_MEDIA_TYPE_OCI_LAYER_GZIP, WHARF_MEDIA_TYPE_OCI_LAYER };

  image->layer_digests = g_ptr_array_new_with_free_func (g_free);
  image->diff_ids = g_ptr_array_new_with_free_func (g_free);
  image->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (image->diff_ids, wharf_digest_compute_bytes (tar1));
  g_ptr_array_add (image->diff_ids, wharf_digest_compute_bytes (tar2));
  g_ptr_array_add (image->layers, g_bytes_ref (gz1));
  g_ptr_array_add (image->layers, g_bytes_ref (tar2));

  image->config = make_config (image->diff_ids);
  image->config_digest = write_blob (layout, image->config);

  g_string_append_printf (manifest,
                          "{\"schemaVersion\":2,\"mediaType\":\"%s\","
                          "\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%"
                          G_GSIZE_FORMAT "},\"layers\":[",
                          WHARF_MEDIA_TYPE_OCI_MANIFEST, WHARF_MEDIA_TYPE_OCI_CONFIG,
                          image->config_digest, g_bytes_get_size (image->config));
  for (guint i = 0; i < image->layers->len; i++)
    {
      GBytes *layer = g_ptr_array_index (image->layers, i);
      char *digest = write_blob (layout, layer);

      g_ptr_array_add (image->layer_digests, digest);
      g_string_append_printf (manifest,
                              "%s{\"mediaType\":\"%s\",\"digest\":\"%s\","
                              "\"size\":%" G_GSIZE_FORMAT "}",
                              i > 0 ? "," : "", media_types[i], digest, g_bytes_get_size (layer));
    }
  g_string_append (manifest, "]}");

  image->manifest = g_string_free_to_bytes (g_steal_pointer (&manifest));
  image->manifest_digest = write_blob (layout, image->manifest);

  return image;
}

static void
write_layout_files (const char         *layout,
                    const char * const *refs,
                    const char * const *digests,
                    const gsize        *sizes)
{
  g_autoptr(GString) index = g_string_new ("{\"schemaVersion\":2,\"manifests\":[");
  g_autofree char *layout_file = g_build_filename (layout, "oci-layout", NULL);
  g_autofree char *index_file = g_build_filename (layout, "index.json", NULL);

  for (guint i = 0; digests[i] != NULL; i++)
    {
      g_string_append_printf (index,
                              "%s{\"mediaType\":\"%s\",\"digest\":\"%s\","
                              "\"size\":%" G_GSIZE_FORMAT,
                              i > 0 ? "," : "", WHARF_MEDIA_TYPE_OCI_MANIFEST,
                              digests[i], sizes[i]);
      if (refs[i] != NULL)
        g_string_append_printf (index, ",\"annotations\":{\"%s\":\"%s\"}", OCI_REF_NAME, refs[i]);
      g_string_append (index, "}");
    }
  g_string_append (index, "]}");

  write_file (layout_file, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
  write_file (index_file, index->str, index->len);
}

static TestImage *
make_oci_layout (const char *work,
                 const char *layout,
                 const char *ref)
{
  TestImage *image = make_image (work, layout, "hello from layer one\n");
  const char *refs[] = { ref, NULL };
  const char *digests[] = { image->manifest_digest, NULL };
  gsize sizes[] = { g_bytes_get_size (image->manifest) };

  write_layout_files (layout, refs, digests, sizes);
  return image;
}

/* What the engine does, in small: every blob through the destination (layers
 * decompressed for an UNCOMPRESSED one), then the manifest, then commit. */
static gboolean
copy_image_full (WharfImageSource  *src,
                 WharfImageDest    *dst,
                 GCancellable      *layer_cancellable,
                 GCancellable      *commit_cancellable,
                 GError           **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(JsonNode) manifest = NULL;
  g_autoptr(GBytes) config = NULL;
  g_autoptr(JsonNode) config_json = NULL;
  g_autoptr(GInputStream) config_stream = NULL;
  JsonObject *object;
  JsonObject *config_desc;
  JsonArray *layers;
  JsonArray *diff_ids;
  WharfDescriptor descriptor = { 0, };

  raw = src->vtable->get_manifest (src, NULL, NULL, error);
  if (raw == NULL)
    goto failed;

  manifest = parse_json_bytes (raw->bytes);
  object = json_node_get_object (manifest);
  config_desc = json_object_get_object_member (object, "config");
  layers = json_object_get_array_member (object, "layers");

  descriptor.media_type = (char *) json_object_get_string_member (config_desc, "mediaType");
  descriptor.digest = (char *) json_object_get_string_member (config_desc, "digest");
  descriptor.size = json_object_get_int_member (config_desc, "size");
  config_stream = src->vtable->get_blob (src, &descriptor, NULL, NULL, error);
  if (config_stream == NULL)
    goto failed;
  config = read_stream (config_stream, 4096, error);
  if (config == NULL)
    goto failed;
  config_json = parse_json_bytes (config);
  diff_ids = json_object_get_array_member (json_object_get_object_member (
    json_node_get_object (config_json), "rootfs"), "diff_ids");

  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (config);

    if (!dst->vtable->put_blob (dst, stream, &descriptor, NULL, NULL, NULL, error))
      goto failed;
  }

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      g_autoptr(GInputStream) stream = NULL;
      g_autofree char *written = NULL;
      gint64 size = -1;

      descriptor.media_type = (char *) json_object_get_string_member (layer, "mediaType");
      descriptor.digest = (char *) json_object_get_string_member (layer, "digest");
      descriptor.size = json_object_get_int_member (layer, "size");

      if (dst->vtable->has_blob (dst, descriptor.digest, NULL, NULL, NULL))
        continue;

      stream = src->vtable->get_blob (src, &descriptor, &size, NULL, error);
      if (stream == NULL)
        goto failed;
      g_assert_cmpint (size, ==, descriptor.size);

      if (dst->layer_form == WHARF_LAYER_FORM_UNCOMPRESSED)
        {
          g_autoptr(GInputStream) plain = _wharf_decompress_stream_new (stream);

          descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
          descriptor.digest = (char *) json_array_get_string_element (diff_ids, i);
          descriptor.size = -1;
          if (!dst->vtable->put_blob (dst, plain, &descriptor, &written, NULL,
                                      layer_cancellable, error))
            goto failed;
        }
      else if (!dst->vtable->put_blob (dst, stream, &descriptor, &written, NULL,
                                       layer_cancellable, error))
        goto failed;

      g_assert_cmpstr (written, ==, descriptor.digest);
    }

  if (!dst->vtable->put_manifest (dst, raw->bytes, raw->media_type, raw->digest, TRUE,
                                  NULL, error))
    goto failed;

  if (!dst->vtable->commit (dst, commit_cancellable, error))
    goto failed;

  return TRUE;

failed:
  dst->vtable->abort (dst);
  return FALSE;
}

static gboolean
copy_image (WharfImageSource  *src,
            WharfImageDest    *dst,
            GError           **error)
{
  return copy_image_full (src, dst, NULL, NULL, error);
}

static GBytes *
read_blob (WharfImageSource  *src,
           const char        *digest,
           gint64             size,
           GError           **error)
{
  WharfDescriptor descriptor = { 0, };
  g_autoptr(GInputStream) stream = NULL;
  gint64 out_size = -2;

  descriptor.digest = (char *) digest;
  descriptor.size = size;
  stream = src->vtable->get_blob (src, &descriptor, &out_size, NULL, error);
  if (stream == NULL)
    return NULL;
  if (size >= 0)
    g_assert_cmpint (out_size, ==, size);

  return read_stream (stream, 65536, error);
}

static void
assert_source_matches (WharfImageSource *src,
                       TestImage        *image)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = src->vtable->get_manifest (src, NULL, NULL, &error);
  g_autoptr(GBytes) config = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (raw->digest, ==, image->manifest_digest);
  g_assert_cmpstr (raw->media_type, ==, WHARF_MEDIA_TYPE_OCI_MANIFEST);
  g_assert_true (g_bytes_equal (raw->bytes, image->manifest));

  config = read_blob (src, image->config_digest, g_bytes_get_size (image->config), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (config, image->config));

  for (guint i = 0; i < image->layers->len; i++)
    {
      GBytes *expected = g_ptr_array_index (image->layers, i);
      g_autoptr(GBytes) layer = read_blob (src, g_ptr_array_index (image->layer_digests, i),
                                           g_bytes_get_size (expected), &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (layer, expected));
    }
}

static char *
skopeo_digest (const char *location)
{
  g_autofree char *out = run ("skopeo", "--insecure-policy", "inspect", location, NULL);
  g_autoptr(JsonNode) root = parse_json (out, -1);

  return g_strdup (json_object_get_string_member (json_node_get_object (root), "Digest"));
}

/* The manifest skopeo makes up for a docker-archive. */
static JsonNode *
skopeo_raw_manifest (const char *location)
{
  g_autofree char *out = run ("skopeo", "--insecure-policy", "inspect", "--raw", location, NULL);

  return parse_json (out, -1);
}

/* OCI layouts */

static void
test_oci_read (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (src->supports_parallel);
  assert_source_matches (src, image);
  _wharf_image_source_free (src);

  /* The only image, without naming it. */
  src = _wharf_oci_source_new (layout, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_source_matches (src, image);
  _wharf_image_source_free (src);

  src = _wharf_oci_source_new (layout, FALSE, "nope", NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_true (strstr (error->message, "v1") != NULL);
  g_clear_error (&error);

  /* Two named images: no name is an error that lists both. */
  {
    const char *refs[] = { "v1", "v2", NULL };
    const char *digests[] = { image->manifest_digest, image->manifest_digest, NULL };
    gsize sizes[] = { g_bytes_get_size (image->manifest), g_bytes_get_size (image->manifest) };

    write_layout_files (layout, refs, digests, sizes);
  }
  src = _wharf_oci_source_new (layout, FALSE, NULL, NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_FAILED);
  g_assert_true (strstr (error->message, "v1") != NULL);
  g_assert_true (strstr (error->message, "v2") != NULL);
  g_clear_error (&error);

  src = _wharf_oci_source_new (layout, FALSE, "v2", NULL, &error);
  g_assert_no_error (error);
  assert_source_matches (src, image);

  /* A blob that is not there is named in the error. */
  {
    g_autofree char *missing = g_build_filename (layout, "blobs", "sha256",
                                                 wharf_digest_get_encoded (image->config_digest),
                                                 NULL);
    g_autoptr(GBytes) none = NULL;

    g_assert_cmpint (g_unlink (missing), ==, 0);
    none = read_blob (src, image->config_digest, -1, &error);
    g_assert_null (none);
    g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
    g_assert_true (strstr (error->message, image->config_digest) != NULL);
    g_clear_error (&error);
  }
  _wharf_image_source_free (src);

  src = _wharf_oci_source_new (work, FALSE, NULL, NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_true (strstr (error->message, "oci-layout") != NULL);
  g_clear_error (&error);

  _wharf_rm_rf (work);
}

static void
test_oci_write (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *out_layout = g_build_filename (work, "out", "nested", NULL);
  g_autofree char *bundle = g_build_filename (work, "bundle", NULL);
  g_autofree char *hello = g_build_filename (bundle, "rootfs", "hello.txt", NULL);
  g_autofree char *motd = g_build_filename (bundle, "rootfs", "motd", NULL);
  g_autofree char *with_ref = NULL;
  g_autofree char *ls = NULL;
  g_autofree char *out = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *image_ref = NULL;
  g_autofree char *index_path = g_build_filename (out_layout, "index.json", NULL);
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GBytes) hello_bytes = NULL;
  g_autoptr(GBytes) index = NULL;
  g_autoptr(JsonNode) index_json = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;
  WharfImageDest *dst;
  JsonArray *manifests;

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);

  dst = _wharf_oci_dest_new (out_layout, FALSE, "copied", &error);
  g_assert_no_error (error);
  g_assert_true (dst->keeps_index);
  g_assert_cmpint (dst->layer_form, ==, WHARF_LAYER_FORM_ANY);
  /* Nothing is written before the first blob. */
  g_assert_false (g_file_test (out_layout, G_FILE_TEST_EXISTS));
  g_assert_true (copy_image (src, dst, &error));
  g_assert_no_error (error);
  _wharf_image_dest_free (dst);

  /* umoci and skopeo, independent readers, agree. */
  ls = run ("umoci", "ls", "--layout", out_layout, NULL);
  g_assert_cmpstr (g_strstrip (ls), ==, "copied");

  image_ref = g_strdup_printf ("%s:copied", out_layout);
  out = run ("umoci", "unpack", "--rootless", "--image", image_ref, bundle, NULL);
  hello_bytes = read_file (hello);
  g_assert_cmpmem (g_bytes_get_data (hello_bytes, NULL), g_bytes_get_size (hello_bytes),
                   "hello from layer one\n", 21);
  g_assert_true (g_file_test (motd, G_FILE_TEST_IS_REGULAR));

  with_ref = g_strdup_printf ("oci:%s:copied", out_layout);
  digest = skopeo_digest (with_ref);
  g_assert_cmpstr (digest, ==, image->manifest_digest);

  /* A second name in the same layout keeps the first; the same name again
   * replaces its entry instead of adding one. */
  for (guint round = 0; round < 2; round++)
    {
      dst = _wharf_oci_dest_new (out_layout, FALSE, "second", &error);
      g_assert_no_error (error);
      g_assert_true (copy_image (src, dst, &error));
      g_assert_no_error (error);
      _wharf_image_dest_free (dst);
    }

  index = read_file (index_path);
  index_json = parse_json_bytes (index);
  manifests = json_object_get_array_member (json_node_get_object (index_json), "manifests");
  g_assert_cmpuint (json_array_get_length (manifests), ==, 2);
  g_clear_pointer (&ls, g_free);
  ls = run ("umoci", "ls", "--layout", out_layout, NULL);
  g_assert_true (strstr (ls, "copied") != NULL);
  g_assert_true (strstr (ls, "second") != NULL);

  /* No temp files left among the blobs. */
  {
    g_autofree char *blobs = g_build_filename (out_layout, "blobs", "sha256", NULL);

    assert_dir_holds (blobs, 4);
  }

  _wharf_image_source_free (src);
  _wharf_rm_rf (work);
}

/* OCI archives */

typedef struct
{
  WharfImageSource *src;
  const char       *digest;
  GBytes           *expected;
} ReadJob;

static gpointer
read_job_thread (gpointer data)
{
  ReadJob *job = data;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) got = read_blob (job->src, job->digest, g_bytes_get_size (job->expected),
                                         &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (got, job->expected));
    }

  return NULL;
}

static void
test_oci_archive (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *out_dir = g_build_filename (work, "out", NULL);
  g_autofree char *archive = g_build_filename (out_dir, "image.tar", NULL);
  g_autofree char *archive_gz = g_build_filename (out_dir, "image.tar.gz", NULL);
  g_autofree char *location = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *out = NULL;
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;
  WharfImageSource *back;
  WharfImageDest *dst;
  GThread *threads[2];
  ReadJob jobs[2];

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);
  dst = _wharf_oci_dest_new (archive, TRUE, "arch", &error);
  g_assert_no_error (error);
  g_assert_true (copy_image (src, dst, &error));
  g_assert_no_error (error);
  _wharf_image_dest_free (dst);
  _wharf_image_source_free (src);

  /* Only the archive is left: no staging folder, no temp file. */
  assert_dir_holds (out_dir, 1);

  location = g_strdup_printf ("oci-archive:%s:arch", archive);
  digest = skopeo_digest (location);
  g_assert_cmpstr (digest, ==, image->manifest_digest);

  back = _wharf_oci_source_new (archive, TRUE, "arch", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (back->supports_parallel);
  assert_source_matches (back, image);

  /* Read in place: two threads at once over one descriptor. */
  for (guint i = 0; i < 2; i++)
    {
      jobs[i].src = back;
      jobs[i].digest = g_ptr_array_index (image->layer_digests, i);
      jobs[i].expected = g_ptr_array_index (image->layers, i);
      threads[i] = g_thread_new ("reader", read_job_thread, &jobs[i]);
    }
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  _wharf_image_source_free (back);

  /* A compressed archive is read in order, one blob at a time. */
  out = run ("gzip", "-k", archive, NULL);
  g_assert_true (g_file_test (archive_gz, G_FILE_TEST_IS_REGULAR));
  back = _wharf_oci_source_new (archive_gz, TRUE, "arch", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (back->supports_parallel);
  assert_source_matches (back, image);
  _wharf_image_source_free (back);

  _wharf_rm_rf (work);
}

/* docker-archive */

static void
assert_docker_source (WharfImageSource *src,
                      TestImage        *image,
                      JsonNode         *skopeo_manifest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = src->vtable->get_manifest (src, NULL, NULL, &error);
  g_autoptr(JsonNode) manifest = NULL;
  g_autofree char *raw_digest = NULL;
  JsonObject *object;
  JsonObject *config;
  JsonArray *layers;

  g_assert_no_error (error);
  g_assert_cmpstr (raw->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  raw_digest = wharf_digest_compute_bytes (raw->bytes);
  g_assert_cmpstr (raw->digest, ==, raw_digest);

  manifest = parse_json_bytes (raw->bytes);
  object = json_node_get_object (manifest);
  g_assert_cmpstr (json_object_get_string_member (object, "mediaType"), ==,
                   WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  config = json_object_get_object_member (object, "config");
  g_assert_cmpstr (json_object_get_string_member (config, "mediaType"), ==,
                   WHARF_MEDIA_TYPE_DOCKER_CONFIG);
  g_assert_cmpstr (json_object_get_string_member (config, "digest"), ==, image->config_digest);

  if (skopeo_manifest != NULL)
    {
      JsonObject *theirs = json_node_get_object (skopeo_manifest);
      JsonArray *their_layers = json_object_get_array_member (theirs, "layers");

      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (theirs, "config"), "digest"),
                       ==, image->config_digest);
      layers = json_object_get_array_member (object, "layers");
      g_assert_cmpuint (json_array_get_length (layers), ==, json_array_get_length (their_layers));
      for (guint i = 0; i < json_array_get_length (layers); i++)
        {
          JsonObject *ours = json_array_get_object_element (layers, i);
          JsonObject *their = json_array_get_object_element (their_layers, i);

          g_assert_cmpstr (json_object_get_string_member (ours, "digest"), ==,
                           json_object_get_string_member (their, "digest"));
        }
    }

  /* Plain layers go by their diff IDs and read back verified. */
  layers = json_object_get_array_member (object, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, image->diff_ids->len);
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      const char *digest = json_object_get_string_member (layer, "digest");
      g_autoptr(GBytes) data = NULL;
      g_autofree char *data_digest = NULL;

      g_assert_cmpstr (json_object_get_string_member (layer, "mediaType"), ==,
                       WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR);
      g_assert_cmpstr (digest, ==, g_ptr_array_index (image->diff_ids, i));
      data = read_blob (src, digest, json_object_get_int_member (layer, "size"), &error);
      g_assert_no_error (error);
      data_digest = wharf_digest_compute_bytes (data);
      g_assert_cmpstr (data_digest, ==, digest);
    }
}

static void
test_docker_archive_from_skopeo (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *archive = g_build_filename (work, "skopeo.tar", NULL);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *out = NULL;
  g_autofree char *inspect = NULL;
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(JsonNode) theirs = NULL;
  g_autoptr(GError) error = NULL;
  const char *refs[] = { "foo:1", "docker.io/library/foo:1", "@0", NULL };
  WharfImageSource *src;

  from = g_strdup_printf ("oci:%s:v1", layout);
  to = g_strdup_printf ("docker-archive:%s:foo:1", archive);
  out = run ("skopeo", "--insecure-policy", "copy", "--quiet", from, to, NULL);

  inspect = g_strdup_printf ("docker-archive:%s", archive);
  theirs = skopeo_raw_manifest (inspect);

  for (guint i = 0; refs[i] != NULL; i++)
    {
      src = _wharf_docker_archive_source_new (archive, refs[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (src->supports_parallel);
      assert_docker_source (src, image, theirs);
      _wharf_image_source_free (src);
    }

  src = _wharf_docker_archive_source_new (archive, "foo:2", NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_true (strstr (error->message, "foo:1") != NULL);
  g_clear_error (&error);

  _wharf_rm_rf (work);
}

static void
test_docker_archive_write (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *out_dir = g_build_filename (work, "out", NULL);
  g_autofree char *archive = g_build_filename (out_dir, "image.tar", NULL);
  g_autofree char *location = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *to_oci = NULL;
  g_autofree char *from = NULL;
  g_autofree char *out = NULL;
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(JsonNode) theirs = NULL;
  g_autoptr(JsonNode) manifest_json = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;
  WharfImageSource *back;
  WharfImageDest *dst;
  JsonObject *item;
  JsonArray *repo_tags;

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 2; round++)
    {
      /* The second round replaces the first archive. */
      dst = _wharf_docker_archive_dest_new (archive, "bar:2", &error);
      g_assert_no_error (error);
      g_assert_false (dst->keeps_index);
      g_assert_cmpint (dst->layer_form, ==, WHARF_LAYER_FORM_UNCOMPRESSED);
      g_assert_true (copy_image (src, dst, &error));
      g_assert_no_error (error);
      _wharf_image_dest_free (dst);
      assert_dir_holds (out_dir, 1);
    }

  /* skopeo reads it: same config, layers by diff ID. */
  location = g_strdup_printf ("docker-archive:%s", archive);
  theirs = skopeo_raw_manifest (location);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_node_get_object (theirs), "config"),
                     "digest"),
                   ==, image->config_digest);

  /* The layout docker load takes. */
  listing = run ("tar", "-tf", archive, NULL);
  for (guint i = 0; i < image->diff_ids->len; i++)
    {
      const char *diff_id = g_ptr_array_index (image->diff_ids, i);
      g_autofree char *name = g_strdup_printf ("%s/layer.tar", wharf_digest_get_encoded (diff_id));

      g_assert_true (strstr (listing, name) != NULL);
    }
  g_assert_true (strstr (listing, "repositories") != NULL);
  manifest_text = run ("tar", "-xOf", archive, "manifest.json", NULL);
  manifest_json = parse_json (manifest_text, -1);
  item = json_array_get_object_element (json_node_get_array (manifest_json), 0);
  repo_tags = json_object_get_array_member (item, "RepoTags");
  g_assert_cmpuint (json_array_get_length (repo_tags), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (repo_tags, 0), ==, "docker.io/library/bar:2");

  /* And so do we, by either name. */
  back = _wharf_docker_archive_source_new (archive, "bar:2", NULL, &error);
  g_assert_no_error (error);
  assert_docker_source (back, image, theirs);
  _wharf_image_source_free (back);

  /* skopeo can take it on to an OCI layout, layers and all. */
  from = g_strdup_printf ("docker-archive:%s:bar:2", archive);
  to_oci = g_strdup_printf ("oci:%s/from-archive:x", work);
  out = run ("skopeo", "--insecure-policy", "copy", "--quiet", from, to_oci, NULL);

  _wharf_image_source_free (src);
  _wharf_rm_rf (work);
}

/* libarchive, an independent writer, for archives made to order. */
typedef struct
{
  const char *name;
  GBytes     *data;     /* NULL: a directory, unless symlink is set */
  const char *symlink;
} TarEntry;

static void
write_tar (const char     *path,
           const TarEntry *entries,
           guint           n_entries)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);

  for (guint i = 0; i < n_entries; i++)
    {
      struct archive_entry *entry = archive_entry_new ();

      archive_entry_set_pathname (entry, entries[i].name);
      archive_entry_set_mtime (entry, 0, 0);
      if (entries[i].symlink != NULL)
        {
          archive_entry_set_filetype (entry, AE_IFLNK);
          archive_entry_set_perm (entry, 0777);
          archive_entry_set_symlink (entry, entries[i].symlink);
        }
      else if (entries[i].data == NULL)
        {
          archive_entry_set_filetype (entry, AE_IFDIR);
          archive_entry_set_perm (entry, 0755);
        }
      else
        {
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, g_bytes_get_size (entries[i].data));
        }

      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      if (entries[i].data != NULL && g_bytes_get_size (entries[i].data) > 0)
        g_assert_cmpint (archive_write_data (a, g_bytes_get_data (entries[i].data, NULL),
                                             g_bytes_get_size (entries[i].data)),
                         ==, g_bytes_get_size (entries[i].data));
      archive_entry_free (entry);
    }

  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static char *
blob_name (const char *digest)
{
  return g_strdup_printf ("blobs/sha256/%s", wharf_digest_get_encoded (digest));
}

/* Docker 25+: OCI-style blobs, manifest.json paths into them; one layer
 * kept gzip-compressed as the containerd store may. */
static void
test_docker_archive_docker25 (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *archive = g_build_filename (work, "docker25.tar", NULL);
  g_autoptr(TestImage) image = make_image (work, layout, "docker 25\n");
  GBytes *gz_layer = g_ptr_array_index (image->layers, 0);
  GBytes *plain_layer = g_ptr_array_index (image->layers, 1);
  const char *gz_digest = g_ptr_array_index (image->layer_digests, 0);
  const char *plain_digest = g_ptr_array_index (image->diff_ids, 1);
  g_autofree char *config_name = blob_name (image->config_digest);
  g_autofree char *gz_name = blob_name (gz_digest);
  g_autofree char *plain_name = blob_name (plain_digest);
  g_autofree char *manifest_text = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GBytes) layout_file = text_bytes ("{\"imageLayoutVersion\":\"1.0.0\"}");
  g_autoptr(GBytes) index = text_bytes ("{\"schemaVersion\":2,\"manifests\":[]}");
  g_autoptr(GBytes) repositories = text_bytes ("{\"foo\":{\"1\":\"x\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(JsonNode) raw_json = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *gz_hash = NULL;
  JsonArray *layers;
  WharfImageSource *src;

  /* Two images: the second is the first under another name. */
  manifest_text = g_strdup_printf ("[{\"Config\":\"%s\",\"RepoTags\":[\"foo:1\"],"
                                   "\"Layers\":[\"%s\",\"./%s\"]},"
                                   "{\"Config\":\"%s\",\"RepoTags\":[\"example.com/other:2\"],"
                                   "\"Layers\":[\"%s\",\"%s\"]}]",
                                   config_name, gz_name, plain_name,
                                   config_name, gz_name, plain_name);
  manifest = text_bytes (manifest_text);

  {
    const TarEntry entries[] = {
      { "blobs/", NULL, NULL },
      { "blobs/sha256/", NULL, NULL },
      { config_name, image->config, NULL },
      { gz_name, gz_layer, NULL },
      { plain_name, plain_layer, NULL },
      { "index.json", index, NULL },
      { "manifest.json", manifest, NULL },
      { "oci-layout", layout_file, NULL },
      { "repositories", repositories, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
  }

  src = _wharf_docker_archive_source_new (archive, NULL, NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_FAILED);
  g_assert_true (strstr (error->message, "foo:1") != NULL);
  g_assert_true (strstr (error->message, "example.com/other:2") != NULL);
  g_clear_error (&error);

  src = _wharf_docker_archive_source_new (archive, "@1", NULL, &error);
  g_assert_no_error (error);
  _wharf_image_source_free (src);

  src = _wharf_docker_archive_source_new (archive, "@2", NULL, &error);
  g_assert_null (src);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_clear_error (&error);

  src = _wharf_docker_archive_source_new (archive, "docker.io/library/foo:1", NULL, &error);
  g_assert_no_error (error);

  raw = src->vtable->get_manifest (src, NULL, NULL, &error);
  g_assert_no_error (error);
  raw_json = parse_json_bytes (raw->bytes);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_node_get_object (raw_json), "config"),
                     "digest"), ==, image->config_digest);
  layers = json_object_get_array_member (json_node_get_object (raw_json), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 2);

  /* gzip by magic bytes: its own digest; plain: the diff ID. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 0),
                                                  "mediaType"),
                   ==, WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 0),
                                                  "digest"), ==, gz_digest);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (layers, 0), "size"),
                   ==, g_bytes_get_size (gz_layer));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 1),
                                                  "mediaType"),
                   ==, WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 1),
                                                  "digest"), ==, plain_digest);

  data = read_blob (src, gz_digest, g_bytes_get_size (gz_layer), &error);
  g_assert_no_error (error);
  gz_hash = wharf_digest_compute_bytes (data);
  g_assert_cmpstr (gz_hash, ==, gz_digest);
  _wharf_image_source_free (src);

  _wharf_rm_rf (work);
}

static void
test_docker_archive_zstd_layer (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *archive = g_build_filename (work, "zstd.tar", NULL);
  g_autoptr(GBytes) plain = compressible_bytes (300000);
  g_autoptr(GBytes) zst = wharf_compress (plain, WHARF_COMPRESSION_ZSTD);
  g_autofree char *diff_id = wharf_digest_compute_bytes (plain);
  g_autofree char *zst_digest = wharf_digest_compute_bytes (zst);
  g_autoptr(GPtrArray) diff_ids = g_ptr_array_new ();
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = text_bytes ("[{\"Config\":\"c.json\",\"RepoTags\":null,"
                                                 "\"Layers\":[\"l/layer.tar\"]}]");
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(JsonNode) raw_json = NULL;
  JsonObject *layer;
  WharfImageSource *src;

  g_ptr_array_add (diff_ids, diff_id);
  config = make_config (diff_ids);

  {
    const TarEntry entries[] = {
      { "manifest.json", manifest, NULL },
      { "c.json", config, NULL },
      { "l/", NULL, NULL },
      { "l/layer.tar", zst, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
  }

  src = _wharf_docker_archive_source_new (archive, NULL, NULL, &error);
  g_assert_no_error (error);
  raw = src->vtable->get_manifest (src, NULL, NULL, &error);
  g_assert_no_error (error);
  raw_json = parse_json_bytes (raw->bytes);
  layer = json_array_get_object_element (json_object_get_array_member (
                                           json_node_get_object (raw_json), "layers"), 0);
  g_assert_cmpstr (json_object_get_string_member (layer, "mediaType"), ==,
                   WHARF_MEDIA_TYPE_OCI_LAYER_ZSTD);
  g_assert_cmpstr (json_object_get_string_member (layer, "digest"), ==, zst_digest);
  _wharf_image_source_free (src);

  _wharf_rm_rf (work);
}

/* Older docker save: <id>/layer.tar, and a second image's layer as a
 * symbolic link to the first, which we follow inside the archive. */
static void
test_docker_archive_legacy_links (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *archive = g_build_filename (work, "legacy.tar", NULL);
  g_autoptr(GBytes) layer = compressible_bytes (10240);
  g_autofree char *diff_id = wharf_digest_compute_bytes (layer);
  g_autoptr(GPtrArray) diff_ids = g_ptr_array_new ();
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = text_bytes ("[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\"],"
                                                 "\"Layers\":[\"bbb/layer.tar\"]}]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  WharfImageSource *src;

  g_ptr_array_add (diff_ids, diff_id);
  config = make_config (diff_ids);

  {
    const TarEntry entries[] = {
      { "aaa/", NULL, NULL },
      { "aaa/layer.tar", layer, NULL },
      { "bbb/", NULL, NULL },
      { "bbb/layer.tar", NULL, "../aaa/layer.tar" },
      { "c.json", config, NULL },
      { "manifest.json", manifest, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
  }

  src = _wharf_docker_archive_source_new (archive, "a:1", NULL, &error);
  g_assert_no_error (error);
  data = read_blob (src, diff_id, g_bytes_get_size (layer), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (data, layer));
  _wharf_image_source_free (src);

  _wharf_rm_rf (work);
}

/* Layers that arrive at once: the first (A) streams into the archive; D
 * arrives whole meanwhile and is staged, then moved in when A is done; B,
 * halfway when A is done, moves in with what it staged and goes on; a
 * damaged C is cut back out. Told apart by the order of the entries. */

#define TEST_TYPE_GATED_STREAM (test_gated_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestGatedStream, test_gated_stream, TEST, GATED_STREAM, GFilterInputStream)

struct _TestGatedStream
{
  GFilterInputStream parent_instance;
  gsize              gate_at;   /* bytes handed out before the gate */
  gsize              done;
  GMutex             mutex;
  GCond              cond;
  gboolean           waiting;   /* reached the gate */
  gboolean           open;
};

G_DEFINE_FINAL_TYPE (TestGatedStream, test_gated_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
test_gated_stream_read_fn (GInputStream  *stream,
                           void          *buffer,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  TestGatedStream *self = TEST_GATED_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  if (self->done >= self->gate_at)
    {
      g_mutex_lock (&self->mutex);
      self->waiting = TRUE;
      g_cond_broadcast (&self->cond);
      while (!self->open)
        g_cond_wait (&self->cond, &self->mutex);
      g_mutex_unlock (&self->mutex);
    }
  else
    count = MIN (count, self->gate_at - self->done);

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n > 0)
    self->done += n;

  return n;
}

static void
test_gated_stream_finalize (GObject *object)
{
  TestGatedStream *self = TEST_GATED_STREAM (object);

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (test_gated_stream_parent_class)->finalize (object);
}

static void
test_gated_stream_class_init (TestGatedStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_gated_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_gated_stream_read_fn;
}

static void
test_gated_stream_init (TestGatedStream *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}

static TestGatedStream *
gated_stream_new (GBytes *bytes,
                  gsize   gate_at)
{
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (bytes);
  TestGatedStream *self = g_object_new (TEST_TYPE_GATED_STREAM, "base-stream", base, NULL);

  self->gate_at = gate_at;
  return self;
}

static void
gated_stream_wait (TestGatedStream *self)
{
  g_mutex_lock (&self->mutex);
  while (!self->waiting)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

static void
gated_stream_open (TestGatedStream *self)
{
  g_mutex_lock (&self->mutex);
  self->open = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

typedef struct
{
  WharfImageDest  *dst;
  GInputStream    *stream;
  WharfDescriptor  descriptor;
  char            *written;
  GError          *error;
} PutJob;

static gpointer
put_job_thread (gpointer data)
{
  PutJob *job = data;

  job->dst->vtable->put_blob (job->dst, job->stream, &job->descriptor, &job->written, NULL,
                              NULL, &job->error);
  return NULL;
}

static GPtrArray *
list_archive (const char *path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;

  archive_read_support_format_tar (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
    g_ptr_array_add (names, g_strdup (archive_entry_pathname (entry)));
  archive_read_free (a);

  return names;
}

static void
test_docker_archive_interleaved (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *out_dir = g_build_filename (work, "out", NULL);
  g_autofree char *archive = g_build_filename (out_dir, "image.tar", NULL);
  g_autofree char *location = NULL;
  g_autoptr(GBytes) layer_a = random_bytes (600 * 1024 + 7);
  g_autoptr(GBytes) layer_b = random_bytes (300 * 1024 + 3);
  g_autoptr(GBytes) layer_c = random_bytes (100 * 1024);
  g_autoptr(GBytes) layer_d = random_bytes (200 * 1024 + 11);
  g_autoptr(GPtrArray) diff_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(TestGatedStream) stream_a = gated_stream_new (layer_a, 64 * 1024);
  g_autoptr(TestGatedStream) stream_b = gated_stream_new (layer_b, 4096);
  g_autoptr(GInputStream) stream_c = g_memory_input_stream_new_from_bytes (layer_c);
  g_autoptr(GInputStream) stream_d = g_memory_input_stream_new_from_bytes (layer_d);
  g_autoptr(GInputStream) config_stream = NULL;
  g_autoptr(JsonNode) theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_digest = NULL;
  g_autofree char *config_name = NULL;
  g_autofree char *config_written = NULL;
  g_autofree char *c_written = NULL;
  WharfDescriptor descriptor = { 0, };
  PutJob job_a = { 0, };
  PutJob job_b = { 0, };
  PutJob job_d = { 0, };
  GThread *thread_a;
  GThread *thread_b;
  GThread *thread_d;
  const char *order[] = { "A", "D", "B" };
  GBytes *order_data[3];
  WharfImageSource *back;
  WharfImageDest *dst;

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  g_ptr_array_add (diff_ids, wharf_digest_compute_bytes (layer_a));
  g_ptr_array_add (diff_ids, wharf_digest_compute_bytes (layer_b));
  g_ptr_array_add (diff_ids, wharf_digest_compute_bytes (layer_d));
  config = make_config (diff_ids);
  config_digest = wharf_digest_compute_bytes (config);
  {
    char *text = g_strdup_printf (
      "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
      "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT "},\"layers\":[]}",
      WHARF_MEDIA_TYPE_DOCKER_MANIFEST, WHARF_MEDIA_TYPE_DOCKER_CONFIG, config_digest,
      g_bytes_get_size (config));

    manifest = g_bytes_new_take (text, strlen (text));
  }

  dst = _wharf_docker_archive_dest_new (archive, "x:1", &error);
  g_assert_no_error (error);

  /* A takes the archive and stops halfway; B arrives meanwhile. */
  job_a.dst = job_b.dst = job_d.dst = dst;
  job_a.stream = G_INPUT_STREAM (stream_a);
  job_a.descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
  job_a.descriptor.digest = g_ptr_array_index (diff_ids, 0);
  job_a.descriptor.size = -1;
  job_b.stream = G_INPUT_STREAM (stream_b);
  job_b.descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
  job_b.descriptor.digest = g_ptr_array_index (diff_ids, 1);
  job_b.descriptor.size = g_bytes_get_size (layer_b);
  job_d.stream = stream_d;
  job_d.descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
  job_d.descriptor.digest = g_ptr_array_index (diff_ids, 2);
  job_d.descriptor.size = -1;

  thread_a = g_thread_new ("put-a", put_job_thread, &job_a);
  gated_stream_wait (stream_a);
  thread_b = g_thread_new ("put-b", put_job_thread, &job_b);
  gated_stream_wait (stream_b);
  thread_d = g_thread_new ("put-d", put_job_thread, &job_d);
  g_thread_join (thread_d);
  g_assert_no_error (job_d.error);
  g_assert_cmpstr (job_d.written, ==, g_ptr_array_index (diff_ids, 2));

  /* A ends; then B goes on and finds the archive free. */
  gated_stream_open (stream_a);
  g_thread_join (thread_a);
  g_assert_no_error (job_a.error);
  g_assert_cmpstr (job_a.written, ==, g_ptr_array_index (diff_ids, 0));
  gated_stream_open (stream_b);
  g_thread_join (thread_b);
  g_assert_no_error (job_b.error);
  g_assert_cmpstr (job_b.written, ==, g_ptr_array_index (diff_ids, 1));
  g_assert_true (dst->vtable->has_blob (dst, g_ptr_array_index (diff_ids, 1), NULL, NULL, NULL));

  /* C does not match its digest: refused, and cut out of the archive. */
  descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;
  descriptor.digest =
    (char *) "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  descriptor.size = -1;
  g_assert_false (dst->vtable->put_blob (dst, stream_c, &descriptor, &c_written, NULL, NULL,
                                         &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
  g_clear_error (&error);
  g_assert_false (dst->vtable->has_blob (dst, descriptor.digest, NULL, NULL, NULL));

  descriptor.media_type = (char *) WHARF_MEDIA_TYPE_DOCKER_CONFIG;
  descriptor.digest = config_digest;
  descriptor.size = g_bytes_get_size (config);
  config_stream = g_memory_input_stream_new_from_bytes (config);
  g_assert_true (dst->vtable->put_blob (dst, config_stream, &descriptor, &config_written, NULL,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config_written, ==, config_digest);
  g_assert_true (dst->vtable->put_manifest (dst, manifest, WHARF_MEDIA_TYPE_DOCKER_MANIFEST,
                                            NULL, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dst->vtable->commit (dst, NULL, &error));
  g_assert_no_error (error);
  _wharf_image_dest_free (dst);
  assert_dir_holds (out_dir, 1);

  /* A, D, B, all in before commit wrote the config; nothing of C. */
  names = list_archive (archive);
  config_name = g_strdup_printf ("%s.json", wharf_digest_get_encoded (config_digest));
  g_assert_cmpuint (names->len, ==, 9);
  for (guint i = 0; i < 3; i++)
    {
      guint index = order[i][0] == 'A' ? 0 : order[i][0] == 'B' ? 1 : 2;
      const char *hex = wharf_digest_get_encoded (g_ptr_array_index (diff_ids, index));
      g_autofree char *dir_name = g_strdup_printf ("%s/", hex);
      g_autofree char *file_name = g_strdup_printf ("%s/layer.tar", hex);

      g_test_message ("layer %s", order[i]);
      g_assert_cmpstr (g_ptr_array_index (names, 2 * i), ==, dir_name);
      g_assert_cmpstr (g_ptr_array_index (names, 2 * i + 1), ==, file_name);
    }
  g_assert_cmpstr (g_ptr_array_index (names, 6), ==, config_name);
  g_assert_cmpstr (g_ptr_array_index (names, 7), ==, "manifest.json");
  g_assert_cmpstr (g_ptr_array_index (names, 8), ==, "repositories");

  /* Read back by us, layers verified, and by skopeo. */
  back = _wharf_docker_archive_source_new (archive, "x:1", NULL, &error);
  g_assert_no_error (error);
  order_data[0] = layer_a;
  order_data[1] = layer_b;
  order_data[2] = layer_d;
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) data = read_blob (back, g_ptr_array_index (diff_ids, i), -1, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (data, order_data[i]));
    }
  _wharf_image_source_free (back);

  location = g_strdup_printf ("docker-archive:%s", archive);
  theirs = skopeo_raw_manifest (location);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_node_get_object (theirs), "config"),
                     "digest"),
                   ==, config_digest);

  g_free (job_a.written);
  g_free (job_b.written);
  g_free (job_d.written);
  _wharf_rm_rf (work);
}

/* Headers made by hand: a name only pax can hold, one split into ustar's
 * prefix, and a size past ustar's 8 GiB (base-256), read by libarchive and
 * GNU tar. The big entry's data is a hole. */
static void
test_tar_raw_headers (void)
{
  const guint64 big = G_GUINT64_CONSTANT (9) * 1024 * 1024 * 1024 + 5;
  g_autofree char *work = make_temp_dir ();
  g_autofree char *path = g_build_filename (work, "raw.tar", NULL);
  g_autofree char *pax_name = g_strnfill (180, 'p');
  g_autofree char *dirs = g_strnfill (120, 'd');
  g_autofree char *split_name = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *big_line = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) header = NULL;
  struct archive *a;
  struct archive_entry *entry;
  guint8 block[WHARF_TAR_BLOCK_SIZE];
  int fd;

  split_name = g_strdup_printf ("%s/layer.tar", dirs);

  /* pax: 3 bytes of data; split: no data; big: patched like a streamed layer. */
  header = _wharf_tar_header_new (pax_name, FALSE, 3, 0);
  g_assert_cmpuint (g_bytes_get_size (header) % WHARF_TAR_BLOCK_SIZE, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (header), >, WHARF_TAR_BLOCK_SIZE);
  g_byte_array_append (data, g_bytes_get_data (header, NULL), g_bytes_get_size (header));
  g_byte_array_append (data, (const guint8 *) "abc", 3);
  g_byte_array_set_size (data, data->len + _wharf_tar_padding (3));
  memset (data->data + data->len - _wharf_tar_padding (3), 0, _wharf_tar_padding (3));
  g_clear_pointer (&header, g_bytes_unref);

  header = _wharf_tar_header_new (split_name, FALSE, 0, 1700000000);
  g_assert_cmpuint (g_bytes_get_size (header), ==, WHARF_TAR_BLOCK_SIZE);
  g_byte_array_append (data, g_bytes_get_data (header, NULL), g_bytes_get_size (header));
  g_clear_pointer (&header, g_bytes_unref);

  header = _wharf_tar_header_new ("big", FALSE, 0, 1700000000);
  memcpy (block, g_bytes_get_data (header, NULL), sizeof block);
  _wharf_tar_header_set_size (block, big);
  g_byte_array_append (data, block, sizeof block);
  g_clear_pointer (&header, g_bytes_unref);

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (_wharf_write_at (fd, data->data, data->len, 0, NULL));
  header = _wharf_tar_header_new ("after", FALSE, 2, 0);
  {
    goffset at = data->len + big + _wharf_tar_padding (big);
    static const guint8 zeros[3 * WHARF_TAR_BLOCK_SIZE] = { 0, };

    g_assert_true (_wharf_write_at (fd, g_bytes_get_data (header, NULL),
                                    g_bytes_get_size (header), at, NULL));
    at += g_bytes_get_size (header);
    g_assert_true (_wharf_write_at (fd, "ok", 2, at, NULL));
    g_assert_true (_wharf_write_at (fd, zeros, sizeof zeros, at + 2, NULL));
  }
  g_close (fd, NULL);

  a = archive_read_new ();
  archive_read_support_format_tar (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_OK);
  g_assert_cmpstr (archive_entry_pathname (entry), ==, pax_name);
  g_assert_cmpint (archive_entry_size (entry), ==, 3);
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_OK);
  g_assert_cmpstr (archive_entry_pathname (entry), ==, split_name);
  g_assert_cmpint (archive_entry_mtime (entry), ==, 1700000000);
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_OK);
  g_assert_cmpstr (archive_entry_pathname (entry), ==, "big");
  g_assert_cmpint (archive_entry_size (entry), ==, (gint64) big);
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_OK);
  g_assert_cmpstr (archive_entry_pathname (entry), ==, "after");
  {
    char got[3] = { 0, };

    g_assert_cmpint (archive_read_data (a, got, 2), ==, 2);
    g_assert_cmpstr (got, ==, "ok");
  }
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_EOF);
  archive_read_free (a);

  listing = run ("tar", "-tvf", path, NULL);
  big_line = g_strdup_printf (" %" G_GUINT64_FORMAT " ", big);
  g_assert_nonnull (strstr (listing, pax_name));
  g_assert_nonnull (strstr (listing, split_name));
  g_assert_nonnull (strstr (listing, big_line));
  g_assert_nonnull (strstr (listing, "after"));

  _wharf_rm_rf (work);
}

/* Bad input: a clear error, and nothing written */

/* A fresh folder to copy into: the destination must leave it empty. */
static void
assert_copy_fails_cleanly (WharfImageSource *src,
                           gboolean          docker_archive,
                           const char       *work,
                           const char       *expected_in_message)
{
  g_autofree char *out_dir = g_build_filename (work, "dest-XXXXXX", NULL);
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageDest *dst;

  g_assert_nonnull (g_mkdtemp (out_dir));
  target = g_build_filename (out_dir, docker_archive ? "out.tar" : "layout", NULL);

  if (docker_archive)
    dst = _wharf_docker_archive_dest_new (target, "x:1", &error);
  else
    dst = _wharf_oci_dest_new (target, FALSE, "x", &error);
  g_assert_no_error (error);

  g_assert_false (copy_image (src, dst, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (expected_in_message != NULL)
    g_assert_true (strstr (error->message, expected_in_message) != NULL);
  _wharf_image_dest_free (dst);

  assert_dir_holds (out_dir, 0);
  _wharf_rm_rf (out_dir);
}

static void
assert_open_fails (const char *archive,
                   gboolean    docker_archive,
                   GQuark      domain,
                   int         code,
                   const char *expected_in_message)
{
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;

  if (docker_archive)
    src = _wharf_docker_archive_source_new (archive, NULL, NULL, &error);
  else
    src = _wharf_oci_source_new (archive, TRUE, NULL, NULL, &error);

  g_assert_null (src);
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, expected_in_message) != NULL);
}

static void
truncate_copy (const char *from,
               const char *to,
               gsize       len)
{
  g_autoptr(GBytes) whole = read_file (from);

  g_assert_cmpuint (len, <, g_bytes_get_size (whole));
  write_file (to, g_bytes_get_data (whole, NULL), len);
}

static void
test_bad_truncated (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *docker_archive = g_build_filename (work, "d.tar", NULL);
  g_autofree char *oci_archive = g_build_filename (work, "o.tar", NULL);
  g_autofree char *cut = g_build_filename (work, "cut.tar", NULL);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *out = NULL;
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  WharfImageSource *src;
  WharfImageDest *dst;

  from = g_strdup_printf ("oci:%s:v1", layout);
  to = g_strdup_printf ("docker-archive:%s:foo:1", docker_archive);
  out = run ("skopeo", "--insecure-policy", "copy", "--quiet", from, to, NULL);

  /* Cut inside the big layer. */
  g_assert_cmpint (g_stat (docker_archive, &st), ==, 0);
  truncate_copy (docker_archive, cut, st.st_size / 2);
  assert_open_fails (cut, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "truncated or damaged");

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);
  dst = _wharf_oci_dest_new (oci_archive, TRUE, "v1", &error);
  g_assert_no_error (error);
  g_assert_true (copy_image (src, dst, &error));
  g_assert_no_error (error);
  _wharf_image_dest_free (dst);
  _wharf_image_source_free (src);

  g_assert_cmpint (g_stat (oci_archive, &st), ==, 0);
  truncate_copy (oci_archive, cut, st.st_size / 2 + 100);
  assert_open_fails (cut, FALSE, WHARF_ERROR, WHARF_ERROR_FAILED, "truncated or damaged");

  /* Not a tar at all. */
  write_file (cut, "{\"not\":\"a tar\"}", 15);
  assert_open_fails (cut, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "not a tar archive");

  _wharf_rm_rf (work);
}

static void
test_bad_path_traversal (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *archive = g_build_filename (work, "evil.tar", NULL);
  g_autoptr(GBytes) content = text_bytes ("owned");
  g_autoptr(GBytes) layer = compressible_bytes (1024);
  g_autofree char *diff_id = wharf_digest_compute_bytes (layer);
  g_autoptr(GPtrArray) diff_ids = g_ptr_array_new ();
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GBytes) escaping_manifest = text_bytes (
    "[{\"Config\":\"../c.json\",\"RepoTags\":[],\"Layers\":[]}]");
  g_autoptr(GBytes) absolute_manifest = text_bytes (
    "[{\"Config\":\"/etc/passwd\",\"RepoTags\":[],\"Layers\":[]}]");
  g_autoptr(GBytes) missing_manifest = text_bytes (
    "[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[\"nothere/layer.tar\"]}]");
  g_autoptr(GBytes) link_manifest = text_bytes (
    "[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[\"l/layer.tar\"]}]");

  g_ptr_array_add (diff_ids, diff_id);
  config = make_config (diff_ids);
  manifest = text_bytes ("[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[\"x.tar\"]}]");

  /* An entry whose name climbs out of the archive. */
  {
    const TarEntry entries[] = {
      { "manifest.json", manifest, NULL },
      { "c.json", config, NULL },
      { "x.tar", layer, NULL },
      { "../../evil", content, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "../../evil");
    assert_open_fails (archive, FALSE, WHARF_ERROR, WHARF_ERROR_FAILED, "../../evil");
  }

  {
    const TarEntry entries[] = {
      { "manifest.json", manifest, NULL },
      { "/etc/evil", content, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "/etc/evil");
  }

  /* manifest.json pointing out of the archive, or to nothing. */
  {
    const TarEntry entries[] = {
      { "manifest.json", escaping_manifest, NULL },
      { "c.json", config, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "outside the archive");
  }
  {
    const TarEntry entries[] = {
      { "manifest.json", absolute_manifest, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "outside the archive");
  }
  {
    const TarEntry entries[] = {
      { "manifest.json", missing_manifest, NULL },
      { "c.json", config, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_NOT_FOUND, "nothere/layer.tar");
  }

  /* A symbolic link that leads out. */
  {
    const TarEntry entries[] = {
      { "manifest.json", link_manifest, NULL },
      { "c.json", config, NULL },
      { "l/layer.tar", NULL, "../../etc/passwd" },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, TRUE, WHARF_ERROR, WHARF_ERROR_FAILED, "outside");
  }

  _wharf_rm_rf (work);
}

static void
test_bad_invalid_digest (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *archive = g_build_filename (work, "bad.tar", NULL);
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GBytes) layout_file = text_bytes ("{\"imageLayoutVersion\":\"1.0.0\"}");
  g_autoptr(GError) error = NULL;
  const char *bad_digests[] = {
    "sha256:../../../../etc/passwd",
    "sha256/../../x:abc",
    "SHA256:0000000000000000000000000000000000000000000000000000000000000000",
    "sha256:abc",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_digests); i++)
    {
      const char *refs[] = { "v1", NULL };
      const char *digests[] = { bad_digests[i], NULL };
      gsize sizes[] = { 10 };
      WharfImageSource *src;

      write_layout_files (layout, refs, digests, sizes);
      src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
      g_assert_null (src);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
      g_assert_true (strstr (error->message, bad_digests[i]) != NULL);
      g_clear_error (&error);
    }

  /* The same in an archive. */
  {
    g_autoptr(GBytes) index = text_bytes (
      "{\"schemaVersion\":2,\"manifests\":["
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"digest\":\"sha256:../../../../etc/passwd\",\"size\":10}]}");
    const TarEntry entries[] = {
      { "oci-layout", layout_file, NULL },
      { "index.json", index, NULL },
    };

    write_tar (archive, entries, G_N_ELEMENTS (entries));
    assert_open_fails (archive, FALSE, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST, "etc/passwd");
  }

  _wharf_rm_rf (work);
}

/* The source itself catches the damage, whatever the destination does. */
static void
assert_read_fails (WharfImageSource *src,
                   const char       *digest,
                   gint64            size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = read_blob (src, digest, size, &error);

  g_assert_null (data);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
  g_assert_true (strstr (error->message, digest) != NULL);
}

static void
test_bad_blob_content (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *docker_archive = g_build_filename (work, "d.tar", NULL);
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  const char *layer_digest = g_ptr_array_index (image->layer_digests, 0);
  g_autofree char *layer_path = g_build_filename (layout, "blobs", "sha256",
                                                  wharf_digest_get_encoded (layer_digest), NULL);
  g_autoptr(GBytes) original = read_file (layer_path);
  g_autoptr(GByteArray) damaged = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;

  /* Same size, one byte changed, in the middle of the gzip data. */
  g_byte_array_append (damaged, g_bytes_get_data (original, NULL), g_bytes_get_size (original));
  damaged->data[damaged->len / 2] ^= 0x01;
  write_file (layer_path, damaged->data, damaged->len);

  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);
  assert_read_fails (src, layer_digest, damaged->len);
  assert_copy_fails_cleanly (src, FALSE, work, layer_digest);
  _wharf_image_source_free (src);

  /* Also when the destination decompresses: the gzip data is damaged too,
   * whichever notices first. */
  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);
  assert_copy_fails_cleanly (src, TRUE, work, NULL);
  _wharf_image_source_free (src);

  /* A docker-archive whose plain layer does not hash to its diff ID. */
  {
    g_autoptr(GBytes) layer = compressible_bytes (20000);
    g_autoptr(GBytes) other = compressible_bytes (20001);
    g_autofree char *diff_id = wharf_digest_compute_bytes (other);
    g_autoptr(GPtrArray) diff_ids = g_ptr_array_new ();
    g_autoptr(GBytes) config = NULL;
    g_autoptr(GBytes) manifest = text_bytes ("[{\"Config\":\"c.json\",\"RepoTags\":[],"
                                                   "\"Layers\":[\"l/layer.tar\"]}]");

    g_ptr_array_add (diff_ids, diff_id);
    config = make_config (diff_ids);

    {
      const TarEntry entries[] = {
        { "manifest.json", manifest, NULL },
        { "c.json", config, NULL },
        { "l/layer.tar", layer, NULL },
      };

      write_tar (docker_archive, entries, G_N_ELEMENTS (entries));
    }

    src = _wharf_docker_archive_source_new (docker_archive, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_read_fails (src, diff_id, g_bytes_get_size (layer));
    assert_read_fails (src, diff_id, -1);
    assert_copy_fails_cleanly (src, FALSE, work, diff_id);
    assert_copy_fails_cleanly (src, TRUE, work, diff_id);
    _wharf_image_source_free (src);
  }

  _wharf_rm_rf (work);
}

/* Cancelled while a layer is written, or while the archive is: no trace. */
static void
test_cancel (void)
{
  g_autofree char *work = make_temp_dir ();
  g_autofree char *layout = g_build_filename (work, "layout", NULL);
  g_autofree char *out_dir = g_build_filename (work, "out", NULL);
  g_autofree char *target = NULL;
  g_autoptr(TestImage) image = make_oci_layout (work, layout, "v1");
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  WharfImageSource *src;

  g_cancellable_cancel (cancelled);
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  src = _wharf_oci_source_new (layout, FALSE, "v1", NULL, &error);
  g_assert_no_error (error);

  for (guint kind = 0; kind < 3; kind++)
    {
      for (guint when = 0; when < 2; when++)
        {
          WharfImageDest *dst;

          g_clear_pointer (&target, g_free);
          target = g_build_filename (out_dir, kind == 0 ? "layout" : "image.tar", NULL);
          if (kind == 2)
            dst = _wharf_docker_archive_dest_new (target, "x:1", &error);
          else
            dst = _wharf_oci_dest_new (target, kind == 1, "x", &error);
          g_assert_no_error (error);

          /* A plain layout has nothing to do at commit but write index.json. */
          if (kind == 0 && when == 1)
            {
              _wharf_image_dest_free (dst);
              continue;
            }

          g_assert_false (copy_image_full (src, dst,
                                           when == 0 ? cancelled : NULL,
                                           when == 1 ? cancelled : NULL,
                                           &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          _wharf_image_dest_free (dst);

          assert_dir_holds (out_dir, 0);
        }
    }

  _wharf_image_source_free (src);
  _wharf_rm_rf (work);
}

static void
test_archive_path_normalize (void)
{
  const struct { const char *in; const char *out; } cases[] = {
    { "a/b", "a/b" },
    { "./a//b/", "a/b" },
    { "././manifest.json", "manifest.json" },
    { "a/./b", "a/b" },
    { "/etc/passwd", NULL },
    { "../x", NULL },
    { "a/../../x", NULL },
    { "a/..", NULL },
    { "./", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = _wharf_archive_path_normalize (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/compress/gzip", test_compress_gzip);
  g_test_add_func ("/compress/zstd", test_compress_zstd);
  g_test_add_func ("/compress/multi-member", test_compress_multi_member);
  g_test_add_func ("/compress/plain", test_compress_plain_passthrough);
  g_test_add_func ("/compress/corrupt", test_compress_corrupt);
  g_test_add_func ("/compress/cancel", test_compress_cancel);
  g_test_add_func ("/files/archive-path", test_archive_path_normalize);
  g_test_add_func ("/oci/read", test_oci_read);
  g_test_add_func ("/oci/write", test_oci_write);
  g_test_add_func ("/oci-archive/round-trip", test_oci_archive);
  g_test_add_func ("/docker-archive/from-skopeo", test_docker_archive_from_skopeo);
  g_test_add_func ("/docker-archive/write", test_docker_archive_write);
  g_test_add_func ("/docker-archive/docker25", test_docker_archive_docker25);
  g_test_add_func ("/docker-archive/zstd-layer", test_docker_archive_zstd_layer);
  g_test_add_func ("/docker-archive/legacy-links", test_docker_archive_legacy_links);
  g_test_add_func ("/docker-archive/interleaved", test_docker_archive_interleaved);
  g_test_add_func ("/files/tar-raw-headers", test_tar_raw_headers);
  g_test_add_func ("/bad-input/truncated", test_bad_truncated);
  g_test_add_func ("/bad-input/path-traversal", test_bad_path_traversal);
  g_test_add_func ("/bad-input/invalid-digest", test_bad_invalid_digest);
  g_test_add_func ("/bad-input/blob-content", test_bad_blob_content);
  g_test_add_func ("/files/cancel", test_cancel);

  return g_test_run ();
}
