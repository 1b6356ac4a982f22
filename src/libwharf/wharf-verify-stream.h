/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-verify-stream.h: an input stream that checks a blob's digest and size as it is read. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WHARF_TYPE_VERIFY_STREAM (wharf_verify_stream_get_type ())

G_DECLARE_FINAL_TYPE (WharfVerifyStream, wharf_verify_stream,
                      WHARF, VERIFY_STREAM, GFilterInputStream)

/* Passes @base_stream through while hashing it. The read that reaches the
 * end fails with WHARF_ERROR_NETWORK if fewer than @expected_size bytes came
 * (-1: size unknown), WHARF_ERROR_PROTOCOL if more came, or
 * WHARF_ERROR_DIGEST_MISMATCH if they do not hash to @digest. @host names
 * where the data came from in those sentences. An unsupported digest
 * algorithm gives NULL and WHARF_ERROR_INVALID_DIGEST. */
GInputStream *wharf_verify_stream_new         (GInputStream       *base_stream,
                                               const char         *digest,
                                               gint64              expected_size,
                                               const char         *host,
                                               GError            **error);
/* Bytes passed through so far. */
guint64       wharf_verify_stream_get_offset  (WharfVerifyStream  *self);
/* TRUE once the end was reached and everything matched. */
gboolean      wharf_verify_stream_is_verified (WharfVerifyStream  *self);

G_END_DECLS
