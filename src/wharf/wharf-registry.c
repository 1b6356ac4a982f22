/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry.c: the registries the user added, their status, and the saved list. */

#define G_LOG_DOMAIN "wharf-registry"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-registry-private.h"

struct _WharfRegistry
{
  GObject              parent_instance;

  WharfEndpoint       *endpoint;
  WharfClient         *client;
  char                *address;
  char                *display_name;   /* what the user chose; NULL: the endpoint's */

  WharfRegistryStatus  status;
  char                *status_message;
  GError              *status_error;
  char                *username;

  /* Bumped by every check and sign-in: an answer for an older one is stale. */
  guint                serial;
  /* After an explicit sign-out, Docker's and containers' files must not sign
   * the user in again behind their back. */
  guint                signed_out : 1;
};

G_DEFINE_FINAL_TYPE (WharfRegistry, wharf_registry, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WharfRegistryStatus, wharf_registry_status,
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_CHECKING, "checking"),
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_REACHABLE, "reachable"),
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_SIGNED_IN, "signed-in"),
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN, "needs-sign-in"),
  G_DEFINE_ENUM_VALUE (WHARF_REGISTRY_STATUS_ERROR, "error"))

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_ENDPOINT,
  PROP_CLIENT,
  PROP_STATUS,
  PROP_STATUS_MESSAGE,
  PROP_STATUS_ERROR,
  PROP_USERNAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The domain, with the scheme only where it changes what Wharf does: an
 * explicit http://, or https:// for a loopback registry (else tried first,
 * then plain http). Saved, it rebuilds the same endpoint. */
static char *
address_for_endpoint (WharfEndpoint *endpoint)
{
  const char *domain = wharf_endpoint_get_domain (endpoint);

  switch (wharf_endpoint_get_scheme (endpoint))
    {
    case WHARF_SCHEME_HTTP:
      return g_strconcat ("http://", domain, NULL);

    case WHARF_SCHEME_HTTPS:
      if (wharf_endpoint_is_loopback (endpoint))
        return g_strconcat ("https://", domain, NULL);
      return g_strdup (domain);

    case WHARF_SCHEME_AUTO:
    default:
      return g_strdup (domain);
    }
}

static gboolean
credentials_equal (const WharfCredential *a,
                   const WharfCredential *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strcmp0 (a->username, b->username) == 0 &&
         g_strcmp0 (a->secret, b->secret) == 0 &&
         a->identity_token == b->identity_token;
}

static void
set_client (WharfRegistry *self,
            WharfClient   *client)
{
  if (g_set_object (&self->client, client))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
set_username (WharfRegistry *self,
              const char    *username)
{
  if (username != NULL && username[0] == '\0')
    username = NULL;

  if (g_strcmp0 (self->username, username) == 0)
    return;

  g_free (self->username);
  self->username = g_strdup (username);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
}

static void
set_status (WharfRegistry       *self,
            WharfRegistryStatus  status,
            const char          *message,
            const GError        *error)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  if (g_strcmp0 (self->status_message, message) != 0)
    {
      g_free (self->status_message);
      self->status_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_MESSAGE]);
    }

  if (self->status_error != NULL || error != NULL)
    {
      g_clear_error (&self->status_error);
      self->status_error = error != NULL ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_ERROR]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

/* What a failed check means for the registry as a whole. */
static void
set_status_from_error (WharfRegistry *self,
                       const GError  *error)
{
  if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED) ||
      g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED))
    set_status (self, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN, error->message, error);
  else
    set_status (self, WHARF_REGISTRY_STATUS_ERROR, error->message, error);
}

static void
wharf_registry_finalize (GObject *object)
{
  WharfRegistry *self = WHARF_REGISTRY (object);

  g_clear_object (&self->endpoint);
  g_clear_object (&self->client);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->status_message, g_free);
  g_clear_error (&self->status_error);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (wharf_registry_parent_class)->finalize (object);
}

