/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image.c: reading OCI and Docker manifests, indexes and configs with json-glib. */

#define G_LOG_DOMAIN "wharf-image"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-image.h"

/* json-glib parses recursively with no depth limit, so a hostile registry
 * could overflow the stack with "[[[[…"; real manifests nest a handful of
 * levels. */
#define JSON_MAX_DEPTH 64

#define ATTESTATION_TYPE_KEY   "vnd.docker.reference.type"
#define ATTESTATION_TYPE_VALUE "attestation-manifest"

typedef struct
{
  WharfManifest    pub;
  gatomicrefcount  ref_count;
  GPtrArray       *platform_entries;  /* borrowed WharfDescriptor* */
} WharfManifestReal;

typedef enum
{
  DOC_MANIFEST,
  DOC_CONFIG,
} DocKind;

G_DEFINE_BOXED_TYPE (WharfPlatform, wharf_platform, wharf_platform_copy, wharf_platform_free)
G_DEFINE_BOXED_TYPE (WharfDescriptor, wharf_descriptor,
                     wharf_descriptor_copy, wharf_descriptor_free)
G_DEFINE_BOXED_TYPE (WharfManifest, wharf_manifest, wharf_manifest_ref, wharf_manifest_unref)
G_DEFINE_BOXED_TYPE (WharfImageConfig, wharf_image_config,
                     wharf_image_config_ref, wharf_image_config_unref)

const char *
wharf_manifest_accept_header (void)
{
  return WHARF_MEDIA_TYPE_OCI_MANIFEST ", "
         WHARF_MEDIA_TYPE_DOCKER_MANIFEST ", "
         WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS ", "
         WHARF_MEDIA_TYPE_DOCKER_SCHEMA1 ", "
         WHARF_MEDIA_TYPE_DOCKER_LIST ", "
         WHARF_MEDIA_TYPE_OCI_INDEX;
}

/* Media types compare without parameters and without regard to case. */
static gboolean
media_type_equal (const char *media_type,
                  const char *expected)
{
  gsize len;

  if (media_type == NULL)
    return FALSE;

  len = strcspn (media_type, ";");
  while (len > 0 && g_ascii_isspace (media_type[len - 1]))
    len--;

  return len == strlen (expected) && g_ascii_strncasecmp (media_type, expected, len) == 0;
}

gboolean
wharf_media_type_is_index (const char *media_type)
{
  return media_type_equal (media_type, WHARF_MEDIA_TYPE_OCI_INDEX) ||
         media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_LIST);
}

gboolean
wharf_media_type_is_manifest (const char *media_type)
{
  return media_type_equal (media_type, WHARF_MEDIA_TYPE_OCI_MANIFEST) ||
         media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_MANIFEST) ||
         media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1) ||
         media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS);
}

static WharfManifestKind
kind_for_media_type (const char *media_type)
{
  if (wharf_media_type_is_index (media_type))
    return WHARF_MANIFEST_KIND_INDEX;
  if (media_type_equal (media_type, WHARF_MEDIA_TYPE_OCI_MANIFEST) ||
      media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_MANIFEST))
    return WHARF_MANIFEST_KIND_IMAGE;
  if (media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1) ||
      media_type_equal (media_type, WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS))
    return WHARF_MANIFEST_KIND_SCHEMA1;
  return WHARF_MANIFEST_KIND_UNKNOWN;
}

/* "type/subtype; charset=…" → "type/subtype", or NULL if nothing is left. */
static char *
strip_media_type_parameters (const char *content_type)
{
  g_autofree char *stripped = NULL;

  if (content_type == NULL)
    return NULL;

  stripped = g_strndup (content_type, strcspn (content_type, ";"));
  g_strstrip (stripped);
  if (*stripped == '\0')
    return NULL;

  return g_ascii_strdown (stripped, -1);
}

/* Platforms */

WharfPlatform *
wharf_platform_parse (const char  *text,
                      GError     **error)
{
  g_autoptr(WharfPlatform) platform = NULL;
  g_auto(GStrv) parts = NULL;
  guint n;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    text = "";

  parts = g_strsplit (text, "/", -1);
  n = g_strv_length (parts);

  if (n < 2 || n > 3 || *parts[0] == '\0' || *parts[1] == '\0' || (n == 3 && *parts[2] == '\0'))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                   _("“%s” is not a platform: write it as system/architecture or "
                     "system/architecture/variant, for example linux/arm64/v8"),
                   text);
      return NULL;
    }

  platform = g_new0 (WharfPlatform, 1);
  platform->os = g_strdup (parts[0]);
  platform->architecture = g_strdup (parts[1]);
  platform->variant = n == 3 ? g_strdup (parts[2]) : NULL;

  return g_steal_pointer (&platform);
}

WharfPlatform *
wharf_platform_copy (const WharfPlatform *platform)
{
  WharfPlatform *copy;

  g_return_val_if_fail (platform != NULL, NULL);

  copy = g_new0 (WharfPlatform, 1);
  copy->architecture = g_strdup (platform->architecture);
  copy->os = g_strdup (platform->os);
  copy->variant = g_strdup (platform->variant);
  copy->os_version = g_strdup (platform->os_version);
  copy->os_features = g_strdupv (platform->os_features);

  return copy;
}

void
wharf_platform_free (WharfPlatform *platform)
{
  if (platform == NULL)
    return;

  g_free (platform->architecture);
  g_free (platform->os);
  g_free (platform->variant);
  g_free (platform->os_version);
  g_strfreev (platform->os_features);
  g_free (platform);
}

char *
wharf_platform_to_string (const WharfPlatform *platform)
{
  g_return_val_if_fail (platform != NULL, NULL);

  if (platform->variant != NULL && *platform->variant != '\0')
    return g_strdup_printf ("%s/%s/%s", platform->os, platform->architecture, platform->variant);

  return g_strdup_printf ("%s/%s", platform->os, platform->architecture);
}

