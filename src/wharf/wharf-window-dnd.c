/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-window-dnd.c: uploads and downloads from the window: dropped files, the Upload
 * button, Download…, and tags dragged out of the tag list. */

#define G_LOG_DOMAIN "wharf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-application.h"
#include "wharf-download-dialog.h"
#include "wharf-push-dialog.h"
#include "wharf-registry-row.h"
#include "wharf-window-private.h"

static WharfTransferManager *
get_manager (WharfWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!WHARF_IS_APPLICATION (application))
    return NULL;

  return wharf_application_get_transfer_manager (WHARF_APPLICATION (application));
}

static WharfRegistryStore *
get_store (WharfWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!WHARF_IS_APPLICATION (application))
    return NULL;

  return wharf_application_get_registry_store (WHARF_APPLICATION (application));
}

static void
open_push_dialog (WharfWindow   *self,
                  GFile         *file,
                  WharfRegistry *registry,
                  const char    *repository)
{
  WharfTransferManager *manager = get_manager (self);
  WharfRegistryStore *store = get_store (self);
  WharfPushDialog *dialog;

  if (manager == NULL || store == NULL)
    {
      g_warning ("A window without the application cannot upload");
      return;
    }

  dialog = wharf_push_dialog_new (GTK_WINDOW (self), store, manager, file);
  wharf_push_dialog_set_registry (dialog, registry != NULL ? registry : self->registry);
  if (repository != NULL)
    wharf_push_dialog_set_repository (dialog, repository);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* A finished push shows up where the user looks: the tag in the open
 * repository, a new repository in the list, without reloading the rest. */
static void
transfer_finished_cb (WharfWindow          *self,
                      WharfTransferItem    *item,
                      WharfTransferManager *manager)
{
  const WharfReference *destination;
  WharfRepositoryModel *repositories;
  const char *open_repository;
  const char *domain;

  destination = g_object_get_data (G_OBJECT (item), WHARF_TRANSFER_ITEM_DESTINATION_KEY);
  /* A window being disposed has no panes left to update. */
  if (destination == NULL || self->registry == NULL || self->repository_list == NULL ||
      wharf_transfer_item_get_state (item) != WHARF_TRANSFER_STATE_DONE)
    return;

  domain = wharf_endpoint_get_domain (wharf_registry_get_endpoint (self->registry));
  if (g_strcmp0 (domain, destination->domain) != 0)
    return;

  repositories = wharf_repository_list_get_model (self->repository_list);
  if (wharf_repository_model_find (repositories, destination->path, NULL) == NULL)
    wharf_repository_list_reload (self->repository_list);

  open_repository = wharf_tag_list_get_repository (self->tag_list);
  if (open_repository == NULL)
    wharf_repository_list_select_repository (self->repository_list, destination->path);
  else if (g_str_equal (open_repository, destination->path))
    wharf_tag_list_refresh (self->tag_list);
}

static void
application_changed_cb (WharfWindow *self,
                        GParamSpec  *pspec,
                        gpointer     user_data)
{
  WharfTransferManager *manager = get_manager (self);

  if (manager != NULL &&
      g_signal_handler_find (manager, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA,
                             0, 0, NULL, transfer_finished_cb, self) == 0)
    g_signal_connect_object (manager, "finished",
                             G_CALLBACK (transfer_finished_cb), self, G_CONNECT_SWAPPED);
}

/* Dropping files */

typedef struct
{
  WharfRegistry *registry;
  const char    *repository;
  /* The sidebar row under the pointer, when that is what chose the registry. */
  GtkListBoxRow *row;
} DropPlace;

/* What a drop at x, y aims at: a registry row in the sidebar, the open
 * repository's pane, or just the window (the selected registry). */
static void
drop_place_at (WharfWindow *self,
               double       x,
               double       y,
               DropPlace   *place)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = NULL;

  place->registry = self->registry;
  place->repository = NULL;
  place->row = NULL;

  if (picked != NULL)
    row = gtk_widget_get_ancestor (picked, WHARF_TYPE_REGISTRY_ROW);

  if (row != NULL)
    {
      place->registry = wharf_registry_row_get_registry (WHARF_REGISTRY_ROW (row));
      place->row = GTK_LIST_BOX_ROW (row);
    }
  else if (picked != NULL && self->registry != NULL &&
           (picked == self->tags_pane || gtk_widget_is_ancestor (picked, self->tags_pane)))
    {
      place->repository = wharf_tag_list_get_repository (self->tag_list);
    }
}

