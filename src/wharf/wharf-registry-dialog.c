/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-dialog.c: add or edit a registry: address, name, TLS, sign-in, test. */

#define G_LOG_DOMAIN "wharf-registry-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-registry-dialog.h"
#include "wharf-registry-private.h"

/* The positions in the certificates combo row. */
enum {
  TLS_CHOICE_VERIFY,
  TLS_CHOICE_CA_FILE,
  TLS_CHOICE_NO_VERIFY,
};

struct _WharfRegistryDialog
{
  AdwWindow             parent_instance;

  WharfRegistryStore   *store;
  WharfRegistry        *registry;          /* edit mode; NULL when adding */
  /* Cancelled in dispose: nothing answers into a dialog that is gone. */
  GCancellable         *cancellable;
  GCancellable         *test_cancellable;  /* the test in flight */
  WharfEndpoint        *pending_endpoint;  /* the settings being saved */
  WharfRegistry        *pending;           /* signed in with them, not yet adopted */
  GtkFileChooserNative *ca_chooser;
  char                 *ca_file;
  guint                 testing : 1;
  guint                 saving : 1;
  guint                 address_ok : 1;

  GtkButton            *save_button;
  GtkSpinner           *save_spinner;
  GtkLabel             *error_label;
  AdwEntryRow          *address_row;
  AdwEntryRow          *name_row;
  GtkLabel             *address_error_label;
  AdwComboRow          *tls_row;
  AdwActionRow         *ca_row;
  AdwActionRow         *insecure_row;
  GtkSwitch            *insecure_switch;
  GtkLabel             *security_warning_label;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkButton            *test_button;
  GtkSpinner           *test_spinner;
  GtkLabel             *test_result_label;
};

G_DEFINE_FINAL_TYPE (WharfRegistryDialog, wharf_registry_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
dup_stripped_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static void
set_error (WharfRegistryDialog *self,
           const char          *message)
{
  show_label (self->error_label, message);

  /* Scrolled into view: the error is what the user must read next. */
  if (message != NULL)
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (
                                GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (
                                  GTK_WIDGET (self->error_label), GTK_TYPE_SCROLLED_WINDOW))),
                              0);
}

static void
set_test_result (WharfRegistryDialog *self,
                 const char          *text,
                 gboolean             success)
{
  show_label (self->test_result_label, text);

  if (success)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), "success");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), "error");
    }
}

static WharfRegistry *
find_other_registry (WharfRegistryDialog *self,
                     WharfEndpoint       *endpoint)
{
  WharfRegistry *found;

  if (self->store == NULL)
    return NULL;

  found = wharf_registry_store_find (self->store, wharf_endpoint_get_domain (endpoint));
  if (found == self->registry)
    return NULL;

  return found;
}

static void
update_sensitivity (WharfRegistryDialog *self)
{
  gboolean editable = !self->saving;

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button),
                            self->address_ok && !self->saving && !self->testing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), self->address_ok && !self->saving);
  gtk_button_set_label (self->test_button,
                        self->testing ? _("_Stop Test") : _("_Test Connection"));

  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), self->testing);
  gtk_spinner_set_spinning (self->test_spinner, self->testing);
  gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), self->saving);
  gtk_spinner_set_spinning (self->save_spinner, self->saving);

  gtk_widget_set_sensitive (GTK_WIDGET (self->address_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tls_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ca_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->insecure_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), editable);
}

