/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-client.c: the distribution API over one SoupSession: auth, retries,
 * redirects, lists, manifests and blobs. */

#define G_LOG_DOMAIN "wharf-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "wharf-auth-private.h"
#include "wharf-client-private.h"
#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-reference.h"
#include "wharf-verify-stream.h"

#define MAX_ATTEMPTS             5
#define MAX_REDIRECTS            5
#define MAX_RETRY_WAIT_MS        60000
#define FIRST_BACKOFF_MS         500
#define FIRST_429_BACKOFF_MS     2000
#define ERROR_BODY_MAX           (64 * 1024)
#define TOKEN_BODY_MAX           (1024 * 1024)
#define LIST_BODY_MAX            (64 * 1024 * 1024)
#define TOKEN_EXPIRY_MARGIN      (10 * G_USEC_PER_SEC)
#define CATALOG_PAGE_SIZE        1000
#define CATALOG_SMALL_PAGE_SIZE  100
#define MAX_PAGES                100000

#define BODY_BYTES_KEY  "wharf-request-body"
#define BODY_TYPE_KEY   "wharf-request-body-type"
#define BODY_SENT_KEY   "wharf-request-body-sent"
#define PREPARED_KEY    "wharf-prepared"
#define TLS_ERRORS_KEY  "wharf-tls-errors"

typedef struct
{
  char   *token;
  gint64  expires_at;  /* g_get_real_time () units */
} CachedToken;

struct _WharfClient
{
  GObject          parent_instance;

  WharfEndpoint   *endpoint;
  SoupSession     *session;
  int              endpoint_port;  /* -1: the scheme's default */

  /* Everything below is shared by the threads using the client. */
  GMutex           mutex;
  WharfCredential *credential;
  WharfAuthScheme  auth_scheme;
  char            *bearer_realm;
  char            *bearer_service;
  GHashTable      *tokens;          /* realm\nservice\nscopes → CachedToken */
  char            *settled_scheme;  /* "http" or "https" once an AUTO endpoint answered */
  GTlsDatabase    *ca_database;
  char            *ca_database_file;
};

G_DEFINE_FINAL_TYPE (WharfClient, wharf_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENDPOINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cached_token_free (gpointer data)
{
  CachedToken *cached = data;

  _wharf_auth_wipe_string (cached->token);
  g_free (cached);
}

/* Boxed types */

static WharfPingResult *
ping_result_copy (const WharfPingResult *result)
{
  WharfPingResult *copy = g_new0 (WharfPingResult, 1);

  copy->base_url = g_strdup (result->base_url);
  copy->auth_scheme = result->auth_scheme;
  copy->signed_in = result->signed_in;
  copy->api_version = g_strdup (result->api_version);

  return copy;
}

void
wharf_ping_result_free (WharfPingResult *result)
{
  if (result == NULL)
    return;

  g_free (result->base_url);
  g_free (result->api_version);
  g_free (result);
}

G_DEFINE_BOXED_TYPE (WharfPingResult, wharf_ping_result, ping_result_copy, wharf_ping_result_free)

static WharfRawManifest *
raw_manifest_copy (const WharfRawManifest *manifest)
{
  WharfRawManifest *copy = g_new0 (WharfRawManifest, 1);

  copy->bytes = manifest->bytes ? g_bytes_ref (manifest->bytes) : NULL;
  copy->media_type = g_strdup (manifest->media_type);
  copy->digest = g_strdup (manifest->digest);

  return copy;
}

void
wharf_raw_manifest_free (WharfRawManifest *manifest)
{
  if (manifest == NULL)
    return;

  g_clear_pointer (&manifest->bytes, g_bytes_unref);
  g_free (manifest->media_type);
  g_free (manifest->digest);
  g_free (manifest);
}

G_DEFINE_BOXED_TYPE (WharfRawManifest, wharf_raw_manifest,
                     raw_manifest_copy, wharf_raw_manifest_free)

/* GObject */

/* The one place a session is made. */
static SoupSession *
create_session (void)
{
  SoupSession *session;

  /* 2 connections per host (the default) would serialise parallel layer and
   * tag-detail requests; the timeout makes a stalled server fail instead of
   * hang. */
  session = soup_session_new_with_options ("max-conns", 32,
                                           "max-conns-per-host", 8,
                                           "user-agent", "Wharf/" PACKAGE_VERSION,
                                           "timeout", 30,
                                           "idle-timeout", 60,
                                           NULL);

  /* Wharf answers challenges itself (tokens are per scope), and digests need
   * the exact bytes served, so no Accept-Encoding either. */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_AUTH_MANAGER);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);

  return session;
}

static void
wharf_client_constructed (GObject *object)
{
  WharfClient *self = (WharfClient *)object;
  g_autofree char *text = NULL;
  g_autoptr(GUri) uri = NULL;

  G_OBJECT_CLASS (wharf_client_parent_class)->constructed (object);

  g_assert (self->endpoint != NULL);

  self->session = create_session ();

  /* Without scheme normalisation, so that an absent port stays -1 and
   * means "the default of whichever scheme is used". */
  text = g_strconcat ("https://", wharf_endpoint_get_api_host (self->endpoint), "/", NULL);
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  self->endpoint_port = uri != NULL ? g_uri_get_port (uri) : -1;
}

static void
wharf_client_finalize (GObject *object)
{
  WharfClient *self = (WharfClient *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->endpoint);
  g_clear_pointer (&self->credential, wharf_credential_free);
  g_clear_pointer (&self->bearer_realm, g_free);
  g_clear_pointer (&self->bearer_service, g_free);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->settled_scheme, g_free);
  g_clear_object (&self->ca_database);
  g_clear_pointer (&self->ca_database_file, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (wharf_client_parent_class)->finalize (object);
}

static void
wharf_client_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WharfClient *self = WHARF_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_client_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WharfClient *self = WHARF_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_client_class_init (WharfClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = wharf_client_constructed;
  object_class->finalize = wharf_client_finalize;
  object_class->get_property = wharf_client_get_property;
  object_class->set_property = wharf_client_set_property;

  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL,
                         WHARF_TYPE_ENDPOINT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_client_init (WharfClient *self)
{
  g_mutex_init (&self->mutex);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_token_free);
  self->endpoint_port = -1;
}

WharfClient *
wharf_client_new (WharfEndpoint *endpoint)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (endpoint), NULL);

  return g_object_new (WHARF_TYPE_CLIENT,
                       "endpoint", endpoint,
                       NULL);
}

WharfEndpoint *
wharf_client_get_endpoint (WharfClient *self)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);

  return self->endpoint;
}

void
wharf_client_set_credential (WharfClient           *self,
                             const WharfCredential *credential)
{
  g_return_if_fail (WHARF_IS_CLIENT (self));

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->credential, wharf_credential_free);
  if (credential != NULL)
    self->credential = wharf_credential_copy (credential);
  g_hash_table_remove_all (self->tokens);
  g_mutex_unlock (&self->mutex);
}

WharfCredential *
wharf_client_dup_credential (WharfClient *self)
{
  WharfCredential *ret = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);

  g_mutex_lock (&self->mutex);
  if (self->credential != NULL)
    ret = wharf_credential_copy (self->credential);
  g_mutex_unlock (&self->mutex);

  return ret;
}

WharfAuthScheme
wharf_client_get_auth_scheme (WharfClient *self)
{
  WharfAuthScheme ret;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), WHARF_AUTH_SCHEME_UNKNOWN);

  g_mutex_lock (&self->mutex);
  ret = self->auth_scheme;
  g_mutex_unlock (&self->mutex);

  return ret;
}

static void
remember_challenge (WharfClient              *self,
                    const WharfAuthChallenge *challenge)
{
  g_mutex_lock (&self->mutex);
  if (g_str_equal (challenge->scheme, "bearer"))
    {
      const char *realm = _wharf_auth_challenge_get_param (challenge, "realm");
      const char *service = _wharf_auth_challenge_get_param (challenge, "service");

      self->auth_scheme = WHARF_AUTH_SCHEME_BEARER;
      if (g_strcmp0 (self->bearer_realm, realm) != 0)
        {
          g_free (self->bearer_realm);
          self->bearer_realm = g_strdup (realm);
        }
      if (g_strcmp0 (self->bearer_service, service) != 0)
        {
          g_free (self->bearer_service);
          self->bearer_service = g_strdup (service);
        }
    }
  else
    {
      self->auth_scheme = WHARF_AUTH_SCHEME_BASIC;
    }
  g_mutex_unlock (&self->mutex);
}

/* Hosts, origins and schemes */

static const char *
client_host (WharfClient *self)
{
  return wharf_endpoint_get_domain (self->endpoint);
}

static int
default_port (const char *scheme)
{
  return g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80;
}

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  return port > 0 ? port : default_port (g_uri_get_scheme (uri));
}

/* "host[:port]" as people read it, for messages about hosts other than the
 * endpoint (token services, redirect targets). */
static char *
uri_host_port (GUri *uri)
{
  const char *host = g_uri_get_host (uri) ? g_uri_get_host (uri) : "";
  gboolean ipv6 = strchr (host, ':') != NULL;
  int port = g_uri_get_port (uri);

  if (port > 0 && port != default_port (g_uri_get_scheme (uri)))
    return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, port);

  return g_strdup_printf (ipv6 ? "[%s]" : "%s", host);
}

static gboolean
uri_is_http (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0;
}

static gboolean
endpoint_allows_http (WharfClient *self)
{
  switch (wharf_endpoint_get_scheme (self->endpoint))
    {
    case WHARF_SCHEME_AUTO:
      return TRUE;

    case WHARF_SCHEME_HTTP:
      return wharf_endpoint_is_loopback (self->endpoint) ||
             wharf_endpoint_get_allow_insecure (self->endpoint);

    case WHARF_SCHEME_HTTPS:
    default:
      return FALSE;
    }
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Host and port of the registry itself, whatever the scheme. */
static gboolean
uri_has_endpoint_host (WharfClient *self,
                       GUri        *uri)
{
  const char *host = g_uri_get_host (uri);
  int port = self->endpoint_port > 0 ? self->endpoint_port
                                     : default_port (g_uri_get_scheme (uri));

  return host != NULL &&
         g_ascii_strcasecmp (host, wharf_endpoint_get_host (self->endpoint)) == 0 &&
         uri_port (uri) == port;
}

/* The registry itself, under a scheme it may be spoken to with. */
static gboolean
uri_is_endpoint (WharfClient *self,
                 GUri        *uri)
{
  return uri_has_endpoint_host (self, uri) && (!uri_is_http (uri) || endpoint_allows_http (self));
}

static gboolean
uri_same_origin (GUri *a,
                 GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a) ? g_uri_get_host (a) : "",
                             g_uri_get_host (b) ? g_uri_get_host (b) : "") == 0 &&
         uri_port (a) == uri_port (b);
}