char *
wharf_platform_to_short_string (const WharfPlatform *platform)
{
  GString *str;

  g_return_val_if_fail (platform != NULL, NULL);

  str = g_string_new (NULL);
  if (g_strcmp0 (platform->os, "linux") != 0)
    g_string_append_printf (str, "%s/", platform->os);
  g_string_append (str, platform->architecture);
  if (platform->variant != NULL && *platform->variant != '\0')
    g_string_append_printf (str, "/%s", platform->variant);

  return g_string_free (str, FALSE);
}

/* The variant an image has when its index entry leaves it out, as
 * containerd's platform matcher assumes. */
static const char *
platform_normalized_variant (const WharfPlatform *platform)
{
  if (platform->variant != NULL && *platform->variant != '\0')
    return platform->variant;
  if (g_strcmp0 (platform->architecture, "arm64") == 0)
    return "v8";
  if (g_strcmp0 (platform->architecture, "arm") == 0)
    return "v7";
  return NULL;
}

WharfPlatform *
wharf_platform_new_host (void)
{
  static const struct { const char *machine, *arch, *variant; } map[] = {
    { "x86_64", "amd64", NULL },
    { "amd64", "amd64", NULL },
    { "aarch64", "arm64", NULL },
    { "arm64", "arm64", NULL },
    { "armv7l", "arm", "v7" },
    { "armv6l", "arm", "v6" },
    { "i386", "386", NULL },
    { "i686", "386", NULL },
    { "ppc64le", "ppc64le", NULL },
    { "s390x", "s390x", NULL },
    { "riscv64", "riscv64", NULL },
  };
  WharfPlatform *platform = g_new0 (WharfPlatform, 1);
  struct utsname name;

  platform->os = g_strdup ("linux");
  platform->architecture = g_strdup ("amd64");

  if (uname (&name) == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (map); i++)
        {
          if (g_strcmp0 (name.machine, map[i].machine) == 0)
            {
              g_free (platform->architecture);
              platform->architecture = g_strdup (map[i].arch);
              platform->variant = g_strdup (map[i].variant);
              break;
            }
        }
    }

  return platform;
}

gboolean
wharf_platform_matches (const WharfPlatform *platform,
                        const WharfPlatform *wanted)
{
  g_return_val_if_fail (platform != NULL, FALSE);
  g_return_val_if_fail (wanted != NULL, FALSE);

  if (g_strcmp0 (platform->os, wanted->os) != 0 ||
      g_strcmp0 (platform->architecture, wanted->architecture) != 0)
    return FALSE;

  if (wanted->variant == NULL || *wanted->variant == '\0')
    return TRUE;

  return g_strcmp0 (platform_normalized_variant (platform),
                    platform_normalized_variant (wanted)) == 0;
}

/* Descriptors */

WharfDescriptor *
wharf_descriptor_new (const char *media_type,
                      const char *digest,
                      gint64      size)
{
  WharfDescriptor *desc;

  desc = g_new0 (WharfDescriptor, 1);
  desc->media_type = g_strdup (media_type != NULL ? media_type : "");
  desc->digest = g_strdup (digest);
  desc->size = size;

  return desc;
}

static GHashTable *
string_table_copy (GHashTable *table)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    return NULL;

  copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));

  return copy;
}

WharfDescriptor *
wharf_descriptor_copy (const WharfDescriptor *desc)
{
  WharfDescriptor *copy;

  g_return_val_if_fail (desc != NULL, NULL);

  copy = wharf_descriptor_new (desc->media_type, desc->digest, desc->size);
  copy->platform = desc->platform != NULL ? wharf_platform_copy (desc->platform) : NULL;
  copy->annotations = string_table_copy (desc->annotations);
  copy->artifact_type = g_strdup (desc->artifact_type);
  copy->urls = g_strdupv (desc->urls);

  return copy;
}

void
wharf_descriptor_free (WharfDescriptor *desc)
{
  if (desc == NULL)
    return;

  g_free (desc->media_type);
  g_free (desc->digest);
  g_clear_pointer (&desc->platform, wharf_platform_free);
  g_clear_pointer (&desc->annotations, g_hash_table_unref);
  g_free (desc->artifact_type);
  g_strfreev (desc->urls);
  g_free (desc);
}

gboolean
wharf_descriptor_is_attestation (const WharfDescriptor *desc)
{
  const char *type;

  g_return_val_if_fail (desc != NULL, FALSE);

  if (desc->annotations == NULL)
    return FALSE;

  type = g_hash_table_lookup (desc->annotations, ATTESTATION_TYPE_KEY);
  if (g_strcmp0 (type, ATTESTATION_TYPE_VALUE) != 0)
    return FALSE;

  /* BuildKit always writes unknown/unknown; an entry that claims a real
   * platform is shown rather than hidden. */
  return desc->platform == NULL ||
         (g_strcmp0 (desc->platform->os, "unknown") == 0 &&
          g_strcmp0 (desc->platform->architecture, "unknown") == 0);
}

/* Checked access to JSON members. Every failure becomes one sentence naming
 * the member, e.g. “layers[1].size” should be a whole number. */

static gboolean
doc_error (DocKind      doc,
           GError     **error,
           const char  *path,
           const char  *problem)
{
  if (doc == DOC_CONFIG)
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                 /* Translators: the first %s is a JSON field such as “layers[1].size”,
                  * the second says what is wrong with it */
                 _("The image configuration is not valid: “%s” %s"), path, problem);
  else
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                 /* Translators: the first %s is a JSON field such as “layers[1].size”,
                  * the second says what is wrong with it */
                 _("The manifest is not valid: “%s” %s"), path, problem);
  return FALSE;
}

static char *
member_path (const char *parent,
             const char *member)
{
  if (parent == NULL || *parent == '\0')
    return g_strdup (member);
  return g_strconcat (parent, ".", member, NULL);
}

static gboolean
type_error (DocKind      doc,
            GError     **error,
            const char  *parent,
            const char  *member,
            const char  *expected)
{
  g_autofree char *path = member_path (parent, member);
  g_autofree char *problem = NULL;

  /* Translators: %s is a kind of JSON value, e.g. “a list” */
  problem = g_strdup_printf (_("should be %s"), expected);
  return doc_error (doc, error, path, problem);
}

