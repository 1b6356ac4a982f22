/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transport-registry.c: a registry (docker://) as an image source and
 * destination: verified manifest and blob GETs, and uploads as POST → one
 * streaming PATCH → PUT ?digest=. */

#define G_LOG_DOMAIN "wharf-transport"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "wharf-client-private.h"
#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-transport-private.h"

/* Big reads keep the per-read cost of the stream chain and the hasher small
 * next to libsoup's 8 KiB splice. */
#define UPLOAD_BUFFER_SIZE (256 * 1024)
/* Bodies of upload responses are empty or a short error. */
#define SMALL_BODY_MAX (64 * 1024)

typedef struct
{
  WharfImageSource  parent;
  WharfReference   *ref;
} RegistrySource;

typedef struct
{
  WharfImageDest  parent;
  WharfReference *ref;
} RegistryDest;

static const char *
client_host (WharfClient *client)
{
  return wharf_endpoint_get_display_name (wharf_client_get_endpoint (client));
}

/* Sends, then reads the (small) body so that the connection can be reused. */
static gboolean
send_and_drain (WharfClient    *client,
                SoupMessage   **msg,
                const char     *repository,
                WharfAccess     access,
                const char     *mount_from,
                WharfSendFlags  flags,
                const guint    *ok_statuses,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autoptr(GInputStream) body = NULL;
  g_autofree char *buffer = NULL;
  gsize total = 0;

  body = _wharf_client_send (client, msg, repository, access, mount_from, flags,
                             ok_statuses, cancellable, error);
  if (body == NULL)
    return FALSE;

  buffer = g_malloc (8192);
  for (;;)
    {
      gssize n = g_input_stream_read (body, buffer, 8192, cancellable, NULL);

      if (n <= 0)
        break;

      total += n;
      if (total > SMALL_BODY_MAX)
        break;
    }

  g_input_stream_close (body, NULL, NULL);

  return TRUE;
}

/* The upload URL of a 202 (or 201) answer, resolved against the endpoint
 * with its query kept: distribution signs its state there. */
static char *
dup_location (WharfClient  *client,
              SoupMessage  *msg,
              GError      **error)
{
  const char *location;
  g_autoptr(GUri) uri = NULL;

  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location == NULL || *location == '\0')
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s did not say where to upload (no Location in its answer). "
                     "It may not be a registry that accepts uploads."),
                   client_host (client));
      return NULL;
    }

  uri = _wharf_client_resolve_uri (client, location, error);
  if (uri == NULL)
    return NULL;

  return g_uri_to_string (uri);
}

static SoupMessage *
message_new (WharfClient  *client,
             const char   *method,
             const char   *path_or_url,
             GError      **error)
{
  g_autoptr(GUri) uri = _wharf_client_resolve_uri (client, path_or_url, error);

  if (uri == NULL)
    return NULL;

  return soup_message_new_from_uri (method, uri);
}

/* Best effort, and never cancelled by the transfer's cancellable: it is what
 * runs after a cancel. */
static void
cancel_upload (WharfClient *client,
               const char  *repository,
               const char  *location)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  static const guint ok[] = { 404, 405, 0 };

  msg = message_new (client, "DELETE", location, &error);
  if (msg == NULL
      || !send_and_drain (client, &msg, repository, WHARF_ACCESS_DELETE, NULL,
                          WHARF_SEND_FLAGS_NONE, ok, NULL, &error))
    g_debug ("Could not cancel an upload to %s: %s", repository, error->message);
  else
    g_debug ("Cancelled an upload to %s (%u)", repository, soup_message_get_status (msg));
}

