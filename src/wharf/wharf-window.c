/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-window.c: the main window: registries, repositories and tags side by side. */

#define G_LOG_DOMAIN "wharf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-endpoint.h"

#include "wharf-application.h"
#include "wharf-window-private.h"
#include "wharf-transfers-panel.h"

G_DEFINE_FINAL_TYPE (WharfWindow, wharf_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_tag (WharfWindow  *self,
          WharfTagItem *tag)
{
  wharf_image_details_show (self->image_details, self->registry,
                            wharf_tag_list_get_repository (self->tag_list), tag);
  gtk_widget_set_visible (GTK_WIDGET (self->image_details), tag != NULL);
  _wharf_window_update_actions (self);
}

static void
repository_changed_cb (WharfWindow         *self,
                       GParamSpec          *pspec,
                       WharfRepositoryList *list)
{
  const char *repository = wharf_repository_list_get_selected_repository (list);

  show_tag (self, NULL);
  wharf_tag_list_load (self->tag_list, self->registry, repository);

  if (repository != NULL)
    {
      adw_window_title_set_title (self->tags_title, repository);
      adw_window_title_set_subtitle (self->tags_title,
                                     wharf_registry_get_display_name (self->registry));
    }
  else
    {
      adw_window_title_set_title (self->tags_title, _("Tags"));
      adw_window_title_set_subtitle (self->tags_title, NULL);
    }

  if (!self->restoring)
    g_settings_set_string (self->settings, "last-repository",
                           repository != NULL ? repository : "");

  _wharf_window_update_actions (self);
}

static void
repository_activated_cb (WharfWindow         *self,
                         const char          *name,
                         WharfRepositoryList *list)
{
  /* On a narrow screen only one pane shows: follow the user's choice. */
  adw_leaflet_set_visible_child (self->leaflet, self->tags_pane);
}

static void
tag_selected_cb (WharfWindow  *self,
                 GParamSpec   *pspec,
                 WharfTagList *tag_list)
{
  show_tag (self, wharf_tag_list_get_selected_tag (tag_list));
}

static void
registry_selected_cb (WharfWindow          *self,
                      GParamSpec           *pspec,
                      WharfRegistrySidebar *sidebar)
{
  WharfRegistry *registry = wharf_registry_sidebar_get_selected_registry (sidebar);
  g_autofree char *restore = g_steal_pointer (&self->restore_repository);

  if (registry == self->registry)
    return;

  g_set_object (&self->registry, registry);

  /* Another registry closes the open repository: no need to save that. */
  self->restoring = TRUE;
  wharf_repository_list_set_registry (self->repository_list, registry);
  self->restoring = FALSE;

  if (registry != NULL)
    {
      g_settings_set_string (self->settings, "last-registry",
                             wharf_registry_get_address (registry));

      /* Opened at once, before the catalog lists it: the tags show soon. */
      if (restore != NULL && restore[0] != '\0')
        wharf_repository_list_select_repository (self->repository_list, restore);
      else
        g_settings_set_string (self->settings, "last-repository", "");
    }

  _wharf_window_update_actions (self);
}

static void
registry_activated_cb (WharfWindow          *self,
                       WharfRegistry        *registry,
                       WharfRegistrySidebar *sidebar)
{
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->repository_list));
}

/* Mirroring: while the window has focus, the open repository follows the
 * registry by itself. */

static gboolean
mirror_cb (gpointer user_data)
{
  WharfWindow *self = user_data;

  if (wharf_tag_list_get_repository (self->tag_list) != NULL)
    {
      g_debug ("Checking the tags of %s again", wharf_tag_list_get_repository (self->tag_list));
      wharf_tag_list_refresh (self->tag_list);
    }

  return G_SOURCE_CONTINUE;
}