static void
set_testing (WharfRegistryDialog *self,
             gboolean             testing)
{
  gboolean was_busy = wharf_registry_dialog_get_busy (self);

  self->testing = !!testing;
  update_sensitivity (self);
  if (was_busy != wharf_registry_dialog_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_saving (WharfRegistryDialog *self,
            gboolean             saving)
{
  gboolean was_busy = wharf_registry_dialog_get_busy (self);

  self->saving = !!saving;
  update_sensitivity (self);
  if (was_busy != wharf_registry_dialog_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
update_security_rows (WharfRegistryDialog *self)
{
  guint choice = adw_combo_row_get_selected (self->tls_row);
  gboolean insecure = gtk_widget_get_visible (GTK_WIDGET (self->insecure_row)) &&
                      gtk_switch_get_active (self->insecure_switch);
  g_autoptr(GString) warning = g_string_new (NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->ca_row), choice == TLS_CHOICE_CA_FILE);

  if (self->ca_file != NULL)
    {
      g_autofree char *basename = g_path_get_basename (self->ca_file);

      adw_action_row_set_subtitle (self->ca_row, basename);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->ca_row), self->ca_file);
    }
  else
    {
      adw_action_row_set_subtitle (self->ca_row, _("None chosen"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->ca_row), NULL);
    }

  if (choice == TLS_CHOICE_NO_VERIFY)
    g_string_append (warning, _("Without verification, anyone between you and the registry "
                                "can pose as it and read your password. Prefer a custom CA "
                                "certificate."));
  if (insecure)
    {
      if (warning->len > 0)
        g_string_append_c (warning, ' ');
      g_string_append (warning, _("Over plain HTTP, passwords and images travel unencrypted. "
                                  "Allow it only on a network you trust."));
    }

  show_label (self->security_warning_label, warning->str);
}

/* The settings in the form, as an endpoint; NULL with the sentence to show. */
static WharfEndpoint *
build_endpoint (WharfRegistryDialog  *self,
                GError              **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autofree char *address = dup_stripped_text (self->address_row);
  g_autofree char *name = dup_stripped_text (self->name_row);

  endpoint = wharf_endpoint_new (address, error);
  if (endpoint == NULL)
    return NULL;

  switch (adw_combo_row_get_selected (self->tls_row))
    {
    case TLS_CHOICE_CA_FILE:
      if (self->ca_file == NULL)
        {
          g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_FAILED,
                               _("Choose the CA certificate file, or verify certificates "
                                 "with the system’s authorities."));
          return NULL;
        }
      wharf_endpoint_set_ca_file (endpoint, self->ca_file);
      break;

    case TLS_CHOICE_NO_VERIFY:
      /* Kept for when verification is turned back on. */
      wharf_endpoint_set_ca_file (endpoint, self->ca_file);
      wharf_endpoint_set_tls_policy (endpoint, WHARF_TLS_NO_VERIFY);
      break;

    case TLS_CHOICE_VERIFY:
    default:
      /* A CA file saved with the registry means "use it": not kept here. */
      wharf_endpoint_set_tls_policy (endpoint, WHARF_TLS_VERIFY);
      break;
    }

  if (!wharf_endpoint_is_loopback (endpoint))
    wharf_endpoint_set_allow_insecure (endpoint, gtk_switch_get_active (self->insecure_switch));

  wharf_endpoint_set_display_name (endpoint, name[0] != '\0' ? name : NULL);

  return g_steal_pointer (&endpoint);
}

static void
address_changed_cb (WharfRegistryDialog *self,
                    GtkEditable         *editable)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = dup_stripped_text (self->address_row);
  GtkEditable *name_text = gtk_editable_get_delegate (GTK_EDITABLE (self->name_row));
  const char *problem = NULL;
  g_autofree char *duplicate = NULL;
  gboolean show_insecure = TRUE;

  if (address[0] != '\0')
    {
      endpoint = wharf_endpoint_new (address, &error);
      if (endpoint == NULL)
        {
          problem = error->message;
        }
      else
        {
          WharfRegistry *other = find_other_registry (self, endpoint);

          if (other != NULL)
            {
              /* Translators: %s is a registry name such as "Local registry". */
              duplicate = g_strdup_printf (_("This registry is in the list already, as “%s”."),
                                           wharf_registry_get_display_name (other));
              problem = duplicate;
            }
          show_insecure = !wharf_endpoint_is_loopback (endpoint) &&
                          !wharf_endpoint_is_docker_hub (endpoint);
        }
    }

  self->address_ok = endpoint != NULL && problem == NULL;

  show_label (self->address_error_label, problem);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->address_row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               problem != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                               : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);

  /* Without a name of its own, the registry goes by its address. */
  if (GTK_IS_TEXT (name_text))
    gtk_text_set_placeholder_text (GTK_TEXT (name_text),
                                   endpoint != NULL ? wharf_endpoint_get_display_name (endpoint)
                                                    : NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->insecure_row), show_insecure);
  update_security_rows (self);
  update_sensitivity (self);
}

static void
form_changed_cb (WharfRegistryDialog *self,
                 GtkEditable         *editable)
{
  /* A refusal was about what the fields held before. */
  set_error (self, NULL);
}

static void
tls_changed_cb (WharfRegistryDialog *self,
                GParamSpec          *pspec,
                AdwComboRow         *row)
{
  update_security_rows (self);
}

static void
insecure_changed_cb (WharfRegistryDialog *self,
                     GParamSpec          *pspec,
                     GtkSwitch           *sw)
{
  update_security_rows (self);
}

