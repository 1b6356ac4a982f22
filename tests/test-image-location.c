/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-image-location.c: telling dropped files apart and listing the images
 * they hold, on archives and layouts that skopeo wrote from a real registry. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#define SKOPEO "/usr/bin/skopeo"
#define TAR    "/bin/tar"

/* One registry and the files skopeo made from it, shared by the tests (they
 * only read them). */
typedef struct
{
  WharfTestRegistry *reg;
  char              *tmp;
  char              *app_digest;    /* app:v1, Docker schema2, linux/arm64/v8 */
  char              *oci_digest;    /* ociapp:v1, OCI manifest, linux/amd64 */
  char              *index_digest;  /* multi:v1, index of amd64 + arm64/v8 + attestation */
} Fixture;

static Fixture fixture;

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

static void
skopeo_copy (const char *source,
             const char *destination,
             const char *extra)
{
  const char *argv[] = { SKOPEO, "--insecure-policy", "copy", "--quiet",
                         "--src-tls-verify=false", "--dest-tls-verify=false",
                         extra != NULL ? extra : source,
                         extra != NULL ? source : destination,
                         extra != NULL ? destination : NULL,
                         NULL };
  g_autofree char *out = run_ok (argv);
}

static JsonNode *
skopeo_inspect_raw (const char *location)
{
  const char *argv[] = { SKOPEO, "--insecure-policy", "inspect", "--raw", location, NULL };
  g_autofree char *out = run_ok (argv);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (out, &error);

  g_assert_no_error (error);
  return node;
}

static char *
registry_location (const char *name)
{
  return g_strdup_printf ("docker://%s/%s", wharf_test_registry_get_address (fixture.reg), name);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (fixture.tmp, name, NULL);
}

static gint64
sum_sizes (JsonObject *manifest,
           GHashTable *seen)
{
  JsonObject *config = json_object_get_object_member (manifest, "config");
  JsonArray *layers = json_object_get_array_member (manifest, "layers");
  gint64 size = 0;

  if (g_hash_table_add (seen, g_strdup (json_object_get_string_member (config, "digest"))))
    size += json_object_get_int_member (config, "size");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);

      if (g_hash_table_add (seen, g_strdup (json_object_get_string_member (layer, "digest"))))
        size += json_object_get_int_member (layer, "size");
    }

  return size;
}

