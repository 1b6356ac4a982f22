/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-inspect.c: wharfctl inspect, for people, scripts (--json) and
 * byte-exact copies (--raw). */

#define G_LOG_DOMAIN "wharfctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "wharfctl-private.h"

#define ANNOTATION_CREATED "org.opencontainers.image.created"
#define ANNOTATION_AUTHORS "org.opencontainers.image.authors"

typedef struct
{
  WharfReference   *ref;
  WharfManifest    *manifest;      /* what is shown */
  char             *index_digest;  /* the index --platform picked it from */
  WharfImageConfig *config;        /* images with a config we can read */
} Inspection;

static void
inspection_clear (Inspection *self)
{
  g_clear_pointer (&self->ref, wharf_reference_free);
  g_clear_pointer (&self->manifest, wharf_manifest_unref);
  g_clear_pointer (&self->index_digest, g_free);
  g_clear_pointer (&self->config, wharf_image_config_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Inspection, inspection_clear)

static char *
describe_platforms (WharfManifest *index)
{
  GPtrArray *entries = wharf_manifest_get_platform_entries (index);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      const WharfDescriptor *entry = g_ptr_array_index (entries, i);
      g_autofree char *platform = NULL;

      if (entry->platform == NULL)
        continue;

      platform = wharf_platform_to_string (entry->platform);
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, platform);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const WharfDescriptor *
find_platform_entry (WharfManifest        *index,
                     const WharfReference *ref,
                     const WharfPlatform  *wanted,
                     GError              **error)
{
  const WharfDescriptor *entry = wharf_manifest_find_platform (index, wanted);

  if (entry == NULL)
    {
      g_autofree char *name = wharf_reference_to_string (ref);
      g_autofree char *platform = wharf_platform_to_string (wanted);
      g_autofree char *available = describe_platforms (index);

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("%s has no image for %s, only for %s."),
                   name, platform, *available != '\0' ? available : _("no platform"));
    }

  return entry;
}

static gboolean
config_matches_platform (const WharfImageConfig *config,
                         const WharfPlatform    *wanted)
{
  WharfPlatform platform = { 0 };

  platform.architecture = config->architecture;
  platform.os = config->os;
  platform.variant = config->variant;

  return wharf_platform_matches (&platform, wanted);
}

static gboolean
is_config_media_type (const char *media_type)
{
  return g_strcmp0 (media_type, WHARF_MEDIA_TYPE_OCI_CONFIG) == 0
         || g_strcmp0 (media_type, WHARF_MEDIA_TYPE_DOCKER_CONFIG) == 0;
}

static gboolean
inspect_fetch (Inspection           *self,
               WharfClient          *client,
               const WharfPlatform  *wanted,
               GError              **error)
{
  const char *path = self->ref->path;

  self->manifest = wharf_client_fetch_manifest_sync (client, path,
                                                     wharf_reference_get_api_reference (self->ref),
                                                     NULL, error);
  if (self->manifest == NULL)
    return FALSE;

  if (wanted != NULL && self->manifest->kind == WHARF_MANIFEST_KIND_INDEX)
    {
      const WharfDescriptor *entry;
      g_autoptr(WharfManifest) image = NULL;

      entry = find_platform_entry (self->manifest, self->ref, wanted, error);
      if (entry == NULL)
        return FALSE;

      image = wharf_client_fetch_manifest_sync (client, path, entry->digest, NULL, error);
      if (image == NULL)
        return FALSE;

      self->index_digest = g_strdup (self->manifest->digest);
      g_clear_pointer (&self->manifest, wharf_manifest_unref);
      self->manifest = g_steal_pointer (&image);
    }

  if (self->manifest->kind == WHARF_MANIFEST_KIND_IMAGE
      && self->manifest->config != NULL
      && is_config_media_type (self->manifest->config->media_type))
    {
      self->config = wharf_client_fetch_config_sync (client, path, self->manifest->config,
                                                     NULL, error);
      if (self->config == NULL)
        return FALSE;

      if (wanted != NULL && !config_matches_platform (self->config, wanted))
        {
          g_autofree char *name = wharf_reference_to_string (self->ref);
          g_autofree char *platform = wharf_platform_to_string (wanted);

          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                       _("%s is a single image, and not for %s."), name, platform);
          return FALSE;
        }
    }

  return TRUE;
}

