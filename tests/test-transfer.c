/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transfer.c: the copy engine against real registries, skopeo and umoci
 * as independent clients, and a fault-injecting proxy. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "wharf.h"
#include "wharf-transfer.h"
#include "wharf-test-faults.h"
#include "wharf-test-registry.h"

#define SKOPEO "/usr/bin/skopeo"
#define UMOCI  "/usr/bin/umoci"

/* Helpers */

static WharfClient *
client_for_url (const char *url)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;

  endpoint = wharf_endpoint_new (url, &error);
  g_assert_no_error (error);

  return wharf_client_new (endpoint);
}

static WharfClient *
client_for (WharfTestRegistry *reg)
{
  return client_for_url (wharf_test_registry_get_url (reg));
}

static WharfClient *
client_for_faults (WharfTestFaults *faults)
{
  g_autofree char *url = g_strdup_printf ("http://%s", wharf_test_faults_get_address (faults));

  return client_for_url (url);
}

typedef void (*SetupFunc) (WharfTransfer *transfer,
                           gpointer       data);

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Wait;

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = wharf_transfer_run_finish (WHARF_TRANSFER (object), result, &wait->error);
  wait->done = TRUE;
  g_main_context_wakeup (NULL);
}

/* Runs a copy to its end on the default main context. Returns the transfer
 * for its blobs and digest; @error is set on failure. */
static WharfTransfer *
copy_full (const char    *source,
           const char    *destination,
           WharfClient   *source_client,
           WharfClient   *destination_client,
           SetupFunc      setup,
           gpointer       setup_data,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(WharfImageLocation) src = NULL;
  g_autoptr(WharfImageLocation) dst = NULL;
  g_autoptr(GError) local_error = NULL;
  WharfTransfer *transfer;
  Wait wait = { 0, };

  src = wharf_image_location_parse (source, &local_error);
  g_assert_no_error (local_error);
  dst = wharf_image_location_parse (destination, &local_error);
  g_assert_no_error (local_error);

  transfer = wharf_transfer_new (src, dst);
  if (source_client != NULL)
    wharf_transfer_set_source_client (transfer, source_client);
  if (destination_client != NULL)
    wharf_transfer_set_destination_client (transfer, destination_client);
  if (setup != NULL)
    setup (transfer, setup_data);

  g_assert_cmpint (wharf_transfer_get_state (transfer), ==, WHARF_TRANSFER_STATE_READY);
  wharf_transfer_run_async (transfer, cancellable, run_done_cb, &wait);
  g_assert_cmpint (wharf_transfer_get_state (transfer), ==, WHARF_TRANSFER_STATE_RUNNING);

  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  if (!wait.ok)
    g_propagate_error (error, wait.error);

  return transfer;
}

static WharfTransfer *
copy_ok (const char  *source,
         const char  *destination,
         WharfClient *source_client,
         WharfClient *destination_client)
{
  g_autoptr(GError) error = NULL;
  WharfTransfer *transfer;

  transfer = copy_full (source, destination, source_client, destination_client, NULL, NULL,
                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wharf_transfer_get_state (transfer), ==, WHARF_TRANSFER_STATE_DONE);
  g_assert_cmpint (wharf_transfer_get_bytes_done (transfer), ==,
                   wharf_transfer_get_bytes_total (transfer));

  return transfer;
}

static void
set_jobs_cb (WharfTransfer *transfer,
             gpointer       data)
{
  wharf_transfer_set_jobs (transfer, GPOINTER_TO_UINT (data));
}

/* How many config/layer blobs ended in @state; the total in @out_blobs. */
static guint
count_blobs_in_state (WharfTransfer  *transfer,
                      WharfBlobState  state,
                      guint          *out_blobs)
{
  GListModel *blobs = wharf_transfer_get_blobs (transfer);
  guint n = 0, n_blobs = 0;

  for (guint i = 0; i < g_list_model_get_n_items (blobs); i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (blobs, i);
      const char *kind = wharf_blob_progress_get_kind (progress);

      if (g_strcmp0 (kind, "config") != 0 && g_strcmp0 (kind, "layer") != 0)
        continue;

      n_blobs++;
      if (wharf_blob_progress_get_state (progress) == state)
        n++;
    }

  if (out_blobs != NULL)
    *out_blobs = n_blobs;

  return n;
}