static void
assert_platforms (const WharfArchiveImage  *image,
                  const char * const       *expected)
{
  g_assert_cmpuint (image->platforms->len, ==, g_strv_length ((GStrv) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_autofree char *text = wharf_platform_to_string (g_ptr_array_index (image->platforms, i));

      g_assert_cmpstr (text, ==, expected[i]);
    }
}

static WharfImageLocation *
detect_ok (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  WharfImageLocation *location;

  location = wharf_image_location_new_for_file_sync (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (location);
  g_assert_cmpstr (location->path, ==, path);
  g_assert_null (location->ref);
  g_assert_null (location->reference);

  return location;
}

static GPtrArray *
list_ok (const WharfImageLocation *location)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *images;

  images = wharf_image_location_list_images_sync (location, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (images);

  return images;
}

/* Detection */

static void
test_detect_docker_archive (void)
{
  g_autofree char *path = tmp_path ("app.tar");
  g_autoptr(WharfImageLocation) location = detect_ok (path);

  g_assert_cmpint (location->transport, ==, WHARF_TRANSPORT_DOCKER_ARCHIVE);
}

static void
test_detect_oci_archive (void)
{
  g_autofree char *path = tmp_path ("app-oci.tar");
  g_autoptr(WharfImageLocation) location = detect_ok (path);

  g_assert_cmpint (location->transport, ==, WHARF_TRANSPORT_OCI_ARCHIVE);
}

static void
test_detect_oci_layout (void)
{
  g_autofree char *path = tmp_path ("layout");
  g_autoptr(WharfImageLocation) location = detect_ok (path);

  g_assert_cmpint (location->transport, ==, WHARF_TRANSPORT_OCI);
}

/* Docker 25+ writes both manifest.json and an OCI layout into a save. */
static void
test_detect_docker25_archive (void)
{
  g_autofree char *dir = tmp_path ("docker25");
  g_autofree char *path = tmp_path ("docker25.tar");
  g_autofree char *out = NULL;
  g_autoptr(WharfImageLocation) location = NULL;
  const char *argv[] = { TAR, "-C", dir, "-cf", path, ".", NULL };
  const char * const files[] = { "manifest.json", "oci-layout", "index.json" };

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *file = g_build_filename (dir, files[i], NULL);
      g_autoptr(GError) error = NULL;

      g_file_set_contents (file, "[]", -1, &error);
      g_assert_no_error (error);
    }
  out = run_ok (argv);

  location = detect_ok (path);
  g_assert_cmpint (location->transport, ==, WHARF_TRANSPORT_DOCKER_ARCHIVE);
}

static void
assert_refused (const char *path,
                const char *what)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfImageLocation) location = NULL;
  g_autofree char *name = g_path_get_basename (path);

  location = wharf_image_location_new_for_file_sync (file, NULL, &error);
  g_test_message ("%s: %s", what, error != NULL ? error->message : "(accepted)");
  g_assert_null (location);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
  /* One sentence that names the file and what Wharf takes instead. */
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, "docker save"));
  g_assert_nonnull (strstr (error->message, "OCI"));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_detect_junk (void)
{
  g_autofree char *text = tmp_path ("notes.txt");
  g_autofree char *random = tmp_path ("random.bin");
  g_autofree char *empty = tmp_path ("empty.tar");
  g_autofree char *plain_dir = tmp_path ("plain");
  g_autofree char *plain_tar = tmp_path ("plain.tar");
  g_autofree char *half_dir = tmp_path ("half-layout");
  g_autofree char *half_tar = tmp_path ("half-layout.tar");
  g_autofree char *hello = NULL;
  g_autofree char *layout_file = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 bytes[4096];
  const char *plain_argv[] = { TAR, "-C", plain_dir, "-cf", plain_tar, ".", NULL };
  const char *half_argv[] = { TAR, "-C", half_dir, "-cf", half_tar, ".", NULL };

  g_file_set_contents (text, "Just some notes, not an image.\n", -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_rand_int_range (rand, 0, 256);
  g_file_set_contents (random, (const char *) bytes, sizeof bytes, &error);
  g_assert_no_error (error);

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);

  /* A real tar, and a real folder, that hold no image. */
  g_assert_cmpint (g_mkdir (plain_dir, 0700), ==, 0);
  hello = g_build_filename (plain_dir, "hello.txt", NULL);
  g_file_set_contents (hello, "hello\n", -1, &error);
  g_assert_no_error (error);
  out = run_ok (plain_argv);
  g_clear_pointer (&out, g_free);

  /* oci-layout without index.json. */
  g_assert_cmpint (g_mkdir (half_dir, 0700), ==, 0);
  layout_file = g_build_filename (half_dir, "oci-layout", NULL);
  g_file_set_contents (layout_file, "{\"imageLayoutVersion\":\"1.0.0\"}", -1, &error);
  g_assert_no_error (error);
  out = run_ok (half_argv);

  assert_refused (text, "text file");
  assert_refused (random, "random bytes");
  assert_refused (empty, "empty file");
  assert_refused (plain_tar, "tar without an image");
  assert_refused (plain_dir, "folder without an image");
  assert_refused (half_tar, "tar with oci-layout only");
  assert_refused (half_dir, "folder with oci-layout only");
}

static void
test_detect_missing (void)
{
  g_autofree char *path = tmp_path ("does-not-exist.tar");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfImageLocation) location = NULL;

  location = wharf_image_location_new_for_file_sync (file, NULL, &error);
  g_assert_null (location);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_detect_cancelled (void)
{
  g_autofree char *path = tmp_path ("app.tar");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfImageLocation) location = NULL;

  g_cancellable_cancel (cancellable);
  location = wharf_image_location_new_for_file_sync (file, cancellable, &error);
  g_assert_null (location);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Listing */

static void
test_list_docker_archive (void)
{
  g_autofree char *path = tmp_path ("app.tar");
  g_autofree char *skopeo_location = g_strdup_printf ("docker-archive:%s", path);
  g_autoptr(WharfImageLocation) location = detect_ok (path);
  g_autoptr(GPtrArray) images = list_ok (location);
  g_autoptr(JsonNode) manifest = skopeo_inspect_raw (skopeo_location);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char * const platforms[] = { "linux/arm64/v8", NULL };
  WharfArchiveImage *image;

  g_assert_cmpuint (images->len, ==, 1);
  image = g_ptr_array_index (images, 0);
  g_assert_cmpstr (image->ref, ==, "@0");
  g_assert_cmpuint (g_strv_length (image->tags), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) image->tags, "example.com/app:v1"));
  g_assert_true (g_strv_contains ((const char * const *) image->tags, "example.com/app:latest"));
  assert_platforms (image, platforms);
  g_assert_true (wharf_digest_validate (image->digest, NULL));
  /* The layers are stored uncompressed: skopeo counts the same bytes. */
  g_assert_cmpint (image->size, ==, sum_sizes (json_node_get_object (manifest), seen));
  g_assert_cmpint (image->size, >, 2 * 4096);
}

