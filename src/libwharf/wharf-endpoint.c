/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-endpoint.c: parsing registry addresses and holding their connection settings. */

#define G_LOG_DOMAIN "wharf-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "wharf-endpoint.h"
#include "wharf-error.h"
#include "wharf-reference.h"

struct _WharfEndpoint
{
  GObject         parent_instance;

  char           *domain;
  char           *api_host;
  char           *host;          /* without port or brackets, lower case */
  WharfScheme     scheme;        /* as parsed, before allow-insecure */
  guint           loopback : 1;
  guint           docker_hub : 1;
  guint           explicit_scheme : 1;

  char           *display_name;  /* main thread only */

  /* The settings below may change on the main thread while a client reads
   * them from workers. */
  GMutex          mutex;
  char           *ca_file;
  WharfTlsPolicy  tls_policy;
  gboolean        allow_insecure;
};

G_DEFINE_FINAL_TYPE (WharfEndpoint, wharf_endpoint, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DOMAIN,
  PROP_DISPLAY_NAME,
  PROP_TLS_POLICY,
  PROP_CA_FILE,
  PROP_ALLOW_INSECURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wharf_endpoint_finalize (GObject *object)
{
  WharfEndpoint *self = (WharfEndpoint *)object;

  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->api_host, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (wharf_endpoint_parent_class)->finalize (object);
}

static void
wharf_endpoint_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WharfEndpoint *self = WHARF_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_DOMAIN:
      g_value_set_string (value, self->domain);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, wharf_endpoint_get_display_name (self));
      break;

    case PROP_TLS_POLICY:
      g_value_set_int (value, wharf_endpoint_get_tls_policy (self));
      break;

    case PROP_CA_FILE:
      g_value_take_string (value, wharf_endpoint_dup_ca_file (self));
      break;

    case PROP_ALLOW_INSECURE:
      g_value_set_boolean (value, wharf_endpoint_get_allow_insecure (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_endpoint_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WharfEndpoint *self = WHARF_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      wharf_endpoint_set_display_name (self, g_value_get_string (value));
      break;

    case PROP_TLS_POLICY:
      wharf_endpoint_set_tls_policy (self, g_value_get_int (value));
      break;

    case PROP_CA_FILE:
      wharf_endpoint_set_ca_file (self, g_value_get_string (value));
      break;

    case PROP_ALLOW_INSECURE:
      wharf_endpoint_set_allow_insecure (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_endpoint_class_init (WharfEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wharf_endpoint_finalize;
  object_class->get_property = wharf_endpoint_get_property;
  object_class->set_property = wharf_endpoint_set_property;

  properties[PROP_DOMAIN] =
    g_param_spec_string ("domain", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* An int rather than an enum property: libwharf has no enum type
   * registration and the values are the WharfTlsPolicy ones. */
  properties[PROP_TLS_POLICY] =
    g_param_spec_int ("tls-policy", NULL, NULL,
                      WHARF_TLS_VERIFY, WHARF_TLS_NO_VERIFY, WHARF_TLS_VERIFY,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ALLOW_INSECURE] =
    g_param_spec_boolean ("allow-insecure", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_endpoint_init (WharfEndpoint *self)
{
  g_mutex_init (&self->mutex);
  self->tls_policy = WHARF_TLS_VERIFY;
}

/* g_set_str() arrived in GLib 2.76. */
static gboolean
set_str (char       **ptr,
         const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;
  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}

static gboolean
is_hostname (const char *host)
{
  const char *label = host;

  if (host[0] == '\0' || strlen (host) > 253)
    return FALSE;

  for (const char *p = host; ; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          gsize len = p - label;

          /* A trailing dot is a fully qualified name; an empty label elsewhere is not. */
          if (len == 0 && !(*p == '\0' && p != host))
            return FALSE;
          if (len > 63 || (len > 0 && (label[0] == '-' || p[-1] == '-')))
            return FALSE;
          if (*p == '\0')
            break;
          label = p + 1;
        }
      else if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        {
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_str_has_suffix (host, ".localhost"))
    return TRUE;

  address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
is_docker_hub_host (const char *host_port)
{
  return g_str_equal (host_port, "docker.io") ||
         g_str_equal (host_port, "index.docker.io") ||
         g_str_equal (host_port, "registry-1.docker.io") ||
         g_str_equal (host_port, "registry.hub.docker.com");
}

static WharfEndpoint *
invalid_address (const char  *address,
                 GError     **error)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
               _("“%s” is not a registry address. Write it as host, host:port or "
                 "https://host:port, for example localhost:5000."),
               address);
  return NULL;
}

/* WHARF_DOCKER_HUB_REGISTRY=host:port (or a URL) sends what is meant for
 * Docker Hub to another registry: a local token-auth registry standing in
 * for Hub where Hub cannot be reached, or a mirror. README.md, "Docker Hub
 * stand-in". Unset, empty, unparsable or Hub itself: no stand-in. */
static WharfEndpoint *parse_endpoint (const char  *address,
                                      gboolean     use_stand_in,
                                      GError     **error);

static WharfEndpoint *
docker_hub_stand_in (void)
{
  const char *address = g_getenv ("WHARF_DOCKER_HUB_REGISTRY");
  g_autoptr(WharfEndpoint) stand_in = NULL;
  g_autoptr(GError) error = NULL;

  if (address == NULL || address[0] == '\0')
    return NULL;

  stand_in = parse_endpoint (address, FALSE, &error);
  if (stand_in == NULL)
    {
      g_debug ("Ignoring WHARF_DOCKER_HUB_REGISTRY: %s", error->message);
      return NULL;
    }
  if (stand_in->docker_hub)
    return NULL;

  return g_steal_pointer (&stand_in);
}

static WharfEndpoint *
parse_endpoint (const char  *address,
                gboolean     use_stand_in,
                GError     **error)
{
  g_autoptr(WharfEndpoint) self = NULL;
  g_autoptr(WharfEndpoint) stand_in = NULL;
  g_autofree char *text = NULL;
  g_autofree char *host = NULL;
  const char *rest;
  const char *path;
  const char *port_part = NULL;
  gboolean explicit_scheme = FALSE;
  WharfScheme scheme = WHARF_SCHEME_HTTPS;
  gboolean ipv6 = FALSE;
  gint64 port = -1;

  g_return_val_if_fail (address != NULL, NULL);

  text = g_strstrip (g_strdup (address));

  if (g_ascii_strncasecmp (text, "https://", 8) == 0)
    {
      rest = text + 8;
      explicit_scheme = TRUE;
    }
  else if (g_ascii_strncasecmp (text, "http://", 7) == 0)
    {
      rest = text + 7;
      explicit_scheme = TRUE;
      scheme = WHARF_SCHEME_HTTP;
    }
  else if (strstr (text, "://") != NULL)
    {
      return invalid_address (address, error);
    }
  else
    {
      rest = text;
    }

  /* Only paths people paste along with a registry address may follow it:
   * "/", the API roots, and Docker Hub's historic "/v1/" key. */
  path = strchr (rest, '/');
  if (path != NULL)
    {
      static const char * const ok_paths[] = { "/", "/v1", "/v1/", "/v2", "/v2/", NULL };

      if (!g_strv_contains (ok_paths, path))
        return invalid_address (address, error);
    }

  host = path != NULL ? g_strndup (rest, path - rest) : g_strdup (rest);

  if (host[0] == '[')
    {
      char *close = strchr (host, ']');

      if (close == NULL)
        return invalid_address (address, error);
      *close = '\0';
      if (close[1] == ':')
        port_part = close + 2;
      else if (close[1] != '\0')
        return invalid_address (address, error);
      memmove (host, host + 1, strlen (host + 1) + 1);
      ipv6 = TRUE;
      if (!g_hostname_is_ip_address (host) || strchr (host, ':') == NULL)
        return invalid_address (address, error);
    }
  else
    {
      char *colon = strchr (host, ':');

      if (colon != NULL)
        {
          *colon = '\0';
          port_part = colon + 1;
        }
      if (!is_hostname (host))
        return invalid_address (address, error);
    }

  if (port_part != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (port_part, 10, 1, 65535, &value, NULL))
        return invalid_address (address, error);
      port = value;
    }

  {
    char *lower = g_ascii_strdown (host, -1);

    g_free (host);
    host = lower;
    /* "reg.example.com." and "reg.example.com" are the same registry. */
    if (!ipv6 && g_str_has_suffix (host, ".") && strlen (host) > 1)
      host[strlen (host) - 1] = '\0';
  }

  self = g_object_new (WHARF_TYPE_ENDPOINT, NULL);
  self->host = g_strdup (host);
  self->explicit_scheme = explicit_scheme;
  self->loopback = host_is_loopback (host);

  if (ipv6)
    self->domain = port >= 0 ? g_strdup_printf ("[%s]:%" G_GINT64_FORMAT, host, port)
                             : g_strdup_printf ("[%s]", host);
  else
    self->domain = port >= 0 ? g_strdup_printf ("%s:%" G_GINT64_FORMAT, host, port)
                             : g_strdup (host);

  if (is_docker_hub_host (self->domain) && use_stand_in &&
      (stand_in = docker_hub_stand_in ()) != NULL)
    {
      /* Still docker.io to references and the keyring; only the requests
       * go elsewhere, on the stand-in's own scheme. */
      self->docker_hub = TRUE;
      g_free (self->domain);
      self->domain = g_strdup (WHARF_DOCKER_HUB_DOMAIN);
      self->api_host = g_strdup (stand_in->api_host);
      g_free (self->host);
      self->host = g_strdup (stand_in->host);
      self->loopback = stand_in->loopback;
      self->explicit_scheme = stand_in->explicit_scheme;
      scheme = stand_in->scheme;
    }
  else if (is_docker_hub_host (self->domain))
    {
      self->docker_hub = TRUE;
      g_free (self->domain);
      self->domain = g_strdup (WHARF_DOCKER_HUB_DOMAIN);
      self->api_host = g_strdup (WHARF_DOCKER_HUB_API_HOST);
      g_free (self->host);
      self->host = g_strdup (WHARF_DOCKER_HUB_API_HOST);
      /* Docker Hub only speaks https, whatever was typed. */
      scheme = WHARF_SCHEME_HTTPS;
      self->explicit_scheme = TRUE;
    }
  else
    {
      self->api_host = g_strdup (self->domain);
    }

  if (!self->explicit_scheme && self->loopback)
    scheme = WHARF_SCHEME_AUTO;
  self->scheme = scheme;

  return g_steal_pointer (&self);
}

WharfEndpoint *
wharf_endpoint_new (const char  *address,
                    GError     **error)
{
  g_return_val_if_fail (address != NULL, NULL);

  return parse_endpoint (address, TRUE, error);
}

const char *
wharf_endpoint_get_domain (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  return self->domain;
}

const char *
wharf_endpoint_get_api_host (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  return self->api_host;
}

const char *
wharf_endpoint_get_host (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  return self->host;
}

WharfScheme
wharf_endpoint_get_scheme (WharfEndpoint *self)
{
  gboolean allow_insecure;

  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), WHARF_SCHEME_HTTPS);

  allow_insecure = wharf_endpoint_get_allow_insecure (self);

  if (self->scheme == WHARF_SCHEME_HTTPS && !self->explicit_scheme && allow_insecure)
    return WHARF_SCHEME_AUTO;

  return self->scheme;
}

gboolean
wharf_endpoint_is_loopback (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), FALSE);

  return self->loopback;
}