static gboolean
missing_error (DocKind      doc,
               GError     **error,
               const char  *parent,
               const char  *member)
{
  g_autofree char *path = member_path (parent, member);

  return doc_error (doc, error, path, _("is missing"));
}

/* The text of a string node, or NULL for other nodes. json-glib takes
 * escapes such as "\313" that yield bytes which are not UTF-8, and such
 * text must not reach a label or an error message. */
static const char *
node_get_text (JsonNode *node)
{
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  text = json_node_get_string (node);
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  return text;
}

/* The member, or NULL when absent or JSON null. */
static JsonNode *
get_member (JsonObject *obj,
            const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
read_string (DocKind      doc,
             JsonObject  *obj,
             const char  *parent,
             const char  *member,
             gboolean     required,
             char       **out,
             GError     **error)
{
  JsonNode *node = get_member (obj, member);

  if (node == NULL)
    {
      if (required)
        return missing_error (doc, error, parent, member);
      return TRUE;
    }

  if (node_get_text (node) == NULL)
    return type_error (doc, error, parent, member, _("text"));

  g_free (*out);
  *out = g_strdup (node_get_text (node));
  return TRUE;
}

static gboolean
read_int (DocKind      doc,
          JsonObject  *obj,
          const char  *parent,
          const char  *member,
          gboolean     required,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = get_member (obj, member);

  if (node == NULL)
    {
      if (required)
        return missing_error (doc, error, parent, member);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return type_error (doc, error, parent, member, _("a whole number"));

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_bool (DocKind      doc,
           JsonObject  *obj,
           const char  *parent,
           const char  *member,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = get_member (obj, member);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return type_error (doc, error, parent, member, _("true or false"));

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_object (DocKind       doc,
             JsonObject   *obj,
             const char   *parent,
             const char   *member,
             gboolean      required,
             JsonObject  **out,
             GError      **error)
{
  JsonNode *node = get_member (obj, member);

  *out = NULL;

  if (node == NULL)
    {
      if (required)
        return missing_error (doc, error, parent, member);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (doc, error, parent, member, _("an object"));

  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_array (DocKind      doc,
            JsonObject  *obj,
            const char  *parent,
            const char  *member,
            gboolean     required,
            JsonArray  **out,
            GError     **error)
{
  JsonNode *node = get_member (obj, member);

  *out = NULL;

  if (node == NULL)
    {
      if (required)
        return missing_error (doc, error, parent, member);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (doc, error, parent, member, _("a list"));

  *out = json_node_get_array (node);
  return TRUE;
}

/* A list of strings; with @allow_string a lone string counts as a list of
 * one, as Docker's strslice accepts for Entrypoint and Cmd. */
static gboolean
read_strv (DocKind      doc,
           JsonObject  *obj,
           const char  *parent,
           const char  *member,
           gboolean     allow_string,
           GStrv       *out,
           GError     **error)
{
  JsonNode *node = get_member (obj, member);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint len;

  if (node == NULL)
    return TRUE;

  builder = g_strv_builder_new ();

  if (allow_string && node_get_text (node) != NULL)
    {
      g_strv_builder_add (builder, node_get_text (node));
      g_strfreev (*out);
      *out = g_strv_builder_end (builder);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (doc, error, parent, member, _("a list of text"));

  array = json_node_get_array (node);
  len = json_array_get_length (array);
  for (guint i = 0; i < len; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (node_get_text (element) == NULL)
        return type_error (doc, error, parent, member, _("a list of text"));
      g_strv_builder_add (builder, node_get_text (element));
    }

  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* A JSON object of strings, e.g. annotations or labels. */
static gboolean
read_string_map (DocKind      doc,
                 JsonObject  *obj,
                 const char  *parent,
                 const char  *member,
                 GHashTable **out,
                 GError     **error)
{
  g_autoptr(GHashTable) table = NULL;
  JsonObjectIter iter;
  JsonObject *map;
  const char *key;
  JsonNode *value;

  if (!read_object (doc, obj, parent, member, FALSE, &map, error))
    return FALSE;
  if (map == NULL)
    return TRUE;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  json_object_iter_init (&iter, map);
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (!g_utf8_validate (key, -1, NULL))
        {
          g_autofree char *path = member_path (parent, member);

          return doc_error (doc, error, path, _("has a name that is not valid text"));
        }
      if (node_get_text (value) == NULL)
        {
          g_autofree char *path = member_path (parent, member);

          return type_error (doc, error, path, key, _("text"));
        }
      g_hash_table_insert (table, g_strdup (key), g_strdup (node_get_text (value)));
    }

  g_clear_pointer (out, g_hash_table_unref);
  *out = g_steal_pointer (&table);
  return TRUE;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The keys of a JSON object such as ExposedPorts or Volumes, sorted. */
static gboolean
read_key_set (DocKind      doc,
              JsonObject  *obj,
              const char  *parent,
              const char  *member,
              GStrv       *out,
              GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *set;
  GStrv keys;

  if (!read_object (doc, obj, parent, member, FALSE, &set, error))
    return FALSE;

  if (set != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, set);
      while (json_object_iter_next (&iter, &key, &value))
        {
          if (!g_utf8_validate (key, -1, NULL))
            {
              g_autofree char *path = member_path (parent, member);

              return doc_error (doc, error, path, _("has a name that is not valid text"));
            }
          g_strv_builder_add (builder, key);
        }
    }

  keys = g_strv_builder_end (builder);
  qsort (keys, g_strv_length (keys), sizeof (char *), compare_strings);
  g_strfreev (*out);
  *out = keys;
  return TRUE;
}

static gboolean
read_digest (DocKind      doc,
             JsonObject  *obj,
             const char  *parent,
             const char  *member,
             gboolean     required,
             char       **out,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!read_string (doc, obj, parent, member, required, out, error))
    return FALSE;

  if (*out != NULL && !wharf_digest_validate (*out, &local_error))
    {
      g_autofree char *path = member_path (parent, member);
      g_autofree char *problem = NULL;

      /* Translators: %s explains why a digest is invalid */
      problem = g_strdup_printf (_("is not a digest (%s)"), local_error->message);
      return doc_error (doc, error, path, problem);
    }

  return TRUE;
}

static WharfPlatform *
parse_platform (JsonObject  *obj,
                const char  *path,
                GError     **error)
{
  g_autoptr(WharfPlatform) platform = g_new0 (WharfPlatform, 1);

  if (!read_string (DOC_MANIFEST, obj, path, "architecture", TRUE, &platform->architecture,
                    error) ||
      !read_string (DOC_MANIFEST, obj, path, "os", TRUE, &platform->os, error) ||
      !read_string (DOC_MANIFEST, obj, path, "variant", FALSE, &platform->variant, error) ||
      !read_string (DOC_MANIFEST, obj, path, "os.version", FALSE, &platform->os_version, error) ||
      !read_strv (DOC_MANIFEST, obj, path, "os.features", FALSE, &platform->os_features, error))
    return NULL;

  return g_steal_pointer (&platform);
}

static WharfDescriptor *
parse_descriptor (JsonNode    *node,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(WharfDescriptor) desc = NULL;
  JsonObject *platform_obj;
  JsonObject *obj;
  g_autofree char *platform_path = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      type_error (DOC_MANIFEST, error, NULL, path, _("an object"));
      return NULL;
    }

  obj = json_node_get_object (node);
  desc = wharf_descriptor_new (NULL, NULL, -1);

  if (!read_string (DOC_MANIFEST, obj, path, "mediaType", FALSE, &desc->media_type, error) ||
      !read_digest (DOC_MANIFEST, obj, path, "digest", TRUE, &desc->digest, error) ||
      !read_int (DOC_MANIFEST, obj, path, "size", FALSE, &desc->size, error) ||
      !read_string (DOC_MANIFEST, obj, path, "artifactType", FALSE, &desc->artifact_type, error) ||
      !read_strv (DOC_MANIFEST, obj, path, "urls", FALSE, &desc->urls, error) ||
      !read_string_map (DOC_MANIFEST, obj, path, "annotations", &desc->annotations, error) ||
      !read_object (DOC_MANIFEST, obj, path, "platform", FALSE, &platform_obj, error))
    return NULL;

  if (desc->size < -1 || (desc->size == -1 && get_member (obj, "size") != NULL))
    {
      g_autofree char *size_path = member_path (path, "size");

      doc_error (DOC_MANIFEST, error, size_path, _("cannot be negative"));
      return NULL;
    }

  if (platform_obj != NULL)
    {
      platform_path = member_path (path, "platform");
      desc->platform = parse_platform (platform_obj, platform_path, error);
      if (desc->platform == NULL)
        return NULL;
    }

  return g_steal_pointer (&desc);
}

static gboolean
parse_descriptor_array (JsonObject  *obj,
                        const char  *member,
                        GPtrArray   *into,
                        GError     **error)
{
  JsonArray *array;
  guint len;

  if (!read_array (DOC_MANIFEST, obj, NULL, member, FALSE, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  len = json_array_get_length (array);
  for (guint i = 0; i < len; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s[%u]", member, i);
      WharfDescriptor *desc;

      desc = parse_descriptor (json_array_get_element (array, i), path, error);
      if (desc == NULL)
        return FALSE;
      g_ptr_array_add (into, desc);
    }

  return TRUE;
}

/* Whether the JSON text nests at most @max arrays and objects deep; strings
 * are skipped so that brackets inside them do not count. */
static gboolean
json_depth_is_within (const char *data,
                      gsize       len,
                      guint       max)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static gboolean
check_size (DocKind      doc,
            gsize        len,
            GError     **error)
{
  g_autofree char *size = NULL;

  if (len <= WHARF_MANIFEST_MAX_SIZE)
    return TRUE;

  size = g_format_size (len);
  if (doc == DOC_CONFIG)
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                 /* Translators: %s is a size such as “5.2 MB” */
                 _("The image configuration is %s, larger than the 4 MiB Wharf accepts"),
                 size);
  else
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                 /* Translators: %s is a size such as “5.2 MB” */
                 _("The manifest is %s, larger than the 4 MiB Wharf accepts"), size);
  return FALSE;
}

/* The root object of a manifest or config, with a plain error otherwise. */
static JsonNode *
parse_json_root (DocKind      doc,
                 GBytes      *bytes,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize len = 0;
  JsonNode *root;

  data = g_bytes_get_data (bytes, &len);

  if (!check_size (doc, len, error))
    return NULL;

  if (len == 0 || !g_utf8_validate (data, len, NULL) || memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                           doc == DOC_CONFIG
                           ? _("The image configuration is not valid: it is not JSON text")
                           : _("The manifest is not valid: it is not JSON text"));
      return NULL;
    }

  if (!json_depth_is_within (data, len, JSON_MAX_DEPTH))
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                           doc == DOC_CONFIG
                           ? _("The image configuration is not valid: it nests too deeply")
                           : _("The manifest is not valid: it nests too deeply"));
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      /* The parser quotes single bytes, which may cut a character in two. */
      g_autofree char *reason = g_utf8_make_valid (local_error->message, -1);

      if (doc == DOC_CONFIG)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                     /* Translators: %s is the JSON parser's explanation */
                     _("The image configuration is not valid JSON: %s"), reason);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                     /* Translators: %s is the JSON parser's explanation */
                     _("The manifest is not valid JSON: %s"), reason);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                           doc == DOC_CONFIG
                           ? _("The image configuration is not valid: it is not a JSON object")
                           : _("The manifest is not valid: it is not a JSON object"));
      return NULL;
    }

  return json_node_copy (root);
}