static char *
head_digest (WharfClient *client,
             const char  *repository,
             const char  *reference)
{
  g_autoptr(WharfDescriptor) desc = NULL;
  g_autoptr(GError) error = NULL;

  desc = wharf_client_head_manifest_sync (client, repository, reference, NULL, &error);
  g_assert_no_error (error);

  return g_strdup (desc->digest);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("wharf-transfer-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "/bin/rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, NULL, NULL);
}

/* Runs a program that must succeed; returns its standard output. */
static char *
run_ok (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv);

      g_error ("“%s” failed: %s", line, err);
    }

  return g_steal_pointer (&out);
}

static char *
skopeo_copy (const char *source,
             const char *destination)
{
  const char *argv[] = { SKOPEO, "--insecure-policy", "copy", "--quiet",
                         "--src-tls-verify=false", "--dest-tls-verify=false",
                         source, destination, NULL };

  return run_ok (argv);
}

static GBytes *
skopeo_inspect_raw (const char *location,
                    gboolean    config)
{
  const char *argv_config[] = { SKOPEO, "--insecure-policy", "inspect", "--tls-verify=false",
                                "--config", "--raw", location, NULL };
  const char *argv_raw[] = { SKOPEO, "--insecure-policy", "inspect", "--tls-verify=false",
                             "--raw", location, NULL };
  char *out = run_ok (config ? argv_config : argv_raw);

  return g_bytes_new_take (out, strlen (out));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* The digest of the manifest that an OCI layout's index.json names. */
static char *
layout_manifest_digest (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "index.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *manifests;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  root = parse_json (contents);
  manifests = json_object_get_array_member (json_node_get_object (root), "manifests");
  g_assert_cmpuint (json_array_get_length (manifests), >=, 1);

  return g_strdup (json_object_get_string_member (json_array_get_object_element (manifests, 0),
                                                  "digest"));
}

/* Regular files below @dir (recursively). */
static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files (path);
      else
        n++;
    }

  return n;
}

/* An OCI layout with two real gzip tar layers, for umoci and skopeo. */
typedef struct
{
  char  *config_digest;
  char  *manifest_digest;
  GStrv  diff_ids;
} Layout;

static void
layout_clear (Layout *layout)
{
  g_free (layout->config_digest);
  g_free (layout->manifest_digest);
  g_strfreev (layout->diff_ids);
}

