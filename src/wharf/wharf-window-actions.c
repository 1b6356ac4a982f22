/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-window-actions.c: the window's actions and their keyboard shortcuts. */

#define G_LOG_DOMAIN "wharf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-window-private.h"

void
_wharf_window_show_toast (WharfWindow *self,
                          const char  *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 2);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
dup_pull_command (WharfWindow *self)
{
  WharfTagItem *tag = wharf_tag_list_get_selected_tag (self->tag_list);
  const char *repository = wharf_tag_list_get_repository (self->tag_list);

  if (tag == NULL || repository == NULL || self->registry == NULL)
    return NULL;

  return g_strdup_printf ("docker pull %s/%s:%s",
                          wharf_endpoint_get_domain (wharf_registry_get_endpoint (self->registry)),
                          repository, wharf_tag_item_get_name (tag));
}

static void
navigate_back_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  if (self->registry == NULL)
    return;

  wharf_repository_list_reload (self->repository_list);
  wharf_tag_list_refresh (self->tag_list);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  if (self->registry == NULL)
    return;

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->repository_list));
  wharf_repository_list_start_search (self->repository_list);
}

static void
add_registry_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  if (self->sidebar != NULL)
    wharf_registry_sidebar_add_registry (self->sidebar, NULL);
}

static void
copy_pull_command_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  g_autofree char *command = dup_pull_command (self);

  if (command == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), command);
  _wharf_window_show_toast (self, _("Pull command copied"));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  if (self->registry != NULL)
    wharf_registry_sidebar_sign_in (self->sidebar, self->registry);
}

static void
tls_settings_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);

  if (self->registry != NULL)
    wharf_registry_sidebar_edit (self->sidebar, self->registry);
}

static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  _wharf_window_show_toast (WHARF_WINDOW (widget), g_variant_get_string (param, NULL));
}

void
_wharf_window_update_actions (WharfWindow *self)
{
  gboolean has_registry = self->registry != NULL;
  gboolean has_tag = wharf_tag_list_get_selected_tag (self->tag_list) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", has_registry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", has_registry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-in", has_registry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.tls-settings", has_registry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-pull-command", has_tag);
  _wharf_window_update_manage_actions (self);
}

void
_wharf_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.navigate-back", NULL,
                                   navigate_back_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.add-registry", NULL, add_registry_action);
  gtk_widget_class_install_action (widget_class, "win.copy-pull-command", NULL,
                                   copy_pull_command_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.tls-settings", NULL, tls_settings_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);

  /* Bubble phase: a text field that has focus keeps its own Ctrl+C and
   * Ctrl+F; everywhere else they act on the window. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-registry", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK,
                                       "win.copy-pull-command", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.navigate-back", NULL);
}
