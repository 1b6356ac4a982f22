/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-list.c: wharfctl ls and tags. */

#define G_LOG_DOMAIN "wharfctl"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "wharfctl-private.h"

static void
print_json_names (const char * const *names)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    json_builder_add_string_value (builder, names[i]);
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  wharfctl_print ("%s\n", text);
}

static void
print_page_cb (const char * const *names,
               gpointer            user_data)
{
  GCancellable *cancellable = user_data;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (!wharfctl_print ("%s\n", names[i]))
        break;
    }

  /* Each page as soon as it is here: a big catalog takes a while. */
  if (!wharfctl_flush ())
    g_cancellable_cancel (cancellable);
}

int
wharfctl_ls (int    argc,
             char **argv)
{
  static gboolean json;
  static const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of names"), NULL },
    { NULL }
  };
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;

  if (!wharfctl_parse_options ("ls", _("REGISTRY"),
                               N_("Lists every repository of REGISTRY (host[:port] or URL), "
                                  "one per line in the registry’s order, as the pages arrive."),
                               NULL, entries, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  endpoint = wharfctl_endpoint_new (argv[1], &error);
  if (endpoint == NULL)
    return wharfctl_fail ("ls", error);

  client = wharfctl_client_new (endpoint);
  names = wharf_client_list_repositories_sync (client,
                                               json ? NULL : print_page_cb,
                                               cancellable,
                                               cancellable, &error);
  if (error != NULL)
    return wharfctl_client_fail ("ls", client, error);

  if (json)
    print_json_names ((const char * const *) names);

  return WHARFCTL_EXIT_OK;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
wharfctl_tags (int    argc,
               char **argv)
{
  static gboolean json;
  static const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of tags"), NULL },
    { NULL }
  };
  g_autoptr(WharfReference) ref = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(GError) error = NULL;

  if (!wharfctl_parse_options ("tags", _("REPOSITORY"),
                               N_("Lists every tag of REPOSITORY, sorted, one per line. "
                                  "REPOSITORY is written as in an image reference: "
                                  "“localhost:5000/foo/bar”, “docker.io/library/alpine” "
                                  "or “alpine”."),
                               NULL, entries, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  ref = wharf_reference_parse (argv[1], &error);
  if (ref == NULL)
    return wharfctl_fail ("tags", error);

  if (ref->tag != NULL || ref->digest != NULL)
    return wharfctl_usage_error ("tags",
                                 _("“%s” names an image: give the repository without a "
                                   "tag or digest."),
                                 argv[1]);

  client = wharfctl_client_new_for_reference (ref, &error);
  if (client == NULL)
    return wharfctl_fail ("tags", error);

  tags = wharf_client_list_tags_sync (client, ref->path, NULL, &error);
  if (error != NULL)
    return wharfctl_client_fail ("tags", client, error);
  if (tags == NULL)
    tags = g_new0 (char *, 1);

  /* Byte order whatever the library or the registry did, so that output is
   * the same in every locale and fit for sort-free scripts. */
  qsort (tags, g_strv_length (tags), sizeof (char *), compare_strings);

  if (json)
    {
      print_json_names ((const char * const *) tags);
      return WHARFCTL_EXIT_OK;
    }

  for (guint i = 0; tags[i] != NULL; i++)
    {
      if (!wharfctl_print ("%s\n", tags[i]))
        break;
    }

  return WHARFCTL_EXIT_OK;
}
