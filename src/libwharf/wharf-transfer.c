/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer.c: the copy engine: walks index → manifests → blobs, moves
 * blobs in parallel worker threads, rewrites manifests whose layers changed
 * form, and reports progress on the caller's main context. */

#define G_LOG_DOMAIN "wharf-transfer"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-transfer.h"
#include "wharf-transport-private.h"

#define DEFAULT_JOBS       4
#define MAX_JOBS           32
#define MAX_ATTEMPTS       4     /* the first try and three restarts */
#define TICK_INTERVAL_MS   100
#define MAX_INDEX_DEPTH    4

/* WharfImageLocation */

G_DEFINE_BOXED_TYPE (WharfImageLocation, wharf_image_location,
                     wharf_image_location_copy, wharf_image_location_free)

static WharfImageLocation *
parse_file_location (WharfTransport   transport,
                     const char      *text,
                     const char      *rest,
                     GError         **error)
{
  g_autoptr(WharfImageLocation) location = g_new0 (WharfImageLocation, 1);
  const char *colon = strchr (rest, ':');

  location->transport = transport;
  if (colon != NULL)
    {
      location->path = g_strndup (rest, colon - rest);
      location->ref = g_strdup (colon + 1);
    }
  else
    location->path = g_strdup (rest);

  if (location->path[0] == '\0')
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   _("“%s” names no file or directory."), text);
      return NULL;
    }

  if (location->ref != NULL && location->ref[0] == '\0')
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   _("“%s” ends with “:” but names no image after it."), text);
      return NULL;
    }

  return g_steal_pointer (&location);
}

WharfImageLocation *
wharf_image_location_parse (const char  *text,
                            GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (g_str_has_prefix (text, "docker://"))
    {
      g_autoptr(WharfReference) ref = wharf_reference_parse (text + strlen ("docker://"), error);
      WharfImageLocation *location;

      if (ref == NULL)
        return NULL;

      location = g_new0 (WharfImageLocation, 1);
      location->transport = WHARF_TRANSPORT_DOCKER;
      location->reference = g_steal_pointer (&ref);
      return location;
    }

  if (g_str_has_prefix (text, "oci:"))
    return parse_file_location (WHARF_TRANSPORT_OCI, text, text + strlen ("oci:"), error);
  if (g_str_has_prefix (text, "oci-archive:"))
    return parse_file_location (WHARF_TRANSPORT_OCI_ARCHIVE, text,
                                text + strlen ("oci-archive:"), error);
  if (g_str_has_prefix (text, "docker-archive:"))
    return parse_file_location (WHARF_TRANSPORT_DOCKER_ARCHIVE, text,
                                text + strlen ("docker-archive:"), error);

  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
               _("“%s” does not start with a known transport: use docker://, oci:, "
                 "oci-archive: or docker-archive:."), text);
  return NULL;
}

WharfImageLocation *
wharf_image_location_copy (const WharfImageLocation *location)
{
  WharfImageLocation *copy;

  g_return_val_if_fail (location != NULL, NULL);

  copy = g_new0 (WharfImageLocation, 1);
  copy->transport = location->transport;
  if (location->reference != NULL)
    copy->reference = wharf_reference_copy (location->reference);
  copy->path = g_strdup (location->path);
  copy->ref = g_strdup (location->ref);

  return copy;
}

void
wharf_image_location_free (WharfImageLocation *location)
{
  if (location == NULL)
    return;

  g_clear_pointer (&location->reference, wharf_reference_free);
  g_free (location->path);
  g_free (location->ref);
  g_free (location);
}

char *
wharf_image_location_to_string (const WharfImageLocation *location)
{
  const char *prefix = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  switch (location->transport)
    {
    case WHARF_TRANSPORT_DOCKER:
      {
        g_autofree char *ref = wharf_reference_to_string (location->reference);

        return g_strconcat ("docker://", ref, NULL);
      }
    case WHARF_TRANSPORT_OCI:
      prefix = "oci:";
      break;
    case WHARF_TRANSPORT_OCI_ARCHIVE:
      prefix = "oci-archive:";
      break;
    case WHARF_TRANSPORT_DOCKER_ARCHIVE:
      prefix = "docker-archive:";
      break;
    default:
      g_assert_not_reached ();
    }

  if (location->ref != NULL)
    return g_strconcat (prefix, location->path, ":", location->ref, NULL);

  return g_strconcat (prefix, location->path, NULL);
}

/* WharfBlobProgress */

struct _WharfBlobProgress
{
  GObject         parent_instance;

  /* Published on the main context. */
  char           *digest;
  char           *media_type;
  const char     *kind;
  gint64          total;
  gint64          done;
  WharfBlobState  state;

  /* Written by the worker threads; read by the tick. */
  gint64          live_total;
  gint64          live_done;
  gint            live_state;
  GMutex          lock;
  char           *live_digest;
};

enum {
  BLOB_PROP_0,
  BLOB_PROP_DIGEST,
  BLOB_PROP_MEDIA_TYPE,
  BLOB_PROP_KIND,
  BLOB_PROP_TOTAL,
  BLOB_PROP_DONE,
  BLOB_PROP_STATE,
  N_BLOB_PROPS
};

static GParamSpec *blob_properties[N_BLOB_PROPS];

G_DEFINE_FINAL_TYPE (WharfBlobProgress, wharf_blob_progress, G_TYPE_OBJECT)

static void
wharf_blob_progress_finalize (GObject *object)
{
  WharfBlobProgress *self = WHARF_BLOB_PROGRESS (object);

  g_free (self->digest);
  g_free (self->media_type);
  g_free (self->live_digest);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (wharf_blob_progress_parent_class)->finalize (object);
}

