/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fixtures.c: proves that the integration fixtures behave as their header says. */

#define G_LOG_DOMAIN "wharf-test-fixtures"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "wharf-test-registry.h"

#define CURL_BIN "/usr/bin/curl"
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define ACCEPT_ALL \
  "Accept: application/vnd.oci.image.manifest.v1+json, " \
  "application/vnd.docker.distribution.manifest.v2+json, " \
  "application/vnd.oci.image.index.v1+json, " \
  "application/vnd.docker.distribution.manifest.list.v2+json"

typedef struct
{
  int     exit_status;   /* curl's: 0, or e.g. 60 for a certificate problem */
  guint   status;        /* HTTP status of the last response */
  char   *headers;       /* all header blocks, lower-cased names kept as sent */
  GBytes *body;
} Response;

static void
response_free (Response *resp)
{
  g_free (resp->headers);
  g_clear_pointer (&resp->body, g_bytes_unref);
  g_free (resp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* Runs curl with @args (NULL-terminated) and @url; a HEAD when @method is
 * "HEAD". Never follows redirects unless asked to with -L in @args. */
static Response *
curl (const char         *method,
      const char         *url,
      const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *dir = g_dir_make_tmp ("wharf-curl-XXXXXX", &error);
  g_autofree char *header_path = NULL;
  g_autofree char *body_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *body = NULL;
  gsize body_len = 0;
  int wait_status = 0;
  Response *resp;

  g_assert_no_error (error);
  header_path = g_build_filename (dir, "headers", NULL);
  body_path = g_build_filename (dir, "body", NULL);

  g_ptr_array_add (argv, (gpointer) CURL_BIN);
  g_ptr_array_add (argv, (gpointer) "-sS");
  g_ptr_array_add (argv, (gpointer) "--noproxy");
  g_ptr_array_add (argv, (gpointer) "*");
  g_ptr_array_add (argv, (gpointer) "-D");
  g_ptr_array_add (argv, header_path);
  g_ptr_array_add (argv, (gpointer) "-o");
  g_ptr_array_add (argv, body_path);
  g_ptr_array_add (argv, (gpointer) "-w");
  g_ptr_array_add (argv, (gpointer) "%{http_code}");
  if (g_strcmp0 (method, "HEAD") == 0)
    {
      g_ptr_array_add (argv, (gpointer) "-I");
    }
  else if (g_strcmp0 (method, "GET") != 0)
    {
      g_ptr_array_add (argv, (gpointer) "-X");
      g_ptr_array_add (argv, (gpointer) method);
    }
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) url);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &wait_status, &error);
  g_assert_no_error (error);

  resp = g_new0 (Response, 1);
  resp->exit_status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  resp->status = (guint) g_ascii_strtoull (out, NULL, 10);
  if (!g_file_get_contents (header_path, &resp->headers, NULL, NULL))
    resp->headers = g_strdup ("");
  if (g_file_get_contents (body_path, &body, &body_len, NULL))
    resp->body = g_bytes_new_take (g_steal_pointer (&body), body_len);
  else
    resp->body = g_bytes_new (NULL, 0);

  g_unlink (header_path);
  g_unlink (body_path);
  g_rmdir (dir);

  return resp;
}

/* The value of the last @name header (case-insensitive), or NULL. */
static char *
response_header (Response   *resp,
                 const char *name)
{
  g_auto(GStrv) lines = g_strsplit (resp->headers, "\n", -1);
  char *value = NULL;
  gsize len = strlen (name);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
        {
          g_free (value);
          value = g_strstrip (g_strdup (lines[i] + len + 1));
        }
    }
  return value;
}

static const char *
response_text (Response *resp)
{
  /* curl's body file holds no NUL for the JSON bodies we look at. */
  gsize len;
  const char *data = g_bytes_get_data (resp->body, &len);

  return len > 0 ? data : "";
}

static char *
body_digest (Response *resp)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, resp->body);

  return g_strconcat ("sha256:", hex, NULL);
}

static char *
json_string_field (const char *json,
                   const char *field)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*\"([^\"]*)\"", field);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, json, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static void
