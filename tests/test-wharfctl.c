/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-wharfctl.c: the acceptance lines, end to end through the
 * wharfctl binary against real registries. */

#define G_LOG_DOMAIN "test-wharfctl"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "wharf-test-registry.h"

/* Generous: the point is to fail instead of hanging until meson's timeout,
 * never to measure anything. */
#define RUN_TIMEOUT_SECONDS 240

typedef struct
{
  int     status;     /* exit status; -1 if it did not exit normally */
  GBytes *out_bytes;
  char   *out;        /* stdout as text (NUL-terminated copy) */
  char   *err;
} CtlRun;

static void
ctl_run_free (CtlRun *run)
{
  g_clear_pointer (&run->out_bytes, g_bytes_unref);
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlRun, ctl_run_free)

typedef struct
{
  gboolean      done;
  gboolean      timed_out;
  GBytes       *out;
  GBytes       *err;
  GError       *error;
} Communication;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *comm = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result,
                                   &comm->out, &comm->err, &comm->error);
  comm->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Communication *comm = user_data;

  comm->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static GSubprocessLauncher *
make_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* Messages are matched by key words in English. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");

  return launcher;
}

static const char *
wharfctl_path (void)
{
  const char *path = g_getenv ("WHARFCTL");

  if (path == NULL)
    g_error ("WHARFCTL is not set: run this test through meson test");

  return path;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  /* Empty GBytes may have no data pointer at all. */
  return len > 0 ? g_strndup (data, len) : g_strdup ("");
}

/* Runs wharfctl with @args (NULL-terminated), feeding @input (nullable) on
 * stdin, and collects everything it prints. */
static CtlRun *
run_ctlv (const char         *input,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) command = g_string_new ("wharfctl");
  Communication comm = { 0 };
  CtlRun *run;
  guint timeout_id;

  g_ptr_array_add (argv, (gpointer) wharfctl_path ());
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) args[i]);
      g_string_append_printf (command, " %s", args[i]);
    }
  g_ptr_array_add (argv, NULL);
  g_test_message ("Running %s", command->str);

  launcher = make_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE
                            | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                            | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* An empty stdin rather than none: wharfctl must never wait for input. */
  stdin_bytes = g_bytes_new (input, input != NULL ? strlen (input) : 0);

  g_subprocess_communicate_async (process, stdin_bytes, NULL, communicate_cb, &comm);
  timeout_id = g_timeout_add_seconds (RUN_TIMEOUT_SECONDS, timeout_cb, &comm);
  while (!comm.done && !comm.timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (comm.timed_out)
    {
      g_subprocess_force_exit (process);
      while (!comm.done)
        g_main_context_iteration (NULL, TRUE);
      g_error ("“%s” did not finish within %d seconds", command->str, RUN_TIMEOUT_SECONDS);
    }
  g_source_remove (timeout_id);

  g_assert_no_error (comm.error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  run = g_new0 (CtlRun, 1);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  run->out_bytes = comm.out;
  run->out = bytes_to_string (comm.out);
  run->err = bytes_to_string (comm.err);
  g_clear_pointer (&comm.err, g_bytes_unref);

  g_test_message ("exit %d\nstdout: %.2000s\nstderr: %s", run->status, run->out, run->err);

  return run;
}

#define run_ctl(input, ...) run_ctlv ((input), (const char * const []) { __VA_ARGS__, NULL })

static void
assert_success (const CtlRun *run)
{
  if (run->status != 0)
    g_error ("wharfctl failed with %d: %s", run->status, run->err);
  g_assert_cmpstr (run->err, ==, "");
}

/* Exit 1 with one sentence on stderr and nothing on stdout. */
static void
assert_failure (const CtlRun *run)
{
  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "wharfctl: "));
  g_assert_true (g_str_has_suffix (run->err, "\n"));
  /* One sentence: one line. */
  g_assert_true (strchr (run->err, '\n') == run->err + strlen (run->err) - 1);
}