/* `docker save a b` writes one manifest.json entry per image. */
static void
test_list_docker_archive_two_images (void)
{
  g_autofree char *dir = tmp_path ("two");
  g_autofree char *path = tmp_path ("two.tar");
  g_autofree char *app_tar = tmp_path ("app.tar");
  g_autofree char *oci_tar = tmp_path ("ociapp-docker.tar");
  g_autofree char *out = NULL;
  g_autofree char *manifest_path = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *merged = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfImageLocation) location = NULL;
  g_autoptr(GPtrArray) images = NULL;
  const char *extract_app[] = { TAR, "-C", dir, "-xf", app_tar, NULL };
  const char *extract_oci[] = { TAR, "-C", dir, "-xf", oci_tar, NULL };
  const char *pack[] = { TAR, "-C", dir, "-cf", path, ".", NULL };
  const char * const arm[] = { "linux/arm64/v8", NULL };
  const char * const amd[] = { "linux/amd64", NULL };
  WharfArchiveImage *image;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  out = run_ok (extract_app);
  g_clear_pointer (&out, g_free);
  g_file_get_contents (manifest_path, &contents, NULL, &error);
  g_assert_no_error (error);
  first = json_from_string (contents, &error);
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);

  out = run_ok (extract_oci);
  g_clear_pointer (&out, g_free);
  g_file_get_contents (manifest_path, &contents, NULL, &error);
  g_assert_no_error (error);
  second = json_from_string (contents, &error);
  g_assert_no_error (error);

  json_array_add_element (json_node_get_array (first),
                          json_node_copy (json_array_get_element (json_node_get_array (second),
                                                                  0)));
  merged = json_to_string (first, FALSE);
  g_file_set_contents (manifest_path, merged, -1, &error);
  g_assert_no_error (error);
  out = run_ok (pack);

  location = detect_ok (path);
  g_assert_cmpint (location->transport, ==, WHARF_TRANSPORT_DOCKER_ARCHIVE);
  images = list_ok (location);
  g_assert_cmpuint (images->len, ==, 2);

  image = g_ptr_array_index (images, 0);
  g_assert_cmpstr (image->ref, ==, "@0");
  g_assert_true (g_strv_contains ((const char * const *) image->tags, "example.com/app:v1"));
  assert_platforms (image, arm);

  image = g_ptr_array_index (images, 1);
  g_assert_cmpstr (image->ref, ==, "@1");
  g_assert_cmpuint (g_strv_length (image->tags), ==, 1);
  g_assert_cmpstr (image->tags[0], ==, "example.com/ociapp:v1");
  assert_platforms (image, amd);

  g_assert_cmpstr (((WharfArchiveImage *) g_ptr_array_index (images, 0))->digest, !=,
                   image->digest);
}

static void
test_list_oci_archive (void)
{
  g_autofree char *path = tmp_path ("app-oci.tar");
  g_autoptr(WharfImageLocation) location = detect_ok (path);
  g_autoptr(GPtrArray) images = list_ok (location);
  g_autofree char *skopeo_location = g_strdup_printf ("oci-archive:%s:v1", path);
  g_autoptr(JsonNode) manifest = skopeo_inspect_raw (skopeo_location);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char * const platforms[] = { "linux/amd64", NULL };
  WharfArchiveImage *image;

  g_assert_cmpuint (images->len, ==, 1);
  image = g_ptr_array_index (images, 0);
  g_assert_cmpstr (image->ref, ==, "v1");
  g_assert_cmpuint (g_strv_length (image->tags), ==, 1);
  g_assert_cmpstr (image->tags[0], ==, "v1");
  /* skopeo keeps an OCI manifest byte for byte. */
  g_assert_cmpstr (image->digest, ==, fixture.oci_digest);
  assert_platforms (image, platforms);
  g_assert_cmpint (image->size, ==, sum_sizes (json_node_get_object (manifest), seen));
}

