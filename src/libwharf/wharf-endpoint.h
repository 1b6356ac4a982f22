/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-endpoint.h: where a registry is and how to talk to it safely. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  WHARF_TLS_VERIFY,       /* system CAs (the default) */
  WHARF_TLS_CA_FILE,      /* system CAs plus the PEM file in ca-file */
  WHARF_TLS_NO_VERIFY,    /* accept any certificate; the user asked for it */
} WharfTlsPolicy;

typedef enum
{
  WHARF_SCHEME_HTTPS,
  WHARF_SCHEME_HTTP,
  /* Either, settled by the first request. Loopback: plain http first (no
   * TLS library state for the common local registry), https when the server
   * answers that it speaks TLS. Hosts the user marked insecure: https first,
   * then http, so credentials never go out in clear to a TLS server. A
   * certificate error never falls back to http. */
  WHARF_SCHEME_AUTO,
} WharfScheme;

#define WHARF_TYPE_ENDPOINT (wharf_endpoint_get_type ())

G_DECLARE_FINAL_TYPE (WharfEndpoint, wharf_endpoint, WHARF, ENDPOINT, GObject)

/* address: "host[:port]", "[::1]:5000", or "http(s)://host[:port][/]".
 * "docker.io", "index.docker.io" and "registry-1.docker.io" all mean Docker
 * Hub. Without a scheme a loopback host gets WHARF_SCHEME_AUTO and every other
 * host HTTPS. An explicit http:// for a non-loopback host needs
 * allow-insecure set before the first request, else requests fail with
 * WHARF_ERROR_INSECURE. Returns NULL with WHARF_ERROR_INVALID_REFERENCE for
 * something that is not an address.
 * With WHARF_DOCKER_HUB_REGISTRY=host:port (or a URL) in the environment,
 * Docker Hub's requests go to that registry instead (its scheme rules, e.g.
 * https then http for a loopback host); the domain stays "docker.io", so
 * references and credentials are Hub's. See README.md, "Docker Hub stand-in". */
WharfEndpoint  *wharf_endpoint_new                (const char     *address,
                                                   GError        **error);

/* The registry's name in references and the key for credentials:
 * "localhost:5000", "docker.io". */
const char     *wharf_endpoint_get_domain         (WharfEndpoint  *self);
/* host[:port] that requests go to: "registry-1.docker.io" for docker.io. */
const char     *wharf_endpoint_get_api_host       (WharfEndpoint  *self);
/* host alone, lower case, no port or brackets: "127.0.0.1", "::1". */
const char     *wharf_endpoint_get_host           (WharfEndpoint  *self);
/* As parsed, except that a host given without a scheme becomes
 * WHARF_SCHEME_AUTO while allow-insecure is set. */
WharfScheme     wharf_endpoint_get_scheme         (WharfEndpoint  *self);
gboolean        wharf_endpoint_is_loopback        (WharfEndpoint  *self);
gboolean        wharf_endpoint_is_docker_hub      (WharfEndpoint  *self);

/* Defaults to the domain; "Docker Hub" for docker.io. */
const char     *wharf_endpoint_get_display_name   (WharfEndpoint  *self);
void            wharf_endpoint_set_display_name   (WharfEndpoint  *self,
                                                   const char     *display_name);
WharfTlsPolicy  wharf_endpoint_get_tls_policy     (WharfEndpoint  *self);
void            wharf_endpoint_set_tls_policy     (WharfEndpoint  *self,
                                                   WharfTlsPolicy  policy);
/* The getters of display name and ca-file are for the main thread;
 * wharf_endpoint_dup_ca_file() is safe from any thread. */
const char     *wharf_endpoint_get_ca_file        (WharfEndpoint  *self);
char           *wharf_endpoint_dup_ca_file        (WharfEndpoint  *self);
/* Also sets the policy to WHARF_TLS_CA_FILE (or VERIFY when NULL). */
void            wharf_endpoint_set_ca_file        (WharfEndpoint  *self,
                                                   const char     *ca_file);
gboolean        wharf_endpoint_get_allow_insecure (WharfEndpoint  *self);
/* Allows plain HTTP (https first, then http) for a non-loopback host. */
void            wharf_endpoint_set_allow_insecure (WharfEndpoint  *self,
                                                   gboolean        allow_insecure);

G_END_DECLS