static int
inspect_raw (WharfClient          *client,
             const WharfReference *ref,
             const WharfPlatform  *wanted)
{
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize len;

  raw = wharf_client_get_manifest_sync (client, ref->path,
                                        wharf_reference_get_api_reference (ref),
                                        NULL, &error);
  if (raw == NULL)
    return wharfctl_client_fail ("inspect", client, error);

  if (wanted != NULL && wharf_media_type_is_index (raw->media_type))
    {
      g_autoptr(WharfManifest) index = NULL;
      const WharfDescriptor *entry;
      g_autoptr(WharfRawManifest) image = NULL;

      index = wharf_manifest_parse (raw->bytes, raw->media_type, &error);
      if (index == NULL)
        return wharfctl_fail ("inspect", error);

      entry = find_platform_entry (index, ref, wanted, &error);
      if (entry == NULL)
        return wharfctl_fail ("inspect", error);

      image = wharf_client_get_manifest_sync (client, ref->path, entry->digest, NULL, &error);
      if (image == NULL)
        return wharfctl_client_fail ("inspect", client, error);

      g_clear_pointer (&raw, wharf_raw_manifest_free);
      raw = g_steal_pointer (&image);
    }

  /* The bytes as served, so that they hash to the digest: no newline. */
  data = g_bytes_get_data (raw->bytes, &len);
  wharfctl_write (data, len);

  return WHARFCTL_EXIT_OK;
}

static char *
format_size (gint64 size)
{
  if (size < 0)
    return g_strdup (_("unknown"));

  return g_format_size (size);
}

static char *
get_created (const Inspection *self)
{
  if (self->config != NULL && self->config->created != NULL)
    return g_date_time_format_iso8601 (self->config->created);

  if (self->manifest->annotations != NULL)
    return g_strdup (g_hash_table_lookup (self->manifest->annotations, ANNOTATION_CREATED));

  return NULL;
}

static const char *
get_author (const Inspection *self)
{
  if (self->config != NULL && self->config->author != NULL && *self->config->author != '\0')
    return self->config->author;

  if (self->manifest->annotations != NULL)
    return g_hash_table_lookup (self->manifest->annotations, ANNOTATION_AUTHORS);

  return NULL;
}

static char *
get_name (const Inspection *self)
{
  g_autoptr(WharfReference) shown = NULL;

  /* Say which tag was read when the user left it out. */
  shown = wharf_reference_new (self->ref->domain, self->ref->path,
                               self->ref->digest == NULL
                                 ? wharf_reference_get_tag_or_latest (self->ref)
                                 : self->ref->tag,
                               self->ref->digest);

  return wharf_reference_to_string (shown);
}

static gint
compare_string_pointers (gconstpointer a,
                         gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Keys in byte order, so that output does not depend on hashing. */
static GPtrArray *
sorted_table_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();

  if (table != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (keys, key);
    }

  g_ptr_array_sort (keys, compare_string_pointers);

  return keys;
}

/* Whitespace runs (a RUN line with continuations) become one space, so a
 * layer stays one line. */
static char *
one_line (const char *text)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = line->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (line, ' ');
      space = FALSE;
      g_string_append_c (line, *p);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
strv_to_json (const char * const *strv)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_set_array (node, array);

  return json_to_string (node, FALSE);
}

static void
print_field_lines (guint               indent,
                   const char         *label,
                   const char * const *values)
{
  if (values == NULL || values[0] == NULL)
    return;

  wharfctl_print_field (indent, label, values[0]);
  for (guint i = 1; values[i] != NULL; i++)
    wharfctl_print_field (indent, "", values[i]);
}

