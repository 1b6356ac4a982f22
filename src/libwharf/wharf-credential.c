/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-credential.c: secrets in the keyring; read-only import from Docker and containers. */

#define G_LOG_DOMAIN "wharf-credential"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "wharf-credential.h"
#include "wharf-error.h"

/* Credential helpers may show a prompt (a YubiKey touch, a GPG pinentry). */
#define HELPER_TIMEOUT_SECONDS 30

#define DOCKER_HUB_SERVER "docker.io"
#define DOCKER_HUB_HELPER_URL "https://index.docker.io/v1/"
#define DOCKER_TOKEN_USERNAME "<token>"
#define HELPER_NOT_FOUND_MESSAGE "credentials not found in native keychain"

/* The compiler may drop a plain memset of memory about to be freed. */
static void
wipe_memory (gpointer data,
             gsize    len)
{
  volatile guchar *p = data;

  if (data == NULL)
    return;

  while (len-- > 0)
    *p++ = 0;
}

static void
wipe_string (char *str)
{
  if (str != NULL)
    wipe_memory (str, strlen (str));
}

static void
free_secret_string (char *str)
{
  wipe_string (str);
  g_free (str);
}

typedef char WharfSecretString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfSecretString, free_secret_string)

static void
free_secret_bytes (GBytes *bytes)
{
  gsize len = 0;
  gpointer data;

  if (bytes == NULL)
    return;

  data = g_bytes_unref_to_data (bytes, &len);
  wipe_memory (data, len);
  g_free (data);
}

/* WharfCredential */

G_DEFINE_BOXED_TYPE (WharfCredential, wharf_credential,
                     wharf_credential_copy, wharf_credential_free)

WharfCredential *
wharf_credential_new (const char *server,
                      const char *username,
                      const char *secret)
{
  WharfCredential *cred = g_new0 (WharfCredential, 1);

  cred->server = g_strdup (server);
  cred->username = g_strdup (username != NULL ? username : "");
  cred->secret = g_strdup (secret != NULL ? secret : "");
  cred->identity_token = FALSE;
  cred->source = WHARF_CREDENTIAL_SOURCE_NONE;

  return cred;
}

WharfCredential *
wharf_credential_copy (const WharfCredential *cred)
{
  WharfCredential *copy;

  g_return_val_if_fail (cred != NULL, NULL);

  copy = wharf_credential_new (cred->server, cred->username, cred->secret);
  copy->identity_token = cred->identity_token;
  copy->source = cred->source;

  return copy;
}

void
wharf_credential_free (WharfCredential *cred)
{
  if (cred == NULL)
    return;

  g_free (cred->server);
  g_free (cred->username);
  free_secret_string (cred->secret);
  g_free (cred);
}

static WharfCredential *
credential_new_full (const char            *server,
                     const char            *username,
                     const char            *secret,
                     gboolean               identity_token,
                     WharfCredentialSource  source)
{
  WharfCredential *cred = wharf_credential_new (server, username, secret);

  cred->identity_token = identity_token;
  cred->source = source;

  return cred;
}

/* Server names */