static char *
write_blob (const char *dir,
            GBytes     *bytes)
{
  g_autofree char *digest = wharf_digest_compute_bytes (bytes);
  g_autofree char *path = g_build_filename (dir, "blobs", "sha256",
                                            wharf_digest_get_encoded (digest), NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  return g_steal_pointer (&digest);
}

static GBytes *
gzip_bytes (GBytes *plain)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (plain);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (base, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
make_layout (const char *dir,
             const char *tag,
             Layout     *layout)
{
  g_autoptr(GString) layers_json = g_string_new (NULL);
  g_autoptr(GString) diff_ids_json = g_string_new (NULL);
  g_autoptr(GStrvBuilder) diff_ids = g_strv_builder_new ();
  g_autofree char *blobs = g_build_filename (dir, "blobs", "sha256", NULL);
  g_autofree char *config_json = NULL;
  g_autofree char *manifest_json = NULL;
  g_autofree char *index_json = NULL;
  g_autofree char *index_path = g_build_filename (dir, "index.json", NULL);
  g_autofree char *layout_path = g_build_filename (dir, "oci-layout", NULL);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (blobs, 0755), ==, 0);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *src = make_tmp_dir ();
      g_autofree char *sub = g_build_filename (src, "etc", NULL);
      g_autofree char *file = g_build_filename (src, i == 0 ? "hello.txt" : "etc/wharf", NULL);
      g_autofree char *text = g_strdup_printf ("hello from wharf layer %u\n", i);
      g_autofree char *tar_path = g_strconcat (src, ".tar", NULL);
      const char *tar_argv[] = { "/bin/tar", "--sort=name", "--owner=0", "--group=0",
                                 "--numeric-owner", "--mtime=@0", "-C", src, "-cf", tar_path,
                                 ".", NULL };
      g_autofree char *tar_out = NULL;
      g_autofree char *tar_data = NULL;
      gsize tar_len = 0;
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GBytes) compressed = NULL;
      g_autofree char *diff_id = NULL;
      g_autofree char *digest = NULL;

      g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
      g_file_set_contents (file, text, -1, &error);
      g_assert_no_error (error);
      tar_out = run_ok (tar_argv);
      g_file_get_contents (tar_path, &tar_data, &tar_len, &error);
      g_assert_no_error (error);
      plain = g_bytes_new_take (g_steal_pointer (&tar_data), tar_len);
      compressed = gzip_bytes (plain);

      diff_id = wharf_digest_compute_bytes (plain);
      digest = write_blob (dir, compressed);
      g_strv_builder_add (diff_ids, diff_id);

      g_string_append_printf (layers_json, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\","
                              "\"size\":%" G_GSIZE_FORMAT "}", i > 0 ? "," : "",
                              WHARF_MEDIA_TYPE_OCI_LAYER_GZIP, digest,
                              g_bytes_get_size (compressed));
      g_string_append_printf (diff_ids_json, "%s\"%s\"", i > 0 ? "," : "", diff_id);

      remove_tree (src);
      g_unlink (tar_path);
    }

  config_json = g_strdup_printf ("{\"architecture\":\"amd64\",\"os\":\"linux\","
                                 "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/hello\"]},"
                                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]},"
                                 "\"history\":[{\"created_by\":\"one\"},"
                                 "{\"created_by\":\"two\"}]}", diff_ids_json->str);
  config = g_bytes_new (config_json, strlen (config_json));
  layout->config_digest = write_blob (dir, config);

  manifest_json = g_strdup_printf ("{\"schemaVersion\":2,\"mediaType\":\"%s\","
                                   "\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\","
                                   "\"size\":%" G_GSIZE_FORMAT "},\"layers\":[%s]}",
                                   WHARF_MEDIA_TYPE_OCI_MANIFEST, WHARF_MEDIA_TYPE_OCI_CONFIG,
                                   layout->config_digest, g_bytes_get_size (config),
                                   layers_json->str);
  manifest = g_bytes_new (manifest_json, strlen (manifest_json));
  layout->manifest_digest = write_blob (dir, manifest);

  index_json = g_strdup_printf ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
                                "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT ","
                                "\"annotations\":{\"org.opencontainers.image.ref.name\":"
                                "\"%s\"}}]}",
                                WHARF_MEDIA_TYPE_OCI_MANIFEST, layout->manifest_digest,
                                g_bytes_get_size (manifest), tag);
  g_file_set_contents (index_path, index_json, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (layout_path, "{\"imageLayoutVersion\":\"1.0.0\"}", -1, &error);
  g_assert_no_error (error);

  layout->diff_ids = g_strv_builder_end (diff_ids);
}

static char *
docker_url (WharfTestRegistry *reg,
            const char        *name)
{
  return g_strdup_printf ("docker://%s/%s", wharf_test_registry_get_address (reg), name);
}

static char *
faults_url (WharfTestFaults *faults,
            const char      *name)
{
  return g_strdup_printf ("docker://%s/%s", wharf_test_faults_get_address (faults), name);
}

/* Registry to registry */

static void
test_registry_index (void)
{
  const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfTransfer) first = NULL;
  g_autoptr(WharfTransfer) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *copied = NULL;
  guint n_blobs = 0;

  digest = wharf_test_registry_push_index (one, "multi", "v1", platforms, TRUE);
  src = docker_url (one, "multi:v1");
  dst = docker_url (two, "mirror/multi:v1");

  first = copy_full (src, dst, client_one, client_two, set_jobs_cb, GUINT_TO_POINTER (3),
                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wharf_transfer_get_digest (first), ==, digest);
  copied = head_digest (client_two, "mirror/multi", "v1");
  g_assert_cmpstr (copied, ==, digest);

  /* Two images and an attestation: three configs, and their layers. */
  g_assert_cmpuint (count_blobs_in_state (first, WHARF_BLOB_STATE_DONE, &n_blobs), ==, n_blobs);
  g_assert_cmpuint (n_blobs, >=, 6);
  g_assert_cmpint (wharf_transfer_get_bytes_done (first), ==,
                   wharf_transfer_get_bytes_total (first));
  g_assert_cmpint (wharf_transfer_get_bytes_total (first), >, 0);

  /* Again: the destination has every blob. */
  second = copy_ok (src, dst, client_one, client_two);
  g_assert_cmpstr (wharf_transfer_get_digest (second), ==, digest);
  g_assert_cmpuint (count_blobs_in_state (second, WHARF_BLOB_STATE_SKIPPED, &n_blobs), ==,
                    n_blobs);
  g_assert_cmpuint (n_blobs, >=, 6);
}