static void
wharf_blob_progress_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WharfBlobProgress *self = WHARF_BLOB_PROGRESS (object);

  switch (prop_id)
    {
    case BLOB_PROP_DIGEST:
      g_value_set_string (value, self->digest);
      break;
    case BLOB_PROP_MEDIA_TYPE:
      g_value_set_string (value, self->media_type);
      break;
    case BLOB_PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case BLOB_PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case BLOB_PROP_DONE:
      g_value_set_int64 (value, self->done);
      break;
    case BLOB_PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_blob_progress_class_init (WharfBlobProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = wharf_blob_progress_finalize;
  object_class->get_property = wharf_blob_progress_get_property;

  blob_properties[BLOB_PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL, flags);
  blob_properties[BLOB_PROP_MEDIA_TYPE] =
    g_param_spec_string ("media-type", NULL, NULL, NULL, flags);
  blob_properties[BLOB_PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  blob_properties[BLOB_PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1, flags);
  blob_properties[BLOB_PROP_DONE] =
    g_param_spec_int64 ("done", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* An int rather than an enum property: the enum has no GType of its own. */
  blob_properties[BLOB_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, WHARF_BLOB_STATE_WAITING, WHARF_BLOB_STATE_FAILED,
                      WHARF_BLOB_STATE_WAITING, flags);

  g_object_class_install_properties (object_class, N_BLOB_PROPS, blob_properties);
}

static void
wharf_blob_progress_init (WharfBlobProgress *self)
{
  g_mutex_init (&self->lock);
  self->total = -1;
  self->live_total = -1;
}

static WharfBlobProgress *
blob_progress_new (const char *digest,
                   const char *media_type,
                   const char *kind,
                   gint64      total)
{
  WharfBlobProgress *self = g_object_new (WHARF_TYPE_BLOB_PROGRESS, NULL);

  self->digest = g_strdup (digest);
  self->live_digest = g_strdup (digest);
  self->media_type = g_strdup (media_type);
  self->kind = g_intern_string (kind);
  self->total = total;
  self->live_total = total;

  return self;
}

static void
blob_progress_set_state (WharfBlobProgress *self,
                         WharfBlobState     state)
{
  g_atomic_int_set (&self->live_state, state);
}

static WharfBlobState
blob_progress_get_live_state (WharfBlobProgress *self)
{
  return g_atomic_int_get (&self->live_state);
}

static void
blob_progress_set_written_digest (WharfBlobProgress *self,
                                  const char        *digest)
{
  g_mutex_lock (&self->lock);
  g_free (self->live_digest);
  self->live_digest = g_strdup (digest);
  g_mutex_unlock (&self->lock);
}

/* Main context only. */
static void
blob_progress_publish (WharfBlobProgress *self)
{
  gint64 total = __atomic_load_n (&self->live_total, __ATOMIC_RELAXED);
  gint64 done = __atomic_load_n (&self->live_done, __ATOMIC_RELAXED);
  WharfBlobState state = blob_progress_get_live_state (self);
  g_autofree char *digest = NULL;

  g_mutex_lock (&self->lock);
  digest = g_strdup (self->live_digest);
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (digest, self->digest) != 0)
    {
      g_free (self->digest);
      self->digest = g_steal_pointer (&digest);
      g_object_notify_by_pspec (G_OBJECT (self), blob_properties[BLOB_PROP_DIGEST]);
    }

  if (total != self->total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), blob_properties[BLOB_PROP_TOTAL]);
    }

  if (done != self->done)
    {
      self->done = done;
      g_object_notify_by_pspec (G_OBJECT (self), blob_properties[BLOB_PROP_DONE]);
    }

  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), blob_properties[BLOB_PROP_STATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
wharf_blob_progress_get_digest (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), NULL);
  return self->digest;
}

const char *
wharf_blob_progress_get_media_type (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), NULL);
  return self->media_type;
}

const char *
wharf_blob_progress_get_kind (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), NULL);
  return self->kind;
}

gint64
wharf_blob_progress_get_total (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), -1);
  return self->total;
}

gint64
wharf_blob_progress_get_done (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), 0);
  return self->done;
}

WharfBlobState
wharf_blob_progress_get_state (WharfBlobProgress *self)
{
  g_return_val_if_fail (WHARF_IS_BLOB_PROGRESS (self), WHARF_BLOB_STATE_WAITING);
  return self->state;
}

/* WharfTransfer */

typedef enum
{
  PLATFORMS_DEFAULT,
  PLATFORMS_ALL,
  PLATFORMS_ONE,
} PlatformChoice;

struct _WharfTransfer
{
  GObject             parent_instance;

  WharfImageLocation *source;
  WharfImageLocation *destination;
  WharfClient        *source_client;
  WharfClient        *destination_client;
  guint               jobs;
  PlatformChoice      platforms;
  WharfPlatform      *platform;
  WharfCompression    compression;

  /* Published on the main context. */
  WharfTransferState  state;
  gint64              bytes_done;
  gint64              bytes_total;
  char               *digest;
  GListStore         *blobs;

  /* While running. */
  GMainContext       *context;
  GSource            *tick_source;
  GMutex              lock;
  GPtrArray          *pending_blobs;  /* discovered, not yet in @blobs */
  gint64              live_done;
  gint64              live_total;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_DIGEST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WharfTransfer, wharf_transfer, G_TYPE_OBJECT)

static void
wharf_transfer_finalize (GObject *object)
{
  WharfTransfer *self = WHARF_TRANSFER (object);

  g_assert (self->tick_source == NULL);

  g_clear_pointer (&self->source, wharf_image_location_free);
  g_clear_pointer (&self->destination, wharf_image_location_free);
  g_clear_object (&self->source_client);
  g_clear_object (&self->destination_client);
  g_clear_pointer (&self->platform, wharf_platform_free);
  g_clear_pointer (&self->digest, g_free);
  g_clear_object (&self->blobs);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->pending_blobs, g_ptr_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (wharf_transfer_parent_class)->finalize (object);
}

static void
wharf_transfer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WharfTransfer *self = WHARF_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_BYTES_DONE:
      g_value_set_int64 (value, self->bytes_done);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_int64 (value, self->bytes_total);
      break;
    case PROP_DIGEST:
      g_value_set_string (value, self->digest);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfer_class_init (WharfTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = wharf_transfer_finalize;
  object_class->get_property = wharf_transfer_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, WHARF_TRANSFER_STATE_READY,
                      WHARF_TRANSFER_STATE_CANCELLED, WHARF_TRANSFER_STATE_READY, flags);
  properties[PROP_BYTES_DONE] =
    g_param_spec_int64 ("bytes-done", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BYTES_TOTAL] =
    g_param_spec_int64 ("bytes-total", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_transfer_init (WharfTransfer *self)
{
  self->jobs = DEFAULT_JOBS;
  self->compression = WHARF_COMPRESSION_GZIP;
  self->blobs = g_list_store_new (WHARF_TYPE_BLOB_PROGRESS);
  self->pending_blobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->lock);
}

WharfTransfer *
wharf_transfer_new (const WharfImageLocation *source,
                    const WharfImageLocation *destination)
{
  WharfTransfer *self;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (destination != NULL, NULL);

  self = g_object_new (WHARF_TYPE_TRANSFER, NULL);
  self->source = wharf_image_location_copy (source);
  self->destination = wharf_image_location_copy (destination);

  return self;
}

WharfTransfer *
wharf_transfer_dup (WharfTransfer *self)
{
  WharfTransfer *copy;

  g_return_val_if_fail (WHARF_IS_TRANSFER (self), NULL);

  copy = wharf_transfer_new (self->source, self->destination);
  g_set_object (&copy->source_client, self->source_client);
  g_set_object (&copy->destination_client, self->destination_client);
  copy->jobs = self->jobs;
  copy->platforms = self->platforms;
  if (self->platform != NULL)
    copy->platform = wharf_platform_copy (self->platform);
  copy->compression = self->compression;

  return copy;
}

void
wharf_transfer_set_source_client (WharfTransfer *self,
                                  WharfClient   *client)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  g_set_object (&self->source_client, client);
}