static gboolean
contains_any_ci (const char         *text,
                 const char * const *needles)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);

  for (guint i = 0; needles[i] != NULL; i++)
    {
      if (strstr (lower, needles[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

#define assert_mentions(text, ...) \
  G_STMT_START { \
    const char * const needles_[] = { __VA_ARGS__, NULL }; \
    if (!contains_any_ci ((text), needles_)) \
      g_error ("“%s” mentions none of the expected words (first: %s)", (text), needles_[0]); \
  } G_STMT_END

static GStrv
output_lines (const CtlRun *run)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  if (*run->out == '\0')
    return g_new0 (char *, 1);

  g_assert_true (g_str_has_suffix (run->out, "\n"));
  lines = g_strsplit (run->out, "\n", -1);
  n = g_strv_length (lines);
  /* The final newline leaves one empty string behind. */
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_clear_pointer (&lines[n - 1], g_free);

  return g_steal_pointer (&lines);
}

/* The value of a "Label:   value" line of human output, or NULL. */
static char *
output_field (const CtlRun *run,
              const char   *label)
{
  g_auto(GStrv) lines = output_lines (run);
  g_autofree char *prefix = g_strdup_printf ("%s:", label);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
    }

  return NULL;
}

static JsonNode *
parse_json_output (const CtlRun *run)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static char *
login (const char *address,
       const char *user,
       const char *password)
{
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autoptr(CtlRun) run = run_ctl (input, "login", "-u", user, "--password-stdin", address);

  if (run->status == 0)
    g_assert_cmpstr (run->err, ==, "");

  return run->status == 0 ? g_strdup (run->out) : NULL;
}

static void
login_ok (const char *address,
          const char *user,
          const char *password)
{
  g_autofree char *out = login (address, user, password);

  g_assert_nonnull (out);
  g_assert_cmpstr (out, ==, "Login Succeeded\n");
}

/* The keyring read without libwharf: what the app's schema stores for a
 * server, or NULL. */
static char *
keyring_lookup (const char *server)
{
  static const SecretSchema schema = {
    "io.github.wharfapp.Wharf.Credential", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (&schema, NULL, &error, "server", server, NULL);
  g_assert_no_error (error);

  return secret;
}

static GHashTable *
strv_to_set (const char * const *strv)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; strv[i] != NULL; i++)
    g_hash_table_add (set, (gpointer) strv[i]);

  return set;
}

/* 1. ls prints every one of 2,500 repositories, as text and as JSON; and
 * stays quiet when its reader goes away. */
static void
test_ls_many (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  const char *address = wharf_test_registry_get_address (reg);
  g_autoptr(CtlRun) run = NULL;
  g_autoptr(CtlRun) json_run = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) printed = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  wharf_test_registry_seed_repositories (reg, "repo", 2500);

  run = run_ctl (NULL, "ls", address);
  assert_success (run);
  lines = output_lines (run);
  g_assert_cmpuint (g_strv_length (lines), ==, 2500);
  printed = strv_to_set ((const char * const *) lines);
  g_assert_cmpuint (g_hash_table_size (printed), ==, 2500);
  for (guint i = 0; i < 2500; i++)
    {
      g_autofree char *name = g_strdup_printf ("repo%05u", i);

      if (!g_hash_table_contains (printed, name))
        g_error ("%s is missing from the listing", name);
    }

  json_run = run_ctl (NULL, "ls", "--json", address);
  assert_success (json_run);
  root = parse_json_output (json_run);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2500);
  for (guint i = 0; i < 2500; i++)
    {
      const char *name = json_array_get_string_element (array, i);

      g_assert_nonnull (name);
      g_assert_true (g_hash_table_contains (printed, name));
    }

  /* wharfctl ls | head: the reader is gone before the first page. */
  {
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) err = NULL;
    const char *argv[] = { wharfctl_path (), "ls", address, NULL };

    launcher = make_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    process = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_input_stream_close (g_subprocess_get_stdout_pipe (process), NULL, &error);
    g_assert_no_error (error);
    g_assert_no_error (error);
    {
      g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();

      g_output_stream_splice (sink, g_subprocess_get_stderr_pipe (process),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                              | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              NULL, &error);
      g_assert_no_error (error);
      err = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
    }
    g_subprocess_wait (process, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (err), ==, 0);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  }
}