gboolean
wharf_endpoint_is_docker_hub (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), FALSE);

  return self->docker_hub;
}

const char *
wharf_endpoint_get_display_name (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  if (self->display_name != NULL)
    return self->display_name;
  if (self->docker_hub)
    return _("Docker Hub");
  return self->domain;
}

void
wharf_endpoint_set_display_name (WharfEndpoint *self,
                                 const char    *display_name)
{
  g_return_if_fail (WHARF_IS_ENDPOINT (self));

  if (display_name != NULL && display_name[0] == '\0')
    display_name = NULL;

  if (set_str (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

WharfTlsPolicy
wharf_endpoint_get_tls_policy (WharfEndpoint *self)
{
  WharfTlsPolicy policy;

  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), WHARF_TLS_VERIFY);

  g_mutex_lock (&self->mutex);
  policy = self->tls_policy;
  g_mutex_unlock (&self->mutex);

  return policy;
}

void
wharf_endpoint_set_tls_policy (WharfEndpoint  *self,
                               WharfTlsPolicy  policy)
{
  gboolean changed;

  g_return_if_fail (WHARF_IS_ENDPOINT (self));
  g_return_if_fail (policy <= WHARF_TLS_NO_VERIFY);

  g_mutex_lock (&self->mutex);
  changed = self->tls_policy != policy;
  self->tls_policy = policy;
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_POLICY]);
}