void
wharf_transfer_set_destination_client (WharfTransfer *self,
                                       WharfClient   *client)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  g_set_object (&self->destination_client, client);
}

void
wharf_transfer_set_jobs (WharfTransfer *self,
                         guint          jobs)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  self->jobs = CLAMP (jobs, 1, MAX_JOBS);
}

void
wharf_transfer_set_all_platforms (WharfTransfer *self,
                                  gboolean       all)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  self->platforms = all ? PLATFORMS_ALL : PLATFORMS_ONE;
}

void
wharf_transfer_set_platform (WharfTransfer       *self,
                             const WharfPlatform *platform)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  g_clear_pointer (&self->platform, wharf_platform_free);
  if (platform != NULL)
    {
      self->platform = wharf_platform_copy (platform);
      self->platforms = PLATFORMS_ONE;
    }
}

void
wharf_transfer_set_compression (WharfTransfer    *self,
                                WharfCompression  compression)
{
  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (self->state == WHARF_TRANSFER_STATE_READY);

  self->compression = compression;
}

WharfTransferState
wharf_transfer_get_state (WharfTransfer *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), WHARF_TRANSFER_STATE_READY);
  return self->state;
}

gint64
wharf_transfer_get_bytes_done (WharfTransfer *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), 0);
  return self->bytes_done;
}

gint64
wharf_transfer_get_bytes_total (WharfTransfer *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), 0);
  return self->bytes_total;
}

const char *
wharf_transfer_get_digest (WharfTransfer *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), NULL);
  return self->digest;
}

GListModel *
wharf_transfer_get_blobs (WharfTransfer *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), NULL);
  return G_LIST_MODEL (self->blobs);
}

/* Main context only: moves what the workers did into properties. */
static void
transfer_publish (WharfTransfer *self)
{
  g_autoptr(GPtrArray) added = NULL;
  gint64 done = __atomic_load_n (&self->live_done, __ATOMIC_RELAXED);
  gint64 total = __atomic_load_n (&self->live_total, __ATOMIC_RELAXED);
  guint n_items;

  g_mutex_lock (&self->lock);
  added = g_steal_pointer (&self->pending_blobs);
  self->pending_blobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&self->lock);

  if (added->len > 0)
    g_list_store_splice (self->blobs, g_list_model_get_n_items (G_LIST_MODEL (self->blobs)),
                         0, added->pdata, added->len);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->blobs));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(WharfBlobProgress) progress = NULL;

      progress = g_list_model_get_item (G_LIST_MODEL (self->blobs), i);

      blob_progress_publish (progress);
    }

  g_object_freeze_notify (G_OBJECT (self));

  if (total != self->bytes_total)
    {
      self->bytes_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
    }

  if (done != self->bytes_done)
    {
      self->bytes_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static void
transfer_set_state (WharfTransfer      *self,
                    WharfTransferState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
transfer_tick_cb (gpointer user_data)
{
  transfer_publish (WHARF_TRANSFER (user_data));

  return G_SOURCE_CONTINUE;
}

/* The run: everything below happens in the coordinator thread and the
 * blob workers. */

typedef enum
{
  TRANSFORM_NONE,
  TRANSFORM_COMPRESS,
  TRANSFORM_DECOMPRESS,
} Transform;

typedef struct _Run Run;

typedef struct
{
  Run               *run;
  WharfDescriptor   *descriptor;  /* as the source has it */
  const char        *kind;
  Transform          transform;
  char              *expected;    /* DECOMPRESS: the diff ID the output must hash to */
  GBytes            *memory;      /* the config, when it had to be read first */
  WharfBlobProgress *progress;
  gint64             counted;     /* source bytes counted in this attempt */

  /* The result, what the destination holds. */
  char              *written_digest;
  gint64             written_size;
  char              *written_media_type;
} BlobJob;

typedef struct
{
  WharfRawManifest *raw;
  WharfManifest    *manifest;
  GPtrArray        *layer_jobs;   /* BlobJob*, not owned; NULL-free, one per layer */
  BlobJob          *config_job;   /* not owned */
  gboolean          to_oci;       /* zstd layers need OCI media types */
  /* What was written: the same as @raw unless layers changed form. */
  GBytes           *written_bytes;
  char             *written_digest;
  char             *written_media_type;
} ImagePlan;

struct _Run
{
  WharfTransfer    *self;
  GTask            *task;
  WharfImageSource *source;
  WharfImageDest   *dest;
  GCancellable     *cancellable;         /* cancelled by the caller or the first failure */
  GCancellable     *caller_cancellable;
  gulong            cancelled_id;
  char             *source_name;
  char             *dest_name;
  gboolean          same_registry;
  WharfLayerForm    layer_form;
  WharfCompression  compression;

  GHashTable       *jobs_by_key;         /* "digest transform" → BlobJob*, owns */
  GPtrArray        *job_order;           /* BlobJob*, in discovery order */
  GPtrArray        *plans;               /* ImagePlan*, owns, children before parents */

  GMutex            error_lock;
  GError           *error;               /* the first failure */

  /* The result. */
  char             *top_digest;
};

static void
blob_job_free (BlobJob *job)
{
  g_clear_pointer (&job->descriptor, wharf_descriptor_free);
  g_clear_pointer (&job->expected, g_free);
  g_clear_pointer (&job->memory, g_bytes_unref);
  g_clear_object (&job->progress);
  g_clear_pointer (&job->written_digest, g_free);
  g_clear_pointer (&job->written_media_type, g_free);
  g_free (job);
}

static void
image_plan_free (ImagePlan *plan)
{
  g_clear_pointer (&plan->raw, wharf_raw_manifest_free);
  g_clear_pointer (&plan->manifest, wharf_manifest_unref);
  g_clear_pointer (&plan->layer_jobs, g_ptr_array_unref);
  g_clear_pointer (&plan->written_bytes, g_bytes_unref);
  g_clear_pointer (&plan->written_digest, g_free);
  g_clear_pointer (&plan->written_media_type, g_free);
  g_free (plan);
}

static void
run_free (Run *run)
{
  if (run->caller_cancellable != NULL)
    g_cancellable_disconnect (run->caller_cancellable, run->cancelled_id);
  g_clear_object (&run->caller_cancellable);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->source, _wharf_image_source_free);
  g_clear_pointer (&run->dest, _wharf_image_dest_free);
  g_clear_pointer (&run->jobs_by_key, g_hash_table_unref);
  g_clear_pointer (&run->job_order, g_ptr_array_unref);
  g_clear_pointer (&run->plans, g_ptr_array_unref);
  g_clear_pointer (&run->source_name, g_free);
  g_clear_pointer (&run->dest_name, g_free);
  g_clear_pointer (&run->top_digest, g_free);
  g_clear_error (&run->error);
  g_mutex_clear (&run->error_lock);
  g_clear_object (&run->task);
  g_clear_object (&run->self);
  g_free (run);
}

/* Keeps the first real failure and stops everything else. */
static void
run_fail (Run    *run,
          GError *error)
{
  /* NULL: a step that only stopped because an earlier failure was kept. */
  g_mutex_lock (&run->error_lock);
  if (run->error == NULL)
    run->error = error;
  else if (error != NULL)
    g_error_free (error);
  g_mutex_unlock (&run->error_lock);

  g_cancellable_cancel (run->cancellable);
}

static gboolean
run_failed (Run *run)
{
  gboolean failed;

  g_mutex_lock (&run->error_lock);
  failed = run->error != NULL;
  g_mutex_unlock (&run->error_lock);

  return failed || g_cancellable_is_cancelled (run->cancellable);
}

static void
run_add_progress (Run               *run,
                  WharfBlobProgress *progress)
{
  WharfTransfer *self = run->self;

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pending_blobs, g_object_ref (progress));
  g_mutex_unlock (&self->lock);

  if (progress->live_total > 0)
    __atomic_add_fetch (&self->live_total, progress->live_total, __ATOMIC_RELAXED);
}