static char *
dup_base_scheme (WharfClient *self)
{
  char *scheme;

  g_mutex_lock (&self->mutex);
  scheme = g_strdup (self->settled_scheme);
  g_mutex_unlock (&self->mutex);

  if (scheme == NULL)
    scheme = g_strdup (wharf_endpoint_get_scheme (self->endpoint) == WHARF_SCHEME_HTTP
                       ? "http" : "https");

  return scheme;
}

static gboolean
scheme_is_settled (WharfClient *self)
{
  gboolean ret;

  g_mutex_lock (&self->mutex);
  ret = self->settled_scheme != NULL;
  g_mutex_unlock (&self->mutex);

  return ret;
}

static void
settle_scheme (WharfClient *self,
               const char  *scheme)
{
  g_mutex_lock (&self->mutex);
  if (self->settled_scheme == NULL)
    {
      self->settled_scheme = g_ascii_strdown (scheme, -1);
      g_debug ("%s speaks %s", client_host (self), self->settled_scheme);
    }
  g_mutex_unlock (&self->mutex);
}

GUri *
_wharf_client_resolve_uri (WharfClient  *self,
                           const char   *path_or_url,
                           GError      **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *base_text = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *uri_scheme;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path_or_url != NULL, NULL);

  scheme = dup_base_scheme (self);
  base_text = g_strconcat (scheme, "://", wharf_endpoint_get_api_host (self->endpoint), "/", NULL);
  base = g_uri_parse (base_text, SOUP_HTTP_URI_FLAGS, NULL);
  if (base != NULL)
    uri = g_uri_parse_relative (base, path_or_url, SOUP_HTTP_URI_FLAGS, NULL);

  uri_scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (uri_scheme, "http") != 0 &&
       g_ascii_strcasecmp (uri_scheme, "https") != 0))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s pointed Wharf to “%s”, which is not a web address."),
                   client_host (self), path_or_url);
      return NULL;
    }

  return g_steal_pointer (&uri);
}

/* TLS */

static GTlsDatabase *
get_ca_database (WharfClient  *self,
                 GError      **error)
{
  g_autofree char *ca_file = wharf_endpoint_dup_ca_file (self->endpoint);
  GTlsDatabase *database = NULL;

  if (ca_file == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                   _("No CA certificate file is set for %s."), client_host (self));
      return NULL;
    }

  g_mutex_lock (&self->mutex);
  if (self->ca_database != NULL && g_strcmp0 (self->ca_database_file, ca_file) == 0)
    database = g_object_ref (self->ca_database);
  g_mutex_unlock (&self->mutex);

  if (database != NULL)
    return database;

  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return NULL;

  g_mutex_lock (&self->mutex);
  g_set_object (&self->ca_database, database);
  g_free (self->ca_database_file);
  self->ca_database_file = g_strdup (ca_file);
  g_mutex_unlock (&self->mutex);

  return database;
}

static gboolean
uri_is_realm_host (WharfClient *self,
                   GUri        *uri)
{
  g_autoptr(GUri) realm = NULL;
  g_autofree char *realm_text = NULL;

  g_mutex_lock (&self->mutex);
  realm_text = g_strdup (self->bearer_realm);
  g_mutex_unlock (&self->mutex);

  if (realm_text == NULL)
    return FALSE;

  realm = g_uri_parse (realm_text, SOUP_HTTP_URI_FLAGS, NULL);

  return realm != NULL && uri_same_origin (realm, uri);
}

/* Called in the thread sending the message, only when the system's CAs did
 * not vouch for the certificate. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       WharfClient          *self)
{
  GUri *uri = soup_message_get_uri (msg);

  /* Remembered for the error sentence: the handshake error alone does not
   * say what was wrong with the certificate. */
  g_object_set_data (G_OBJECT (msg), TLS_ERRORS_KEY, GUINT_TO_POINTER (errors | (1u << 31)));

  switch (wharf_endpoint_get_tls_policy (self->endpoint))
    {
    case WHARF_TLS_NO_VERIFY:
      /* The user vouched for this registry, not for hosts it sends us to. */
      return uri_is_endpoint (self, uri) || uri_is_realm_host (self, uri);

    case WHARF_TLS_CA_FILE:
      {
        g_autoptr(GTlsDatabase) database = NULL;
        g_autoptr(GSocketConnectable) identity = NULL;
        g_autoptr(GError) error = NULL;
        GTlsCertificateFlags flags;

        database = get_ca_database (self, &error);
        if (database == NULL)
          {
            g_debug ("Cannot use the CA file of %s: %s", client_host (self), error->message);
            return FALSE;
          }

        identity = g_network_address_new (g_uri_get_host (uri), uri_port (uri));
        flags = g_tls_database_verify_chain (database, certificate,
                                             G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                             identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                             NULL, &error);
        if (flags == 0 && error == NULL)
          {
            g_object_set_data (G_OBJECT (msg), TLS_ERRORS_KEY, NULL);
            return TRUE;
          }

        if (flags != 0)
          g_object_set_data (G_OBJECT (msg), TLS_ERRORS_KEY,
                             GUINT_TO_POINTER (flags | (1u << 31)));
        return FALSE;
      }

    case WHARF_TLS_VERIFY:
    default:
      return FALSE;
    }
}

static GError *
certificate_error (const char           *host,
                   GTlsCertificateFlags  flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s is not signed by a trusted authority. Give its "
                          "CA certificate in the registry’s TLS settings (--ca-file FILE)."),
                        host);
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s was made for another host name. Check "
                          "the address, or ask the registry’s administrator for a "
                          "matching certificate."),
                        host);
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s has expired. Check your computer’s clock, or "
                          "ask the registry’s administrator to renew it."),
                        host);
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s is not valid yet. Check your "
                          "computer’s clock."),
                        host);
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s has been revoked. Do not trust this server "
                          "until its administrator replaces it."),
                        host);
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                        _("The certificate of %s uses an insecure algorithm. Ask the registry’s "
                          "administrator for a new certificate."),
                        host);

  return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE,
                      _("The certificate of %s could not be verified. Give its CA certificate "
                        "in the registry’s TLS settings (--ca-file FILE)."),
                      host);
}

static gboolean
message_had_certificate_error (SoupMessage          *msg,
                               GTlsCertificateFlags *flags)
{
  guint stored = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), TLS_ERRORS_KEY));

  if (stored == 0)
    return FALSE;

  *flags = stored & ~(1u << 31);
  return TRUE;
}

/* Maps a transport failure to a sentence naming the host; takes @error. */
static GError *
map_transport_error (WharfClient *self,
                     SoupMessage *msg,
                     GError      *error)
{
  g_autoptr(GError) owned = error;
  g_autofree char *host = NULL;
  GUri *uri = soup_message_get_uri (msg);
  GTlsCertificateFlags flags = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == WHARF_ERROR)
    return g_steal_pointer (&owned);

  host = uri_is_endpoint (self, uri) ? g_strdup (client_host (self)) : uri_host_port (uri);

  if (message_had_certificate_error (msg, &flags) ||
      g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return certificate_error (host, flags);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TLS,
                        _("The secure connection to %s failed: %s"), host, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_CONNECTION_REFUSED,
                        _("%s refused the connection. Is the registry running?"), host);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_HOST_NOT_FOUND,
                        _("Could not find %s. Check the address and your network connection."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TIMED_OUT,
                        _("%s did not answer in time."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_NETWORK,
                        _("%s cannot be reached. Check your network connection."), host);

  return g_error_new (WHARF_ERROR, WHARF_ERROR_NETWORK,
                      _("The connection to %s failed: %s"), host, error->message);
}

/* Request bodies */

void
_wharf_client_set_request_body (SoupMessage *msg,
                                const char  *content_type,
                                GBytes      *bytes)
{
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (bytes != NULL);

  soup_message_set_request_body_from_bytes (msg, content_type, bytes);
  g_object_set_data_full (G_OBJECT (msg), BODY_BYTES_KEY, g_bytes_ref (bytes),
                          (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (msg), BODY_TYPE_KEY, g_strdup (content_type), g_free);
}

static gboolean
message_has_stream_body (SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (g_object_get_data (G_OBJECT (msg), BODY_BYTES_KEY) != NULL)
    return FALSE;

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CHUNKED:
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_BYTERANGES:
      return TRUE;

    case SOUP_ENCODING_CONTENT_LENGTH:
      return soup_message_headers_get_content_length (headers) > 0;

    case SOUP_ENCODING_UNRECOGNIZED:
    case SOUP_ENCODING_NONE:
    default:
      return FALSE;
    }
}

/* libsoup closes a body stream once sent; bodies given as bytes are set again. */
static gboolean
message_can_resend (SoupMessage *msg)
{
  GBytes *bytes = g_object_get_data (G_OBJECT (msg), BODY_BYTES_KEY);

  if (bytes != NULL)
    {
      soup_message_set_request_body_from_bytes (msg,
                                                g_object_get_data (G_OBJECT (msg), BODY_TYPE_KEY),
                                                bytes);
      return TRUE;
    }

  return g_object_get_data (G_OBJECT (msg), BODY_SENT_KEY) == NULL;
}

/* Reading a short leftover body to its end lets libsoup reuse the connection. */
static void
discard_stream (GInputStream *stream)
{
  if (stream == NULL)
    return;

  g_input_stream_skip (stream, ERROR_BODY_MAX, NULL, NULL);
  g_input_stream_close (stream, NULL, NULL);
}

