/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-window-private.h: what wharf-window.c and wharf-window-actions.c share. */

#pragma once

#include "wharf-window.h"

G_BEGIN_DECLS

/* The open repository checks its tags this often while the window has focus. */
#define WHARF_WINDOW_MIRROR_INTERVAL_SECONDS 30

struct _WharfWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  /* Cancelled in dispose, so no reply arrives for a window that is gone. */
  GCancellable         *cancellable;

  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  WharfRegistrySidebar *sidebar;
  WharfRepositoryList  *repository_list;
  GtkWidget            *tags_pane;
  AdwWindowTitle       *tags_title;
  GtkPaned             *paned;
  WharfTagList         *tag_list;
  WharfImageDetails    *image_details;
  GMenuModel           *primary_menu;

  WharfRegistry        *registry;
  /* The repository to open once the last registry is selected again. */
  char                 *restore_repository;
  guint                 mirror_id;
  /* A registry change is closing the repository: the saved one stays. */
  guint                 restoring : 1;

  /* wharf-window-dnd.c: the drop zone over the content, the sidebar row
   * a drag hovers (a weak pointer). */
  GtkWidget            *drop_zone;
  GtkLabel             *drop_zone_label;
  GtkListBoxRow        *drop_row;
};

void _wharf_window_class_init_actions (GtkWidgetClass *widget_class);
void _wharf_window_update_actions     (WharfWindow    *self);
void _wharf_window_show_toast         (WharfWindow    *self,
                                       const char     *message);

/* wharf-window-dnd.c: uploads (drops, the Upload button) and downloads. */
void _wharf_window_class_init_dnd     (GtkWidgetClass *widget_class);
void _wharf_window_init_dnd           (WharfWindow    *self);

/* wharf-manage-actions.c: delete with undo, copy, add tag, share to Docker Hub. */
void _wharf_window_class_init_manage_actions (GtkWidgetClass *widget_class);
void _wharf_window_init_manage               (WharfWindow    *self);
void _wharf_window_update_manage_actions     (WharfWindow    *self);
/* Opens "Copy to…" for @repository:@tag of @source with @target preselected
 * (NULL: @source); the copy runs in the application's transfer manager. */
void wharf_window_copy_tag_to                (WharfWindow    *self,
                                              WharfRegistry  *source,
                                              const char     *repository,
                                              const char     *tag,
                                              WharfRegistry  *target);

G_END_DECLS
