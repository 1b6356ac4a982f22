/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-window.h: the main window: registries, repositories and tags side by side. */

#pragma once

#include <adwaita.h>

#include "wharf-image-details.h"
#include "wharf-registry-sidebar.h"
#include "wharf-repository-list.h"
#include "wharf-tag-list.h"

G_BEGIN_DECLS

#define WHARF_TYPE_WINDOW (wharf_window_get_type ())

G_DECLARE_FINAL_TYPE (WharfWindow, wharf_window, WHARF, WINDOW, AdwApplicationWindow)

WharfWindow          *wharf_window_new                 (GtkApplication *application);
/* Selects the registry at address ("localhost:5000", "https://quay.io"), and
 * lists it in the sidebar if it is not among the saved ones. Fails with
 * WHARF_ERROR_INVALID_REFERENCE for what is not an address. */
gboolean              wharf_window_select_registry     (WharfWindow    *self,
                                                        const char     *address,
                                                        GError        **error);
/* The registry selected in the sidebar, or NULL. */
WharfRegistry        *wharf_window_get_registry        (WharfWindow    *self);
/* Opens the push dialog for an image archive or OCI folder, aimed at the
 * selected registry (wharf-window-dnd.c). */
void                  wharf_window_upload_file         (WharfWindow    *self,
                                                        GFile          *file);

/* The panes, for tests and benchmarks. */
WharfRegistrySidebar *wharf_window_get_sidebar         (WharfWindow    *self);
WharfRepositoryList  *wharf_window_get_repository_list (WharfWindow    *self);
WharfTagList         *wharf_window_get_tag_list        (WharfWindow    *self);
WharfImageDetails    *wharf_window_get_image_details   (WharfWindow    *self);

G_END_DECLS