static GBytes *
read_limited (GInputStream  *stream,
              gsize          max_size,
              gboolean      *too_large,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  *too_large = FALSE;

  for (;;)
    {
      const gsize chunk = 64 * 1024;
      gsize old_len = buffer->len;
      gssize n_read;

      g_byte_array_set_size (buffer, old_len + chunk);
      n_read = g_input_stream_read (stream, buffer->data + old_len, chunk, cancellable, error);
      if (n_read < 0)
        return NULL;

      g_byte_array_set_size (buffer, old_len + n_read);
      if (n_read == 0)
        break;

      if (buffer->len > max_size)
        {
          *too_large = TRUE;
          break;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

static gint64
response_content_length (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Content-Length");
  guint64 length;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &length, NULL))
    return -1;

  return length;
}

/* Sending: redirects, scheme, retries, auth — each layer wraps the one above. */

static void
prepare_message (WharfClient *self,
                 SoupMessage *msg)
{
  if (g_object_get_data (G_OBJECT (msg), PREPARED_KEY) != NULL)
    return;

  g_object_set_data (G_OBJECT (msg), PREPARED_KEY, GINT_TO_POINTER (TRUE));
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect_object (msg, "accept-certificate",
                           G_CALLBACK (accept_certificate_cb), self, 0);
}

static void
copy_header_cb (const char *name,
                const char *value,
                gpointer    user_data)
{
  SoupMessageHeaders *to = user_data;

  if (g_ascii_strcasecmp (name, "Authorization") == 0 ||
      g_ascii_strcasecmp (name, "Host") == 0 ||
      g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Transfer-Encoding") == 0 ||
      g_ascii_strcasecmp (name, "Content-Type") == 0)
    return;

  soup_message_headers_append (to, name, value);
}

static gboolean
uri_may_get_authorization (WharfClient *self,
                           GUri        *uri,
                           GUri        *auth_origin)
{
  if (auth_origin != NULL)
    return uri_same_origin (uri, auth_origin);

  return uri_is_endpoint (self, uri);
}

/* Sends *msg and follows redirects itself: libsoup 3.2 would carry
 * Authorization to whatever host a redirect names. Transport errors are
 * returned raw; the caller maps them. */
static GInputStream *
send_following_redirects (WharfClient   *self,
                          SoupMessage  **msg,
                          const char    *authorization,
                          GUri          *auth_origin,
                          GCancellable  *cancellable,
                          GError       **error)
{
  for (guint redirects = 0; ; redirects++)
    {
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GUri) target = NULL;
      g_autoptr(SoupMessage) next = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (*msg);
      GUri *uri = soup_message_get_uri (*msg);
      const char *method = soup_message_get_method (*msg);
      const char *location;
      gboolean keep_body;
      guint status;

      if (uri_is_http (uri) && uri_has_endpoint_host (self, uri) && !endpoint_allows_http (self))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INSECURE,
                       _("Wharf refuses to send credentials and images over plain HTTP to %s. "
                         "Allow insecure connections in its settings if you trust the network."),
                       client_host (self));
          return NULL;
        }

      if (authorization != NULL && uri_may_get_authorization (self, uri, auth_origin))
        soup_message_headers_replace (headers, "Authorization", authorization);
      else
        soup_message_headers_remove (headers, "Authorization");

      prepare_message (self, *msg);
      g_object_set_data (G_OBJECT (*msg), TLS_ERRORS_KEY, NULL);

      if (message_has_stream_body (*msg))
        g_object_set_data (G_OBJECT (*msg), BODY_SENT_KEY, GINT_TO_POINTER (TRUE));

      g_debug ("%s %s", method, g_uri_get_path (uri));
      stream = soup_session_send (self->session, *msg, cancellable, error);

      /* The caller may keep the message: no secret stays on it. */
      soup_message_headers_remove (headers, "Authorization");

      if (stream == NULL)
        return NULL;

      status = soup_message_get_status (*msg);
      location = soup_message_headers_get_one (soup_message_get_response_headers (*msg),
                                               "Location");

      if ((status != 301 && status != 302 && status != 303 && status != 307 && status != 308) ||
          location == NULL)
        return g_steal_pointer (&stream);

      if (redirects >= MAX_REDIRECTS)
        {
          discard_stream (stream);
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("%s redirected Wharf too many times."), client_host (self));
          return NULL;
        }

      target = g_uri_parse_relative (uri, location, SOUP_HTTP_URI_FLAGS, NULL);
      if (target == NULL || g_uri_get_host (target) == NULL ||
          (g_ascii_strcasecmp (g_uri_get_scheme (target), "https") != 0 && !uri_is_http (target)))
        {
          discard_stream (stream);
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("%s redirected Wharf to “%s”, which is not a web address."),
                       client_host (self), location);
          return NULL;
        }

      /* No downgrade to plain HTTP unless the user allowed plain HTTP. */
      if (!uri_is_http (uri) && uri_is_http (target) && !endpoint_allows_http (self))
        {
          g_autofree char *target_host = uri_host_port (target);

          discard_stream (stream);
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INSECURE,
                       _("%s redirected Wharf to plain HTTP at %s, which it refuses. Allow "
                         "insecure connections in its settings if you trust the network."),
                       client_host (self), target_host);
          return NULL;
        }

      keep_body = !(status == 303 ||
                    ((status == 301 || status == 302) && g_str_equal (method, SOUP_METHOD_POST)));
      if (keep_body && message_has_stream_body (*msg))
        {
          discard_stream (stream);
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("%s redirected an upload, which Wharf cannot follow."),
                       client_host (self));
          return NULL;
        }

      discard_stream (stream);

      /* 303 (and 301/302 after a POST) turns the request into a GET. */
      if (!keep_body && !g_str_equal (method, SOUP_METHOD_HEAD))
        method = SOUP_METHOD_GET;
      next = soup_message_new_from_uri (method, target);
      soup_message_headers_foreach (headers, copy_header_cb,
                                    soup_message_get_request_headers (next));

      if (keep_body && g_object_get_data (G_OBJECT (*msg), BODY_BYTES_KEY) != NULL)
        _wharf_client_set_request_body (next,
                                        g_object_get_data (G_OBJECT (*msg), BODY_TYPE_KEY),
                                        g_object_get_data (G_OBJECT (*msg), BODY_BYTES_KEY));

      {
        g_autofree char *target_host = uri_host_port (target);

        g_debug ("Redirected (%u) to %s", status, target_host);
      }

      g_object_unref (*msg);
      *msg = g_steal_pointer (&next);
    }
}

/* A TLS failure that says "this port does not speak TLS" rather than "this
 * certificate is bad": worth trying plain HTTP on the same port. A
 * certificate error is not: the server did speak TLS, and Go registries
 * answer plain HTTP there with a 400 that would look like success. */
static gboolean
is_not_tls_error (SoupMessage  *msg,
                  const GError *error)
{
  GTlsCertificateFlags flags;

  if (message_had_certificate_error (msg, &flags) ||
      g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return FALSE;

  return error->domain == G_TLS_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

/* A loopback endpoint without a scheme is probed over plain HTTP first:
 * local registries nearly all speak it, nobody else can read loopback
 * traffic, and it spares loading the system's CA store (16 MiB of heap in
 * GnuTLS) that an https attempt costs even when it fails. Elsewhere (an
 * insecure remote registry) https goes first, so that a first request with
 * credentials never travels in clear text to a server that speaks TLS. */
static gboolean
probes_http_first (WharfClient *self)
{
  return wharf_endpoint_is_loopback (self->endpoint);
}

/* Whether a plain HTTP request came back with the answer of a TLS port:
 * Go's TLS listener (distribution) answers "400 Bad Request" with "Client
 * sent an HTTP request to an HTTPS server.", nginx with "The plain HTTP
 * request was sent to HTTPS port". The body of a 400 is read to tell; a
 * genuine 400 is handed on in *stream as the bytes read. */
static gboolean
answer_is_from_tls_port (SoupMessage    *msg,
                         GInputStream  **stream,
                         GCancellable   *cancellable)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  gboolean too_large = FALSE;
  gsize len = 0;
  const char *data;

  if (soup_message_get_status (msg) != SOUP_STATUS_BAD_REQUEST)
    return FALSE;

  body = read_limited (*stream, ERROR_BODY_MAX, &too_large, cancellable, NULL);
  if (body == NULL)
    body = g_bytes_new (NULL, 0);
  g_input_stream_close (*stream, NULL, NULL);
  g_object_unref (*stream);
  *stream = g_memory_input_stream_new_from_bytes (body);

  data = g_bytes_get_data (body, &len);
  text = g_strndup (data != NULL ? data : "", MIN (len, 1024));

  return strstr (text, "HTTP request to an HTTPS server") != NULL ||
         strstr (text, "plain HTTP request was sent to HTTPS port") != NULL;
}

/* A failure of a plain HTTP request that a TLS port may cause: it closes
 * the connection, or answers with a TLS alert that does not parse as HTTP.
 * Refused connections, unknown hosts and timeouts would be the same over
 * https. */
static gboolean
may_be_tls_port_error (const GError *error)
{
  return error->domain == SOUP_SESSION_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* The first request to an unsettled loopback AUTO endpoint (see
 * probes_http_first()): plain http; https only if the port turns out to
 * speak TLS. A certificate error of that https attempt is reported as it
 * is, never answered by falling back to http. */
static GInputStream *
send_probing_http_first (WharfClient   *self,
                         SoupMessage  **msg,
                         const char    *authorization,
                         GUri          *auth_origin,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GUri) https_uri = g_uri_ref (soup_message_get_uri (*msg));
  g_autoptr(GUri) http_uri = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) http_error = NULL;
  SoupMessage *first_msg = *msg;

  http_uri = soup_uri_copy (https_uri, SOUP_URI_SCHEME, "http", SOUP_URI_NONE);
  soup_message_set_uri (*msg, http_uri);

  stream = send_following_redirects (self, msg, authorization, auth_origin,
                                     cancellable, &local_error);

  /* Redirected: whatever happened next, the endpoint answered in HTTP. */
  if (*msg != first_msg)
    {
      if (stream == NULL)
        {
          g_propagate_error (error, map_transport_error (self, *msg,
                                                         g_steal_pointer (&local_error)));
          return NULL;
        }
      settle_scheme (self, "http");
      return g_steal_pointer (&stream);
    }

  if (stream != NULL)
    {
      if (!answer_is_from_tls_port (*msg, &stream, cancellable))
        {
          settle_scheme (self, "http");
          return g_steal_pointer (&stream);
        }
      g_debug ("%s speaks TLS; trying https", client_host (self));
      g_clear_object (&stream);
    }
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           !may_be_tls_port_error (local_error))
    {
      g_propagate_error (error, map_transport_error (self, *msg, g_steal_pointer (&local_error)));
      return NULL;
    }
  else
    {
      g_debug ("Plain HTTP to %s failed (%s); trying https",
               client_host (self), local_error->message);
      http_error = map_transport_error (self, *msg, g_steal_pointer (&local_error));
    }

  soup_message_set_uri (*msg, https_uri);
  if (!message_can_resend (*msg))
    {
      /* Only a streamed body is lost this way; the next request goes
       * straight to https. */
      settle_scheme (self, "https");
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NETWORK,
                   _("%s speaks HTTPS, not plain HTTP. Try again."), client_host (self));
      return NULL;
    }

  stream = send_following_redirects (self, msg, authorization, auth_origin,
                                     cancellable, &local_error);
  if (stream != NULL)
    {
      settle_scheme (self, "https");
      return g_steal_pointer (&stream);
    }

  /* Neither spoke: the plain HTTP failure says more unless TLS did get as
   * far as a certificate or a handshake of its own. */
  if (http_error != NULL && *msg == first_msg &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      is_not_tls_error (*msg, local_error))
    g_propagate_error (error, g_steal_pointer (&http_error));
  else
    g_propagate_error (error, map_transport_error (self, *msg, g_steal_pointer (&local_error)));

  return NULL;
}