/* Manifests */

static WharfManifestKind
guess_kind_from_shape (JsonObject *obj)
{
  JsonNode *version = get_member (obj, "schemaVersion");

  if (get_member (obj, "manifests") != NULL)
    return WHARF_MANIFEST_KIND_INDEX;
  if (get_member (obj, "config") != NULL && get_member (obj, "layers") != NULL)
    return WHARF_MANIFEST_KIND_IMAGE;
  if (version != NULL && JSON_NODE_HOLDS_VALUE (version) &&
      json_node_get_value_type (version) == G_TYPE_INT64 && json_node_get_int (version) == 1)
    return WHARF_MANIFEST_KIND_SCHEMA1;
  return WHARF_MANIFEST_KIND_UNKNOWN;
}

static const char *
media_type_for_shape (WharfManifestKind  kind,
                      JsonObject        *obj)
{
  JsonObject *config;
  JsonNode *config_type;

  switch (kind)
    {
    case WHARF_MANIFEST_KIND_INDEX:
      return WHARF_MEDIA_TYPE_OCI_INDEX;
    case WHARF_MANIFEST_KIND_IMAGE:
      config = JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "config"))
               ? json_object_get_object_member (obj, "config") : NULL;
      config_type = config != NULL ? get_member (config, "mediaType") : NULL;
      if (config_type != NULL && JSON_NODE_HOLDS_VALUE (config_type) &&
          json_node_get_value_type (config_type) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (config_type), WHARF_MEDIA_TYPE_DOCKER_CONFIG) == 0)
        return WHARF_MEDIA_TYPE_DOCKER_MANIFEST;
      return WHARF_MEDIA_TYPE_OCI_MANIFEST;
    case WHARF_MANIFEST_KIND_SCHEMA1:
      return get_member (obj, "signatures") != NULL ? WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS
                                                      : WHARF_MEDIA_TYPE_DOCKER_SCHEMA1;
    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      return NULL;
    }
}