static void
test_registry_mount (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *copied = NULL;
  guint n_blobs = 0;

  digest = wharf_test_registry_push_image (reg, "team/app", "1", 3, 4096, "linux/amd64", FALSE);
  src = docker_url (reg, "team/app:1");
  dst = docker_url (reg, "other/app:1");

  transfer = copy_ok (src, dst, client, client);
  g_assert_cmpstr (wharf_transfer_get_digest (transfer), ==, digest);
  g_assert_cmpuint (count_blobs_in_state (transfer, WHARF_BLOB_STATE_MOUNTED, &n_blobs), ==,
                    n_blobs);
  g_assert_cmpuint (n_blobs, ==, 4);
  copied = head_digest (client, "other/app", "1");
  g_assert_cmpstr (copied, ==, digest);
}

static void
set_platform_cb (WharfTransfer *transfer,
                 gpointer       data)
{
  g_autoptr(WharfPlatform) platform = wharf_platform_parse (data, NULL);

  wharf_transfer_set_platform (transfer, platform);
}

static void
test_registry_platform (void)
{
  const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autoptr(WharfManifest) index = NULL;
  g_autoptr(WharfPlatform) arm = wharf_platform_parse ("linux/arm64", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *index_digest = NULL;
  const WharfDescriptor *entry;

  index_digest = wharf_test_registry_push_index (reg, "multi", "v1", platforms, FALSE);
  index = wharf_client_fetch_manifest_sync (client, "multi", "v1", NULL, &error);
  g_assert_no_error (error);
  entry = wharf_manifest_find_platform (index, arm);
  g_assert_nonnull (entry);

  src = docker_url (reg, "multi:v1");
  dst = docker_url (reg, "arm-only:v1");
  transfer = copy_full (src, dst, client, client, set_platform_cb, (gpointer) "linux/arm64",
                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wharf_transfer_get_digest (transfer), ==, entry->digest);
  copied = head_digest (client, "arm-only", "v1");
  g_assert_cmpstr (copied, ==, entry->digest);
  g_assert_cmpstr (copied, !=, index_digest);
}

/* OCI layouts */

static void
test_oci_round_trip (void)
{
  const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfTransfer) pull = NULL;
  g_autoptr(WharfTransfer) push = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *in_layout = NULL;
  g_autofree char *copied = NULL;

  digest = wharf_test_registry_push_index (one, "multi", "v1", platforms, TRUE);
  src = docker_url (one, "multi:v1");
  dst = docker_url (two, "back:v1");

  pull = copy_ok (src, oci, client_one, NULL);
  g_assert_cmpstr (wharf_transfer_get_digest (pull), ==, digest);
  in_layout = layout_manifest_digest (layout);
  g_assert_cmpstr (in_layout, ==, digest);

  push = copy_ok (oci, dst, NULL, client_two);
  g_assert_cmpstr (wharf_transfer_get_digest (push), ==, digest);
  copied = head_digest (client_two, "back", "v1");
  g_assert_cmpstr (copied, ==, digest);

  remove_tree (tmp);
}

/* Interoperability with skopeo and umoci */

static void
test_interop_skopeo_reads_wharf_push (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) push = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *pulled = g_build_filename (tmp, "pulled", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *pulled_oci = g_strdup_printf ("oci:%s:v1", pulled);
  g_autofree char *dst = docker_url (reg, "interop/app:v1");
  g_autofree char *out = NULL;
  g_autofree char *raw_digest = NULL;
  g_autofree char *pulled_digest = NULL;
  g_autoptr(GBytes) raw = NULL;
  Layout made = { 0, };

  make_layout (layout, "v1", &made);

  push = copy_ok (oci, dst, NULL, client);
  g_assert_cmpstr (wharf_transfer_get_digest (push), ==, made.manifest_digest);

  raw = skopeo_inspect_raw (dst, FALSE);
  raw_digest = wharf_digest_compute_bytes (raw);
  g_assert_cmpstr (raw_digest, ==, made.manifest_digest);

  out = skopeo_copy (dst, pulled_oci);
  pulled_digest = layout_manifest_digest (pulled);
  g_assert_cmpstr (pulled_digest, ==, made.manifest_digest);

  layout_clear (&made);
  remove_tree (tmp);
}