static void
wharf_registry_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WharfRegistry *self = WHARF_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, wharf_registry_get_display_name (self));
      break;

    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_STATUS_MESSAGE:
      g_value_set_string (value, self->status_message);
      break;

    case PROP_STATUS_ERROR:
      g_value_set_boxed (value, self->status_error);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WharfRegistry *self = WHARF_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      wharf_registry_set_display_name (self, g_value_get_string (value));
      break;

    case PROP_ENDPOINT:
      wharf_registry_set_endpoint (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_class_init (WharfRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wharf_registry_finalize;
  object_class->get_property = wharf_registry_get_property;
  object_class->set_property = wharf_registry_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL,
                         WHARF_TYPE_ENDPOINT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         WHARF_TYPE_CLIENT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       WHARF_TYPE_REGISTRY_STATUS,
                       WHARF_REGISTRY_STATUS_UNKNOWN,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATUS_MESSAGE] =
    g_param_spec_string ("status-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATUS_ERROR] =
    g_param_spec_boxed ("status-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_registry_init (WharfRegistry *self)
{
}

WharfRegistry *
wharf_registry_new (WharfEndpoint *endpoint)
{
  g_return_val_if_fail (WHARF_IS_ENDPOINT (endpoint), NULL);

  return g_object_new (WHARF_TYPE_REGISTRY,
                       "endpoint", endpoint,
                       NULL);
}

const char *
wharf_registry_get_address (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->address;
}

const char *
wharf_registry_get_display_name (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  if (self->display_name != NULL)
    return self->display_name;
  if (self->endpoint != NULL)
    return wharf_endpoint_get_display_name (self->endpoint);
  return self->address;
}

/* The name the user chose, or NULL if the registry goes by its address. */
const char *
wharf_registry_get_custom_name (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->display_name;
}

void
wharf_registry_set_display_name (WharfRegistry *self,
                                 const char    *display_name)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (WHARF_IS_REGISTRY (self));

  if (display_name != NULL)
    stripped = g_strstrip (g_strdup (display_name));
  if (stripped != NULL && stripped[0] == '\0')
    g_clear_pointer (&stripped, g_free);

  if (g_strcmp0 (self->display_name, stripped) == 0)
    return;

  g_free (self->display_name);
  self->display_name = g_steal_pointer (&stripped);
  if (self->endpoint != NULL)
    wharf_endpoint_set_display_name (self->endpoint, self->display_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

WharfEndpoint *
wharf_registry_get_endpoint (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->endpoint;
}

void
wharf_registry_set_endpoint (WharfRegistry *self,
                             WharfEndpoint *endpoint)
{
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autofree char *address = NULL;
  /* A copy: without a custom name it belongs to the endpoint replaced below. */
  g_autofree char *old_name = NULL;

  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (WHARF_IS_ENDPOINT (endpoint));

  if (self->endpoint == endpoint)
    return;

  old_name = g_strdup (wharf_registry_get_display_name (self));
  g_object_freeze_notify (G_OBJECT (self));

  if (self->client != NULL)
    credential = wharf_client_dup_credential (self->client);

  g_set_object (&self->endpoint, endpoint);
  if (self->display_name != NULL)
    wharf_endpoint_set_display_name (endpoint, self->display_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);

  /* A new session: the TLS settings are read when a client is made. */
  client = wharf_client_new (endpoint);
  if (credential != NULL)
    wharf_client_set_credential (client, credential);
  set_client (self, client);

  address = address_for_endpoint (endpoint);
  if (g_strcmp0 (address, self->address) != 0)
    {
      g_free (self->address);
      self->address = g_steal_pointer (&address);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
    }

  if (old_name == NULL || g_strcmp0 (old_name, wharf_registry_get_display_name (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);

  /* What was known was about the old settings. */
  self->serial++;
  set_status (self, WHARF_REGISTRY_STATUS_UNKNOWN, NULL, NULL);

  g_object_thaw_notify (G_OBJECT (self));
}

WharfClient *
wharf_registry_get_client (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->client;
}

WharfRegistryStatus
wharf_registry_get_status (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), WHARF_REGISTRY_STATUS_UNKNOWN);

  return self->status;
}

const char *
wharf_registry_get_status_message (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->status_message;
}

const GError *
wharf_registry_get_status_error (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->status_error;
}

const char *
wharf_registry_get_username (WharfRegistry *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), NULL);

  return self->username;
}

gboolean
wharf_registry_report_error (WharfRegistry *self,
                             const GError  *error)
{
  static const WharfError registry_wide[] = {
    WHARF_ERROR_AUTH_REQUIRED,
    WHARF_ERROR_AUTH_FAILED,
    WHARF_ERROR_CONNECTION_REFUSED,
    WHARF_ERROR_HOST_NOT_FOUND,
    WHARF_ERROR_TIMED_OUT,
    WHARF_ERROR_NETWORK,
    WHARF_ERROR_TLS_CERTIFICATE,
    WHARF_ERROR_TLS,
    WHARF_ERROR_INSECURE,
    WHARF_ERROR_NOT_A_REGISTRY,
  };

  g_return_val_if_fail (WHARF_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain != WHARF_ERROR)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (registry_wide); i++)
    {
      if (error->code == (int) registry_wide[i])
        {
          self->serial++;
          set_status_from_error (self, error);
          return TRUE;
        }
    }

  return FALSE;
}

/* Refresh */

typedef struct
{
  guint        serial;
  WharfClient *client;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_object (&data->client);
  g_free (data);
}

static gboolean
refresh_is_current (GTask *task)
{
  WharfRegistry *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);

  return data->serial == self->serial;
}