static gboolean
is_docker_hub_host (const char *host)
{
  static const char * const spellings[] = {
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
  };

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      if (g_strcmp0 (host, spellings[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

char *
wharf_credential_normalize_server (const char *server)
{
  const char *start;
  const char *scheme;
  gsize host_len;
  g_autofree char *host = NULL;

  g_return_val_if_fail (server != NULL, NULL);

  start = server;
  while (g_ascii_isspace (*start))
    start++;

  /* Only a "://" before the first '/' is a scheme. */
  scheme = strstr (start, "://");
  if (scheme != NULL && memchr (start, '/', scheme - start) == NULL)
    start = scheme + 3;

  host_len = strcspn (start, "/?#");
  host = g_ascii_strdown (start, host_len);
  g_strstrip (host);

  if (is_docker_hub_host (host))
    return g_strdup (DOCKER_HUB_SERVER);

  return g_steal_pointer (&host);
}

/* Credential helpers (docker-credential-<suffix>) */

/* A config file names the helper, so keep it from pointing at other programs. */
static gboolean
helper_suffix_is_valid (const char *suffix)
{
  if (suffix == NULL || *suffix == '\0')
    return FALSE;

  for (const char *p = suffix; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  GCancellable *op_cancellable;
  GBytes       *stdout_buf;
  GBytes       *stderr_buf;
  GError       *error;
  gboolean      done;
  gboolean      timed_out;
} HelperRun;

static void
helper_communicate_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  HelperRun *run = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result,
                                   &run->stdout_buf, &run->stderr_buf, &run->error);
  run->done = TRUE;
}

static gboolean
helper_timeout_cb (gpointer user_data)
{
  HelperRun *run = user_data;

  run->timed_out = TRUE;
  g_cancellable_cancel (run->op_cancellable);

  return G_SOURCE_REMOVE;
}

static void
helper_cancelled_cb (GCancellable *cancellable,
                     GCancellable *op_cancellable)
{
  g_cancellable_cancel (op_cancellable);
}

/* The first line of what a helper printed, short and printable: helpers put
 * their error message there. */
static char *
helper_message_from_output (GBytes *bytes)
{
  g_autoptr(WharfSecretString) text = NULL;
  g_autofree char *valid = NULL;
  const char *data;
  gsize len = 0;
  gsize line_len;

  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (data == NULL || len == 0)
    return NULL;

  text = g_strndup (data, len);
  g_strstrip (text);
  line_len = strcspn (text, "\r\n");
  text[line_len] = '\0';
  if (*text == '\0')
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  if (g_utf8_strlen (valid, -1) > 200)
    {
      char *cut = g_utf8_offset_to_pointer (valid, 200);

      *cut = '\0';
      return g_strconcat (valid, "…", NULL);
    }

  return g_steal_pointer (&valid);
}

static const char *
json_object_get_string_or_null (JsonObject *object,
                                const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Reads {"ServerURL","Username","Secret"} from a helper's answer. */
static WharfCredential *
credential_from_helper_output (const char  *program,
                               const char  *server,
                               GBytes      *output,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  const char *username;
  const char *secret;
  const char *data;
  gsize len = 0;

  data = g_bytes_get_data (output, &len);

  /* The parser's own message may quote the answer, which may hold the secret. */
  if (data == NULL || !json_parser_load_from_data (parser, data, len, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("The credential helper %s gave an answer that cannot be read."),
                   program);
      return NULL;
    }

  object = json_node_get_object (root);
  username = json_object_get_string_or_null (object, "Username");
  secret = json_object_get_string_or_null (object, "Secret");

  if (secret == NULL || *secret == '\0')
    {
      g_debug ("The credential helper %s has no secret for %s", program, server);
      return NULL;
    }

  if (g_strcmp0 (username, DOCKER_TOKEN_USERNAME) == 0)
    return credential_new_full (server, DOCKER_TOKEN_USERNAME, secret, TRUE,
                                WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);

  return credential_new_full (server, username, secret, FALSE,
                              WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER);
}

/* Runs "docker-credential-@suffix get" with the server URL on stdin. Returns
 * NULL without an error when the helper knows nothing for @server or is not
 * installed. Blocks, with a private main context, so it fits worker threads. */
static WharfCredential *
run_credential_helper (const char    *suffix,
                       const char    *server,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *program = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  HelperRun run = { 0 };
  WharfCredential *cred = NULL;
  const char *url;
  gulong cancelled_id = 0;
  gssize written;
  int stdin_fds[2];
  int status;

  if (!helper_suffix_is_valid (suffix))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("The credential helper name “%s” is not valid."), suffix);
      return NULL;
    }

  program = g_strconcat ("docker-credential-", suffix, NULL);

  /* Docker stores Docker Hub under its v1 URL, and helpers look it up so. */
  url = g_strcmp0 (server, DOCKER_HUB_SERVER) == 0 ? DOCKER_HUB_HELPER_URL : server;

  /* The URL goes into a pipe before the helper starts: writing to a helper
   * that already quit would raise SIGPIPE, which kills a program by default. */
  if (!g_unix_open_pipe (stdin_fds, FD_CLOEXEC, &local_error))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("Could not run the credential helper %s: %s"),
                   program, local_error->message);
      return NULL;
    }
  written = write (stdin_fds[1], url, strlen (url));
  close (stdin_fds[1]);
  if (written != (gssize) strlen (url))
    {
      close (stdin_fds[0]);
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("Could not run the credential helper %s: %s"),
                   program, g_strerror (errno));
      return NULL;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, stdin_fds[0]);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  process = g_subprocess_launcher_spawn (launcher, &local_error, program, "get", NULL);
  if (process == NULL)
    {
      g_main_context_pop_thread_default (context);

      if (g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        {
          g_debug ("%s is not installed; no credentials from it for %s", program, server);
          return NULL;
        }

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("Could not run the credential helper %s: %s"),
                   program, local_error->message);
      return NULL;
    }

  run.op_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (helper_cancelled_cb),
                                          run.op_cancellable, NULL);

  timeout = g_timeout_source_new_seconds (HELPER_TIMEOUT_SECONDS);
  g_source_set_callback (timeout, helper_timeout_cb, &run, NULL);
  g_source_attach (timeout, context);

  g_subprocess_communicate_async (process, NULL, run.op_cancellable,
                                  helper_communicate_cb, &run);

  while (!run.done)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  if (cancelled_id != 0)
    g_cancellable_disconnect (cancellable, cancelled_id);
  g_main_context_pop_thread_default (context);

  if (run.error != NULL)
    {
      g_subprocess_force_exit (process);

      if (g_cancellable_is_cancelled (cancellable))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The operation was cancelled."));
      else if (run.timed_out)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "The credential helper %s did not answer within %d second.",
                                  "The credential helper %s did not answer within %d seconds.",
                                  HELPER_TIMEOUT_SECONDS),
                     program, HELPER_TIMEOUT_SECONDS);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                     _("Could not run the credential helper %s: %s"),
                     program, run.error->message);
      goto out;
    }

  if (!g_subprocess_get_if_exited (process))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("The credential helper %s stopped unexpectedly."), program);
      goto out;
    }

  status = g_subprocess_get_exit_status (process);
  if (status != 0)
    {
      message = helper_message_from_output (run.stdout_buf);
      if (message == NULL)
        message = helper_message_from_output (run.stderr_buf);

      if (message != NULL && strstr (message, HELPER_NOT_FOUND_MESSAGE) != NULL)
        {
          g_debug ("%s has no credentials for %s", program, server);
          goto out;
        }

      if (message != NULL)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                     _("The credential helper %s failed: %s"), program, message);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                     _("The credential helper %s failed with exit status %d."),
                     program, status);
      goto out;
    }

  cred = credential_from_helper_output (program, server, run.stdout_buf, error);

