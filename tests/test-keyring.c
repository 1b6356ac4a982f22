/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-keyring.c: credentials in a real gnome-keyring (run under tests/fixtures/with-keyring). */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "wharf-credential.h"
#include "wharf-error.h"

/* Written out again rather than shared: the schema is a contract with
 * whatever else reads the keyring (Seahorse, older Wharf versions). */
static const SecretSchema expected_schema = {
  "io.github.wharfapp.Wharf.Credential", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const char *test_home;

static gboolean
require_keyring (void)
{
  if (test_home == NULL)
    {
      g_test_fail_printf ("Needs a private keyring: run under tests/fixtures/with-keyring");
      return FALSE;
    }

  return TRUE;
}

static GList *
find_items (const char *server)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GList *items;

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  items = secret_service_search_sync (NULL, &expected_schema, attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK
                                      | SECRET_SEARCH_LOAD_SECRETS,
                                      NULL, &error);
  g_assert_no_error (error);

  return items;
}

static void
assert_credential (const WharfCredential  *cred,
                   const char             *server,
                   const char             *username,
                   const char             *secret,
                   WharfCredentialSource   source)
{
  g_assert_nonnull (cred);
  g_assert_cmpstr (cred->server, ==, server);
  g_assert_cmpstr (cred->username, ==, username);
  g_assert_cmpstr (cred->secret, ==, secret);
  g_assert_cmpint (cred->source, ==, source);
}

static void
store (const char *server,
       const char *username,
       const char *secret)
{
  g_autoptr(WharfCredential) cred = wharf_credential_new (server, username, secret);
  g_autoptr(GError) error = NULL;

  g_assert_true (wharf_credential_store_sync (cred, NULL, &error));
  g_assert_no_error (error);
}

static void
write_docker_config (const char *server,
                     const char *user,
                     const char *password)
{
  g_autofree char *dir = g_build_filename (test_home, ".docker", NULL);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *plain = g_strconcat (user, ":", password, NULL);
  g_autofree char *auth = g_base64_encode ((const guchar *) plain, strlen (plain));
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("{\"auths\": {\"%s\": {\"auth\": \"%s\"}}}", server, auth);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Tests */

static void
test_store_lookup (void)
{
  g_autoptr(WharfCredential) cred = NULL;
  g_autoptr(WharfCredential) any = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autolist(SecretItem) items = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  SecretItem *item;
  const char *collection_path;
  g_autofree char *label = NULL;

  if (!require_keyring ())
    return;

  /* Stored under the normalised name, whatever spelling came in. */
  store ("https://Store.Example:5000/v2/", "alice", "alice-password");

  cred = wharf_credential_lookup_keyring_sync ("store.example:5000", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "store.example:5000", "alice", "alice-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  g_assert_false (cred->identity_token);

  any = wharf_credential_lookup_sync ("http://store.example:5000", NULL, &error);
  g_assert_no_error (error);
  assert_credential (any, "store.example:5000", "alice", "alice-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);

  /* One item, in the default collection, with the agreed schema and label. */
  items = find_items ("store.example:5000");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;

  label = secret_item_get_label (item);
  g_assert_cmpstr (label, ==, "Wharf: alice on store.example:5000");

  value = secret_item_get_secret (item);
  g_assert_nonnull (value);
  g_assert_cmpstr (secret_value_get_text (value), ==, "alice-password");

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  collection_path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection));
  g_assert_true (g_str_has_prefix (g_dbus_proxy_get_object_path (G_DBUS_PROXY (item)),
                                   collection_path));
  {
    g_autoptr(GHashTable) attributes = secret_item_get_attributes (item);

    g_assert_cmpstr (g_hash_table_lookup (attributes, "server"), ==, "store.example:5000");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "username"), ==, "alice");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==,
                     WHARF_CREDENTIAL_SCHEMA_NAME);
  }
}