/* Works out the scheme of an AUTO endpoint on the first request: plain http
 * first on loopback (send_probing_http_first()), else https first, then
 * plain http if TLS does not happen. Maps transport errors. */
static GInputStream *
send_to_endpoint (WharfClient   *self,
                  SoupMessage  **msg,
                  const char    *authorization,
                  GUri          *auth_origin,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GUri) first_uri = g_uri_ref (soup_message_get_uri (*msg));
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) https_error = NULL;
  g_autoptr(GUri) http_uri = NULL;
  SoupMessage *first_msg = *msg;
  gboolean to_endpoint;
  gboolean may_fall_back;

  to_endpoint = uri_is_endpoint (self, first_uri);
  may_fall_back = to_endpoint &&
                  wharf_endpoint_get_scheme (self->endpoint) == WHARF_SCHEME_AUTO &&
                  !scheme_is_settled (self) &&
                  !uri_is_http (first_uri);

  if (may_fall_back && probes_http_first (self))
    return send_probing_http_first (self, msg, authorization, auth_origin, cancellable, error);

  stream = send_following_redirects (self, msg, authorization, auth_origin,
                                     cancellable, &local_error);
  if (stream != NULL)
    {
      if (to_endpoint && wharf_endpoint_get_scheme (self->endpoint) == WHARF_SCHEME_AUTO)
        settle_scheme (self, g_uri_get_scheme (first_uri));
      return g_steal_pointer (&stream);
    }

  if (!may_fall_back || *msg != first_msg || !is_not_tls_error (*msg, local_error) ||
      !message_can_resend (*msg))
    {
      g_propagate_error (error, map_transport_error (self, *msg, g_steal_pointer (&local_error)));
      return NULL;
    }

  g_debug ("%s does not speak TLS (%s); trying plain HTTP",
           client_host (self), local_error->message);
  https_error = map_transport_error (self, *msg, g_steal_pointer (&local_error));

  http_uri = soup_uri_copy (first_uri, SOUP_URI_SCHEME, "http", SOUP_URI_NONE);
  soup_message_set_uri (*msg, http_uri);

  stream = send_following_redirects (self, msg, authorization, auth_origin,
                                     cancellable, &local_error);
  if (stream != NULL)
    {
      settle_scheme (self, "http");
      return g_steal_pointer (&stream);
    }

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      !g_error_matches (https_error, WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE))
    g_propagate_error (error, map_transport_error (self, *msg, g_steal_pointer (&local_error)));
  else
    g_propagate_error (error, g_steal_pointer (&https_error));

  return NULL;
}

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean cancelled;
} Waiter;

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     Waiter       *waiter)
{
  g_mutex_lock (&waiter->mutex);
  waiter->cancelled = TRUE;
  g_cond_signal (&waiter->cond);
  g_mutex_unlock (&waiter->mutex);
}

/* Waits @ms milliseconds, or less if @cancellable fires. */
static gboolean
wait_cancellable (guint64        ms,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Waiter waiter = { 0 };
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  gulong handler = 0;

  g_mutex_init (&waiter.mutex);
  g_cond_init (&waiter.cond);

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb), &waiter, NULL);

  g_mutex_lock (&waiter.mutex);
  while (!waiter.cancelled)
    {
      if (!g_cond_wait_until (&waiter.cond, &waiter.mutex, end))
        break;
    }
  g_mutex_unlock (&waiter.mutex);

  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  g_cond_clear (&waiter.cond);
  g_mutex_clear (&waiter.mutex);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
status_is_retryable (guint status)
{
  return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
}

/* Sends, retrying 429 (Retry-After) and 408/502/503/504 (backoff). */
static GInputStream *
send_with_retries (WharfClient   *self,
                   SoupMessage  **msg,
                   const char    *authorization,
                   GUri          *auth_origin,
                   gboolean       may_retry,
                   GCancellable  *cancellable,
                   GError       **error)
{
  guint n_throttled = 0;
  guint n_unavailable = 0;

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GInputStream) stream = NULL;
      guint status;
      guint64 wait_ms;

      stream = send_to_endpoint (self, msg, authorization, auth_origin, cancellable, error);
      if (stream == NULL)
        return NULL;

      status = soup_message_get_status (*msg);
      if (!may_retry || attempt >= MAX_ATTEMPTS || !status_is_retryable (status) ||
          !message_can_resend (*msg))
        return g_steal_pointer (&stream);

      if (status == 429)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          const char *retry_after =
            soup_message_headers_get_one (soup_message_get_response_headers (*msg), "Retry-After");
          gint64 seconds = _wharf_auth_parse_retry_after (retry_after, now);

          if (seconds >= 0)
            wait_ms = (guint64) seconds * 1000;
          else
            wait_ms = (guint64) FIRST_429_BACKOFF_MS << n_throttled;
          n_throttled++;
        }
      else
        {
          wait_ms = (guint64) FIRST_BACKOFF_MS << n_unavailable;
          n_unavailable++;
        }

      wait_ms = MIN (wait_ms, MAX_RETRY_WAIT_MS);
      g_debug ("%s answered %u; trying again in %" G_GUINT64_FORMAT " ms",
               client_host (self), status, wait_ms);

      discard_stream (stream);
      if (!wait_cancellable (wait_ms, cancellable, error))
        return NULL;
    }
}

/* Tokens */

static gboolean
realm_is_allowed (WharfClient  *self,
                  GUri         *realm,
                  GError      **error)
{
  g_autofree char *realm_host = NULL;

  if (!uri_is_http (realm))
    return TRUE;

  if (host_is_loopback (g_uri_get_host (realm)) ||
      wharf_endpoint_get_allow_insecure (self->endpoint) ||
      wharf_endpoint_get_scheme (self->endpoint) == WHARF_SCHEME_HTTP)
    return TRUE;

  realm_host = uri_host_port (realm);
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INSECURE,
               _("Wharf refuses to send credentials and images over plain HTTP to %s. "
                 "Allow insecure connections in its settings if you trust the network."),
               realm_host);
  return FALSE;
}

static void
append_query_param (GString    *query,
                    const char *name,
                    const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "%s=%s", name, escaped);
}

static GError *
token_status_error (WharfClient *self,
                    guint        status,
                    gboolean     with_credentials)
{
  if (status == 401 || status == 403)
    {
      if (with_credentials)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_AUTH_FAILED,
                            _("Wrong username or password for %s."), client_host (self));
      return g_error_new (WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED,
                          _("%s needs you to sign in."), client_host (self));
    }

  if (status == 429)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TOO_MANY_REQUESTS,
                        _("The sign-in service of %s is limiting requests. Try again later."),
                        client_host (self));

  if (status >= 500)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_SERVER,
                        _("The sign-in service of %s failed (HTTP %u). Try again later."),
                        client_host (self), status);

  return g_error_new (WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                      _("The sign-in service of %s answered HTTP %u instead of a token."),
                      client_host (self), status);
}

/* One request to the token service; returns the body of a 200 or sets
 * @status for the caller to judge. */
static GBytes *
token_request (WharfClient   *self,
               SoupMessage  **msg,
               const char    *authorization,
               GUri          *realm,
               guint         *status,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;
  gboolean too_large = FALSE;
  GBytes *body;

  stream = send_with_retries (self, msg, authorization, realm, TRUE, cancellable, error);
  if (stream == NULL)
    return NULL;

  *status = soup_message_get_status (*msg);
  if (*status != SOUP_STATUS_OK)
    {
      discard_stream (stream);
      return NULL;
    }

  body = read_limited (stream, TOKEN_BODY_MAX, &too_large, cancellable, error);
  g_input_stream_close (stream, NULL, NULL);
  if (body != NULL && too_large)
    {
      g_bytes_unref (body);
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("The sign-in service of %s sent an answer too large to be a token."),
                   client_host (self));
      return NULL;
    }

  return body;
}

/* Asks the realm for a token valid for @scopes. With no scope, it only
 * proves the credentials. */
static gboolean
fetch_token (WharfClient            *self,
             const char             *realm_text,
             const char             *service,
             GPtrArray              *scopes,
             const WharfCredential  *credential,
             char                  **token,
             gint64                 *expires_at,
             GCancellable           *cancellable,
             GError                **error)
{
  g_autoptr(GUri) realm = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean with_credentials = credential != NULL && credential->secret != NULL;
  guint status = 0;

  realm = g_uri_parse (realm_text, SOUP_HTTP_URI_FLAGS, NULL);
  if (realm == NULL || g_uri_get_host (realm) == NULL ||
      (g_ascii_strcasecmp (g_uri_get_scheme (realm), "https") != 0 && !uri_is_http (realm)))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s names a sign-in service that is not a web address."),
                   client_host (self));
      return FALSE;
    }

  if (!realm_is_allowed (self, realm, error))
    return FALSE;

  /* An identity token is an OAuth2 refresh token: POST it. */
  if (with_credentials && credential->identity_token)
    {
      g_autoptr(SoupMessage) msg = soup_message_new_from_uri (SOUP_METHOD_POST, realm);
      g_autoptr(GString) form = g_string_new (NULL);
      g_autoptr(GString) scope = g_string_new (NULL);
      g_autoptr(GBytes) form_bytes = NULL;

      for (guint i = 0; i < scopes->len; i++)
        {
          if (i > 0)
            g_string_append_c (scope, ' ');
          g_string_append (scope, g_ptr_array_index (scopes, i));
        }

      append_query_param (form, "grant_type", "refresh_token");
      if (service != NULL)
        append_query_param (form, "service", service);
      append_query_param (form, "client_id", "wharf");
      append_query_param (form, "refresh_token", credential->secret);
      if (scope->len > 0)
        append_query_param (form, "scope", scope->str);

      form_bytes = g_bytes_new (form->str, form->len);
      memset (form->str, 0, form->len);
      _wharf_client_set_request_body (msg, "application/x-www-form-urlencoded", form_bytes);

      body = token_request (self, &msg, NULL, realm, &status, cancellable, error);
      if (body == NULL && status == 0)
        return FALSE;
      if (body == NULL && status != SOUP_STATUS_NOT_FOUND)
        {
          g_propagate_error (error, token_status_error (self, status, TRUE));
          return FALSE;
        }
    }

  /* The GET form, also the fallback for token services without OAuth2. */
  if (body == NULL)
    {
      g_autoptr(GString) url = g_string_new (realm_text);
      g_autoptr(GString) query = g_string_new (NULL);
      g_autoptr(GUri) uri = NULL;
      g_autoptr(SoupMessage) msg = NULL;
      char *authorization = NULL;

      if (service != NULL)
        append_query_param (query, "service", service);
      for (guint i = 0; i < scopes->len; i++)
        append_query_param (query, "scope", g_ptr_array_index (scopes, i));
      if (with_credentials && credential->username != NULL && credential->username[0] != '\0')
        append_query_param (query, "account", credential->username);

      if (query->len > 0)
        {
          g_string_append_c (url, g_uri_get_query (realm) != NULL ? '&' : '?');
          g_string_append (url, query->str);
        }

      uri = g_uri_parse (url->str, SOUP_HTTP_URI_FLAGS, NULL);
      if (uri == NULL)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("%s names a sign-in service that is not a web address."),
                       client_host (self));
          return FALSE;
        }

      msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
      if (with_credentials)
        authorization = _wharf_auth_basic_value (credential->username, credential->secret);

      status = 0;
      body = token_request (self, &msg, authorization, realm, &status, cancellable, &local_error);
      _wharf_auth_wipe_string (authorization);

      if (body == NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_propagate_error (error, token_status_error (self, status, with_credentials));
          return FALSE;
        }
    }

  if (!_wharf_auth_parse_token_response (body, g_get_real_time (), token, expires_at,
                                         &local_error))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("The sign-in service of %s did not answer with a token."),
                   client_host (self));
      return FALSE;
    }

  return TRUE;
}

