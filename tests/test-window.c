/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: present the real main window under Xvfb and check what a user would see. */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>

#include "wharf-error.h"

#include "wharf-application.h"
#include "wharf-window.h"

#include "wharf-test-ui.h"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 20

static WharfApplication *app;

static GPtrArray *
navigatable_panes (AdwLeaflet *leaflet)
{
  g_autoptr(GtkSelectionModel) pages = adw_leaflet_get_pages (leaflet);
  GPtrArray *panes = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (pages));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwLeafletPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      if (adw_leaflet_page_get_navigatable (page))
        g_ptr_array_add (panes, adw_leaflet_page_get_child (page));
    }

  return panes;
}

static void
test_window_panes (void)
{
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  g_autoptr(GPtrArray) panes = NULL;
  g_autoptr(GPtrArray) menu_buttons = NULL;
  AdwLeaflet *leaflet;
  AdwActionRow *local;
  guint primary_menus = 0;
  const char *expected_titles[] = { NULL, "Select a Registry", "Select a Repository" };

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Wharf");
  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"), ==,
                   g_str_equal (PROFILE, "development"));

  leaflet = wharf_test_ui_find_one (window, ADW_TYPE_LEAFLET);
  panes = navigatable_panes (leaflet);
  g_assert_cmpuint (panes->len, ==, 3);

  /* Registries, repositories, tags + details: the panes the window exposes. */
  g_assert_true (g_ptr_array_index (panes, 0) == (gpointer) wharf_window_get_sidebar (window));
  g_assert_true (g_ptr_array_index (panes, 1)
                 == (gpointer) wharf_window_get_repository_list (window));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (wharf_window_get_tag_list (window)),
                                         g_ptr_array_index (panes, 2)));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (wharf_window_get_image_details (window)),
                                         g_ptr_array_index (panes, 2)));

  for (guint i = 0; i < panes->len; i++)
    {
      GtkWidget *pane = g_ptr_array_index (panes, i);

      /* Each pane has its own header bar, so it stands alone when folded. */
      g_assert_true (ADW_IS_HEADER_BAR (gtk_widget_get_first_child (pane)));

      if (expected_titles[i] != NULL)
        {
          AdwStatusPage *status = wharf_test_ui_find_one (pane, ADW_TYPE_STATUS_PAGE);
          const char *description = adw_status_page_get_description (status);

          g_assert_cmpstr (adw_status_page_get_title (status), ==, expected_titles[i]);
          g_assert_nonnull (description);
          g_assert_cmpuint (strlen (description), >, 10);
          g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (status)));
        }
    }

  /* No tag selected: no details. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (wharf_window_get_image_details (window))));

  local = wharf_test_ui_find_row (g_ptr_array_index (panes, 0), ADW_TYPE_ACTION_ROW,
                                  "Local registry");
  g_assert_nonnull (local);
  g_assert_cmpstr (adw_action_row_get_subtitle (local), ==, "localhost:5000");

  /* Icon-only menu buttons need a name for screen readers. */
  menu_buttons = wharf_test_ui_find_all (window, GTK_TYPE_MENU_BUTTON);
  g_assert_cmpuint (menu_buttons->len, >=, 2);
  for (guint i = 0; i < menu_buttons->len; i++)
    {
      GtkMenuButton *button = g_ptr_array_index (menu_buttons, i);

      if (g_strcmp0 (gtk_menu_button_get_icon_name (button), "open-menu-symbolic") == 0)
        primary_menus++;
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL));
    }
  g_assert_cmpuint (primary_menus, ==, 1);

  wharf_test_ui_destroy_app_windows (app);
}

static void
test_window_icon_buttons_named (void)
{
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (window, GTK_TYPE_BUTTON);
  guint icon_only = 0;

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      const char *icon_name = gtk_button_get_icon_name (GTK_BUTTON (button));

      /* GtkWindowControls names its own buttons; check ours. */
      if (icon_name == NULL || gtk_widget_get_ancestor (button, GTK_TYPE_WINDOW_CONTROLS))
        continue;
      if (gtk_widget_get_ancestor (button, GTK_TYPE_MENU_BUTTON))
        continue;
      /* GtkSearchBar keeps a hidden close button of its own. */
      if (!gtk_widget_get_visible (button))
        continue;

      icon_only++;
      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (button),
                                             GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_error ("Button with icon %s in %s has no accessible label", icon_name,
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (gtk_widget_get_parent (button))));
    }

  /* At least: add registry, search, reload, copy (back buttons show only
   * when folded). */
  g_assert_cmpuint (icon_only, >=, 4);

  wharf_test_ui_destroy_app_windows (app);
}