static guchar *
base64url_decode (const char *text,
                  gsize      *out_len)
{
  g_autoptr(GString) str = g_string_new (text);

  for (gsize i = 0; i < str->len; i++)
    {
      if (str->str[i] == '-')
        str->str[i] = '+';
      else if (str->str[i] == '_')
        str->str[i] = '/';
    }
  while (str->len % 4 != 0)
    g_string_append_c (str, '=');

  return g_base64_decode (str->str, out_len);
}

/* A signed schema1 manifest is identified by the digest of its payload: the
 * bytes without the signatures, rebuilt from formatLength and formatTail in
 * the protected header of the first signature (libtrust's pretty JWS). NULL
 * when that cannot be done, and the caller hashes the whole body. */
static char *
schema1_payload_digest (JsonObject *root,
                        GBytes     *bytes)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guchar *protected_json = NULL;
  g_autofree guchar *tail = NULL;
  g_autoptr(WharfHasher) hasher = NULL;
  JsonObject *signature;
  JsonObject *protected;
  JsonArray *signatures;
  JsonNode *node;
  const char *data;
  gsize protected_len = 0;
  gsize tail_len = 0;
  gsize len = 0;
  gint64 format_length;

  node = get_member (root, "signatures");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  signatures = json_node_get_array (node);
  if (json_array_get_length (signatures) == 0)
    return NULL;
  node = json_array_get_element (signatures, 0);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  signature = json_node_get_object (node);
  node = get_member (signature, "protected");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  protected_json = base64url_decode (json_node_get_string (node), &protected_len);
  if (protected_json == NULL || protected_len == 0 ||
      !json_depth_is_within ((const char *) protected_json, protected_len, JSON_MAX_DEPTH) ||
      !g_utf8_validate ((const char *) protected_json, protected_len, NULL) ||
      memchr (protected_json, '\0', protected_len) != NULL)
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) protected_json, protected_len, NULL))
    return NULL;
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  protected = json_node_get_object (node);

  node = get_member (protected, "formatLength");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return NULL;
  format_length = json_node_get_int (node);

  node = get_member (protected, "formatTail");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  tail = base64url_decode (json_node_get_string (node), &tail_len);

  data = g_bytes_get_data (bytes, &len);
  if (format_length < 0 || (guint64) format_length > len)
    return NULL;

  hasher = wharf_hasher_new ("sha256");
  wharf_hasher_update (hasher, data, format_length);
  wharf_hasher_update (hasher, tail, tail_len);
  return wharf_hasher_finish (hasher);
}

