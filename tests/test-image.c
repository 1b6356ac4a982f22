/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-image.c: manifests, indexes, schema1 and configs read from hand-written fixtures. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "wharf-error.h"
#include "wharf-image.h"

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

/* sha256 by GLib, independent of the OpenSSL code under test. */
static char *
gchecksum_digest (GBytes *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  return g_strconcat ("sha256:", hex, NULL);
}

static WharfManifest *
parse_fixture (const char *name,
               const char *content_type)
{
  g_autoptr(GBytes) bytes = load_fixture (name);
  g_autoptr(GError) error = NULL;
  WharfManifest *manifest;

  manifest = wharf_manifest_parse (bytes, content_type, &error);
  g_assert_no_error (error);
  g_assert_nonnull (manifest);
  return manifest;
}

/* The sum of the "size" members of a JSON array, read with json-glib
 * directly rather than through the code under test. */
static gint64
json_sum_sizes (GBytes     *bytes,
                const char *array_member,
                gboolean    add_config)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *array;
  gint64 sum = 0;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes), NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  array = json_object_get_array_member (root, array_member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    sum += json_object_get_int_member (json_array_get_object_element (array, i), "size");
  if (add_config)
    sum += json_object_get_int_member (json_object_get_object_member (root, "config"), "size");
  return sum;
}

static void
test_accept_header (void)
{
  const char *accept = wharf_manifest_accept_header ();
  g_auto(GStrv) parts = g_strsplit (accept, ",", -1);
  const char *expected[] = {
    WHARF_MEDIA_TYPE_OCI_MANIFEST, WHARF_MEDIA_TYPE_OCI_INDEX,
    WHARF_MEDIA_TYPE_DOCKER_MANIFEST, WHARF_MEDIA_TYPE_DOCKER_LIST,
    WHARF_MEDIA_TYPE_DOCKER_SCHEMA1, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS,
  };

  g_assert_cmpuint (g_strv_length (parts), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; parts[i] != NULL; i++)
    g_strstrip (parts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains ((const char * const *) parts, expected[i]));
}

static void
test_media_types (void)
{
  g_assert_true (wharf_media_type_is_index (WHARF_MEDIA_TYPE_OCI_INDEX));
  g_assert_true (wharf_media_type_is_index (WHARF_MEDIA_TYPE_DOCKER_LIST));
  g_assert_true (wharf_media_type_is_index ("application/vnd.oci.image.index.v1+json; x=y"));
  g_assert_true (wharf_media_type_is_index ("Application/VND.oci.image.index.v1+json"));
  g_assert_false (wharf_media_type_is_index (WHARF_MEDIA_TYPE_OCI_MANIFEST));
  g_assert_false (wharf_media_type_is_index (NULL));
  g_assert_false (wharf_media_type_is_index ("application/vnd.oci.image.index.v1+jsonx"));

  g_assert_true (wharf_media_type_is_manifest (WHARF_MEDIA_TYPE_OCI_MANIFEST));
  g_assert_true (wharf_media_type_is_manifest (WHARF_MEDIA_TYPE_DOCKER_MANIFEST));
  g_assert_true (wharf_media_type_is_manifest (WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS));
  g_assert_false (wharf_media_type_is_manifest (WHARF_MEDIA_TYPE_OCI_INDEX));
  g_assert_false (wharf_media_type_is_manifest (WHARF_MEDIA_TYPE_OCI_CONFIG));
  g_assert_false (wharf_media_type_is_manifest (""));
}

