/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-delete.c: tag, manifest and repository deletion, undo and retagging
 * on a real registry. */

#include "config.h"

#include <string.h>

#include "wharf.h"
#include "wharf-delete.h"
#include "wharf-test-registry.h"

static WharfClient *
client_for (WharfTestRegistry *reg)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;

  endpoint = wharf_endpoint_new (wharf_test_registry_get_url (reg), &error);
  g_assert_no_error (error);

  return wharf_client_new (endpoint);
}

/* The digest the tag points at, or NULL when it is gone. */
static char *
head_digest (WharfClient *client,
             const char  *repository,
             const char  *reference)
{
  g_autoptr(WharfDescriptor) desc = NULL;
  g_autoptr(GError) error = NULL;

  desc = wharf_client_head_manifest_sync (client, repository, reference, NULL, &error);
  if (desc == NULL)
    {
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
      return NULL;
    }

  return g_strdup (desc->digest);
}

static void
assert_tag_is (WharfClient *client,
               const char  *repository,
               const char  *tag,
               const char  *digest)
{
  g_autofree char *found = head_digest (client, repository, tag);

  g_assert_cmpstr (found, ==, digest);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
test_delete_tag_keeps_siblings (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected = NULL;

  digest = wharf_test_registry_push_image (reg, "app", "one", 2, 1024, "linux/amd64", FALSE);
  wharf_test_registry_tag (reg, "app", digest, "two");
  wharf_test_registry_tag (reg, "app", digest, "three");

  deletion = wharf_client_delete_tag_sync (client, "app", "one", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deletion);

  removed = wharf_deletion_dup_removed_tags (deletion);
  g_assert_cmpuint (g_strv_length (removed), ==, 1);
  g_assert_cmpstr (removed[0], ==, "app:one");

  g_assert_cmpuint (deletion->manifests->len, ==, 1);
  expected = g_strdup (((WharfDeletedManifest *)
                        g_ptr_array_index (deletion->manifests, 0))->digest);
  g_assert_cmpstr (expected, ==, digest);

  assert_tag_is (client, "app", "one", NULL);
  assert_tag_is (client, "app", "two", digest);
  assert_tag_is (client, "app", "three", digest);
  /* The image itself is still there by digest. */
  assert_tag_is (client, "app", digest, digest);

  /* Undo puts the tag back on the same bytes. */
  wharf_client_undo_deletion_sync (client, deletion, NULL, &error);
  g_assert_no_error (error);
  assert_tag_is (client, "app", "one", digest);
}

static void
test_delete_digest_removes_all (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *other = NULL;
  const WharfDeletedManifest *manifest;

  digest = wharf_test_registry_push_image (reg, "lib/app", "a", 1, 512, "linux/amd64", TRUE);
  wharf_test_registry_tag (reg, "lib/app", digest, "b");
  wharf_test_registry_tag (reg, "lib/app", digest, "c");
  other = wharf_test_registry_push_image (reg, "lib/app", "d", 1, 512, "linux/arm64", TRUE);
  g_assert_cmpstr (other, !=, digest);

  deletion = wharf_client_delete_manifest_sync (client, "lib/app", digest, NULL, &error);
  g_assert_no_error (error);

  removed = wharf_deletion_dup_removed_tags (deletion);
  g_qsort_with_data (removed, g_strv_length (removed), sizeof (char *), compare_strings, NULL);
  g_assert_cmpuint (g_strv_length (removed), ==, 3);
  g_assert_cmpstr (removed[0], ==, "lib/app:a");
  g_assert_cmpstr (removed[1], ==, "lib/app:b");
  g_assert_cmpstr (removed[2], ==, "lib/app:c");

  manifest = g_ptr_array_index (deletion->manifests, 0);
  g_assert_cmpstr (manifest->media_type, ==, WHARF_MEDIA_TYPE_OCI_MANIFEST);
  {
    g_autofree char *kept = wharf_digest_compute_bytes (manifest->bytes);

    g_assert_cmpstr (kept, ==, digest);
  }

  assert_tag_is (client, "lib/app", "a", NULL);
  assert_tag_is (client, "lib/app", "b", NULL);
  assert_tag_is (client, "lib/app", "c", NULL);
  assert_tag_is (client, "lib/app", digest, NULL);
  assert_tag_is (client, "lib/app", "d", other);

  /* Undo while the blobs are still there. */
  wharf_client_undo_deletion_sync (client, deletion, NULL, &error);
  g_assert_no_error (error);
  assert_tag_is (client, "lib/app", "a", digest);
  assert_tag_is (client, "lib/app", "b", digest);
  assert_tag_is (client, "lib/app", "c", digest);
  assert_tag_is (client, "lib/app", "d", other);
}

static void
test_delete_repository (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *elsewhere = NULL;

  one = wharf_test_registry_push_image (reg, "gone", "1", 1, 256, "linux/amd64", FALSE);
  two = wharf_test_registry_push_image (reg, "gone", "2", 1, 256, "linux/arm64", FALSE);
  wharf_test_registry_tag (reg, "gone", two, "latest");
  elsewhere = wharf_test_registry_push_image (reg, "stays", "1", 1, 256, "linux/amd64", FALSE);

  deletion = wharf_client_delete_repository_sync (client, "gone", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deletion->manifests->len, ==, 2);

  removed = wharf_deletion_dup_removed_tags (deletion);
  g_assert_cmpuint (g_strv_length (removed), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) removed, "gone:1"));
  g_assert_true (g_strv_contains ((const char * const *) removed, "gone:2"));
  g_assert_true (g_strv_contains ((const char * const *) removed, "gone:latest"));

  assert_tag_is (client, "gone", "1", NULL);
  assert_tag_is (client, "gone", "2", NULL);
  assert_tag_is (client, "gone", "latest", NULL);
  assert_tag_is (client, "stays", "1", elsewhere);

  wharf_client_undo_deletion_sync (client, deletion, NULL, &error);
  g_assert_no_error (error);
  assert_tag_is (client, "gone", "1", one);
  assert_tag_is (client, "gone", "latest", two);
}