static void
shuffle (GPtrArray *array)
{
  for (guint i = array->len - 1; i > 0; i--)
    {
      guint j = g_random_int_range (0, i + 1);
      gpointer tmp = array->pdata[i];

      array->pdata[i] = array->pdata[j];
      array->pdata[j] = tmp;
    }
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* 2. tags returns all 300 tags, sorted by strcmp, each once. */
static void
test_tags_sorted (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *repo = g_strdup_printf ("%s/tagged/app", wharf_test_registry_get_address (reg));
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autofree char *digest = NULL;
  g_autoptr(CtlRun) run = NULL;
  g_autoptr(CtlRun) json_run = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;

  g_ptr_array_add (tags, g_strdup ("latest"));
  for (guint i = 1; i < 300; i++)
    {
      switch (i % 3)
        {
        case 0:
          g_ptr_array_add (tags, g_strdup_printf ("build-%u", i));
          break;
        case 1:
          g_ptr_array_add (tags, g_strdup_printf ("v1.%u.%u", i / 10, i % 10));
          break;
        default:
          /* Upper case sorts before lower case by strcmp, not by locale. */
          g_ptr_array_add (tags, g_strdup_printf ("Release_%u", i));
          break;
        }
    }
  shuffle (tags);

  digest = wharf_test_registry_push_image (reg, "tagged/app", tags->pdata[0], 1, 512,
                                           "linux/amd64", TRUE);
  for (guint i = 1; i < tags->len; i++)
    wharf_test_registry_tag (reg, "tagged/app", digest, tags->pdata[i]);

  for (guint i = 0; i < tags->len; i++)
    g_ptr_array_add (expected, tags->pdata[i]);
  g_ptr_array_sort (expected, compare_strings);

  run = run_ctl (NULL, "tags", repo);
  assert_success (run);
  lines = output_lines (run);
  g_assert_cmpuint (g_strv_length (lines), ==, 300);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (lines[i], ==, expected->pdata[i]);

  json_run = run_ctl (NULL, "tags", "--json", repo);
  assert_success (json_run);
  root = parse_json_output (json_run);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 300);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, expected->pdata[i]);
}

/* 3. A token registry: full user, pull-only user, anonymous, wrong password. */
static void
test_token_users (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  const char *address = wharf_test_registry_get_address (reg);
  g_autofree char *private_repo = g_strdup_printf ("%s/private/app", address);
  g_autofree char *public_repo = g_strdup_printf ("%s/public/app", address);
  g_autofree char *private_image = g_strdup_printf ("%s/private/app:1.0", address);
  g_autofree char *private_digest = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *signed_in = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *digest_field = NULL;
  g_autofree char *removed = g_strdup_printf ("Removed login credentials for %s\n", address);
  g_autoptr(CtlRun) run = NULL;
  g_auto(GStrv) lines = NULL;

  private_digest = wharf_test_registry_push_image (reg, "private/app", "1.0", 1, 1024,
                                                   "linux/amd64", TRUE);
  g_free (wharf_test_registry_push_image (reg, "public/app", "1.0", 1, 1024,
                                          "linux/amd64", FALSE));

  /* The full user sees the catalog. */
  login_ok (address, WHARF_TEST_TOKEN_FULL_USER, WHARF_TEST_TOKEN_FULL_PASSWORD);
  secret = keyring_lookup (address);
  g_assert_cmpstr (secret, ==, WHARF_TEST_TOKEN_FULL_PASSWORD);
  g_clear_pointer (&secret, g_free);

  run = run_ctl (NULL, "ls", address);
  assert_success (run);
  lines = output_lines (run);
  g_assert_true (g_strv_contains ((const char * const *) lines, "private/app"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "public/app"));
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&run, ctl_run_free);

  /* The pull-only user: tags and inspect, but no catalog. */
  login_ok (address, WHARF_TEST_TOKEN_PULL_USER, WHARF_TEST_TOKEN_PULL_PASSWORD);
  secret = keyring_lookup (address);
  g_assert_cmpstr (secret, ==, WHARF_TEST_TOKEN_PULL_PASSWORD);
  g_clear_pointer (&secret, g_free);

  run = run_ctl (NULL, "tags", private_repo);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "1.0\n");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "ls", address);
  assert_failure (run);
  assert_mentions (run->err, "list", "catalog", "denied", "not allowed", "permission");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", private_image);
  assert_success (run);
  digest_field = output_field (run, "Digest");
  g_assert_cmpstr (digest_field, ==, private_digest);
  g_clear_pointer (&run, ctl_run_free);

  /* Anonymous: public content only. */
  run = run_ctl (NULL, "logout", address);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, removed);
  g_clear_pointer (&run, ctl_run_free);
  secret = keyring_lookup (address);
  g_assert_null (secret);

  run = run_ctl (NULL, "tags", public_repo);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "1.0\n");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "tags", private_repo);
  assert_failure (run);
  assert_mentions (run->err, "sign in", "sign-in");
  g_clear_pointer (&run, ctl_run_free);

  /* A wrong password names the registry and stores nothing. */
  run = run_ctl ("not-the-password\n", "login", "-u", WHARF_TEST_TOKEN_FULL_USER,
                 "--password-stdin", address);
  assert_failure (run);
  g_assert_nonnull (strstr (run->err, address));
  g_assert_null (strstr (run->err, "not-the-password"));
  g_clear_pointer (&run, ctl_run_free);

  secret = keyring_lookup (address);
  g_assert_null (secret);

  run = run_ctl (NULL, "ping", address);
  assert_success (run);
  signed_in = output_field (run, "Signed in");
  g_assert_cmpstr (signed_in, ==, "no");
  auth = output_field (run, "Auth");
  g_assert_cmpstr (auth, ==, "bearer");
}