static void
ca_chooser_response_cb (WharfRegistryDialog  *self,
                        int                   response,
                        GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_free (self->ca_file);
          self->ca_file = g_steal_pointer (&path);
          update_security_rows (self);
        }
    }

  g_clear_object (&self->ca_chooser);
}

static void
choose_ca_clicked_cb (WharfRegistryDialog *self,
                      GtkButton           *button)
{
  g_autoptr(GtkFileFilter) pem = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->ca_chooser != NULL)
    return;

  gtk_file_filter_set_name (pem, _("PEM Certificates"));
  gtk_file_filter_add_mime_type (pem, "application/x-x509-ca-cert");
  gtk_file_filter_add_mime_type (pem, "application/x-pem-file");
  gtk_file_filter_add_suffix (pem, "pem");
  gtk_file_filter_add_suffix (pem, "crt");
  gtk_file_filter_add_suffix (pem, "cer");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  self->ca_chooser = gtk_file_chooser_native_new (_("Choose a CA Certificate"),
                                                  GTK_WINDOW (self),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN,
                                                  _("_Choose"),
                                                  _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->ca_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), pem);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->ca_chooser), pem);
  if (self->ca_file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->ca_file);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->ca_chooser), file, NULL);
    }

  g_signal_connect_object (self->ca_chooser, "response",
                           G_CALLBACK (ca_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->ca_chooser));
}

/* Test Connection */

static const char *
auth_scheme_sentence (WharfAuthScheme scheme)
{
  switch (scheme)
    {
    case WHARF_AUTH_SCHEME_NONE:
      return _("No sign-in needed.");

    case WHARF_AUTH_SCHEME_BASIC:
      return _("Sign-in with password (Basic).");

    case WHARF_AUTH_SCHEME_BEARER:
      return _("Sign-in with tokens (Bearer).");

    case WHARF_AUTH_SCHEME_UNKNOWN:
    default:
      return NULL;
    }
}

static void
test_ping_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WharfRegistryDialog) self = user_data;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  WharfClient *client = WHARF_CLIENT (object);
  const char *auth;

  ping = wharf_client_ping_finish (client, result, &error);

  /* The dialog is gone: nobody to tell. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_clear_object (&self->test_cancellable);
  set_testing (self, FALSE);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_test_result (self, _("Test stopped."), FALSE);
      return;
    }

  credential = wharf_client_dup_credential (client);

  if (ping == NULL && !g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED))
    {
      set_test_result (self, error->message, FALSE);
      return;
    }

  /* Wrong credentials still tell that a registry answered, and how it signs in. */
  g_string_append (text, _("Registry API v2 found."));
  auth = auth_scheme_sentence (ping != NULL ? ping->auth_scheme
                                            : wharf_client_get_auth_scheme (client));
  if (auth != NULL)
    g_string_append_printf (text, "\n%s", auth);

  if (ping == NULL)
    g_string_append_printf (text, "\n%s", error->message);
  else if (credential != NULL && ping->signed_in)
    g_string_append_printf (text, "\n%s", _("Username and password accepted."));
  else if (credential != NULL && ping->auth_scheme == WHARF_AUTH_SCHEME_NONE)
    g_string_append_printf (text, "\n%s", _("It does not ask for a password, so Wharf will "
                                            "not keep one."));
  else if (credential == NULL && ping->auth_scheme == WHARF_AUTH_SCHEME_BASIC)
    g_string_append_printf (text, "\n%s", _("Enter a username and password to sign in."));
  else if (credential == NULL && ping->auth_scheme == WHARF_AUTH_SCHEME_BEARER)
    g_string_append_printf (text, "\n%s", _("Without signing in, you see what it shows to "
                                            "anyone."));

  set_test_result (self, text->str, ping != NULL);
}

static void
test_clicked_cb (WharfRegistryDialog *self,
                 GtkButton           *button)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  const char *password;

  if (self->testing)
    {
      g_cancellable_cancel (self->test_cancellable);
      return;
    }

  endpoint = build_endpoint (self, &error);
  if (endpoint == NULL)
    {
      set_test_result (self, error->message, FALSE);
      return;
    }

  /* Its own client: what is tested must not disturb what the window uses. */
  client = wharf_client_new (endpoint);
  username = dup_stripped_text (self->username_row);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (username[0] != '\0' && password[0] != '\0')
    {
      g_autoptr(WharfCredential) credential = NULL;

      credential = wharf_credential_new (wharf_endpoint_get_domain (endpoint), username, password);
      wharf_client_set_credential (client, credential);
    }

  set_test_result (self, NULL, TRUE);
  self->test_cancellable = g_cancellable_new ();
  set_testing (self, TRUE);
  wharf_client_ping_async (client, self->test_cancellable, test_ping_cb, g_object_ref (self));
}