static void
test_oci_index (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("oci-index-attestations.json");
  g_autoptr(WharfManifest) index = parse_fixture ("oci-index-attestations.json", NULL);
  g_autofree char *expected_digest = gchecksum_digest (bytes);
  g_autoptr(WharfPlatform) want = NULL;
  GPtrArray *entries;
  WharfDescriptor *desc;
  guint attestations = 0;

  g_assert_cmpint (index->kind, ==, WHARF_MANIFEST_KIND_INDEX);
  g_assert_cmpstr (index->media_type, ==, WHARF_MEDIA_TYPE_OCI_INDEX);
  g_assert_cmpint (index->schema_version, ==, 2);
  g_assert_cmpstr (index->digest, ==, expected_digest);
  g_assert_true (g_bytes_equal (index->raw, bytes));
  g_assert_null (index->config);
  g_assert_cmpuint (index->layers->len, ==, 0);
  g_assert_cmpuint (index->manifests->len, ==, 6);
  g_assert_cmpstr (g_hash_table_lookup (index->annotations, "org.opencontainers.image.source"),
                   ==, "https://example.com/wharf/demo");

  for (guint i = 0; i < index->manifests->len; i++)
    {
      desc = g_ptr_array_index (index->manifests, i);
      g_assert_nonnull (desc->platform);
      if (wharf_descriptor_is_attestation (desc))
        {
          attestations++;
          g_assert_cmpstr (desc->platform->os, ==, "unknown");
        }
    }
  g_assert_cmpuint (attestations, ==, 2);

  entries = wharf_manifest_get_platform_entries (index);
  g_assert_cmpuint (entries->len, ==, 4);
  desc = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (desc->platform->architecture, ==, "arm64");
  g_assert_cmpstr (desc->platform->variant, ==, "v8");
  g_assert_cmpint (desc->size, ==, 1026);
  g_assert_cmpstr (desc->digest, ==,
                   "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265");
  desc = g_ptr_array_index (entries, 3);
  g_assert_cmpstr (desc->platform->os, ==, "windows");
  g_assert_cmpstr (desc->platform->os_version, ==, "10.0.20348.2113");
  g_assert_cmpstr (desc->platform->os_features[0], ==, "win32k");
  g_assert_null (desc->platform->os_features[1]);

  g_assert_cmpint (wharf_manifest_get_compressed_size (index), ==,
                   json_sum_sizes (bytes, "manifests", FALSE));

  want = wharf_platform_parse ("linux/arm/v7", NULL);
  desc = wharf_manifest_find_platform (index, want);
  g_assert_nonnull (desc);
  g_assert_cmpint (desc->size, ==, 1027);
  g_clear_pointer (&want, wharf_platform_free);

  want = wharf_platform_parse ("linux/arm/v6", NULL);
  g_assert_null (wharf_manifest_find_platform (index, want));
  g_clear_pointer (&want, wharf_platform_free);

  want = wharf_platform_parse ("windows/amd64", NULL);
  desc = wharf_manifest_find_platform (index, want);
  g_assert_nonnull (desc);
  g_assert_cmpint (desc->size, ==, 1028);
  g_clear_pointer (&want, wharf_platform_free);

  /* attestations are never what a person asks for */
  want = wharf_platform_parse ("unknown/unknown", NULL);
  g_assert_null (wharf_manifest_find_platform (index, want));
}

static void
test_docker_list (void)
{
  g_autoptr(WharfManifest) list = parse_fixture ("docker-manifest-list.json", NULL);
  g_autoptr(WharfPlatform) want = wharf_platform_parse ("linux/arm64/v8", NULL);
  g_autoptr(WharfPlatform) s390x = wharf_platform_parse ("linux/s390x", NULL);
  WharfDescriptor *desc;

  g_assert_cmpint (list->kind, ==, WHARF_MANIFEST_KIND_INDEX);
  g_assert_cmpstr (list->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_LIST);
  g_assert_cmpuint (wharf_manifest_get_platform_entries (list)->len, ==, 3);
  g_assert_cmpint (wharf_manifest_get_compressed_size (list), ==, 528 + 528 + 527);

  /* arm64 without a variant is v8 */
  desc = wharf_manifest_find_platform (list, want);
  g_assert_nonnull (desc);
  g_assert_cmpstr (desc->digest, ==,
                   "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265");
  g_assert_cmpstr (desc->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_MANIFEST);

  desc = wharf_manifest_find_platform (list, s390x);
  g_assert_nonnull (desc);
  g_assert_cmpint (desc->size, ==, 527);
}

