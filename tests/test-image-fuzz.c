/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-image-fuzz.c: truncated and mutated fixtures must give a result or an error, never a crash. */

#include "config.h"

#include <string.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-image.h"

static const char *fixtures[] = {
  "oci-index-attestations.json",
  "docker-manifest-list.json",
  "oci-manifest.json",
  "docker-schema2.json",
  "artifact-manifest.json",
  "schema1-signed.json",
  "schema1-payload.json",
  "config-history.json",
  "malformed-layers-string.json",
  "malformed-size-string.json",
  "malformed-bad-digest.json",
  "malformed-platform.json",
  "malformed-truncated.json",
  "malformed-config-env.json",
  "malformed-root-array.json",
};

static const char *content_types[] = {
  NULL,
  WHARF_MEDIA_TYPE_OCI_INDEX,
  WHARF_MEDIA_TYPE_DOCKER_MANIFEST,
  WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS,
  "application/json; charset=utf-8",
};

/* Values swapped in after each ':' so that every member gets every type. */
static const char *replacements[] = {
  "null", "\"x\"", "\"\"", "0", "-1", "1.5", "1e400", "99999999999999999999999", "true",
  "[]", "{}", "[1]", "[\"a\"]", "{\"a\":1}", "[{}]", "[null]", "\"sha256:abc\"",
  "\"eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiJDbjAifQ\"",
};

typedef struct
{
  guint parsed;
  guint refused;
} Stats;

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
assert_refusal (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == WHARF_ERROR);
  g_assert_true (error->code == WHARF_ERROR_MANIFEST_INVALID ||
                 error->code == WHARF_ERROR_MANIFEST_TOO_LARGE);
  g_assert_nonnull (error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Use every accessor on what was parsed, so a half-built result shows. */
static void
exercise_manifest (WharfManifest *manifest)
{
  static const char *wanted[] = { "linux/amd64", "linux/arm64/v8", "windows/amd64", "linux/arm" };
  GPtrArray *entries;

  g_assert_nonnull (manifest->digest);
  g_assert_true (wharf_digest_validate (manifest->digest, NULL));
  g_assert_nonnull (manifest->raw);
  g_assert_nonnull (manifest->layers);
  g_assert_nonnull (manifest->manifests);
  g_assert_nonnull (manifest->schema1_history);
  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), >=, -1);

  if (manifest->kind == WHARF_MANIFEST_KIND_IMAGE)
    g_assert_nonnull (manifest->config);

  entries = wharf_manifest_get_platform_entries (manifest);
  g_assert_cmpuint (entries->len, <=, manifest->manifests->len);
  for (guint i = 0; i < manifest->manifests->len; i++)
    {
      WharfDescriptor *desc = g_ptr_array_index (manifest->manifests, i);
      g_autoptr(WharfDescriptor) copy = wharf_descriptor_copy (desc);

      g_assert_true (wharf_digest_validate (desc->digest, NULL));
      g_assert_cmpint (desc->size, >=, -1);
      g_assert_nonnull (desc->media_type);
      wharf_descriptor_is_attestation (copy);
      if (desc->platform != NULL)
        {
          g_autofree char *full = wharf_platform_to_string (desc->platform);
          g_autofree char *short_form = wharf_platform_to_short_string (desc->platform);

          g_assert_nonnull (full);
          g_assert_nonnull (short_form);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      g_autoptr(WharfPlatform) platform = wharf_platform_parse (wanted[i], NULL);
      WharfDescriptor *found = wharf_manifest_find_platform (manifest, platform);

      if (found != NULL)
        g_assert_false (wharf_descriptor_is_attestation (found));
    }

  for (guint i = 0; i < manifest->layers->len; i++)
    {
      WharfDescriptor *desc = g_ptr_array_index (manifest->layers, i);

      g_assert_true (wharf_digest_validate (desc->digest, NULL));
    }

  if (manifest->kind == WHARF_MANIFEST_KIND_SCHEMA1)
    {
      g_autoptr(WharfImageConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      config = wharf_image_config_new_from_schema1 (manifest, &error);
      if (config == NULL)
        assert_refusal (error);
      else
        for (guint i = 0; i <= config->history->len; i++)
          wharf_image_config_get_layer_history (config, i);
    }
}

static void
exercise_config (WharfImageConfig *config)
{
  g_assert_nonnull (config->architecture);
  g_assert_nonnull (config->os);
  g_assert_nonnull (config->user);
  g_assert_nonnull (config->env);
  g_assert_nonnull (config->exposed_ports);
  g_assert_nonnull (config->volumes);
  g_assert_nonnull (config->diff_ids);
  g_assert_nonnull (config->labels);
  g_assert_nonnull (config->history);
  g_assert_true (wharf_digest_validate (config->digest, NULL));

  for (guint i = 0; i <= config->history->len; i++)
    {
      const WharfHistoryEntry *entry = wharf_image_config_get_layer_history (config, i);

      if (entry != NULL)
        g_assert_false (entry->empty_layer);
    }
}

static void
feed (const char *data,
      gsize       len,
      guint       round,
      Stats      *stats)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GError) manifest_error = NULL;
  g_autoptr(GError) config_error = NULL;
  const char *content_type = content_types[round % G_N_ELEMENTS (content_types)];

  manifest = wharf_manifest_parse (bytes, content_type, &manifest_error);
  if (manifest != NULL)
    {
      g_assert_no_error (manifest_error);
      exercise_manifest (manifest);
      stats->parsed++;
    }
  else
    {
      assert_refusal (manifest_error);
      stats->refused++;
    }

  config = wharf_image_config_parse (bytes, &config_error);
  if (config != NULL)
    {
      g_assert_no_error (config_error);
      exercise_config (config);
    }
  else
    assert_refusal (config_error);
}

