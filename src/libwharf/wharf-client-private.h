/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-client-private.h: the request layer the transfer engine builds on. */

#pragma once

#include <libsoup/soup.h>

#include "wharf-client.h"

G_BEGIN_DECLS

/* What a request needs the token to allow on its repository. */
typedef enum
{
  WHARF_ACCESS_NONE,     /* /v2/ itself */
  WHARF_ACCESS_PULL,     /* GET/HEAD */
  WHARF_ACCESS_PUSH,     /* POST/PUT/PATCH: pull,push */
  WHARF_ACCESS_DELETE,   /* DELETE */
  WHARF_ACCESS_CATALOG,  /* registry:catalog:* */
} WharfAccess;

typedef enum
{
  WHARF_SEND_FLAGS_NONE = 0,
  /* The request body cannot be sent twice: never retry it. */
  WHARF_SEND_FLAGS_NO_RETRY = 1 << 0,
  /* Also ask for pull on this repository (cross-repository mount). */
  WHARF_SEND_FLAGS_MOUNT_FROM = 1 << 1,
} WharfSendFlags;

/* Resolves "/v2/…" (or an absolute or relative Location) against the
 * endpoint's base URL, keeping the query. */
GUri         *_wharf_client_resolve_uri   (WharfClient      *self,
                                           const char       *path_or_url,
                                           GError          **error);

/* Sends @msg with auth (Basic, or Bearer for @repository's @access, retrying
 * once on 401/insufficient_scope), retries on 429 (Retry-After) and
 * 408/502/503/504 (backoff) unless NO_RETRY, follows redirects itself
 * without Authorization across hosts, and maps failures to WharfError
 * sentences. Returns the body stream of the final response; the status is on
 * @msg (which is replaced by the redirected message: *msg is updated). Any
 * response of 400 or more becomes an error, except statuses listed in
 * @ok_statuses (0-terminated, nullable) — e.g. 404 for a HEAD that may miss. */
GInputStream *_wharf_client_send          (WharfClient      *self,
                                           SoupMessage     **msg,
                                           const char       *repository,
                                           WharfAccess       access,
                                           const char       *mount_from,
                                           WharfSendFlags    flags,
                                           const guint      *ok_statuses,
                                           GCancellable     *cancellable,
                                           GError          **error);

/* _wharf_client_send() and read the whole body, refusing more than @max_size. */
GBytes       *_wharf_client_send_and_read (WharfClient     *self,
                                           SoupMessage    **msg,
                                           const char      *repository,
                                           WharfAccess      access,
                                           gsize            max_size,
                                           const guint     *ok_statuses,
                                           GCancellable    *cancellable,
                                           GError         **error);

/* Sets a request body that can be sent again: after a 401, a retried 503
 * or a 307 redirect. libsoup closes a body stream after one send, so a body
 * set with soup_message_set_request_body() is sent once, never retried. */
void          _wharf_client_set_request_body (SoupMessage  *msg,
                                              const char   *content_type,
                                              GBytes       *bytes);

/* Maps a registry error response ({"errors":[…]}) to a GError for the user,
 * naming the host and, where given, the repository. */
GError       *_wharf_client_error_from_response (WharfClient  *self,
                                                 SoupMessage  *msg,
                                                 GBytes       *body,
                                                 const char   *repository);

G_END_DECLS