static char *
start_upload (WharfClient   *client,
              const char    *repository,
              const char    *mount_digest,
              const char    *from_repository,
              gboolean      *out_mounted,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;
  g_autofree char *location = NULL;
  guint status;

  if (mount_digest != NULL)
    {
      g_autofree char *d = g_uri_escape_string (mount_digest, NULL, FALSE);
      g_autofree char *f = g_uri_escape_string (from_repository, "/", FALSE);

      path = g_strdup_printf ("/v2/%s/blobs/uploads/?mount=%s&from=%s", repository, d, f);
    }
  else
    path = g_strdup_printf ("/v2/%s/blobs/uploads/", repository);

  msg = message_new (client, "POST", path, error);
  if (msg == NULL)
    return NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Not cancellable: a POST cancelled in flight may open a session whose
   * address never arrives, and that nobody could DELETE then. */
  if (!send_and_drain (client, &msg, repository, WHARF_ACCESS_PUSH, from_repository,
                       mount_digest != NULL ? WHARF_SEND_FLAGS_MOUNT_FROM : WHARF_SEND_FLAGS_NONE,
                       NULL, NULL, error))
    return NULL;

  status = soup_message_get_status (msg);
  if (out_mounted != NULL)
    *out_mounted = (mount_digest != NULL && status == SOUP_STATUS_CREATED);

  if (mount_digest != NULL && status == SOUP_STATUS_CREATED)
    return g_strdup ("");

  if (status != SOUP_STATUS_ACCEPTED)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s answered an upload request with status %u instead of 202."),
                   client_host (client), status);
      return NULL;
    }

  location = dup_location (client, msg, error);
  if (location != NULL && g_cancellable_is_cancelled (cancellable))
    {
      cancel_upload (client, repository, location);
      g_clear_pointer (&location, g_free);
      g_cancellable_set_error_if_cancelled (cancellable, error);
    }

  return g_steal_pointer (&location);
}

static char *
append_digest (const char *location,
               const char *digest)
{
  g_autofree char *escaped = g_uri_escape_string (digest, NULL, FALSE);

  return g_strdup_printf ("%s%cdigest=%s", location,
                          strchr (location, '?') != NULL ? '&' : '?', escaped);
}

/* The PATCH body. A read that fails or is cancelled ends the body instead
 * (chunked, so a short body is still a well-formed request): the registry
 * then answers with the upload's current state, which is what a DELETE of
 * the session needs. A PATCH cut off mid-body leaves a session that
 * distribution refuses to delete (its state no longer matches), for a week. */
#define WHARF_TYPE_UPLOAD_BODY (wharf_upload_body_get_type ())
G_DECLARE_FINAL_TYPE (WharfUploadBody, wharf_upload_body, WHARF, UPLOAD_BODY, GFilterInputStream)

struct _WharfUploadBody
{
  GFilterInputStream  parent_instance;
  GCancellable       *cancellable;
  GMutex              lock;
  GError             *error;
};

G_DEFINE_FINAL_TYPE (WharfUploadBody, wharf_upload_body, G_TYPE_FILTER_INPUT_STREAM)

static gssize
wharf_upload_body_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  WharfUploadBody *self = WHARF_UPLOAD_BODY (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  GError *local_error = NULL;
  gssize n;

  g_mutex_lock (&self->lock);
  if (self->error != NULL)
    {
      g_mutex_unlock (&self->lock);
      return 0;
    }
  g_mutex_unlock (&self->lock);

  /* The transfer's cancellable, not libsoup's: a cancel ends the body. */
  if (g_cancellable_set_error_if_cancelled (self->cancellable, &local_error))
    n = -1;
  else
    n = g_input_stream_read (base, buffer, count, self->cancellable, &local_error);

  if (n >= 0)
    return n;

  g_mutex_lock (&self->lock);
  if (self->error == NULL)
    self->error = local_error;
  else
    g_error_free (local_error);
  g_mutex_unlock (&self->lock);

  return 0;
}

static void
wharf_upload_body_finalize (GObject *object)
{
  WharfUploadBody *self = WHARF_UPLOAD_BODY (object);

  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (wharf_upload_body_parent_class)->finalize (object);
}

static void
wharf_upload_body_class_init (WharfUploadBodyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wharf_upload_body_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = wharf_upload_body_read;
}

static void
wharf_upload_body_init (WharfUploadBody *self)
{
  g_mutex_init (&self->lock);
}

static GInputStream *
upload_body_new (GInputStream *base,
                 GCancellable *cancellable)
{
  WharfUploadBody *self = g_object_new (WHARF_TYPE_UPLOAD_BODY, "base-stream", base, NULL);

  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;

  return G_INPUT_STREAM (self);
}

/* The error that ended the body early, if any. */
static GError *
upload_body_steal_error (GInputStream *stream)
{
  WharfUploadBody *self = WHARF_UPLOAD_BODY (stream);
  GError *error;

  g_mutex_lock (&self->lock);
  error = g_steal_pointer (&self->error);
  g_mutex_unlock (&self->lock);

  return error;
}

