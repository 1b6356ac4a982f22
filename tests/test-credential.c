/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-credential.c: server names, Docker/containers auth files and credential helpers. */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "wharf-credential.h"
#include "wharf-error.h"

/* Test helpers */

static char *original_home;

static void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
docker_config_path (void)
{
  return g_build_filename (g_getenv ("HOME"), ".docker", "config.json", NULL);
}

static void
write_docker_config (const char *contents)
{
  g_autofree char *path = docker_config_path ();

  write_file (path, contents);
}

static char *
basic_auth (const char *user,
            const char *password)
{
  g_autofree char *plain = g_strconcat (user, ":", password, NULL);

  return g_base64_encode ((const guchar *) plain, strlen (plain));
}

/* Every test starts from empty directories and none of the variables that
 * redirect the lookups. isolate_dirs only changes what GLib returns, while
 * libwharf reads the environment as Docker does, so export them. */
static void
reset_environment (void)
{
  g_unsetenv ("DOCKER_CONFIG");
  g_unsetenv ("DOCKER_AUTH_CONFIG");
  g_unsetenv ("REGISTRY_AUTH_FILE");

  g_assert_cmpstr (g_get_home_dir (), !=, original_home);
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
}

static void
assert_no_secret_in_error (const GError *error,
                           const char   *secret)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, secret));
}

static void
assert_credential (const WharfCredential  *cred,
                   const char             *server,
                   const char             *username,
                   const char             *secret,
                   gboolean                identity_token,
                   WharfCredentialSource   source)
{
  g_assert_nonnull (cred);
  g_assert_cmpstr (cred->server, ==, server);
  g_assert_cmpstr (cred->username, ==, username);
  g_assert_cmpstr (cred->secret, ==, secret);
  g_assert_cmpint (cred->identity_token, ==, identity_token);
  g_assert_cmpint (cred->source, ==, source);
}

/* Tests */

static void
test_normalize_server (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "https://index.docker.io/v1/", "docker.io" },
    { "http://index.docker.io/v1/", "docker.io" },
    { "index.docker.io", "docker.io" },
    { "registry-1.docker.io", "docker.io" },
    { "https://registry-1.docker.io/v2/", "docker.io" },
    { "docker.io", "docker.io" },
    { "Docker.IO", "docker.io" },
    { "localhost:5000", "localhost:5000" },
    { "http://localhost:5000", "localhost:5000" },
    { "https://LocalHost:5000/", "localhost:5000" },
    { "https://host:5000/v2/some/path?x=1", "host:5000" },
    { "quay.io/namespace/repo", "quay.io" },
    { "Registry.Example.COM", "registry.example.com" },
    { "  ghcr.io  ", "ghcr.io" },
    { "127.0.0.1:5000", "127.0.0.1:5000" },
    { "[::1]:5000", "[::1]:5000" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = wharf_credential_normalize_server (cases[i].in);

      g_assert_cmpstr (normalized, ==, cases[i].out);
    }
}

