/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-verify-stream.c: hashing a blob while it streams, so that damage is
 * caught without a second pass. */

#define G_LOG_DOMAIN "wharf-verify-stream"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-verify-stream.h"

struct _WharfVerifyStream
{
  GFilterInputStream  parent_instance;

  WharfHasher        *hasher;
  char               *digest;
  char               *host;
  gint64              expected_size;
  guint64             offset;
  /* Set once the end was reached; the verdict is repeated on later reads. */
  GError             *failure;
  guint               finished : 1;
};

G_DEFINE_FINAL_TYPE (WharfVerifyStream, wharf_verify_stream, G_TYPE_FILTER_INPUT_STREAM)

static void
wharf_verify_stream_finalize (GObject *object)
{
  WharfVerifyStream *self = (WharfVerifyStream *)object;

  g_clear_pointer (&self->hasher, wharf_hasher_free);
  g_clear_pointer (&self->digest, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (wharf_verify_stream_parent_class)->finalize (object);
}

static void
wharf_verify_stream_check_end (WharfVerifyStream *self)
{
  g_autofree char *actual = NULL;

  self->finished = TRUE;
  actual = wharf_hasher_finish (self->hasher);

  if (self->expected_size >= 0 && self->offset < (guint64) self->expected_size)
    {
      self->failure =
        g_error_new (WHARF_ERROR, WHARF_ERROR_NETWORK,
                     _("The download of %s from %s ended early, after %llu of %lld bytes. "
                       "Try again."),
                     self->digest, self->host, (unsigned long long) self->offset,
                     (long long) self->expected_size);
    }
  else if (g_strcmp0 (actual, self->digest) != 0)
    {
      self->failure =
        g_error_new (WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     _("The layer %s from %s is damaged: its content does not match its "
                       "digest. Try again; if it happens again, the registry’s storage is "
                       "corrupt."),
                     self->digest, self->host);
    }
}

static gssize
wharf_verify_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  WharfVerifyStream *self = WHARF_VERIFY_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n_read;

  if (self->finished)
    {
      if (self->failure != NULL)
        {
          g_propagate_error (error, g_error_copy (self->failure));
          return -1;
        }
      return 0;
    }

  n_read = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n_read < 0)
    return -1;

  if (n_read > 0)
    {
      self->offset += n_read;

      if (self->expected_size >= 0 && self->offset > (guint64) self->expected_size)
        {
          self->finished = TRUE;
          self->failure = g_error_new (WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                                       _("%s sent more data for %s than it announced."),
                                       self->host, self->digest);
          g_propagate_error (error, g_error_copy (self->failure));
          return -1;
        }

      wharf_hasher_update (self->hasher, buffer, n_read);
      return n_read;
    }

  wharf_verify_stream_check_end (self);

  if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      return -1;
    }

  return 0;
}

/* GFilterInputStream would skip on the base stream and so past the hasher. */
static gssize
wharf_verify_stream_skip (GInputStream  *stream,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint8 buffer[8192];
  gsize skipped = 0;

  while (skipped < count)
    {
      gssize n = wharf_verify_stream_read (stream, buffer, MIN (sizeof buffer, count - skipped),
                                           cancellable, error);

      if (n < 0)
        return skipped > 0 ? (gssize) skipped : -1;
      if (n == 0)
        break;
      skipped += n;
    }

  return skipped;
}

static void
wharf_verify_stream_class_init (WharfVerifyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wharf_verify_stream_finalize;

  stream_class->read_fn = wharf_verify_stream_read;
  stream_class->skip = wharf_verify_stream_skip;
}

static void
wharf_verify_stream_init (WharfVerifyStream *self)
{
  self->expected_size = -1;
}

GInputStream *
wharf_verify_stream_new (GInputStream  *base_stream,
                         const char    *digest,
                         gint64         expected_size,
                         const char    *host,
                         GError       **error)
{
  WharfVerifyStream *self;
  WharfHasher *hasher;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base_stream), NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  hasher = wharf_hasher_new_for_digest (digest, error);
  if (hasher == NULL)
    return NULL;

  self = g_object_new (WHARF_TYPE_VERIFY_STREAM,
                       "base-stream", base_stream,
                       "close-base-stream", TRUE,
                       NULL);
  self->hasher = hasher;
  self->digest = g_strdup (digest);
  self->host = g_strdup (host ? host : "");
  self->expected_size = expected_size;

  return G_INPUT_STREAM (self);
}

guint64
wharf_verify_stream_get_offset (WharfVerifyStream *self)
{
  g_return_val_if_fail (WHARF_IS_VERIFY_STREAM (self), 0);

  return self->offset;
}

gboolean
wharf_verify_stream_is_verified (WharfVerifyStream *self)
{
  g_return_val_if_fail (WHARF_IS_VERIFY_STREAM (self), FALSE);

  return self->finished && self->failure == NULL;
}