out:
  free_secret_bytes (g_steal_pointer (&run.stdout_buf));
  g_clear_pointer (&run.stderr_buf, g_bytes_unref);
  g_clear_error (&run.error);
  g_clear_object (&run.op_cancellable);

  return cred;
}

/* Docker config.json and containers auth.json documents */

static const char *
get_home_dir (void)
{
  const char *home = g_getenv ("HOME");

  /* Read the variable each time, as Docker does, rather than GLib's cache. */
  if (home != NULL && *home != '\0')
    return home;

  return g_get_home_dir ();
}

static JsonObject *
parse_auth_document (const char  *data,
                     gsize        len,
                     const char  *origin,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  gsize i;

  /* Docker treats an empty config file as an empty configuration. */
  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  if (i == len)
    return json_object_new ();

  /* The parser's message may quote the file, which holds secrets. */
  if (!json_parser_load_from_data (parser, data, len, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("The credentials in %s are not valid JSON. Fix or remove the file."),
                   origin);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* NULL without an error when the file does not exist. */
static JsonObject *
load_auth_document (const char  *path,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(WharfSecretString) contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          || g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        return NULL;

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                   _("Could not read the credentials in %s: %s"),
                   path, local_error->message);
      return NULL;
    }

  g_debug ("Reading credentials from %s", path);

  return parse_auth_document (contents, len, path, error);
}