static void
test_oci_manifest (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("oci-manifest.json");
  g_autoptr(WharfManifest) manifest = parse_fixture ("oci-manifest.json", NULL);
  g_autofree char *expected_digest = gchecksum_digest (bytes);
  WharfDescriptor *layer;

  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_IMAGE);
  g_assert_cmpstr (manifest->media_type, ==, WHARF_MEDIA_TYPE_OCI_MANIFEST);
  g_assert_cmpstr (manifest->digest, ==, expected_digest);
  g_assert_cmpstr (manifest->config->media_type, ==, WHARF_MEDIA_TYPE_OCI_CONFIG);
  g_assert_cmpint (manifest->config->size, ==, 1470);
  g_assert_null (manifest->config->platform);
  g_assert_cmpuint (manifest->layers->len, ==, 2);
  g_assert_cmpuint (manifest->manifests->len, ==, 0);
  g_assert_cmpuint (wharf_manifest_get_platform_entries (manifest)->len, ==, 0);

  layer = g_ptr_array_index (manifest->layers, 1);
  g_assert_cmpstr (layer->media_type, ==, WHARF_MEDIA_TYPE_OCI_LAYER_ZSTD);
  g_assert_cmpstr (g_hash_table_lookup (layer->annotations, "org.opencontainers.image.title"),
                   ==, "app.tar.zst");
  g_assert_false (wharf_descriptor_is_attestation (layer));

  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), ==, 1470 + 3408729 + 1024);
  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), ==,
                   json_sum_sizes (bytes, "layers", TRUE));
  g_assert_cmpstr (g_hash_table_lookup (manifest->annotations, "org.opencontainers.image.version"),
                   ==, "1.2.3");
  g_assert_null (manifest->subject);
  g_assert_null (manifest->artifact_type);
}

static void
test_docker_schema2 (void)
{
  g_autoptr(WharfManifest) manifest = parse_fixture ("docker-schema2.json", NULL);
  WharfDescriptor *foreign;

  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_IMAGE);
  g_assert_cmpstr (manifest->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  g_assert_cmpstr (manifest->config->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_CONFIG);
  g_assert_cmpuint (manifest->layers->len, ==, 3);
  g_assert_null (manifest->annotations);

  foreign = g_ptr_array_index (manifest->layers, 2);
  g_assert_cmpstr (foreign->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_LAYER_FOREIGN);
  g_assert_nonnull (foreign->urls);
  g_assert_cmpuint (g_strv_length (foreign->urls), ==, 1);
  g_assert_true (g_str_has_prefix (foreign->urls[0], "https://mcr.microsoft.com/"));
  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), ==,
                   1457 + 2812636 + 2048 + 1000);
}

static void
test_artifact (void)
{
  g_autoptr(WharfManifest) manifest = parse_fixture ("artifact-manifest.json", NULL);

  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_IMAGE);
  g_assert_cmpstr (manifest->artifact_type, ==, "application/vnd.example.sbom.v1+json");
  g_assert_cmpstr (manifest->config->media_type, ==, WHARF_MEDIA_TYPE_OCI_EMPTY);
  g_assert_cmpint (manifest->config->size, ==, 2);
  g_assert_nonnull (manifest->subject);
  g_assert_cmpstr (manifest->subject->digest, ==,
                   "sha256:ceaeee3c0f91c6c853bda5200efb5a1b94c85fd8bb21171047cbd19059c15722");
  g_assert_cmpstr (manifest->subject->media_type, ==, WHARF_MEDIA_TYPE_OCI_MANIFEST);
  g_assert_cmpint (manifest->subject->size, ==, 1025);
  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), ==, 2 + 4096);
}

static void
test_schema1 (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("schema1-signed.json");
  g_autoptr(GBytes) payload = load_fixture ("schema1-payload.json");
  g_autofree char *body_digest = gchecksum_digest (bytes);
  g_autofree char *payload_digest = gchecksum_digest (payload);
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfManifest) unsigned_manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const WharfHistoryEntry *entry;
  WharfDescriptor *layer;

  manifest = wharf_manifest_parse (bytes, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_SCHEMA1);
  g_assert_cmpstr (manifest->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS);
  g_assert_cmpint (manifest->schema_version, ==, 1);
  g_assert_cmpstr (manifest->schema1_name, ==, "library/hello-world");
  g_assert_cmpstr (manifest->schema1_tag, ==, "latest");
  g_assert_cmpstr (manifest->schema1_architecture, ==, "amd64");

  /* Registries name a signed schema1 manifest by its payload. */
  g_assert_cmpstr (manifest->digest, ==, payload_digest);
  g_assert_cmpstr (manifest->digest, !=, body_digest);
  g_assert_true (g_bytes_equal (manifest->raw, bytes));

  /* fsLayers lists the newest first; layers has the base first */
  g_assert_cmpuint (manifest->layers->len, ==, 2);
  layer = g_ptr_array_index (manifest->layers, 0);
  g_assert_cmpstr (layer->digest, ==,
                   "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740");
  g_assert_cmpint (layer->size, ==, -1);
  g_assert_cmpint (wharf_manifest_get_compressed_size (manifest), ==, -1);
  g_assert_cmpuint (manifest->schema1_history->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (manifest->schema1_history, 1), "\"/hello\""));

  config = wharf_image_config_new_from_schema1 (manifest, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->architecture, ==, "amd64");
  g_assert_cmpstr (config->os, ==, "linux");
  g_assert_nonnull (config->cmd);
  g_assert_cmpstr (config->cmd[0], ==, "/hello");
  g_assert_cmpstr (config->env[0], ==, "PATH=/usr/bin:/bin");
  g_assert_nonnull (config->created);
  g_assert_cmpint (g_date_time_get_year (config->created), ==, 2016);
  g_assert_cmpuint (config->history->len, ==, 2);
  entry = wharf_image_config_get_layer_history (config, 0);
  g_assert_nonnull (entry);
  g_assert_nonnull (strstr (entry->created_by, "ADD file:"));
  entry = wharf_image_config_get_layer_history (config, 1);
  g_assert_nonnull (strstr (entry->created_by, "CMD [\"/hello\"]"));

  /* Unsigned: the payload alone, no mediaType, no Content-Type: the shape decides. */
  unsigned_manifest = wharf_manifest_parse (payload, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (unsigned_manifest->kind, ==, WHARF_MANIFEST_KIND_SCHEMA1);
  g_assert_cmpstr (unsigned_manifest->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1);
  g_assert_cmpstr (unsigned_manifest->digest, ==, payload_digest);
}