static char *
random_password (guint length)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
  char *password = g_malloc (length + 1);

  for (guint i = 0; i < length; i++)
    password[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  password[length] = '\0';

  return password;
}

static void
append_htpasswd (GString    *file,
                 const char *user,
                 const char *password)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *out = NULL;
  const char *argv[] = { "htpasswd", "-Bin", user, NULL };

  /* The password goes on stdin, not on a command line anyone can read. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_true (g_str_has_prefix (out, user));
  g_string_append (file, out);
}

static gboolean
contains_bytes (const char *data,
                gsize       len,
                const char *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    {
      if (memcmp (data + i, needle, needle_len) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
scan_for_secret (GFile      *dir,
                 const char *secret,
                 guint      *n_files)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  enumerator = g_file_enumerate_children (dir,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                          NULL, &error);
  g_assert_no_error (error);

  while ((info = g_file_enumerator_next_file (enumerator, NULL, &error)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          scan_for_secret (child, secret, n_files);
        }
      else if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        {
          g_autofree char *contents = NULL;
          g_autofree char *path = g_file_get_path (child);
          gsize len;

          if (!g_file_get_contents (path, &contents, &len, &error))
            {
              /* A file that vanished while we looked (a lock, a temp file)
               * holds nothing any more. */
              g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
              g_clear_error (&error);
              continue;
            }

          if (contains_bytes (contents, len, secret))
            g_error ("The password is written in clear in %s", path);
          *n_files += 1;
        }
    }
  g_assert_no_error (error);
}

/* 4. The password lives only in the (encrypted) keyring, and logout removes
 * it. */
static void
test_keyring_proof (void)
{
  const char *home = g_getenv ("WHARF_TEST_HOME");
  g_autofree char *password = random_password (48);
  g_autofree char *tmpdir = NULL;
  g_autofree char *htpasswd_path = NULL;
  g_autofree char *env_path = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GString) htpasswd = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfTestRegistry) reg = NULL;
  g_autoptr(GFile) home_dir = NULL;
  g_autoptr(CtlRun) run = NULL;
  g_autofree char *keyrings = NULL;
  const char *address;
  guint n_files = 0;

  if (home == NULL)
    g_error ("WHARF_TEST_HOME is not set: run this test under tests/fixtures/with-keyring");

  /* A registry that knows a password nobody could have guessed, beside
   * the fixture's admin (which pushes). */
  append_htpasswd (htpasswd, "bob", password);
  append_htpasswd (htpasswd, WHARF_TEST_HTPASSWD_USER, WHARF_TEST_HTPASSWD_PASSWORD);
  tmpdir = g_dir_make_tmp ("test-wharfctl-XXXXXX", &error);
  g_assert_no_error (error);
  htpasswd_path = g_build_filename (tmpdir, "htpasswd", NULL);
  g_file_set_contents (htpasswd_path, htpasswd->str, -1, &error);
  g_assert_no_error (error);
  env_path = g_strdup_printf ("REGISTRY_AUTH_HTPASSWD_PATH=%s", htpasswd_path);

  reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_HTPASSWD,
                                            (const char * const []) { env_path, NULL });
  address = wharf_test_registry_get_address (reg);
  g_free (wharf_test_registry_push_image (reg, "kept/app", "1.0", 1, 256, "linux/amd64", TRUE));

  login_ok (address, "bob", password);
  secret = keyring_lookup (address);
  g_assert_cmpstr (secret, ==, password);

  run = run_ctl (NULL, "ls", address);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "kept/app\n");
  g_clear_pointer (&run, ctl_run_free);

  /* The keyring wrote its file: the scan below is not vacuous. */
  keyrings = g_build_filename (home, ".local", "share", "keyrings", NULL);
  g_assert_true (g_file_test (keyrings, G_FILE_TEST_IS_DIR));
  home_dir = g_file_new_for_path (home);
  scan_for_secret (home_dir, password, &n_files);
  g_assert_cmpuint (n_files, >, 0);

  run = run_ctl (NULL, "logout", address);
  assert_success (run);
  g_clear_pointer (&run, ctl_run_free);
  g_clear_pointer (&secret, g_free);
  secret = keyring_lookup (address);
  g_assert_null (secret);

  run = run_ctl (NULL, "ls", address);
  assert_failure (run);
  assert_mentions (run->err, "sign in", "sign-in");
  g_clear_pointer (&run, ctl_run_free);

  g_unlink (htpasswd_path);
  g_rmdir (tmpdir);
}