static JsonObject *
json_object_get_object_or_null (JsonObject *object,
                                const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

/* Finds the member of @object whose key names @server. The exact spelling
 * wins over one that only normalises to it. With @host_only, keys scoped to
 * a namespace ("host/ns") are skipped: they are not for the whole server,
 * though legacy URL keys ("https://host/v1/") still are. */
static const char *
find_server_key (JsonObject *object,
                 const char *server,
                 gboolean    host_only)
{
  g_autoptr(GList) members = NULL;
  const char *found = NULL;

  if (object == NULL)
    return NULL;

  members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *normalized = NULL;

      if (g_strcmp0 (key, server) == 0)
        return key;

      if (host_only && strstr (key, "://") == NULL && strchr (key, '/') != NULL)
        continue;

      normalized = wharf_credential_normalize_server (key);
      if (found == NULL && g_strcmp0 (normalized, server) == 0)
        found = key;
    }

  return found;
}

/* An "auths" entry: {"auth": base64("user:pass"), "identitytoken": …}. */
static gboolean
credential_from_auth_entry (JsonObject             *entry,
                            const char             *server,
                            const char             *origin,
                            WharfCredentialSource   source,
                            WharfCredential       **out_cred,
                            GError                **error)
{
  const char *auth = json_object_get_string_or_null (entry, "auth");
  const char *identity_token = json_object_get_string_or_null (entry, "identitytoken");
  g_autoptr(WharfSecretString) decoded = NULL;
  const char *username = NULL;
  const char *password = NULL;

  *out_cred = NULL;

  if (auth != NULL && *auth != '\0')
    {
      gsize len = 0;
      char *colon;

      decoded = (char *) g_base64_decode (auth, &len);
      /* g_base64_decode() skips what is not base64 instead of failing. */
      if (decoded != NULL)
        {
          char *terminated = g_strndup (decoded, len);

          wipe_memory (decoded, len);
          g_free (decoded);
          decoded = terminated;
        }

      if (decoded == NULL
          || strlen (decoded) != len
          || !g_utf8_validate (decoded, -1, NULL)
          || (colon = strchr (decoded, ':')) == NULL)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS,
                       _("The credentials for %s in %s cannot be read."),
                       server, origin);
          return FALSE;
        }

      *colon = '\0';
      username = decoded;
      password = colon + 1;
    }
  else
    {
      /* The form Docker wrote before "auth". */
      username = json_object_get_string_or_null (entry, "username");
      password = json_object_get_string_or_null (entry, "password");
      if (username == NULL || password == NULL)
        username = password = NULL;
    }

  if (identity_token != NULL && *identity_token != '\0')
    {
      *out_cred = credential_new_full (server,
                                       username != NULL && *username != '\0'
                                         ? username : DOCKER_TOKEN_USERNAME,
                                       identity_token, TRUE, source);
      return TRUE;
    }

  if (username != NULL && password != NULL)
    *out_cred = credential_new_full (server, username, password, FALSE, source);

  return TRUE;
}

/* Looks @server up in one config.json or auth.json document: credHelpers,
 * then credsStore (Docker only), then auths. */
static gboolean
lookup_in_auth_document (JsonObject             *document,
                         const char             *origin,
                         const char             *server,
                         gboolean                containers_format,
                         WharfCredentialSource   auths_source,
                         GCancellable           *cancellable,
                         WharfCredential       **out_cred,
                         GError                **error)
{
  JsonObject *helpers = json_object_get_object_or_null (document, "credHelpers");
  JsonObject *auths = json_object_get_object_or_null (document, "auths");
  const char *helper = NULL;
  const char *key;

  *out_cred = NULL;

  key = find_server_key (helpers, server, containers_format);
  if (key != NULL)
    helper = json_object_get_string_or_null (helpers, key);

  if (helper == NULL && !containers_format)
    helper = json_object_get_string_or_null (document, "credsStore");

  if (helper != NULL && *helper != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      *out_cred = run_credential_helper (helper, server, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (*out_cred != NULL)
        return TRUE;
    }

  /* A {} placeholder left by a helper simply gives nothing here. */
  key = find_server_key (auths, server, containers_format);
  if (key != NULL)
    {
      JsonObject *entry = json_object_get_object_or_null (auths, key);

      if (entry != NULL)
        return credential_from_auth_entry (entry, server, origin, auths_source,
                                           out_cred, error);
    }

  return TRUE;
}

static WharfCredential *
lookup_docker (const char    *server,
               GCancellable  *cancellable,
               GError       **error)
{
  const char *env_config = g_getenv ("DOCKER_AUTH_CONFIG");
  const char *config_dir = g_getenv ("DOCKER_CONFIG");
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) local_error = NULL;
  WharfCredential *cred = NULL;

  if (env_config != NULL && *env_config != '\0')
    {
      document = parse_auth_document (env_config, strlen (env_config),
                                      "DOCKER_AUTH_CONFIG", error);
      if (document == NULL)
        return NULL;

      if (!lookup_in_auth_document (document, "DOCKER_AUTH_CONFIG", server, FALSE,
                                    WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG,
                                    cancellable, &cred, error))
        return NULL;
      if (cred != NULL)
        return cred;

      g_clear_pointer (&document, json_object_unref);
    }

  if (config_dir != NULL && *config_dir != '\0')
    path = g_build_filename (config_dir, "config.json", NULL);
  else
    path = g_build_filename (get_home_dir (), ".docker", "config.json", NULL);

  document = load_auth_document (path, &local_error);
  if (document == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!lookup_in_auth_document (document, path, server, FALSE,
                                WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG,
                                cancellable, &cred, error))
    return NULL;

  return cred;
}