static void
test_interop_umoci_unpacks_wharf_pull (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) pull = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *pulled = g_build_filename (tmp, "pulled", NULL);
  g_autofree char *bundle = g_build_filename (tmp, "bundle", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *pulled_oci = g_strdup_printf ("oci:%s:v1", pulled);
  g_autofree char *image = g_strdup_printf ("%s:v1", pulled);
  g_autofree char *registry = docker_url (reg, "by-skopeo:v1");
  g_autofree char *hello = g_build_filename (bundle, "rootfs", "hello.txt", NULL);
  g_autofree char *second = g_build_filename (bundle, "rootfs", "etc", "wharf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  Layout made = { 0, };
  const char *umoci_argv[] = { UMOCI, "unpack", "--rootless", "--image", image, bundle, NULL };

  make_layout (layout, "v1", &made);
  out = skopeo_copy (oci, registry);

  pull = copy_ok (registry, pulled_oci, client, NULL);
  g_assert_cmpstr (wharf_transfer_get_digest (pull), ==, made.manifest_digest);

  g_free (out);
  out = run_ok (umoci_argv);

  g_file_get_contents (hello, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello from wharf layer 0\n");
  g_assert_true (g_file_test (second, G_FILE_TEST_IS_REGULAR));

  layout_clear (&made);
  remove_tree (tmp);
}

static void
assert_config_diff_ids (WharfClient  *client,
                        const char   *repository,
                        const char   *tag,
                        const Layout *made)
{
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  manifest = wharf_client_fetch_manifest_sync (client, repository, tag, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (manifest->config->digest, ==, made->config_digest);

  config = wharf_client_fetch_config_sync (client, repository, manifest->config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (config->diff_ids, made->diff_ids);

  /* Compressed on the way, as a registry wants. */
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);

      g_assert_true (g_str_has_suffix (layer->media_type, "gzip"));
      g_assert_cmpstr (layer->digest, !=, made->diff_ids[i]);
    }
}

static void
test_interop_docker_archive_push (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) push = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *archive = g_strdup_printf ("docker-archive:%s/saved.tar:example/app:v1", tmp);
  g_autofree char *archive_in = g_strdup_printf ("docker-archive:%s/saved.tar", tmp);
  g_autofree char *dst = docker_url (reg, "from-archive:v1");
  g_autofree char *out = NULL;
  Layout made = { 0, };

  make_layout (layout, "v1", &made);
  out = skopeo_copy (oci, archive);

  push = copy_ok (archive_in, dst, NULL, client);
  assert_config_diff_ids (client, "from-archive", "v1", &made);

  layout_clear (&made);
  remove_tree (tmp);
}

static void
test_interop_skopeo_reads_docker_archive (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransfer) push = NULL;
  g_autoptr(WharfTransfer) save = NULL;
  g_autoptr(GBytes) config = NULL;
  g_autoptr(JsonNode) inspected = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *archive = g_strdup_printf ("docker-archive:%s/out.tar:example/app:v1", tmp);
  g_autofree char *archive_in = g_strdup_printf ("docker-archive:%s/out.tar", tmp);
  g_autofree char *registry = docker_url (reg, "saved:v1");
  g_autofree char *config_digest = NULL;
  g_autofree char *text = NULL;
  JsonArray *layers;
  Layout made = { 0, };
  const char *argv[] = { SKOPEO, "--insecure-policy", "inspect", archive_in, NULL };

  make_layout (layout, "v1", &made);
  push = copy_ok (oci, registry, NULL, client);
  save = copy_ok (registry, archive, client, NULL);

  config = skopeo_inspect_raw (archive_in, TRUE);
  config_digest = wharf_digest_compute_bytes (config);
  g_assert_cmpstr (config_digest, ==, made.config_digest);

  text = run_ok (argv);
  inspected = parse_json (text);
  layers = json_object_get_array_member (json_node_get_object (inspected), "Layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (json_array_get_string_element (layers, i), ==, made.diff_ids[i]);

  layout_clear (&made);
  remove_tree (tmp);
}

/* Faults */

static void
test_fault_reset_mid_pull (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfTransfer) pull = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *in_layout = NULL;

  digest = wharf_test_registry_push_image (reg, "app", "v1", 2, 512 * 1024, "linux/amd64", TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (reg), WHARF_TEST_FAULT_RESET,
                                    "GET", "/blobs/sha256:", 1, 0);
  client = client_for_faults (faults);
  src = faults_url (faults, "app:v1");

  pull = copy_ok (src, oci, client, NULL);
  g_assert_cmpuint (wharf_test_faults_get_injected (faults), ==, 1);
  g_assert_cmpstr (wharf_transfer_get_digest (pull), ==, digest);
  in_layout = layout_manifest_digest (layout);
  g_assert_cmpstr (in_layout, ==, digest);

  remove_tree (tmp);
}