static void
refresh_ping_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  WharfRegistry *self = g_task_get_source_object (task);

  ping = wharf_client_ping_finish (WHARF_CLIENT (object), result, &error);

  if (!refresh_is_current (task))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (ping == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, WHARF_REGISTRY_STATUS_UNKNOWN, NULL, NULL);
      else
        set_status_from_error (self, error);
    }
  else if (ping->signed_in)
    {
      set_status (self, WHARF_REGISTRY_STATUS_SIGNED_IN, NULL, NULL);
    }
  else if (ping->auth_scheme == WHARF_AUTH_SCHEME_BASIC)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a registry address such as "registry.example.com". */
      message = g_strdup_printf (_("%s asks you to sign in."),
                                 wharf_endpoint_get_domain (self->endpoint));
      set_status (self, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN, message, NULL);
    }
  else
    {
      /* A token service often hands out anonymous tokens (Docker Hub,
       * ghcr.io): whether they suffice shows when the panes ask for
       * something, and they report it with wharf_registry_report_error(). */
      set_status (self, WHARF_REGISTRY_STATUS_REACHABLE, NULL, NULL);
    }

  g_task_return_boolean (task, TRUE);
}

/* Takes the reference to @task. */
static void
refresh_ping (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);

  wharf_client_ping_async (data->client,
                           g_task_get_cancellable (task),
                           refresh_ping_cb,
                           task);
}

static void
refresh_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(WharfCredential) current = NULL;
  g_autoptr(GError) error = NULL;
  WharfRegistry *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);

  credential = wharf_credential_lookup_finish (result, &error);

  if (!refresh_is_current (task))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_status (self, WHARF_REGISTRY_STATUS_UNKNOWN, NULL, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* No keyring is no reason not to look anonymously. */
  if (error != NULL)
    g_debug ("No stored credentials for %s: %s",
             wharf_endpoint_get_domain (self->endpoint), error->message);

  current = wharf_client_dup_credential (self->client);
  if (!credentials_equal (credential, current))
    {
      g_autoptr(WharfClient) client = wharf_client_new (self->endpoint);

      /* A new client rather than new credentials on the old one: the panes
       * follow "client" and list again with the rights these give. */
      if (credential != NULL)
        wharf_client_set_credential (client, credential);
      set_client (self, client);
    }
  set_username (self, credential != NULL ? credential->username : NULL);

  g_set_object (&data->client, self->client);
  refresh_ping (g_steal_pointer (&task));
}

void
wharf_registry_refresh_async (WharfRegistry       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_registry_refresh_async);

  data = g_new0 (RefreshData, 1);
  data->serial = ++self->serial;
  data->client = g_object_ref (self->client);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  set_status (self, WHARF_REGISTRY_STATUS_CHECKING, NULL, NULL);

  if (self->signed_out)
    refresh_ping (g_steal_pointer (&task));
  else
    wharf_credential_lookup_async (wharf_endpoint_get_domain (self->endpoint),
                                   cancellable,
                                   refresh_lookup_cb,
                                   g_steal_pointer (&task));
}

void
wharf_registry_refresh_finish (WharfRegistry *self,
                               GAsyncResult  *result)
{
  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (g_task_is_valid (result, self));

  g_task_propagate_boolean (G_TASK (result), NULL);
}

/* Sign in */

typedef struct
{
  WharfClient     *client;
  WharfCredential *credential;
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_clear_object (&data->client);
  g_clear_pointer (&data->credential, wharf_credential_free);
  g_free (data);
}

static void
sign_in_store_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  WharfRegistry *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);

  if (!wharf_credential_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Whatever a check in flight finds is about the credentials before. */
  self->serial++;
  self->signed_out = FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  set_client (self, data->client);
  set_username (self, data->credential->username);
  set_status (self, WHARF_REGISTRY_STATUS_SIGNED_IN, NULL, NULL);
  g_object_thaw_notify (G_OBJECT (self));

  g_task_return_boolean (task, TRUE);
}