static GPtrArray *
containers_auth_paths (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *auth_file = g_getenv ("REGISTRY_AUTH_FILE");
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  const char *config_home = g_getenv ("XDG_CONFIG_HOME");

  if (auth_file != NULL && *auth_file != '\0')
    g_ptr_array_add (paths, g_strdup (auth_file));

  if (runtime_dir != NULL && *runtime_dir != '\0')
    {
      g_ptr_array_add (paths, g_build_filename (runtime_dir, "containers", "auth.json", NULL));
    }
  else
    {
      g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());

      g_ptr_array_add (paths, g_build_filename ("/run", "containers", uid, "auth.json", NULL));
    }

  if (config_home != NULL && *config_home != '\0')
    g_ptr_array_add (paths, g_build_filename (config_home, "containers", "auth.json", NULL));
  else
    g_ptr_array_add (paths, g_build_filename (get_home_dir (), ".config",
                                              "containers", "auth.json", NULL));

  return paths;
}

static WharfCredential *
lookup_containers (const char    *server,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) paths = containers_auth_paths ();

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(JsonObject) document = NULL;
      g_autoptr(GError) local_error = NULL;
      WharfCredential *cred = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      document = load_auth_document (path, &local_error);
      if (document == NULL)
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          continue;
        }

      if (!lookup_in_auth_document (document, path, server, TRUE,
                                    WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH,
                                    cancellable, &cred, error))
        return NULL;
      if (cred != NULL)
        return cred;
    }

  return NULL;
}

static WharfCredential *
lookup_files (const char    *server,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  WharfCredential *cred;

  cred = lookup_docker (server, cancellable, &local_error);
  if (cred != NULL || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return cred;
    }

  return lookup_containers (server, cancellable, error);
}

WharfCredential *
wharf_credential_lookup_docker_sync (const char    *server,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = wharf_credential_normalize_server (server);

  return lookup_docker (normalized, cancellable, error);
}

WharfCredential *
wharf_credential_lookup_containers_sync (const char    *server,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = wharf_credential_normalize_server (server);

  return lookup_containers (normalized, cancellable, error);
}

/* The keyring */