static void
test_replace (void)
{
  g_autoptr(WharfCredential) cred = NULL;
  g_autolist(SecretItem) items = NULL;
  g_autolist(SecretItem) other_items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  if (!require_keyring ())
    return;

  store ("other.example", "carol", "carol-password");
  store ("replace.example", "alice", "alice-password");
  store ("replace.example", "bob", "bob-password");

  cred = wharf_credential_lookup_keyring_sync ("replace.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "replace.example", "bob", "bob-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  g_clear_pointer (&cred, wharf_credential_free);

  items = find_items ("replace.example");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  attributes = secret_item_get_attributes (items->data);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "username"), ==, "bob");
  g_clear_list (&items, g_object_unref);

  /* The same user again: a new password, still one item. */
  store ("replace.example", "bob", "bob-new-password");
  cred = wharf_credential_lookup_keyring_sync ("replace.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "replace.example", "bob", "bob-new-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  items = find_items ("replace.example");
  g_assert_cmpuint (g_list_length (items), ==, 1);

  /* Other servers are left alone. */
  other_items = find_items ("other.example");
  g_assert_cmpuint (g_list_length (other_items), ==, 1);
}

static void
test_forget (void)
{
  g_autoptr(WharfCredential) cred = NULL;
  g_autolist(SecretItem) items = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_keyring ())
    return;

  store ("forget.example", "alice", "alice-password");
  store ("keep.example", "alice", "keep-password");

  g_assert_true (wharf_credential_forget_sync ("https://forget.example/", NULL, &error));
  g_assert_no_error (error);

  cred = wharf_credential_lookup_keyring_sync ("forget.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);

  cred = wharf_credential_lookup_sync ("forget.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cred);

  items = find_items ("forget.example");
  g_assert_cmpuint (g_list_length (items), ==, 0);

  /* Nothing left to remove is still success. */
  g_assert_true (wharf_credential_forget_sync ("forget.example", NULL, &error));
  g_assert_no_error (error);

  cred = wharf_credential_lookup_keyring_sync ("keep.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "keep.example", "alice", "keep-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
}

static void
test_identity_token (void)
{
  g_autoptr(WharfCredential) token = wharf_credential_new ("docker.io", "<token>", "refresh-tok");
  g_autoptr(WharfCredential) cred = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_keyring ())
    return;

  token->identity_token = TRUE;
  g_assert_true (wharf_credential_store_sync (token, NULL, &error));
  g_assert_no_error (error);

  cred = wharf_credential_lookup_keyring_sync ("https://index.docker.io/v1/", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "docker.io", "<token>", "refresh-tok",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  g_assert_true (cred->identity_token);

  g_assert_true (wharf_credential_forget_sync ("docker.io", NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
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

static void
test_async (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(WharfCredential) alice = wharf_credential_new ("async.example:5000", "alice", "a-pw");
  g_autoptr(WharfCredential) bob = wharf_credential_new ("async.example:5000", "bob", "b-pw");
  g_autolist(SecretItem) items = NULL;
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { loop, NULL };
  GAsyncResult *result;
  WharfCredential *cred;

  if (!require_keyring ())
    return;

  wharf_credential_store_async (alice, NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  g_assert_true (wharf_credential_store_finish (result, &error));
  g_assert_no_error (error);
  g_object_unref (result);

  wharf_credential_lookup_async ("async.example:5000", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  assert_credential (cred, "async.example:5000", "alice", "a-pw",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  wharf_credential_free (cred);
  g_object_unref (result);

  wharf_credential_store_async (bob, NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  g_assert_true (wharf_credential_store_finish (result, &error));
  g_assert_no_error (error);
  g_object_unref (result);

  items = find_items ("async.example:5000");
  g_assert_cmpuint (g_list_length (items), ==, 1);

  wharf_credential_lookup_async ("https://async.example:5000/", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  assert_credential (cred, "async.example:5000", "bob", "b-pw",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  wharf_credential_free (cred);
  g_object_unref (result);

  wharf_credential_forget_async ("async.example:5000", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  g_assert_true (wharf_credential_forget_finish (result, &error));
  g_assert_no_error (error);
  g_object_unref (result);

  wharf_credential_lookup_async ("async.example:5000", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  g_assert_null (cred);
  g_object_unref (result);
}

static void
test_precedence (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { loop, NULL };
  GAsyncResult *result;
  WharfCredential *cred;

  if (!require_keyring ())
    return;

  write_docker_config ("precedence.example", "docker-user", "docker-password");

  /* The keyring has nothing: the file answers. */
  cred = wharf_credential_lookup_sync ("precedence.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "precedence.example", "docker-user", "docker-password",
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);

  wharf_credential_lookup_async ("precedence.example", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  assert_credential (cred, "precedence.example", "docker-user", "docker-password",
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);
  g_object_unref (result);

  /* What the user saved in Wharf wins over Docker's file. */
  store ("precedence.example", "wharf-user", "wharf-password");

  cred = wharf_credential_lookup_sync ("precedence.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "precedence.example", "wharf-user", "wharf-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  wharf_credential_free (cred);

  wharf_credential_lookup_async ("precedence.example", NULL, async_done_cb, &wait);
  result = wait_for_result (&wait);
  cred = wharf_credential_lookup_finish (result, &error);
  g_assert_no_error (error);
  assert_credential (cred, "precedence.example", "wharf-user", "wharf-password",
                     WHARF_CREDENTIAL_SOURCE_KEYRING);
  wharf_credential_free (cred);
  g_object_unref (result);

  /* The Docker-only lookup still sees the file. */
  cred = wharf_credential_lookup_docker_sync ("precedence.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "precedence.example", "docker-user", "docker-password",
                     WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG);
  wharf_credential_free (cred);
}

static gboolean
bytes_contain (const char *haystack,
               gsize       len,
               const char *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    {
      if (memcmp (haystack + i, needle, needle_len) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Counts the regular files under @dir that hold @needle, reading every byte. */
static guint
count_files_containing (const char *dir,
                        const char *needle,
                        guint      *n_files)
{
  g_autoptr(GDir) handle = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint found = 0;

  handle = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      if (lstat (path, &st) != 0)
        continue;

      if (S_ISDIR (st.st_mode))
        {
          found += count_files_containing (path, needle, n_files);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          g_file_get_contents (path, &contents, &len, &error);
          g_assert_no_error (error);
          (*n_files)++;

          if (bytes_contain (contents, len, needle))
            {
              g_test_message ("%s holds the secret", path);
              found++;
            }
        }
    }

  return found;
}

static void
test_secret_not_on_disk (void)
{
  g_autofree char *uuid1 = NULL;
  g_autofree char *uuid2 = NULL;
  g_autofree char *password = NULL;
  g_autofree char *planted = NULL;
  g_autofree char *keyring_file = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(WharfCredential) cred = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_len = 0;
  gsize after_len = 0;
  guint n_files = 0;

  if (!require_keyring ())
    return;

  uuid1 = g_uuid_string_random ();
  uuid2 = g_uuid_string_random ();
  password = g_strdup_printf ("wharf-%s-%s-%08x", uuid1, uuid2, g_random_int ());

  /* The walk itself must be able to find it, or the last check proves nothing. */
  planted = g_build_filename (test_home, "planted", "deep", "file.bin", NULL);
  {
    g_autofree char *dir = g_path_get_dirname (planted);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    g_file_set_contents (planted, password, -1, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (count_files_containing (test_home, password, &n_files), ==, 1);
  g_assert_cmpint (g_unlink (planted), ==, 0);

  keyring_file = g_build_filename (g_getenv ("XDG_DATA_HOME"), "keyrings", "login.keyring", NULL);
  g_file_get_contents (keyring_file, &before, &before_len, &error);
  g_assert_no_error (error);

  store ("disk.example", "alice", password);
  cred = wharf_credential_lookup_keyring_sync ("disk.example", NULL, &error);
  g_assert_no_error (error);
  assert_credential (cred, "disk.example", "alice", password, WHARF_CREDENTIAL_SOURCE_KEYRING);

  /* The keyring did write the item to disk: encrypted. */
  g_file_get_contents (keyring_file, &after, &after_len, &error);
  g_assert_no_error (error);
  g_assert_false (before_len == after_len && memcmp (before, after, after_len) == 0);

  n_files = 0;
  g_assert_cmpuint (count_files_containing (test_home, password, &n_files), ==, 0);
  g_assert_cmpuint (n_files, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_home = g_getenv ("WHARF_TEST_HOME");

  g_test_add_func ("/keyring/store-lookup", test_store_lookup);
  g_test_add_func ("/keyring/replace", test_replace);
  g_test_add_func ("/keyring/forget", test_forget);
  g_test_add_func ("/keyring/identity-token", test_identity_token);
  g_test_add_func ("/keyring/async", test_async);
  g_test_add_func ("/keyring/precedence", test_precedence);
  g_test_add_func ("/keyring/secret-not-on-disk", test_secret_not_on_disk);

  return g_test_run ();
}