/* Open upload sessions of @repository in the registry's storage: those
 * with a "startedat" file. distribution 2.8 answers a session DELETE by
 * removing it and then (closing the writer) writing back an empty
 * hashstates/ stub under the same name, which is no session: it has no
 * start time and no data, and the registry answers 404 for it. */
static guint
count_uploads (WharfTestRegistry *reg,
               const char        *repository)
{
  g_autofree char *dir = g_build_filename (wharf_test_registry_get_root (reg), "docker",
                                           "registry", "v2", "repositories", repository,
                                           "_uploads", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *started = g_build_filename (dir, name, "startedat", NULL);
      g_autofree char *data = g_build_filename (dir, name, "data", NULL);

      if (g_file_test (started, G_FILE_TEST_EXISTS) || g_file_test (data, G_FILE_TEST_EXISTS))
        n++;
    }

  return n;
}

static void
test_fault_reset_mid_push (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransfer) push = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *copied = NULL;

  digest = wharf_test_registry_push_image (one, "app", "v1", 2, 512 * 1024, "linux/amd64", TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (two), WHARF_TEST_FAULT_RESET,
                                    "PATCH", "/blobs/uploads/", 1, 0);
  proxied = client_for_faults (faults);
  src = docker_url (one, "app:v1");
  dst = faults_url (faults, "app:v1");

  push = copy_ok (src, dst, client_one, proxied);
  g_assert_cmpuint (wharf_test_faults_get_injected (faults), ==, 1);
  copied = head_digest (client_two, "app", "v1");
  g_assert_cmpstr (copied, ==, digest);
  /* The session the reset broke is not checked: distribution refuses to
   * delete an upload whose PATCH was cut off (its state no longer matches)
   * and purges it after a week. */
}

static void
test_fault_statuses (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  struct {
    WharfTestFault  fault;
    const char     *method;
    const char     *path;
    guint           count;
  } cases[] = {
    { WHARF_TEST_FAULT_503, NULL, "/blobs/", 3 },
    { WHARF_TEST_FAULT_503, "PATCH", "/blobs/uploads/", 2 },
    { WHARF_TEST_FAULT_429, "PUT", "/manifests/", 1 },
    { WHARF_TEST_FAULT_429, "POST", "/blobs/uploads/", 1 },
  };

  digest = wharf_test_registry_push_image (one, "app", "v1", 2, 64 * 1024, "linux/amd64", FALSE);
  src = docker_url (one, "app:v1");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfTestFaults) faults = NULL;
      g_autoptr(WharfClient) proxied = NULL;
      g_autoptr(WharfTransfer) push = NULL;
      g_autofree char *name = g_strdup_printf ("case%u", i);
      g_autofree char *tagged = g_strdup_printf ("%s:v1", name);
      g_autofree char *dst = NULL;
      g_autofree char *copied = NULL;

      faults = wharf_test_faults_start (wharf_test_registry_get_url (two), cases[i].fault,
                                        cases[i].method, cases[i].path, cases[i].count, 0);
      proxied = client_for_faults (faults);
      dst = faults_url (faults, tagged);

      push = copy_ok (src, dst, client_one, proxied);
      g_assert_cmpuint (wharf_test_faults_get_injected (faults), ==, cases[i].count);
      copied = head_digest (client_two, name, "v1");
      g_assert_cmpstr (copied, ==, digest);
      g_assert_cmpuint (count_uploads (two, name), ==, 0);
    }
}