static gboolean
upload_to_session (WharfClient   *client,
                   const char    *repository,
                   const char    *location,
                   GInputStream  *stream,
                   gint64         size,
                   const char    *digest,
                   char         **out_digest,
                   gint64        *out_size,
                   char         **out_location,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(SoupMessage) patch = NULL;
  g_autoptr(SoupMessage) put = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GInputStream) counted = NULL;
  g_autofree char *final_digest = NULL;
  g_autofree char *next_location = NULL;
  g_autofree char *put_url = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  gint64 sent;

  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GError) body_error = NULL;

  counted = _wharf_digest_stream_new (stream, digest == NULL ? "sha256" : NULL, NULL, NULL);
  body = upload_body_new (counted, cancellable);
  buffered = g_buffered_input_stream_new_sized (body, UPLOAD_BUFFER_SIZE);

  patch = message_new (client, "PATCH", location, error);
  if (patch == NULL)
    return FALSE;

  /* Always chunked, so that the body can end early (see WharfUploadBody). */
  soup_message_set_request_body (patch, "application/octet-stream", buffered, -1);

  /* The body stream is consumed as it is sent, so the request layer must
   * never resend it: the caller restarts from a fresh session instead. Not
   * cancellable either: a cancel ends the body, and the answer is needed. */
  if (!send_and_drain (client, &patch, repository, WHARF_ACCESS_PUSH, NULL,
                       WHARF_SEND_FLAGS_NO_RETRY, NULL, NULL, error))
    return FALSE;

  /* Always the newest Location: it carries the upload's current state. */
  next_location = dup_location (client, patch, NULL);
  if (next_location == NULL)
    next_location = g_strdup (location);
  *out_location = g_strdup (next_location);

  body_error = upload_body_steal_error (body);
  if (body_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&body_error));
      return FALSE;
    }

  if (soup_message_get_status (patch) != SOUP_STATUS_ACCEPTED
      && soup_message_get_status (patch) != SOUP_STATUS_NO_CONTENT)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s answered an upload with status %u instead of 202."),
                   client_host (client), soup_message_get_status (patch));
      return FALSE;
    }

  sent = _wharf_digest_stream_get_size (counted);
  if (digest == NULL)
    {
      final_digest = _wharf_digest_stream_dup_digest (counted);
      if (final_digest == NULL)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NETWORK,
                       _("The upload to %s ended before all the data was sent. Try again."),
                       client_host (client));
          return FALSE;
        }
    }
  else
    final_digest = g_strdup (digest);

  if (size >= 0 && sent != size)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NETWORK,
                   _("The upload to %s sent %lld bytes instead of %lld. Try again."),
                   client_host (client), (long long) sent, (long long) size);
      return FALSE;
    }

  /* The whole body may have reached the registry before a cancel did: the
   * PUT would still commit the blob. A cancelled copy must leave nothing, so
   * stop here; the caller DELETEs the session. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  put_url = append_digest (next_location, final_digest);
  put = message_new (client, "PUT", put_url, error);
  if (put == NULL)
    return FALSE;

  _wharf_client_set_request_body (put, "application/octet-stream", empty);

  /* Not cancellable either: a PUT cut off in flight races the DELETE that
   * follows it on the registry. It is short: the registry hashed the data
   * as it came. */
  if (!send_and_drain (client, &put, repository, WHARF_ACCESS_PUSH, NULL,
                       WHARF_SEND_FLAGS_NONE, NULL, NULL, error))
    return FALSE;

  if (soup_message_get_status (put) != SOUP_STATUS_CREATED)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s answered the end of an upload with status %u instead of 201."),
                   client_host (client), soup_message_get_status (put));
      return FALSE;
    }

  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&final_digest);
  if (out_size != NULL)
    *out_size = sent;

  return TRUE;
}