static void
highlight_row (WharfWindow   *self,
               GtkListBoxRow *row)
{
  GtkWidget *list_box;

  if (row == self->drop_row)
    return;

  if (self->drop_row != NULL)
    {
      list_box = gtk_widget_get_ancestor (GTK_WIDGET (self->drop_row), GTK_TYPE_LIST_BOX);
      if (list_box != NULL)
        gtk_list_box_drag_unhighlight_row (GTK_LIST_BOX (list_box));
    }

  g_set_weak_pointer (&self->drop_row, row);

  if (row != NULL)
    {
      list_box = gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_LIST_BOX);
      if (list_box != NULL)
        gtk_list_box_drag_highlight_row (GTK_LIST_BOX (list_box), row);
    }
}

static void
show_drop_zone (WharfWindow     *self,
                const DropPlace *place)
{
  g_autofree char *text = NULL;

  if (place == NULL)
    {
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->drop_zone), FALSE);
      return;
    }

  if (place->registry == NULL)
    text = g_strdup (_("Choose where to push it next"));
  else if (place->repository != NULL)
    /* Translators: "To alpine in Local registry". */
    text = g_strdup_printf (_("To %s in %s"), place->repository,
                            wharf_registry_get_display_name (place->registry));
  else
    /* Translators: %s is a registry name such as "Local registry". */
    text = g_strdup_printf (_("To %s"), wharf_registry_get_display_name (place->registry));

  gtk_label_set_text (self->drop_zone_label, text);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->drop_zone), TRUE);
}

static gboolean
drop_offers_files (GtkDropTarget *target)
{
  GdkDrop *drop = gtk_drop_target_get_current_drop (target);

  return drop != NULL &&
         gdk_content_formats_contain_gtype (gdk_drop_get_formats (drop), GDK_TYPE_FILE_LIST);
}

/* A pull reference ("localhost:5000/alpine:3.19") names a tag of a registry
 * in the sidebar: the registry, or NULL. */
static WharfRegistry *
tag_source (WharfWindow     *self,
            const char      *text,
            WharfReference **out_reference)
{
  g_autoptr(WharfReference) reference = NULL;
  g_autofree char *stripped = NULL;
  WharfRegistryStore *store = get_store (self);
  WharfRegistry *registry;

  if (store == NULL || text == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (text));
  reference = wharf_reference_parse (stripped, NULL);
  if (reference == NULL || reference->tag == NULL)
    return NULL;

  registry = wharf_registry_store_find (store, reference->domain);
  if (registry != NULL && out_reference != NULL)
    *out_reference = g_steal_pointer (&reference);

  return registry;
}

static GdkDragAction
drop_motion_cb (WharfWindow   *self,
                double         x,
                double         y,
                GtkDropTarget *target)
{
  DropPlace place;

  drop_place_at (self, x, y, &place);

  if (drop_offers_files (target))
    {
      highlight_row (self, place.row);
      show_drop_zone (self, &place);
      return GDK_ACTION_COPY;
    }

  /* A tag goes to another registry of the sidebar, nowhere else. */
  if (place.row != NULL)
    {
      const GValue *value = gtk_drop_target_get_value (target);
      WharfRegistry *source = NULL;

      if (value != NULL && G_VALUE_HOLDS_STRING (value))
        source = tag_source (self, g_value_get_string (value), NULL);

      if (source != NULL && source != place.registry)
        {
          highlight_row (self, place.row);
          return GDK_ACTION_COPY;
        }
    }

  highlight_row (self, NULL);
  return 0;
}

static void
drop_leave_cb (WharfWindow   *self,
               GtkDropTarget *target)
{
  highlight_row (self, NULL);
  show_drop_zone (self, NULL);
}

static gboolean
drop_cb (WharfWindow   *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  DropPlace place;

  drop_place_at (self, x, y, &place);
  highlight_row (self, NULL);
  show_drop_zone (self, NULL);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files == NULL)
        return FALSE;

      for (const GSList *l = files; l != NULL; l = l->next)
        open_push_dialog (self, l->data, place.registry, place.repository);
      g_slist_free (files);

      return TRUE;
    }

  if (G_VALUE_HOLDS_STRING (value) && place.row != NULL)
    {
      g_autoptr(WharfReference) reference = NULL;
      WharfRegistry *source = tag_source (self, g_value_get_string (value), &reference);

      if (source == NULL || source == place.registry)
        return FALSE;

      wharf_window_copy_tag_to (self, source, reference->path, reference->tag, place.registry);
      return TRUE;
    }

  return FALSE;
}