assert_digest_shape (const char *digest)
{
  g_assert_nonnull (digest);
  g_assert_true (g_str_has_prefix (digest, "sha256:"));
  g_assert_cmpuint (strlen (digest), ==, 7 + 64);
  for (const char *p = digest + 7; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
}

static void
test_plain (void)
{
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  g_autoptr(Response) ping = NULL;
  g_autoptr(Response) catalog = NULL;
  g_autoptr(Response) after = NULL;
  WharfTestRegistry *reg;

  reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_assert_true (g_str_has_prefix (wharf_test_registry_get_address (reg), "127.0.0.1:"));
  g_assert_cmpstr (wharf_test_registry_get_url (reg) + strlen ("http://"), ==,
                   wharf_test_registry_get_address (reg));
  g_assert_true (g_str_has_prefix (wharf_test_registry_get_url (reg), "http://"));
  g_assert_null (wharf_test_registry_get_ca_file (reg));
  g_assert_null (wharf_test_registry_get_token_realm (reg));
  g_assert_true (g_file_test (wharf_test_registry_get_root (reg), G_FILE_TEST_IS_DIR));

  url = g_strdup_printf ("%s/v2/", wharf_test_registry_get_url (reg));
  ping = curl ("GET", url, NULL);
  g_assert_cmpint (ping->exit_status, ==, 0);
  g_assert_cmpuint (ping->status, ==, 200);

  g_free (url);
  url = g_strdup_printf ("%s/v2/_catalog", wharf_test_registry_get_url (reg));
  catalog = curl ("GET", url, NULL);
  g_assert_cmpuint (catalog->status, ==, 200);
  g_assert_cmpstr (response_text (catalog), ==, "{\"repositories\":[]}\n");

  root = g_strdup (wharf_test_registry_get_root (reg));
  wharf_test_registry_stop (reg);

  /* Stopped means gone: no process on the port, no files left. */
  after = curl ("GET", url, NULL);
  g_assert_cmpint (after->exit_status, !=, 0);
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));

  /* Idempotent for NULL, as g_autoptr relies on. */
  wharf_test_registry_stop (NULL);
}

static void
test_env_override (void)
{
  const char *env[] = { "REGISTRY_CATALOG_MAXENTRIES=2", NULL };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_PLAIN,
                                                                         env);
  g_autofree char *url = g_strdup_printf ("%s/v2/_catalog?n=3", wharf_test_registry_get_url (reg));
  g_autoptr(Response) resp = curl ("GET", url, NULL);

  /* n above catalog.maxentries is refused: the override reached the registry. */
  g_assert_cmpuint (resp->status, ==, 400);
  g_assert_nonnull (strstr (response_text (resp), "PAGINATION_NUMBER_INVALID"));
}

static void
test_htpasswd (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autofree char *url = g_strdup_printf ("%s/v2/", wharf_test_registry_get_url (reg));
  const char *good[] = { "-u", WHARF_TEST_HTPASSWD_USER ":" WHARF_TEST_HTPASSWD_PASSWORD, NULL };
  const char *bad[] = { "-u", WHARF_TEST_HTPASSWD_USER ":looking-glass", NULL };
  g_autoptr(Response) anonymous = curl ("GET", url, NULL);
  g_autoptr(Response) alice = curl ("GET", url, good);
  g_autoptr(Response) wrong = curl ("GET", url, bad);
  g_autofree char *challenge = response_header (anonymous, "WWW-Authenticate");
  g_autofree char *digest = NULL;

  g_assert_cmpuint (anonymous->status, ==, 401);
  g_assert_nonnull (challenge);
  g_assert_true (g_str_has_prefix (challenge, "Basic realm="));
  g_assert_cmpuint (alice->status, ==, 200);
  g_assert_cmpuint (wrong->status, ==, 401);

  /* regtool answers the Basic challenge with alice's credentials. */
  digest = wharf_test_registry_push_image (reg, "private/app", "v1", 1, 100, "linux/amd64", TRUE);
  assert_digest_shape (digest);
}

static void
check_manifest (WharfTestRegistry *reg,
                const char        *repository,
                const char        *reference,
                const char        *digest,
                const char        *media_type,
                const char * const *auth)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *url = g_strdup_printf ("%s/v2/%s/manifests/%s",
                                          wharf_test_registry_get_url (reg),
                                          repository, reference);
  g_autoptr(Response) head = NULL;
  g_autoptr(Response) get = NULL;
  g_autofree char *head_digest = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *computed = NULL;

  g_ptr_array_add (args, (gpointer) "-H");
  g_ptr_array_add (args, (gpointer) ACCEPT_ALL);
  if (wharf_test_registry_get_ca_file (reg) != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--cacert");
      g_ptr_array_add (args, (gpointer) wharf_test_registry_get_ca_file (reg));
    }
  for (guint i = 0; auth != NULL && auth[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) auth[i]);
  g_ptr_array_add (args, NULL);

  head = curl ("HEAD", url, (const char * const *) args->pdata);
  g_assert_cmpuint (head->status, ==, 200);
  head_digest = response_header (head, "Docker-Content-Digest");
  g_assert_cmpstr (head_digest, ==, digest);
  content_type = response_header (head, "Content-Type");
  g_assert_cmpstr (content_type, ==, media_type);

  get = curl ("GET", url, (const char * const *) args->pdata);
  g_assert_cmpuint (get->status, ==, 200);
  computed = body_digest (get);
  g_assert_cmpstr (computed, ==, digest);
}