const char *
wharf_endpoint_get_ca_file (WharfEndpoint *self)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  return self->ca_file;
}

char *
wharf_endpoint_dup_ca_file (WharfEndpoint *self)
{
  char *ret;

  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), NULL);

  g_mutex_lock (&self->mutex);
  ret = g_strdup (self->ca_file);
  g_mutex_unlock (&self->mutex);

  return ret;
}

void
wharf_endpoint_set_ca_file (WharfEndpoint *self,
                            const char    *ca_file)
{
  gboolean changed;
  gboolean policy_changed;
  WharfTlsPolicy policy;

  g_return_if_fail (WHARF_IS_ENDPOINT (self));

  if (ca_file != NULL && ca_file[0] == '\0')
    ca_file = NULL;

  policy = ca_file != NULL ? WHARF_TLS_CA_FILE : WHARF_TLS_VERIFY;

  g_mutex_lock (&self->mutex);
  changed = set_str (&self->ca_file, ca_file);
  policy_changed = self->tls_policy != policy;
  self->tls_policy = policy;
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
  if (policy_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_POLICY]);
}

gboolean
wharf_endpoint_get_allow_insecure (WharfEndpoint *self)
{
  gboolean ret;

  g_return_val_if_fail (WHARF_IS_ENDPOINT (self), FALSE);

  g_mutex_lock (&self->mutex);
  ret = self->allow_insecure;
  g_mutex_unlock (&self->mutex);

  return ret;
}

void
wharf_endpoint_set_allow_insecure (WharfEndpoint *self,
                                   gboolean       allow_insecure)
{
  gboolean changed;

  g_return_if_fail (WHARF_IS_ENDPOINT (self));

  allow_insecure = !!allow_insecure;

  g_mutex_lock (&self->mutex);
  changed = self->allow_insecure != allow_insecure;
  self->allow_insecure = allow_insecure;
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_INSECURE]);
}