static GtkWidget *
drop_zone_new (WharfWindow *self)
{
  GtkWidget *revealer = gtk_revealer_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("document-send-symbolic");
  GtkWidget *title = gtk_label_new (_("Drop to Upload"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_revealer_set_transition_type (GTK_REVEALER (revealer),
                                    GTK_REVEALER_TRANSITION_TYPE_CROSSFADE);
  /* The drop zone only shows: what lies under it is what receives the drop. */
  gtk_widget_set_can_target (revealer, FALSE);
  gtk_widget_add_css_class (box, "wharf-drop-zone");
  gtk_widget_set_valign (box, GTK_ALIGN_FILL);
  gtk_widget_set_halign (box, GTK_ALIGN_FILL);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_vexpand (box, TRUE);

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 64);
  gtk_widget_set_valign (icon, GTK_ALIGN_END);
  gtk_widget_set_vexpand (icon, TRUE);
  gtk_widget_add_css_class (title, "title-1");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_vexpand (label, TRUE);

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), label);
  gtk_revealer_set_child (GTK_REVEALER (revealer), box);

  self->drop_zone_label = GTK_LABEL (label);

  return revealer;
}

static void
load_css (GtkWidget *widget)
{
  static GQuark loaded;
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded == 0)
    loaded = g_quark_from_static_string ("wharf-window-dnd-css");
  if (g_object_get_qdata (G_OBJECT (display), loaded) != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/wharf-window-dnd.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_qdata (G_OBJECT (display), loaded, GINT_TO_POINTER (TRUE));
}

/* Dragging tags out */

/* The row's item, from the cell the pointer is on (the tag list marks its cells). */
static WharfTagItem *
tag_at (WharfWindow *self,
        double       x,
        double       y)
{
  GtkWidget *view = GTK_WIDGET (wharf_tag_list_get_column_view (self->tag_list));

  for (GtkWidget *widget = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
       widget != NULL && widget != view;
       widget = gtk_widget_get_parent (widget))
    {
      WharfTagItem *item = g_object_get_data (G_OBJECT (widget), "wharf-tag-item");

      if (item != NULL)
        return item;
    }

  return NULL;
}

static char *
dup_pull_reference (WharfWindow  *self,
                    WharfTagItem *item)
{
  const char *repository = wharf_tag_list_get_repository (self->tag_list);

  if (self->registry == NULL || repository == NULL || item == NULL)
    return NULL;

  return g_strdup_printf ("%s/%s:%s",
                          wharf_endpoint_get_domain (wharf_registry_get_endpoint (self->registry)),
                          repository, wharf_tag_item_get_name (item));
}

static GdkContentProvider *
drag_prepare_cb (WharfWindow   *self,
                 double         x,
                 double         y,
                 GtkDragSource *source)
{
  g_autofree char *reference = dup_pull_reference (self, tag_at (self, x, y));

  if (reference == NULL)
    return NULL;

  /* Text, so a terminal or a text field takes the pull reference too. */
  return gdk_content_provider_new_typed (G_TYPE_STRING, reference);
}

static void
drag_begin_cb (WharfWindow   *self,
               GdkDrag       *drag,
               GtkDragSource *source)
{
  GdkContentProvider *content = gtk_drag_source_get_content (source);
  g_auto(GValue) value = G_VALUE_INIT;
  GtkWidget *label;

  g_value_init (&value, G_TYPE_STRING);
  if (content == NULL || !gdk_content_provider_get_value (content, &value, NULL))
    return;

  label = gtk_label_new (g_value_get_string (&value));
  gtk_widget_add_css_class (label, "wharf-drag-icon");
  gtk_drag_icon_set_child (GTK_DRAG_ICON (gtk_drag_icon_get_for_drag (drag)), label);
}

/* Actions */

