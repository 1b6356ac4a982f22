/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-error.h: the error domain every libwharf operation reports in. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WHARF_ERROR (wharf_error_quark ())

/**
 * WharfError:
 *
 * Expected failures. The GError message is always a sentence a person can
 * act on; the code is for programs. Cancellation is reported as
 * G_IO_ERROR_CANCELLED, never in this domain.
 */
typedef enum
{
  WHARF_ERROR_FAILED,                /* anything not listed below */
  WHARF_ERROR_INVALID_REFERENCE,     /* a name, tag or reference breaks the grammar */
  WHARF_ERROR_INVALID_DIGEST,        /* a digest breaks the grammar */
  WHARF_ERROR_DIGEST_MISMATCH,       /* content does not hash to its digest */
  WHARF_ERROR_CONNECTION_REFUSED,    /* nothing listens there */
  WHARF_ERROR_HOST_NOT_FOUND,        /* the name does not resolve */
  WHARF_ERROR_TIMED_OUT,
  WHARF_ERROR_NETWORK,               /* reset, unreachable, other transport trouble */
  WHARF_ERROR_TLS_CERTIFICATE,       /* the certificate is not trusted */
  WHARF_ERROR_TLS,                   /* other TLS trouble (handshake, protocol) */
  WHARF_ERROR_INSECURE,              /* plain HTTP to a non-loopback host the user did not allow */
  WHARF_ERROR_NOT_A_REGISTRY,        /* GET /v2/ did not answer like a v2 registry */
  WHARF_ERROR_AUTH_REQUIRED,         /* credentials are needed and none were given */
  WHARF_ERROR_AUTH_FAILED,           /* wrong username or password */
  WHARF_ERROR_DENIED,                /* signed in, but not allowed to do this */
  WHARF_ERROR_NOT_FOUND,             /* repository, manifest, tag or blob unknown */
  WHARF_ERROR_UNSUPPORTED,           /* the registry refuses the operation (405, deletion disabled) */
  WHARF_ERROR_NO_CATALOG,            /* the registry does not list its repositories */
  WHARF_ERROR_TOO_MANY_REQUESTS,     /* 429 after the retries */
  WHARF_ERROR_SERVER,                /* 5xx after the retries */
  WHARF_ERROR_PROTOCOL,              /* the registry answered something we cannot read */
  WHARF_ERROR_MANIFEST_INVALID,      /* a manifest or config that does not parse */
  WHARF_ERROR_MANIFEST_TOO_LARGE,    /* over the 4 MiB cap */
  WHARF_ERROR_CREDENTIALS,           /* keyring or credential helper trouble */
} WharfError;

GQuark wharf_error_quark (void);

G_END_DECLS