static void
is_active_cb (WharfWindow *self,
              GParamSpec  *pspec,
              gpointer     user_data)
{
  gboolean active = gtk_window_is_active (GTK_WINDOW (self));

  if (active && self->mirror_id == 0)
    {
      self->mirror_id = g_timeout_add_seconds (WHARF_WINDOW_MIRROR_INTERVAL_SECONDS,
                                               mirror_cb, self);
      /* Back after a while away: catch up now, not in 30 s. */
      mirror_cb (self);
    }
  else if (!active)
    {
      g_clear_handle_id (&self->mirror_id, g_source_remove);
    }
}

static void
wharf_window_save_state (WharfWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  g_settings_delay (self->settings);

  /* The default size of a maximized window is the size to restore it to. */
  if (!maximized)
    {
      int width;
      int height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0)
        g_settings_set_int (self->settings, "window-width", width);
      if (height > 0)
        g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);

  g_settings_apply (self->settings);
}

static gboolean
wharf_window_close_request (GtkWindow *window)
{
  WharfWindow *self = WHARF_WINDOW (window);

  wharf_window_save_state (self);

  return GTK_WINDOW_CLASS (wharf_window_parent_class)->close_request (window);
}

static WharfRegistryStore *
get_store (WharfWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  WharfRegistryStore *store;

  if (WHARF_IS_APPLICATION (application))
    return wharf_application_get_registry_store (WHARF_APPLICATION (application));

  /* A window made without the application (only tests do) keeps its own. */
  store = g_object_get_data (G_OBJECT (self), "wharf-registry-store");
  if (store == NULL)
    {
      store = wharf_registry_store_new (self->settings);
      g_object_set_data_full (G_OBJECT (self), "wharf-registry-store", store, g_object_unref);
    }

  return store;
}

/* The sidebar lists the application's registries: it is made once the
 * window knows its application, which GtkWindow sets after construction. */
static void
setup_sidebar (WharfWindow *self)
{
  g_autofree char *last_registry = NULL;
  AdwLeafletPage *page;
  AdwHeaderBar *header_bar;
  GtkWidget *menu_button;

  if (self->sidebar != NULL)
    return;

  self->sidebar = WHARF_REGISTRY_SIDEBAR (wharf_registry_sidebar_new (get_store (self)));
  gtk_widget_set_size_request (GTK_WIDGET (self->sidebar), 240, -1);
  page = adw_leaflet_prepend (self->leaflet, GTK_WIDGET (self->sidebar));
  adw_leaflet_page_set_name (page, "registries");

  header_bar = wharf_registry_sidebar_get_header_bar (self->sidebar);
  g_object_bind_property (self->leaflet, "folded", header_bar, "show-end-title-buttons",
                          G_BINDING_SYNC_CREATE);
  menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), self->primary_menu);
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (menu_button), TRUE);
  gtk_widget_set_tooltip_text (menu_button, _("Main Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Main Menu"),
                                  -1);
  adw_header_bar_pack_end (header_bar, menu_button);

  g_signal_connect_object (self->sidebar, "notify::selected-registry",
                           G_CALLBACK (registry_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar, "activated",
                           G_CALLBACK (registry_activated_cb), self, G_CONNECT_SWAPPED);

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->sidebar));

  /* The last session's registry and repository, if still there. */
  last_registry = g_settings_get_string (self->settings, "last-registry");
  if (last_registry[0] != '\0')
    {
      WharfRegistry *registry = wharf_registry_store_find (get_store (self), last_registry);

      if (registry != NULL)
        {
          self->restore_repository = g_settings_get_string (self->settings, "last-repository");
          wharf_registry_sidebar_set_selected_registry (self->sidebar, registry);
          /* Taken by registry_selected_cb, unless nothing changed. */
          g_clear_pointer (&self->restore_repository, g_free);
        }
    }

  _wharf_window_update_actions (self);
}

static void
application_changed_cb (WharfWindow *self,
                        GParamSpec  *pspec,
                        gpointer     user_data)
{
  if (gtk_window_get_application (GTK_WINDOW (self)) != NULL)
    setup_sidebar (self);
}

static void
wharf_window_map (GtkWidget *widget)
{
  /* Without an application (only tests do that) it keeps a store of its own. */
  setup_sidebar (WHARF_WINDOW (widget));

  GTK_WIDGET_CLASS (wharf_window_parent_class)->map (widget);
}

