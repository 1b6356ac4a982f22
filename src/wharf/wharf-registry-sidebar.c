/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-sidebar.c: the list of registries with their status, "+" to
 * add one, and a context menu to edit, sign in or out, and remove. */

#define G_LOG_DOMAIN "wharf-registry-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-registry-dialog.h"
#include "wharf-registry-row.h"
#include "wharf-registry-sidebar.h"
#include "wharf-sign-in-dialog.h"

struct _WharfRegistrySidebar
{
  GtkWidget           parent_instance;

  WharfRegistryStore *store;
  /* Cancelled in dispose: no check or sign-out reports to a sidebar that is gone. */
  GCancellable       *cancellable;
  /* The registry whose menu is open; else the actions work on the selected one. */
  WharfRegistry      *menu_registry;
  guint               clear_menu_registry_id;
  guint               refreshed_once : 1;

  AdwHeaderBar       *header_bar;
  GtkButton          *add_button;
  GtkListBox         *list_box;
  GMenuModel         *registry_menu;
  GtkWidget          *context_menu;
};

G_DEFINE_FINAL_TYPE (WharfRegistrySidebar, wharf_registry_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SELECTED_REGISTRY,
  N_PROPS
};

enum {
  ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  wharf_registry_refresh_finish (WHARF_REGISTRY (object), result);
}

static void
refresh_registry (WharfRegistrySidebar *self,
                  WharfRegistry        *registry)
{
  wharf_registry_refresh_async (registry, self->cancellable, refresh_cb, NULL);
}

/* The first time every registry; later only those that had trouble, so
 * going back and forth in a folded window does not flood the registries. */
static void
refresh_on_show (WharfRegistrySidebar *self)
{
  guint n;

  if (self->store == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfRegistry) registry = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      WharfRegistryStatus status = wharf_registry_get_status (registry);

      if (!self->refreshed_once ||
          status == WHARF_REGISTRY_STATUS_UNKNOWN ||
          status == WHARF_REGISTRY_STATUS_ERROR)
        refresh_registry (self, registry);
    }

  self->refreshed_once = TRUE;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data);

static WharfRegistry *
action_target (WharfRegistrySidebar *self)
{
  if (self->menu_registry != NULL)
    return self->menu_registry;

  return wharf_registry_sidebar_get_selected_registry (self);
}

static void
update_actions (WharfRegistrySidebar *self)
{
  WharfRegistry *registry = action_target (self);
  gboolean signed_in = FALSE;
  gboolean has_user = FALSE;

  if (registry != NULL)
    {
      signed_in = wharf_registry_get_status (registry) == WHARF_REGISTRY_STATUS_SIGNED_IN;
      has_user = wharf_registry_get_username (registry) != NULL;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.edit", registry != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.remove", registry != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.sign-in",
                                 registry != NULL && !signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.sign-out",
                                 registry != NULL && (signed_in || has_user));
}

static void
set_menu_registry (WharfRegistrySidebar *self,
                   WharfRegistry        *registry)
{
  g_clear_handle_id (&self->clear_menu_registry_id, g_source_remove);
  g_set_object (&self->menu_registry, registry);
  update_actions (self);
}

static gboolean
clear_menu_registry_cb (gpointer user_data)
{
  WharfRegistrySidebar *self = user_data;

  self->clear_menu_registry_id = 0;
  g_clear_object (&self->menu_registry);
  update_actions (self);

  return G_SOURCE_REMOVE;
}

/* A menu item activates its action as the menu closes: forget the menu's
 * registry only once that has happened. */
static void
menu_closed (WharfRegistrySidebar *self)
{
  g_clear_handle_id (&self->clear_menu_registry_id, g_source_remove);
  self->clear_menu_registry_id = g_idle_add (clear_menu_registry_cb, self);
}

static void
row_menu_shown_cb (WharfRegistrySidebar *self,
                   GtkWidget            *popover)
{
  GtkWidget *row = gtk_widget_get_ancestor (popover, WHARF_TYPE_REGISTRY_ROW);

  if (row != NULL)
    set_menu_registry (self, wharf_registry_row_get_registry (WHARF_REGISTRY_ROW (row)));
}

static void
row_menu_closed_cb (WharfRegistrySidebar *self,
                    GtkPopover           *popover)
{
  menu_closed (self);
}