static void
test_schema1_bad_signature (void)
{
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  const char *text =
    "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\",\"fsLayers\":[],\"history\":[],"
    "\"signatures\":[{\"protected\":\"eyJmb3JtYXRMZW5ndGgiOjk5OTk5OTl9\"}]}";

  /* formatLength 9999999 is past the end: fall back to hashing the body. */
  bytes = g_bytes_new_static (text, strlen (text));
  expected = gchecksum_digest (bytes);
  manifest = wharf_manifest_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_SCHEMA1);
  g_assert_cmpstr (manifest->media_type, ==, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS);
  g_assert_cmpstr (manifest->digest, ==, expected);
}

static WharfManifest *
parse_text (const char  *text,
            const char  *content_type,
            GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return wharf_manifest_parse (bytes, content_type, error);
}

static void
test_content_type (void)
{
  static const struct
  {
    const char       *body;
    const char       *content_type;
    WharfManifestKind kind;
    const char       *media_type;
  } cases[] = {
    /* Content-Type when the body has no mediaType, parameters dropped */
    { "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" "e3b0c44298fc1c149afbf4c8996fb924"
      "27ae41e4649b934ca495991b7852b855\",\"size\":0},\"layers\":[]}",
      "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
      WHARF_MANIFEST_KIND_IMAGE, WHARF_MEDIA_TYPE_OCI_MANIFEST },
    { "{\"schemaVersion\":2,\"manifests\":[]}", WHARF_MEDIA_TYPE_DOCKER_LIST,
      WHARF_MANIFEST_KIND_INDEX, WHARF_MEDIA_TYPE_DOCKER_LIST },
    /* the body wins over the header */
    { "{\"schemaVersion\":2,\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[]}",
      WHARF_MEDIA_TYPE_OCI_MANIFEST, WHARF_MANIFEST_KIND_INDEX, WHARF_MEDIA_TYPE_OCI_INDEX },
    /* a generic header: the shape decides, the header is kept as said */
    { "{\"schemaVersion\":2,\"manifests\":[]}", "application/json",
      WHARF_MANIFEST_KIND_INDEX, "application/json" },
    /* no header: the shape decides and names the type */
    { "{\"schemaVersion\":2,\"manifests\":[]}", NULL,
      WHARF_MANIFEST_KIND_INDEX, WHARF_MEDIA_TYPE_OCI_INDEX },
    { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" WHARF_MEDIA_TYPE_DOCKER_CONFIG "\","
      "\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
      "\"size\":0},\"layers\":[]}", NULL,
      WHARF_MANIFEST_KIND_IMAGE, WHARF_MEDIA_TYPE_DOCKER_MANIFEST },
    { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_CONFIG "\","
      "\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
      "\"size\":0},\"layers\":[]}", "",
      WHARF_MANIFEST_KIND_IMAGE, WHARF_MEDIA_TYPE_OCI_MANIFEST },
    /* unknown types are not errors */
    { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing+json\","
      "\"layers\":\"whatever\"}", NULL,
      WHARF_MANIFEST_KIND_UNKNOWN, "application/vnd.example.thing+json" },
    { "{\"hello\":\"world\"}", NULL, WHARF_MANIFEST_KIND_UNKNOWN, NULL },
    { "{\"hello\":\"world\"}", "text/plain", WHARF_MANIFEST_KIND_UNKNOWN, "text/plain" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfManifest) manifest = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u", i);
      manifest = parse_text (cases[i].body, cases[i].content_type, &error);
      g_assert_no_error (error);
      g_assert_cmpint (manifest->kind, ==, cases[i].kind);
      g_assert_cmpstr (manifest->media_type, ==, cases[i].media_type);
      g_assert_nonnull (manifest->layers);
      g_assert_nonnull (manifest->manifests);
      g_assert_nonnull (manifest->digest);
    }
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *fixture;
    const char *mention;
  } cases[] = {
    { "malformed-layers-string.json", "“layers”" },
    { "malformed-size-string.json", "“layers[0].size”" },
    { "malformed-bad-digest.json", "“layers[0].digest”" },
    { "malformed-platform.json", "“manifests[0].platform”" },
    { "malformed-truncated.json", "JSON" },
    { "malformed-root-array.json", "object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = load_fixture (cases[i].fixture);
      g_autoptr(WharfManifest) manifest = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].fixture);
      manifest = wharf_manifest_parse (bytes, NULL, &error);
      g_assert_null (manifest);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].mention));
    }
}