static gboolean
parse_schema1 (WharfManifest  *manifest,
               JsonObject     *root,
               GError        **error)
{
  JsonArray *fs_layers;
  JsonArray *history;
  guint len;

  if (!read_string (DOC_MANIFEST, root, NULL, "name", FALSE, &manifest->schema1_name, error) ||
      !read_string (DOC_MANIFEST, root, NULL, "tag", FALSE, &manifest->schema1_tag, error) ||
      !read_string (DOC_MANIFEST, root, NULL, "architecture", FALSE,
                    &manifest->schema1_architecture, error) ||
      !read_array (DOC_MANIFEST, root, NULL, "fsLayers", FALSE, &fs_layers, error) ||
      !read_array (DOC_MANIFEST, root, NULL, "history", FALSE, &history, error))
    return FALSE;

  len = fs_layers != NULL ? json_array_get_length (fs_layers) : 0;
  for (guint i = 0; i < len; i++)
    {
      g_autofree char *path = g_strdup_printf ("fsLayers[%u]", i);
      g_autofree char *blob_sum = NULL;
      JsonNode *node = json_array_get_element (fs_layers, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (DOC_MANIFEST, error, NULL, path, _("an object"));
      if (!read_digest (DOC_MANIFEST, json_node_get_object (node), path, "blobSum", TRUE,
                        &blob_sum, error))
        return FALSE;

      /* fsLayers lists the newest layer first; we keep the base first, as
       * in every other manifest. */
      g_ptr_array_insert (manifest->layers, 0,
                          wharf_descriptor_new (WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP, blob_sum, -1));
    }

  len = history != NULL ? json_array_get_length (history) : 0;
  for (guint i = 0; i < len; i++)
    {
      g_autofree char *path = g_strdup_printf ("history[%u]", i);
      g_autofree char *v1 = NULL;
      JsonNode *node = json_array_get_element (history, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (DOC_MANIFEST, error, NULL, path, _("an object"));
      if (!read_string (DOC_MANIFEST, json_node_get_object (node), path, "v1Compatibility",
                        FALSE, &v1, error))
        return FALSE;

      g_ptr_array_insert (manifest->schema1_history, 0,
                          v1 != NULL ? g_steal_pointer (&v1) : g_strdup (""));
    }

  return TRUE;
}

static gboolean
parse_manifest_body (WharfManifest  *manifest,
                     JsonObject     *root,
                     GError        **error)
{
  JsonObject *subject;
  JsonObject *config;

  if (!read_string (DOC_MANIFEST, root, NULL, "artifactType", FALSE,
                    &manifest->artifact_type, error) ||
      !read_string_map (DOC_MANIFEST, root, NULL, "annotations", &manifest->annotations, error) ||
      !read_object (DOC_MANIFEST, root, NULL, "subject", FALSE, &subject, error))
    return FALSE;

  if (subject != NULL)
    {
      manifest->subject = parse_descriptor (get_member (root, "subject"), "subject", error);
      if (manifest->subject == NULL)
        return FALSE;
    }

  switch (manifest->kind)
    {
    case WHARF_MANIFEST_KIND_IMAGE:
      if (!read_object (DOC_MANIFEST, root, NULL, "config", TRUE, &config, error))
        return FALSE;
      manifest->config = parse_descriptor (get_member (root, "config"), "config", error);
      if (manifest->config == NULL)
        return FALSE;
      return parse_descriptor_array (root, "layers", manifest->layers, error);

    case WHARF_MANIFEST_KIND_INDEX:
      return parse_descriptor_array (root, "manifests", manifest->manifests, error);

    case WHARF_MANIFEST_KIND_SCHEMA1:
      return parse_schema1 (manifest, root, error);

    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      return TRUE;
    }
}

static WharfManifestReal *
manifest_real_new (void)
{
  WharfManifestReal *real = g_new0 (WharfManifestReal, 1);

  g_atomic_ref_count_init (&real->ref_count);
  real->pub.layers = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_descriptor_free);
  real->pub.manifests = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_descriptor_free);
  real->pub.schema1_history = g_ptr_array_new_with_free_func (g_free);
  real->platform_entries = g_ptr_array_new ();

  return real;
}

WharfManifest *
wharf_manifest_parse (GBytes      *bytes,
                      const char  *content_type,
                      GError     **error)
{
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  WharfManifestReal *real;
  JsonObject *root;
  gint64 schema_version = 0;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root_node = parse_json_root (DOC_MANIFEST, bytes, error);
  if (root_node == NULL)
    return NULL;
  root = json_node_get_object (root_node);

  real = manifest_real_new ();
  manifest = &real->pub;
  manifest->raw = g_bytes_ref (bytes);

  if (!read_int (DOC_MANIFEST, root, NULL, "schemaVersion", FALSE, &schema_version, error) ||
      !read_string (DOC_MANIFEST, root, NULL, "mediaType", FALSE, &manifest->media_type, error))
    return NULL;

  if (schema_version < G_MININT || schema_version > G_MAXINT)
    {
      doc_error (DOC_MANIFEST, error, "schemaVersion", _("is out of range"));
      return NULL;
    }
  manifest->schema_version = (gint) schema_version;

  if (manifest->media_type != NULL)
    {
      /* The body says what it is: trust it, even when we do not know it. */
      manifest->kind = kind_for_media_type (manifest->media_type);
    }
  else
    {
      manifest->media_type = strip_media_type_parameters (content_type);
      manifest->kind = kind_for_media_type (manifest->media_type);

      /* Content types like application/json or octet-stream say nothing. */
      if (manifest->kind == WHARF_MANIFEST_KIND_UNKNOWN)
        {
          manifest->kind = guess_kind_from_shape (root);
          if (manifest->media_type == NULL)
            manifest->media_type = g_strdup (media_type_for_shape (manifest->kind, root));
        }
    }

  if (!parse_manifest_body (manifest, root, error))
    return NULL;

  if (manifest->kind == WHARF_MANIFEST_KIND_SCHEMA1)
    manifest->digest = schema1_payload_digest (root, bytes);
  if (manifest->digest == NULL)
    manifest->digest = wharf_digest_compute_bytes (bytes);

  for (guint i = 0; i < manifest->manifests->len; i++)
    {
      WharfDescriptor *desc = g_ptr_array_index (manifest->manifests, i);

      if (!wharf_descriptor_is_attestation (desc))
        g_ptr_array_add (real->platform_entries, desc);
    }

  return g_steal_pointer (&manifest);
}

WharfManifest *
wharf_manifest_ref (WharfManifest *manifest)
{
  WharfManifestReal *real = (WharfManifestReal *) manifest;

  g_return_val_if_fail (manifest != NULL, NULL);

  g_atomic_ref_count_inc (&real->ref_count);
  return manifest;
}

void
wharf_manifest_unref (WharfManifest *manifest)
{
  WharfManifestReal *real = (WharfManifestReal *) manifest;

  g_return_if_fail (manifest != NULL);

  if (!g_atomic_ref_count_dec (&real->ref_count))
    return;

  g_clear_pointer (&real->platform_entries, g_ptr_array_unref);
  g_free (manifest->media_type);
  g_free (manifest->digest);
  g_clear_pointer (&manifest->raw, g_bytes_unref);
  g_clear_pointer (&manifest->config, wharf_descriptor_free);
  g_clear_pointer (&manifest->layers, g_ptr_array_unref);
  g_clear_pointer (&manifest->manifests, g_ptr_array_unref);
  g_clear_pointer (&manifest->subject, wharf_descriptor_free);
  g_free (manifest->artifact_type);
  g_clear_pointer (&manifest->annotations, g_hash_table_unref);
  g_free (manifest->schema1_name);
  g_free (manifest->schema1_tag);
  g_free (manifest->schema1_architecture);
  g_clear_pointer (&manifest->schema1_history, g_ptr_array_unref);
  g_free (real);
}

