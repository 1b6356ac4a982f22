/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image.h: typed views of OCI and Docker manifests, indexes and configs. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WHARF_MEDIA_TYPE_OCI_MANIFEST        "application/vnd.oci.image.manifest.v1+json"
#define WHARF_MEDIA_TYPE_OCI_INDEX           "application/vnd.oci.image.index.v1+json"
#define WHARF_MEDIA_TYPE_OCI_CONFIG          "application/vnd.oci.image.config.v1+json"
#define WHARF_MEDIA_TYPE_OCI_LAYER           "application/vnd.oci.image.layer.v1.tar"
#define WHARF_MEDIA_TYPE_OCI_LAYER_GZIP      "application/vnd.oci.image.layer.v1.tar+gzip"
#define WHARF_MEDIA_TYPE_OCI_LAYER_ZSTD      "application/vnd.oci.image.layer.v1.tar+zstd"
#define WHARF_MEDIA_TYPE_OCI_EMPTY           "application/vnd.oci.empty.v1+json"
#define WHARF_MEDIA_TYPE_DOCKER_MANIFEST     "application/vnd.docker.distribution.manifest.v2+json"
#define WHARF_MEDIA_TYPE_DOCKER_LIST         "application/vnd.docker.distribution.manifest.list.v2+json"
#define WHARF_MEDIA_TYPE_DOCKER_SCHEMA1      "application/vnd.docker.distribution.manifest.v1+json"
#define WHARF_MEDIA_TYPE_DOCKER_SCHEMA1_JWS  "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define WHARF_MEDIA_TYPE_DOCKER_CONFIG       "application/vnd.docker.container.image.v1+json"
#define WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP   "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define WHARF_MEDIA_TYPE_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Manifests and configs larger than this are refused (distribution's cap). */
#define WHARF_MANIFEST_MAX_SIZE (4 * 1024 * 1024)

/* The Accept header value for manifest requests: every type above, so that
 * the registry never rewrites or hides a manifest. */
const char *wharf_manifest_accept_header (void);

typedef enum
{
  WHARF_MANIFEST_KIND_UNKNOWN,   /* parsed as JSON but of a type we do not know */
  WHARF_MANIFEST_KIND_IMAGE,     /* OCI image manifest or Docker schema2 */
  WHARF_MANIFEST_KIND_INDEX,     /* OCI index or Docker manifest list */
  WHARF_MANIFEST_KIND_SCHEMA1,   /* legacy, read-only */
} WharfManifestKind;

#define WHARF_TYPE_PLATFORM   (wharf_platform_get_type ())
#define WHARF_TYPE_DESCRIPTOR (wharf_descriptor_get_type ())
#define WHARF_TYPE_MANIFEST   (wharf_manifest_get_type ())
#define WHARF_TYPE_IMAGE_CONFIG (wharf_image_config_get_type ())

typedef struct
{
  char  *architecture;
  char  *os;
  char  *variant;       /* nullable */
  char  *os_version;    /* nullable */
  GStrv  os_features;   /* nullable */
} WharfPlatform;

GType          wharf_platform_get_type    (void) G_GNUC_CONST;
/* "os/arch[/variant]", e.g. "linux/arm64/v8"; NULL with an error otherwise. */
WharfPlatform *wharf_platform_parse       (const char          *text,
                                           GError             **error);
WharfPlatform *wharf_platform_copy        (const WharfPlatform *platform);
/* The machine this runs on, in the names manifests use (Go's): linux and
 * "amd64", "arm64", "arm" with variant "v7"… (amd64 if unknown). */
WharfPlatform *wharf_platform_new_host    (void);
void           wharf_platform_free        (WharfPlatform       *platform);
/* "linux/arm64/v8" */
char          *wharf_platform_to_string   (const WharfPlatform *platform);
/* As the tag list shows it: "amd64", "arm64/v8", "windows/amd64" (os shown
 * only when it is not linux). */
char          *wharf_platform_to_short_string (const WharfPlatform *platform);
/* TRUE if @platform matches @wanted (variant ignored when @wanted has none). */
gboolean       wharf_platform_matches     (const WharfPlatform *platform,
                                           const WharfPlatform *wanted);

typedef struct
{
  char          *media_type;     /* "" when the JSON leaves it out */
  char          *digest;
  gint64         size;           /* -1 when the JSON leaves it out */
  WharfPlatform *platform;       /* nullable: only in index entries */
  GHashTable    *annotations;    /* nullable; char* → char* */
  char          *artifact_type;  /* nullable */
  GStrv          urls;           /* nullable */
} WharfDescriptor;

GType            wharf_descriptor_get_type       (void) G_GNUC_CONST;
WharfDescriptor *wharf_descriptor_new            (const char            *media_type,
                                                  const char            *digest,
                                                  gint64                 size);
WharfDescriptor *wharf_descriptor_copy           (const WharfDescriptor *desc);
void             wharf_descriptor_free           (WharfDescriptor       *desc);
/* A BuildKit attestation entry (platform unknown/unknown with
 * vnd.docker.reference.type = attestation-manifest), hidden from users. */