static void
progress_add_done (Run               *run,
                   WharfBlobProgress *progress,
                   gint64             n)
{
  __atomic_add_fetch (&progress->live_done, n, __ATOMIC_RELAXED);
  __atomic_add_fetch (&run->self->live_done, n, __ATOMIC_RELAXED);
}

static char *
location_display_name (const WharfImageLocation *location)
{
  if (location->transport == WHARF_TRANSPORT_DOCKER)
    return g_strdup (location->reference->domain);

  return g_strdup (location->path);
}

static gboolean
media_type_is_plain_layer (const char *media_type)
{
  return g_strcmp0 (media_type, WHARF_MEDIA_TYPE_OCI_LAYER) == 0
         || g_strcmp0 (media_type, WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR) == 0;
}

static const char *
transformed_media_type (const char       *media_type,
                        Transform         transform,
                        WharfCompression  compression,
                        gboolean          oci)
{
  if (transform == TRANSFORM_DECOMPRESS)
    return oci ? WHARF_MEDIA_TYPE_OCI_LAYER : WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR;

  if (transform == TRANSFORM_COMPRESS)
    {
      if (compression == WHARF_COMPRESSION_ZSTD)
        return WHARF_MEDIA_TYPE_OCI_LAYER_ZSTD;
      return oci ? WHARF_MEDIA_TYPE_OCI_LAYER_GZIP : WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP;
    }

  if (oci)
    {
      if (g_strcmp0 (media_type, WHARF_MEDIA_TYPE_DOCKER_LAYER_GZIP) == 0)
        return WHARF_MEDIA_TYPE_OCI_LAYER_GZIP;
      if (g_strcmp0 (media_type, WHARF_MEDIA_TYPE_DOCKER_LAYER_TAR) == 0)
        return WHARF_MEDIA_TYPE_OCI_LAYER;
    }

  return media_type;
}

static char *
short_digest (const char *digest)
{
  g_autofree char *shortened = wharf_digest_shorten (digest);
  const char *colon = digest != NULL ? strchr (digest, ':') : NULL;

  if (colon == NULL || shortened == NULL)
    return g_strdup (digest != NULL ? digest : "?");

  return g_strdup_printf ("%.*s:%s", (int) (colon - digest), digest, shortened);
}

static gboolean
error_is_transient (const GError *error)
{
  if (error->domain == WHARF_ERROR)
    {
      switch ((WharfError) error->code)
        {
        case WHARF_ERROR_NETWORK:
        case WHARF_ERROR_TIMED_OUT:
        case WHARF_ERROR_SERVER:
        case WHARF_ERROR_TOO_MANY_REQUESTS:
          return TRUE;
        case WHARF_ERROR_FAILED:
        case WHARF_ERROR_INVALID_REFERENCE:
        case WHARF_ERROR_INVALID_DIGEST:
        case WHARF_ERROR_DIGEST_MISMATCH:
        case WHARF_ERROR_CONNECTION_REFUSED:
        case WHARF_ERROR_HOST_NOT_FOUND:
        case WHARF_ERROR_TLS_CERTIFICATE:
        case WHARF_ERROR_TLS:
        case WHARF_ERROR_INSECURE:
        case WHARF_ERROR_NOT_A_REGISTRY:
        case WHARF_ERROR_AUTH_REQUIRED:
        case WHARF_ERROR_AUTH_FAILED:
        case WHARF_ERROR_DENIED:
        case WHARF_ERROR_NOT_FOUND:
        case WHARF_ERROR_UNSUPPORTED:
        case WHARF_ERROR_NO_CATALOG:
        case WHARF_ERROR_PROTOCOL:
        case WHARF_ERROR_MANIFEST_INVALID:
        case WHARF_ERROR_MANIFEST_TOO_LARGE:
        case WHARF_ERROR_CREDENTIALS:
        default:
          return FALSE;
        }
    }

  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_CONNECTION_CLOSED
           || error->code == G_IO_ERROR_TIMED_OUT
           || error->code == G_IO_ERROR_PARTIAL_INPUT
           || error->code == G_IO_ERROR_NOT_CONNECTED
           || error->code == G_IO_ERROR_HOST_UNREACHABLE
           || error->code == G_IO_ERROR_NETWORK_UNREACHABLE;

  return FALSE;
}

/* Sleeps, waking early on cancel. */
static void
backoff (GCancellable *cancellable,
         guint         attempt)
{
  gint64 delay_us = G_USEC_PER_SEC << MIN (attempt, 4);
  gint64 until = g_get_monotonic_time () + delay_us;

  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < until)
    g_usleep (MIN (50000, until - g_get_monotonic_time () + 1));
}

static void
job_read_cb (gsize    n_read,
             gboolean eof,
             gpointer user_data)
{
  BlobJob *job = user_data;

  if (n_read > 0)
    {
      job->counted += n_read;
      progress_add_done (job->run, job->progress, n_read);
    }

  /* The bytes are all read; what is left is the destination's check. */
  if (eof)
    blob_progress_set_state (job->progress, WHARF_BLOB_STATE_VERIFYING);
}

/* The kind of a blob as a word for a sentence; job->kind itself stays the
 * untranslated identifier that WharfBlobProgress:kind exposes. */
static const char *
kind_to_label (const char *kind)
{
  if (g_strcmp0 (kind, "config") == 0)
    return _("image config");
  if (g_strcmp0 (kind, "index") == 0)
    return _("index");
  if (g_strcmp0 (kind, "manifest") == 0)
    return _("manifest");
  return _("layer");
}