static void
test_fault_stall (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfTransfer) pull = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;

  digest = wharf_test_registry_push_image (reg, "app", "v1", 1, 64 * 1024, "linux/amd64", TRUE);
  /* Longer than the client's timeout: the request fails and is made again. */
  faults = wharf_test_faults_start (wharf_test_registry_get_url (reg), WHARF_TEST_FAULT_STALL,
                                    "GET", "/blobs/sha256:", 1, 45);
  client = client_for_faults (faults);
  src = faults_url (faults, "app:v1");

  pull = copy_ok (src, oci, client, NULL);
  g_assert_cmpuint (wharf_test_faults_get_injected (faults), ==, 1);
  g_assert_cmpstr (wharf_transfer_get_digest (pull), ==, digest);

  remove_tree (tmp);
}

static void
test_fault_pull_leaves_nothing (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfTransfer) pull = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *archive = g_strdup_printf ("docker-archive:%s/out.tar:app:v1", tmp);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *host = NULL;

  digest = wharf_test_registry_push_image (reg, "app", "v1", 2, 256 * 1024, "linux/amd64", TRUE);
  /* Every blob download breaks: the retries run out. */
  faults = wharf_test_faults_start (wharf_test_registry_get_url (reg), WHARF_TEST_FAULT_RESET,
                                    "GET", "/blobs/sha256:", 1000, 0);
  client = client_for_faults (faults);
  src = faults_url (faults, "app:v1");
  host = g_strdup (wharf_test_faults_get_address (faults));

  pull = copy_full (src, oci, client, NULL, NULL, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (wharf_transfer_get_state (pull), ==, WHARF_TRANSFER_STATE_FAILED);
  /* Which blob, which registry. */
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "sha256:"));
  g_assert_nonnull (strstr (error->message, host));
  g_assert_cmpuint (count_files (tmp), ==, 0);
  g_clear_object (&pull);
  g_clear_error (&error);

  pull = copy_full (src, archive, client, NULL, NULL, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpuint (count_files (tmp), ==, 0);

  remove_tree (tmp);
}

typedef struct
{
  GCancellable *cancellable;
  gint64        at;
} CancelAt;

static void
cancel_when_bytes_cb (WharfTransfer *transfer,
                      GParamSpec    *pspec,
                      CancelAt      *cancel)
{
  if (wharf_transfer_get_bytes_done (transfer) >= cancel->at)
    g_cancellable_cancel (cancel->cancellable);
}

static void
connect_cancel_cb (WharfTransfer *transfer,
                   gpointer       data)
{
  g_signal_connect (transfer, "notify::bytes-done", G_CALLBACK (cancel_when_bytes_cb), data);
}

static void
test_fault_cancel_push (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransfer) push = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  CancelAt cancel = { cancellable, 1 };

  digest = wharf_test_registry_push_image (one, "big", "v1", 3, 2 * 1024 * 1024, "linux/amd64",
                                           TRUE);
  /* Slow enough that the cancel comes in the middle of the uploads. */
  faults = wharf_test_faults_start (wharf_test_registry_get_url (two), WHARF_TEST_FAULT_SLOW,
                                    "PATCH", "/blobs/uploads/", 1000, 512 * 1024);
  proxied = client_for_faults (faults);
  src = docker_url (one, "big:v1");
  dst = faults_url (faults, "big:v1");

  push = copy_full (src, dst, client_one, proxied, connect_cancel_cb, &cancel, cancellable,
                    &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (wharf_transfer_get_state (push), ==, WHARF_TRANSFER_STATE_CANCELLED);
  g_assert_cmpuint (count_uploads (two, "big"), ==, 0);
}