static void
print_platforms (WharfManifest *index)
{
  GPtrArray *entries = wharf_manifest_get_platform_entries (index);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int width = 0;

  wharfctl_print ("%s\n", _("Platforms:"));

  for (guint i = 0; i < entries->len; i++)
    {
      const WharfDescriptor *entry = g_ptr_array_index (entries, i);
      char *name = entry->platform != NULL
                     ? wharf_platform_to_string (entry->platform)
                     : g_strdup (_("any"));

      width = MAX (width, (int) g_utf8_strlen (name, -1));
      g_ptr_array_add (names, name);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const WharfDescriptor *entry = g_ptr_array_index (entries, i);
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *size = format_size (entry->size);

      wharfctl_print ("  %s%*s  %s  %s\n", name,
                      width - (int) g_utf8_strlen (name, -1), "",
                      entry->digest, size);
    }
}

static void
print_layers (const Inspection *self)
{
  GPtrArray *layers = self->manifest->layers;
  g_autoptr(GPtrArray) sizes = g_ptr_array_new_with_free_func (g_free);
  int width = 0;

  if (layers == NULL || layers->len == 0)
    return;

  wharfctl_print ("%s\n", _("Layers:"));

  for (guint i = 0; i < layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (layers, i);
      char *size = format_size (layer->size);

      width = MAX (width, (int) g_utf8_strlen (size, -1));
      g_ptr_array_add (sizes, size);
    }

  for (guint i = 0; i < layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (layers, i);
      const char *size = g_ptr_array_index (sizes, i);
      const WharfHistoryEntry *history = NULL;
      g_autofree char *created_by = NULL;

      if (self->config != NULL)
        history = wharf_image_config_get_layer_history (self->config, i);
      if (history != NULL)
        created_by = one_line (history->created_by);

      wharfctl_print ("  %s  %*s%s", layer->digest,
                      width - (int) g_utf8_strlen (size, -1), "", size);
      if (created_by != NULL && *created_by != '\0')
        wharfctl_print ("  %s", created_by);
      wharfctl_print ("\n");
    }
}

static void
print_config (const WharfImageConfig *config)
{
  g_autoptr(GPtrArray) keys = sorted_table_keys (config->labels);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      g_ptr_array_add (labels, g_strdup_printf ("%s=%s", key,
                                                (const char *) g_hash_table_lookup (config->labels,
                                                                                    key)));
    }
  g_ptr_array_add (labels, NULL);

  wharfctl_print ("%s\n", _("Config:"));

  if (config->user != NULL && *config->user != '\0')
    wharfctl_print_field (2, "User", config->user);
  print_field_lines (2, "Env", (const char * const *) config->env);
  if (config->entrypoint != NULL)
    {
      g_autofree char *entrypoint = strv_to_json ((const char * const *) config->entrypoint);

      wharfctl_print_field (2, "Entrypoint", entrypoint);
    }
  if (config->cmd != NULL)
    {
      g_autofree char *cmd = strv_to_json ((const char * const *) config->cmd);

      wharfctl_print_field (2, "Cmd", cmd);
    }
  if (config->working_dir != NULL && *config->working_dir != '\0')
    wharfctl_print_field (2, "WorkingDir", config->working_dir);
  print_field_lines (2, "ExposedPorts", (const char * const *) config->exposed_ports);
  print_field_lines (2, "Volumes", (const char * const *) config->volumes);
  print_field_lines (2, "Labels", (const char * const *) labels->pdata);
  if (config->stop_signal != NULL && *config->stop_signal != '\0')
    wharfctl_print_field (2, "StopSignal", config->stop_signal);
}

static void
print_annotations (GHashTable *annotations)
{
  g_autoptr(GPtrArray) keys = sorted_table_keys (annotations);

  if (keys->len == 0)
    return;

  wharfctl_print ("%s\n", _("Annotations:"));
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autofree char *value = one_line (g_hash_table_lookup (annotations, key));

      wharfctl_print ("  %s: %s\n", key, value);
    }
}