static void
test_malformed_inline (void)
{
  static const char *bodies[] = {
    "",
    " ",
    "null",
    "\"a string\"",
    "42",
    "{",
    "{\"schemaVersion\":\"2\"}",
    "{\"mediaType\":5}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"layers\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":[],\"layers\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":{\"size\":1},\"layers\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":{\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":-5},\"layers\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":{\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1.5},"
    "\"layers\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":{\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1},"
    "\"layers\":[1]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":{}}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[],\"annotations\":[]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[],"
    "\"annotations\":{\"a\":1}}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[],\"subject\":\"x\"}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[{\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\"}}]}",
    "{\"mediaType\":\"" WHARF_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[{\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"os.features\":\"x\"}}]}",
    "{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":7}]}",
    "{\"schemaVersion\":1,\"fsLayers\":{}}",
    "{\"schemaVersion\":1,\"history\":[{\"v1Compatibility\":{}}]}",
    "{\"schemaVersion\":99999999999}",
    "{\"a\":\"\\ud800\"}\x00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(WharfManifest) manifest = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("body %u: %s", i, bodies[i]);
      manifest = parse_text (bodies[i], NULL, &error);
      g_assert_null (manifest);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
      g_test_message ("→ %s", error->message);
    }
}

static void
test_size_cap (void)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(WharfManifest) at_cap = NULL;
  g_autoptr(WharfManifest) over_cap = NULL;
  g_autoptr(WharfImageConfig) config_over_cap = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *head = "{\"schemaVersion\":2,\"manifests\":[]";

  /* Exactly 4 MiB of valid JSON is accepted. */
  g_byte_array_append (data, (const guint8 *) head, strlen (head));
  while (data->len < WHARF_MANIFEST_MAX_SIZE - 1)
    g_byte_array_append (data, (const guint8 *) " ", 1);
  g_byte_array_append (data, (const guint8 *) "}", 1);
  g_assert_cmpuint (data->len, ==, WHARF_MANIFEST_MAX_SIZE);

  bytes = g_bytes_new (data->data, data->len);
  at_cap = wharf_manifest_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (at_cap->kind, ==, WHARF_MANIFEST_KIND_INDEX);
  g_clear_pointer (&bytes, g_bytes_unref);

  g_byte_array_append (data, (const guint8 *) " ", 1);
  bytes = g_bytes_new (data->data, data->len);
  over_cap = wharf_manifest_parse (bytes, NULL, &error);
  g_assert_null (over_cap);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE);
  g_clear_error (&error);

  config_over_cap = wharf_image_config_parse (bytes, &error);
  g_assert_null (config_over_cap);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE);
}