/* 5. An htpasswd registry: the right password lists, a wrong one names
 * the registry. */
static void
test_htpasswd (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  const char *address = wharf_test_registry_get_address (reg);
  g_autoptr(CtlRun) run = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *signed_in = NULL;

  g_free (wharf_test_registry_push_image (reg, "basic/app", "1.0", 1, 256, "linux/amd64", FALSE));

  run = run_ctl ("wrong\n", "login", "-u", WHARF_TEST_HTPASSWD_USER, "--password-stdin",
                 address);
  assert_failure (run);
  g_assert_nonnull (strstr (run->err, address));
  g_clear_pointer (&run, ctl_run_free);
  g_assert_null (keyring_lookup (address));

  login_ok (address, WHARF_TEST_HTPASSWD_USER, WHARF_TEST_HTPASSWD_PASSWORD);

  run = run_ctl (NULL, "ls", address);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "basic/app\n");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "ping", address);
  assert_success (run);
  auth = output_field (run, "Auth");
  g_assert_cmpstr (auth, ==, "basic");
  signed_in = output_field (run, "Signed in");
  g_assert_cmpstr (signed_in, ==, "yes");
}

/* 6. TLS with a CA made for the run: refused by default, trusted with
 * --ca-file, accepted with --tls-verify=false. */
static void
test_tls (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TLS);
  const char *address = wharf_test_registry_get_address (reg);
  const char *ca_file = wharf_test_registry_get_ca_file (reg);
  g_autoptr(CtlRun) run = NULL;

  g_assert_nonnull (ca_file);
  g_free (wharf_test_registry_push_image (reg, "secure/app", "1.0", 1, 256, "linux/amd64", TRUE));

  run = run_ctl (NULL, "ls", address);
  assert_failure (run);
  assert_mentions (run->err, "certificate");
  g_clear_pointer (&run, ctl_run_free);

  /* Global options after the command… */
  run = run_ctl (NULL, "ls", address, "--ca-file", ca_file);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "secure/app\n");
  g_clear_pointer (&run, ctl_run_free);

  /* …and before it. */
  run = run_ctl (NULL, "--ca-file", ca_file, "ls", address);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "secure/app\n");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "--tls-verify=false", "ls", address);
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "secure/app\n");
}

/* 7. A blob redirected to another host gets no Authorization. */
static void
test_redirect (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfTestProxy) proxy = NULL;
  g_autofree char *image = NULL;
  g_autofree char *architecture = NULL;
  g_autoptr(CtlRun) run = NULL;
  const char *address;

  g_free (wharf_test_registry_push_image (reg, "moved/app", "1.0", 2, 1024, "linux/arm64/v8",
                                          TRUE));
  proxy = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_REDIRECT_BLOBS);
  address = wharf_test_proxy_get_address (proxy);
  image = g_strdup_printf ("%s/moved/app:1.0", address);

  login_ok (address, WHARF_TEST_HTPASSWD_USER, WHARF_TEST_HTPASSWD_PASSWORD);

  /* inspect reads the config blob. */
  run = run_ctl (NULL, "inspect", image);
  assert_success (run);
  architecture = output_field (run, "Architecture");
  g_assert_cmpstr (architecture, ==, "arm64");

  g_assert_cmpuint (wharf_test_proxy_get_redirected_count (proxy), >, 0);
  g_assert_cmpuint (wharf_test_proxy_get_leaked_auth_count (proxy), ==, 0);
}

