/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-client.c: the client against real docker-registry instances (plain,
 * htpasswd, token, TLS) and the fault proxy. */

#include "config.h"

#include <string.h>

#include "wharf-client.h"
#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-test-registry.h"
#include "wharf-verify-stream.h"

/* Helpers */

static WharfClient *
client_for_address (const char             *address,
                    const char             *username,
                    const char             *password)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  WharfClient *client;

  endpoint = wharf_endpoint_new (address, &error);
  g_assert_no_error (error);
  client = wharf_client_new (endpoint);

  if (username != NULL)
    {
      g_autoptr(WharfCredential) credential =
        wharf_credential_new (wharf_endpoint_get_domain (endpoint), username, password);

      wharf_client_set_credential (client, credential);
    }

  return client;
}

static WharfClient *
client_for (WharfTestRegistry *reg,
            const char        *username,
            const char        *password)
{
  return client_for_address (wharf_test_registry_get_address (reg), username, password);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Waiter;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

/* Runs the loop until the operation started with store_result_cb ends. */
static GAsyncResult *
wait_for_result (Waiter *waiter)
{
  g_main_loop_run (waiter->loop);
  g_assert_nonnull (waiter->result);
  return g_steal_pointer (&waiter->result);
}

static GBytes *
read_stream (GInputStream  *stream,
             GError       **error)
{
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (sink, stream,
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              NULL, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

/* Plain registry */

static void
test_plain_ping (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  Waiter waiter = { loop, NULL };

  g_assert_cmpint (wharf_client_get_auth_scheme (client), ==, WHARF_AUTH_SCHEME_UNKNOWN);

  wharf_client_ping_async (client, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  ping = wharf_client_ping_finish (client, result, &error);

  g_assert_no_error (error);
  /* A bare loopback address tried plain http first and settled on it. */
  g_assert_cmpstr (ping->base_url, ==, wharf_test_registry_get_url (reg));
  g_assert_cmpint (ping->auth_scheme, ==, WHARF_AUTH_SCHEME_NONE);
  g_assert_false (ping->signed_in);
  g_assert_cmpstr (ping->api_version, ==, "registry/2.0");
  g_assert_cmpint (wharf_client_get_auth_scheme (client), ==, WHARF_AUTH_SCHEME_NONE);
}

typedef struct
{
  guint       pages;
  GHashTable *seen;
  GThread    *thread;
} PageLog;

static void
page_cb (const char * const *names,
         gpointer            user_data)
{
  PageLog *log = user_data;

  log->pages++;
  log->thread = g_thread_self ();
  for (guint i = 0; names[i] != NULL; i++)
    g_hash_table_add (log->seen, g_strdup (names[i]));
}

static void
check_catalog (WharfTestRegistry *reg,
               const char        *prefix,
               guint              n,
               guint              min_pages)
{
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  PageLog log = { 0, seen, NULL };
  Waiter waiter = { loop, NULL };

  wharf_client_list_repositories_async (client, page_cb, &log, NULL, NULL,
                                        store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  names = wharf_client_list_repositories_finish (client, result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, n);
  g_assert_cmpuint (log.pages, >=, min_pages);
  g_assert_true (log.thread == g_thread_self ());
  g_assert_cmpuint (g_hash_table_size (seen), ==, n);

  /* Complete: every seeded name, in the registry's (lexical) order. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s%05u", prefix, i);

      g_assert_cmpstr (names[i], ==, expected);
    }
}

static void
test_plain_catalog (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);

  wharf_test_registry_seed_repositories (reg, "catalog/repo", 2500);
  check_catalog (reg, "catalog/repo", 2500, 3);
}

static void
test_plain_catalog_maxentries (void)
{
  const char * const env[] = { "REGISTRY_CATALOG_MAXENTRIES=100", NULL };
  g_autoptr(WharfTestRegistry) reg = NULL;

  reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_PLAIN, env);

  /* n=1000 is refused with PAGINATION_NUMBER_INVALID: pages of 100 then. */
  wharf_test_registry_seed_repositories (reg, "small/repo", 250);
  check_catalog (reg, "small/repo", 250, 3);
}

/* Tags written straight into the storage: 300 pushes would take minutes. */
static void
write_tag_link (WharfTestRegistry *reg,
                const char        *repository,
                const char        *tag,
                const char        *digest)
{
  g_autofree char *tag_dir = g_build_filename (wharf_test_registry_get_root (reg),
                                               "docker", "registry", "v2", "repositories",
                                               repository, "_manifests", "tags", tag, NULL);
  g_autofree char *current = g_build_filename (tag_dir, "current", NULL);
  g_autofree char *index = g_build_filename (tag_dir, "index", "sha256",
                                             wharf_digest_get_encoded (digest), NULL);
  g_autofree char *current_link = g_build_filename (current, "link", NULL);
  g_autofree char *index_link = g_build_filename (index, "link", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (current, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (index, 0755), ==, 0);
  g_file_set_contents (current_link, digest, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (index_link, digest, -1, &error);
  g_assert_no_error (error);
}

static void
test_plain_tags (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_auto(GStrv) tags = NULL;
  Waiter waiter = { loop, NULL };

  digest = wharf_test_registry_push_image (reg, "many/tags", "latest", 1, 256, "linux/amd64",
                                           TRUE);

  /* Built in strcmp order: digits before upper case before lower case. */
  g_ptr_array_add (expected, g_strdup ("1.0"));
  g_ptr_array_add (expected, g_strdup ("Zeta"));
  g_ptr_array_add (expected, g_strdup ("latest"));
  for (guint i = 0; i < 297; i++)
    g_ptr_array_add (expected, g_strdup_printf ("t%03u", i));

  /* Written in reverse so that creation order is not the answer either. */
  for (guint i = expected->len; i > 0; i--)
    {
      const char *tag = g_ptr_array_index (expected, i - 1);

      if (!g_str_equal (tag, "latest"))
        write_tag_link (reg, "many/tags", tag, digest);
    }

  wharf_client_list_tags_async (client, "many/tags", NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  tags = wharf_client_list_tags_finish (client, result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 300);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (tags[i], ==, g_ptr_array_index (expected, i));
}

static void
test_plain_manifest_and_blobs (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) head_result = NULL;
  g_autoptr(GAsyncResult) blob_result = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfRawManifest) by_digest = NULL;
  g_autoptr(WharfDescriptor) head = NULL;
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *layer_digest = NULL;
  WharfDescriptor *first_layer;
  Waiter waiter = { loop, NULL };
  gint64 size = 0;
  gint64 blob_size = 0;

  digest = wharf_test_registry_push_image (reg, "app/web", "1.0", 2, 4096, "linux/arm64/v8", TRUE);

  wharf_client_get_manifest_async (client, "app/web", "1.0", NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  raw = wharf_client_get_manifest_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (raw->digest, ==, digest);
  g_assert_cmpstr (raw->media_type, ==, "application/vnd.oci.image.manifest.v1+json");
  {
    g_autofree char *computed = wharf_digest_compute_bytes (raw->bytes);

    g_assert_cmpstr (computed, ==, digest);
  }

  wharf_client_head_manifest_async (client, "app/web", "1.0", NULL, store_result_cb, &waiter);
  head_result = wait_for_result (&waiter);
  head = wharf_client_head_manifest_finish (client, head_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (head->digest, ==, digest);
  g_assert_cmpint (head->size, ==, g_bytes_get_size (raw->bytes));
  g_assert_cmpstr (head->media_type, ==, raw->media_type);

  by_digest = wharf_client_get_manifest_sync (client, "app/web", digest, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (by_digest->bytes, raw->bytes));

  manifest = wharf_client_fetch_manifest_sync (client, "app/web", "1.0", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_IMAGE);
  g_assert_cmpuint (manifest->layers->len, ==, 2);

  config = wharf_client_fetch_config_sync (client, "app/web", manifest->config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->architecture, ==, "arm64");
  g_assert_cmpstr (config->os, ==, "linux");

  first_layer = g_ptr_array_index (manifest->layers, 0);
  g_assert_true (wharf_client_head_blob_sync (client, "app/web", first_layer->digest, &size,
                                              NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (size, ==, first_layer->size);

  wharf_client_get_blob_async (client, "app/web", first_layer->digest, NULL, store_result_cb,
                               &waiter);
  blob_result = wait_for_result (&waiter);
  stream = wharf_client_get_blob_finish (client, blob_result, &blob_size, &error);
  g_assert_no_error (error);
  g_assert_cmpint (blob_size, ==, first_layer->size);

  layer = read_stream (stream, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_bytes_get_size (layer), ==, first_layer->size);
  g_assert_true (wharf_verify_stream_is_verified (WHARF_VERIFY_STREAM (stream)));
  layer_digest = wharf_digest_compute_bytes (layer);
  g_assert_cmpstr (layer_digest, ==, first_layer->digest);
}

static void
test_plain_not_found (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autoptr(GError) repo_error = NULL;
  g_autoptr(GError) tag_error = NULL;
  g_autoptr(GError) blob_error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) tags = NULL;
  const char *domain = wharf_test_registry_get_address (reg);
  const char *absent = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

  digest = wharf_test_registry_push_image (reg, "app/api", "1.0", 1, 128, "linux/amd64", FALSE);

  tags = wharf_client_list_tags_sync (client, "no/such-repo", NULL, &repo_error);
  g_assert_null (tags);
  g_assert_error (repo_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("There is no repository “no/such-repo” on %s.", domain);
  g_assert_cmpstr (repo_error->message, ==, expected);
  g_clear_pointer (&expected, g_free);

  raw = wharf_client_get_manifest_sync (client, "app/api", "nope", NULL, &tag_error);
  g_assert_null (raw);
  g_assert_error (tag_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("“app/api:nope” was not found on %s.", domain);
  g_assert_cmpstr (tag_error->message, ==, expected);

  g_assert_false (wharf_client_head_blob_sync (client, "app/api", absent, NULL, NULL,
                                               &blob_error));
  g_assert_error (blob_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (blob_error->message, domain));
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *expected = NULL;
  Waiter waiter = { loop, NULL };

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  client = client_for_address (address, NULL, NULL);
  wharf_client_ping_async (client, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  ping = wharf_client_ping_finish (client, result, &error);

  g_assert_null (ping);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("%s refused the connection. Is the registry running?", address);
  g_assert_cmpstr (error->message, ==, expected);
}

/* htpasswd */

static void
test_htpasswd (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfClient) anonymous = client_for (reg, NULL, NULL);
  g_autoptr(WharfClient) wrong = client_for (reg, WHARF_TEST_HTPASSWD_USER, "not-the-password");
  g_autoptr(WharfClient) right = client_for (reg, WHARF_TEST_HTPASSWD_USER,
                                             WHARF_TEST_HTPASSWD_PASSWORD);
  g_autoptr(WharfPingResult) wrong_ping = NULL;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(GError) anonymous_error = NULL;
  g_autoptr(GError) wrong_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) anonymous_tags = NULL;
  g_auto(GStrv) tags = NULL;
  const char *domain = wharf_test_registry_get_address (reg);

  digest = wharf_test_registry_push_image (reg, "secret/app", "v1", 1, 128, "linux/amd64", TRUE);

  anonymous_tags = wharf_client_list_tags_sync (anonymous, "secret/app", NULL, &anonymous_error);
  g_assert_null (anonymous_tags);
  g_assert_error (anonymous_error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED);
  g_assert_nonnull (strstr (anonymous_error->message, domain));

  wrong_ping = wharf_client_ping_sync (wrong, NULL, &wrong_error);
  g_assert_null (wrong_ping);
  g_assert_error (wrong_error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);
  expected = g_strdup_printf ("Wrong username or password for %s.", domain);
  g_assert_cmpstr (wrong_error->message, ==, expected);

  ping = wharf_client_ping_sync (right, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping->auth_scheme, ==, WHARF_AUTH_SCHEME_BASIC);
  g_assert_true (ping->signed_in);

  tags = wharf_client_list_tags_sync (right, "secret/app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 1);
  g_assert_cmpstr (tags[0], ==, "v1");

  raw = wharf_client_get_manifest_sync (right, "secret/app", "v1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (raw->digest, ==, digest);
}

/* Token */

static void
test_token (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autoptr(WharfClient) full = client_for (reg, WHARF_TEST_TOKEN_FULL_USER,
                                            WHARF_TEST_TOKEN_FULL_PASSWORD);
  g_autoptr(WharfClient) puller = client_for (reg, WHARF_TEST_TOKEN_PULL_USER,
                                              WHARF_TEST_TOKEN_PULL_PASSWORD);
  g_autoptr(WharfClient) anonymous = client_for (reg, NULL, NULL);
  g_autoptr(WharfClient) wrong = client_for (reg, WHARF_TEST_TOKEN_FULL_USER, "guess");
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(WharfPingResult) wrong_ping = NULL;
  g_autoptr(WharfRawManifest) puller_raw = NULL;
  g_autoptr(WharfRawManifest) public_raw = NULL;
  g_autoptr(WharfRawManifest) private_raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) puller_catalog_error = NULL;
  g_autoptr(GError) private_error = NULL;
  g_autoptr(GError) wrong_error = NULL;
  g_autofree char *private_digest = NULL;
  g_autofree char *public_digest = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) puller_names = NULL;
  guint tokens_before;

  private_digest = wharf_test_registry_push_image (reg, "private/app", "1", 1, 128, "linux/amd64",
                                                   TRUE);
  public_digest = wharf_test_registry_push_image (reg, "public/app", "1", 1, 128, "linux/amd64",
                                                  TRUE);

  ping = wharf_client_ping_sync (full, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping->auth_scheme, ==, WHARF_AUTH_SCHEME_BEARER);
  g_assert_true (ping->signed_in);

  wrong_ping = wharf_client_ping_sync (wrong, NULL, &wrong_error);
  g_assert_null (wrong_ping);
  g_assert_error (wrong_error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (wrong_error->message, wharf_test_registry_get_address (reg)));

  names = wharf_client_list_repositories_sync (full, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "private/app");
  g_assert_cmpstr (names[1], ==, "public/app");

  /* No registry:catalog:* for the puller: no catalog, but reads work. */
  puller_names = wharf_client_list_repositories_sync (puller, NULL, NULL, NULL,
                                                      &puller_catalog_error);
  g_assert_null (puller_names);
  g_assert_error (puller_catalog_error, WHARF_ERROR, WHARF_ERROR_NO_CATALOG);

  puller_raw = wharf_client_get_manifest_sync (puller, "private/app", "1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (puller_raw->digest, ==, private_digest);

  /* Tokens are cached per scope: three more reads, no new token. */
  tokens_before = wharf_test_registry_get_token_request_count (reg);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WharfDescriptor) head = wharf_client_head_manifest_sync (puller, "private/app",
                                                                         "1",
                                                                         NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (head->digest, ==, private_digest);
    }
  g_assert_cmpuint (wharf_test_registry_get_token_request_count (reg), ==, tokens_before);

  public_raw = wharf_client_get_manifest_sync (anonymous, "public/app", "1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (public_raw->digest, ==, public_digest);

  private_raw = wharf_client_get_manifest_sync (anonymous, "private/app", "1", NULL,
                                                &private_error);
  g_assert_null (private_raw);
  g_assert_error (private_error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED);
}

/* TLS */

static void
test_tls (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TLS);
  g_autoptr(WharfClient) strict = client_for (reg, NULL, NULL);
  g_autoptr(WharfClient) with_ca = client_for (reg, NULL, NULL);
  g_autoptr(WharfClient) unverified = client_for (reg, NULL, NULL);
  g_autoptr(WharfClient) explicit_https = client_for_address (wharf_test_registry_get_url (reg),
                                                              NULL, NULL);
  g_autoptr(WharfPingResult) strict_ping = NULL;
  g_autoptr(WharfPingResult) explicit_ping = NULL;
  g_autoptr(WharfPingResult) ca_ping = NULL;
  g_autoptr(WharfPingResult) unverified_ping = NULL;
  g_autoptr(GError) strict_error = NULL;
  g_autoptr(GError) explicit_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *https_url = NULL;

  digest = wharf_test_registry_push_image (reg, "tls/app", "1", 1, 128, "linux/amd64", TRUE);

  /* A bare loopback address tries plain http first; distribution's TLS
   * listener answers that with a 400 of its own, so https comes next, and
   * its certificate error is the answer: no going back to plain http. */
  strict_ping = wharf_client_ping_sync (strict, NULL, &strict_error);
  g_assert_null (strict_ping);
  g_assert_error (strict_error, WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE);
  g_assert_nonnull (strstr (strict_error->message, wharf_test_registry_get_address (reg)));
  g_assert_nonnull (strstr (strict_error->message, "--ca-file"));

  explicit_ping = wharf_client_ping_sync (explicit_https, NULL, &explicit_error);
  g_assert_null (explicit_ping);
  g_assert_error (explicit_error, WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE);

  wharf_endpoint_set_ca_file (wharf_client_get_endpoint (with_ca),
                              wharf_test_registry_get_ca_file (reg));
  ca_ping = wharf_client_ping_sync (with_ca, NULL, &error);
  g_assert_no_error (error);
  https_url = g_strdup_printf ("https://%s", wharf_test_registry_get_address (reg));
  g_assert_cmpstr (ca_ping->base_url, ==, https_url);
  raw = wharf_client_get_manifest_sync (with_ca, "tls/app", "1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (raw->digest, ==, digest);

  wharf_endpoint_set_tls_policy (wharf_client_get_endpoint (unverified), WHARF_TLS_NO_VERIFY);
  unverified_ping = wharf_client_ping_sync (unverified, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unverified_ping->base_url, ==, https_url);
}

/* The scheme of a bare loopback address, against raw servers that record
 * whether a connection opened with a TLS handshake (a record of type 22). */

typedef enum
{
  RAW_PLAIN_REGISTRY,  /* answers GET /v2/ in plain HTTP */
  RAW_GO_TLS_PORT,     /* what Go's TLS listener says to plain HTTP */
  RAW_CLOSE,           /* closes every connection without a word */
} RawMode;

typedef struct
{
  RawMode       mode;
  GSocket      *listener;
  GCancellable *cancellable;
  GThread      *thread;
  char         *address;
  gint          tls_hellos;
  gint          plain_requests;
} RawServer;

static gpointer
raw_server_thread (gpointer data)
{
  RawServer *server = data;

  for (;;)
    {
      g_autoptr(GSocket) conn = g_socket_accept (server->listener, server->cancellable, NULL);
      g_autoptr(GString) request = g_string_new (NULL);
      const char *answer = NULL;

      if (conn == NULL)
        break;

      g_socket_set_timeout (conn, 5);
      while (strstr (request->str, "\r\n\r\n") == NULL)
        {
          char buffer[1024];
          gssize n = g_socket_receive (conn, buffer, sizeof buffer, NULL, NULL);

          if (n <= 0)
            break;
          g_string_append_len (request, buffer, n);
          if ((guchar) request->str[0] == 22)
            break;
        }

      if (request->len == 0)
        continue;

      if ((guchar) request->str[0] == 22)
        {
          g_atomic_int_inc (&server->tls_hellos);
          continue;
        }

      g_atomic_int_inc (&server->plain_requests);
      if (server->mode == RAW_PLAIN_REGISTRY)
        answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Docker-Distribution-Api-Version: registry/2.0\r\n"
                 "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
      else if (server->mode == RAW_GO_TLS_PORT)
        answer = "HTTP/1.0 400 Bad Request\r\n\r\n"
                 "Client sent an HTTP request to an HTTPS server.\n";

      if (answer != NULL)
        g_socket_send (conn, answer, strlen (answer), NULL, NULL);
      g_socket_shutdown (conn, FALSE, TRUE, NULL);
    }

  return NULL;
}

static RawServer *
raw_server_start (RawMode mode)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  RawServer *server = g_new0 (RawServer, 1);

  server->mode = mode;
  server->cancellable = g_cancellable_new ();
  server->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (server->listener, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (server->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (server->listener, &error);
  g_assert_no_error (error);
  server->address =
    g_strdup_printf ("127.0.0.1:%u",
                     g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  server->thread = g_thread_new ("raw-server", raw_server_thread, server);

  return server;
}

static void
raw_server_stop (RawServer *server)
{
  g_cancellable_cancel (server->cancellable);
  g_thread_join (server->thread);
  g_object_unref (server->listener);
  g_object_unref (server->cancellable);
  g_free (server->address);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawServer, raw_server_stop)

static void
test_auto_scheme_plain (void)
{
  g_autoptr(RawServer) server = raw_server_start (RAW_PLAIN_REGISTRY);
  g_autoptr(WharfClient) client = client_for_address (server->address, NULL, NULL);
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *http_url = g_strdup_printf ("http://%s", server->address);

  g_assert_cmpint (wharf_endpoint_get_scheme (wharf_client_get_endpoint (client)), ==,
                   WHARF_SCHEME_AUTO);

  ping = wharf_client_ping_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ping->base_url, ==, http_url);

  /* No TLS handshake at all: that is what keeps the CA store unloaded. */
  g_assert_cmpint (g_atomic_int_get (&server->tls_hellos), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&server->plain_requests), ==, 1);
}

static void
test_auto_scheme_tls_port (void)
{
  g_autoptr(RawServer) go_port = raw_server_start (RAW_GO_TLS_PORT);
  g_autoptr(RawServer) closing = raw_server_start (RAW_CLOSE);
  g_autoptr(WharfClient) go_client = client_for_address (go_port->address, NULL, NULL);
  g_autoptr(WharfClient) closing_client = client_for_address (closing->address, NULL, NULL);
  g_autoptr(WharfPingResult) go_ping = NULL;
  g_autoptr(WharfPingResult) closing_ping = NULL;
  g_autoptr(GError) go_error = NULL;
  g_autoptr(GError) closing_error = NULL;

  /* The 400 of a TLS port is not an answer: https is tried next (and
   * fails here, the server only closes). */
  go_ping = wharf_client_ping_sync (go_client, NULL, &go_error);
  g_assert_null (go_ping);
  g_assert_nonnull (go_error);
  g_assert_true (go_error->domain == WHARF_ERROR);
  g_assert_cmpint (go_error->code, !=, WHARF_ERROR_PROTOCOL);
  g_assert_cmpint (g_atomic_int_get (&go_port->plain_requests), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&go_port->tls_hellos), >=, 1);

  /* A connection closed without an answer may be a TLS port too. */
  closing_ping = wharf_client_ping_sync (closing_client, NULL, &closing_error);
  g_assert_null (closing_ping);
  g_assert_nonnull (closing_error);
  g_assert_true (closing_error->domain == WHARF_ERROR);
  g_assert_cmpint (g_atomic_int_get (&closing->plain_requests), >=, 1);
  g_assert_cmpint (g_atomic_int_get (&closing->tls_hellos), >=, 1);
}

/* Fault proxy */

static void
test_proxy_redirect (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_REDIRECT_BLOBS);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *digest = NULL;

  digest = wharf_test_registry_push_image (reg, "moved/app", "1", 2, 2048, "linux/amd64", TRUE);

  /* Explicit http: the proxy is plain HTTP on loopback. */
  address = g_strdup_printf ("http://%s", wharf_test_proxy_get_address (proxy));
  client = client_for_address (address, WHARF_TEST_HTPASSWD_USER, WHARF_TEST_HTPASSWD_PASSWORD);

  manifest = wharf_client_fetch_manifest_sync (client, "moved/app", "1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (manifest->digest, ==, digest);

  for (guint i = 0; i < manifest->layers->len; i++)
    {
      WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *computed = NULL;

      stream = wharf_client_get_blob_sync (client, "moved/app", layer->digest, NULL, NULL, &error);
      g_assert_no_error (error);
      bytes = read_stream (stream, &error);
      g_assert_no_error (error);
      computed = wharf_digest_compute_bytes (bytes);
      g_assert_cmpstr (computed, ==, layer->digest);
    }

  g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), >=, manifest->layers->len);
  g_assert_cmpuint (wharf_test_proxy_get_leaked_auth_count (proxy), ==, 0);
}

static void
test_proxy_corrupt_manifest (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg,
                                                            WHARF_TEST_PROXY_CORRUPT_MANIFESTS);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfRawManifest) by_tag = NULL;
  g_autoptr(WharfRawManifest) by_digest = NULL;
  g_autoptr(GError) tag_error = NULL;
  g_autoptr(GError) digest_error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *digest = NULL;

  digest = wharf_test_registry_push_image (reg, "bent/app", "1", 1, 128, "linux/amd64", TRUE);
  address = g_strdup_printf ("http://%s", wharf_test_proxy_get_address (proxy));
  client = client_for_address (address, NULL, NULL);

  by_tag = wharf_client_get_manifest_sync (client, "bent/app", "1", NULL, &tag_error);
  g_assert_null (by_tag);
  g_assert_error (tag_error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);

  by_digest = wharf_client_get_manifest_sync (client, "bent/app", digest, NULL, &digest_error);
  g_assert_null (by_digest);
  g_assert_error (digest_error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
}

static void
test_proxy_huge_manifest (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_HUGE_MANIFESTS);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *digest = NULL;

  digest = wharf_test_registry_push_image (reg, "big/app", "1", 1, 128, "linux/amd64", TRUE);
  address = g_strdup_printf ("http://%s", wharf_test_proxy_get_address (proxy));
  client = client_for_address (address, NULL, NULL);

  raw = wharf_client_get_manifest_sync (client, "big/app", "1", NULL, &error);
  g_assert_null (raw);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "The manifest of big/app:1 is larger than 4 MiB; Wharf refuses it.");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/plain/ping", test_plain_ping);
  g_test_add_func ("/client/plain/catalog", test_plain_catalog);
  g_test_add_func ("/client/plain/catalog-maxentries", test_plain_catalog_maxentries);
  g_test_add_func ("/client/plain/tags", test_plain_tags);
  g_test_add_func ("/client/plain/manifest-and-blobs", test_plain_manifest_and_blobs);
  g_test_add_func ("/client/plain/not-found", test_plain_not_found);
  g_test_add_func ("/client/connection-refused", test_connection_refused);
  g_test_add_func ("/client/htpasswd", test_htpasswd);
  g_test_add_func ("/client/token", test_token);
  g_test_add_func ("/client/tls", test_tls);
  g_test_add_func ("/client/auto-scheme/plain", test_auto_scheme_plain);
  g_test_add_func ("/client/auto-scheme/tls-port", test_auto_scheme_tls_port);
  g_test_add_func ("/client/proxy/redirect", test_proxy_redirect);
  g_test_add_func ("/client/proxy/corrupt-manifest", test_proxy_corrupt_manifest);
  g_test_add_func ("/client/proxy/huge-manifest", test_proxy_huge_manifest);

  return g_test_run ();
}