static void
test_push_image (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *oci = NULL;
  g_autofree char *docker = NULL;
  g_autofree char *url = NULL;
  g_autofree char *config_digest = NULL;
  g_autofree char *config_url = NULL;
  g_autofree char *tags_url = NULL;
  g_autoptr(Response) manifest = NULL;
  g_autoptr(Response) config = NULL;
  g_autoptr(Response) tags = NULL;
  const char *accept[] = { "-H", ACCEPT_ALL, NULL };
  const char *text;

  oci = wharf_test_registry_push_image (reg, "library/demo", "arm", 3, 2000, "linux/arm64/v8",
                                        TRUE);
  assert_digest_shape (oci);
  check_manifest (reg, "library/demo", "arm", oci, OCI_MANIFEST, NULL);
  check_manifest (reg, "library/demo", oci, oci, OCI_MANIFEST, NULL);

  docker = wharf_test_registry_push_image (reg, "library/demo", "amd", 1, 10, "linux/amd64",
                                           FALSE);
  assert_digest_shape (docker);
  g_assert_cmpstr (docker, !=, oci);
  check_manifest (reg, "library/demo", "amd", docker,
                  "application/vnd.docker.distribution.manifest.v2+json", NULL);

  /* The manifest lists three gzip layers and a config for the platform. */
  url = g_strdup_printf ("%s/v2/library/demo/manifests/arm", wharf_test_registry_get_url (reg));
  manifest = curl ("GET", url, accept);
  text = response_text (manifest);
  g_assert_nonnull (strstr (text, "application/vnd.oci.image.config.v1+json"));
  {
    g_auto(GStrv) parts = g_strsplit (text, "application/vnd.oci.image.layer.v1.tar+gzip", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 4);
  }

  /* The config is the first digest after "config". */
  {
    const char *cfg = strstr (text, "\"config\"");

    g_assert_nonnull (cfg);
    config_digest = json_string_field (cfg, "digest");
  }
  assert_digest_shape (config_digest);
  config_url = g_strdup_printf ("%s/v2/library/demo/blobs/%s",
                                wharf_test_registry_get_url (reg), config_digest);
  config = curl ("GET", config_url, NULL);
  g_assert_cmpuint (config->status, ==, 200);
  {
    g_autofree char *computed = body_digest (config);
    g_autofree char *arch = json_string_field (response_text (config), "architecture");
    g_autofree char *os = json_string_field (response_text (config), "os");
    g_autofree char *variant = json_string_field (response_text (config), "variant");

    g_assert_cmpstr (computed, ==, config_digest);
    g_assert_cmpstr (arch, ==, "arm64");
    g_assert_cmpstr (os, ==, "linux");
    g_assert_cmpstr (variant, ==, "v8");
    g_assert_nonnull (strstr (response_text (config), "\"Entrypoint\""));
    g_assert_nonnull (strstr (response_text (config), "\"Labels\""));
    g_assert_nonnull (strstr (response_text (config), "\"empty_layer\": true"));
  }

  /* Tagging an existing digest. */
  wharf_test_registry_tag (reg, "library/demo", oci, "stable");
  check_manifest (reg, "library/demo", "stable", oci, OCI_MANIFEST,
                  NULL);
  tags_url = g_strdup_printf ("%s/v2/library/demo/tags/list", wharf_test_registry_get_url (reg));
  tags = curl ("GET", tags_url, NULL);
  g_assert_cmpuint (tags->status, ==, 200);
  g_assert_nonnull (strstr (response_text (tags), "\"stable\""));
  g_assert_nonnull (strstr (response_text (tags), "\"arm\""));
  g_assert_nonnull (strstr (response_text (tags), "\"amd\""));
}

static void
test_push_index (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  const char *platforms[] = { "linux/amd64", "linux/arm64/v8", "linux/arm/v7", NULL };
  const char *accept[] = { "-H", ACCEPT_ALL, NULL };
  g_autofree char *digest = NULL;
  g_autofree char *url = NULL;
  g_autofree char *catalog_url = NULL;
  g_autoptr(Response) index = NULL;
  g_autoptr(Response) catalog = NULL;
  const char *text;

  digest = wharf_test_registry_push_index (reg, "multi/arch", "latest", platforms, TRUE);
  assert_digest_shape (digest);
  check_manifest (reg, "multi/arch", "latest", digest, "application/vnd.oci.image.index.v1+json",
                  NULL);

  catalog_url = g_strdup_printf ("%s/v2/_catalog", wharf_test_registry_get_url (reg));
  catalog = curl ("GET", catalog_url, NULL);
  g_assert_cmpstr (response_text (catalog), ==, "{\"repositories\":[\"multi/arch\"]}\n");

  url = g_strdup_printf ("%s/v2/multi/arch/manifests/latest", wharf_test_registry_get_url (reg));
  index = curl ("GET", url, accept);
  text = response_text (index);
  g_assert_nonnull (strstr (text, "\"variant\": \"v7\""));
  g_assert_nonnull (strstr (text, "\"architecture\": \"unknown\""));
  g_assert_nonnull (strstr (text, "\"vnd.docker.reference.type\": \"attestation-manifest\""));
  {
    g_auto(GStrv) entries = g_strsplit (text, "\"platform\"", -1);

    g_assert_cmpuint (g_strv_length (entries), ==, 4 + 1);
  }
  /* Every child manifest exists: check the attestation's subject too. */
  {
    g_autofree char *subject = json_string_field (text, "vnd.docker.reference.digest");

    assert_digest_shape (subject);
    check_manifest (reg, "multi/arch", subject, subject,
                    OCI_MANIFEST, NULL);
  }
}