static void
test_list_oci_layout (void)
{
  g_autofree char *path = tmp_path ("layout");
  g_autoptr(WharfImageLocation) location = detect_ok (path);
  g_autoptr(GPtrArray) images = list_ok (location);
  g_autofree char *index_path = g_build_filename (path, "index.json", NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *index_blob = NULL;
  g_autofree char *index_text = NULL;
  g_autoptr(JsonNode) index = NULL;
  g_autoptr(GError) error = NULL;
  const char * const multi_platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  const char * const app_platforms[] = { "linux/arm64/v8", NULL };
  WharfArchiveImage *multi = NULL;
  WharfArchiveImage *app = NULL;
  JsonArray *entries;
  gint64 expected = 0;

  g_assert_cmpuint (images->len, ==, 2);
  for (guint i = 0; i < images->len; i++)
    {
      WharfArchiveImage *image = g_ptr_array_index (images, i);

      if (g_strcmp0 (image->ref, "multi") == 0)
        multi = image;
      else if (g_strcmp0 (image->ref, "app") == 0)
        app = image;
    }
  g_assert_nonnull (multi);
  g_assert_nonnull (app);

  /* The whole index, attestation hidden. */
  g_assert_cmpstr (multi->digest, ==, fixture.index_digest);
  g_assert_cmpstr (multi->tags[0], ==, "multi");
  assert_platforms (multi, multi_platforms);

  /* Its size, from the files skopeo wrote: every platform image's blobs. */
  index_blob = g_build_filename (path, "blobs", "sha256",
                                 fixture.index_digest + strlen ("sha256:"), NULL);
  g_file_get_contents (index_blob, &index_text, NULL, &error);
  g_assert_no_error (error);
  index = json_from_string (index_text, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (index), "manifests");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      JsonObject *platform = json_object_get_object_member (entry, "platform");
      const char *digest = json_object_get_string_member (entry, "digest");
      g_autofree char *blob = NULL;
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) child = NULL;

      if (g_strcmp0 (json_object_get_string_member (platform, "os"), "unknown") == 0)
        continue;

      blob = g_build_filename (path, "blobs", "sha256", digest + strlen ("sha256:"), NULL);
      g_file_get_contents (blob, &text, NULL, &error);
      g_assert_no_error (error);
      child = json_from_string (text, &error);
      g_assert_no_error (error);
      expected += sum_sizes (json_node_get_object (child), seen);
    }
  g_assert_cmpint (multi->size, ==, expected);

  g_assert_cmpstr (app->tags[0], ==, "app");
  assert_platforms (app, app_platforms);
  g_assert_true (wharf_digest_validate (app->digest, NULL));
  g_assert_cmpint (app->size, >, 2 * 4096);
  g_assert_true (g_file_test (index_path, G_FILE_TEST_IS_REGULAR));
}

typedef struct
{
  GPtrArray *images;
  GError    *error;
  gboolean   done;
} ListWait;

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ListWait *wait = user_data;

  g_assert_null (object);
  wait->images = wharf_image_location_list_images_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