static void
sign_in_ping_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  WharfRegistry *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  const char *domain = wharf_endpoint_get_domain (self->endpoint);
  GCancellable *cancellable;

  ping = wharf_client_ping_finish (WHARF_CLIENT (object), result, &error);
  if (ping == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!ping->signed_in)
    {
      if (ping->auth_scheme == WHARF_AUTH_SCHEME_NONE)
        g_task_return_new_error (task, WHARF_ERROR, WHARF_ERROR_FAILED,
                                 /* Translators: %s is a registry address. */
                                 _("%s does not ask anyone to sign in, so Wharf keeps no "
                                   "password for it."),
                                 domain);
      else
        g_task_return_new_error (task, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED,
                                 _("Wrong username or password for %s."), domain);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  wharf_credential_store_async (data->credential,
                                cancellable,
                                sign_in_store_cb,
                                g_steal_pointer (&task));
}

void
wharf_registry_sign_in_async (WharfRegistry       *self,
                              const char          *username,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignInData *data;

  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_registry_sign_in_async);

  /* Proved on a client of its own: the registry's keeps working for the
   * panes, and wrong credentials never touch it. */
  data = g_new0 (SignInData, 1);
  data->credential = wharf_credential_new (wharf_endpoint_get_domain (self->endpoint),
                                           username, password);
  data->credential->source = WHARF_CREDENTIAL_SOURCE_KEYRING;
  data->client = wharf_client_new (self->endpoint);
  wharf_client_set_credential (data->client, data->credential);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  wharf_client_ping_async (data->client, cancellable, sign_in_ping_cb, g_steal_pointer (&task));
}

gboolean
wharf_registry_sign_in_finish (WharfRegistry  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sign out */

static void
sign_out_forget_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GError) error = NULL;
  WharfRegistry *self = g_task_get_source_object (task);

  if (!wharf_credential_forget_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->signed_out = TRUE;
  client = wharf_client_new (self->endpoint);

  g_object_freeze_notify (G_OBJECT (self));
  set_client (self, client);
  set_username (self, NULL);
  g_object_thaw_notify (G_OBJECT (self));

  /* What an anonymous visitor may do is worth a fresh look. */
  wharf_registry_refresh_async (self, NULL, NULL, NULL);

  g_task_return_boolean (task, TRUE);
}

void
wharf_registry_sign_out_async (WharfRegistry       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_registry_sign_out_async);

  wharf_credential_forget_async (wharf_endpoint_get_domain (self->endpoint),
                                 cancellable,
                                 sign_out_forget_cb,
                                 g_steal_pointer (&task));
}

gboolean
wharf_registry_sign_out_finish (WharfRegistry  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The store */

struct _WharfRegistryStore
{
  GObject    parent_instance;

  GSettings *settings;
  GPtrArray *registries;
};

static void wharf_registry_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WharfRegistryStore, wharf_registry_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      wharf_registry_store_list_model_init))

enum {
  STORE_PROP_0,
  STORE_PROP_SETTINGS,
  STORE_N_PROPS
};

static GParamSpec *store_properties[STORE_N_PROPS];

static GType
wharf_registry_store_get_item_type (GListModel *model)
{
  return WHARF_TYPE_REGISTRY;
}

static guint
wharf_registry_store_get_n_items (GListModel *model)
{
  return WHARF_REGISTRY_STORE (model)->registries->len;
}

static gpointer
wharf_registry_store_get_item (GListModel *model,
                               guint       position)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (model);

  if (position >= self->registries->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->registries, position));
}

static void
wharf_registry_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = wharf_registry_store_get_item_type;
  iface->get_n_items = wharf_registry_store_get_n_items;
  iface->get_item = wharf_registry_store_get_item;
}

static void
registry_settings_changed_cb (WharfRegistryStore *self,
                              GParamSpec         *pspec,
                              WharfRegistry      *registry)
{
  wharf_registry_store_save (self);
}

