/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-sign-in-dialog.c: ask for a username and password and sign in to one registry. */

#define G_LOG_DOMAIN "wharf-sign-in-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-sign-in-dialog.h"

struct _WharfSignInDialog
{
  AdwWindow            parent_instance;

  WharfRegistry       *registry;
  /* Cancelled in dispose: nothing answers into a dialog that is gone. */
  GCancellable        *cancellable;
  guint                busy : 1;

  GtkButton           *sign_in_button;
  GtkSpinner          *spinner;
  GtkLabel            *heading_label;
  GtkLabel            *address_label;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *error_label;
};

G_DEFINE_FINAL_TYPE (WharfSignInDialog, wharf_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_error (WharfSignInDialog *self,
           const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_sensitivity (WharfSignInDialog *self)
{
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button),
                            !self->busy && username[0] != '\0' && password[0] != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
set_busy (WharfSignInDialog *self,
          gboolean           busy)
{
  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
form_changed_cb (WharfSignInDialog *self,
                 GtkEditable       *editable)
{
  update_sensitivity (self);
}

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WharfSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = wharf_registry_sign_in_finish (WHARF_REGISTRY (object), result, &error);

  /* The dialog is gone: nobody to tell. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  set_busy (self, FALSE);

  if (!ok)
    {
      set_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
sign_in_clicked_cb (WharfSignInDialog *self,
                    GtkButton         *button)
{
  g_autofree char *username = NULL;
  const char *password;

  if (self->busy)
    return;

  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (username[0] == '\0' || password[0] == '\0')
    return;

  set_error (self, NULL);
  set_busy (self, TRUE);
  wharf_registry_sign_in_async (self->registry, username, password, self->cancellable,
                                sign_in_cb, g_object_ref (self));
}

static void
wharf_sign_in_dialog_dispose (GObject *object)
{
  WharfSignInDialog *self = WHARF_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (wharf_sign_in_dialog_parent_class)->dispose (object);
}

static void
wharf_sign_in_dialog_finalize (GObject *object)
{
  WharfSignInDialog *self = WHARF_SIGN_IN_DIALOG (object);

  g_clear_object (&self->registry);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (wharf_sign_in_dialog_parent_class)->finalize (object);
}

static void
wharf_sign_in_dialog_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WharfSignInDialog *self = WHARF_SIGN_IN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_sign_in_dialog_class_init (WharfSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_sign_in_dialog_dispose;
  object_class->finalize = wharf_sign_in_dialog_finalize;
  object_class->get_property = wharf_sign_in_dialog_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, address_label);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, WharfSignInDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* AdwEntryRow names its text by its title only from libadwaita 1.3. */
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
wharf_sign_in_dialog_init (WharfSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  label_entry_text (self->username_row);
  label_entry_text (self->password_row);
  adw_entry_row_set_activates_default (self->username_row, TRUE);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->password_row), TRUE);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->sign_in_button));
}

WharfSignInDialog *
wharf_sign_in_dialog_new (GtkWindow     *parent,
                          WharfRegistry *registry)
{
  WharfSignInDialog *self;
  g_autofree char *heading = NULL;
  const char *username;
  const char *message;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);

  self = g_object_new (WHARF_TYPE_SIGN_IN_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->registry = g_object_ref (registry);

  /* Translators: %s is a registry name such as "Local registry". */
  heading = g_strdup_printf (_("Sign In to %s"), wharf_registry_get_display_name (registry));
  gtk_label_set_text (self->heading_label, heading);
  gtk_label_set_text (self->address_label, wharf_registry_get_address (registry));

  /* Why sign-in is asked for: a refused password, say. */
  message = wharf_registry_get_status_message (registry);
  if (wharf_registry_get_status (registry) == WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN &&
      wharf_registry_get_username (registry) != NULL && message != NULL)
    set_error (self, message);

  username = wharf_registry_get_username (registry);
  if (username != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }

  update_sensitivity (self);

  return self;
}

gboolean
wharf_sign_in_dialog_get_busy (WharfSignInDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SIGN_IN_DIALOG (self), FALSE);

  return self->busy;
}

const char *
wharf_sign_in_dialog_get_error (WharfSignInDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SIGN_IN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}