static GError *
describe_blob_error (BlobJob *job,
                     GError  *error)
{
  Run *run = job->run;
  g_autofree char *name = short_digest (job->descriptor->digest);
  GError *described;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (error->domain == WHARF_ERROR)
    described = g_error_new (WHARF_ERROR, error->code,
                             /* Translators: "layer sha256:0123456789ab from A to B: …" */
                             _("Copying %s %s from %s to %s failed: %s"),
                             kind_to_label (job->kind), name, run->source_name, run->dest_name,
                             error->message);
  else
    described = g_error_new (WHARF_ERROR,
                             error_is_transient (error) ? WHARF_ERROR_NETWORK : WHARF_ERROR_FAILED,
                             _("Copying %s %s from %s to %s failed: %s. Check that both "
                               "are reachable and writable, then try again."),
                             kind_to_label (job->kind), name, run->source_name, run->dest_name,
                             error->message);

  g_error_free (error);
  return described;
}

static GInputStream *
job_open_stream (BlobJob       *job,
                 GError       **error)
{
  Run *run = job->run;
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GInputStream) counted = NULL;
  gint64 size = -1;

  if (job->memory != NULL)
    base = g_memory_input_stream_new_from_bytes (job->memory);
  else
    {
      base = run->source->vtable->get_blob (run->source, job->descriptor, &size,
                                            run->cancellable, error);
      if (base == NULL)
        return NULL;
    }

  counted = _wharf_digest_stream_new (base, NULL, job_read_cb, job);

  switch (job->transform)
    {
    case TRANSFORM_COMPRESS:
      return _wharf_compress_stream_new (counted, run->compression);
    case TRANSFORM_DECOMPRESS:
      return _wharf_decompress_stream_new (counted);
    case TRANSFORM_NONE:
    default:
      return g_steal_pointer (&counted);
    }
}

/* One attempt: check, mount, or stream the blob across. */
static gboolean
job_copy (BlobJob  *job,
          GError  **error)
{
  Run *run = job->run;
  WharfDescriptor put = { 0, };
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *out_digest = NULL;
  const char *known_digest = NULL;
  gint64 present_size = -1;
  gint64 out_size = -1;
  gboolean ok;

  blob_progress_set_state (job->progress, WHARF_BLOB_STATE_CHECKING);

  if (job->transform == TRANSFORM_NONE)
    known_digest = job->descriptor->digest;
  else if (job->transform == TRANSFORM_DECOMPRESS)
    known_digest = job->expected;

  /* Without a digest up front (compressed on the fly) there is nothing to
   * ask the destination about. */
  if (known_digest != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (run->dest->vtable->has_blob (run->dest, known_digest, &present_size,
                                       run->cancellable, &local_error))
        {
          job->written_digest = g_strdup (known_digest);
          job->written_size = present_size >= 0 ? present_size : job->descriptor->size;
          progress_add_done (run, job->progress, MAX (job->descriptor->size, 0));
          blob_progress_set_state (job->progress, WHARF_BLOB_STATE_SKIPPED);
          return TRUE;
        }

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (job->transform == TRANSFORM_NONE
      && run->same_registry
      && run->dest->vtable->mount_blob != NULL
      && g_strcmp0 (run->source->repository, run->dest->repository) != 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (run->dest->vtable->mount_blob (run->dest, known_digest, run->source->repository,
                                         run->cancellable, &local_error))
        {
          job->written_digest = g_strdup (known_digest);
          job->written_size = job->descriptor->size;
          progress_add_done (run, job->progress, MAX (job->descriptor->size, 0));
          blob_progress_set_state (job->progress, WHARF_BLOB_STATE_MOUNTED);
          return TRUE;
        }

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  put.media_type = job->written_media_type;
  put.digest = (char *) known_digest;
  put.size = job->transform == TRANSFORM_NONE ? job->descriptor->size : -1;

  blob_progress_set_state (job->progress, WHARF_BLOB_STATE_TRANSFERRING);

  stream = job_open_stream (job, error);
  if (stream == NULL)
    return FALSE;

  ok = run->dest->vtable->put_blob (run->dest, stream, &put, &out_digest, &out_size,
                                    run->cancellable, error);
  g_input_stream_close (stream, NULL, NULL);
  if (!ok)
    return FALSE;

  if (known_digest != NULL && g_strcmp0 (out_digest, known_digest) != 0)
    {
      g_autofree char *name = short_digest (job->descriptor->digest);

      if (job->transform == TRANSFORM_DECOMPRESS)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     _("Layer %s does not unpack to the content its image config "
                       "names (diff ID %s, got %s). The image is damaged."),
                     name, known_digest, out_digest);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     _("The %s %s arrived with digest %s. The source is damaged."),
                     kind_to_label (job->kind), name, out_digest);
      return FALSE;
    }

  job->written_digest = g_steal_pointer (&out_digest);
  job->written_size = out_size;
  blob_progress_set_written_digest (job->progress, job->written_digest);
  if (job->transform != TRANSFORM_NONE)
    __atomic_store_n (&job->progress->live_total,
                      MAX (job->descriptor->size, job->counted), __ATOMIC_RELAXED);
  blob_progress_set_state (job->progress, WHARF_BLOB_STATE_DONE);
  return TRUE;
}

static void
blob_worker (gpointer data,
             gpointer user_data)
{
  BlobJob *job = data;
  Run *run = user_data;

  for (guint attempt = 0; !run_failed (run); attempt++)
    {
      GError *error = NULL;

      job->counted = 0;
      if (job_copy (job, &error))
        return;

      /* This attempt's bytes are sent again by the next one. */
      progress_add_done (run, job->progress, -job->counted);
      job->counted = 0;

      if (g_cancellable_is_cancelled (run->cancellable)
          || !error_is_transient (error)
          || attempt + 1 >= MAX_ATTEMPTS)
        {
          blob_progress_set_state (job->progress, WHARF_BLOB_STATE_FAILED);
          run_fail (run, describe_blob_error (job, error));
          return;
        }

      /* A fresh start: a new source stream and, for a registry, a new
       * upload session (the failed one was DELETEd). */
      g_debug ("Restarting %s after: %s", job->descriptor->digest, error->message);
      g_error_free (error);
      blob_progress_set_state (job->progress, WHARF_BLOB_STATE_WAITING);
      backoff (run->cancellable, attempt);
    }
}

static BlobJob *
run_add_job (Run                   *run,
             const WharfDescriptor *descriptor,
             const char            *kind,
             Transform              transform,
             const char            *expected,
             const char            *written_media_type)
{
  g_autofree char *key = g_strdup_printf ("%s %d", descriptor->digest, transform);
  BlobJob *job;

  job = g_hash_table_lookup (run->jobs_by_key, key);
  if (job != NULL)
    return job;

  job = g_new0 (BlobJob, 1);
  job->run = run;
  job->descriptor = wharf_descriptor_copy (descriptor);
  job->kind = kind;
  job->transform = transform;
  job->expected = g_strdup (expected);
  job->written_media_type = g_strdup (written_media_type);
  job->progress = blob_progress_new (descriptor->digest, descriptor->media_type, kind,
                                     descriptor->size);

  g_hash_table_insert (run->jobs_by_key, g_steal_pointer (&key), job);
  g_ptr_array_add (run->job_order, job);
  run_add_progress (run, job->progress);

  return job;
}