static const SecretSchema *
credential_get_schema (void)
{
  static const SecretSchema schema = {
    WHARF_CREDENTIAL_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* The values are borrowed: libsecret copies what it keeps. */
static GHashTable *
keyring_attributes (const char *server,
                    const char *username)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  if (username != NULL)
    g_hash_table_insert (attributes, (gpointer) "username", (gpointer) username);

  return attributes;
}

static char *
keyring_label (const char *server,
               const char *username)
{
  /* Translators: the label of a password in the keyring (Seahorse shows it).
   * The first %s is a user name, the second a registry such as docker.io. */
  return g_strdup_printf (_("Wharf: %s on %s"), username, server);
}

typedef enum
{
  KEYRING_OP_STORE,
  KEYRING_OP_FORGET,
  KEYRING_OP_LOOKUP,
} KeyringOp;

/* libsecret's messages name D-Bus internals; say what happened instead. */
static void
propagate_keyring_error (GError    **error,
                         GError     *local_error,
                         KeyringOp   op)
{
  const char *message = NULL;
  gboolean locked;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local_error);
      return;
    }

  g_debug ("Keyring error: %s", local_error->message);
  locked = g_error_matches (local_error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
  g_error_free (local_error);

  switch (op)
    {
    case KEYRING_OP_STORE:
      message = locked
        ? _("Could not save the password: the system keyring is locked.")
        : _("Could not save the password: the system keyring is not available.");
      break;

    case KEYRING_OP_FORGET:
      message = locked
        ? _("Could not remove the password: the system keyring is locked.")
        : _("Could not remove the password: the system keyring is not available.");
      break;

    case KEYRING_OP_LOOKUP:
      message = locked
        ? _("Could not read the password: the system keyring is locked.")
        : _("Could not read the password: the system keyring is not available.");
      break;

    default:
      g_assert_not_reached ();
    }

  g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_CREDENTIALS, message);
}

/* Several items can exist for a server only if something else wrote them;
 * the newest is the one the user meant. */
static SecretRetrievable *
pick_keyring_item (GList  *items,
                   char  **out_username)
{
  SecretRetrievable *best = NULL;
  guint64 best_modified = 0;

  for (const GList *l = items; l != NULL; l = l->next)
    {
      SecretRetrievable *item = l->data;
      guint64 modified = secret_retrievable_get_modified (item);

      if (best == NULL || modified > best_modified)
        {
          best = item;
          best_modified = modified;
        }
    }

  if (best != NULL)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (best);
      const char *username = g_hash_table_lookup (attributes, "username");

      *out_username = g_strdup (username != NULL ? username : "");
    }

  return best;
}

static WharfCredential *
credential_from_keyring (const char  *server,
                         const char  *username,
                         SecretValue *value)
{
  g_autoptr(WharfSecretString) secret = NULL;
  const char *data;
  gsize len = 0;

  data = secret_value_get (value, &len);
  if (data == NULL || memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      g_debug ("The keyring item for %s does not hold a text password", server);
      return NULL;
    }

  secret = g_strndup (data, len);

  /* Docker's convention, kept so an identity token survives the keyring. */
  return credential_new_full (server, username, secret,
                              g_strcmp0 (username, DOCKER_TOKEN_USERNAME) == 0,
                              WHARF_CREDENTIAL_SOURCE_KEYRING);
}

static GPtrArray *
stale_usernames (GList      *items,
                 const char *username)
{
  GPtrArray *stale = g_ptr_array_new_with_free_func (g_free);

  for (const GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *other = g_hash_table_lookup (attributes, "username");

      if (other == NULL)
        other = "";

      if (g_strcmp0 (other, username) != 0
          && !g_ptr_array_find_with_equal_func (stale, other, g_str_equal, NULL))
        g_ptr_array_add (stale, g_strdup (other));
    }

  return stale;
}

gboolean
wharf_credential_store_sync (const WharfCredential  *cred,
                             GCancellable           *cancellable,
                             GError                **error)
{
  g_autofree char *server = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GHashTable) server_attributes = NULL;
  g_autoptr(GPtrArray) stale = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autolist(GObject) items = NULL;
  const char *username;

  g_return_val_if_fail (cred != NULL, FALSE);
  g_return_val_if_fail (cred->server != NULL && *cred->server != '\0', FALSE);
  g_return_val_if_fail (cred->secret != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  server = wharf_credential_normalize_server (cred->server);
  username = cred->username != NULL ? cred->username : "";
  label = keyring_label (server, username);
  attributes = keyring_attributes (server, username);

  if (!secret_password_storev_sync (credential_get_schema (), attributes,
                                    SECRET_COLLECTION_DEFAULT, label, cred->secret,
                                    cancellable, &local_error))
    {
      propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_STORE);
      return FALSE;
    }

  /* Only now that the new one is safe, drop other users' items for the server. */
  server_attributes = keyring_attributes (server, NULL);
  items = secret_password_searchv_sync (credential_get_schema (), server_attributes,
                                        SECRET_SEARCH_ALL, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_STORE);
      return FALSE;
    }

  stale = stale_usernames (items, username);
  for (guint i = 0; i < stale->len; i++)
    {
      g_autoptr(GHashTable) stale_attributes = keyring_attributes (server, stale->pdata[i]);

      secret_password_clearv_sync (credential_get_schema (), stale_attributes,
                                   cancellable, &local_error);
      if (local_error != NULL)
        {
          propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_STORE);
          return FALSE;
        }
    }

  g_debug ("Stored the credentials for %s in the keyring", server);

  return TRUE;
}