/* 8. A multi-platform index: platforms without the attestation, JSON,
 * --platform and byte-exact --raw. */
static void
test_index (void)
{
  static const char * const platforms[] = {
    "linux/amd64", "linux/arm64/v8", "linux/arm/v7", NULL
  };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *image = g_strdup_printf ("%s/multi/app:latest",
                                            wharf_test_registry_get_address (reg));
  g_autofree char *digest = NULL;
  g_autofree char *field = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *arm64_digest = NULL;
  g_autoptr(CtlRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *object;
  JsonArray *array;

  digest = wharf_test_registry_push_index (reg, "multi/app", "latest", platforms, TRUE);

  run = run_ctl (NULL, "inspect", image);
  assert_success (run);
  field = output_field (run, "Digest");
  g_assert_cmpstr (field, ==, digest);
  g_clear_pointer (&field, g_free);
  g_assert_nonnull (strstr (run->out, "Platforms:"));
  for (guint i = 0; platforms[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", platforms[i]);

      g_assert_nonnull (strstr (run->out, line));
    }
  g_assert_null (strstr (run->out, "unknown/unknown"));
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--json", image);
  assert_success (run);
  root = parse_json_output (run);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "digest"), ==, digest);
  array = json_object_get_array_member (object, "platforms");
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *platform = json_object_get_string_member (entry, "platform");

      g_assert_true (g_strv_contains (platforms, platform));
      g_hash_table_add (seen, g_strdup (platform));
      if (g_str_equal (platform, "linux/arm64/v8"))
        arm64_digest = g_strdup (json_object_get_string_member (entry, "digest"));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3);
  g_assert_nonnull (arm64_digest);
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--platform", "linux/arm64/v8", image);
  assert_success (run);
  field = output_field (run, "Architecture");
  g_assert_cmpstr (field, ==, "arm64");
  g_clear_pointer (&field, g_free);
  field = output_field (run, "Digest");
  g_assert_cmpstr (field, ==, arm64_digest);
  g_clear_pointer (&field, g_free);
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--platform", "linux/arm/v7", image);
  assert_success (run);
  field = output_field (run, "Architecture");
  g_assert_cmpstr (field, ==, "arm");
  g_clear_pointer (&field, g_free);
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--platform", "windows/amd64", image);
  assert_failure (run);
  g_clear_pointer (&run, ctl_run_free);

  /* GChecksum, not the library's OpenSSL hasher: an independent check. */
  run = run_ctl (NULL, "inspect", "--raw", image);
  assert_success (run);
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, run->out_bytes);
  g_assert_true (g_str_has_prefix (digest, "sha256:"));
  g_assert_cmpstr (hash, ==, digest + strlen ("sha256:"));
  g_clear_pointer (&hash, g_free);
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--raw", "--platform", "linux/arm64/v8", image);
  assert_success (run);
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, run->out_bytes);
  g_assert_cmpstr (hash, ==, arm64_digest + strlen ("sha256:"));
}