static void
registry_status_cb (WharfRegistrySidebar *self,
                    GParamSpec           *pspec,
                    WharfRegistry        *registry)
{
  if (registry == action_target (self))
    update_actions (self);
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (user_data);
  WharfRegistry *registry = WHARF_REGISTRY (item);
  GtkWidget *row = wharf_registry_row_new (registry, self->registry_menu);
  GtkMenuButton *button = wharf_registry_row_get_menu_button (WHARF_REGISTRY_ROW (row));
  GtkPopover *popover = gtk_menu_button_get_popover (button);

  /* GtkMenuButton tells when it opens only from GTK 4.10: ask its popover. */
  g_signal_connect_object (popover, "show",
                           G_CALLBACK (row_menu_shown_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (popover, "closed",
                           G_CALLBACK (row_menu_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (registry, "notify::status",
                           G_CALLBACK (registry_status_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (registry, "notify::username",
                           G_CALLBACK (registry_status_cb), self,
                           G_CONNECT_SWAPPED);

  return row;
}

static void
store_items_changed_cb (WharfRegistrySidebar *self,
                        guint                 position,
                        guint                 removed,
                        guint                 added,
                        GListModel           *model)
{
  /* A registry just added is checked at once, if the user can see it. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(WharfRegistry) registry = g_list_model_get_item (model, i);

      if (wharf_registry_get_status (registry) == WHARF_REGISTRY_STATUS_UNKNOWN)
        refresh_registry (self, registry);
    }
}

static void
row_selected_cb (WharfRegistrySidebar *self,
                 GtkListBoxRow        *row,
                 GtkListBox           *list_box)
{
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_REGISTRY]);
}

static void
row_activated_cb (WharfRegistrySidebar *self,
                  GtkListBoxRow        *row,
                  GtkListBox           *list_box)
{
  if (WHARF_IS_REGISTRY_ROW (row))
    g_signal_emit (self, signals[ACTIVATED], 0,
                   wharf_registry_row_get_registry (WHARF_REGISTRY_ROW (row)));
}

static void
popup_context_menu (WharfRegistrySidebar *self,
                    GtkListBoxRow        *row,
                    double                x,
                    double                y)
{
  graphene_point_t point;

  if (!WHARF_IS_REGISTRY_ROW (row))
    return;

  set_menu_registry (self, wharf_registry_row_get_registry (WHARF_REGISTRY_ROW (row)));

  if (x < 0 || y < 0)
    {
      /* From the keyboard: under the row's name. */
      x = 12;
      y = gtk_widget_get_height (GTK_WIDGET (row));
    }

  if (!gtk_widget_compute_point (GTK_WIDGET (row), GTK_WIDGET (self->list_box),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (x, y);

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu),
                               &(GdkRectangle) { point.x, point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
context_click_pressed_cb (WharfRegistrySidebar *self,
                          int                   n_press,
                          double                x,
                          double                y,
                          GtkGestureClick      *gesture)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->list_box, y);
  graphene_point_t point;

  if (row == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->list_box), GTK_WIDGET (row),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (x, 0);
  popup_context_menu (self, row, point.x, point.y);
}

static void
long_press_pressed_cb (WharfRegistrySidebar *self,
                       double                x,
                       double                y,
                       GtkGestureLongPress  *gesture)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->list_box, y);
  graphene_point_t point;

  if (row == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->list_box), GTK_WIDGET (row),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (x, 0);
  popup_context_menu (self, row, point.x, point.y);
}

static void
context_menu_closed_cb (WharfRegistrySidebar *self,
                        GtkPopover           *popover)
{
  menu_closed (self);
}

/* Actions */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  wharf_registry_sidebar_add_registry (WHARF_REGISTRY_SIDEBAR (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (widget);
  WharfRegistry *registry = action_target (self);

  if (registry != NULL)
    wharf_registry_sidebar_edit (self, registry);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (widget);
  WharfRegistry *registry = action_target (self);

  if (registry != NULL)
    wharf_registry_sidebar_sign_in (self, registry);
}

static void
show_error (WharfRegistrySidebar *self,
            const char           *heading,
            const char           *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sign_out_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WharfRegistrySidebar) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!wharf_registry_sign_out_finish (WHARF_REGISTRY (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could Not Sign Out"), error->message);
    }
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (widget);
  WharfRegistry *registry = action_target (self);

  if (registry != NULL)
    wharf_registry_sign_out_async (registry, self->cancellable, sign_out_cb,
                                   g_object_ref (self));
}

static void
remove_response_cb (WharfRegistrySidebar *self,
                    const char           *response,
                    AdwMessageDialog     *dialog)
{
  WharfRegistry *registry = g_object_get_data (G_OBJECT (dialog), "wharf-registry");

  if (g_strcmp0 (response, "remove") == 0 && registry != NULL && self->store != NULL)
    wharf_registry_store_remove (self->store, registry);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (widget);
  WharfRegistry *registry = action_target (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (registry == NULL)
    return;

  /* Translators: %s is a registry name such as "Local registry". */
  heading = g_strdup_printf (_("Remove “%s”?"), wharf_registry_get_display_name (registry));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Wharf will no longer list %s. Nothing on the registry "
                                    "is deleted, and a password saved for it stays in your "
                                    "keyring: sign out first to remove it."),
                                  wharf_registry_get_address (registry));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "wharf-registry", g_object_ref (registry),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *row = NULL;

  if (focus != NULL)
    row = gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_BOX_ROW);
  if (row == NULL || gtk_widget_get_parent (row) != GTK_WIDGET (self->list_box))
    row = GTK_WIDGET (gtk_list_box_get_selected_row (self->list_box));

  if (row != NULL)
    popup_context_menu (self, GTK_LIST_BOX_ROW (row), -1, -1);
}

/* GObject */

static void
wharf_registry_sidebar_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (wharf_registry_sidebar_parent_class)->map (widget);

  refresh_on_show (WHARF_REGISTRY_SIDEBAR (widget));
}

static void
wharf_registry_sidebar_set_store (WharfRegistrySidebar *self,
                                  WharfRegistryStore   *store)
{
  g_assert (self->store == NULL);

  if (store == NULL)
    return;

  self->store = g_object_ref (store);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (store),
                           create_row_cb, self, NULL);
  g_signal_connect_object (store, "items-changed",
                           G_CALLBACK (store_items_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
}

static void
wharf_registry_sidebar_dispose (GObject *object)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->clear_menu_registry_id, g_source_remove);

  /* Disposing the list unselects its row: nobody needs to hear about it. */
  if (self->list_box != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->list_box, self);
      gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
    }

  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_REGISTRY_SIDEBAR);
  /* The template's children that no field holds are ours to unparent. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->menu_registry);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wharf_registry_sidebar_parent_class)->dispose (object);
}

static void
wharf_registry_sidebar_finalize (GObject *object)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (wharf_registry_sidebar_parent_class)->finalize (object);
}

static void
wharf_registry_sidebar_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SELECTED_REGISTRY:
      g_value_set_object (value, wharf_registry_sidebar_get_selected_registry (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_sidebar_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  WharfRegistrySidebar *self = WHARF_REGISTRY_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      wharf_registry_sidebar_set_store (self, g_value_get_object (value));
      break;

    case PROP_SELECTED_REGISTRY:
      wharf_registry_sidebar_set_selected_registry (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_registry_sidebar_class_init (WharfRegistrySidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_registry_sidebar_dispose;
  object_class->finalize = wharf_registry_sidebar_finalize;
  object_class->get_property = wharf_registry_sidebar_get_property;
  object_class->set_property = wharf_registry_sidebar_set_property;
  widget_class->map = wharf_registry_sidebar_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         WHARF_TYPE_REGISTRY_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_REGISTRY] =
    g_param_spec_object ("selected-registry", NULL, NULL,
                         WHARF_TYPE_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACTIVATED] =
    g_signal_new ("activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_REGISTRY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-registry-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfRegistrySidebar, header_bar);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistrySidebar, add_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistrySidebar, list_box);
  gtk_widget_class_bind_template_child (widget_class, WharfRegistrySidebar, registry_menu);

  gtk_widget_class_install_action (widget_class, "sidebar.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "sidebar.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "sidebar.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "sidebar.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "sidebar.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "sidebar.context-menu", NULL,
                                   context_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0,
                                       "sidebar.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "sidebar.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "sidebar.remove", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
wharf_registry_sidebar_init (WharfRegistrySidebar *self)
{
  GtkGesture *click;
  GtkGesture *long_press;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  self->context_menu = gtk_popover_menu_new_from_model (self->registry_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self->list_box));
  g_signal_connect_object (self->context_menu, "closed",
                           G_CALLBACK (context_menu_closed_cb), self,
                           G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed",
                           G_CALLBACK (context_click_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_box), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect_object (long_press, "pressed",
                           G_CALLBACK (long_press_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_box), GTK_EVENT_CONTROLLER (long_press));

  g_signal_connect_object (self->list_box, "row-selected",
                           G_CALLBACK (row_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_box, "row-activated",
                           G_CALLBACK (row_activated_cb), self,
                           G_CONNECT_SWAPPED);

  update_actions (self);
}

GtkWidget *
wharf_registry_sidebar_new (WharfRegistryStore *store)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (store), NULL);

  return g_object_new (WHARF_TYPE_REGISTRY_SIDEBAR,
                       "store", store,
                       NULL);
}

AdwHeaderBar *
wharf_registry_sidebar_get_header_bar (WharfRegistrySidebar *self)
{
  g_return_val_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self), NULL);

  return self->header_bar;
}

WharfRegistry *
wharf_registry_sidebar_get_selected_registry (WharfRegistrySidebar *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self), NULL);

  row = gtk_list_box_get_selected_row (self->list_box);
  if (!WHARF_IS_REGISTRY_ROW (row))
    return NULL;

  return wharf_registry_row_get_registry (WHARF_REGISTRY_ROW (row));
}

void
wharf_registry_sidebar_set_selected_registry (WharfRegistrySidebar *self,
                                              WharfRegistry        *registry)
{
  GtkListBoxRow *row = NULL;

  g_return_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self));
  g_return_if_fail (!registry || WHARF_IS_REGISTRY (registry));

  if (registry == wharf_registry_sidebar_get_selected_registry (self))
    return;

  if (registry != NULL && self->store != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

      for (guint i = 0; i < n && row == NULL; i++)
        {
          g_autoptr(WharfRegistry) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

          if (item == registry)
            row = gtk_list_box_get_row_at_index (self->list_box, i);
        }
    }

  /* Selecting emits row-selected, which notifies. */
  if (row != NULL)
    gtk_list_box_select_row (self->list_box, row);
  else
    gtk_list_box_unselect_all (self->list_box);
}