static void
test_new_copy_free (void)
{
  g_autoptr(WharfCredential) cred = wharf_credential_new ("localhost:5000", NULL, "pw");
  g_autoptr(WharfCredential) copy = NULL;
  GValue value = G_VALUE_INIT;

  g_assert_cmpstr (cred->server, ==, "localhost:5000");
  g_assert_cmpstr (cred->username, ==, "");
  g_assert_cmpstr (cred->secret, ==, "pw");
  g_assert_false (cred->identity_token);
  g_assert_cmpint (cred->source, ==, WHARF_CREDENTIAL_SOURCE_NONE);

  cred->identity_token = TRUE;
  cred->source = WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER;
  copy = wharf_credential_copy (cred);
  g_assert_true (copy != cred);
  g_assert_true (copy->secret != cred->secret);
  assert_credential (copy, "localhost:5000", "", "pw", TRUE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);

  /* The boxed type copies through GValue too. */
  g_value_init (&value, WHARF_TYPE_CREDENTIAL);
  g_value_set_boxed (&value, cred);
  assert_credential (g_value_get_boxed (&value), "localhost:5000", "", "pw", TRUE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
  g_value_unset (&value);
}

static void
test_docker_auths (void)
{
  g_autofree char *auth = basic_auth ("user", "pa:ss");
  g_autofree char *auth2 = basic_auth ("bob", "bob-password");
  g_autofree char *config = NULL;
  g_autoptr(WharfCredential) cred = NULL;
  g_autoptr(WharfCredential) cred2 = NULL;
  g_autoptr(WharfCredential) none = NULL;
  g_autoptr(GError) error = NULL;

  reset_environment ();

  /* No file at all is not an error. */
  none = wharf_credential_lookup_docker_sync ("localhost:5000", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  config = g_strdup_printf ("{\"auths\": {"
                            "  \"localhost:5000\": {\"auth\": \"%s\"},"
                            "  \"http://127.0.0.1:5001\": {\"auth\": \"%s\"},"
                            "  \"placeholder.example\": {}"
                            "}}", auth, auth2);
  write_docker_config (config);

  /* The password keeps its colon: only the first one splits. */
  cred = wharf_credential_lookup_docker_sync ("localhost:5000", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "localhost:5000", "user", "pa:ss", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);

  /* Keys and queries meet after normalisation. */
  cred2 = wharf_credential_lookup_docker_sync ("https://127.0.0.1:5001/", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred2, "127.0.0.1:5001", "bob", "bob-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);

  none = wharf_credential_lookup_docker_sync ("placeholder.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  none = wharf_credential_lookup_docker_sync ("localhost:5002", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
}

static void
test_docker_identity_token (void)
{
  g_autofree char *auth = basic_auth ("alice", "");
  g_autofree char *config = NULL;
  g_autoptr(WharfCredential) cred = NULL;
  g_autoptr(WharfCredential) cred2 = NULL;
  g_autoptr(GError) error = NULL;

  reset_environment ();

  config = g_strdup_printf ("{\"auths\": {"
                            "  \"with-user.example\":"
                            "    {\"auth\": \"%s\", \"identitytoken\": \"idtok-1\"},"
                            "  \"without-user.example\": {\"identitytoken\": \"idtok-2\"}"
                            "}}", auth);
  write_docker_config (config);

  cred = wharf_credential_lookup_docker_sync ("with-user.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "with-user.example", "alice", "idtok-1", TRUE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);

  cred2 = wharf_credential_lookup_docker_sync ("without-user.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred2, "without-user.example", "<token>", "idtok-2", TRUE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
}

static void
test_docker_hub_spellings (void)
{
  static const char * const keys[] = {
    "https://index.docker.io/v1/",
    "index.docker.io",
    "registry-1.docker.io",
    "docker.io",
  };
  static const char * const queries[] = {
    "docker.io",
    "https://index.docker.io/v1/",
    "index.docker.io",
    "registry-1.docker.io",
  };
  g_autofree char *auth = basic_auth ("hubuser", "hub-password");

  reset_environment ();

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_autofree char *config = g_strdup_printf ("{\"auths\": {\"%s\": {\"auth\": \"%s\"}}}",
                                                 keys[k], auth);

      write_docker_config (config);

      for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
        {
          g_autoptr(WharfCredential) cred = NULL;
          g_autoptr(GError) error = NULL;

          cred = wharf_credential_lookup_docker_sync (queries[q], NULL, &error);
          g_assert_no_error (error);
          assert_credential (cred, "docker.io", "hubuser", "hub-password", FALSE,
                             WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
        }
    }
}

static void
test_docker_helpers (void)
{
  g_autofree char *auth = basic_auth ("file-user", "file-password");
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();

  config = g_strdup_printf ("{"
                            "\"credsStore\": \"wharftest\","
                            "\"credHelpers\": {\"https://helper.example\": \"wharftest-other\"},"
                            "\"auths\": {"
                            "  \"helper.example\": {\"auth\": \"%s\"},"
                            "  \"only-file.example\": {\"auth\": \"%s\"},"
                            "  \"https://index.docker.io/v1/\": {},"
                            "  \"token.example\": {}"
                            "}}", auth, auth);
  write_docker_config (config);

  /* credHelpers beats credsStore, which beats auths. */
  cred = wharf_credential_lookup_docker_sync ("helper.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "helper.example", "other-user",
                     "other-secret-for-helper.example", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
  wharf_credential_free (cred);

  /* Docker Hub is asked for under its v1 URL (the helper knows no other). */
  cred = wharf_credential_lookup_docker_sync ("docker.io", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "docker.io", "wharftest-user",
                     "wharftest-secret-for-https://index.docker.io/v1/", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
  wharf_credential_free (cred);

  cred = wharf_credential_lookup_docker_sync ("token.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "token.example", "<token>", "wharftest-identity-token", TRUE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
  wharf_credential_free (cred);

  /* The store knows nothing of it, so the auths entry still counts. */
  cred = wharf_credential_lookup_docker_sync ("only-file.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "only-file.example", "file-user", "file-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  /* "credentials not found in native keychain" is no error. */
  cred = wharf_credential_lookup_docker_sync ("unknown.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);
}

static void
test_docker_helper_errors (void)
{
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();
  write_docker_config ("{\"credsStore\": \"wharftest\","
                       " \"credHelpers\": {\"missing.example\": \"wharftest-not-installed\","
                       "                   \"evil.example\": \"../../bin/sh\"}}");

  cred = wharf_credential_lookup_docker_sync ("broken.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "docker-credential-wharftest"));
  g_assert_nonnull (strstr (error->message, "the helper exploded: cannot talk to the vault"));
  g_clear_error (&error);

  cred = wharf_credential_lookup_docker_sync ("silent.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "docker-credential-wharftest"));
  g_assert_nonnull (strstr (error->message, "3"));
  g_clear_error (&error);

  /* An answer cut short inside the secret: the error must not quote it. */
  cred = wharf_credential_lookup_docker_sync ("badjson.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "docker-credential-wharftest"));
  assert_no_secret_in_error (error, "leaked-helper-secret");
  g_clear_error (&error);

  /* A helper that is not installed gives nothing, as if it knew nothing. */
  cred = wharf_credential_lookup_docker_sync ("missing.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);

  cred = wharf_credential_lookup_docker_sync ("evil.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_clear_error (&error);
}

static gpointer
cancel_soon_thread (gpointer data)
{
  GCancellable *cancellable = data;

  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (cancellable);

  return NULL;
}

static void
test_docker_helper_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  WharfCredential *cred;

  reset_environment ();
  write_docker_config ("{\"credsStore\": \"wharftest\"}");

  g_cancellable_cancel (cancelled);
  cred = wharf_credential_lookup_docker_sync ("hang.example", cancelled, &error);
  g_assert_null (cred);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The helper never answers: only the cancellable can end the wait. */
  thread = g_thread_new ("cancel", cancel_soon_thread, cancellable);
  cred = wharf_credential_lookup_docker_sync ("hang.example", cancellable, &error);
  g_thread_join (thread);
  g_assert_null (cred);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_docker_auth_config_env (void)
{
  g_autofree char *env_auth = basic_auth ("env-user", "env-password");
  g_autofree char *file_auth = basic_auth ("file-user", "file-password");
  g_autofree char *other_auth = basic_auth ("dir-user", "dir-password");
  g_autofree char *env_config = NULL;
  g_autofree char *file_config = NULL;
  g_autofree char *other_config = NULL;
  g_autofree char *other_dir = NULL;
  g_autofree char *other_path = NULL;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();

  env_config = g_strdup_printf ("{\"auths\": {\"both.example\": {\"auth\": \"%s\"}}}", env_auth);
  file_config = g_strdup_printf ("{\"auths\": {\"both.example\": {\"auth\": \"%s\"},"
                                 "            \"file.example\": {\"auth\": \"%s\"}}}",
                                 file_auth, file_auth);
  write_docker_config (file_config);

  g_setenv ("DOCKER_AUTH_CONFIG", env_config, TRUE);

  cred = wharf_credential_lookup_docker_sync ("both.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "both.example", "env-user", "env-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  /* What the variable does not know, the file still answers. */
  cred = wharf_credential_lookup_docker_sync ("file.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "file.example", "file-user", "file-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  g_unsetenv ("DOCKER_AUTH_CONFIG");
  cred = wharf_credential_lookup_docker_sync ("both.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "both.example", "file-user", "file-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  /* DOCKER_CONFIG replaces ~/.docker. */
  other_dir = g_build_filename (g_getenv ("HOME"), "elsewhere", NULL);
  other_path = g_build_filename (other_dir, "config.json", NULL);
  other_config = g_strdup_printf ("{\"auths\": {\"both.example\": {\"auth\": \"%s\"}}}",
                                  other_auth);
  write_file (other_path, other_config);
  g_setenv ("DOCKER_CONFIG", other_dir, TRUE);

  cred = wharf_credential_lookup_docker_sync ("both.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "both.example", "dir-user", "dir-password", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  cred = wharf_credential_lookup_docker_sync ("file.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);
}

static void
test_docker_malformed (void)
{
  g_autofree char *path = NULL;
  g_autofree char *no_colon = NULL;
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();
  path = docker_config_path ();

  /* A file that is not JSON is an error that names the file. */
  write_docker_config ("{\"auths\": {\"a.example\": {\"auth\": \"secret-in-broken-file\"");
  cred = wharf_credential_lookup_docker_sync ("a.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, path));
  assert_no_secret_in_error (error, "secret-in-broken-file");
  g_clear_error (&error);

  write_docker_config ("[\"secret-in-array\"]");
  cred = wharf_credential_lookup_docker_sync ("a.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  assert_no_secret_in_error (error, "secret-in-array");
  g_clear_error (&error);

  g_setenv ("DOCKER_AUTH_CONFIG", "{ \"auths\": secret-in-env", TRUE);
  cred = wharf_credential_lookup_docker_sync ("a.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "DOCKER_AUTH_CONFIG"));
  assert_no_secret_in_error (error, "secret-in-env");
  g_clear_error (&error);
  g_unsetenv ("DOCKER_AUTH_CONFIG");

  /* An "auth" without a colon cannot be split into user and password. */
  no_colon = g_base64_encode ((const guchar *) "nocolon-secret", strlen ("nocolon-secret"));
  config = g_strdup_printf ("{\"auths\": {\"a.example\": {\"auth\": \"%s\"}}}", no_colon);
  write_docker_config (config);
  cred = wharf_credential_lookup_docker_sync ("a.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "a.example"));
  g_assert_nonnull (strstr (error->message, path));
  assert_no_secret_in_error (error, "nocolon-secret");
  assert_no_secret_in_error (error, no_colon);
  g_clear_error (&error);

  /* An empty file is an empty configuration, as for Docker. */
  write_docker_config ("  \n");
  cred = wharf_credential_lookup_docker_sync ("a.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);
}

static void
test_containers_paths (void)
{
  g_autofree char *auth_env = basic_auth ("env-user", "env-pw");
  g_autofree char *auth_run = basic_auth ("run-user", "run-pw");
  g_autofree char *auth_cfg = basic_auth ("cfg-user", "cfg-pw");
  g_autofree char *env_path = NULL;
  g_autofree char *run_path = NULL;
  g_autofree char *cfg_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();

  env_path = g_build_filename (g_getenv ("HOME"), "custom-auth.json", NULL);
  run_path = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "containers", "auth.json", NULL);
  cfg_path = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "containers", "auth.json", NULL);

  /* The least preferred file first: each step adds a file that wins. */
  contents = g_strdup_printf ("{\"auths\": {\"reg.example\": {\"auth\": \"%s\"},"
                              "            \"cfg-only.example\": {\"auth\": \"%s\"}}}",
                              auth_cfg, auth_cfg);
  write_file (cfg_path, contents);
  g_clear_pointer (&contents, g_free);

  cred = wharf_credential_lookup_containers_sync ("reg.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "reg.example", "cfg-user", "cfg-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  contents = g_strdup_printf ("{\"auths\": {\"reg.example\": {\"auth\": \"%s\"}}}", auth_run);
  write_file (run_path, contents);
  g_clear_pointer (&contents, g_free);

  cred = wharf_credential_lookup_containers_sync ("reg.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "reg.example", "run-user", "run-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  contents = g_strdup_printf ("{\"auths\": {\"reg.example\": {\"auth\": \"%s\"}}}", auth_env);
  write_file (env_path, contents);
  g_clear_pointer (&contents, g_free);
  g_setenv ("REGISTRY_AUTH_FILE", env_path, TRUE);

  cred = wharf_credential_lookup_containers_sync ("reg.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "reg.example", "env-user", "env-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  /* Files further down still answer for servers the first ones lack. */
  cred = wharf_credential_lookup_containers_sync ("cfg-only.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "cfg-only.example", "cfg-user", "cfg-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  /* Not the Docker source: containers files are their own. */
  cred = wharf_credential_lookup_docker_sync ("reg.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);
}

static void
test_containers_keys (void)
{
  g_autofree char *auth_hub = basic_auth ("hub-user", "hub-pw");
  g_autofree char *auth_ns = basic_auth ("ns-user", "ns-pw");
  g_autofree char *auth_host = basic_auth ("host-user", "host-pw");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  reset_environment ();

  path = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "containers", "auth.json", NULL);
  contents = g_strdup_printf ("{"
                              "\"credHelpers\": {\"helper.example\": \"wharftest\"},"
                              "\"auths\": {"
                              "  \"docker.io\": {\"auth\": \"%s\"},"
                              "  \"quay.example/team/app\": {\"auth\": \"%s\"},"
                              "  \"ns-only.example/team\": {\"auth\": \"%s\"},"
                              "  \"quay.example\": {\"auth\": \"%s\"}"
                              "}}", auth_hub, auth_ns, auth_ns, auth_host);
  write_file (path, contents);

  cred = wharf_credential_lookup_containers_sync ("https://index.docker.io/v1/", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "docker.io", "hub-user", "hub-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  /* A server lookup wants the entry for the whole host, not a namespace's. */
  cred = wharf_credential_lookup_containers_sync ("quay.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "quay.example", "host-user", "host-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  cred = wharf_credential_lookup_containers_sync ("ns-only.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);

  cred = wharf_credential_lookup_containers_sync ("helper.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "helper.example", "wharftest-user",
                     "wharftest-secret-for-helper.example", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
  wharf_credential_free (cred);

  /* A broken file further down the list is still reported. */
  write_file (path, "{ \"auths\": { \"x\": \"containers-secret\"");
  cred = wharf_credential_lookup_containers_sync ("quay.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, path));
  assert_no_secret_in_error (error, "containers-secret");
}

typedef struct
{
  GMainLoop       *loop;
  GAsyncResult    *result;
} AsyncWait;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for_result (AsyncWait *wait)
{
  g_main_loop_run (wait->loop);
  g_assert_nonnull (wait->result);

  return g_steal_pointer (&wait->result);
}

/* main() points the session bus at nothing: no keyring here. */
static void
test_lookup_without_keyring (void)
{
  g_autofree char *docker_auth = basic_auth ("docker-user", "docker-pw");
  g_autofree char *podman_auth = basic_auth ("podman-user", "podman-pw");
  g_autofree char *config = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WharfCredential) to_store = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  AsyncWait wait = { loop, NULL };
  WharfCredential *cred;

  reset_environment ();

  config = g_strdup_printf ("{\"auths\": {\"both.example\": {\"auth\": \"%s\"}}}", docker_auth);
  write_docker_config (config);
  g_clear_pointer (&config, g_free);

  path = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "containers", "auth.json", NULL);
  config = g_strdup_printf ("{\"auths\": {\"both.example\": {\"auth\": \"%s\"},"
                            "            \"podman.example\": {\"auth\": \"%s\"}}}",
                            podman_auth, podman_auth);
  write_file (path, config);

  cred = wharf_credential_lookup_keyring_sync ("both.example", NULL, &error);
  g_assert_null (cred);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_clear_error (&error);

  /* Docker before containers; the missing keyring is no error. */
  cred = wharf_credential_lookup_sync ("both.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "both.example", "docker-user", "docker-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  cred = wharf_credential_lookup_sync ("podman.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "podman.example", "podman-user", "podman-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH);
  wharf_credential_free (cred);

  cred = wharf_credential_lookup_sync ("nothing.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);

  wharf_credential_lookup_async ("https://both.example/v2/", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  assert_credential (cred, "both.example", "docker-user", "docker-pw", FALSE,
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);
  g_clear_object (&result);

  /* Saving, though, needs the keyring, and says so without the secret. */
  to_store = wharf_credential_new ("both.example", "someone", "store-secret-71c2");
  g_assert_false (wharf_credential_store_sync (to_store, NULL, &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_cmpstr (error->message, ==,
                   "Could not save the password: the system keyring is not available.");
  assert_no_secret_in_error (error, "store-secret-71c2");
  g_clear_error (&error);

  wharf_credential_store_async (to_store, NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  g_assert_false (wharf_credential_store_finish (result, &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_assert_cmpstr (error->message, ==,
                   "Could not save the password: the system keyring is not available.");
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_false (wharf_credential_forget_sync ("both.example", NULL, &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
  g_clear_error (&error);

  wharf_credential_forget_async ("both.example", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  g_assert_false (wharf_credential_forget_finish (result, &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *fixtures = NULL;
  g_autofree char *path = NULL;

  original_home = g_strdup (g_getenv ("HOME"));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The fake docker-credential-wharftest helpers live beside the tests. */
  fixtures = g_test_build_filename (G_TEST_DIST, "fixtures", NULL);
  path = g_strconcat (fixtures, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);

  /* Never the developer's own keyring: unit tests run without one. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/wharf-test-no-bus", TRUE);

  g_test_add_func ("/credential/normalize-server", test_normalize_server);
  g_test_add_func ("/credential/new-copy-free", test_new_copy_free);
  g_test_add_func ("/credential/docker/auths", test_docker_auths);
  g_test_add_func ("/credential/docker/identity-token", test_docker_identity_token);
  g_test_add_func ("/credential/docker/hub-spellings", test_docker_hub_spellings);
  g_test_add_func ("/credential/docker/helpers", test_docker_helpers);
  g_test_add_func ("/credential/docker/helper-errors", test_docker_helper_errors);
  g_test_add_func ("/credential/docker/helper-cancel", test_docker_helper_cancel);
  g_test_add_func ("/credential/docker/auth-config-env", test_docker_auth_config_env);
  g_test_add_func ("/credential/docker/malformed", test_docker_malformed);
  g_test_add_func ("/credential/containers/paths", test_containers_paths);
  g_test_add_func ("/credential/containers/keys", test_containers_keys);
  g_test_add_func ("/credential/lookup/without-keyring", test_lookup_without_keyring);

  return g_test_run ();
}