static void
test_fuzz_truncated (void)
{
  Stats stats = { 0, };

  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autoptr(GBytes) bytes = load_fixture (fixtures[f]);
      gsize len = 0;
      const char *data = g_bytes_get_data (bytes, &len);

      for (gsize cut = 0; cut <= len; cut++)
        {
          /* A copy of exactly @cut bytes, so ASan sees any read past it. */
          g_autofree char *copy = g_memdup2 (data, cut);

          feed (copy, cut, cut, &stats);
        }
    }

  /* Every fixture but the broken ones parses whole, so both outcomes occur. */
  g_assert_cmpuint (stats.parsed, >, 0);
  g_assert_cmpuint (stats.refused, >, 0);
}

static void
test_fuzz_values (void)
{
  Stats stats = { 0, };

  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autoptr(GBytes) bytes = load_fixture (fixtures[f]);
      gsize len = 0;
      const char *data = g_bytes_get_data (bytes, &len);

      for (gsize i = 0; i < len; i++)
        {
          gsize end;

          if (data[i] != ':')
            continue;

          for (end = i + 1; end < len; end++)
            {
              if (data[end] == ',' || data[end] == '\n' || data[end] == '}' || data[end] == ']')
                break;
            }

          for (guint r = 0; r < G_N_ELEMENTS (replacements); r++)
            {
              g_autoptr(GString) mutated = g_string_new_len (data, i + 1);

              g_string_append (mutated, replacements[r]);
              g_string_append_len (mutated, data + end, len - end);
              feed (mutated->str, mutated->len, r, &stats);
            }
        }
    }

  g_assert_cmpuint (stats.parsed, >, 0);
  g_assert_cmpuint (stats.refused, >, 0);
}

static void
test_fuzz_bytes (void)
{
  static const char specials[] = "{}[]\":,\\0123456789.eE+-tfnul \n\x80\xff";
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x77686172);
  Stats stats = { 0, };
  guint rounds = g_test_slow () ? 20000 : 1500;

  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autoptr(GBytes) bytes = load_fixture (fixtures[f]);
      gsize len = 0;
      const char *data = g_bytes_get_data (bytes, &len);

      for (guint round = 0; round < rounds; round++)
        {
          g_autoptr(GString) mutated = g_string_new_len (data, len);
          guint ops = g_rand_int_range (rand, 1, 5);
          g_autofree char *copy = NULL;

          for (guint op = 0; op < ops && mutated->len > 0; op++)
            {
              gsize pos = g_rand_int_range (rand, 0, mutated->len);
              gsize span = g_rand_int_range (rand, 1, 32);

              span = MIN (span, mutated->len - pos);

              switch (g_rand_int_range (rand, 0, 4))
                {
                case 0:
                  mutated->str[pos] = (char) g_rand_int_range (rand, 0, 256);
                  break;
                case 1:
                  g_string_erase (mutated, pos, span);
                  break;
                case 2:
                  g_string_insert_c (mutated, pos,
                                     specials[g_rand_int_range (rand, 0, sizeof specials - 1)]);
                  break;
                default:
                  {
                    g_autofree char *piece = g_strndup (mutated->str + pos, span);

                    g_string_insert_len (mutated, pos, piece, span);
                  }
                  break;
                }
            }

          copy = g_memdup2 (mutated->str, mutated->len);
          feed (copy, mutated->len, round, &stats);
        }
    }

  g_assert_cmpuint (stats.parsed + stats.refused, ==, rounds * G_N_ELEMENTS (fixtures));
  g_assert_cmpuint (stats.refused, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-fuzz/truncated", test_fuzz_truncated);
  g_test_add_func ("/image-fuzz/values", test_fuzz_values);
  g_test_add_func ("/image-fuzz/bytes", test_fuzz_bytes);

  return g_test_run ();
}