static GBytes *
read_small_blob (Run                   *run,
                 const WharfDescriptor *descriptor,
                 GError               **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[16384];
  gint64 size = -1;

  if (descriptor->size > WHARF_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("The image config %s is larger than 4 MiB."), descriptor->digest);
      return NULL;
    }

  stream = run->source->vtable->get_blob (run->source, descriptor, &size, run->cancellable, error);
  if (stream == NULL)
    return NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, run->cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      g_byte_array_append (data, buffer, n);
      if (data->len > WHARF_MANIFEST_MAX_SIZE)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                       _("The image config %s is larger than 4 MiB."), descriptor->digest);
          return NULL;
        }
    }

  g_input_stream_close (stream, NULL, NULL);

  /* The stream checked the digest as it reached the end, where the source
   * knows it; checking again here costs nothing for a few kilobytes. */
  if (!wharf_digest_verify (descriptor->digest, data->data, data->len,
                            _("image config"), error))
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static ImagePlan *
plan_image (Run               *run,
            WharfRawManifest  *raw,
            GError           **error)
{
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GBytes) config_bytes = NULL;
  g_autofree Transform *transforms = NULL;
  ImagePlan *plan;
  gboolean any_transform = FALSE;
  gboolean to_oci;
  gboolean need_config;

  manifest = wharf_manifest_parse (raw->bytes, raw->media_type, error);
  if (manifest == NULL)
    return NULL;

  if (manifest->kind == WHARF_MANIFEST_KIND_SCHEMA1)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                   _("%s is a Docker schema 1 image, an old format that registries no longer "
                     "accept. Rebuild or re-push it with a current Docker."),
                   run->source_name);
      return NULL;
    }

  if (manifest->kind != WHARF_MANIFEST_KIND_IMAGE || manifest->config == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                   _("The manifest %s is of a type Wharf can not copy (%s)."),
                   raw->digest, manifest->media_type != NULL ? manifest->media_type : "?");
      return NULL;
    }

  transforms = g_new0 (Transform, MAX (manifest->layers->len, 1));
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);

      if (run->layer_form == WHARF_LAYER_FORM_COMPRESSED
          && media_type_is_plain_layer (layer->media_type))
        transforms[i] = TRANSFORM_COMPRESS;
      else if (run->layer_form == WHARF_LAYER_FORM_UNCOMPRESSED
               && !media_type_is_plain_layer (layer->media_type))
        transforms[i] = TRANSFORM_DECOMPRESS;
      else
        transforms[i] = TRANSFORM_NONE;

      any_transform |= transforms[i] != TRANSFORM_NONE;
    }

  to_oci = g_strcmp0 (manifest->media_type, WHARF_MEDIA_TYPE_OCI_MANIFEST) == 0;
  if (any_transform && run->layer_form == WHARF_LAYER_FORM_COMPRESSED
      && run->compression == WHARF_COMPRESSION_ZSTD)
    to_oci = TRUE;

  need_config = any_transform || run->layer_form == WHARF_LAYER_FORM_UNCOMPRESSED;
  if (need_config)
    {
      config_bytes = read_small_blob (run, manifest->config, error);
      if (config_bytes == NULL)
        return NULL;

      config = wharf_image_config_parse (config_bytes, error);
      if (config == NULL)
        return NULL;

      if (config->diff_ids == NULL || g_strv_length (config->diff_ids) != manifest->layers->len)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                       _("The image config %s lists %u layers but its manifest has %u. "
                         "The image is damaged."),
                       manifest->config->digest,
                       config->diff_ids != NULL ? g_strv_length (config->diff_ids) : 0,
                       manifest->layers->len);
          return NULL;
        }
    }

  plan = g_new0 (ImagePlan, 1);
  plan->raw = g_steal_pointer (&raw);
  plan->manifest = wharf_manifest_ref (manifest);
  plan->layer_jobs = g_ptr_array_new ();
  plan->to_oci = to_oci;

  plan->config_job = run_add_job (run, manifest->config, "config", TRANSFORM_NONE, NULL,
                                  to_oci && g_strcmp0 (manifest->config->media_type,
                                                       WHARF_MEDIA_TYPE_DOCKER_CONFIG) == 0
                                  ? WHARF_MEDIA_TYPE_OCI_CONFIG : manifest->config->media_type);
  if (config_bytes != NULL && plan->config_job->memory == NULL)
    plan->config_job->memory = g_bytes_ref (config_bytes);

  for (guint i = 0; i < manifest->layers->len; i++)
    {
      const WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);
      const char *diff_id = config != NULL ? config->diff_ids[i] : NULL;
      BlobJob *job;

      /* A plain layer's digest is its diff ID; a mismatch means the
       * manifest and config disagree, whatever the bytes say. */
      if (diff_id != NULL && media_type_is_plain_layer (layer->media_type)
          && g_strcmp0 (diff_id, layer->digest) != 0)
        {
          g_autofree char *name = short_digest (layer->digest);

          g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                       _("Layer %s is not the layer its image config names (diff ID %s). "
                         "The image is damaged."), name, diff_id);
          image_plan_free (plan);
          return NULL;
        }

      job = run_add_job (run, layer, "layer", transforms[i], diff_id,
                         transformed_media_type (layer->media_type, transforms[i],
                                                 run->compression, to_oci));
      g_ptr_array_add (plan->layer_jobs, job);
    }

  return plan;
}

static gboolean
json_rewrite_descriptor (JsonObject *object,
                         const char *media_type,
                         const char *digest,
                         gint64      size)
{
  gboolean changed = FALSE;

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "mediaType", NULL),
                 media_type) != 0)
    {
      json_object_set_string_member (object, "mediaType", media_type);
      changed = TRUE;
    }

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "digest", NULL),
                 digest) != 0)
    {
      json_object_set_string_member (object, "digest", digest);
      changed = TRUE;
    }

  if (json_object_get_int_member_with_default (object, "size", -1) != size)
    {
      json_object_set_int_member (object, "size", size);
      changed = TRUE;
    }

  return changed;
}

static GBytes *
json_to_bytes (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);

  return g_bytes_new_take (data, len);
}

/* Keeps the exact bytes unless a layer changed form; then writes the
 * manifest again with the new descriptors (and OCI types for zstd). */