typedef struct
{
  char      *server;
  char      *username;
  GPtrArray *stale;
  guint      next_stale;
} KeyringData;

static void
keyring_data_free (KeyringData *data)
{
  g_free (data->server);
  g_free (data->username);
  g_clear_pointer (&data->stale, g_ptr_array_unref);
  g_free (data);
}

/* Consumes @task. */
static void store_clear_next (GTask *task);

static void
store_clear_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      GError *mapped = NULL;

      propagate_keyring_error (&mapped, g_steal_pointer (&error), KEYRING_OP_STORE);
      g_task_return_error (task, mapped);
      return;
    }

  store_clear_next (g_steal_pointer (&task));
}

static void
store_clear_next (GTask *task)
{
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = NULL;

  if (data->next_stale >= data->stale->len)
    {
      g_debug ("Stored the credentials for %s in the keyring", data->server);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  attributes = keyring_attributes (data->server, data->stale->pdata[data->next_stale++]);
  secret_password_clearv (credential_get_schema (), attributes,
                          g_task_get_cancellable (task),
                          store_clear_cb, task);
}

static void
store_search_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GObject) items = NULL;
  KeyringData *data = g_task_get_task_data (task);

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      GError *mapped = NULL;

      propagate_keyring_error (&mapped, g_steal_pointer (&error), KEYRING_OP_STORE);
      g_task_return_error (task, mapped);
      return;
    }

  data->stale = stale_usernames (items, data->username);
  store_clear_next (g_steal_pointer (&task));
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  KeyringData *data = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (!secret_password_store_finish (result, &error))
    {
      GError *mapped = NULL;

      propagate_keyring_error (&mapped, g_steal_pointer (&error), KEYRING_OP_STORE);
      g_task_return_error (task, mapped);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  attributes = keyring_attributes (data->server, NULL);
  secret_password_searchv (credential_get_schema (), attributes, SECRET_SEARCH_ALL,
                           cancellable, store_search_cb, g_steal_pointer (&task));
}

void
wharf_credential_store_async (const WharfCredential *cred,
                              GCancellable          *cancellable,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  KeyringData *data;

  g_return_if_fail (cred != NULL);
  g_return_if_fail (cred->server != NULL && *cred->server != '\0');
  g_return_if_fail (cred->secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_credential_store_async);

  data = g_new0 (KeyringData, 1);
  data->server = wharf_credential_normalize_server (cred->server);
  data->username = g_strdup (cred->username != NULL ? cred->username : "");
  g_task_set_task_data (task, data, (GDestroyNotify) keyring_data_free);

  label = keyring_label (data->server, data->username);
  attributes = keyring_attributes (data->server, data->username);

  /* libsecret copies the secret now, so the task never holds it. */
  secret_password_storev (credential_get_schema (), attributes,
                          SECRET_COLLECTION_DEFAULT, label, cred->secret,
                          cancellable, store_cb, g_steal_pointer (&task));
}

gboolean
wharf_credential_store_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_credential_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
wharf_credential_forget_sync (const char    *server,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  normalized = wharf_credential_normalize_server (server);
  attributes = keyring_attributes (normalized, NULL);

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clearv_sync (credential_get_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_FORGET);
      return FALSE;
    }

  return TRUE;
}

static void
forget_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      GError *mapped = NULL;

      propagate_keyring_error (&mapped, g_steal_pointer (&error), KEYRING_OP_FORGET);
      g_task_return_error (task, mapped);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
wharf_credential_forget_async (const char          *server,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  KeyringData *data;

  g_return_if_fail (server != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_credential_forget_async);

  data = g_new0 (KeyringData, 1);
  data->server = wharf_credential_normalize_server (server);
  g_task_set_task_data (task, data, (GDestroyNotify) keyring_data_free);

  attributes = keyring_attributes (data->server, NULL);
  secret_password_clearv (credential_get_schema (), attributes, cancellable,
                          forget_cb, g_steal_pointer (&task));
}