static void
test_fault_cancel_pull (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfTransfer) pull = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = make_tmp_dir ();
  g_autofree char *layout = g_build_filename (tmp, "layout", NULL);
  g_autofree char *oci = g_strdup_printf ("oci:%s:v1", layout);
  g_autofree char *archive = g_strdup_printf ("docker-archive:%s/out.tar:big:v1", tmp);
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  CancelAt cancel = { cancellable, 1 };

  digest = wharf_test_registry_push_image (reg, "big", "v1", 3, 2 * 1024 * 1024, "linux/amd64",
                                           TRUE);
  /* Slow downloads, so that the cancel comes in the middle. */
  faults = wharf_test_faults_start (wharf_test_registry_get_url (reg), WHARF_TEST_FAULT_SLOW,
                                    "GET", "/blobs/sha256:", 1000, 512 * 1024);
  client = client_for_faults (faults);
  src = faults_url (faults, "big:v1");

  pull = copy_full (src, oci, client, NULL, connect_cancel_cb, &cancel, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (wharf_transfer_get_state (pull), ==, WHARF_TRANSFER_STATE_CANCELLED);
  g_assert_cmpuint (count_files (tmp), ==, 0);
  g_clear_object (&pull);
  g_clear_error (&error);

  /* The same into an archive: no half-written tar, no temp file. */
  g_cancellable_reset (cancellable);
  pull = copy_full (src, archive, client, NULL, connect_cancel_cb, &cancel, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_files (tmp), ==, 0);

  remove_tree (tmp);
}

/* Locations */

static void
test_location_parse (void)
{
  struct {
    const char     *text;
    WharfTransport  transport;
    const char     *path;
    const char     *ref;
  } good[] = {
    { "docker://localhost:5000/a/b:1", WHARF_TRANSPORT_DOCKER, NULL, NULL },
    { "oci:/tmp/layout", WHARF_TRANSPORT_OCI, "/tmp/layout", NULL },
    { "oci:/tmp/layout:v1", WHARF_TRANSPORT_OCI, "/tmp/layout", "v1" },
    { "oci-archive:/tmp/a.tar:v1", WHARF_TRANSPORT_OCI_ARCHIVE, "/tmp/a.tar", "v1" },
    { "docker-archive:/tmp/s.tar:app:1", WHARF_TRANSPORT_DOCKER_ARCHIVE, "/tmp/s.tar", "app:1" },
    { "docker-archive:/tmp/s.tar:@1", WHARF_TRANSPORT_DOCKER_ARCHIVE, "/tmp/s.tar", "@1" },
  };
  const char *bad[] = { "localhost:5000/a", "dir:/tmp/x", "oci:", "oci:/tmp/x:",
                        "docker://UPPER/Case", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(WharfImageLocation) location = NULL;
      g_autoptr(WharfImageLocation) copy = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      location = wharf_image_location_parse (good[i].text, &error);
      g_assert_no_error (error);
      g_assert_cmpint (location->transport, ==, good[i].transport);
      g_assert_cmpstr (location->path, ==, good[i].path);
      g_assert_cmpstr (location->ref, ==, good[i].ref);

      copy = wharf_image_location_copy (location);
      text = wharf_image_location_to_string (copy);
      g_assert_cmpstr (text, ==, good[i].text);
    }

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(WharfImageLocation) location = NULL;
      g_autoptr(GError) error = NULL;

      location = wharf_image_location_parse (bad[i], &error);
      g_assert_null (location);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transfer/location/parse", test_location_parse);
  g_test_add_func ("/transfer/registry/index", test_registry_index);
  g_test_add_func ("/transfer/registry/mount", test_registry_mount);
  g_test_add_func ("/transfer/registry/platform", test_registry_platform);
  g_test_add_func ("/transfer/oci/round-trip", test_oci_round_trip);
  g_test_add_func ("/transfer/interop/skopeo-reads-wharf-push",
                   test_interop_skopeo_reads_wharf_push);
  g_test_add_func ("/transfer/interop/umoci-unpacks-wharf-pull",
                   test_interop_umoci_unpacks_wharf_pull);
  g_test_add_func ("/transfer/interop/docker-archive-push", test_interop_docker_archive_push);
  g_test_add_func ("/transfer/interop/skopeo-reads-docker-archive",
                   test_interop_skopeo_reads_docker_archive);
  g_test_add_func ("/transfer/faults/reset-mid-pull", test_fault_reset_mid_pull);
  g_test_add_func ("/transfer/faults/reset-mid-push", test_fault_reset_mid_push);
  g_test_add_func ("/transfer/faults/statuses", test_fault_statuses);
  g_test_add_func ("/transfer/faults/stall", test_fault_stall);
  g_test_add_func ("/transfer/faults/pull-leaves-nothing", test_fault_pull_leaves_nothing);
  g_test_add_func ("/transfer/faults/cancel-push", test_fault_cancel_push);
  g_test_add_func ("/transfer/faults/cancel-pull", test_fault_cancel_pull);

  return g_test_run ();
}