static GtkWindow *
get_parent_window (WharfRegistrySidebar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
dialog_saved_cb (WharfRegistrySidebar *self,
                 WharfRegistry        *registry,
                 WharfRegistryDialog  *dialog)
{
  /* Settings changed, or a new registry: what was known no longer holds. A
   * registry signed in by the dialog has just been checked. */
  if (wharf_registry_get_status (registry) != WHARF_REGISTRY_STATUS_SIGNED_IN)
    refresh_registry (self, registry);

  wharf_registry_sidebar_set_selected_registry (self, registry);
}

void
wharf_registry_sidebar_add_registry (WharfRegistrySidebar *self,
                                     const char           *address)
{
  WharfRegistryDialog *dialog;

  g_return_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self));
  g_return_if_fail (self->store != NULL);

  dialog = wharf_registry_dialog_new_add (get_parent_window (self), self->store, address);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (dialog_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
wharf_registry_sidebar_sign_in (WharfRegistrySidebar *self,
                                WharfRegistry        *registry)
{
  WharfSignInDialog *dialog;

  g_return_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self));
  g_return_if_fail (WHARF_IS_REGISTRY (registry));

  dialog = wharf_sign_in_dialog_new (get_parent_window (self), registry);
  gtk_window_present (GTK_WINDOW (dialog));
}

static WharfRegistryDialog *
open_edit_dialog (WharfRegistrySidebar *self,
                  WharfRegistry        *registry)
{
  WharfRegistryDialog *dialog;

  dialog = wharf_registry_dialog_new_edit (get_parent_window (self), self->store, registry);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (dialog_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

void
wharf_registry_sidebar_edit (WharfRegistrySidebar *self,
                             WharfRegistry        *registry)
{
  WharfRegistryDialog *dialog;
  const GError *error;

  g_return_if_fail (WHARF_IS_REGISTRY_SIDEBAR (self));
  g_return_if_fail (WHARF_IS_REGISTRY (registry));
  g_return_if_fail (self->store != NULL);

  dialog = open_edit_dialog (self, registry);

  /* From a TLS failure, the certificate settings are what to change. */
  error = wharf_registry_get_status_error (registry);
  if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_TLS_CERTIFICATE) ||
      g_error_matches (error, WHARF_ERROR, WHARF_ERROR_TLS) ||
      g_error_matches (error, WHARF_ERROR, WHARF_ERROR_INSECURE))
    wharf_registry_dialog_focus_tls (dialog);
}