static char *
fetch_token (WharfTestRegistry *reg,
             const char        *realm,
             const char        *userpass,
             const char        *scope,
             guint             *status)
{
  g_autofree char *url = NULL;
  g_autoptr(Response) resp = NULL;
  const char *args[] = { "-u", userpass, NULL };

  url = g_strdup_printf ("%s?service=wharf-test-registry&scope=%s&account=x", realm, scope);
  resp = curl ("GET", url, userpass != NULL ? args : NULL);
  *status = resp->status;
  if (resp->status != 200)
    return NULL;
  g_assert_nonnull (strstr (response_text (resp), "\"expires_in\": 300"));
  g_assert_nonnull (strstr (response_text (resp), "\"issued_at\""));
  return json_string_field (response_text (resp), "token");
}

static guint
get_with_token (const char *url,
                const char *token)
{
  g_autofree char *header = g_strdup_printf ("Authorization: Bearer %s", token);
  const char *args[] = { "-H", header, "-H", ACCEPT_ALL, NULL };
  g_autoptr(Response) resp = curl ("GET", url, args);

  return resp->status;
}

static void
test_token (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autofree char *ping_url = g_strdup_printf ("%s/v2/", wharf_test_registry_get_url (reg));
  g_autofree char *catalog_url = g_strdup_printf ("%s/v2/_catalog",
                                                  wharf_test_registry_get_url (reg));
  g_autoptr(Response) ping = curl ("GET", ping_url, NULL);
  g_autofree char *challenge = response_header (ping, "WWW-Authenticate");
  g_autofree char *realm = NULL;
  g_autofree char *full = NULL;
  g_autofree char *puller = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *public_digest = NULL;
  guint status = 0;

  g_assert_cmpuint (ping->status, ==, 401);
  g_assert_nonnull (challenge);
  g_assert_true (g_str_has_prefix (challenge, "Bearer realm=\"http://127.0.0.1:"));
  g_assert_nonnull (strstr (challenge, "service=\"wharf-test-registry\""));
  realm = g_strndup (challenge + strlen ("Bearer realm=\""),
                     strchr (challenge + strlen ("Bearer realm=\""), '"') - challenge -
                     strlen ("Bearer realm=\""));
  g_assert_true (g_str_has_suffix (realm, "/token"));
  g_assert_cmpstr (realm, ==, wharf_test_registry_get_token_realm (reg));
  g_assert_cmpuint (wharf_test_registry_get_token_request_count (reg), ==, 0);

  /* The catalog takes registry:catalog:*, which only "full" gets. */
  full = fetch_token (reg, realm, WHARF_TEST_TOKEN_FULL_USER ":" WHARF_TEST_TOKEN_FULL_PASSWORD,
                      "registry:catalog:*", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (full);
  g_assert_cmpuint (get_with_token (catalog_url, full), ==, 200);
  g_assert_cmpuint (wharf_test_registry_get_token_request_count (reg), ==, 1);

  puller = fetch_token (reg, realm, WHARF_TEST_TOKEN_PULL_USER ":" WHARF_TEST_TOKEN_PULL_PASSWORD,
                        "registry:catalog:*", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (puller);
  g_assert_cmpuint (get_with_token (catalog_url, puller), ==, 401);

  g_assert_null (fetch_token (reg, realm, WHARF_TEST_TOKEN_FULL_USER ":nope",
                              "registry:catalog:*", &status));
  g_assert_cmpuint (status, ==, 401);

  /* Pushing uses "full"; pulling then works for puller, and for anonymous
   * only under public/. */
  digest = wharf_test_registry_push_image (reg, "team/app", "1.0", 1, 64, "linux/amd64", TRUE);
  assert_digest_shape (digest);
  public_digest = wharf_test_registry_push_image (reg, "public/app", "1.0", 1, 64, "linux/amd64",
                                                  TRUE);
  assert_digest_shape (public_digest);

  {
    g_autofree char *url = g_strdup_printf ("%s/v2/team/app/manifests/%s",
                                            wharf_test_registry_get_url (reg), digest);
    g_autofree char *public_url = g_strdup_printf ("%s/v2/public/app/manifests/%s",
                                                   wharf_test_registry_get_url (reg),
                                                   public_digest);
    g_autofree char *t1 = NULL;
    g_autofree char *t2 = NULL;
    g_autofree char *t3 = NULL;
    g_autofree char *t4 = NULL;

    t1 = fetch_token (reg, realm, WHARF_TEST_TOKEN_PULL_USER ":" WHARF_TEST_TOKEN_PULL_PASSWORD,
                      "repository:team/app:pull,push", &status);
    g_assert_cmpuint (get_with_token (url, t1), ==, 200);
    t2 = fetch_token (reg, realm, NULL, "repository:team/app:pull", &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (get_with_token (url, t2), ==, 401);
    t3 = fetch_token (reg, realm, NULL, "repository:public/app:pull", &status);
    g_assert_cmpuint (get_with_token (public_url, t3), ==, 200);
    /* puller asked for push too but got only pull: uploads and DELETEs are
     * refused, while the same request works with full's token. */
    {
      g_autofree char *header = g_strdup_printf ("Authorization: Bearer %s", t1);
      g_autofree char *upload_url = g_strdup_printf ("%s/v2/team/app/blobs/uploads/",
                                                     wharf_test_registry_get_url (reg));
      const char *args[] = { "-H", header, NULL };
      g_autoptr(Response) del = curl ("DELETE", url, args);
      g_autoptr(Response) post = curl ("POST", upload_url, args);
      g_autofree char *full_push = NULL;

      g_assert_cmpuint (del->status, ==, 401);
      g_assert_cmpuint (post->status, ==, 401);

      full_push = fetch_token (reg, realm,
                               WHARF_TEST_TOKEN_FULL_USER ":" WHARF_TEST_TOKEN_FULL_PASSWORD,
                               "repository:team/app:pull,push", &status);
      g_free (header);
      header = g_strdup_printf ("Authorization: Bearer %s", full_push);
      args[1] = header;
      {
        g_autoptr(Response) post2 = curl ("POST", upload_url, args);

        g_assert_cmpuint (post2->status, ==, 202);
      }
    }
    t4 = fetch_token (reg, realm, WHARF_TEST_TOKEN_FULL_USER ":" WHARF_TEST_TOKEN_FULL_PASSWORD,
                      "repository:team/app:delete", &status);
    {
      g_autofree char *header = g_strdup_printf ("Authorization: Bearer %s", t4);
      const char *args[] = { "-H", header, NULL };
      g_autoptr(Response) del = curl ("DELETE", url, args);

      g_assert_cmpuint (del->status, ==, 202);
    }
  }

  /* OAuth2 POST: password grant with a refresh token, then a refresh. */
  {
    const char *form[] = { "-d", "grant_type=password&username=full&password=fullpass"
                                 "&service=wharf-test-registry&client_id=wharf-tests"
                                 "&access_type=offline&scope=registry:catalog:*", NULL };
    g_autoptr(Response) resp = curl ("POST", realm, form);
    g_autofree char *access = json_string_field (response_text (resp), "access_token");
    g_autofree char *refresh = json_string_field (response_text (resp), "refresh_token");
    g_autofree char *refresh_form = NULL;
    g_autoptr(Response) resp2 = NULL;
    g_autofree char *access2 = NULL;

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_nonnull (access);
    g_assert_nonnull (refresh);
    g_assert_cmpuint (get_with_token (catalog_url, access), ==, 200);

    refresh_form = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s"
                                    "&service=wharf-test-registry&client_id=wharf-tests"
                                    "&scope=registry:catalog:*", refresh);
    {
      const char *args[] = { "-d", refresh_form, NULL };

      resp2 = curl ("POST", realm, args);
    }
    g_assert_cmpuint (resp2->status, ==, 200);
    access2 = json_string_field (response_text (resp2), "access_token");
    g_assert_nonnull (access2);
    g_assert_cmpuint (get_with_token (catalog_url, access2), ==, 200);
  }
  {
    const char *form[] = { "-d", "grant_type=password&username=full&password=wrong"
                                 "&service=wharf-test-registry&client_id=wharf-tests", NULL };
    g_autoptr(Response) resp = curl ("POST", realm, form);

    g_assert_cmpuint (resp->status, ==, 401);
    g_assert_nonnull (strstr (response_text (resp), "\"error\""));
  }
}

static void
test_token_expiry (void)
{
  const char *env[] = { "WHARF_TEST_TOKEN_EXPIRES_IN=120", NULL };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_TOKEN,
                                                                         env);
  g_autofree char *url = g_strdup_printf ("%s?service=wharf-test-registry",
                                          wharf_test_registry_get_token_realm (reg));
  g_autoptr(Response) resp = curl ("GET", url, NULL);

  g_assert_cmpuint (resp->status, ==, 200);
  g_assert_nonnull (strstr (response_text (resp), "\"expires_in\": 120"));
  g_assert_cmpuint (wharf_test_registry_get_token_request_count (reg), ==, 1);
  g_assert_null (wharf_test_registry_get_ca_file (reg));
}

static void
test_tls (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TLS);
  g_autofree char *url = g_strdup_printf ("%s/v2/", wharf_test_registry_get_url (reg));
  g_autofree char *localhost_url = NULL;
  const char *ca = wharf_test_registry_get_ca_file (reg);
  const char *with_ca[] = { "--cacert", ca, NULL };
  g_autoptr(Response) untrusted = NULL;
  g_autoptr(Response) trusted = NULL;
  g_autoptr(Response) by_name = NULL;
  g_autofree char *digest = NULL;

  g_assert_true (g_str_has_prefix (wharf_test_registry_get_url (reg), "https://127.0.0.1:"));
  g_assert_nonnull (ca);
  g_assert_true (g_file_test (ca, G_FILE_TEST_IS_REGULAR));

  untrusted = curl ("GET", url, NULL);
  g_assert_cmpint (untrusted->exit_status, ==, 60);  /* CURLE_PEER_FAILED_VERIFICATION */

  trusted = curl ("GET", url, with_ca);
  g_assert_cmpint (trusted->exit_status, ==, 0);
  g_assert_cmpuint (trusted->status, ==, 200);

  /* The certificate names localhost too. */
  localhost_url = g_strdup_printf ("https://localhost:%s/v2/",
                                   strchr (wharf_test_registry_get_address (reg), ':') + 1);
  by_name = curl ("GET", localhost_url, with_ca);
  g_assert_cmpint (by_name->exit_status, ==, 0);
  g_assert_cmpuint (by_name->status, ==, 200);

  digest = wharf_test_registry_push_image (reg, "secure/app", "latest", 1, 256, "linux/amd64",
                                           TRUE);
  check_manifest (reg, "secure/app", "latest", digest, OCI_MANIFEST, NULL);
}