/* Add / Save */

static gboolean
same_settings (WharfEndpoint *a,
               WharfEndpoint *b)
{
  return g_strcmp0 (wharf_endpoint_get_domain (a), wharf_endpoint_get_domain (b)) == 0 &&
         wharf_endpoint_get_scheme (a) == wharf_endpoint_get_scheme (b) &&
         wharf_endpoint_get_tls_policy (a) == wharf_endpoint_get_tls_policy (b) &&
         g_strcmp0 (wharf_endpoint_get_ca_file (a), wharf_endpoint_get_ca_file (b)) == 0 &&
         wharf_endpoint_get_allow_insecure (a) == wharf_endpoint_get_allow_insecure (b);
}

static void
finish_save (WharfRegistryDialog *self)
{
  g_autoptr(WharfEndpoint) endpoint = g_steal_pointer (&self->pending_endpoint);
  g_autoptr(WharfRegistry) pending = g_steal_pointer (&self->pending);
  g_autoptr(WharfRegistry) registry = NULL;
  g_autofree char *name = dup_stripped_text (self->name_row);

  if (self->registry != NULL)
    {
      registry = g_object_ref (self->registry);
      wharf_registry_set_display_name (registry, name);
      /* A new name alone keeps the client, and the panes showing what it found. */
      if (pending != NULL ||
          !same_settings (endpoint, wharf_registry_get_endpoint (registry)))
        wharf_registry_set_endpoint (registry, endpoint);
      if (pending != NULL)
        _wharf_registry_adopt_sign_in (registry, pending);
      wharf_registry_store_save (self->store);
    }
  else
    {
      registry = pending != NULL ? g_object_ref (pending) : wharf_registry_new (endpoint);
      wharf_registry_set_display_name (registry, name);

      if (!_wharf_registry_store_append (self->store, registry))
        {
          /* Added elsewhere while the dialog was open. */
          set_saving (self, FALSE);
          set_error (self, _("This registry is in the list already."));
          return;
        }
    }

  set_saving (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0, registry);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_sign_in_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WharfRegistryDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!wharf_registry_sign_in_finish (WHARF_REGISTRY (object), result, &error))
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;

      g_clear_object (&self->pending);
      g_clear_object (&self->pending_endpoint);
      set_saving (self, FALSE);
      set_error (self, error->message);
      if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED))
        gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  finish_save (self);
}

static void
save_clicked_cb (WharfRegistryDialog *self,
                 GtkButton           *button)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  const char *password;
  const char *known_user = NULL;

  if (self->saving || self->testing || !self->address_ok)
    return;

  set_error (self, NULL);

  endpoint = build_endpoint (self, &error);
  if (endpoint == NULL)
    {
      set_error (self, error->message);
      return;
    }

  if (find_other_registry (self, endpoint) != NULL)
    {
      set_error (self, _("This registry is in the list already."));
      return;
    }

  username = dup_stripped_text (self->username_row);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (self->registry != NULL)
    known_user = wharf_registry_get_username (self->registry);

  if (password[0] != '\0' && username[0] == '\0')
    {
      set_error (self, _("Enter the username that goes with the password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
      return;
    }

  /* Editing, the user's name with no password keeps the sign-in as it is. */
  if (password[0] == '\0' && username[0] != '\0' && g_strcmp0 (username, known_user) != 0)
    {
      set_error (self, _("Enter the password too, or leave the username empty."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  self->pending_endpoint = g_steal_pointer (&endpoint);

  if (password[0] == '\0')
    {
      finish_save (self);
      return;
    }

  /* Proved with the new settings first: wrong credentials change nothing. */
  self->pending = wharf_registry_new (self->pending_endpoint);
  set_saving (self, TRUE);
  wharf_registry_sign_in_async (self->pending, username, password, self->cancellable,
                                save_sign_in_cb, g_object_ref (self));
}

/* GObject */

static void
wharf_registry_dialog_dispose (GObject *object)
{
  WharfRegistryDialog *self = WHARF_REGISTRY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  if (self->ca_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ca_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->ca_chooser));
      g_clear_object (&self->ca_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_REGISTRY_DIALOG);

  G_OBJECT_CLASS (wharf_registry_dialog_parent_class)->dispose (object);
}

static void
wharf_registry_dialog_finalize (GObject *object)
{
  WharfRegistryDialog *self = WHARF_REGISTRY_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->pending_endpoint);
  g_clear_object (&self->pending);
  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (wharf_registry_dialog_parent_class)->finalize (object);
}

static void
wharf_registry_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WharfRegistryDialog *self = WHARF_REGISTRY_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, wharf_registry_dialog_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_dialog_class_init (WharfRegistryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_registry_dialog_dispose;
  object_class->finalize = wharf_registry_dialog_finalize;
  object_class->get_property = wharf_registry_dialog_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_REGISTRY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-registry-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, address_error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, tls_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, ca_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, insecure_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, insecure_switch);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog,
                                        security_warning_label);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryDialog, test_result_label);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tls_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, insecure_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_ca_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* AdwEntryRow names its text by its title only from libadwaita 1.3: screen
 * readers (and the end-to-end test) find the field by this name. */
