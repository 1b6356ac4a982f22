/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transport-private.h: image sources and destinations the transfer
 * engine copies between — a registry, an OCI layout, an OCI archive, a
 * docker-archive — behind one small vtable each. */

#pragma once

#include "wharf-client.h"
#include "wharf-transfer.h"

G_BEGIN_DECLS

/* Media types for uncompressed layers as a docker-archive holds them. */
#define WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

typedef enum
{
  WHARF_LAYER_FORM_ANY,           /* store what comes (OCI layouts) */
  WHARF_LAYER_FORM_COMPRESSED,    /* a registry: compress uncompressed layers */
  WHARF_LAYER_FORM_UNCOMPRESSED,  /* a docker-archive: decompress, check diff IDs */
} WharfLayerForm;

typedef struct _WharfImageSource WharfImageSource;
typedef struct _WharfImageDest   WharfImageDest;

typedef struct
{
  /* The top-level manifest or index when @digest is NULL (chosen by the
   * location's tag/ref), else the child manifest with that digest; verified. */
  WharfRawManifest *(*get_manifest) (WharfImageSource       *self,
                                     const char             *digest,
                                     GCancellable           *cancellable,
                                     GError                **error);
  /* A blob as a stream, verified as it is read where the digest is known
   * (the read reaching EOF fails on mismatch). *out_size: bytes the stream
   * yields, -1 if unknown. Called from several threads at once when
   * supports_parallel. */
  GInputStream     *(*get_blob)     (WharfImageSource       *self,
                                     const WharfDescriptor  *descriptor,
                                     gint64                 *out_size,
                                     GCancellable           *cancellable,
                                     GError                **error);
  void              (*free)         (WharfImageSource       *self);
} WharfImageSourceVTable;

struct _WharfImageSource
{
  const WharfImageSourceVTable *vtable;
  gboolean                      supports_parallel;
  /* DOCKER sources: the client and repository, so a destination on the
   * same registry can mount instead of copying. NULL otherwise. */
  WharfClient                  *client;
  char                         *repository;
};

typedef struct
{
  /* TRUE if the destination already holds the blob (FALSE without error if
   * it does not). */
  gboolean (*has_blob)     (WharfImageDest         *self,
                            const char             *digest,
                            gint64                 *out_size,
                            GCancellable           *cancellable,
                            GError                **error);
  /* Cross-repository mount from a repository of the same registry; NULL in
   * the vtable where it makes no sense. FALSE without error: not mounted
   * (the caller uploads instead). */
  gboolean (*mount_blob)   (WharfImageDest         *self,
                            const char             *digest,
                            const char             *from_repository,
                            GCancellable           *cancellable,
                            GError                **error);
  /* Writes a blob from @stream. @descriptor->digest may be NULL when the
   * content is made on the way (compressed on the fly) and
   * @descriptor->size -1 when unknown: the destination hashes and counts
   * what it writes and returns both; a given digest is verified. */
  gboolean (*put_blob)     (WharfImageDest         *self,
                            GInputStream           *stream,
                            const WharfDescriptor  *descriptor,
                            char                  **out_digest,
                            gint64                 *out_size,
                            GCancellable           *cancellable,
                            GError                **error);
  /* Writes a manifest or index as its exact bytes. @top_level marks the one
   * the destination's tag/ref should name (written last). */
  gboolean (*put_manifest) (WharfImageDest         *self,
                            GBytes                 *bytes,
                            const char             *media_type,
                            const char             *digest,
                            gboolean                top_level,
                            GCancellable           *cancellable,
                            GError                **error);
  /* Makes the result visible (archives: finish the tar, rename into place). */
  gboolean (*commit)       (WharfImageDest         *self,
                            GCancellable           *cancellable,
                            GError                **error);
  /* After a failure or cancel: removes temp files, DELETEs open uploads.
   * Never fails, never blocks long. */
  void     (*abort)        (WharfImageDest         *self);
  void     (*free)         (WharfImageDest         *self);
} WharfImageDestVTable;

struct _WharfImageDest
{
  const WharfImageDestVTable *vtable;
  gboolean                    supports_parallel;
  WharfLayerForm              layer_form;
  /* FALSE for docker-archive: it holds one platform's image, not an index. */
  gboolean                    keeps_index;
  /* DOCKER destinations: for mounting. NULL otherwise. */
  WharfClient                *client;
  char                       *repository;
};