static void
test_deep_nesting (void)
{
  g_autoptr(GString) text = g_string_new ("{\"manifests\":");
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  /* Deep enough to overflow a recursive parser's stack. */
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');

  bytes = g_bytes_new (text->str, text->len);
  manifest = wharf_manifest_parse (bytes, NULL, &error);
  g_assert_null (manifest);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
  g_clear_error (&error);

  config = wharf_image_config_parse (bytes, &error);
  g_assert_null (config);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
  g_clear_error (&error);

  /* Brackets inside strings do not count. */
  g_string_assign (text, "{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":\"");
  for (guint i = 0; i < 1000; i++)
    g_string_append (text, "[{");
  g_string_append (text, "\\\"\"}}");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (text->str, text->len);
  manifest = wharf_manifest_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (g_hash_table_lookup (manifest->annotations, "a")), ==, 2001);
}

static void
test_config (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("config-history.json");
  g_autofree char *expected_digest = gchecksum_digest (bytes);
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *ports[] = { "443/tcp", "53/udp", "8080/tcp", NULL };
  const char *volumes[] = { "/data", "/var/lib/app", NULL };
  const WharfHistoryEntry *entry;
  guint non_empty = 0;

  config = wharf_image_config_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->digest, ==, expected_digest);
  g_assert_true (g_bytes_equal (config->raw, bytes));
  g_assert_cmpstr (config->architecture, ==, "arm64");
  g_assert_cmpstr (config->os, ==, "linux");
  g_assert_cmpstr (config->variant, ==, "v8");
  g_assert_cmpstr (config->author, ==, "Wharf Authors");
  g_assert_nonnull (config->created);
  g_assert_cmpint (g_date_time_get_year (config->created), ==, 2024);
  g_assert_cmpint (g_date_time_get_month (config->created), ==, 3);
  g_assert_cmpint (g_date_time_get_hour (config->created), ==, 12);
  g_assert_cmpstr (config->user, ==, "1000:1000");
  g_assert_cmpstrv (config->exposed_ports, ports);
  g_assert_cmpstrv (config->volumes, volumes);
  g_assert_cmpuint (g_strv_length (config->env), ==, 3);
  g_assert_cmpstr (config->env[2], ==, "EMPTY=");
  g_assert_cmpstr (config->entrypoint[0], ==, "/usr/bin/tini");
  g_assert_cmpstr (config->entrypoint[1], ==, "--");
  g_assert_null (config->entrypoint[2]);
  g_assert_cmpuint (g_strv_length (config->cmd), ==, 3);
  g_assert_cmpstr (config->working_dir, ==, "/app");
  g_assert_cmpstr (config->stop_signal, ==, "SIGTERM");
  g_assert_cmpuint (g_hash_table_size (config->labels), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (config->labels, "maintainer"), ==, "someone@example.com");
  g_assert_cmpuint (g_strv_length (config->diff_ids), ==, 3);
  g_assert_cmpuint (config->history->len, ==, 6);

  /* Every layer has exactly one non-empty history entry. */
  for (guint i = 0; i < config->history->len; i++)
    {
      entry = g_ptr_array_index (config->history, i);
      if (!entry->empty_layer)
        non_empty++;
    }
  g_assert_cmpuint (non_empty, ==, g_strv_length (config->diff_ids));

  entry = wharf_image_config_get_layer_history (config, 0);
  g_assert_nonnull (entry);
  g_assert_true (g_str_has_prefix (entry->created_by, "/bin/sh -c #(nop) ADD file:"));
  entry = wharf_image_config_get_layer_history (config, 1);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->created_by, ==, "RUN /bin/sh -c apk add --no-cache tini # buildkit");
  g_assert_cmpstr (entry->comment, ==, "buildkit.dockerfile.v0");
  g_assert_cmpstr (entry->author, ==, "Wharf Authors");
  g_assert_cmpstr (entry->created, ==, "2024-03-01T11:59:30Z");
  entry = wharf_image_config_get_layer_history (config, 2);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->created_by, ==, "WORKDIR /app");
  g_assert_false (entry->empty_layer);
  g_assert_null (wharf_image_config_get_layer_history (config, 3));
}

static WharfImageConfig *
parse_config_text (const char  *text,
                   GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return wharf_image_config_parse (bytes, error);
}