static void
print_human (const Inspection *self)
{
  WharfManifest *manifest = self->manifest;
  g_autofree char *name = get_name (self);
  g_autofree char *size = format_size (wharf_manifest_get_compressed_size (manifest));
  g_autofree char *created = get_created (self);
  const char *author = get_author (self);

  wharfctl_print_field (0, _("Name"), name);
  wharfctl_print_field (0, _("Digest"), manifest->digest);
  if (self->index_digest != NULL)
    wharfctl_print_field (0, _("Index"), self->index_digest);
  wharfctl_print_field (0, _("Media type"), manifest->media_type);
  wharfctl_print_field (0, _("Size"), size);
  if (created != NULL)
    wharfctl_print_field (0, _("Created"), created);
  if (author != NULL)
    wharfctl_print_field (0, _("Author"), author);

  switch (manifest->kind)
    {
    case WHARF_MANIFEST_KIND_INDEX:
      print_platforms (manifest);
      break;

    case WHARF_MANIFEST_KIND_IMAGE:
      if (self->config != NULL)
        {
          wharfctl_print_field (0, _("OS"), self->config->os);
          wharfctl_print_field (0, _("Architecture"), self->config->architecture);
          if (self->config->variant != NULL && *self->config->variant != '\0')
            wharfctl_print_field (0, _("Variant"), self->config->variant);
        }
      print_layers (self);
      if (self->config != NULL)
        print_config (self->config);
      break;

    case WHARF_MANIFEST_KIND_SCHEMA1:
      if (manifest->schema1_architecture != NULL)
        wharfctl_print_field (0, _("Architecture"), manifest->schema1_architecture);
      print_layers (self);
      break;

    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      if (manifest->artifact_type != NULL)
        wharfctl_print_field (0, _("Artifact type"), manifest->artifact_type);
      print_layers (self);
      break;
    }

  print_annotations (manifest->annotations);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_strv_member (JsonBuilder        *builder,
                 const char         *name,
                 const char * const *values,
                 gboolean            null_if_unset)
{
  json_builder_set_member_name (builder, name);

  if (values == NULL && null_if_unset)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_table_member (JsonBuilder *builder,
                  const char  *name,
                  GHashTable  *table)
{
  g_autoptr(GPtrArray) keys = sorted_table_keys (table);

  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      add_string_member (builder, key, g_hash_table_lookup (table, key));
    }
  json_builder_end_object (builder);
}

static void
add_platform_members (JsonBuilder         *builder,
                      const WharfPlatform *platform)
{
  g_autofree char *text = wharf_platform_to_string (platform);

  add_string_member (builder, "platform", text);
  add_string_member (builder, "os", platform->os);
  add_string_member (builder, "architecture", platform->architecture);
  add_string_member (builder, "variant", platform->variant);
}

static void
add_layers (JsonBuilder      *builder,
            const Inspection *self)
{
  GPtrArray *layers = self->manifest->layers;

  json_builder_set_member_name (builder, "layers");
  json_builder_begin_array (builder);
  for (guint i = 0; layers != NULL && i < layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (layers, i);
      const WharfHistoryEntry *history = NULL;

      if (self->config != NULL)
        history = wharf_image_config_get_layer_history (self->config, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "digest", layer->digest);
      add_string_member (builder, "mediaType", layer->media_type);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, layer->size);
      if (history != NULL)
        {
          add_string_member (builder, "created", history->created);
          add_string_member (builder, "createdBy", history->created_by);
          add_string_member (builder, "comment", history->comment);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_config (JsonBuilder            *builder,
            const WharfImageConfig *config)
{
  json_builder_set_member_name (builder, "config");
  json_builder_begin_object (builder);
  add_string_member (builder, "User", config->user != NULL ? config->user : "");
  add_strv_member (builder, "Env", (const char * const *) config->env, FALSE);
  add_strv_member (builder, "Entrypoint", (const char * const *) config->entrypoint, TRUE);
  add_strv_member (builder, "Cmd", (const char * const *) config->cmd, TRUE);
  add_string_member (builder, "WorkingDir",
                     config->working_dir != NULL ? config->working_dir : "");
  add_strv_member (builder, "ExposedPorts", (const char * const *) config->exposed_ports, FALSE);
  add_strv_member (builder, "Volumes", (const char * const *) config->volumes, FALSE);
  add_table_member (builder, "Labels", config->labels);
  add_string_member (builder, "StopSignal", config->stop_signal);
  json_builder_end_object (builder);
}

static void
print_json (const Inspection *self)
{
  WharfManifest *manifest = self->manifest;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *name = get_name (self);
  g_autofree char *created = get_created (self);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  add_string_member (builder, "name", name);
  add_string_member (builder, "digest", manifest->digest);
  add_string_member (builder, "index", self->index_digest);
  add_string_member (builder, "mediaType", manifest->media_type);
  add_string_member (builder, "artifactType", manifest->artifact_type);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, wharf_manifest_get_compressed_size (manifest));
  add_string_member (builder, "created", created);
  add_string_member (builder, "author", get_author (self));

  if (manifest->kind == WHARF_MANIFEST_KIND_INDEX)
    {
      GPtrArray *entries = wharf_manifest_get_platform_entries (manifest);

      json_builder_set_member_name (builder, "platforms");
      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          const WharfDescriptor *entry = g_ptr_array_index (entries, i);

          json_builder_begin_object (builder);
          if (entry->platform != NULL)
            add_platform_members (builder, entry->platform);
          add_string_member (builder, "digest", entry->digest);
          add_string_member (builder, "mediaType", entry->media_type);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, entry->size);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  else
    {
      if (self->config != NULL)
        {
          add_string_member (builder, "os", self->config->os);
          add_string_member (builder, "architecture", self->config->architecture);
          add_string_member (builder, "variant", self->config->variant);
        }
      else if (manifest->schema1_architecture != NULL)
        {
          add_string_member (builder, "architecture", manifest->schema1_architecture);
        }

      add_layers (builder, self);

      if (self->config != NULL)
        add_config (builder, self->config);
    }

  add_table_member (builder, "annotations", manifest->annotations);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  wharfctl_print ("%s\n", text);
}

int
wharfctl_inspect (int    argc,
                  char **argv)
{
  static gboolean json;
  static gboolean raw;
  static char *platform_text;
  static const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      N_("Write the manifest exactly as the registry serves it"), NULL },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform_text,
      N_("For a multi-platform image, inspect this platform’s image"), N_("OS/ARCH[/VARIANT]") },
    { NULL }
  };
  g_auto(Inspection) inspection = { 0 };
  g_autoptr(WharfPlatform) wanted = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!wharfctl_parse_options ("inspect", _("IMAGE"),
                               N_("Shows the manifest or index IMAGE names (a reference such as "
                                  "“localhost:5000/foo/bar:1.0”, “alpine” or "
                                  "“repo@sha256:…”): digest, media type, size, platforms, "
                                  "layers and configuration."),
                               NULL, entries, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  if (json && raw)
    return wharfctl_usage_error ("inspect", _("--json and --raw cannot be used together."));

  if (platform_text != NULL)
    {
      wanted = wharf_platform_parse (platform_text, &error);
      if (wanted == NULL)
        return wharfctl_usage_error ("inspect", "%s", error->message);
    }

  inspection.ref = wharf_reference_parse (argv[1], &error);
  if (inspection.ref == NULL)
    return wharfctl_fail ("inspect", error);

  client = wharfctl_client_new_for_reference (inspection.ref, &error);
  if (client == NULL)
    return wharfctl_fail ("inspect", error);

  if (raw)
    return inspect_raw (client, inspection.ref, wanted);

  if (!inspect_fetch (&inspection, client, wanted, &error))
    return wharfctl_client_fail ("inspect", client, error);

  if (json)
    print_json (&inspection);
  else
    print_human (&inspection);

  return WHARFCTL_EXIT_OK;
}