/* Opening. @client is used for DOCKER locations (NULL: make one). */
WharfImageSource *_wharf_image_source_open (const WharfImageLocation *location,
                                            WharfClient              *client,
                                            GCancellable             *cancellable,
                                            GError                  **error);
WharfImageDest   *_wharf_image_dest_open   (const WharfImageLocation *location,
                                            WharfClient              *client,
                                            GCancellable             *cancellable,
                                            GError                  **error);
void              _wharf_image_source_free (WharfImageSource         *source);
void              _wharf_image_dest_free   (WharfImageDest           *dest);

/* Per transport (wharf-transport-registry.c, -oci.c, -docker-archive.c). */
WharfImageSource *_wharf_registry_source_new       (WharfClient *client, const WharfReference *ref);
WharfImageDest   *_wharf_registry_dest_new         (WharfClient *client, const WharfReference *ref);
WharfImageSource *_wharf_oci_source_new            (const char *dir_or_archive, gboolean archive,
                                                    const char *ref, GCancellable *cancellable,
                                                    GError **error);
WharfImageDest   *_wharf_oci_dest_new              (const char *dir_or_archive, gboolean archive,
                                                    const char *ref, GError **error);
WharfImageSource *_wharf_docker_archive_source_new (const char *file, const char *ref,
                                                    GCancellable *cancellable, GError **error);
WharfImageDest   *_wharf_docker_archive_dest_new   (const char *file, const char *ref,
                                                    GError **error);

/* Streams (wharf-compress.c): ISA-L igzip level 1 for gzip (5× zlib here),
 * zstd level 3; decompression sniffs gzip (1f 8b) / zstd (28 b5 2f fd) /
 * plain by magic bytes and passes plain data through. */
GInputStream     *_wharf_compress_stream_new   (GInputStream    *base,
                                                WharfCompression compression);
GInputStream     *_wharf_decompress_stream_new (GInputStream    *base);

/* Helpers shared by the engine, the transports and wharf-delete.c
 * (wharf-transport.c, wharf-transport-registry.c). */

/* Called from the reading thread for every read: @n_read bytes went
 * through; @eof is TRUE once, on the read that reached the end. */
typedef void (*WharfStreamReadFunc) (gsize    n_read,
                                     gboolean eof,
                                     gpointer user_data);

/* A pass-through stream that counts what is read through it and, when
 * @algorithm is set ("sha256"), hashes it. @func is optional. */
GInputStream     *_wharf_digest_stream_new        (GInputStream        *base,
                                                   const char          *algorithm,
                                                   WharfStreamReadFunc  func,
                                                   gpointer             user_data);
/* "sha256:…" of everything read, once the end was reached; else NULL. */
char             *_wharf_digest_stream_dup_digest (GInputStream        *stream);
gint64            _wharf_digest_stream_get_size   (GInputStream        *stream);

/* A client for the registry of @ref, signed in with whatever credential is
 * known for its domain (anonymous if none). */
WharfClient      *_wharf_transport_client_new     (const WharfReference *ref,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

/* Registry operations (wharf-transport-registry.c). */
/* POST → one streaming PATCH → PUT ?digest=; a failed upload's session is
 * DELETEd before returning. @digest may be NULL (then computed), @size -1. */
gboolean          _wharf_registry_put_blob        (WharfClient          *client,
                                                   const char           *repository,
                                                   GInputStream         *stream,
                                                   gint64                size,
                                                   const char           *digest,
                                                   char                **out_digest,
                                                   gint64               *out_size,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* FALSE without error: not mounted (the session opened instead is DELETEd). */
gboolean          _wharf_registry_mount_blob      (WharfClient          *client,
                                                   const char           *repository,
                                                   const char           *digest,
                                                   const char           *from_repository,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* PUT the exact bytes under @reference (a tag or digest); returns the digest. */
char             *_wharf_registry_put_manifest    (WharfClient          *client,
                                                   const char           *repository,
                                                   const char           *reference,
                                                   GBytes               *bytes,
                                                   const char           *media_type,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

G_END_DECLS