static char *
get_token (WharfClient            *self,
           const char             *realm,
           const char             *service,
           GPtrArray              *scopes,
           const WharfCredential  *credential,
           gboolean                fresh,
           GCancellable           *cancellable,
           GError                **error)
{
  g_autofree char *scopes_key = _wharf_auth_scopes_to_key (scopes);
  g_autofree char *key = g_strdup_printf ("%s\n%s\n%s", realm, service ? service : "", scopes_key);
  CachedToken *cached;
  char *token = NULL;
  gint64 expires_at = 0;

  if (!fresh)
    {
      g_mutex_lock (&self->mutex);
      cached = g_hash_table_lookup (self->tokens, key);
      if (cached != NULL && g_get_real_time () < cached->expires_at - TOKEN_EXPIRY_MARGIN)
        token = g_strdup (cached->token);
      g_mutex_unlock (&self->mutex);

      if (token != NULL)
        return token;
    }

  g_debug ("Asking for a token for “%s”", scopes_key);

  if (!fetch_token (self, realm, service, scopes, credential, &token, &expires_at,
                    cancellable, error))
    return NULL;

  cached = g_new0 (CachedToken, 1);
  cached->token = g_strdup (token);
  cached->expires_at = expires_at;

  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->tokens, g_steal_pointer (&key), cached);
  g_mutex_unlock (&self->mutex);

  return token;
}

/* The Authorization value for a request, as far as the auth scheme is
 * known: Basic credentials up front, or a token fetched before sending. */
static gboolean
make_authorization (WharfClient            *self,
                    const WharfCredential  *credential,
                    GPtrArray              *scopes,
                    gboolean                fresh,
                    char                  **authorization,
                    GCancellable           *cancellable,
                    GError                **error)
{
  WharfAuthScheme scheme;
  g_autofree char *realm = NULL;
  g_autofree char *service = NULL;

  g_mutex_lock (&self->mutex);
  scheme = self->auth_scheme;
  realm = g_strdup (self->bearer_realm);
  service = g_strdup (self->bearer_service);
  g_mutex_unlock (&self->mutex);

  *authorization = NULL;

  if (scheme == WHARF_AUTH_SCHEME_BASIC && credential != NULL)
    {
      *authorization = _wharf_auth_basic_value (credential->username, credential->secret);
    }
  else if (scheme == WHARF_AUTH_SCHEME_BEARER && realm != NULL)
    {
      char *token = get_token (self, realm, service, scopes, credential, fresh,
                               cancellable, error);

      if (token == NULL)
        return FALSE;

      *authorization = g_strconcat ("Bearer ", token, NULL);
      _wharf_auth_wipe_string (token);
    }

  return TRUE;
}

/* Errors */

static gboolean
parse_registry_error (GBytes  *body,
                      char   **code,
                      char   **message,
                      char   **detail)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonNode *errors;
  JsonNode *first;
  JsonObject *object;
  const char *data;
  gsize len = 0;

  *code = *message = *detail = NULL;

  if (body == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &len);
  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  errors = json_object_get_member (json_node_get_object (root), "errors");
  if (errors == NULL || !JSON_NODE_HOLDS_ARRAY (errors) ||
      json_array_get_length (json_node_get_array (errors)) == 0)
    return FALSE;

  first = json_array_get_element (json_node_get_array (errors), 0);
  if (!JSON_NODE_HOLDS_OBJECT (first))
    return FALSE;

  object = json_node_get_object (first);
  *code = g_strdup (json_object_get_string_member_with_default (object, "code", NULL));
  *message = g_strdup (json_object_get_string_member_with_default (object, "message", NULL));

  if (json_object_has_member (object, "detail"))
    {
      JsonNode *node = json_object_get_member (object, "detail");

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        *detail = g_strdup (json_node_get_string (node));
      else if (!JSON_NODE_HOLDS_NULL (node))
        *detail = json_to_string (node, FALSE);
    }

  return *code != NULL;
}

/* The repository and reference a request was about, from its path:
 * /v2/<name>/(manifests|blobs|tags)/<ref>. */
static void
split_request_path (GUri   *uri,
                    char  **repository,
                    char  **kind,
                    char  **reference)
{
  const char *path = g_uri_get_path (uri);
  static const char * const kinds[] = { "/manifests/", "/blobs/", "/tags/", NULL };

  *repository = *kind = *reference = NULL;

  if (!g_str_has_prefix (path, "/v2/"))
    return;
  path += 4;

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      const char *found = g_strrstr (path, kinds[i]);

      if (found != NULL)
        {
          *repository = g_strndup (path, found - path);
          *kind = g_strndup (kinds[i] + 1, strlen (kinds[i]) - 2);
          *reference = g_uri_unescape_string (found + strlen (kinds[i]), NULL);
          return;
        }
    }
}

static char *
format_reference (const char *repository,
                  const char *reference)
{
  if (reference == NULL)
    return g_strdup (repository);

  return g_strconcat (repository, strchr (reference, ':') != NULL ? "@" : ":", reference, NULL);
}

GError *
_wharf_client_error_from_response (WharfClient *self,
                                   SoupMessage *msg,
                                   GBytes      *body,
                                   const char  *repository)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *path_repository = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *what = NULL;
  g_autoptr(WharfCredential) credential = NULL;
  const char *host;
  const char *method;
  guint status;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);

  host = client_host (self);
  status = soup_message_get_status (msg);
  method = soup_message_get_method (msg);
  credential = wharf_client_dup_credential (self);

  parse_registry_error (body, &code, &message, &detail);
  split_request_path (soup_message_get_uri (msg), &path_repository, &kind, &reference);
  if (repository == NULL)
    repository = path_repository;

  if (code != NULL)
    g_debug ("%s answered %u %s", host, status, code);

  if (g_strcmp0 (code, "NAME_UNKNOWN") == 0 ||
      (status == 404 && code == NULL && g_strcmp0 (kind, "tags") == 0))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                        _("There is no repository “%s” on %s."),
                        repository ? repository : "", host);

  if (g_strcmp0 (code, "MANIFEST_UNKNOWN") == 0 ||
      (status == 404 && code == NULL && g_strcmp0 (kind, "manifests") == 0))
    {
      what = format_reference (repository ? repository : "", reference);
      return g_error_new (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                          _("“%s” was not found on %s."), what, host);
    }

  if (g_strcmp0 (code, "BLOB_UNKNOWN") == 0 ||
      (status == 404 && code == NULL && g_strcmp0 (kind, "blobs") == 0))
    return g_error_new (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                        _("The blob %s is not in “%s” on %s."),
                        reference ? reference : "", repository ? repository : "", host);

  if (g_strcmp0 (code, "BLOB_UPLOAD_UNKNOWN") == 0)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                        _("%s no longer knows the upload to “%s”. Start it again."),
                        host, repository ? repository : "");

  if (g_strcmp0 (code, "TOOMANYREQUESTS") == 0 || status == 429)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_TOO_MANY_REQUESTS,
                        _("%s is limiting requests and still refused after several tries. "
                          "Try again later."),
                        host);

  if (g_strcmp0 (code, "UNSUPPORTED") == 0 || status == 405)
    {
      if (g_strcmp0 (method, SOUP_METHOD_DELETE) == 0)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                            _("Deleting is disabled on %s (storage.delete.enabled)."), host);
      return g_error_new (WHARF_ERROR, WHARF_ERROR_UNSUPPORTED,
                          _("%s does not support this operation."), host);
    }

  if (g_strcmp0 (code, "DENIED") == 0 || g_strcmp0 (code, "UNAUTHORIZED") == 0 ||
      status == 401 || status == 403)
    {
      if (credential == NULL)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED,
                            _("%s needs you to sign in."), host);
      if (repository != NULL)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_DENIED,
                            _("Your account on %s is not allowed to do this with “%s”."),
                            host, repository);
      return g_error_new (WHARF_ERROR, WHARF_ERROR_DENIED,
                          _("Your account on %s is not allowed to do this."), host);
    }

  if (code != NULL && (g_str_has_prefix (code, "MANIFEST_") || g_str_equal (code, "TAG_INVALID")))
    {
      if (detail != NULL && g_strcmp0 (code, "MANIFEST_BLOB_UNKNOWN") == 0)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                            _("%s refused the manifest: %s (%s)."),
                            host, message ? message : code, detail);
      return g_error_new (WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                          _("%s refused the manifest: %s."), host, message ? message : code);
    }

  if (status >= 500)
    {
      if (status == 502 || status == 503 || status == 504)
        return g_error_new (WHARF_ERROR, WHARF_ERROR_SERVER,
                            _("%s is unavailable (HTTP %u) and did not recover after several "
                              "tries. Try again later."),
                            host, status);
      return g_error_new (WHARF_ERROR, WHARF_ERROR_SERVER,
                          _("%s had an internal error (HTTP %u). Try again later, or tell its "
                            "administrator."),
                          host, status);
    }

  if (status == 404)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                        _("%s has nothing at %s."),
                        host, g_uri_get_path (soup_message_get_uri (msg)));

  if (code != NULL)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                        _("%s refused the request: %s."), host, message ? message : code);

  return g_error_new (WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                      _("%s answered HTTP %u, which Wharf did not expect."), host, status);
}

static gboolean
status_is_ok (const guint *ok_statuses,
              guint        status)
{
  if (ok_statuses == NULL)
    return FALSE;

  for (guint i = 0; ok_statuses[i] != 0; i++)
    {
      if (ok_statuses[i] == status)
        return TRUE;
    }

  return FALSE;
}