static gboolean
plan_finish (Run        *run,
             ImagePlan  *plan,
             GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *layers;
  gboolean changed = FALSE;

  for (guint i = 0; i < plan->layer_jobs->len; i++)
    {
      BlobJob *job = g_ptr_array_index (plan->layer_jobs, i);

      if (job->transform != TRANSFORM_NONE)
        changed = TRUE;
    }

  if (!changed)
    {
      plan->written_bytes = g_bytes_ref (plan->raw->bytes);
      plan->written_digest = g_strdup (plan->raw->digest);
      plan->written_media_type = g_strdup (plan->raw->media_type);
      return TRUE;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (plan->raw->bytes, NULL),
                                   g_bytes_get_size (plan->raw->bytes), error))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  layers = json_object_get_array_member (root, "layers");

  if (plan->to_oci)
    {
      JsonObject *config = json_object_get_object_member (root, "config");

      json_object_set_string_member (root, "mediaType", WHARF_MEDIA_TYPE_OCI_MANIFEST);
      json_rewrite_descriptor (config, plan->config_job->written_media_type,
                               plan->config_job->descriptor->digest,
                               plan->config_job->descriptor->size);
    }

  for (guint i = 0; i < plan->layer_jobs->len; i++)
    {
      BlobJob *job = g_ptr_array_index (plan->layer_jobs, i);
      JsonObject *layer = json_array_get_object_element (layers, i);

      json_rewrite_descriptor (layer, job->written_media_type, job->written_digest,
                               job->written_size);
    }

  plan->written_bytes = json_to_bytes (json_parser_get_root (parser));
  plan->written_digest = wharf_digest_compute_bytes (plan->written_bytes);
  plan->written_media_type = g_strdup (plan->to_oci ? WHARF_MEDIA_TYPE_OCI_MANIFEST
                                                    : plan->raw->media_type);
  return TRUE;
}

static gboolean
put_manifest (Run          *run,
              GBytes       *bytes,
              const char   *media_type,
              const char   *digest,
              gboolean      top_level,
              GError      **error)
{
  g_autoptr(WharfBlobProgress) progress = NULL;
  gint64 size = g_bytes_get_size (bytes);

  progress = blob_progress_new (digest, media_type,
                                wharf_media_type_is_index (media_type) ? "index" : "manifest",
                                size);
  run_add_progress (run, progress);
  blob_progress_set_state (progress, WHARF_BLOB_STATE_TRANSFERRING);

  if (!run->dest->vtable->put_manifest (run->dest, bytes, media_type, digest, top_level,
                                        run->cancellable, error))
    {
      blob_progress_set_state (progress, WHARF_BLOB_STATE_FAILED);
      return FALSE;
    }

  progress_add_done (run, progress, size);
  blob_progress_set_state (progress, WHARF_BLOB_STATE_DONE);
  return TRUE;
}

/* Plans every child of an index (recursively), keeping the index. */
static gboolean
plan_index (Run             *run,
            WharfManifest   *index,
            guint            depth,
            GError         **error)
{
  if (depth > MAX_INDEX_DEPTH)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                   _("The index %s nests indexes too deeply."), index->digest);
      return FALSE;
    }

  for (guint i = 0; i < index->manifests->len; i++)
    {
      const WharfDescriptor *entry = g_ptr_array_index (index->manifests, i);
      g_autoptr(WharfRawManifest) raw = NULL;

      raw = run->source->vtable->get_manifest (run->source, entry->digest, run->cancellable,
                                               error);
      if (raw == NULL)
        return FALSE;

      if (wharf_media_type_is_index (raw->media_type))
        {
          g_autoptr(WharfManifest) child = wharf_manifest_parse (raw->bytes, raw->media_type,
                                                                 error);

          if (child == NULL || !plan_index (run, child, depth + 1, error))
            return FALSE;

          /* Nested indexes are written as they are, after their children. */
          {
            ImagePlan *plan = g_new0 (ImagePlan, 1);

            plan->raw = g_steal_pointer (&raw);
            plan->layer_jobs = g_ptr_array_new ();
            plan->written_bytes = g_bytes_ref (plan->raw->bytes);
            plan->written_digest = g_strdup (plan->raw->digest);
            plan->written_media_type = g_strdup (plan->raw->media_type);
            g_ptr_array_add (run->plans, plan);
          }
        }
      else
        {
          ImagePlan *plan = plan_image (run, g_steal_pointer (&raw), error);

          if (plan == NULL)
            return FALSE;

          g_ptr_array_add (run->plans, plan);
        }
    }

  return TRUE;
}

/* An index whose children were rewritten names them by their new digests. */
static GBytes *
rewrite_index (Run              *run,
               WharfRawManifest *raw,
               gboolean         *out_changed,
               GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *entries;
  gboolean changed = FALSE;

  *out_changed = FALSE;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (raw->bytes, NULL),
                                   g_bytes_get_size (raw->bytes), error))
    return NULL;

  entries = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "manifests");
  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *digest = json_object_get_string_member_with_default (entry, "digest", NULL);

      for (guint j = 0; j < run->plans->len; j++)
        {
          ImagePlan *plan = g_ptr_array_index (run->plans, j);

          if (g_strcmp0 (plan->raw->digest, digest) == 0)
            {
              changed |= json_rewrite_descriptor (entry, plan->written_media_type,
                                                  plan->written_digest,
                                                  g_bytes_get_size (plan->written_bytes));
              break;
            }
        }
    }

  *out_changed = changed;
  if (!changed)
    return g_bytes_ref (raw->bytes);

  return json_to_bytes (json_parser_get_root (parser));
}

static gboolean
run_blobs (Run     *run,
           GError **error)
{
  WharfTransfer *self = run->self;
  GThreadPool *pool;
  guint jobs = self->jobs;

  if (!run->source->supports_parallel || !run->dest->supports_parallel)
    jobs = 1;

  pool = g_thread_pool_new (blob_worker, run, jobs, FALSE, error);
  if (pool == NULL)
    return FALSE;

  for (guint i = 0; i < run->job_order->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (run->job_order, i), NULL);

  /* Waits for every job, including those that see the cancel and return. */
  g_thread_pool_free (pool, FALSE, TRUE);

  return !run_failed (run);
}

static WharfRawManifest *
choose_platform (Run               *run,
                 WharfManifest     *index,
                 GError           **error)
{
  WharfTransfer *self = run->self;
  g_autoptr(WharfPlatform) host = NULL;
  const WharfPlatform *wanted = self->platform;
  const WharfDescriptor *entry;

  if (wanted == NULL)
    wanted = host = wharf_platform_new_host ();

  entry = wharf_manifest_find_platform (index, wanted);
  if (entry == NULL)
    {
      GPtrArray *entries = wharf_manifest_get_platform_entries (index);
      g_autoptr(GString) available = g_string_new (NULL);
      g_autofree char *wanted_text = wharf_platform_to_string (wanted);

      for (guint i = 0; i < entries->len; i++)
        {
          const WharfDescriptor *e = g_ptr_array_index (entries, i);
          g_autofree char *text = e->platform != NULL ? wharf_platform_to_string (e->platform)
                                                      : g_strdup ("?");

          if (available->len > 0)
            g_string_append (available, ", ");
          g_string_append (available, text);
        }

      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("%s has no image for %s. It has: %s. Choose one with --platform."),
                   run->source_name, wanted_text, available->str);
      return NULL;
    }

  return run->source->vtable->get_manifest (run->source, entry->digest, run->cancellable, error);
}