static void
test_seed (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *next = g_strdup ("/v2/_catalog?n=1000");
  guint pages = 0;
  const guint n = 2500;

  wharf_test_registry_seed_repositories (reg, "seeded/repo-", n);

  while (next != NULL)
    {
      g_autofree char *url = g_strconcat (wharf_test_registry_get_url (reg), next, NULL);
      g_autoptr(Response) resp = curl ("GET", url, NULL);
      g_autofree char *link = response_header (resp, "Link");
      g_autoptr(GRegex) regex = g_regex_new ("\"(seeded/repo-[0-9]+)\"", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      g_assert_cmpuint (resp->status, ==, 200);
      g_regex_match (regex, response_text (resp), 0, &match);
      while (g_match_info_matches (match))
        {
          g_hash_table_add (seen, g_match_info_fetch (match, 1));
          g_match_info_next (match, NULL);
        }

      g_clear_pointer (&next, g_free);
      if (link != NULL)
        {
          const char *start = strchr (link, '<');
          const char *end = strchr (link, '>');

          g_assert_nonnull (start);
          g_assert_nonnull (end);
          next = g_strndup (start + 1, end - start - 1);
        }
      pages++;
      g_assert_cmpuint (pages, <=, 10);
    }

  g_assert_cmpuint (g_hash_table_size (seen), ==, n);
  g_assert_cmpuint (pages, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("seeded/repo-%05u", i);

      g_assert_true (g_hash_table_contains (seen, name));
    }

  /* A seeded repository serves its manifest like a pushed one. */
  {
    g_autofree char *url = g_strdup_printf ("%s/v2/seeded/repo-02499/manifests/latest",
                                            wharf_test_registry_get_url (reg));
    const char *accept[] = { "-H", ACCEPT_ALL, NULL };
    g_autoptr(Response) resp = curl ("GET", url, accept);
    g_autofree char *digest = response_header (resp, "Docker-Content-Digest");
    g_autofree char *computed = body_digest (resp);

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_cmpstr (digest, ==, computed);
  }
}

static void
test_proxy_passthrough (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg, 0);
  g_autofree char *base = g_strdup_printf ("http://%s", wharf_test_proxy_get_address (proxy));
  g_autofree char *ping_url = g_strconcat (base, "/v2/", NULL);
  g_autofree char *upload_url = g_strconcat (base, "/v2/via/proxy/blobs/uploads/", NULL);
  const char *auth[] = { "-u", WHARF_TEST_HTPASSWD_USER ":" WHARF_TEST_HTPASSWD_PASSWORD, NULL };
  const char *post[] = { "-u", WHARF_TEST_HTPASSWD_USER ":" WHARF_TEST_HTPASSWD_PASSWORD,
                         "-H", "Content-Length: 0", NULL };
  g_autoptr(Response) anonymous = curl ("GET", ping_url, NULL);
  g_autoptr(Response) alice = curl ("GET", ping_url, auth);
  g_autoptr(Response) upload = curl ("POST", upload_url, post);
  g_autofree char *challenge = response_header (anonymous, "WWW-Authenticate");
  g_autofree char *location = response_header (upload, "Location");

  g_assert_true (g_str_has_prefix (wharf_test_proxy_get_address (proxy), "127.0.0.1:"));
  g_assert_cmpstr (wharf_test_proxy_get_address (proxy), !=,
                   wharf_test_registry_get_address (reg));
  g_assert_cmpuint (anonymous->status, ==, 401);
  g_assert_true (g_str_has_prefix (challenge, "Basic "));
  g_assert_cmpuint (alice->status, ==, 200);

  /* Upload locations lead back through the proxy. */
  g_assert_cmpuint (upload->status, ==, 202);
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, base) || g_str_has_prefix (location, "/v2/"));
  g_assert_null (strstr (location, wharf_test_registry_get_address (reg)));

  g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), ==, 0);
  g_assert_cmpuint (wharf_test_proxy_get_leaked_auth_count (proxy), ==, 0);
}