/* 9. A manifest that does not match its digest, and one over 4 MiB. */
static void
test_bad_manifests (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestProxy) corrupt = NULL;
  g_autoptr(WharfTestProxy) huge = NULL;
  g_autofree char *corrupt_image = NULL;
  g_autofree char *huge_image = NULL;
  g_autoptr(CtlRun) run = NULL;

  g_free (wharf_test_registry_push_image (reg, "faulty/app", "1.0", 1, 256, "linux/amd64", TRUE));

  corrupt = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_CORRUPT_MANIFESTS);
  corrupt_image = g_strdup_printf ("%s/faulty/app:1.0", wharf_test_proxy_get_address (corrupt));

  run = run_ctl (NULL, "inspect", corrupt_image);
  assert_failure (run);
  assert_mentions (run->err, "damage", "digest", "corrupt");
  g_clear_pointer (&run, ctl_run_free);

  /* Unverified bytes never reach stdout. */
  run = run_ctl (NULL, "inspect", "--raw", corrupt_image);
  assert_failure (run);
  assert_mentions (run->err, "damage", "digest", "corrupt");
  g_clear_pointer (&run, ctl_run_free);

  huge = wharf_test_proxy_start (reg, WHARF_TEST_PROXY_HUGE_MANIFESTS);
  huge_image = g_strdup_printf ("%s/faulty/app:1.0", wharf_test_proxy_get_address (huge));

  run = run_ctl (NULL, "inspect", huge_image);
  assert_failure (run);
  assert_mentions (run->err, "too large", "too big", "size", "mib", "mb");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "inspect", "--raw", huge_image);
  assert_failure (run);
  assert_mentions (run->err, "too large", "too big", "size", "mib", "mb");
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  /* Bound but never listening, and closed when we return. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* 10. Nothing listening, and bad usage. */
static void
test_refused_and_usage (void)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autoptr(CtlRun) run = NULL;
  const char * const bad_usages[][5] = {
    { "tags", "UPPER/Case", NULL },
    { "frobnicate", NULL },
    { "tags", NULL },
    { "ls", NULL },
    { "login", NULL },
    { "ls", "--no-such-option", "127.0.0.1:5000", NULL },
    { "ls", "127.0.0.1:5000", "extra", NULL },
    { "inspect", "--platform", "not-a-platform", "alpine", NULL },
    { NULL },
  };

  run = run_ctl (NULL, "ls", address);
  assert_failure (run);
  assert_mentions (run->err, "refused");
  g_assert_nonnull (strstr (run->err, address));
  g_clear_pointer (&run, ctl_run_free);

  for (guint i = 0; bad_usages[i][0] != NULL; i++)
    {
      run = run_ctlv (NULL, bad_usages[i]);
      g_assert_cmpint (run->status, ==, 2);
      g_assert_cmpstr (run->out, ==, "");
      g_assert_true (g_str_has_prefix (run->err, "wharfctl: "));
      assert_mentions (run->err, "--help");
      g_clear_pointer (&run, ctl_run_free);
    }

  run = run_ctl (NULL, "--version");
  assert_success (run);
  g_assert_cmpstr (run->out, ==, "wharfctl " PACKAGE_VERSION "\n");
  g_clear_pointer (&run, ctl_run_free);

  run = run_ctl (NULL, "login", "--help");
  assert_success (run);
  g_assert_nonnull (strstr (run->out, "--password-stdin"));
  g_assert_nonnull (strstr (run->out, "--tls-verify"));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp_base = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Registry directories of live tests vanished from the shared /dev/shm
   * while other test binaries ran on the same machine: keep ours in a
   * directory of our own (still on tmpfs when there is one). */
  if (g_getenv ("WHARF_TEST_TMPDIR") == NULL)
    {
      const char *base = g_access ("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : g_get_tmp_dir ();

      tmp_base = g_build_filename (base, "test-wharfctl-XXXXXX", NULL);
      if (g_mkdtemp_full (tmp_base, 0700) == NULL)
        g_error ("Cannot make a temporary directory in %s", base);
      g_setenv ("WHARF_TEST_TMPDIR", tmp_base, TRUE);
    }

  g_test_add_func ("/wharfctl/ls/2500-repositories", test_ls_many);
  g_test_add_func ("/wharfctl/tags/300-sorted", test_tags_sorted);
  g_test_add_func ("/wharfctl/login/token-users", test_token_users);
  g_test_add_func ("/wharfctl/login/keyring-proof", test_keyring_proof);
  g_test_add_func ("/wharfctl/login/htpasswd", test_htpasswd);
  g_test_add_func ("/wharfctl/tls", test_tls);
  g_test_add_func ("/wharfctl/inspect/redirect", test_redirect);
  g_test_add_func ("/wharfctl/inspect/index", test_index);
  g_test_add_func ("/wharfctl/inspect/bad-manifests", test_bad_manifests);
  g_test_add_func ("/wharfctl/usage", test_refused_and_usage);

  status = g_test_run ();

  /* Each registry removed its own directory when it stopped. */
  if (tmp_base != NULL)
    g_rmdir (tmp_base);

  return status;
}