static GError *
unauthorized_error (WharfClient           *self,
                    const WharfCredential *credential,
                    const char            *repository,
                    gboolean               basic_sent)
{
  if (credential == NULL)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED,
                        _("%s needs you to sign in."), client_host (self));

  if (basic_sent)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_AUTH_FAILED,
                        _("Wrong username or password for %s."), client_host (self));

  if (repository != NULL)
    return g_error_new (WHARF_ERROR, WHARF_ERROR_DENIED,
                        _("Your account on %s is not allowed to do this with “%s”."),
                        client_host (self), repository);

  return g_error_new (WHARF_ERROR, WHARF_ERROR_DENIED,
                      _("Your account on %s is not allowed to do this."), client_host (self));
}

GInputStream *
_wharf_client_send (WharfClient     *self,
                    SoupMessage    **msg,
                    const char      *repository,
                    WharfAccess      access,
                    const char      *mount_from,
                    WharfSendFlags   flags,
                    const guint     *ok_statuses,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(GPtrArray) scopes = NULL;
  g_autoptr(WharfCredential) credential = NULL;
  gboolean may_retry;
  gboolean retried_auth = FALSE;
  gboolean fresh_token = FALSE;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (msg != NULL && SOUP_IS_MESSAGE (*msg), NULL);

  scopes = _wharf_auth_scopes_new (repository, access,
                                   (flags & WHARF_SEND_FLAGS_MOUNT_FROM) ? mount_from : NULL);
  credential = wharf_client_dup_credential (self);
  may_retry = !(flags & WHARF_SEND_FLAGS_NO_RETRY) && !message_has_stream_body (*msg);

  for (;;)
    {
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GPtrArray) challenges = NULL;
      const WharfAuthChallenge *challenge;
      char *authorization = NULL;
      gboolean sent_authorization;
      gboolean sent_basic;
      guint status;

      if (!make_authorization (self, credential, scopes, fresh_token, &authorization,
                               cancellable, error))
        return NULL;

      sent_authorization = authorization != NULL;
      sent_basic = authorization != NULL && g_str_has_prefix (authorization, "Basic ");

      stream = send_with_retries (self, msg, authorization, NULL, may_retry, cancellable, error);
      _wharf_auth_wipe_string (authorization);
      if (stream == NULL)
        return NULL;

      status = soup_message_get_status (*msg);

      if (status == SOUP_STATUS_UNAUTHORIZED && !status_is_ok (ok_statuses, status))
        {
          const char *header =
            soup_message_headers_get_list (soup_message_get_response_headers (*msg),
                                           "WWW-Authenticate");

          discard_stream (stream);
          challenges = _wharf_auth_parse_challenges (header);
          challenge = _wharf_auth_pick_challenge (challenges);

          if (challenge == NULL)
            {
              g_propagate_error (error, unauthorized_error (self, credential, repository,
                                                            sent_basic));
              return NULL;
            }

          remember_challenge (self, challenge);

          if (g_str_equal (challenge->scheme, "basic"))
            {
              if (credential == NULL || sent_basic || !message_can_resend (*msg))
                {
                  g_propagate_error (error, unauthorized_error (self, credential, repository,
                                                                sent_basic));
                  return NULL;
                }
              continue;
            }

          /* Bearer: one more token, for the scope the registry named
           * (insufficient_scope) or because ours was refused. */
          _wharf_auth_scopes_add (scopes, _wharf_auth_challenge_get_param (challenge, "scope"));
          if (sent_authorization)
            {
              if (retried_auth)
                {
                  g_propagate_error (error, unauthorized_error (self, credential, repository,
                                                                FALSE));
                  return NULL;
                }
              retried_auth = TRUE;
              fresh_token = TRUE;
            }

          if (!message_can_resend (*msg))
            {
              g_propagate_error (error, unauthorized_error (self, credential, repository, FALSE));
              return NULL;
            }
          continue;
        }

      if (status >= 400 && !status_is_ok (ok_statuses, status))
        {
          g_autoptr(GBytes) body = NULL;
          gboolean too_large;

          body = read_limited (stream, ERROR_BODY_MAX, &too_large, cancellable, NULL);
          g_input_stream_close (stream, NULL, NULL);
          g_propagate_error (error,
                             _wharf_client_error_from_response (self, *msg, body, repository));
          return NULL;
        }

      return g_steal_pointer (&stream);
    }
}

GBytes *
_wharf_client_send_and_read (WharfClient   *self,
                             SoupMessage  **msg,
                             const char    *repository,
                             WharfAccess    access,
                             gsize          max_size,
                             const guint   *ok_statuses,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean too_large = FALSE;
  gint64 length;

  stream = _wharf_client_send (self, msg, repository, access, NULL, WHARF_SEND_FLAGS_NONE,
                               ok_statuses, cancellable, error);
  if (stream == NULL)
    return NULL;

  length = response_content_length (*msg);
  if (length < 0 || (guint64) length <= max_size)
    bytes = read_limited (stream, max_size, &too_large, cancellable, &local_error);
  else
    too_large = TRUE;

  if (too_large)
    {
      g_autofree char *size = g_format_size (max_size);

      g_input_stream_close (stream, NULL, NULL);
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                   _("The answer from %s is larger than %s; Wharf refuses it."),
                   client_host (self), size);
      return NULL;
    }

  if (bytes == NULL)
    {
      g_propagate_error (error, map_transport_error (self, *msg, g_steal_pointer (&local_error)));
      return NULL;
    }

  g_input_stream_close (stream, NULL, NULL);

  return g_steal_pointer (&bytes);
}

static SoupMessage *
new_request (WharfClient  *self,
             const char   *method,
             const char   *path,
             GError      **error)
{
  g_autoptr(GUri) uri = _wharf_client_resolve_uri (self, path, error);

  if (uri == NULL)
    return NULL;

  return soup_message_new_from_uri (method, uri);
}

static gboolean
check_repository (WharfClient  *self,
                  const char   *repository,
                  GError      **error)
{
  return wharf_reference_validate_path (repository, error);
}

/* A tag or a digest: what may follow /manifests/. */
static gboolean
check_reference (const char  *reference,
                 GError     **error)
{
  if (strchr (reference, ':') != NULL)
    return wharf_digest_validate (reference, error);

  return wharf_reference_validate_tag (reference, error);
}

/* Ping */

WharfPingResult *
wharf_client_ping_sync (WharfClient   *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(WharfPingResult) result = NULL;
  g_autofree char *scheme = NULL;
  const char *api_version;
  char *authorization = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  credential = wharf_client_dup_credential (self);
  result = g_new0 (WharfPingResult, 1);

  msg = new_request (self, SOUP_METHOD_GET, "/v2/", error);
  if (msg == NULL)
    return NULL;

  if (credential != NULL && wharf_client_get_auth_scheme (self) == WHARF_AUTH_SCHEME_BASIC)
    authorization = _wharf_auth_basic_value (credential->username, credential->secret);

  for (;;)
    {
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GPtrArray) challenges = NULL;
      const WharfAuthChallenge *challenge;
      gboolean sent_basic = authorization != NULL;
      guint status;

      stream = send_with_retries (self, &msg, authorization, NULL, TRUE, cancellable, error);
      g_clear_pointer (&authorization, _wharf_auth_wipe_string);
      if (stream == NULL)
        return NULL;

      status = soup_message_get_status (msg);

      if (SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          discard_stream (stream);
          result->auth_scheme = sent_basic ? WHARF_AUTH_SCHEME_BASIC : WHARF_AUTH_SCHEME_NONE;
          result->signed_in = sent_basic;

          g_mutex_lock (&self->mutex);
          if (self->auth_scheme == WHARF_AUTH_SCHEME_UNKNOWN)
            self->auth_scheme = result->auth_scheme;
          g_mutex_unlock (&self->mutex);
          break;
        }

      if (status == SOUP_STATUS_UNAUTHORIZED)
        {
          discard_stream (stream);
          challenges = _wharf_auth_parse_challenges (
            soup_message_headers_get_list (soup_message_get_response_headers (msg),
                                           "WWW-Authenticate"));
          challenge = _wharf_auth_pick_challenge (challenges);

          if (challenge == NULL)
            {
              g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                           _("%s asks for a kind of sign-in that Wharf does not know."),
                           client_host (self));
              return NULL;
            }

          remember_challenge (self, challenge);

          if (g_str_equal (challenge->scheme, "basic"))
            {
              result->auth_scheme = WHARF_AUTH_SCHEME_BASIC;

              if (credential != NULL && sent_basic)
                {
                  g_set_error (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED,
                               _("Wrong username or password for %s."), client_host (self));
                  return NULL;
                }

              if (credential != NULL)
                {
                  authorization = _wharf_auth_basic_value (credential->username,
                                                           credential->secret);
                  continue;
                }

              break;
            }

          result->auth_scheme = WHARF_AUTH_SCHEME_BEARER;

          /* A token with no scope proves the credentials: the token service
           * refuses wrong ones with 401. */
          if (credential != NULL)
            {
              g_autoptr(GPtrArray) no_scopes = g_ptr_array_new_with_free_func (g_free);
              char *token;

              token = get_token (self,
                                 _wharf_auth_challenge_get_param (challenge, "realm"),
                                 _wharf_auth_challenge_get_param (challenge, "service"),
                                 no_scopes, credential, TRUE, cancellable, error);
              if (token == NULL)
                return NULL;

              _wharf_auth_wipe_string (token);
              result->signed_in = TRUE;
            }

          break;
        }

      if (status == SOUP_STATUS_NOT_FOUND || SOUP_STATUS_IS_REDIRECTION (status) ||
          SOUP_STATUS_IS_INFORMATIONAL (status) || (status >= 400 && status < 500 &&
                                                    status != 403 && status != 429))
        {
          discard_stream (stream);
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_A_REGISTRY,
                       _("%s does not look like a container registry (no /v2/ API)."),
                       client_host (self));
          return NULL;
        }

      {
        g_autoptr(GBytes) body = NULL;
        gboolean too_large;

        body = read_limited (stream, ERROR_BODY_MAX, &too_large, cancellable, NULL);
        g_input_stream_close (stream, NULL, NULL);
        g_propagate_error (error, _wharf_client_error_from_response (self, msg, body, NULL));
        return NULL;
      }
    }

  scheme = dup_base_scheme (self);
  result->base_url = g_strconcat (scheme, "://", wharf_endpoint_get_api_host (self->endpoint),
                                  NULL);

  api_version = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                              "Docker-Distribution-API-Version");
  result->api_version = g_strdup (api_version);

  return g_steal_pointer (&result);
}

/* Lists */

static GPtrArray *
parse_name_list (WharfClient  *self,
                 GBytes       *body,
                 const char   *member,
                 GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;
  JsonNode *node;
  JsonArray *array;
  const char *data;
  gsize len = 0;

  data = g_bytes_get_data (body, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s sent a list that Wharf cannot read."), client_host (self));
      return NULL;
    }

  /* distribution 2.8 sends null for an empty list. */
  node = json_object_get_member (json_node_get_object (root), member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&names);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s sent a list that Wharf cannot read."), client_host (self));
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (names, g_strdup (json_node_get_string (element)));
    }

  return g_steal_pointer (&names);
}