static void
test_window_select_registry (void)
{
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  g_autoptr(GSettings) settings = g_settings_new (WHARF_SCHEMA_ID);
  WharfRegistryStore *store = wharf_application_get_registry_store (app);
  WharfRepositoryList *list = wharf_window_get_repository_list (window);
  WharfRegistrySidebar *sidebar = wharf_window_get_sidebar (window);
  g_autofree char *last_registry = NULL;
  g_autoptr(GError) error = NULL;
  WharfRegistry *selected;
  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (store));

  /* The same registry written as a URL selects the saved one. */
  g_assert_true (wharf_window_select_registry (window, "http://LOCALHOST:5000/", &error));
  g_assert_no_error (error);
  selected = wharf_registry_sidebar_get_selected_registry (sidebar);
  g_assert_nonnull (selected);
  g_assert_cmpstr (wharf_registry_get_display_name (selected), ==, "Local registry");
  g_assert_true (wharf_window_get_registry (window) == selected);
  g_assert_true (wharf_repository_list_get_registry (list) == selected);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_before);

  /* An unknown one is added. */
  g_assert_true (wharf_window_select_registry (window, "registry.example.com:5001", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_before + 1);
  selected = wharf_registry_sidebar_get_selected_registry (sidebar);
  g_assert_cmpstr (wharf_registry_get_address (selected), ==, "registry.example.com:5001");
  g_assert_true (wharf_repository_list_get_registry (list) == selected);

  /* Docker Hub has many names and one entry. */
  g_assert_true (wharf_window_select_registry (window, "registry-1.docker.io", &error));
  g_assert_no_error (error);
  g_assert_true (wharf_window_select_registry (window, "https://index.docker.io/v1/", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_before + 2);

  /* What is not an address is refused and changes nothing. */
  g_assert_false (wharf_window_select_registry (window, "ftp://example.com/x", &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_before + 2);

  g_assert_true (wharf_window_select_registry (window, "registry.example.com:5001", NULL));
  last_registry = g_settings_get_string (settings, "last-registry");
  g_assert_cmpstr (last_registry, ==, "registry.example.com:5001");

  wharf_test_ui_destroy_app_windows (app);

  /* Leave the store as it was for the other tests. */
  wharf_registry_store_remove (store,
                               wharf_registry_store_find (store, "registry.example.com:5001"));
  wharf_registry_store_remove (store, wharf_registry_store_find (store, "docker.io"));
  g_settings_reset (settings, "last-registry");
  g_settings_reset (settings, "last-repository");
}

static gboolean
find_about_window (gpointer data)
{
  AdwAboutWindow **about = data;
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        {
          *about = ADW_ABOUT_WINDOW (toplevel);
          return TRUE;
        }
    }

  return FALSE;
}

static void
test_window_about (void)
{
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  AdwAboutWindow *about = NULL;

  g_assert_false (find_about_window (&about));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (wharf_test_ui_wait_for (find_about_window, &about));

  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Wharf");
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Wharf developers");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about),
                   ==, "https://github.com/wharfapp/wharf");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));

  gtk_window_destroy (GTK_WINDOW (about));
  wharf_test_ui_destroy_app_windows (app);
}

static void
test_window_shortcuts (void)
{
  g_auto(GStrv) quit_accels = NULL;
  g_auto(GStrv) help_accels = NULL;
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  GtkShortcutsWindow *help;

  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (quit_accels[0], ==, "<Control>q");

  /* GtkApplication found gtk/help-overlay.ui under the resource base path. */
  help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (help);
  help_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                       "win.show-help-overlay");
  g_assert_nonnull (help_accels[0]);

  wharf_test_ui_destroy_app_windows (app);
}

static gboolean
has_no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static void
test_window_size_saved (void)
{
  g_autoptr(GSettings) settings = g_settings_new (WHARF_SCHEMA_ID);
  WharfWindow *window;
  int width;
  int height;

  g_settings_set_int (settings, "window-width", 812);
  g_settings_set_int (settings, "window-height", 534);

  window = wharf_test_ui_present_main_window (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 812);
  g_assert_cmpint (height, ==, 534);

  /* What quitting does: the window saves its size as it closes. */
  gtk_window_set_default_size (GTK_WINDOW (window), 777, 555);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (wharf_test_ui_wait_for (has_no_windows, NULL));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 777);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 555);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static void
test_window_screenshot (void)
{
  WharfWindow *window = wharf_test_ui_present_main_window (app);
  g_autoptr(GdkTexture) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  wharf_test_ui_save_screenshot (GTK_WIDGET (window), "wharf-window.png");

  path = g_test_build_filename (G_TEST_BUILT, "wharf-window.png", NULL);
  reloaded = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (reloaded), ==, width);
  g_assert_cmpint (gdk_texture_get_height (reloaded), ==, height);

  wharf_test_ui_destroy_app_windows (app);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, FALSE))
    app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.Test",
                                         G_APPLICATION_NON_UNIQUE, TRUE);

  wharf_test_ui_add ("/wharf/window/panes", test_window_panes);
  wharf_test_ui_add ("/wharf/window/icon-buttons-named", test_window_icon_buttons_named);
  wharf_test_ui_add ("/wharf/window/select-registry", test_window_select_registry);
  wharf_test_ui_add ("/wharf/window/about", test_window_about);
  wharf_test_ui_add ("/wharf/window/shortcuts", test_window_shortcuts);
  wharf_test_ui_add ("/wharf/window/size-saved", test_window_size_saved);
  wharf_test_ui_add ("/wharf/window/screenshot", test_window_screenshot);

  ret = g_test_run ();

  if (app != NULL)
    wharf_test_ui_destroy_app_windows (app);
  g_clear_object (&app);

  return ret;
}