gboolean
wharf_credential_forget_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_credential_forget_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static WharfCredential *
lookup_keyring (const char    *server,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autolist(GObject) items = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *username = NULL;
  SecretRetrievable *item;

  attributes = keyring_attributes (server, NULL);
  items = secret_password_searchv_sync (credential_get_schema (), attributes,
                                        SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                                        cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_LOOKUP);
      return NULL;
    }

  item = pick_keyring_item (items, &username);
  if (item == NULL)
    return NULL;

  value = secret_retrievable_retrieve_secret_sync (item, cancellable, &local_error);
  if (value == NULL)
    {
      if (local_error != NULL)
        propagate_keyring_error (error, g_steal_pointer (&local_error), KEYRING_OP_LOOKUP);
      return NULL;
    }

  return credential_from_keyring (server, username, value);
}

WharfCredential *
wharf_credential_lookup_keyring_sync (const char    *server,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = wharf_credential_normalize_server (server);

  return lookup_keyring (normalized, cancellable, error);
}

WharfCredential *
wharf_credential_lookup_sync (const char    *server,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GError) local_error = NULL;
  WharfCredential *cred;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = wharf_credential_normalize_server (server);

  cred = lookup_keyring (normalized, cancellable, &local_error);
  if (cred != NULL)
    return cred;

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* Without a keyring the files may still know the server. */
      g_debug ("Skipping the keyring for %s: %s", normalized, local_error->message);
    }

  return lookup_files (normalized, cancellable, error);
}

static void
lookup_files_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  KeyringData *data = task_data;
  g_autoptr(GError) error = NULL;
  WharfCredential *cred;

  cred = lookup_files (data->server, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, cred, (GDestroyNotify) wharf_credential_free);
}

/* Consumes @task. */
static void
lookup_continue_with_files (GTask  *task,
                            GError *keyring_error)
{
  g_autoptr(GTask) owned = task;
  KeyringData *data = g_task_get_task_data (task);

  if (keyring_error != NULL)
    {
      if (g_error_matches (keyring_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_error_copy (keyring_error));
          return;
        }

      g_debug ("Skipping the keyring for %s: %s", data->server, keyring_error->message);
    }

  g_task_run_in_thread (task, lookup_files_thread);
}

static void
lookup_retrieve_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretValue) value = NULL;
  KeyringData *data = g_task_get_task_data (task);
  WharfCredential *cred;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (object), result, &error);
  if (value == NULL)
    {
      lookup_continue_with_files (g_steal_pointer (&task), error);
      return;
    }

  cred = credential_from_keyring (data->server, data->username, value);
  if (cred == NULL)
    {
      lookup_continue_with_files (g_steal_pointer (&task), NULL);
      return;
    }

  g_task_return_pointer (task, cred, (GDestroyNotify) wharf_credential_free);
}

static void
lookup_search_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GObject) items = NULL;
  KeyringData *data = g_task_get_task_data (task);
  SecretRetrievable *item;
  GCancellable *cancellable;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      lookup_continue_with_files (g_steal_pointer (&task), error);
      return;
    }

  item = pick_keyring_item (items, &data->username);
  if (item == NULL)
    {
      lookup_continue_with_files (g_steal_pointer (&task), NULL);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  secret_retrievable_retrieve_secret (item, cancellable,
                                      lookup_retrieve_cb, g_steal_pointer (&task));
}

void
wharf_credential_lookup_async (const char          *server,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  KeyringData *data;

  g_return_if_fail (server != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_credential_lookup_async);

  data = g_new0 (KeyringData, 1);
  data->server = wharf_credential_normalize_server (server);
  g_task_set_task_data (task, data, (GDestroyNotify) keyring_data_free);

  attributes = keyring_attributes (data->server, NULL);
  secret_password_searchv (credential_get_schema (), attributes,
                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, cancellable,
                           lookup_search_cb, g_steal_pointer (&task));
}

WharfCredential *
wharf_credential_lookup_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_credential_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