gboolean
_wharf_registry_put_blob (WharfClient   *client,
                          const char    *repository,
                          GInputStream  *stream,
                          gint64         size,
                          const char    *digest,
                          char         **out_digest,
                          gint64        *out_size,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *location = NULL;
  g_autofree char *last_location = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);

  location = start_upload (client, repository, NULL, NULL, NULL, cancellable, error);
  if (location == NULL)
    return FALSE;

  if (!upload_to_session (client, repository, location, stream, size, digest,
                          out_digest, out_size, &last_location, cancellable, &local_error))
    {
      /* An open session would stay on the registry's disk for a week. */
      cancel_upload (client, repository, last_location != NULL ? last_location : location);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
_wharf_registry_mount_blob (WharfClient   *client,
                            const char    *repository,
                            const char    *digest,
                            const char    *from_repository,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *location = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean mounted = FALSE;

  location = start_upload (client, repository, digest, from_repository, &mounted,
                           cancellable, &local_error);
  if (location == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Some registries refuse a mount outright; an upload still works. */
      g_debug ("Mounting %s from %s failed: %s", digest, from_repository, local_error->message);
      return FALSE;
    }

  if (!mounted)
    {
      /* 202: the registry opened a plain upload session instead. */
      cancel_upload (client, repository, location);
      return FALSE;
    }

  return TRUE;
}

char *
_wharf_registry_put_manifest (WharfClient   *client,
                              const char    *repository,
                              const char    *reference,
                              GBytes        *bytes,
                              const char    *media_type,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;
  g_autofree char *computed = NULL;
  const char *answered;

  path = g_strdup_printf ("/v2/%s/manifests/%s", repository, reference);
  msg = message_new (client, "PUT", path, error);
  if (msg == NULL)
    return NULL;

  /* The registry wants exactly the manifest's mediaType, no parameters. */
  _wharf_client_set_request_body (msg, media_type, bytes);

  if (!send_and_drain (client, &msg, repository, WHARF_ACCESS_PUSH, NULL,
                       WHARF_SEND_FLAGS_NONE, NULL, cancellable, error))
    return NULL;

  computed = wharf_digest_compute_bytes (bytes);
  answered = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                           "Docker-Content-Digest");
  if (answered != NULL && g_str_has_prefix (answered, "sha256:")
      && g_strcmp0 (answered, computed) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("%s stored the manifest under digest %s instead of %s."),
                   client_host (client), answered, computed);
      return NULL;
    }

  return g_steal_pointer (&computed);
}

/* Source. */

static WharfRawManifest *
registry_source_get_manifest (WharfImageSource  *source,
                              const char        *digest,
                              GCancellable      *cancellable,
                              GError           **error)
{
  RegistrySource *self = (RegistrySource *) source;
  const char *reference = digest != NULL ? digest : wharf_reference_get_api_reference (self->ref);

  return wharf_client_get_manifest_sync (source->client, source->repository, reference,
                                         cancellable, error);
}

static GInputStream *
registry_source_get_blob (WharfImageSource       *source,
                          const WharfDescriptor  *descriptor,
                          gint64                 *out_size,
                          GCancellable           *cancellable,
                          GError                **error)
{
  return wharf_client_get_blob_sync (source->client, source->repository, descriptor->digest,
                                     out_size, cancellable, error);
}

static void
registry_source_free (WharfImageSource *source)
{
  RegistrySource *self = (RegistrySource *) source;

  g_clear_object (&source->client);
  g_clear_pointer (&source->repository, g_free);
  g_clear_pointer (&self->ref, wharf_reference_free);
  g_free (self);
}

static const WharfImageSourceVTable registry_source_vtable = {
  .get_manifest = registry_source_get_manifest,
  .get_blob = registry_source_get_blob,
  .free = registry_source_free,
};

WharfImageSource *
_wharf_registry_source_new (WharfClient          *client,
                            const WharfReference *ref)
{
  RegistrySource *self;

  g_return_val_if_fail (WHARF_IS_CLIENT (client), NULL);
  g_return_val_if_fail (ref != NULL, NULL);

  self = g_new0 (RegistrySource, 1);
  self->parent.vtable = &registry_source_vtable;
  self->parent.supports_parallel = TRUE;
  self->parent.client = g_object_ref (client);
  self->parent.repository = g_strdup (ref->path);
  self->ref = wharf_reference_copy (ref);

  return &self->parent;
}

/* Destination. */