gboolean         wharf_descriptor_is_attestation (const WharfDescriptor *desc);
gboolean         wharf_media_type_is_index       (const char            *media_type);
gboolean         wharf_media_type_is_manifest    (const char            *media_type);

typedef struct
{
  WharfManifestKind  kind;
  char              *media_type;    /* from the body, else the Content-Type given,
                                     * else guessed from the shape; NULL if UNKNOWN */
  char              *digest;        /* sha256 of the exact bytes (schema1: see below) */
  GBytes            *raw;           /* the exact bytes */
  gint               schema_version;
  WharfDescriptor   *config;        /* IMAGE only */
  /* IMAGE: WharfDescriptor*; SCHEMA1: fsLayers as descriptors (size -1), base first */
  GPtrArray         *layers;
  GPtrArray         *manifests;     /* INDEX only: WharfDescriptor*, attestations included */
  /* layers, manifests and schema1_history are never NULL: empty when they do
   * not apply. For a signed schema1 manifest, digest is that of the signed
   * payload (what registries report), not of the whole body. */
  WharfDescriptor   *subject;       /* nullable */
  char              *artifact_type; /* nullable */
  GHashTable        *annotations;   /* nullable */
  /* SCHEMA1 only */
  char              *schema1_name;
  char              *schema1_tag;
  char              *schema1_architecture;
  GPtrArray         *schema1_history; /* SCHEMA1: v1Compatibility JSON strings, base first */
} WharfManifest;

/* Reference counted; only wharf_manifest_parse() makes one (it carries
 * private state after the public fields). */
GType          wharf_manifest_get_type   (void) G_GNUC_CONST;
/* Parses a manifest or index. @content_type (nullable, parameters ignored)
 * is used when the body has no mediaType. Bodies over
 * WHARF_MANIFEST_MAX_SIZE give WHARF_ERROR_MANIFEST_TOO_LARGE; non-JSON or
 * wrongly typed fields WHARF_ERROR_MANIFEST_INVALID. An unknown media type
 * is not an error: kind is UNKNOWN. */
WharfManifest *wharf_manifest_parse      (GBytes              *bytes,
                                          const char          *content_type,
                                          GError             **error);
WharfManifest *wharf_manifest_ref        (WharfManifest       *manifest);
void           wharf_manifest_unref      (WharfManifest       *manifest);
/* Config + layers for an image; sum of entries for an index; -1 if unknown. */
gint64         wharf_manifest_get_compressed_size (const WharfManifest *manifest);
/* Index entries a person cares about (attestations hidden), in order. Owned
 * by the manifest; element type WharfDescriptor*. Empty for non-index. */
GPtrArray     *wharf_manifest_get_platform_entries (WharfManifest     *manifest);
/* The entry for a platform, or NULL. */
WharfDescriptor *wharf_manifest_find_platform (const WharfManifest     *manifest,
                                               const WharfPlatform     *wanted);

typedef struct
{
  char     *created;     /* nullable, RFC 3339 as written */
  char     *created_by;  /* nullable */
  char     *comment;     /* nullable */
  char     *author;      /* nullable */
  gboolean  empty_layer;
} WharfHistoryEntry;

typedef struct
{
  gatomicrefcount ref_count;
  GBytes     *raw;
  char       *digest;
  /* Text fields not marked nullable are "" when the config leaves them
   * out; string lists are empty, never NULL. */
  char       *architecture;
  char       *os;
  char       *variant;       /* nullable */
  GDateTime  *created;       /* nullable */
  char       *author;        /* nullable */
  char       *user;
  GStrv       exposed_ports; /* sorted, "80/tcp" */
  GStrv       env;           /* "K=V" as given */
  GStrv       entrypoint;    /* nullable */
  GStrv       cmd;           /* nullable */
  GStrv       volumes;       /* sorted */
  char       *working_dir;
  GHashTable *labels;        /* char* → char*, never NULL */
  char       *stop_signal;
  GPtrArray  *history;       /* WharfHistoryEntry* */
  GStrv       diff_ids;      /* rootfs.diff_ids */
} WharfImageConfig;

GType             wharf_image_config_get_type  (void) G_GNUC_CONST;
WharfImageConfig *wharf_image_config_parse     (GBytes            *bytes,
                                                GError           **error);
WharfImageConfig *wharf_image_config_ref       (WharfImageConfig  *config);
void              wharf_image_config_unref     (WharfImageConfig  *config);
/* The history entry that made layer @index, pairing non-empty history
 * entries with layers in order; NULL if history is shorter. */
const WharfHistoryEntry *wharf_image_config_get_layer_history (const WharfImageConfig *config,
                                                               guint                   index);

/* A config made from the v1Compatibility history of a schema1 manifest, so
 * that legacy images show like others. Its digest is NULL, diff_ids empty,
 * and history entry i belongs to manifest->layers[i]. */
WharfImageConfig *wharf_image_config_new_from_schema1 (const WharfManifest  *manifest,
                                                       GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfPlatform, wharf_platform_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfDescriptor, wharf_descriptor_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfManifest, wharf_manifest_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfImageConfig, wharf_image_config_unref)

G_END_DECLS