gint64
wharf_manifest_get_compressed_size (const WharfManifest *manifest)
{
  const GPtrArray *entries;
  gint64 total = 0;

  g_return_val_if_fail (manifest != NULL, -1);

  switch (manifest->kind)
    {
    case WHARF_MANIFEST_KIND_IMAGE:
      if (manifest->config == NULL || manifest->config->size < 0)
        return -1;
      total = manifest->config->size;
      entries = manifest->layers;
      break;

    case WHARF_MANIFEST_KIND_INDEX:
      entries = manifest->manifests;
      break;

    case WHARF_MANIFEST_KIND_SCHEMA1:
    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      return -1;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const WharfDescriptor *desc = g_ptr_array_index (entries, i);

      if (desc->size < 0 || desc->size > G_MAXINT64 - total)
        return -1;
      total += desc->size;
    }

  return total;
}

GPtrArray *
wharf_manifest_get_platform_entries (WharfManifest *manifest)
{
  g_return_val_if_fail (manifest != NULL, NULL);

  return ((WharfManifestReal *) manifest)->platform_entries;
}

WharfDescriptor *
wharf_manifest_find_platform (const WharfManifest *manifest,
                              const WharfPlatform *wanted)
{
  const WharfManifestReal *real = (const WharfManifestReal *) manifest;

  g_return_val_if_fail (manifest != NULL, NULL);
  g_return_val_if_fail (wanted != NULL, NULL);

  for (guint i = 0; i < real->platform_entries->len; i++)
    {
      WharfDescriptor *desc = g_ptr_array_index (real->platform_entries, i);

      if (desc->platform != NULL && wharf_platform_matches (desc->platform, wanted))
        return desc;
    }

  return NULL;
}

/* Image configs */

static void
history_entry_free (WharfHistoryEntry *entry)
{
  g_free (entry->created);
  g_free (entry->created_by);
  g_free (entry->comment);
  g_free (entry->author);
  g_free (entry);
}

static WharfImageConfig *
image_config_new (void)
{
  WharfImageConfig *config = g_new0 (WharfImageConfig, 1);

  g_atomic_ref_count_init (&config->ref_count);
  config->architecture = g_strdup ("");
  config->os = g_strdup ("");
  config->user = g_strdup ("");
  config->working_dir = g_strdup ("");
  config->stop_signal = g_strdup ("");
  config->exposed_ports = g_new0 (char *, 1);
  config->env = g_new0 (char *, 1);
  config->volumes = g_new0 (char *, 1);
  config->diff_ids = g_new0 (char *, 1);
  config->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  config->history = g_ptr_array_new_with_free_func ((GDestroyNotify) history_entry_free);

  return config;
}