static gboolean
registry_dest_has_blob (WharfImageDest  *dest,
                        const char      *digest,
                        gint64          *out_size,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (wharf_client_head_blob_sync (dest->client, dest->repository, digest, out_size,
                                   cancellable, &local_error))
    return TRUE;

  if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
    return FALSE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
registry_dest_mount_blob (WharfImageDest  *dest,
                          const char      *digest,
                          const char      *from_repository,
                          GCancellable    *cancellable,
                          GError         **error)
{
  return _wharf_registry_mount_blob (dest->client, dest->repository, digest, from_repository,
                                     cancellable, error);
}

static gboolean
registry_dest_put_blob (WharfImageDest         *dest,
                        GInputStream           *stream,
                        const WharfDescriptor  *descriptor,
                        char                  **out_digest,
                        gint64                 *out_size,
                        GCancellable           *cancellable,
                        GError                **error)
{
  return _wharf_registry_put_blob (dest->client, dest->repository, stream, descriptor->size,
                                   descriptor->digest, out_digest, out_size,
                                   cancellable, error);
}

static gboolean
registry_dest_put_manifest (WharfImageDest  *dest,
                            GBytes          *bytes,
                            const char      *media_type,
                            const char      *digest,
                            gboolean         top_level,
                            GCancellable    *cancellable,
                            GError         **error)
{
  RegistryDest *self = (RegistryDest *) dest;
  g_autoptr(WharfDescriptor) present = NULL;
  g_autoptr(GError) head_error = NULL;
  g_autofree char *written = NULL;
  const char *reference = digest;

  if (top_level)
    {
      if (self->ref->digest != NULL && g_strcmp0 (self->ref->digest, digest) != 0)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                       _("The image written would have digest %s, not %s as the "
                         "destination asks. Name the destination by tag instead."),
                       digest, self->ref->digest);
          return FALSE;
        }
      reference = wharf_reference_get_api_reference (self->ref);
    }

  present = wharf_client_head_manifest_sync (dest->client, dest->repository, reference,
                                             cancellable, &head_error);
  if (present != NULL && g_strcmp0 (present->digest, digest) == 0)
    {
      g_debug ("%s:%s already is %s", dest->repository, reference, digest);
      return TRUE;
    }

  if (g_error_matches (head_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&head_error));
      return FALSE;
    }

  written = _wharf_registry_put_manifest (dest->client, dest->repository, reference, bytes,
                                          media_type, cancellable, error);
  if (written == NULL)
    return FALSE;

  if (g_strcmp0 (written, digest) != 0)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                   _("The manifest written to %s has digest %s instead of %s."),
                   client_host (dest->client), written, digest);
      return FALSE;
    }

  return TRUE;
}

static gboolean
registry_dest_commit (WharfImageDest  *dest,
                      GCancellable    *cancellable,
                      GError         **error)
{
  return TRUE;
}

static void
registry_dest_abort (WharfImageDest *dest)
{
  /* Every failed or cancelled upload DELETEs its own session before
   * put_blob returns, and nothing else stays open between calls. */
}

static void
registry_dest_free (WharfImageDest *dest)
{
  RegistryDest *self = (RegistryDest *) dest;

  g_clear_object (&dest->client);
  g_clear_pointer (&dest->repository, g_free);
  g_clear_pointer (&self->ref, wharf_reference_free);
  g_free (self);
}

static const WharfImageDestVTable registry_dest_vtable = {
  .has_blob = registry_dest_has_blob,
  .mount_blob = registry_dest_mount_blob,
  .put_blob = registry_dest_put_blob,
  .put_manifest = registry_dest_put_manifest,
  .commit = registry_dest_commit,
  .abort = registry_dest_abort,
  .free = registry_dest_free,
};

WharfImageDest *
_wharf_registry_dest_new (WharfClient          *client,
                          const WharfReference *ref)
{
  RegistryDest *self;

  g_return_val_if_fail (WHARF_IS_CLIENT (client), NULL);
  g_return_val_if_fail (ref != NULL, NULL);

  self = g_new0 (RegistryDest, 1);
  self->parent.vtable = &registry_dest_vtable;
  self->parent.supports_parallel = TRUE;
  self->parent.layer_form = WHARF_LAYER_FORM_COMPRESSED;
  self->parent.keeps_index = TRUE;
  self->parent.client = g_object_ref (client);
  self->parent.repository = g_strdup (ref->path);
  self->ref = wharf_reference_copy (ref);

  return &self->parent;
}