/* The next page from Link, resolved against the URL that was asked: 2.8
 * sends it relative. NULL at the end. */
static char *
next_page_url (WharfClient  *self,
               SoupMessage  *msg,
               GError      **error)
{
  const char *link = soup_message_headers_get_list (soup_message_get_response_headers (msg),
                                                    "Link");
  g_autofree char *next = _wharf_auth_parse_link_next (link);
  g_autoptr(GUri) uri = NULL;

  if (next == NULL)
    return NULL;

  uri = g_uri_parse_relative (soup_message_get_uri (msg), next, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                   _("%s pointed Wharf to “%s”, which is not a web address."),
                   client_host (self), next);
      return NULL;
    }

  return g_uri_to_string (uri);
}

/* @url with its n= parameter replaced by @page_size, or dropped for 0. */
static char *
with_page_size (const char *url,
                guint       page_size)
{
  const char *query = strchr (url, '?');
  g_autoptr(GString) result = g_string_new_len (url, query ? query - url : (gssize) strlen (url));
  g_auto(GStrv) params = query ? g_strsplit (query + 1, "&", -1) : g_new0 (char *, 1);
  gboolean first = TRUE;

  for (guint i = 0; params[i] != NULL; i++)
    {
      if (params[i][0] == '\0' || g_str_has_prefix (params[i], "n="))
        continue;
      g_string_append_c (result, first ? '?' : '&');
      g_string_append (result, params[i]);
      first = FALSE;
    }

  if (page_size > 0)
    g_string_append_printf (result, "%cn=%u", first ? '?' : '&', page_size);

  return g_string_free (g_steal_pointer (&result), FALSE);
}

static GError *
no_catalog_error (WharfClient *self)
{
  return g_error_new (WHARF_ERROR, WHARF_ERROR_NO_CATALOG,
                      _("%s does not list its repositories. Open a repository by name instead."),
                      client_host (self));
}

GStrv
wharf_client_list_repositories_sync (WharfClient   *self,
                                     WharfPageFunc  page_func,
                                     gpointer       page_data,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  static const guint ok_statuses[] = { SOUP_STATUS_BAD_REQUEST, SOUP_STATUS_NOT_FOUND, 0 };
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *url = NULL;
  guint page_size = CATALOG_PAGE_SIZE;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  all = g_ptr_array_new_with_free_func (g_free);
  url = g_strdup_printf ("/v2/_catalog?n=%u", page_size);

  for (guint round = 0; url != NULL; round++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) names = NULL;
      g_autofree char *next = NULL;
      guint status;

      if (round >= MAX_PAGES)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("The catalog of %s does not end."), client_host (self));
          return NULL;
        }

      msg = new_request (self, SOUP_METHOD_GET, url, error);
      if (msg == NULL)
        return NULL;

      body = _wharf_client_send_and_read (self, &msg, NULL, WHARF_ACCESS_CATALOG, LIST_BODY_MAX,
                                          ok_statuses, cancellable, &local_error);
      if (body == NULL)
        {
          /* A token without registry:catalog:* is how token registries say
           * "no catalog for you". */
          if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_DENIED))
            g_propagate_error (error, no_catalog_error (self));
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      status = soup_message_get_status (msg);

      if (status == SOUP_STATUS_NOT_FOUND)
        {
          g_propagate_error (error, no_catalog_error (self));
          return NULL;
        }

      if (status == SOUP_STATUS_BAD_REQUEST)
        {
          g_autofree char *code = NULL;
          g_autofree char *message = NULL;
          g_autofree char *detail = NULL;
          char *smaller;

          /* catalog.maxentries is below our page size: ask for less. */
          parse_registry_error (body, &code, &message, &detail);
          if (g_strcmp0 (code, "PAGINATION_NUMBER_INVALID") != 0 || page_size == 0)
            {
              g_propagate_error (error, _wharf_client_error_from_response (self, msg, body, NULL));
              return NULL;
            }

          page_size = page_size > CATALOG_SMALL_PAGE_SIZE ? CATALOG_SMALL_PAGE_SIZE : 0;
          g_debug ("%s refuses pages of that size; asking for %u", client_host (self), page_size);
          smaller = with_page_size (url, page_size);
          g_free (url);
          url = smaller;
          continue;
        }

      names = parse_name_list (self, body, "repositories", error);
      if (names == NULL)
        return NULL;

      if (page_func != NULL)
        {
          g_ptr_array_add (names, NULL);
          page_func ((const char * const *) names->pdata, page_data);
          g_ptr_array_remove_index (names, names->len - 1);
        }

      g_ptr_array_extend_and_steal (all, g_steal_pointer (&names));

      next = next_page_url (self, msg, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_free (url);
      url = NULL;
      if (next != NULL)
        {
          g_autofree char *current = g_uri_to_string (soup_message_get_uri (msg));

          if (g_strcmp0 (next, current) != 0)
            url = g_steal_pointer (&next);
        }
    }

  g_ptr_array_add (all, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
wharf_client_list_tags_sync (WharfClient   *self,
                             const char    *repository,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) unique = NULL;
  g_autofree char *url = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  if (!check_repository (self, repository, error))
    return NULL;

  all = g_ptr_array_new_with_free_func (g_free);
  url = g_strdup_printf ("/v2/%s/tags/list", repository);

  for (guint round = 0; url != NULL; round++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GPtrArray) names = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *next = NULL;

      if (round >= MAX_PAGES)
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                       _("The tag list of “%s” on %s does not end."),
                       repository, client_host (self));
          return NULL;
        }

      msg = new_request (self, SOUP_METHOD_GET, url, error);
      if (msg == NULL)
        return NULL;

      body = _wharf_client_send_and_read (self, &msg, repository, WHARF_ACCESS_PULL, LIST_BODY_MAX,
                                          NULL, cancellable, error);
      if (body == NULL)
        return NULL;

      names = parse_name_list (self, body, "tags", error);
      if (names == NULL)
        return NULL;

      g_ptr_array_extend_and_steal (all, g_steal_pointer (&names));

      next = next_page_url (self, msg, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_free (url);
      url = NULL;
      if (next != NULL)
        {
          g_autofree char *current = g_uri_to_string (soup_message_get_uri (msg));

          if (g_strcmp0 (next, current) != 0)
            url = g_steal_pointer (&next);
        }
    }

  /* 2.8 lists tags in filesystem order; people read them sorted. */
  g_ptr_array_sort (all, compare_tags);

  unique = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < all->len; i++)
    {
      const char *tag = g_ptr_array_index (all, i);

      if (unique->len == 0 || strcmp (g_ptr_array_index (unique, unique->len - 1), tag) != 0)
        g_ptr_array_add (unique, g_strdup (tag));
    }
  g_ptr_array_add (unique, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&unique), FALSE);
}

/* Manifests */

static SoupMessage *
new_manifest_request (WharfClient  *self,
                      const char   *method,
                      const char   *repository,
                      const char   *reference,
                      GError      **error)
{
  g_autofree char *path = NULL;
  SoupMessage *msg;

  if (!check_repository (self, repository, error) || !check_reference (reference, error))
    return NULL;

  path = g_strdup_printf ("/v2/%s/manifests/%s", repository, reference);
  msg = new_request (self, method, path, error);
  if (msg != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Accept", wharf_manifest_accept_header ());

  return msg;
}

/* Docker-Content-Digest when it is a valid digest. */
static const char *
response_digest (SoupMessage *msg)
{
  const char *digest = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                     "Docker-Content-Digest");

  if (digest == NULL || !wharf_digest_validate (digest, NULL))
    return NULL;

  return digest;
}

WharfRawManifest *
wharf_client_get_manifest_sync (WharfClient   *self,
                                const char    *repository,
                                const char    *reference,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(WharfRawManifest) manifest = NULL;
  g_autofree char *name = NULL;
  g_autofree char *what = NULL;
  const char *expected;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (reference != NULL, NULL);

  msg = new_manifest_request (self, SOUP_METHOD_GET, repository, reference, error);
  if (msg == NULL)
    return NULL;

  name = format_reference (repository, reference);

  bytes = _wharf_client_send_and_read (self, &msg, repository, WHARF_ACCESS_PULL,
                                       WHARF_MANIFEST_MAX_SIZE, NULL, cancellable, &local_error);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE))
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                     _("The manifest of %s is larger than 4 MiB; Wharf refuses it."), name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The digest asked for is the one that counts; the registry's header is
   * only a claim, but a claim worth checking. */
  if (strchr (reference, ':') != NULL)
    expected = reference;
  else
    expected = response_digest (msg);

  data = g_bytes_get_data (bytes, &len);
  what = g_strdup_printf (_("manifest of %s"), name);

  manifest = g_new0 (WharfRawManifest, 1);

  if (expected != NULL)
    {
      if (!wharf_digest_verify (expected, data, len, what, error))
        return NULL;
      manifest->digest = g_strdup (expected);
    }
  else
    {
      manifest->digest = wharf_digest_compute_bytes (bytes);
    }

  manifest->bytes = g_steal_pointer (&bytes);
  manifest->media_type = g_strdup (soup_message_headers_get_content_type (
                                     soup_message_get_response_headers (msg), NULL));

  return g_steal_pointer (&manifest);
}

WharfDescriptor *
wharf_client_head_manifest_sync (WharfClient   *self,
                                 const char    *repository,
                                 const char    *reference,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessageHeaders *headers;
  const char *digest;
  gint64 size;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (reference != NULL, NULL);

  msg = new_manifest_request (self, SOUP_METHOD_HEAD, repository, reference, error);
  if (msg == NULL)
    return NULL;

  stream = _wharf_client_send (self, &msg, repository, WHARF_ACCESS_PULL, NULL,
                               WHARF_SEND_FLAGS_NONE, NULL, cancellable, error);
  if (stream == NULL)
    return NULL;
  g_input_stream_close (stream, NULL, NULL);

  headers = soup_message_get_response_headers (msg);
  digest = response_digest (msg);
  if (strchr (reference, ':') != NULL)
    digest = reference;

  /* Without Docker-Content-Digest only the bytes can tell the digest of a tag. */
  if (digest == NULL)
    {
      g_autoptr(WharfRawManifest) manifest = NULL;

      manifest = wharf_client_get_manifest_sync (self, repository, reference, cancellable, error);
      if (manifest == NULL)
        return NULL;

      return wharf_descriptor_new (manifest->media_type, manifest->digest,
                                   g_bytes_get_size (manifest->bytes));
    }

  size = response_content_length (msg);

  return wharf_descriptor_new (soup_message_headers_get_content_type (headers, NULL),
                               digest, size);
}