static void
test_delete_disabled (void)
{
  const char * const env[] = { "REGISTRY_STORAGE_DELETE_ENABLED=false", NULL };
  g_autoptr(WharfTestRegistry) reg = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *sentence = NULL;

  reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_PLAIN, env);
  client = client_for (reg);
  digest = wharf_test_registry_push_image (reg, "kept", "v1", 1, 256, "linux/amd64", FALSE);
  wharf_test_registry_tag (reg, "kept", digest, "v2");

  sentence = g_strdup_printf ("Deleting is disabled on %s (storage.delete.enabled).",
                              wharf_test_registry_get_address (reg));

  deletion = wharf_client_delete_tag_sync (client, "kept", "v1", NULL, &error);
  g_assert_null (deletion);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, sentence);
  g_clear_error (&error);

  deletion = wharf_client_delete_manifest_sync (client, "kept", digest, NULL, &error);
  g_assert_null (deletion);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, sentence);

  /* Nothing moved. */
  assert_tag_is (client, "kept", "v1", digest);
  assert_tag_is (client, "kept", "v2", digest);
}

static void
test_retag_same_repository (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *tagged = NULL;
  g_autofree char *by_digest = NULL;

  digest = wharf_test_registry_push_image (reg, "web", "1.0", 2, 300, "linux/amd64", FALSE);

  tagged = wharf_client_tag_sync (client, "web", "1.0", "web", "stable", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged, ==, digest);
  assert_tag_is (client, "web", "stable", digest);

  by_digest = wharf_client_tag_sync (client, "web", digest, NULL, "pinned", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_digest, ==, digest);
  assert_tag_is (client, "web", "pinned", digest);
  assert_tag_is (client, "web", "1.0", digest);
}

static void
test_retag_across_repositories (void)
{
  const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfManifest) index = NULL;
  g_autofree char *image = NULL;
  g_autofree char *tagged = NULL;
  g_autofree char *index_digest = NULL;
  g_autofree char *tagged_index = NULL;
  g_autoptr(WharfManifest) manifest = NULL;

  image = wharf_test_registry_push_image (reg, "src/one", "v1", 2, 2048, "linux/amd64", TRUE);
  tagged = wharf_client_tag_sync (client, "src/one", "v1", "dst/one", "copied", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged, ==, image);
  assert_tag_is (client, "dst/one", "copied", image);

  /* The blobs are there too, so that the image can be pulled. */
  manifest = wharf_client_fetch_manifest_sync (client, "dst/one", "copied", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wharf_client_head_blob_sync (client, "dst/one", manifest->config->digest,
                                              NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);

      g_assert_true (wharf_client_head_blob_sync (client, "dst/one", layer->digest, NULL,
                                                  NULL, &error));
      g_assert_no_error (error);
    }

  /* An index brings its children along. */
  index_digest = wharf_test_registry_push_index (reg, "src/multi", "v1", platforms, TRUE);
  tagged_index = wharf_client_tag_sync (client, "src/multi", "v1", "dst/multi", "v1", NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged_index, ==, index_digest);
  assert_tag_is (client, "dst/multi", "v1", index_digest);

  index = wharf_client_fetch_manifest_sync (client, "dst/multi", "v1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->manifests->len, ==, 3);
  for (guint i = 0; i < index->manifests->len; i++)
    {
      const WharfDescriptor *entry = g_ptr_array_index (index->manifests, i);

      assert_tag_is (client, "dst/multi", entry->digest, entry->digest);
    }
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (slot);
}

static void
test_delete_async (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *tagged = NULL;
  GAsyncResult *slot = NULL;
  gboolean undone;

  digest = wharf_test_registry_push_image (reg, "async", "x", 1, 128, "linux/amd64", FALSE);
  wharf_test_registry_tag (reg, "async", digest, "y");

  wharf_client_delete_async (client, "async", digest, NULL, store_result_cb, &slot);
  result = wait_for_result (&slot);
  deletion = wharf_client_delete_finish (client, result, &error);
  g_assert_no_error (error);
  removed = wharf_deletion_dup_removed_tags (deletion);
  g_assert_cmpuint (g_strv_length (removed), ==, 2);
  assert_tag_is (client, "async", "x", NULL);
  assert_tag_is (client, "async", "y", NULL);
  g_clear_object (&result);

  wharf_client_undo_deletion_async (client, deletion, NULL, store_result_cb, &slot);
  result = wait_for_result (&slot);
  undone = wharf_client_undo_deletion_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_true (undone);
  assert_tag_is (client, "async", "x", digest);
  g_clear_object (&result);

  wharf_client_tag_async (client, "async", "x", "async", "z", NULL, store_result_cb, &slot);
  result = wait_for_result (&slot);
  tagged = wharf_client_tag_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged, ==, digest);
  assert_tag_is (client, "async", "z", digest);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/delete/tag-keeps-siblings", test_delete_tag_keeps_siblings);
  g_test_add_func ("/delete/digest-removes-all", test_delete_digest_removes_all);
  g_test_add_func ("/delete/repository", test_delete_repository);
  g_test_add_func ("/delete/disabled", test_delete_disabled);
  g_test_add_func ("/delete/retag-same-repository", test_retag_same_repository);
  g_test_add_func ("/delete/retag-across-repositories", test_retag_across_repositories);
  g_test_add_func ("/delete/async", test_delete_async);

  return g_test_run ();
}