static void
test_config_defaults (void)
{
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(WharfImageConfig) strings = NULL;
  g_autoptr(GError) error = NULL;

  config = parse_config_text ("{}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->architecture, ==, "");
  g_assert_cmpstr (config->os, ==, "");
  g_assert_null (config->variant);
  g_assert_null (config->created);
  g_assert_null (config->author);
  g_assert_cmpstr (config->user, ==, "");
  g_assert_cmpstr (config->working_dir, ==, "");
  g_assert_cmpstr (config->stop_signal, ==, "");
  g_assert_nonnull (config->labels);
  g_assert_cmpuint (g_hash_table_size (config->labels), ==, 0);
  g_assert_cmpuint (g_strv_length (config->env), ==, 0);
  g_assert_cmpuint (g_strv_length (config->exposed_ports), ==, 0);
  g_assert_cmpuint (g_strv_length (config->volumes), ==, 0);
  g_assert_cmpuint (g_strv_length (config->diff_ids), ==, 0);
  g_assert_null (config->entrypoint);
  g_assert_null (config->cmd);
  g_assert_cmpuint (config->history->len, ==, 0);
  g_assert_null (wharf_image_config_get_layer_history (config, 0));

  /* Docker writes null for empty lists and maps; a lone string is a
   * one-element command; an unreadable date is unknown, not an error. */
  strings = parse_config_text ("{\"created\":\"yesterday\",\"config\":{\"Entrypoint\":\"/bin/sh\","
                               "\"Cmd\":null,\"Labels\":null,\"Env\":null,\"Volumes\":null}}",
                               &error);
  g_assert_no_error (error);
  g_assert_null (strings->created);
  g_assert_cmpstr (strings->entrypoint[0], ==, "/bin/sh");
  g_assert_null (strings->entrypoint[1]);
  g_assert_null (strings->cmd);
  g_assert_nonnull (strings->labels);
  g_assert_cmpuint (g_strv_length (strings->env), ==, 0);
}

static void
test_config_malformed (void)
{
  static const struct
  {
    const char *text;
    const char *mention;
  } cases[] = {
    { "[]", "object" },
    { "{\"architecture\":1}", "“architecture”" },
    { "{\"config\":\"x\"}", "“config”" },
    { "{\"config\":{\"Env\":[1]}}", "“config.Env”" },
    { "{\"config\":{\"Labels\":{\"a\":true}}}", "“config.Labels.a”" },
    { "{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", "“config.ExposedPorts”" },
    { "{\"history\":{}}", "“history”" },
    { "{\"history\":[{\"empty_layer\":\"yes\"}]}", "“history[0].empty_layer”" },
    { "{\"history\":[3]}", "“history[0]”" },
    { "{\"rootfs\":{\"diff_ids\":\"sha256:x\"}}", "“rootfs.diff_ids”" },
  };
  g_autoptr(GBytes) fixture = load_fixture ("malformed-config-env.json");
  g_autoptr(WharfImageConfig) from_fixture = NULL;
  g_autoptr(GError) error = NULL;

  from_fixture = wharf_image_config_parse (fixture, &error);
  g_assert_null (from_fixture);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
  g_assert_nonnull (strstr (error->message, "“config.Env”"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfImageConfig) config = NULL;

      g_test_message ("%s", cases[i].text);
      config = parse_config_text (cases[i].text, &error);
      g_assert_null (config);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].mention));
      g_clear_error (&error);
    }
}

static void
test_platform (void)
{
  static const struct
  {
    const char *text;
    const char *full;
    const char *short_form;
  } cases[] = {
    { "linux/amd64", "linux/amd64", "amd64" },
    { "linux/arm64/v8", "linux/arm64/v8", "arm64/v8" },
    { "windows/amd64", "windows/amd64", "windows/amd64" },
    { "freebsd/arm/v6", "freebsd/arm/v6", "freebsd/arm/v6" },
  };
  static const char *invalid[] = { "", "linux", "linux/", "/amd64", "a/b/c/d", "linux/arm/", NULL };
  g_autoptr(WharfPlatform) arm64 = wharf_platform_parse ("linux/arm64", NULL);
  g_autoptr(WharfPlatform) arm64v8 = wharf_platform_parse ("linux/arm64/v8", NULL);
  g_autoptr(WharfPlatform) armv6 = wharf_platform_parse ("linux/arm/v6", NULL);
  g_autoptr(WharfPlatform) arm = wharf_platform_parse ("linux/arm", NULL);
  g_autoptr(WharfPlatform) armv7 = wharf_platform_parse ("linux/arm/v7", NULL);
  g_autoptr(WharfPlatform) copy = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfPlatform) platform = NULL;
      g_autofree char *full = NULL;
      g_autofree char *short_form = NULL;
      g_autoptr(GError) error = NULL;

      platform = wharf_platform_parse (cases[i].text, &error);
      g_assert_no_error (error);
      full = wharf_platform_to_string (platform);
      short_form = wharf_platform_to_short_string (platform);
      g_assert_cmpstr (full, ==, cases[i].full);
      g_assert_cmpstr (short_form, ==, cases[i].short_form);
      g_assert_true (wharf_platform_matches (platform, platform));
    }

  for (guint i = 0; invalid[i] != NULL; i++)
    {
      g_autoptr(WharfPlatform) platform = NULL;
      g_autoptr(GError) error = NULL;

      platform = wharf_platform_parse (invalid[i], &error);
      g_assert_null (platform);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_FAILED);
    }

  g_assert_true (wharf_platform_matches (arm64v8, arm64));
  g_assert_true (wharf_platform_matches (arm64, arm64v8));
  g_assert_true (wharf_platform_matches (armv6, arm));
  g_assert_false (wharf_platform_matches (armv6, armv7));
  g_assert_true (wharf_platform_matches (arm, armv7));
  g_assert_false (wharf_platform_matches (arm64, arm));

  copy = wharf_platform_copy (armv6);
  g_assert_cmpstr (copy->variant, ==, "v6");
  g_assert_true (copy->variant != armv6->variant);
}