static void
upload_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    WharfWindow     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        open_push_dialog (self, file, NULL, NULL);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_upload (WharfWindow *self,
               gboolean     folder)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (folder ? _("Upload OCI Folder")
                                                : _("Upload Image Archive"),
                                         GTK_WINDOW (self),
                                         folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  if (!folder)
    {
      GtkFileFilter *archives = gtk_file_filter_new ();
      GtkFileFilter *all = gtk_file_filter_new ();

      gtk_file_filter_set_name (archives, _("Image Archives"));
      gtk_file_filter_add_mime_type (archives, "application/x-tar");
      gtk_file_filter_add_suffix (archives, "tar");
      gtk_file_filter_set_name (all, _("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), archives);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
      g_object_unref (archives);
      g_object_unref (all);
    }

  g_signal_connect_object (chooser, "response", G_CALLBACK (upload_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
upload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  choose_upload (WHARF_WINDOW (widget), FALSE);
}

static void
upload_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  choose_upload (WHARF_WINDOW (widget), TRUE);
}

static void
download_tag_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  WharfTagItem *tag = wharf_tag_list_get_selected_tag (self->tag_list);
  const char *repository = wharf_tag_list_get_repository (self->tag_list);
  WharfTransferManager *manager = get_manager (self);
  WharfDownloadDialog *dialog;

  if (tag == NULL || repository == NULL || self->registry == NULL || manager == NULL)
    return;

  dialog = wharf_download_dialog_new (GTK_WINDOW (self), manager, self->registry,
                                      repository, wharf_tag_item_get_name (tag));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_dnd_actions (WharfWindow *self)
{
  gboolean has_tag = self->registry != NULL
                     && wharf_tag_list_get_selected_tag (self->tag_list) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.download-tag", has_tag);
}

static void
selection_changed_cb (WharfWindow *self)
{
  update_dnd_actions (self);
}

static GtkWidget *
upload_button_new (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *button = adw_split_button_new ();

  g_menu_append (menu, _("Upload Image _Archive…"), "win.upload");
  g_menu_append (menu, _("Upload OCI _Folder…"), "win.upload-folder");

  adw_split_button_set_icon_name (ADW_SPLIT_BUTTON (button), "document-send-symbolic");
  adw_split_button_set_menu_model (ADW_SPLIT_BUTTON (button), G_MENU_MODEL (menu));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.upload");
  gtk_widget_set_tooltip_text (button, _("Upload Image Archive"));

  /* A screen reader meets the two halves, not the split button: name both. */
  for (GtkWidget *child = gtk_widget_get_first_child (button);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_MENU_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("More Ways to Upload"),
                                        -1);
      else if (GTK_IS_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Upload Image Archive"),
                                        -1);
    }

  return button;
}

static GtkWidget *
download_button_new (void)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("folder-download-symbolic");

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.download-tag");
  gtk_widget_set_tooltip_text (button, _("Download Image"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Download Image"),
                                  -1);

  return button;
}

void
_wharf_window_init_dnd (WharfWindow *self)
{
  g_autoptr(GtkWidget) content = NULL;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };
  GtkDropTarget *drop_target;
  GtkDragSource *drag_source;
  GtkWidget *header_bar;
  GtkWidget *overlay;

  load_css (GTK_WIDGET (self));

  /* The drop zone lies over the whole content, toasts aside. */
  overlay = gtk_overlay_new ();
  content = g_object_ref (adw_toast_overlay_get_child (self->toast_overlay));
  adw_toast_overlay_set_child (self->toast_overlay, overlay);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), content);
  self->drop_zone = drop_zone_new (self);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->drop_zone);

  /* Files first: a file manager offers its files as text too. */
  drop_target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop_target, drop_types, G_N_ELEMENTS (drop_types));
  gtk_drop_target_set_preload (drop_target, TRUE);
  g_signal_connect_object (drop_target, "enter",
                           G_CALLBACK (drop_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop_target, "motion",
                           G_CALLBACK (drop_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop_target, "leave",
                           G_CALLBACK (drop_leave_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop_target, "drop",
                           G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  drag_source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag_source, GDK_ACTION_COPY);
  g_signal_connect_object (drag_source, "prepare",
                           G_CALLBACK (drag_prepare_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag_source, "drag-begin",
                           G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (wharf_tag_list_get_column_view (self->tag_list)),
                             GTK_EVENT_CONTROLLER (drag_source));

  header_bar = gtk_widget_get_ancestor (GTK_WIDGET (self->tags_title), ADW_TYPE_HEADER_BAR);
  if (header_bar != NULL)
    {
      adw_header_bar_pack_start (ADW_HEADER_BAR (header_bar), upload_button_new ());
      adw_header_bar_pack_end (ADW_HEADER_BAR (header_bar), download_button_new ());
    }

  g_signal_connect_object (self->tag_list, "notify::selected-tag",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->repository_list, "notify::registry",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  update_dnd_actions (self);

  /* GtkWindow learns its application after init. */
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
}

void
_wharf_window_class_init_dnd (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.upload", NULL, upload_action);
  gtk_widget_class_install_action (widget_class, "win.upload-folder", NULL, upload_folder_action);
  gtk_widget_class_install_action (widget_class, "win.download-tag", NULL, download_tag_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK,
                                       "win.upload", NULL);
}

void
wharf_window_upload_file (WharfWindow *self,
                          GFile       *file)
{
  g_return_if_fail (WHARF_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  open_push_dialog (self, file, NULL, NULL);
}
