/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transport.c: opening image sources and destinations by location, and
 * the counting and hashing stream the transports share. */

#define G_LOG_DOMAIN "wharf-transport"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "wharf-credential.h"
#include "wharf-digest.h"
#include "wharf-endpoint.h"
#include "wharf-error.h"
#include "wharf-transport-private.h"

#define WHARF_TYPE_DIGEST_STREAM (wharf_digest_stream_get_type ())
G_DECLARE_FINAL_TYPE (WharfDigestStream, wharf_digest_stream, WHARF, DIGEST_STREAM,
                      GFilterInputStream)

struct _WharfDigestStream
{
  GFilterInputStream   parent_instance;
  WharfHasher         *hasher;
  char                *digest;
  gint64               size;
  WharfStreamReadFunc  func;
  gpointer             user_data;
  gboolean             eof;
};

G_DEFINE_FINAL_TYPE (WharfDigestStream, wharf_digest_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
wharf_digest_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  WharfDigestStream *self = WHARF_DIGEST_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  if (self->eof)
    return 0;

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n < 0)
    return -1;

  if (n > 0)
    {
      if (self->hasher != NULL)
        wharf_hasher_update (self->hasher, buffer, n);
      self->size += n;
    }
  else
    {
      self->eof = TRUE;
      if (self->hasher != NULL)
        {
          self->digest = wharf_hasher_finish (self->hasher);
          g_clear_pointer (&self->hasher, wharf_hasher_free);
        }
    }

  if (self->func != NULL)
    self->func (n, n == 0, self->user_data);

  return n;
}

static void
wharf_digest_stream_finalize (GObject *object)
{
  WharfDigestStream *self = WHARF_DIGEST_STREAM (object);

  g_clear_pointer (&self->hasher, wharf_hasher_free);
  g_clear_pointer (&self->digest, g_free);

  G_OBJECT_CLASS (wharf_digest_stream_parent_class)->finalize (object);
}

static void
wharf_digest_stream_class_init (WharfDigestStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_digest_stream_finalize;
  stream_class->read_fn = wharf_digest_stream_read;
}

static void
wharf_digest_stream_init (WharfDigestStream *self)
{
}

GInputStream *
_wharf_digest_stream_new (GInputStream        *base,
                          const char          *algorithm,
                          WharfStreamReadFunc  func,
                          gpointer             user_data)
{
  WharfDigestStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (WHARF_TYPE_DIGEST_STREAM, "base-stream", base, NULL);
  if (algorithm != NULL)
    self->hasher = wharf_hasher_new (algorithm);
  self->func = func;
  self->user_data = user_data;

  return G_INPUT_STREAM (self);
}

char *
_wharf_digest_stream_dup_digest (GInputStream *stream)
{
  g_return_val_if_fail (WHARF_IS_DIGEST_STREAM (stream), NULL);

  return g_strdup (WHARF_DIGEST_STREAM (stream)->digest);
}

gint64
_wharf_digest_stream_get_size (GInputStream *stream)
{
  g_return_val_if_fail (WHARF_IS_DIGEST_STREAM (stream), -1);

  return WHARF_DIGEST_STREAM (stream)->size;
}

WharfClient *
_wharf_transport_client_new (const WharfReference  *ref,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) local_error = NULL;

  endpoint = wharf_endpoint_new (ref->domain, error);
  if (endpoint == NULL)
    return NULL;

  client = wharf_client_new (endpoint);

  credential = wharf_credential_lookup_sync (wharf_endpoint_get_domain (endpoint),
                                             cancellable, &local_error);
  if (credential != NULL)
    wharf_client_set_credential (client, credential);
  else if (local_error != NULL)
    /* Anonymous access still works for public content; a registry that
     * wants a sign-in says so with its own error. */
    g_debug ("No credential for %s: %s", ref->domain, local_error->message);

  return g_steal_pointer (&client);
}

WharfImageSource *
_wharf_image_source_open (const WharfImageLocation  *location,
                          WharfClient               *client,
                          GCancellable              *cancellable,
                          GError                   **error)
{
  g_autoptr(WharfClient) own_client = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  switch (location->transport)
    {
    case WHARF_TRANSPORT_DOCKER:
      if (client == NULL)
        {
          own_client = _wharf_transport_client_new (location->reference, cancellable, error);
          if (own_client == NULL)
            return NULL;
          client = own_client;
        }
      return _wharf_registry_source_new (client, location->reference);

    case WHARF_TRANSPORT_OCI:
    case WHARF_TRANSPORT_OCI_ARCHIVE:
      return _wharf_oci_source_new (location->path,
                                    location->transport == WHARF_TRANSPORT_OCI_ARCHIVE,
                                    location->ref, cancellable, error);

    case WHARF_TRANSPORT_DOCKER_ARCHIVE:
      return _wharf_docker_archive_source_new (location->path, location->ref,
                                               cancellable, error);

    default:
      g_assert_not_reached ();
    }
}

WharfImageDest *
_wharf_image_dest_open (const WharfImageLocation  *location,
                        WharfClient               *client,
                        GCancellable              *cancellable,
                        GError                   **error)
{
  g_autoptr(WharfClient) own_client = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  switch (location->transport)
    {
    case WHARF_TRANSPORT_DOCKER:
      if (client == NULL)
        {
          own_client = _wharf_transport_client_new (location->reference, cancellable, error);
          if (own_client == NULL)
            return NULL;
          client = own_client;
        }
      return _wharf_registry_dest_new (client, location->reference);

    case WHARF_TRANSPORT_OCI:
    case WHARF_TRANSPORT_OCI_ARCHIVE:
      return _wharf_oci_dest_new (location->path,
                                  location->transport == WHARF_TRANSPORT_OCI_ARCHIVE,
                                  location->ref, error);

    case WHARF_TRANSPORT_DOCKER_ARCHIVE:
      return _wharf_docker_archive_dest_new (location->path, location->ref, error);

    default:
      g_assert_not_reached ();
    }
}

void
_wharf_image_source_free (WharfImageSource *source)
{
  if (source == NULL)
    return;

  source->vtable->free (source);
}

void
_wharf_image_dest_free (WharfImageDest *dest)
{
  if (dest == NULL)
    return;

  dest->vtable->free (dest);
}