test_list_async (void)
{
  g_autofree char *path = tmp_path ("app-oci.tar");
  g_autoptr(WharfImageLocation) location = detect_ok (path);
  g_autoptr(WharfImageLocation) junk = NULL;
  g_autoptr(GPtrArray) images = NULL;
  ListWait wait = { 0, };
  WharfArchiveImage *image;

  wharf_image_location_list_images_async (location, NULL, list_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  images = g_steal_pointer (&wait.images);
  g_assert_cmpuint (images->len, ==, 1);
  image = g_ptr_array_index (images, 0);
  g_assert_cmpstr (image->digest, ==, fixture.oci_digest);

  /* A location that is no image fails with a sentence, not a crash. */
  junk = wharf_image_location_copy (location);
  junk->transport = WHARF_TRANSPORT_DOCKER_ARCHIVE;
  wait.done = FALSE;
  wharf_image_location_list_images_async (junk, NULL, list_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (wait.images);
  g_assert_error (wait.error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (wait.error->message, "manifest.json"));
  g_clear_error (&wait.error);
}

static void
test_archive_image_copy (void)
{
  g_autofree char *path = tmp_path ("layout");
  g_autoptr(WharfImageLocation) location = detect_ok (path);
  g_autoptr(GPtrArray) images = list_ok (location);
  const WharfArchiveImage *image = g_ptr_array_index (images, 0);
  g_autoptr(WharfArchiveImage) copy = wharf_archive_image_copy (image);

  g_assert_cmpstr (copy->ref, ==, image->ref);
  g_assert_cmpstr (copy->digest, ==, image->digest);
  g_assert_cmpint (copy->size, ==, image->size);
  g_assert_true (g_strv_equal ((const char * const *) copy->tags,
                               (const char * const *) image->tags));
  g_assert_cmpuint (copy->platforms->len, ==, image->platforms->len);
  g_assert_true (copy->platforms != image->platforms);
  g_assert_true (G_TYPE_IS_BOXED (WHARF_TYPE_ARCHIVE_IMAGE));
}

static void
fixture_setup (void)
{
  const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *app = NULL;
  g_autofree char *ociapp = NULL;
  g_autofree char *multi = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *path = NULL;

  fixture.reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  fixture.tmp = g_dir_make_tmp ("wharf-image-location-XXXXXX", &error);
  g_assert_no_error (error);

  fixture.app_digest = wharf_test_registry_push_image (fixture.reg, "app", "v1", 2, 4096,
                                                       "linux/arm64/v8", FALSE);
  fixture.oci_digest = wharf_test_registry_push_image (fixture.reg, "ociapp", "v1", 1, 2048,
                                                       "linux/amd64", TRUE);
  fixture.index_digest = wharf_test_registry_push_index (fixture.reg, "multi", "v1", platforms,
                                                         TRUE);

  app = registry_location ("app:v1");
  ociapp = registry_location ("ociapp:v1");
  multi = registry_location ("multi:v1");

  path = tmp_path ("app.tar");
  dst = g_strdup_printf ("docker-archive:%s:example.com/app:v1", path);
  skopeo_copy (app, dst, "--additional-tag=example.com/app:latest");
  g_clear_pointer (&dst, g_free);
  g_clear_pointer (&path, g_free);

  path = tmp_path ("ociapp-docker.tar");
  dst = g_strdup_printf ("docker-archive:%s:example.com/ociapp:v1", path);
  skopeo_copy (ociapp, dst, NULL);
  g_clear_pointer (&dst, g_free);
  g_clear_pointer (&path, g_free);

  path = tmp_path ("app-oci.tar");
  dst = g_strdup_printf ("oci-archive:%s:v1", path);
  skopeo_copy (ociapp, dst, NULL);
  g_clear_pointer (&dst, g_free);
  g_clear_pointer (&path, g_free);

  path = tmp_path ("layout");
  dst = g_strdup_printf ("oci:%s:multi", path);
  skopeo_copy (multi, dst, "--all");
  g_clear_pointer (&dst, g_free);
  dst = g_strdup_printf ("oci:%s:app", path);
  skopeo_copy (app, dst, NULL);
}

static void
fixture_teardown (void)
{
  const char *argv[] = { "/bin/rm", "-rf", fixture.tmp, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, NULL, NULL);
  g_clear_pointer (&fixture.reg, wharf_test_registry_stop);
  g_clear_pointer (&fixture.tmp, g_free);
  g_clear_pointer (&fixture.app_digest, g_free);
  g_clear_pointer (&fixture.oci_digest, g_free);
  g_clear_pointer (&fixture.index_digest, g_free);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-location/detect/docker-archive", test_detect_docker_archive);
  g_test_add_func ("/image-location/detect/oci-archive", test_detect_oci_archive);
  g_test_add_func ("/image-location/detect/oci-layout", test_detect_oci_layout);
  g_test_add_func ("/image-location/detect/docker25-archive", test_detect_docker25_archive);
  g_test_add_func ("/image-location/detect/junk", test_detect_junk);
  g_test_add_func ("/image-location/detect/missing", test_detect_missing);
  g_test_add_func ("/image-location/detect/cancelled", test_detect_cancelled);
  g_test_add_func ("/image-location/list/docker-archive", test_list_docker_archive);
  g_test_add_func ("/image-location/list/docker-archive-two-images",
                   test_list_docker_archive_two_images);
  g_test_add_func ("/image-location/list/oci-archive", test_list_oci_archive);
  g_test_add_func ("/image-location/list/oci-layout", test_list_oci_layout);
  g_test_add_func ("/image-location/list/async", test_list_async);
  g_test_add_func ("/image-location/archive-image-copy", test_archive_image_copy);

  fixture_setup ();
  ret = g_test_run ();
  fixture_teardown ();

  return ret;
}
