/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-models.c: the window's models (catalog paging, tags with lazy details,
 * the details cache) against real registries, without a display. */

#define G_LOG_DOMAIN "test-models"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-details-cache.h"
#include "wharf-repository-model.h"
#include "wharf-tag-model.h"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 60

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_limit_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_for (Condition condition,
          gpointer  data)
{
  gboolean expired = FALSE;
  guint limit_id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, wait_limit_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (!expired)
    g_source_remove (limit_id);

  return condition (data);
}

static WharfClient *
client_for_address (const char *address,
                    const char *username,
                    const char *password)
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

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("wharf-test-models-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL
         && g_file_enumerator_iterate (children, &info, NULL, NULL, NULL)
         && info != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The details cache */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Waiter *) data)->result != NULL;
}

static GAsyncResult *
wait_for_result (Waiter *waiter)
{
  g_assert_true (wait_for (has_result, waiter));
  return g_steal_pointer (&waiter->result);
}

#define DIGEST_A "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"
#define DIGEST_B "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

static void
test_cache_round_trip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(WharfDetailsCache) cache = wharf_details_cache_new (dir);
  g_autoptr(WharfDetailsCache) fresh = NULL;
  g_autoptr(WharfImageSummary) summary = NULL;
  g_autoptr(WharfImageSummary) read_back = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_utc (2024, 5, 17, 10, 30, 12);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) tags = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  const char *platforms[] = { "amd64", "arm64/v8", NULL };
  Waiter waiter = { NULL };
  WharfImageSummary *found_summary;

  g_assert_cmpstr (wharf_details_cache_get_directory (cache), ==, dir);

  /* An index, with the size and date of one platform's image. */
  summary = wharf_image_summary_new (DIGEST_A, WHARF_MEDIA_TYPE_OCI_INDEX, 123456,
                                     created, platforms, "arm64/v8");
  text = wharf_image_summary_dup_platforms_text (summary);
  g_assert_cmpstr (text, ==, "amd64 · arm64/v8");

  wharf_details_cache_store_async (cache, summary, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  g_assert_true (wharf_details_cache_store_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* One file per digest, under its algorithm. */
  path = g_build_filename (dir, "sha256",
                           "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b.json",
                           NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "arm64/v8"));

  /* A fresh cache has nothing in memory: this comes from the file. */
  fresh = wharf_details_cache_new (dir);
  g_assert_null (wharf_details_cache_peek (fresh, DIGEST_A));
  wharf_details_cache_lookup_async (fresh, DIGEST_A, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  read_back = wharf_details_cache_lookup_finish (fresh, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read_back);
  g_clear_object (&result);

  g_assert_cmpstr (read_back->digest, ==, DIGEST_A);
  g_assert_cmpstr (read_back->media_type, ==, WHARF_MEDIA_TYPE_OCI_INDEX);
  g_assert_cmpint (read_back->size, ==, 123456);
  g_assert_cmpstr (read_back->size_platform, ==, "arm64/v8");
  g_assert_nonnull (read_back->created);
  g_assert_true (g_date_time_equal (read_back->created, created));
  g_assert_cmpstrv (read_back->platforms, platforms);

  /* An unknown digest is a miss, not an error. */
  wharf_details_cache_lookup_async (fresh, DIGEST_B, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  g_assert_null (wharf_details_cache_lookup_finish (fresh, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* The tag index keeps only tags whose details are cached. */
  tags = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (tags, (char *) "latest", (char *) DIGEST_A);
  g_hash_table_insert (tags, (char *) "v1", (char *) DIGEST_A);
  g_hash_table_insert (tags, (char *) "old", (char *) DIGEST_B);
  wharf_details_cache_store_tags_async (cache, "localhost:5000", "team/app", tags,
                                        NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  g_assert_true (wharf_details_cache_store_tags_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  wharf_details_cache_lookup_tags_async (fresh, "localhost:5000", "team/app",
                                         NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  found = wharf_details_cache_lookup_tags_finish (fresh, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (g_hash_table_size (found), ==, 2);
  found_summary = g_hash_table_lookup (found, "v1");
  g_assert_nonnull (found_summary);
  g_assert_cmpstr (found_summary->digest, ==, DIGEST_A);
  g_assert_null (g_hash_table_lookup (found, "old"));
  g_clear_pointer (&found, g_hash_table_unref);

  /* Another registry's repository of the same name shares nothing. */
  wharf_details_cache_lookup_tags_async (fresh, "localhost:5001", "team/app",
                                         NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  found = wharf_details_cache_lookup_tags_finish (fresh, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (g_hash_table_size (found), ==, 0);

  remove_tree (dir);
}

/* A cache file's JSON for an index summary of DIGEST_A. */
static char *
index_summary_json (int         version,
                    const char *more_members)
{
  return g_strdup_printf ("{\"version\":%d,\"digest\":\"%s\",\"mediaType\":\"%s\","
                          "\"size\":-1,\"platforms\":[\"amd64\"]%s}",
                          version, DIGEST_A, WHARF_MEDIA_TYPE_OCI_INDEX, more_members);
}

static void
test_cache_broken_files (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(WharfDetailsCache) cache = wharf_details_cache_new (dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *algorithm_dir = g_build_filename (dir, "sha256", NULL);
  g_autofree char *path = NULL;
  g_autofree char *other_json = NULL;
  g_autoptr(WharfImageSummary) other = NULL;
  Waiter waiter = { NULL };

  g_assert_cmpint (g_mkdir_with_parents (algorithm_dir, 0700), ==, 0);
  path = g_build_filename (algorithm_dir,
                           "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b.json",
                           NULL);

  /* Garbage is a miss. */
  g_assert_true (g_file_set_contents (path, "{not json", -1, &error));
  wharf_details_cache_lookup_async (cache, DIGEST_A, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  g_assert_null (wharf_details_cache_lookup_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* So is a valid summary of another digest under this name. */
  other = wharf_image_summary_new (DIGEST_B, WHARF_MEDIA_TYPE_OCI_MANIFEST, 2, NULL, NULL, NULL);
  other_json = wharf_image_summary_to_json (other);
  g_assert_true (g_file_set_contents (path, other_json, -1, &error));
  wharf_details_cache_lookup_async (cache, DIGEST_A, NULL, store_result_cb, &waiter);
  result = wait_for_result (&waiter);
  g_assert_null (wharf_details_cache_lookup_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Nor does a summary parse from JSON that lacks its parts. */
  g_assert_null (wharf_image_summary_new_from_json ("{\"version\":2,\"digest\":\"x\"}", -1,
                                                    &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* Or from an older version, whose index summaries had no size: fetched
   * again instead. */
  {
    g_autoptr(WharfImageSummary) ok = NULL;
    g_autofree char *v1 = index_summary_json (1, "");
    g_autofree char *v2 = index_summary_json (2, "");
    g_autofree char *bad_platform = index_summary_json (2, ",\"sizePlatform\":7");

    g_assert_null (wharf_image_summary_new_from_json (v1, -1, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_null (wharf_image_summary_new_from_json (bad_platform, -1, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    ok = wharf_image_summary_new_from_json (v2, -1, &error);
    g_assert_no_error (error);
    g_assert_nonnull (ok);
    g_assert_null (ok->size_platform);
  }

  remove_tree (dir);
}

/* The repository model */

typedef struct
{
  guint    position;
  guint    removed;
  guint    added;
  guint    n_items;
  gboolean loading;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  GArray *changes = user_data;
  Change change = { position, removed, added, g_list_model_get_n_items (model), FALSE };

  if (WHARF_IS_REPOSITORY_MODEL (model))
    change.loading = wharf_repository_model_get_loading (WHARF_REPOSITORY_MODEL (model));
  else
    change.loading = wharf_tag_model_get_loading (WHARF_TAG_MODEL (model));

  g_array_append_val (changes, change);
}

static gboolean
repository_model_done (gpointer data)
{
  return !wharf_repository_model_get_loading (data);
}

static void
test_repository_paging (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfRepositoryModel) model = wharf_repository_model_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(WharfRepositoryItem) first = NULL;
  g_autoptr(WharfRepositoryItem) last = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) expected = NULL;
  guint position = 0;
  guint total_added = 0;

  wharf_test_registry_seed_repositories (reg, "seeded/repo", 2500);
  client = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);

  /* What a plain listing returns is what the model must hold, in order. */
  expected = wharf_client_list_repositories_sync (client, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (expected), ==, 2500);

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);
  g_assert_false (wharf_repository_model_get_loading (model));

  wharf_repository_model_set_client (model, client);
  g_assert_true (wharf_repository_model_get_client (model) == client);
  g_assert_true (wharf_repository_model_get_loading (model));
  g_assert_false (wharf_repository_model_get_complete (model));

  g_assert_true (wait_for (repository_model_done, model));
  g_assert_no_error ((GError *) wharf_repository_model_get_error (model));
  g_assert_true (wharf_repository_model_get_complete (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2500);

  /* Pages of 1000 arrive as they come: the first rows are there while the
   * rest still loads, and every change only appends. */
  g_assert_cmpuint (changes->len, ==, 3);
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = &g_array_index (changes, Change, i);

      g_assert_cmpuint (change->position, ==, total_added);
      g_assert_cmpuint (change->removed, ==, 0);
      g_assert_true (change->loading);
      total_added += change->added;
    }
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 1000);
  g_assert_cmpuint (g_array_index (changes, Change, 1).added, ==, 1000);
  g_assert_cmpuint (g_array_index (changes, Change, 2).added, ==, 500);

  for (guint i = 0; i < 2500; i++)
    {
      g_autoptr(WharfRepositoryItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (wharf_repository_item_get_name (item), ==, expected[i]);
      g_assert_cmpint (wharf_repository_item_get_tag_count (item), ==, -1);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 2500));

  g_assert_true (wharf_repository_model_find (model, "seeded/repo01234", &position) != NULL);
  g_assert_cmpuint (position, ==, 1234);
  g_assert_null (wharf_repository_model_find (model, "seeded/repo99999", NULL));

  /* Reloading merges: one change for a new repository, and the items that
   * stay are the same objects. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  last = g_list_model_get_item (G_LIST_MODEL (model), 2499);
  g_free (wharf_test_registry_push_image (reg, "seeded/repo01234x", "latest", 1, 64,
                                          "linux/amd64", TRUE));
  g_array_set_size (changes, 0);
  wharf_repository_model_reload (model);
  g_assert_true (wharf_repository_model_get_loading (model));
  g_assert_true (wait_for (repository_model_done, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2501);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 1235);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 1);
  {
    g_autoptr(WharfRepositoryItem) item0 = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(WharfRepositoryItem) item_last = g_list_model_get_item (G_LIST_MODEL (model), 2500);
    g_autoptr(WharfRepositoryItem) added = g_list_model_get_item (G_LIST_MODEL (model), 1235);

    g_assert_true (item0 == first);
    g_assert_true (item_last == last);
    g_assert_cmpstr (wharf_repository_item_get_name (added), ==, "seeded/repo01234x");
  }

  /* No client, no rows. */
  wharf_repository_model_set_client (model, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_false (wharf_repository_model_get_loading (model));
}

static void
test_repository_tag_counts (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfRepositoryModel) model = wharf_repository_model_new ();
  g_autofree char *digest = NULL;
  WharfRepositoryItem *two;
  WharfRepositoryItem *empty;

  digest = wharf_test_registry_push_image (reg, "two", "a", 1, 64, "linux/amd64", TRUE);
  wharf_test_registry_tag (reg, "two", digest, "b");
  /* In the catalog, with no tag. */
  wharf_test_registry_make_empty (reg, "empty");
  client = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);

  wharf_repository_model_set_client (model, client);
  g_assert_true (wait_for (repository_model_done, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);

  two = wharf_repository_model_find (model, "two", NULL);
  empty = wharf_repository_model_find (model, "empty", NULL);
  g_assert_nonnull (two);
  g_assert_nonnull (empty);

  /* Nothing is counted until asked for. */
  g_assert_cmpint (wharf_repository_item_get_tag_count (two), ==, -1);
  g_assert_false (wharf_repository_item_get_empty (empty));

  wharf_repository_model_request_tag_count (model, two);
  wharf_repository_model_request_tag_count (model, empty);
  wharf_repository_model_request_tag_count (model, empty);

  while (wharf_repository_item_get_tag_count (two) < 0
         || wharf_repository_item_get_tag_count (empty) < 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (wharf_repository_item_get_tag_count (two), ==, 2);
  g_assert_false (wharf_repository_item_get_empty (two));
  g_assert_cmpint (wharf_repository_item_get_tag_count (empty), ==, 0);
  g_assert_true (wharf_repository_item_get_empty (empty));
}

static gboolean
all_checked (gpointer data)
{
  WharfRepositoryModel *model = data;

  return wharf_repository_model_get_complete (model)
         && wharf_repository_model_get_n_checked (model)
            == g_list_model_get_n_items (G_LIST_MODEL (model));
}

static void
count_counted_cb (WharfRepositoryModel *model,
                  WharfRepositoryItem  *item,
                  GHashTable           *counted)
{
  /* Each repository is counted once. */
  g_assert_true (g_hash_table_add (counted, g_strdup (wharf_repository_item_get_name (item))));
}

/* Counting all (for hiding the repositories without tags): every
 * repository of a catalog of several pages is looked at once, the pages
 * that arrive after it was turned on too, and reloading looks again. */
static void
test_repository_count_all (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfRepositoryModel) model = wharf_repository_model_new ();
  g_autoptr(GHashTable) counted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n;

  wharf_test_registry_seed_repositories (reg, "seeded/repo", 1100);
  wharf_test_registry_make_empty (reg, "zz/empty");
  client = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);

  /* On before the first page. */
  g_assert_false (wharf_repository_model_get_count_all (model));
  wharf_repository_model_set_count_all (model, TRUE);
  g_assert_true (wharf_repository_model_get_count_all (model));
  g_signal_connect (model, "item-counted", G_CALLBACK (count_counted_cb), counted);
  wharf_repository_model_set_client (model, client);
  g_assert_true (wait_for (all_checked, model));

  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, 1101);
  g_assert_cmpuint (g_hash_table_size (counted), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfRepositoryItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      gboolean is_empty = g_str_equal (wharf_repository_item_get_name (item), "zz/empty");

      g_assert_cmpint (wharf_repository_item_get_tag_count (item), ==, is_empty ? 0 : 1);
      g_assert_cmpint (wharf_repository_item_get_empty (item), ==, is_empty);
    }

  /* A reload looks at them all again. */
  g_hash_table_remove_all (counted);
  wharf_repository_model_reload (model);
  g_assert_cmpuint (wharf_repository_model_get_n_checked (model), ==, 0);
  g_assert_true (wait_for (repository_model_done, model));
  g_assert_true (wait_for (all_checked, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1101);

  /* Off: nothing more is asked. */
  wharf_repository_model_set_count_all (model, FALSE);
  wharf_repository_model_reload (model);
  g_assert_true (wait_for (repository_model_done, model));
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (wharf_repository_model_get_n_checked (model), ==, 0);
}

static void
test_repository_errors (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autoptr(WharfClient) anonymous = NULL;
  g_autoptr(WharfClient) puller = NULL;
  g_autoptr(WharfClient) nowhere = NULL;
  g_autoptr(WharfRepositoryModel) model = wharf_repository_model_new ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  const GError *model_error;
  guint16 port;

  /* A user who may pull but not list: no catalog, which is no failure. */
  g_free (wharf_test_registry_push_image (reg, "public/app", "latest", 1, 64,
                                          "linux/amd64", TRUE));
  puller = client_for_address (wharf_test_registry_get_address (reg),
                               WHARF_TEST_TOKEN_PULL_USER, WHARF_TEST_TOKEN_PULL_PASSWORD);
  wharf_repository_model_set_client (model, puller);
  g_assert_true (wait_for (repository_model_done, model));
  model_error = wharf_repository_model_get_error (model);
  g_assert_error ((GError *) model_error, WHARF_ERROR, WHARF_ERROR_NO_CATALOG);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_false (wharf_repository_model_get_complete (model));

  /* Anonymous: signing in may open the catalog, so that is what it says. */
  anonymous = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);
  wharf_repository_model_set_client (model, anonymous);
  g_assert_true (wait_for (repository_model_done, model));
  g_assert_error ((GError *) wharf_repository_model_get_error (model), WHARF_ERROR,
                  WHARF_ERROR_AUTH_REQUIRED);

  /* A port nobody listens on: a free port, closed again. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  address = g_strdup_printf ("127.0.0.1:%u", port);
  nowhere = client_for_address (address, NULL, NULL);
  wharf_repository_model_set_client (model, nowhere);
  g_assert_null (wharf_repository_model_get_error (model));
  g_assert_true (wait_for (repository_model_done, model));
  model_error = wharf_repository_model_get_error (model);
  g_assert_error ((GError *) model_error, WHARF_ERROR, WHARF_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (model_error->message, address));
}

/* The tag model */

static gboolean
tag_model_idle (gpointer data)
{
  return !wharf_tag_model_get_loading (data) && wharf_tag_model_get_n_fetching (data) == 0;
}

static WharfTagItem *
find_tag (WharfTagModel *model,
          const char    *tag)
{
  WharfTagItem *item = wharf_tag_model_find (model, tag, NULL);

  g_assert_nonnull (item);
  return item;
}

static void
watch_all (WharfTagModel *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      wharf_tag_model_watch (model, item);
    }
}

static void
count_update_cb (WharfTagModel *model,
                 WharfTagItem  *item,
                 gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static void
test_tag_details (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfClient) client = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(WharfDetailsCache) cache = wharf_details_cache_new (dir);
  g_autoptr(WharfTagModel) model = wharf_tag_model_new (cache);
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *image_digest = NULL;
  g_autofree char *index_digest = NULL;
  g_autofree char *short_digest = NULL;
  const char *platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  WharfTagItem *v1;
  WharfTagItem *stable;
  WharfTagItem *multi;
  guint updates = 0;

  image_digest = wharf_test_registry_push_image (reg, "team/app", "v1", 2, 2048,
                                                 "linux/arm/v7", FALSE);
  wharf_test_registry_tag (reg, "team/app", image_digest, "stable");
  index_digest = wharf_test_registry_push_index (reg, "team/app", "multi", platforms, TRUE);

  client = client_for_address (wharf_test_registry_get_address (reg),
                               WHARF_TEST_HTPASSWD_USER, WHARF_TEST_HTPASSWD_PASSWORD);
  manifest = wharf_client_fetch_manifest_sync (client, "team/app", image_digest, NULL, &error);
  g_assert_no_error (error);
  config = wharf_client_fetch_config_sync (client, "team/app", manifest->config, NULL, &error);
  g_assert_no_error (error);

  g_signal_connect (model, "item-updated", G_CALLBACK (count_update_cb), &updates);

  wharf_tag_model_load (model, client, "team/app");
  g_assert_true (wharf_tag_model_get_loading (model));
  g_assert_cmpstr (wharf_tag_model_get_repository (model), ==, "team/app");
  g_assert_true (wait_for (tag_model_idle, model));
  g_assert_no_error ((GError *) wharf_tag_model_get_error (model));

  /* Sorted by tag; nothing fetched until a row asks. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  {
    g_autoptr(WharfTagItem) item0 = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(WharfTagItem) item2 = g_list_model_get_item (G_LIST_MODEL (model), 2);

    g_assert_cmpstr (wharf_tag_item_get_name (item0), ==, "multi");
    g_assert_cmpstr (wharf_tag_item_get_name (item2), ==, "v1");
  }
  v1 = find_tag (model, "v1");
  stable = find_tag (model, "stable");
  multi = find_tag (model, "multi");
  g_assert_null (wharf_tag_item_get_digest (v1));
  g_assert_cmpint (wharf_tag_item_get_state (v1), ==, WHARF_TAG_STATE_NEW);
  g_assert_cmpuint (updates, ==, 0);

  watch_all (model);
  g_assert_cmpuint (wharf_tag_model_get_n_fetching (model), >, 0);
  g_assert_true (wait_for (tag_model_idle, model));
  g_assert_cmpuint (updates, ==, 3);

  /* An image: its digest, compressed size, creation time and platform. */
  g_assert_cmpint (wharf_tag_item_get_state (v1), ==, WHARF_TAG_STATE_LOADED);
  g_assert_cmpstr (wharf_tag_item_get_digest (v1), ==, image_digest);
  g_assert_cmpstr (wharf_tag_item_get_media_type (v1), ==, WHARF_MEDIA_TYPE_DOCKER_MANIFEST);
  g_assert_cmpint (wharf_tag_item_get_size (v1), ==,
                   wharf_manifest_get_compressed_size (manifest));
  g_assert_cmpint (wharf_tag_item_get_size (v1), >, 2 * 2048);
  g_assert_nonnull (wharf_tag_item_get_created (v1));
  g_assert_true (g_date_time_equal (wharf_tag_item_get_created (v1), config->created));
  g_assert_cmpstr (wharf_tag_item_get_platforms (v1), ==, "arm/v7");
  short_digest = wharf_digest_shorten (image_digest);
  {
    g_autofree char *shown = NULL;

    g_object_get (v1, "short-digest", &shown, NULL);
    g_assert_cmpstr (shown, ==, short_digest);
  }

  /* Tags sharing a digest say so. */
  g_assert_cmpstr (wharf_tag_item_get_digest (stable), ==, image_digest);
  g_assert_cmpstr (wharf_tag_item_get_shared_with (v1), ==, "stable");
  g_assert_cmpstr (wharf_tag_item_get_shared_with (stable), ==, "v1");
  g_assert_cmpstr (wharf_tag_item_get_shared_with (multi), ==, "");

  /* An index: its platforms, the attestation hidden. */
  g_assert_cmpint (wharf_tag_item_get_state (multi), ==, WHARF_TAG_STATE_LOADED);
  g_assert_cmpstr (wharf_tag_item_get_digest (multi), ==, index_digest);
  g_assert_cmpstr (wharf_tag_item_get_media_type (multi), ==, WHARF_MEDIA_TYPE_OCI_INDEX);
  g_assert_cmpstr (wharf_tag_item_get_platforms (multi), ==, "amd64 · arm64/v8");

  /* …and the size and date of this machine's platform's image (the first
   * one's on a machine that has none of them). */
  {
    g_autoptr(WharfManifest) index = NULL;
    g_autoptr(WharfManifest) image = NULL;
    g_autoptr(WharfImageConfig) image_config = NULL;
    g_autoptr(WharfPlatform) host = wharf_platform_new_host ();
    const WharfDescriptor *entry;
    g_autofree char *expected_platform = NULL;

    index = wharf_client_fetch_manifest_sync (client, "team/app", index_digest, NULL, &error);
    g_assert_no_error (error);
    entry = wharf_manifest_find_platform (index, host);
    if (entry == NULL)
      entry = g_ptr_array_index (wharf_manifest_get_platform_entries (index), 0);
    expected_platform = wharf_platform_to_short_string (entry->platform);
    image = wharf_client_fetch_manifest_sync (client, "team/app", entry->digest, NULL, &error);
    g_assert_no_error (error);
    image_config = wharf_client_fetch_config_sync (client, "team/app", image->config, NULL,
                                                   &error);
    g_assert_no_error (error);

    g_assert_cmpstr (wharf_tag_item_get_size_platform (multi), ==, expected_platform);
    g_assert_cmpint (wharf_tag_item_get_size (multi), ==,
                     wharf_manifest_get_compressed_size (image));
    g_assert_cmpint (wharf_tag_item_get_size (multi), >, 0);
    g_assert_nonnull (wharf_tag_item_get_created (multi));
    g_assert_true (g_date_time_equal (wharf_tag_item_get_created (multi),
                                      image_config->created));
    g_assert_null (wharf_tag_item_get_size_platform (v1));
  }

  /* Watching again does not fetch again. */
  wharf_tag_model_watch (model, v1);
  g_assert_cmpuint (wharf_tag_model_get_n_fetching (model), ==, 0);

  /* Loading something else saves the tag index; a model on the same cache
   * then shows the details before any fetch. */
  wharf_tag_model_load (model, NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  {
    g_autoptr(WharfDetailsCache) cache2 = NULL;
    g_autoptr(WharfTagModel) model2 = NULL;
    g_autofree char *key = g_strdup_printf ("%s/team/app", wharf_test_registry_get_address (reg));
    g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
    g_autofree char *file_name = g_strconcat (hash, ".json", NULL);
    g_autofree char *index_path = g_build_filename (dir, "tags", file_name, NULL);
    g_autofree char *image_file = g_strconcat (wharf_digest_get_encoded (image_digest), ".json",
                                               NULL);
    g_autofree char *image_path = g_build_filename (dir, "sha256", image_file, NULL);
    g_autofree char *index_image_file = g_strconcat (wharf_digest_get_encoded (index_digest),
                                                     ".json", NULL);
    g_autofree char *index_image_path = g_build_filename (dir, "sha256", index_image_file, NULL);
    WharfTagItem *cached_v1;

    /* The index and each image's details are written in workers, each
     * renamed into place whole: the second model reads all three. */
    const char *written[] = { index_path, image_path, index_image_path };

    for (guint i = 0; i < G_N_ELEMENTS (written); i++)
      while (!g_file_test (written[i], G_FILE_TEST_EXISTS))
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (G_USEC_PER_SEC / 100);
        }

    cache2 = wharf_details_cache_new (dir);
    model2 = wharf_tag_model_new (cache2);
    wharf_tag_model_load (model2, client, "team/app");
    g_assert_true (wait_for (tag_model_idle, model2));

    cached_v1 = find_tag (model2, "v1");
    g_assert_cmpint (wharf_tag_item_get_state (cached_v1), ==, WHARF_TAG_STATE_CACHED);
    g_assert_cmpstr (wharf_tag_item_get_digest (cached_v1), ==, image_digest);
    g_assert_cmpstr (wharf_tag_item_get_platforms (cached_v1), ==, "arm/v7");
    g_assert_cmpstr (wharf_tag_item_get_shared_with (cached_v1), ==, "stable");
    g_assert_cmpstr (wharf_tag_item_get_platforms (find_tag (model2, "multi")),
                     ==, "amd64 · arm64/v8");

    /* Watching checks it with the registry. */
    watch_all (model2);
    g_assert_true (wait_for (tag_model_idle, model2));
    g_assert_cmpint (wharf_tag_item_get_state (cached_v1), ==, WHARF_TAG_STATE_LOADED);
    g_assert_cmpstr (wharf_tag_item_get_digest (cached_v1), ==, image_digest);
  }

  remove_tree (dir);
}

/* An index whose platform image cannot be fetched (here: deleted) still
 * shows its platforms, without size or date, and is not cached that way. */
static void
test_tag_index_platform_missing (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(WharfDetailsCache) cache = wharf_details_cache_new (dir);
  g_autoptr(WharfTagModel) model = wharf_tag_model_new (cache);
  g_autoptr(WharfManifest) index = NULL;
  g_autoptr(WharfPlatform) host = wharf_platform_new_host ();
  g_autoptr(GError) error = NULL;
  g_autofree char *index_digest = NULL;
  const char *platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  const WharfDescriptor *entry;
  WharfTagItem *multi;

  index_digest = wharf_test_registry_push_index (reg, "team/app", "multi", platforms, FALSE);
  client = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);
  index = wharf_client_fetch_manifest_sync (client, "team/app", index_digest, NULL, &error);
  g_assert_no_error (error);
  entry = wharf_manifest_find_platform (index, host);
  if (entry == NULL)
    entry = g_ptr_array_index (wharf_manifest_get_platform_entries (index), 0);
  wharf_test_registry_delete_manifest (reg, "team/app", entry->digest);

  wharf_tag_model_load (model, client, "team/app");
  g_assert_true (wait_for (tag_model_idle, model));
  watch_all (model);
  g_assert_true (wait_for (tag_model_idle, model));

  multi = find_tag (model, "multi");
  g_assert_cmpint (wharf_tag_item_get_state (multi), ==, WHARF_TAG_STATE_LOADED);
  g_assert_cmpstr (wharf_tag_item_get_digest (multi), ==, index_digest);
  g_assert_cmpstr (wharf_tag_item_get_platforms (multi), ==, "amd64 · arm64/v8");
  g_assert_cmpint (wharf_tag_item_get_size (multi), ==, -1);
  g_assert_null (wharf_tag_item_get_created (multi));
  g_assert_null (wharf_tag_item_get_size_platform (multi));
  g_assert_null (wharf_details_cache_peek (cache, index_digest));

  remove_tree (dir);
}

static void
test_tag_refresh (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(WharfDetailsCache) cache = wharf_details_cache_new (dir);
  g_autoptr(WharfTagModel) model = wharf_tag_model_new (cache);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  WharfTagItem *a;
  WharfTagItem *b;
  WharfTagItem *c;

  first = wharf_test_registry_push_image (reg, "app", "a", 1, 64, "linux/amd64", TRUE);
  second = wharf_test_registry_push_image (reg, "app", "b", 1, 64, "linux/amd64", TRUE);
  client = client_for_address (wharf_test_registry_get_address (reg), NULL, NULL);

  wharf_tag_model_load (model, client, "app");
  g_assert_true (wait_for (tag_model_idle, model));
  watch_all (model);
  g_assert_true (wait_for (tag_model_idle, model));
  a = find_tag (model, "a");
  b = find_tag (model, "b");
  g_assert_cmpstr (wharf_tag_item_get_digest (b), ==, second);

  /* Pushed from elsewhere: a new tag, and an old tag moved to a new image. */
  third = wharf_test_registry_push_image (reg, "app", "c", 1, 64, "linux/arm64/v8", TRUE);
  wharf_test_registry_tag (reg, "app", first, "b");

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);
  wharf_tag_model_refresh (model);
  g_assert_false (wharf_tag_model_get_loading (model));
  while (g_list_model_get_n_items (G_LIST_MODEL (model)) < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for (tag_model_idle, model));

  /* Appended, the others kept as they were. */
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 2);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 1);
  g_assert_true (find_tag (model, "a") == a);
  g_assert_true (find_tag (model, "b") == b);

  /* The watched one was checked again and follows its tag. */
  g_assert_cmpstr (wharf_tag_item_get_digest (b), ==, first);
  g_assert_cmpstr (wharf_tag_item_get_shared_with (a), ==, "b");

  c = find_tag (model, "c");
  wharf_tag_model_watch (model, c);
  g_assert_true (wait_for (tag_model_idle, model));
  g_assert_cmpstr (wharf_tag_item_get_digest (c), ==, third);
  g_assert_cmpstr (wharf_tag_item_get_platforms (c), ==, "arm64/v8");

  /* A repository that does not exist is an error sentence, not rows. */
  wharf_tag_model_load (model, client, "no/such/repo");
  g_assert_true (wait_for (tag_model_idle, model));
  g_assert_error ((GError *) wharf_tag_model_get_error (model), WHARF_ERROR,
                  WHARF_ERROR_NOT_FOUND);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/models/cache/round-trip", test_cache_round_trip);
  g_test_add_func ("/models/cache/broken-files", test_cache_broken_files);
  g_test_add_func ("/models/repositories/paging", test_repository_paging);
  g_test_add_func ("/models/repositories/tag-counts", test_repository_tag_counts);
  g_test_add_func ("/models/repositories/count-all", test_repository_count_all);
  g_test_add_func ("/models/repositories/errors", test_repository_errors);
  g_test_add_func ("/models/tags/details", test_tag_details);
  g_test_add_func ("/models/tags/index-platform-missing", test_tag_index_platform_missing);
  g_test_add_func ("/models/tags/refresh", test_tag_refresh);

  return g_test_run ();
}