static void
wharf_window_dispose (GObject *object)
{
  WharfWindow *self = WHARF_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->mirror_id, g_source_remove);

  /* Disposing the panes changes selections, and the others are gone. */
  if (self->sidebar != NULL)
    g_signal_handlers_disconnect_by_data (self->sidebar, self);
  if (self->repository_list != NULL)
    g_signal_handlers_disconnect_by_data (self->repository_list, self);
  if (self->tag_list != NULL)
    g_signal_handlers_disconnect_by_data (self->tag_list, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_WINDOW);
  self->sidebar = NULL;

  G_OBJECT_CLASS (wharf_window_parent_class)->dispose (object);
}

static void
wharf_window_finalize (GObject *object)
{
  WharfWindow *self = WHARF_WINDOW (object);

  g_clear_object (&self->registry);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->restore_repository, g_free);

  G_OBJECT_CLASS (wharf_window_parent_class)->finalize (object);
}

static void
wharf_window_class_init (WharfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wharf_window_dispose;
  object_class->finalize = wharf_window_finalize;
  window_class->close_request = wharf_window_close_request;
  widget_class->map = wharf_window_map;

  g_type_ensure (WHARF_TYPE_REPOSITORY_LIST);
  g_type_ensure (WHARF_TYPE_TAG_LIST);
  g_type_ensure (WHARF_TYPE_IMAGE_DETAILS);
  g_type_ensure (WHARF_TYPE_TRANSFERS_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, repository_list);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, tags_pane);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, tags_title);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, tag_list);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, image_details);
  gtk_widget_class_bind_template_child (widget_class, WharfWindow, primary_menu);

  _wharf_window_class_init_actions (widget_class);
  _wharf_window_class_init_dnd (widget_class);
  _wharf_window_class_init_manage_actions (widget_class);
}

static void
wharf_window_init (WharfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (WHARF_SCHEMA_ID);

  if (g_str_equal (PROFILE, "development"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->repository_list, "notify::selected-repository",
                           G_CALLBACK (repository_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->repository_list, "repository-activated",
                           G_CALLBACK (repository_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tag_list, "notify::selected-tag",
                           G_CALLBACK (tag_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);

  _wharf_window_init_dnd (self);
  _wharf_window_init_manage (self);
}

WharfWindow *
wharf_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (WHARF_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
wharf_window_select_registry (WharfWindow  *self,
                              const char   *address,
                              GError      **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  WharfRegistryStore *store;
  WharfRegistry *registry;

  g_return_val_if_fail (WHARF_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(endpoint = wharf_endpoint_new (address, error)))
    return FALSE;

  setup_sidebar (self);
  store = get_store (self);
  registry = wharf_registry_store_find (store, address);
  if (registry == NULL)
    registry = wharf_registry_store_add (store, endpoint, NULL);

  wharf_registry_sidebar_set_selected_registry (self->sidebar, registry);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->repository_list));

  return TRUE;
}

WharfRegistry *
wharf_window_get_registry (WharfWindow *self)
{
  g_return_val_if_fail (WHARF_IS_WINDOW (self), NULL);

  return self->registry;
}

WharfRegistrySidebar *
wharf_window_get_sidebar (WharfWindow *self)
{
  g_return_val_if_fail (WHARF_IS_WINDOW (self), NULL);

  return self->sidebar;
}

WharfRepositoryList *
wharf_window_get_repository_list (WharfWindow *self)
{
  g_return_val_if_fail (WHARF_IS_WINDOW (self), NULL);

  return self->repository_list;
}

WharfTagList *
wharf_window_get_tag_list (WharfWindow *self)
{
  g_return_val_if_fail (WHARF_IS_WINDOW (self), NULL);

  return self->tag_list;
}

WharfImageDetails *
wharf_window_get_image_details (WharfWindow *self)
{
  g_return_val_if_fail (WHARF_IS_WINDOW (self), NULL);

  return self->image_details;
}