static gboolean
parse_history (JsonObject        *root,
               WharfImageConfig  *config,
               GError           **error)
{
  JsonArray *history;
  guint len;

  if (!read_array (DOC_CONFIG, root, NULL, "history", FALSE, &history, error))
    return FALSE;

  len = history != NULL ? json_array_get_length (history) : 0;
  for (guint i = 0; i < len; i++)
    {
      g_autofree char *path = g_strdup_printf ("history[%u]", i);
      JsonNode *node = json_array_get_element (history, i);
      WharfHistoryEntry *entry;
      JsonObject *obj;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (DOC_CONFIG, error, NULL, path, _("an object"));
      obj = json_node_get_object (node);

      entry = g_new0 (WharfHistoryEntry, 1);
      g_ptr_array_add (config->history, entry);

      if (!read_string (DOC_CONFIG, obj, path, "created", FALSE, &entry->created, error) ||
          !read_string (DOC_CONFIG, obj, path, "created_by", FALSE, &entry->created_by, error) ||
          !read_string (DOC_CONFIG, obj, path, "comment", FALSE, &entry->comment, error) ||
          !read_string (DOC_CONFIG, obj, path, "author", FALSE, &entry->author, error) ||
          !read_bool (DOC_CONFIG, obj, path, "empty_layer", &entry->empty_layer, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_container_config (JsonObject        *root,
                        WharfImageConfig  *config,
                        GError           **error)
{
  JsonObject *cc;

  if (!read_object (DOC_CONFIG, root, NULL, "config", FALSE, &cc, error))
    return FALSE;
  if (cc == NULL)
    return TRUE;

  return read_string (DOC_CONFIG, cc, "config", "User", FALSE, &config->user, error) &&
         read_key_set (DOC_CONFIG, cc, "config", "ExposedPorts", &config->exposed_ports, error) &&
         read_strv (DOC_CONFIG, cc, "config", "Env", FALSE, &config->env, error) &&
         read_strv (DOC_CONFIG, cc, "config", "Entrypoint", TRUE, &config->entrypoint, error) &&
         read_strv (DOC_CONFIG, cc, "config", "Cmd", TRUE, &config->cmd, error) &&
         read_key_set (DOC_CONFIG, cc, "config", "Volumes", &config->volumes, error) &&
         read_string (DOC_CONFIG, cc, "config", "WorkingDir", FALSE, &config->working_dir,
                      error) &&
         read_string_map (DOC_CONFIG, cc, "config", "Labels", &config->labels, error) &&
         read_string (DOC_CONFIG, cc, "config", "StopSignal", FALSE, &config->stop_signal,
                      error);
}

static gboolean
parse_config_root (JsonObject        *root,
                   WharfImageConfig  *config,
                   GError           **error)
{
  g_autofree char *created = NULL;
  JsonObject *rootfs;

  if (!read_string (DOC_CONFIG, root, NULL, "architecture", FALSE, &config->architecture,
                    error) ||
      !read_string (DOC_CONFIG, root, NULL, "os", FALSE, &config->os, error) ||
      !read_string (DOC_CONFIG, root, NULL, "variant", FALSE, &config->variant, error) ||
      !read_string (DOC_CONFIG, root, NULL, "created", FALSE, &created, error) ||
      !read_string (DOC_CONFIG, root, NULL, "author", FALSE, &config->author, error) ||
      !parse_container_config (root, config, error) ||
      !parse_history (root, config, error) ||
      !read_object (DOC_CONFIG, root, NULL, "rootfs", FALSE, &rootfs, error))
    return FALSE;

  if (rootfs != NULL &&
      !read_strv (DOC_CONFIG, rootfs, "rootfs", "diff_ids", FALSE, &config->diff_ids, error))
    return FALSE;

  /* A date we cannot read is shown as unknown rather than failing the image. */
  if (created != NULL)
    config->created = g_date_time_new_from_iso8601 (created, NULL);

  return TRUE;
}

WharfImageConfig *
wharf_image_config_parse (GBytes  *bytes,
                          GError **error)
{
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(JsonNode) root_node = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root_node = parse_json_root (DOC_CONFIG, bytes, error);
  if (root_node == NULL)
    return NULL;

  config = image_config_new ();
  config->raw = g_bytes_ref (bytes);
  config->digest = wharf_digest_compute_bytes (bytes);

  if (!parse_config_root (json_node_get_object (root_node), config, error))
    return NULL;

  return g_steal_pointer (&config);
}

WharfImageConfig *
wharf_image_config_ref (WharfImageConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  g_atomic_ref_count_inc (&config->ref_count);
  return config;
}

void
wharf_image_config_unref (WharfImageConfig *config)
{
  g_return_if_fail (config != NULL);

  if (!g_atomic_ref_count_dec (&config->ref_count))
    return;

  g_clear_pointer (&config->raw, g_bytes_unref);
  g_free (config->digest);
  g_free (config->architecture);
  g_free (config->os);
  g_free (config->variant);
  g_clear_pointer (&config->created, g_date_time_unref);
  g_free (config->author);
  g_free (config->user);
  g_strfreev (config->exposed_ports);
  g_strfreev (config->env);
  g_strfreev (config->entrypoint);
  g_strfreev (config->cmd);
  g_strfreev (config->volumes);
  g_free (config->working_dir);
  g_clear_pointer (&config->labels, g_hash_table_unref);
  g_free (config->stop_signal);
  g_clear_pointer (&config->history, g_ptr_array_unref);
  g_strfreev (config->diff_ids);
  g_free (config);
}

const WharfHistoryEntry *
wharf_image_config_get_layer_history (const WharfImageConfig *config,
                                      guint                   index)
{
  guint layer = 0;

  g_return_val_if_fail (config != NULL, NULL);

  for (guint i = 0; i < config->history->len; i++)
    {
      const WharfHistoryEntry *entry = g_ptr_array_index (config->history, i);

      if (entry->empty_layer)
        continue;
      if (layer == index)
        return entry;
      layer++;
    }

  return NULL;
}

static JsonNode *
parse_v1_compatibility (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));

  return parse_json_root (DOC_CONFIG, bytes, NULL);
}

static char *
schema1_created_by (JsonObject *v1)
{
  g_auto(GStrv) cmd = NULL;
  JsonObject *container_config = NULL;

  if (!read_object (DOC_CONFIG, v1, NULL, "container_config", FALSE, &container_config, NULL) ||
      container_config == NULL ||
      !read_strv (DOC_CONFIG, container_config, NULL, "Cmd", TRUE, &cmd, NULL) ||
      cmd == NULL)
    return NULL;

  return g_strjoinv (" ", cmd);
}

WharfImageConfig *
wharf_image_config_new_from_schema1 (const WharfManifest  *manifest,
                                     GError              **error)
{
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(JsonNode) top = NULL;
  g_autofree char *created = NULL;
  const char *top_text;
  JsonObject *top_obj;

  g_return_val_if_fail (manifest != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (manifest->kind != WHARF_MANIFEST_KIND_SCHEMA1 || manifest->schema1_history->len == 0)
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                           _("The manifest has no legacy history to read the image "
                             "configuration from"));
      return NULL;
    }

  /* The newest entry carries the configuration of the whole image. */
  top_text = g_ptr_array_index (manifest->schema1_history, manifest->schema1_history->len - 1);
  config = image_config_new ();
  config->raw = g_bytes_new (top_text, strlen (top_text));

  top = parse_json_root (DOC_CONFIG, config->raw, error);
  if (top == NULL)
    return NULL;
  top_obj = json_node_get_object (top);

  if (!read_string (DOC_CONFIG, top_obj, NULL, "architecture", FALSE, &config->architecture,
                    error) ||
      !read_string (DOC_CONFIG, top_obj, NULL, "os", FALSE, &config->os, error) ||
      !read_string (DOC_CONFIG, top_obj, NULL, "variant", FALSE, &config->variant, error) ||
      !read_string (DOC_CONFIG, top_obj, NULL, "created", FALSE, &created, error) ||
      !read_string (DOC_CONFIG, top_obj, NULL, "author", FALSE, &config->author, error) ||
      !parse_container_config (top_obj, config, error))
    return NULL;

  if (created != NULL)
    config->created = g_date_time_new_from_iso8601 (created, NULL);
  if (*config->architecture == '\0' && manifest->schema1_architecture != NULL)
    {
      g_free (config->architecture);
      config->architecture = g_strdup (manifest->schema1_architecture);
    }

  /* Every schema1 history entry has its own fsLayer (an empty one for
   * "throwaway" steps), so none is marked empty and entry i pairs with
   * manifest->layers[i]. */
  for (guint i = 0; i < manifest->schema1_history->len; i++)
    {
      const char *text = g_ptr_array_index (manifest->schema1_history, i);
      g_autoptr(JsonNode) node = parse_v1_compatibility (text);
      WharfHistoryEntry *entry = g_new0 (WharfHistoryEntry, 1);

      g_ptr_array_add (config->history, entry);
      if (node == NULL)
        continue;

      read_string (DOC_CONFIG, json_node_get_object (node), NULL, "created", FALSE,
                   &entry->created, NULL);
      read_string (DOC_CONFIG, json_node_get_object (node), NULL, "author", FALSE,
                   &entry->author, NULL);
      read_string (DOC_CONFIG, json_node_get_object (node), NULL, "comment", FALSE,
                   &entry->comment, NULL);
      entry->created_by = schema1_created_by (json_node_get_object (node));
    }

  return g_steal_pointer (&config);
}