static void
store_append (WharfRegistryStore *self,
              WharfRegistry      *registry)
{
  g_ptr_array_add (self->registries, g_object_ref (registry));
  g_signal_connect_object (registry, "notify::display-name",
                           G_CALLBACK (registry_settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (registry, "notify::endpoint",
                           G_CALLBACK (registry_settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static WharfEndpoint *
endpoint_from_variant (GVariant  *dict,
                       GError   **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  const char *address = NULL;
  const char *ca_file = NULL;
  gboolean tls_verify = TRUE;
  gboolean allow_insecure = FALSE;

  if (!g_variant_lookup (dict, "address", "&s", &address))
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                           "A saved registry has no address");
      return NULL;
    }

  endpoint = wharf_endpoint_new (address, error);
  if (endpoint == NULL)
    return NULL;

  g_variant_lookup (dict, "allow-insecure", "b", &allow_insecure);
  g_variant_lookup (dict, "tls-verify", "b", &tls_verify);
  if (g_variant_lookup (dict, "ca-file", "&s", &ca_file))
    wharf_endpoint_set_ca_file (endpoint, ca_file);
  /* After the CA file, which sets the policy too: an unverified registry
   * keeps its CA file for when the user turns verification back on. */
  if (!tls_verify)
    wharf_endpoint_set_tls_policy (endpoint, WHARF_TLS_NO_VERIFY);
  wharf_endpoint_set_allow_insecure (endpoint, allow_insecure);

  return g_steal_pointer (&endpoint);
}

static void
wharf_registry_store_load (WharfRegistryStore *self)
{
  g_autoptr(GVariant) user_value = NULL;
  GVariantIter iter;
  GVariant *dict;

  user_value = g_settings_get_user_value (self->settings, "registries");

  /* Never saved: the first run. Not the schema's default, whose name cannot
   * be translated; and a user who removed every registry keeps an empty list. */
  if (user_value == NULL)
    {
      g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new ("localhost:5000", NULL);
      g_autoptr(WharfRegistry) registry = wharf_registry_new (endpoint);

      wharf_registry_set_display_name (registry, _("Local registry"));
      store_append (self, registry);
      return;
    }

  g_variant_iter_init (&iter, user_value);
  while ((dict = g_variant_iter_next_value (&iter)))
    {
      g_autoptr(GVariant) owned = dict;
      g_autoptr(WharfEndpoint) endpoint = NULL;
      g_autoptr(WharfRegistry) registry = NULL;
      g_autoptr(GError) error = NULL;
      const char *name = NULL;

      endpoint = endpoint_from_variant (dict, &error);
      if (endpoint == NULL)
        {
          g_debug ("Skipping a saved registry: %s", error->message);
          continue;
        }

      if (wharf_registry_store_find (self, wharf_endpoint_get_domain (endpoint)) != NULL)
        {
          g_debug ("Skipping a second entry for %s", wharf_endpoint_get_domain (endpoint));
          continue;
        }

      registry = wharf_registry_new (endpoint);
      if (g_variant_lookup (dict, "name", "&s", &name))
        wharf_registry_set_display_name (registry, name);
      store_append (self, registry);
    }
}

static void
wharf_registry_store_dispose (GObject *object)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (object);

  if (self->registries != NULL)
    {
      for (guint i = 0; i < self->registries->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->registries, i), self);
      g_ptr_array_set_size (self->registries, 0);
    }

  G_OBJECT_CLASS (wharf_registry_store_parent_class)->dispose (object);
}

static void
wharf_registry_store_finalize (GObject *object)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (object);

  g_clear_pointer (&self->registries, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (wharf_registry_store_parent_class)->finalize (object);
}

static void
wharf_registry_store_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (object);

  switch (prop_id)
    {
    case STORE_PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_store_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (object);

  switch (prop_id)
    {
    case STORE_PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_store_constructed (GObject *object)
{
  WharfRegistryStore *self = WHARF_REGISTRY_STORE (object);

  G_OBJECT_CLASS (wharf_registry_store_parent_class)->constructed (object);

  if (self->settings != NULL)
    wharf_registry_store_load (self);
}

static void
wharf_registry_store_class_init (WharfRegistryStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wharf_registry_store_dispose;
  object_class->finalize = wharf_registry_store_finalize;
  object_class->get_property = wharf_registry_store_get_property;
  object_class->set_property = wharf_registry_store_set_property;
  object_class->constructed = wharf_registry_store_constructed;

  store_properties[STORE_PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, STORE_N_PROPS, store_properties);
}

static void
wharf_registry_store_init (WharfRegistryStore *self)
{
  self->registries = g_ptr_array_new_with_free_func (g_object_unref);
}

WharfRegistryStore *
wharf_registry_store_new (GSettings *settings)
{
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (WHARF_TYPE_REGISTRY_STORE,
                       "settings", settings,
                       NULL);
}

static gboolean
store_lookup (WharfRegistryStore *self,
              const char         *domain,
              guint              *position)
{
  for (guint i = 0; i < self->registries->len; i++)
    {
      WharfRegistry *registry = g_ptr_array_index (self->registries, i);

      if (g_strcmp0 (wharf_endpoint_get_domain (registry->endpoint), domain) == 0)
        {
          if (position != NULL)
            *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

WharfRegistry *
wharf_registry_store_find (WharfRegistryStore *self,
                           const char         *address)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  guint position;

  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  endpoint = wharf_endpoint_new (address, NULL);
  if (endpoint == NULL)
    return NULL;

  if (!store_lookup (self, wharf_endpoint_get_domain (endpoint), &position))
    return NULL;

  return g_ptr_array_index (self->registries, position);
}

WharfRegistry *
wharf_registry_store_add (WharfRegistryStore *self,
                          WharfEndpoint      *endpoint,
                          const char         *display_name)
{
  g_autoptr(WharfRegistry) registry = NULL;
  guint position;

  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (self), NULL);
  g_return_val_if_fail (WHARF_IS_ENDPOINT (endpoint), NULL);

  if (store_lookup (self, wharf_endpoint_get_domain (endpoint), &position))
    return g_ptr_array_index (self->registries, position);

  registry = wharf_registry_new (endpoint);
  wharf_registry_set_display_name (registry, display_name);
  _wharf_registry_store_append (self, registry);

  return registry;
}

void
wharf_registry_store_remove (WharfRegistryStore *self,
                             WharfRegistry      *registry)
{
  guint position;

  g_return_if_fail (WHARF_IS_REGISTRY_STORE (self));
  g_return_if_fail (WHARF_IS_REGISTRY (registry));

  if (!g_ptr_array_find (self->registries, registry, &position))
    return;

  g_signal_handlers_disconnect_by_data (registry, self);
  g_ptr_array_remove_index (self->registries, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  wharf_registry_store_save (self);
}

/* Connection settings only: secrets live in the keyring. */
static GVariant *
registry_to_variant (WharfRegistry *registry)
{
  GVariantDict dict;
  const char *ca_file = wharf_endpoint_get_ca_file (registry->endpoint);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "address", "s", registry->address);
  if (registry->display_name != NULL)
    g_variant_dict_insert (&dict, "name", "s", registry->display_name);
  if (wharf_endpoint_get_tls_policy (registry->endpoint) == WHARF_TLS_NO_VERIFY)
    g_variant_dict_insert (&dict, "tls-verify", "b", FALSE);
  if (ca_file != NULL)
    g_variant_dict_insert (&dict, "ca-file", "s", ca_file);
  if (wharf_endpoint_get_allow_insecure (registry->endpoint))
    g_variant_dict_insert (&dict, "allow-insecure", "b", TRUE);

  return g_variant_dict_end (&dict);
}

void
wharf_registry_store_save (WharfRegistryStore *self)
{
  GVariantBuilder builder;

  g_return_if_fail (WHARF_IS_REGISTRY_STORE (self));

  if (self->settings == NULL)
    return;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->registries->len; i++)
    g_variant_builder_add_value (&builder,
                                 registry_to_variant (g_ptr_array_index (self->registries, i)));

  g_settings_set_value (self->settings, "registries", g_variant_builder_end (&builder));
}

void
_wharf_registry_adopt_sign_in (WharfRegistry *self,
                               WharfRegistry *from)
{
  g_return_if_fail (WHARF_IS_REGISTRY (self));
  g_return_if_fail (WHARF_IS_REGISTRY (from));
  g_return_if_fail (self->endpoint == from->endpoint);

  self->serial++;
  self->signed_out = from->signed_out;

  g_object_freeze_notify (G_OBJECT (self));
  set_client (self, from->client);
  set_username (self, from->username);
  set_status (self, from->status, from->status_message, from->status_error);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
_wharf_registry_store_append (WharfRegistryStore *self,
                              WharfRegistry      *registry)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (self), FALSE);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), FALSE);

  if (store_lookup (self, wharf_endpoint_get_domain (registry->endpoint), NULL))
    return FALSE;

  store_append (self, registry);
  g_list_model_items_changed (G_LIST_MODEL (self), self->registries->len - 1, 0, 1);
  wharf_registry_store_save (self);

  return TRUE;
}