static void
test_proxy_redirect (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_REDIRECT_BLOBS);
  g_autofree char *digest = wharf_test_registry_push_image (reg, "team/blobby", "v1", 1, 4096,
                                                            "linux/amd64", FALSE);
  g_autofree char *manifest_url = g_strdup_printf ("http://%s/v2/team/blobby/manifests/v1",
                                                   wharf_test_proxy_get_address (proxy));
  g_autofree char *blob_url = NULL;
  g_autofree char *layer = NULL;
  g_autofree char *realm_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *header = NULL;
  guint status = 0;

  /* A token for pulling, straight from the token server. */
  {
    g_autoptr(Response) ping = curl ("GET", manifest_url, NULL);
    g_autofree char *challenge = response_header (ping, "WWW-Authenticate");
    const char *start;

    g_assert_cmpuint (ping->status, ==, 401);
    g_assert_nonnull (challenge);
    start = challenge + strlen ("Bearer realm=\"");
    realm_url = g_strndup (start, strchr (start, '"') - start);
  }
  token = fetch_token (reg, realm_url,
                       WHARF_TEST_TOKEN_PULL_USER ":" WHARF_TEST_TOKEN_PULL_PASSWORD,
                       "repository:team/blobby:pull", &status);
  g_assert_nonnull (token);
  header = g_strdup_printf ("Authorization: Bearer %s", token);

  {
    const char *args[] = { "-H", header, "-H", ACCEPT_ALL, NULL };
    g_autoptr(Response) manifest = curl ("GET", manifest_url, args);
    const char *layers = strstr (response_text (manifest), "\"layers\"");

    g_assert_cmpuint (manifest->status, ==, 200);
    g_assert_nonnull (layers);
    layer = json_string_field (layers, "digest");
    assert_digest_shape (layer);
  }
  blob_url = g_strdup_printf ("http://%s/v2/team/blobby/blobs/%s",
                              wharf_test_proxy_get_address (proxy), layer);

  /* Without following: a 307 to the second host. */
  {
    const char *args[] = { "-H", header, NULL };
    g_autoptr(Response) resp = curl ("GET", blob_url, args);
    g_autofree char *location = response_header (resp, "Location");

    g_assert_cmpuint (resp->status, ==, 307);
    g_assert_true (g_str_has_prefix (location, "http://127.0.0.2:"));
    g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), ==, 0);
  }

  /* curl drops the credentials on a redirect to another host... */
  {
    const char *args[] = { "-L", "-H", header, NULL };
    g_autoptr(Response) resp = curl ("GET", blob_url, args);
    g_autofree char *computed = body_digest (resp);

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_cmpstr (computed, ==, layer);
    g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), ==, 1);
    g_assert_cmpuint (wharf_test_proxy_get_leaked_auth_count (proxy), ==, 0);
  }

  /* ...and keeps them with --location-trusted, which the counter catches. */
  {
    const char *args[] = { "-L", "--location-trusted", "-H", header, NULL };
    g_autoptr(Response) resp = curl ("GET", blob_url, args);
    g_autofree char *computed = body_digest (resp);

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_cmpstr (computed, ==, layer);
    g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), ==, 2);
    g_assert_cmpuint (wharf_test_proxy_get_leaked_auth_count (proxy), ==, 1);
  }

  /* Unauthorized blob GETs are not redirected: the registry answers. */
  {
    g_autoptr(Response) resp = curl ("GET", blob_url, NULL);

    g_assert_cmpuint (resp->status, ==, 401);
    g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), ==, 2);
  }

  g_assert_nonnull (digest);
}