static void
label_entry_text (gpointer row)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                    -1);
}

static void
wharf_registry_dialog_init (WharfRegistryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  label_entry_text (self->address_row);
  label_entry_text (self->name_row);
  label_entry_text (self->username_row);
  label_entry_text (self->password_row);
  adw_entry_row_set_activates_default (self->address_row, TRUE);
  adw_entry_row_set_activates_default (self->name_row, TRUE);
  adw_entry_row_set_activates_default (self->username_row, TRUE);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->password_row), TRUE);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));

  address_changed_cb (self, NULL);
}

static WharfRegistryDialog *
wharf_registry_dialog_new (GtkWindow          *parent,
                           WharfRegistryStore *store)
{
  WharfRegistryDialog *self;

  self = g_object_new (WHARF_TYPE_REGISTRY_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);

  return self;
}

WharfRegistryDialog *
wharf_registry_dialog_new_add (GtkWindow          *parent,
                               WharfRegistryStore *store,
                               const char         *address)
{
  WharfRegistryDialog *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (store), NULL);

  self = wharf_registry_dialog_new (parent, store);
  if (address != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
  address_changed_cb (self, NULL);

  return self;
}

WharfRegistryDialog *
wharf_registry_dialog_new_edit (GtkWindow          *parent,
                                WharfRegistryStore *store,
                                WharfRegistry      *registry)
{
  WharfRegistryDialog *self;
  WharfEndpoint *endpoint;
  const char *username;
  const char *name;
  guint choice;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (store), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);

  self = wharf_registry_dialog_new (parent, store);
  self->registry = g_object_ref (registry);
  endpoint = wharf_registry_get_endpoint (registry);

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Registry"));
  gtk_button_set_label (self->save_button, _("_Save"));

  self->ca_file = g_strdup (wharf_endpoint_get_ca_file (endpoint));
  switch (wharf_endpoint_get_tls_policy (endpoint))
    {
    case WHARF_TLS_CA_FILE:
      choice = TLS_CHOICE_CA_FILE;
      break;

    case WHARF_TLS_NO_VERIFY:
      choice = TLS_CHOICE_NO_VERIFY;
      break;

    case WHARF_TLS_VERIFY:
    default:
      choice = TLS_CHOICE_VERIFY;
      break;
    }
  adw_combo_row_set_selected (self->tls_row, choice);
  gtk_switch_set_active (self->insecure_switch, wharf_endpoint_get_allow_insecure (endpoint));

  name = wharf_registry_get_custom_name (registry);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  username = wharf_registry_get_username (registry);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username != NULL ? username : "");
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), wharf_registry_get_address (registry));
  address_changed_cb (self, NULL);
  set_error (self, NULL);

  return self;
}

void
wharf_registry_dialog_focus_tls (WharfRegistryDialog *self)
{
  g_return_if_fail (WHARF_IS_REGISTRY_DIALOG (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->tls_row));
}

gboolean
wharf_registry_dialog_get_busy (WharfRegistryDialog *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_DIALOG (self), FALSE);

  return self->testing || self->saving;
}

const char *
wharf_registry_dialog_get_test_result (WharfRegistryDialog *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->test_result_label)))
    return NULL;

  return gtk_label_get_text (self->test_result_label);
}

const char *
wharf_registry_dialog_get_error (WharfRegistryDialog *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}