static void
test_descriptor (void)
{
  g_autoptr(WharfDescriptor) desc = wharf_descriptor_new (WHARF_MEDIA_TYPE_OCI_MANIFEST,
                                                          "sha256:abc", 12);
  g_autoptr(WharfDescriptor) copy = NULL;
  g_autoptr(WharfManifest) index = parse_fixture ("oci-index-attestations.json", NULL);
  g_autoptr(WharfDescriptor) attestation = NULL;
  WharfManifest *again;

  g_assert_false (wharf_descriptor_is_attestation (desc));
  desc->platform = wharf_platform_parse ("unknown/unknown", NULL);
  g_assert_false (wharf_descriptor_is_attestation (desc));
  desc->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (desc->annotations, g_strdup ("vnd.docker.reference.type"),
                       g_strdup ("attestation-manifest"));
  g_assert_true (wharf_descriptor_is_attestation (desc));

  copy = wharf_descriptor_copy (desc);
  g_assert_true (wharf_descriptor_is_attestation (copy));
  g_assert_cmpint (copy->size, ==, 12);
  g_assert_true (copy->annotations != desc->annotations);

  /* a real platform is never hidden */
  g_clear_pointer (&copy->platform, wharf_platform_free);
  copy->platform = wharf_platform_parse ("linux/amd64", NULL);
  g_assert_false (wharf_descriptor_is_attestation (copy));

  attestation = g_boxed_copy (WHARF_TYPE_DESCRIPTOR, g_ptr_array_index (index->manifests, 4));
  g_assert_true (wharf_descriptor_is_attestation (attestation));

  again = g_boxed_copy (WHARF_TYPE_MANIFEST, index);
  g_assert_true (again == index);
  g_boxed_free (WHARF_TYPE_MANIFEST, again);
  g_assert_cmpuint (index->manifests->len, ==, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/accept-header", test_accept_header);
  g_test_add_func ("/image/media-types", test_media_types);
  g_test_add_func ("/image/oci-index", test_oci_index);
  g_test_add_func ("/image/docker-list", test_docker_list);
  g_test_add_func ("/image/oci-manifest", test_oci_manifest);
  g_test_add_func ("/image/docker-schema2", test_docker_schema2);
  g_test_add_func ("/image/artifact", test_artifact);
  g_test_add_func ("/image/schema1", test_schema1);
  g_test_add_func ("/image/schema1-bad-signature", test_schema1_bad_signature);
  g_test_add_func ("/image/content-type", test_content_type);
  g_test_add_func ("/image/malformed", test_malformed);
  g_test_add_func ("/image/malformed-inline", test_malformed_inline);
  g_test_add_func ("/image/size-cap", test_size_cap);
  g_test_add_func ("/image/deep-nesting", test_deep_nesting);
  g_test_add_func ("/image/config", test_config);
  g_test_add_func ("/image/config-defaults", test_config_defaults);
  g_test_add_func ("/image/config-malformed", test_config_malformed);
  g_test_add_func ("/image/platform", test_platform);
  g_test_add_func ("/image/descriptor", test_descriptor);

  return g_test_run ();
}