static void
test_proxy_corrupt (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TLS);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg,
                                                            WHARF_TEST_PROXY_CORRUPT_MANIFESTS);
  g_autofree char *digest = wharf_test_registry_push_image (reg, "bad/bytes", "v1", 1, 128,
                                                            "linux/amd64", TRUE);
  g_autofree char *url = g_strdup_printf ("http://%s/v2/bad/bytes/manifests/v1",
                                          wharf_test_proxy_get_address (proxy));
  const char *accept[] = { "-H", ACCEPT_ALL, NULL };
  g_autoptr(Response) resp = curl ("GET", url, accept);
  g_autofree char *header_digest = response_header (resp, "Docker-Content-Digest");
  g_autofree char *length = response_header (resp, "Content-Length");
  g_autofree char *computed = body_digest (resp);
  g_autoptr(Response) head = curl ("HEAD", url, accept);
  g_autofree char *head_length = response_header (head, "Content-Length");
  g_autofree char *blob_url = NULL;

  g_assert_cmpuint (resp->status, ==, 200);
  g_assert_cmpstr (header_digest, ==, digest);
  g_assert_cmpstr (computed, !=, digest);
  g_assert_cmpuint (g_ascii_strtoull (length, NULL, 10), ==, g_bytes_get_size (resp->body));
  /* One byte more than the real manifest that HEAD describes. */
  g_assert_cmpuint (g_ascii_strtoull (head_length, NULL, 10) + 1, ==,
                    g_bytes_get_size (resp->body));

  /* Blobs pass untouched. */
  {
    const char *cfg = strstr (response_text (resp), "\"config\"");
    g_autofree char *config_digest = json_string_field (cfg, "digest");
    g_autoptr(Response) blob = NULL;
    g_autofree char *blob_digest = NULL;

    blob_url = g_strdup_printf ("http://%s/v2/bad/bytes/blobs/%s",
                                wharf_test_proxy_get_address (proxy), config_digest);
    blob = curl ("GET", blob_url, NULL);
    blob_digest = body_digest (blob);
    g_assert_cmpuint (blob->status, ==, 200);
    g_assert_cmpstr (blob_digest, ==, config_digest);
  }
}