WharfManifest *
wharf_client_fetch_manifest_sync (WharfClient   *self,
                                  const char    *repository,
                                  const char    *reference,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(WharfRawManifest) raw = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);

  raw = wharf_client_get_manifest_sync (self, repository, reference, cancellable, error);
  if (raw == NULL)
    return NULL;

  return wharf_manifest_parse (raw->bytes, raw->media_type, error);
}

/* Blobs */

static SoupMessage *
new_blob_request (WharfClient  *self,
                  const char   *method,
                  const char   *repository,
                  const char   *digest,
                  GError      **error)
{
  g_autofree char *path = NULL;

  if (!check_repository (self, repository, error) || !wharf_digest_validate (digest, error))
    return NULL;

  path = g_strdup_printf ("/v2/%s/blobs/%s", repository, digest);

  return new_request (self, method, path, error);
}

gboolean
wharf_client_head_blob_sync (WharfClient   *self,
                             const char    *repository,
                             const char    *digest,
                             gint64        *out_size,
                             GCancellable  *cancellable,
                             GError       **error)
{
  static const guint ok_statuses[] = { SOUP_STATUS_NOT_FOUND, 0 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (repository != NULL, FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);

  if (out_size != NULL)
    *out_size = -1;

  msg = new_blob_request (self, SOUP_METHOD_HEAD, repository, digest, error);
  if (msg == NULL)
    return FALSE;

  stream = _wharf_client_send (self, &msg, repository, WHARF_ACCESS_PULL, NULL,
                               WHARF_SEND_FLAGS_NONE, ok_statuses, cancellable, error);
  if (stream == NULL)
    return FALSE;
  g_input_stream_close (stream, NULL, NULL);

  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                   _("The blob %s is not in “%s” on %s."),
                   digest, repository, client_host (self));
      return FALSE;
    }

  if (out_size != NULL)
    *out_size = response_content_length (msg);

  return TRUE;
}

GInputStream *
wharf_client_get_blob_sync (WharfClient   *self,
                            const char    *repository,
                            const char    *digest,
                            gint64        *out_size,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  GInputStream *verify;
  gint64 size;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  if (out_size != NULL)
    *out_size = -1;

  msg = new_blob_request (self, SOUP_METHOD_GET, repository, digest, error);
  if (msg == NULL)
    return NULL;

  stream = _wharf_client_send (self, &msg, repository, WHARF_ACCESS_PULL, NULL,
                               WHARF_SEND_FLAGS_NONE, NULL, cancellable, error);
  if (stream == NULL)
    return NULL;

  size = response_content_length (msg);

  verify = wharf_verify_stream_new (stream, digest, size, client_host (self), error);
  if (verify == NULL)
    return NULL;

  /* The body stream needs its message and the session's connection. */
  g_object_set_data_full (G_OBJECT (verify), "wharf-message", g_object_ref (msg), g_object_unref);
  g_object_set_data_full (G_OBJECT (verify), "wharf-client", g_object_ref (self), g_object_unref);

  if (out_size != NULL)
    *out_size = size;

  return verify;
}

WharfImageConfig *
wharf_client_fetch_config_sync (WharfClient            *self,
                                const char             *repository,
                                const WharfDescriptor  *config,
                                GCancellable           *cancellable,
                                GError                **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *what = NULL;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (config != NULL && config->digest != NULL, NULL);

  msg = new_blob_request (self, SOUP_METHOD_GET, repository, config->digest, error);
  if (msg == NULL)
    return NULL;

  bytes = _wharf_client_send_and_read (self, &msg, repository, WHARF_ACCESS_PULL,
                                       WHARF_MANIFEST_MAX_SIZE, NULL, cancellable, &local_error);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE))
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                     _("The configuration of %s is larger than 4 MiB; Wharf refuses it."),
                     repository);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  data = g_bytes_get_data (bytes, &len);
  what = g_strdup_printf (_("configuration of %s"), repository);
  if (!wharf_digest_verify (config->digest, data, len, what, error))
    return NULL;

  return wharf_image_config_parse (bytes, error);
}

/* Async: every _async runs its _sync in a worker thread. */

typedef struct
{
  char           *repository;
  char           *reference;
  gint64          size;
  WharfPageFunc   page_func;
  gpointer        page_data;
  GDestroyNotify  page_data_destroy;
  GMainContext   *context;
} TaskData;

static gboolean
do_nothing_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Runs @func(@data) and then @notify on @context, always from its loop (never
 * in the calling thread), after whatever was queued there before. */
static void
queue_on_context (GMainContext   *context,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[wharf] client callback");
  g_source_attach (source, context);
}

static void
task_data_free (gpointer user_data)
{
  TaskData *data = user_data;

  g_free (data->repository);
  g_free (data->reference);

  /* page_data belongs to the caller's thread. */
  if (data->page_data_destroy != NULL)
    queue_on_context (data->context, do_nothing_cb, data->page_data, data->page_data_destroy);

  g_clear_pointer (&data->context, g_main_context_unref);
  g_free (data);
}

static GTask *
new_task (WharfClient         *self,
          gpointer             source_tag,
          const char          *repository,
          const char          *reference,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  data->repository = g_strdup (repository);
  data->reference = g_strdup (reference);
  data->size = -1;
  data->context = g_main_context_ref_thread_default ();

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, task_data_free);
  g_task_set_return_on_cancel (task, FALSE);

  return task;
}

static void
ping_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  WharfPingResult *result;

  result = wharf_client_ping_sync (source_object, cancellable, &error);
  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) wharf_ping_result_free);
  else
    g_task_return_error (task, error);
}

void
wharf_client_ping_async (WharfClient         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_ping_async, NULL, NULL, cancellable, callback, user_data);
  g_task_run_in_thread (task, ping_thread);
}

WharfPingResult *
wharf_client_ping_finish (WharfClient   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wharf_client_ping_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  WharfPageFunc  func;
  gpointer       data;
  GStrv          names;
} PageCall;

static gboolean
page_call_cb (gpointer user_data)
{
  PageCall *call = user_data;

  call->func ((const char * const *) call->names, call->data);

  return G_SOURCE_REMOVE;
}

static void
page_call_free (gpointer user_data)
{
  PageCall *call = user_data;

  g_strfreev (call->names);
  g_free (call);
}

/* In the worker: hands a copy of the page to the caller's main context. */
static void
forward_page_cb (const char * const *names,
                 gpointer            user_data)
{
  TaskData *data = user_data;
  PageCall *call = g_new0 (PageCall, 1);

  call->func = data->page_func;
  call->data = data->page_data;
  call->names = g_strdupv ((char **) names);

  queue_on_context (data->context, page_call_cb, call, page_call_free);
}

static void
list_repositories_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  GStrv names;

  names = wharf_client_list_repositories_sync (source_object,
                                               data->page_func ? forward_page_cb : NULL,
                                               data, cancellable, &error);
  if (names != NULL)
    g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

void
wharf_client_list_repositories_async (WharfClient         *self,
                                      WharfPageFunc        page_func,
                                      gpointer             page_data,
                                      GDestroyNotify       page_data_destroy,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_list_repositories_async, NULL, NULL,
                   cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->page_func = page_func;
  data->page_data = page_data;
  data->page_data_destroy = page_data_destroy;

  g_task_run_in_thread (task, list_repositories_thread);
}

GStrv
wharf_client_list_repositories_finish (WharfClient   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_list_repositories_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_tags_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  GStrv tags;

  tags = wharf_client_list_tags_sync (source_object, data->repository, cancellable, &error);
  if (tags != NULL)
    g_task_return_pointer (task, tags, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

void
wharf_client_list_tags_async (WharfClient         *self,
                              const char          *repository,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_list_tags_async, repository, NULL,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, list_tags_thread);
}

GStrv
wharf_client_list_tags_finish (WharfClient   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_list_tags_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_manifest_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  WharfRawManifest *manifest;

  manifest = wharf_client_get_manifest_sync (source_object, data->repository, data->reference,
                                             cancellable, &error);
  if (manifest != NULL)
    g_task_return_pointer (task, manifest, (GDestroyNotify) wharf_raw_manifest_free);
  else
    g_task_return_error (task, error);
}

void
wharf_client_get_manifest_async (WharfClient         *self,
                                 const char          *repository,
                                 const char          *reference,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (reference != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_get_manifest_async, repository, reference,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, get_manifest_thread);
}

WharfRawManifest *
wharf_client_get_manifest_finish (WharfClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_get_manifest_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
head_manifest_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  WharfDescriptor *descriptor;

  descriptor = wharf_client_head_manifest_sync (source_object, data->repository, data->reference,
                                                cancellable, &error);
  if (descriptor != NULL)
    g_task_return_pointer (task, descriptor, (GDestroyNotify) wharf_descriptor_free);
  else
    g_task_return_error (task, error);
}

void
wharf_client_head_manifest_async (WharfClient         *self,
                                  const char          *repository,
                                  const char          *reference,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (reference != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_head_manifest_async, repository, reference,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, head_manifest_thread);
}

WharfDescriptor *
wharf_client_head_manifest_finish (WharfClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_head_manifest_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
head_blob_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;

  if (wharf_client_head_blob_sync (source_object, data->repository, data->reference,
                                   &data->size, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
wharf_client_head_blob_async (WharfClient         *self,
                              const char          *repository,
                              const char          *digest,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (digest != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_head_blob_async, repository, digest,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, head_blob_thread);
}

gboolean
wharf_client_head_blob_finish (WharfClient   *self,
                               GAsyncResult  *result,
                               gint64        *out_size,
                               GError       **error)
{
  TaskData *data;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_head_blob_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_size != NULL)
    *out_size = data->size;

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
get_blob_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  GInputStream *stream;

  stream = wharf_client_get_blob_sync (source_object, data->repository, data->reference,
                                       &data->size, cancellable, &error);
  if (stream != NULL)
    g_task_return_pointer (task, stream, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
wharf_client_get_blob_async (WharfClient         *self,
                             const char          *repository,
                             const char          *digest,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_CLIENT (self));
  g_return_if_fail (repository != NULL);
  g_return_if_fail (digest != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, wharf_client_get_blob_async, repository, digest,
                   cancellable, callback, user_data);
  g_task_run_in_thread (task, get_blob_thread);
}

GInputStream *
wharf_client_get_blob_finish (WharfClient   *self,
                              GAsyncResult  *result,
                              gint64        *out_size,
                              GError       **error)
{
  TaskData *data;

  g_return_val_if_fail (WHARF_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wharf_client_get_blob_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_size != NULL)
    *out_size = data->size;

  return g_task_propagate_pointer (G_TASK (result), error);
}
