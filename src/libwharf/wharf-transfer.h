/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer.h: copying images between registries, OCI layouts and archives. */

#pragma once

#include <gio/gio.h>

#include "wharf-client.h"
#include "wharf-image.h"
#include "wharf-reference.h"

G_BEGIN_DECLS

/* skopeo's transport names, so users carry their habits over. */
typedef enum
{
  WHARF_TRANSPORT_DOCKER,          /* docker://HOST/REPO[:TAG|@DIGEST] */
  WHARF_TRANSPORT_OCI,             /* oci:DIR[:REF] */
  WHARF_TRANSPORT_OCI_ARCHIVE,     /* oci-archive:FILE[:REF] */
  WHARF_TRANSPORT_DOCKER_ARCHIVE,  /* docker-archive:FILE[:REF] */
} WharfTransport;

#define WHARF_TYPE_IMAGE_LOCATION (wharf_image_location_get_type ())

/**
 * WharfImageLocation:
 * @transport: which of the four
 * @reference: DOCKER only: the image reference
 * @path: file transports: the directory or file
 * @ref: file transports, nullable: OCI: the org.opencontainers.image.ref.name
 *   (a tag); docker-archive: "name:tag" or "@N" (the N-th image)
 */
typedef struct
{
  WharfTransport  transport;
  WharfReference *reference;
  char           *path;
  char           *ref;
} WharfImageLocation;

GType               wharf_image_location_get_type  (void) G_GNUC_CONST;
/* "docker://…", "oci:DIR[:REF]", "oci-archive:FILE[:REF]",
 * "docker-archive:FILE[:REF]". Errors: WHARF_ERROR_INVALID_REFERENCE. */
WharfImageLocation *wharf_image_location_parse     (const char                *text,
                                                    GError                   **error);
WharfImageLocation *wharf_image_location_copy      (const WharfImageLocation  *location);
void                wharf_image_location_free      (WharfImageLocation        *location);
char               *wharf_image_location_to_string (const WharfImageLocation  *location);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfImageLocation, wharf_image_location_free)

typedef enum
{
  WHARF_COMPRESSION_GZIP,
  WHARF_COMPRESSION_ZSTD,
} WharfCompression;

typedef enum
{
  WHARF_BLOB_STATE_WAITING,
  WHARF_BLOB_STATE_CHECKING,     /* HEAD at the destination */
  WHARF_BLOB_STATE_SKIPPED,      /* the destination had it */
  WHARF_BLOB_STATE_MOUNTED,      /* cross-repository mount */
  WHARF_BLOB_STATE_TRANSFERRING, /* uploading or downloading */
  WHARF_BLOB_STATE_VERIFYING,
  WHARF_BLOB_STATE_DONE,
  WHARF_BLOB_STATE_FAILED,
} WharfBlobState;

#define WHARF_TYPE_BLOB_PROGRESS (wharf_blob_progress_get_type ())

G_DECLARE_FINAL_TYPE (WharfBlobProgress, wharf_blob_progress, WHARF, BLOB_PROGRESS, GObject)

/* Properties (notified on the main context the transfer was started from,
 * at most ~10 times a second): "digest", "media-type", "kind" (a word for
 * people: "config", "layer", "manifest"), "total" (gint64, -1 unknown),
 * "done" (gint64), "state" (WharfBlobState). */
const char     *wharf_blob_progress_get_digest     (WharfBlobProgress *self);
const char     *wharf_blob_progress_get_media_type (WharfBlobProgress *self);
const char     *wharf_blob_progress_get_kind       (WharfBlobProgress *self);
gint64          wharf_blob_progress_get_total      (WharfBlobProgress *self);
gint64          wharf_blob_progress_get_done       (WharfBlobProgress *self);
WharfBlobState  wharf_blob_progress_get_state      (WharfBlobProgress *self);

typedef enum
{
  WHARF_TRANSFER_STATE_READY,
  WHARF_TRANSFER_STATE_RUNNING,
  WHARF_TRANSFER_STATE_DONE,
  WHARF_TRANSFER_STATE_FAILED,
  WHARF_TRANSFER_STATE_CANCELLED,
} WharfTransferState;

#define WHARF_TYPE_TRANSFER (wharf_transfer_get_type ())

G_DECLARE_FINAL_TYPE (WharfTransfer, wharf_transfer, WHARF, TRANSFER, GObject)

WharfTransfer      *wharf_transfer_new                (const WharfImageLocation *source,
                                                       const WharfImageLocation *destination);
/* A new READY transfer with the same locations, clients and settings, to
 * run the copy again after a failure or a cancel (Retry). */
