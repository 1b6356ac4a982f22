/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-e2e-registry.c: a seeded registry for the end-to-end scripts, alive until stdin closes. */

#define G_LOG_DOMAIN "wharf-e2e-registry"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "wharf-test-registry.h"

/* Pushes the repositories the test looks at and prints one JSON line on
 * stdout:
 *   {"address": "127.0.0.1:PORT", "url": …, "username": …, "password": …,
 *    "repositories": [names], "digests": {"repo:tag": "sha256:…"},
 *    "index": {"repository": …, "tag": …, "platforms": [os/arch…]}}
 * then keeps the registry running until its stdin reaches end of file, so
 * the registry goes away with the test even when the test dies: the
 * fixture's children get SIGTERM when this process exits.
 *
 * With --showcase it starts a plain registry (no sign-in) holding
 * repositories that look like a real one, for the screenshots.
 *
 * With --manage it starts two plain registries, for e2e-manage.py: the
 * first holds test_index (two tags on one index) and base_image, the source
 * of the archive the test uploads; the second starts empty and is given in
 * the line as "second": {"address": …, "url": …}. */

typedef struct
{
  const char *repository;
  const char *tag;
  const char *platform;    /* one platform: a plain image */
  gboolean    oci;
  guint       n_layers;
  gsize       layer_size;
} Image;

typedef struct
{
  const char *repository;
  const char *tag;
  const char *also;        /* a second tag on the same index, or NULL */
} Index;

static const Image test_images[] = {
  { "alpine", "3.19", "linux/amd64", FALSE, 2, 2048 },
  { "tools/builder", "v1", "linux/amd64", TRUE, 2, 2048 },
  { "tools/linter", "2.0", "linux/arm64/v8", TRUE, 2, 2048 },
  { "web/frontend", "stable", "linux/amd64", FALSE, 2, 2048 },
};

/* The multi-arch one, an OCI index with an attestation. */
static const Index test_index = { "web/backend", "1.0", "latest" };

static const Image showcase_images[] = {
  { "library/alpine", "3.18", "linux/amd64", FALSE, 1, 3 << 20 },
  { "library/alpine", "3.19", "linux/amd64", FALSE, 1, 3 << 20 },
  { "library/postgres", "15", "linux/amd64", FALSE, 4, 1 << 20 },
  { "library/postgres", "16", "linux/amd64", FALSE, 4, 1 << 20 },
  { "mirror/debian", "bookworm", "linux/amd64", FALSE, 1, 4 << 20 },
  { "mirror/debian", "bullseye", "linux/amd64", FALSE, 1, 4 << 20 },
  { "team/api-server", "v2.3.1", "linux/amd64", TRUE, 3, 512 << 10 },
  { "team/api-server", "v2.4.0", "linux/amd64", TRUE, 3, 600 << 10 },
  { "team/web-frontend", "v1.8.0", "linux/amd64", TRUE, 2, 800 << 10 },
  { "tools/ci-runner", "2024.06", "linux/amd64", TRUE, 2, 1 << 20 },
  { "tools/linter", "0.9.2", "linux/arm64/v8", TRUE, 1, 256 << 10 },
};

static const Index showcase_index = { "library/nginx", "1.25", "latest" };

/* --manage: what the test makes its docker-archive from. */
static const Image base_image = { "library/base", "3.19", "linux/amd64", FALSE, 2, 4096 };

static void
add_digest (JsonBuilder *digests,
            const char  *repository,
            const char  *tag,
            const char  *digest)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", repository, tag);

  json_builder_set_member_name (digests, key);
  json_builder_add_string_value (digests, digest);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const index_platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  gboolean showcase = argc > 1 && g_str_equal (argv[1], "--showcase");
  gboolean manage = argc > 1 && g_str_equal (argv[1], "--manage");
  const Image *images = showcase ? showcase_images : manage ? &base_image : test_images;
  guint n_images = showcase ? G_N_ELEMENTS (showcase_images)
                            : manage ? 1 : G_N_ELEMENTS (test_images);
  const Index *index = showcase ? &showcase_index : &test_index;
  g_autoptr(GPtrArray) repositories = g_ptr_array_new ();
  g_autoptr(WharfTestRegistry) reg = NULL;
  g_autoptr(WharfTestRegistry) second = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonBuilder) digests = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) digests_node = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *index_digest = NULL;
  g_autofree char *line = NULL;
  char buf[256];

  reg = wharf_test_registry_start (showcase || manage ? WHARF_TEST_REGISTRY_PLAIN
                                                      : WHARF_TEST_REGISTRY_HTPASSWD);
  if (manage)
    second = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);

  json_builder_begin_object (digests);
  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *digest = NULL;

      digest = wharf_test_registry_push_image (reg, images[i].repository, images[i].tag,
                                               images[i].n_layers, images[i].layer_size,
                                               images[i].platform, images[i].oci);
      add_digest (digests, images[i].repository, images[i].tag, digest);
      if (!g_ptr_array_find_with_equal_func (repositories, images[i].repository,
                                             g_str_equal, NULL))
        g_ptr_array_add (repositories, (gpointer) images[i].repository);
    }
  index_digest = wharf_test_registry_push_index (reg, index->repository, index->tag,
                                                 index_platforms, TRUE);
  add_digest (digests, index->repository, index->tag, index_digest);
  g_ptr_array_add (repositories, (gpointer) index->repository);
  /* A second tag on the same manifest: tags sharing a digest. */
  wharf_test_registry_tag (reg, index->repository, index_digest, index->also);
  add_digest (digests, index->repository, index->also, index_digest);
  json_builder_end_object (digests);
  digests_node = json_builder_get_root (digests);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, wharf_test_registry_get_address (reg));
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, wharf_test_registry_get_url (reg));
  json_builder_set_member_name (builder, "root");
  json_builder_add_string_value (builder, wharf_test_registry_get_root (reg));
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, showcase || manage ? "" : WHARF_TEST_HTPASSWD_USER);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder,
                                 showcase || manage ? "" : WHARF_TEST_HTPASSWD_PASSWORD);
  json_builder_set_member_name (builder, "repositories");
  json_builder_begin_array (builder);
  for (guint i = 0; i < repositories->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (repositories, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "digests");
  json_builder_add_value (builder, g_steal_pointer (&digests_node));
  json_builder_set_member_name (builder, "index");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "repository");
  json_builder_add_string_value (builder, index->repository);
  json_builder_set_member_name (builder, "tag");
  json_builder_add_string_value (builder, index->tag);
  json_builder_set_member_name (builder, "platforms");
  json_builder_begin_array (builder);
  for (guint i = 0; index_platforms[i] != NULL; i++)
    json_builder_add_string_value (builder, index_platforms[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (second != NULL)
    {
      json_builder_set_member_name (builder, "second");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, wharf_test_registry_get_address (second));
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, wharf_test_registry_get_url (second));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  fprintf (stdout, "%s\n", line);
  fflush (stdout);

  /* The test closes our stdin (or dies) when it is done. */
  while (fgets (buf, sizeof buf, stdin) != NULL)
    ;

  return 0;
}
