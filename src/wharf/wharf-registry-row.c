/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-row.c: one registry in the sidebar: name, address, status and menu. */

#define G_LOG_DOMAIN "wharf-registry-row"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-registry-row.h"

struct _WharfRegistryRow
{
  AdwActionRow   parent_instance;

  WharfRegistry *registry;
  char          *status_text;

  GtkStack      *status_stack;
  GtkImage      *status_image;
  GtkSpinner    *spinner;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (WharfRegistryRow, wharf_registry_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_REGISTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wharf_registry_row_update (WharfRegistryRow *self)
{
  WharfRegistry *registry = self->registry;
  const char *message = wharf_registry_get_status_message (registry);
  const char *username = wharf_registry_get_username (registry);
  const char *icon_name = NULL;
  const char *tooltip = NULL;
  char *text = NULL;
  gboolean checking = FALSE;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 wharf_registry_get_display_name (registry));
  /* A registry without a name of its own goes by its address: once is enough. */
  if (g_strcmp0 (wharf_registry_get_display_name (registry),
                 wharf_registry_get_address (registry)) == 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), NULL);
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), wharf_registry_get_address (registry));

  switch (wharf_registry_get_status (registry))
    {
    case WHARF_REGISTRY_STATUS_CHECKING:
      checking = TRUE;
      text = g_strdup (_("Checking…"));
      break;

    case WHARF_REGISTRY_STATUS_REACHABLE:
      icon_name = "emblem-ok-symbolic";
      text = g_strdup (_("Reachable"));
      break;

    case WHARF_REGISTRY_STATUS_SIGNED_IN:
      icon_name = "avatar-default-symbolic";
      /* Translators: %s is a user name on a registry. */
      text = username != NULL ? g_strdup_printf (_("Signed in as %s"), username)
                              : g_strdup (_("Signed in"));
      break;

    case WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN:
      icon_name = "system-lock-screen-symbolic";
      text = g_strdup (_("Needs sign-in"));
      tooltip = message;
      break;

    case WHARF_REGISTRY_STATUS_ERROR:
      icon_name = "dialog-warning-symbolic";
      /* Translators: %s is a sentence saying what went wrong. */
      text = message != NULL ? g_strdup_printf (_("Error: %s"), message) : g_strdup (_("Error"));
      tooltip = message;
      break;

    case WHARF_REGISTRY_STATUS_UNKNOWN:
    default:
      text = g_strdup (_("Not checked yet"));
      break;
    }

  g_free (self->status_text);
  self->status_text = text;

  gtk_image_set_from_icon_name (self->status_image, icon_name);
  gtk_widget_set_visible (GTK_WIDGET (self->status_stack), checking || icon_name != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_stack),
                               tooltip != NULL ? tooltip : text);
  gtk_stack_set_visible_child_name (self->status_stack, checking ? "checking" : "icon");
  gtk_spinner_set_spinning (self->spinner, checking);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  /* Read after the name and address, so the status is heard with the row. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

static void
registry_notify_cb (WharfRegistryRow *self,
                    GParamSpec       *pspec,
                    WharfRegistry    *registry)
{
  wharf_registry_row_update (self);
}

static void
wharf_registry_row_constructed (GObject *object)
{
  WharfRegistryRow *self = WHARF_REGISTRY_ROW (object);

  G_OBJECT_CLASS (wharf_registry_row_parent_class)->constructed (object);

  g_signal_connect_object (self->registry, "notify",
                           G_CALLBACK (registry_notify_cb), self,
                           G_CONNECT_SWAPPED);
  wharf_registry_row_update (self);
}

static void
wharf_registry_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), WHARF_TYPE_REGISTRY_ROW);

  G_OBJECT_CLASS (wharf_registry_row_parent_class)->dispose (object);
}

static void
wharf_registry_row_finalize (GObject *object)
{
  WharfRegistryRow *self = WHARF_REGISTRY_ROW (object);

  g_clear_object (&self->registry);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (wharf_registry_row_parent_class)->finalize (object);
}

static void
wharf_registry_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WharfRegistryRow *self = WHARF_REGISTRY_ROW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  WharfRegistryRow *self = WHARF_REGISTRY_ROW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_row_class_init (WharfRegistryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = wharf_registry_row_constructed;
  object_class->dispose = wharf_registry_row_dispose;
  object_class->finalize = wharf_registry_row_finalize;
  object_class->get_property = wharf_registry_row_get_property;
  object_class->set_property = wharf_registry_row_set_property;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         WHARF_TYPE_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-registry-row.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryRow, status_stack);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryRow, status_image);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistryRow, menu_button);
}

static void
wharf_registry_row_init (WharfRegistryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wharf_registry_row_new (WharfRegistry *registry,
                        GMenuModel    *menu_model)
{
  WharfRegistryRow *self;

  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (!menu_model || G_IS_MENU_MODEL (menu_model), NULL);

  self = g_object_new (WHARF_TYPE_REGISTRY_ROW,
                       "registry", registry,
                       NULL);
  gtk_menu_button_set_menu_model (self->menu_button, menu_model);

  return GTK_WIDGET (self);
}

WharfRegistry *
wharf_registry_row_get_registry (WharfRegistryRow *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_ROW (self), NULL);

  return self->registry;
}

GtkMenuButton *
wharf_registry_row_get_menu_button (WharfRegistryRow *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_ROW (self), NULL);

  return self->menu_button;
}

const char *
wharf_registry_row_get_status_text (WharfRegistryRow *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_ROW (self), NULL);

  return self->status_text;
}