static gboolean
run_copy (Run     *run,
          GError **error)
{
  WharfTransfer *self = run->self;
  g_autoptr(WharfRawManifest) top = NULL;
  g_autoptr(WharfManifest) top_manifest = NULL;
  WharfClient *source_client = NULL;
  WharfClient *dest_client = NULL;
  gboolean keep_index;

  run->source = _wharf_image_source_open (self->source, self->source_client,
                                          run->cancellable, error);
  if (run->source == NULL)
    return FALSE;

  run->dest = _wharf_image_dest_open (self->destination, self->destination_client,
                                      run->cancellable, error);
  if (run->dest == NULL)
    return FALSE;

  run->layer_form = run->dest->layer_form;
  source_client = run->source->client;
  dest_client = run->dest->client;
  run->same_registry =
    source_client != NULL && dest_client != NULL
    && g_strcmp0 (wharf_endpoint_get_domain (wharf_client_get_endpoint (source_client)),
                  wharf_endpoint_get_domain (wharf_client_get_endpoint (dest_client))) == 0;

  top = run->source->vtable->get_manifest (run->source, NULL, run->cancellable, error);
  if (top == NULL)
    return FALSE;

  top_manifest = wharf_manifest_parse (top->bytes, top->media_type, error);
  if (top_manifest == NULL)
    return FALSE;

  if (top_manifest->kind == WHARF_MANIFEST_KIND_INDEX)
    {
      if (self->platforms == PLATFORMS_ALL && !run->dest->keeps_index)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                       _("%s holds one image, not a multi-platform index. Choose a "
                         "platform with --platform instead of --all."), run->dest_name);
          return FALSE;
        }

      keep_index = run->dest->keeps_index && self->platforms != PLATFORMS_ONE;
    }
  else
    keep_index = FALSE;

  if (keep_index)
    {
      if (!plan_index (run, top_manifest, 1, error))
        return FALSE;
    }
  else
    {
      ImagePlan *plan;

      if (top_manifest->kind == WHARF_MANIFEST_KIND_INDEX)
        {
          g_autoptr(WharfRawManifest) chosen = choose_platform (run, top_manifest, error);

          if (chosen == NULL)
            return FALSE;

          plan = plan_image (run, g_steal_pointer (&chosen), error);
        }
      else
        plan = plan_image (run, g_steal_pointer (&top), error);

      if (plan == NULL)
        return FALSE;

      g_ptr_array_add (run->plans, plan);
    }

  if (!run_blobs (run, error))
    return FALSE;

  for (guint i = 0; i < run->plans->len; i++)
    {
      ImagePlan *plan = g_ptr_array_index (run->plans, i);
      gboolean is_top = !keep_index;

      if (plan->manifest != NULL && !plan_finish (run, plan, error))
        return FALSE;

      if (!put_manifest (run, plan->written_bytes, plan->written_media_type,
                         plan->written_digest, is_top, error))
        return FALSE;

      if (is_top)
        run->top_digest = g_strdup (plan->written_digest);
    }

  if (keep_index)
    {
      g_autoptr(GBytes) bytes = NULL;
      gboolean changed = FALSE;
      g_autofree char *digest = NULL;

      bytes = rewrite_index (run, top, &changed, error);
      if (bytes == NULL)
        return FALSE;

      digest = changed ? wharf_digest_compute_bytes (bytes) : g_strdup (top->digest);
      if (!put_manifest (run, bytes, top->media_type, digest, TRUE, error))
        return FALSE;

      run->top_digest = g_steal_pointer (&digest);
    }

  return run->dest->vtable->commit (run->dest, run->cancellable, error);
}

static gboolean
run_complete_cb (gpointer user_data)
{
  Run *run = user_data;
  WharfTransfer *self = run->self;
  GError *error = NULL;

  if (self->tick_source != NULL)
    {
      g_source_destroy (self->tick_source);
      g_clear_pointer (&self->tick_source, g_source_unref);
    }

  transfer_publish (self);

  if (run->error == NULL && run->top_digest != NULL)
    {
      g_free (self->digest);
      self->digest = g_strdup (run->top_digest);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIGEST]);
      transfer_set_state (self, WHARF_TRANSFER_STATE_DONE);
      g_task_return_boolean (run->task, TRUE);
    }
  else
    {
      error = g_steal_pointer (&run->error);
      if (error == NULL || g_cancellable_is_cancelled (run->caller_cancellable))
        {
          g_clear_error (&error);
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("The copy was cancelled."));
        }

      transfer_set_state (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                ? WHARF_TRANSFER_STATE_CANCELLED
                                : WHARF_TRANSFER_STATE_FAILED);
      g_task_return_error (run->task, error);
    }

  run_free (run);

  return G_SOURCE_REMOVE;
}

static gpointer
run_thread (gpointer data)
{
  Run *run = data;
  GError *error = NULL;

  if (!run_copy (run, &error))
    run_fail (run, error);

  if (run_failed (run) && run->dest != NULL)
    run->dest->vtable->abort (run->dest);

  /* Closed here, in the worker: freeing a destination may close files. */
  g_clear_pointer (&run->source, _wharf_image_source_free);
  g_clear_pointer (&run->dest, _wharf_image_dest_free);

  g_main_context_invoke (run->self->context, run_complete_cb, run);

  return NULL;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
wharf_transfer_run_async (WharfTransfer       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GThread *thread;
  Run *run;

  g_return_if_fail (WHARF_IS_TRANSFER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_transfer_run_async);
  /* A copy that was complete when the cancel came is reported as done: its
   * result is written and visible. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->state != WHARF_TRANSFER_STATE_READY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("This transfer has already run."));
      return;
    }

  self->context = g_main_context_ref_thread_default ();
  transfer_set_state (self, WHARF_TRANSFER_STATE_RUNNING);

  run = g_new0 (Run, 1);
  run->self = g_object_ref (self);
  run->task = g_object_ref (task);
  run->cancellable = g_cancellable_new ();
  g_mutex_init (&run->error_lock);
  run->compression = self->compression;
  run->source_name = location_display_name (self->source);
  run->dest_name = location_display_name (self->destination);
  run->jobs_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) blob_job_free);
  run->job_order = g_ptr_array_new ();
  run->plans = g_ptr_array_new_with_free_func ((GDestroyNotify) image_plan_free);

  if (cancellable != NULL)
    {
      run->caller_cancellable = g_object_ref (cancellable);
      run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                 g_object_ref (run->cancellable),
                                                 g_object_unref);
    }

  self->tick_source = g_timeout_source_new (TICK_INTERVAL_MS);
  g_source_set_callback (self->tick_source, transfer_tick_cb, self, NULL);
  g_source_set_static_name (self->tick_source, "[wharf-transfer-tick]");
  g_source_attach (self->tick_source, self->context);

  thread = g_thread_new ("wharf-transfer", run_thread, run);
  g_thread_unref (thread);
}

gboolean
wharf_transfer_run_finish (WharfTransfer  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