static void
test_proxy_huge (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestProxy) proxy = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_HUGE_MANIFESTS);
  g_autofree char *digest = wharf_test_registry_push_image (reg, "big/manifest", "v1", 1, 128,
                                                            "linux/amd64", TRUE);
  g_autofree char *url = g_strdup_printf ("http://%s/v2/big/manifest/manifests/%s",
                                          wharf_test_proxy_get_address (proxy), digest);
  const char *accept[] = { "-H", ACCEPT_ALL, NULL };
  g_autoptr(Response) resp = curl ("GET", url, accept);
  g_autofree char *length = response_header (resp, "Content-Length");
  const char *text = response_text (resp);
  gsize size = g_bytes_get_size (resp->body);

  g_assert_cmpuint (resp->status, ==, 200);
  g_assert_cmpuint (size, >, 4 * 1024 * 1024);
  g_assert_cmpuint (g_ascii_strtoull (length, NULL, 10), ==, size);
  g_assert_true (text[0] == '{' && text[size - 1] == '}');
  g_assert_nonnull (strstr (text, "\"schemaVersion\": 2"));
}

static void
test_parallel (void)
{
  WharfTestRegistry *regs[3];
  g_autoptr(GHashTable) ports = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    {
      const char *address;

      regs[i] = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
      address = wharf_test_registry_get_address (regs[i]);
      g_assert_true (g_hash_table_add (ports, (gpointer) address));
    }
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    {
      g_autofree char *repo = g_strdup_printf ("only/in-%u", i);
      g_autofree char *digest = wharf_test_registry_push_image (regs[i], repo, "x", 1, 8,
                                                                "linux/amd64", TRUE);

      assert_digest_shape (digest);
    }
  /* Each registry has its own storage. */
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/v2/_catalog",
                                              wharf_test_registry_get_url (regs[i]));
      g_autofree char *expected = g_strdup_printf ("{\"repositories\":[\"only/in-%u\"]}\n", i);
      g_autoptr(Response) resp = curl ("GET", url, NULL);

      g_assert_cmpstr (response_text (resp), ==, expected);
    }
  g_hash_table_remove_all (ports);
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    wharf_test_registry_stop (regs[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fixtures/plain", test_plain);
  g_test_add_func ("/fixtures/env-override", test_env_override);
  g_test_add_func ("/fixtures/htpasswd", test_htpasswd);
  g_test_add_func ("/fixtures/push-image", test_push_image);
  g_test_add_func ("/fixtures/push-index", test_push_index);
  g_test_add_func ("/fixtures/token", test_token);
  g_test_add_func ("/fixtures/token-expiry", test_token_expiry);
  g_test_add_func ("/fixtures/tls", test_tls);
  g_test_add_func ("/fixtures/seed", test_seed);
  g_test_add_func ("/fixtures/proxy/passthrough", test_proxy_passthrough);
  g_test_add_func ("/fixtures/proxy/redirect-blobs", test_proxy_redirect);
  g_test_add_func ("/fixtures/proxy/corrupt-manifests", test_proxy_corrupt);
  g_test_add_func ("/fixtures/proxy/huge-manifests", test_proxy_huge);
  g_test_add_func ("/fixtures/parallel", test_parallel);

  return g_test_run ();
}