WharfTransfer      *wharf_transfer_dup                (WharfTransfer      *self);
/* Clients for DOCKER locations (credentials, TLS). Unset: one is made from
 * the reference's domain with credentials from wharf_credential_lookup_sync(). */
void                wharf_transfer_set_source_client  (WharfTransfer      *self,
                                                       WharfClient        *client);
void                wharf_transfer_set_destination_client (WharfTransfer  *self,
                                                           WharfClient    *client);
/* Blobs moved at once; default 4. */
void                wharf_transfer_set_jobs           (WharfTransfer      *self,
                                                       guint               jobs);
/* Keep a whole multi-arch index (the default except for docker-archive
 * output) or pick one platform (default there: the host's). */
void                wharf_transfer_set_all_platforms  (WharfTransfer      *self,
                                                       gboolean            all);
void                wharf_transfer_set_platform       (WharfTransfer      *self,
                                                       const WharfPlatform *platform);
/* For uncompressed layers going to a registry; default gzip. */
void                wharf_transfer_set_compression    (WharfTransfer      *self,
                                                       WharfCompression    compression);

/* Properties: "state", "bytes-done", "bytes-total" (gint64; total grows as
 * manifests are read), "digest" (of what was written at the top, when done). */
WharfTransferState  wharf_transfer_get_state          (WharfTransfer      *self);
gint64              wharf_transfer_get_bytes_done     (WharfTransfer      *self);
gint64              wharf_transfer_get_bytes_total    (WharfTransfer      *self);
const char         *wharf_transfer_get_digest         (WharfTransfer      *self);
/* WharfBlobProgress items, appended as they are discovered. */
GListModel         *wharf_transfer_get_blobs          (WharfTransfer      *self);

/* Runs the copy in worker threads; progress is delivered on the thread-default
 * main context of the caller. Cancelling stops every request, DELETEs open
 * upload sessions and leaves no temp file and no half-written output. */
void                wharf_transfer_run_async          (WharfTransfer      *self,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean            wharf_transfer_run_finish         (WharfTransfer      *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

/* What a dropped or chosen file or folder is: a directory with an
 * oci-layout file → oci:; a tar with manifest.json → docker-archive: (a
 * Docker 25+ save has both; its RepoTags are what people expect); a tar with
 * oci-layout and index.json → oci-archive:. Anything else:
 * WHARF_ERROR_INVALID_REFERENCE with a sentence saying what Wharf accepts.
 * Reads only a few headers; run it in a worker thread. */
WharfImageLocation *wharf_image_location_new_for_file_sync (GFile         *file,
                                                            GCancellable  *cancellable,
                                                            GError       **error);
/* The same in a worker thread, for the app (wharf-image-location-async.c). */
void                wharf_image_location_new_for_file_async  (GFile               *file,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
WharfImageLocation *wharf_image_location_new_for_file_finish (GAsyncResult        *result,
                                                              GError             **error);

#define WHARF_TYPE_ARCHIVE_IMAGE (wharf_archive_image_get_type ())

/**
 * WharfArchiveImage:
 * @ref: what to put in WharfImageLocation.ref to pick this image
 * @tags: the names it carries ("docker.io/library/alpine:3.19", or an OCI
 *   ref.name "3.19"); may be empty
 * @digest: the manifest or index digest (docker-archive: of the synthesised
 *   manifest)
 * @platforms: WharfPlatform*, one per image of an index, else one
 * @size: compressed or stored size of config + layers, -1 unknown
 */
typedef struct
{
  char      *ref;
  GStrv      tags;
  char      *digest;
  GPtrArray *platforms;
  gint64     size;
} WharfArchiveImage;

GType              wharf_archive_image_get_type (void) G_GNUC_CONST;
WharfArchiveImage *wharf_archive_image_copy     (const WharfArchiveImage *image);
void               wharf_archive_image_free     (WharfArchiveImage       *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfArchiveImage, wharf_archive_image_free)

/* The images a file location (oci:, oci-archive:, docker-archive:) holds,
 * for the push dialog. Element type WharfArchiveImage*. */
void       wharf_image_location_list_images_async  (const WharfImageLocation *location,
                                                    GCancellable             *cancellable,
                                                    GAsyncReadyCallback       callback,
                                                    gpointer                  user_data);
GPtrArray *wharf_image_location_list_images_finish (GAsyncResult             *result,
                                                    GError                  **error);
GPtrArray *wharf_image_location_list_images_sync   (const WharfImageLocation *location,
                                                    GCancellable             *cancellable,
                                                    GError                  **error);

G_END_DECLS
