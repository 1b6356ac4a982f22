/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-sidebar.h: the list of registries with their status, "+"
 * to add one, and a context menu to edit, sign in or out, and remove. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"

G_BEGIN_DECLS

#define WHARF_TYPE_REGISTRY_SIDEBAR (wharf_registry_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (WharfRegistrySidebar, wharf_registry_sidebar, WHARF, REGISTRY_SIDEBAR, GtkWidget)

/* Properties: "store" (WharfRegistryStore, construct), "selected-registry"
 * (WharfRegistry, nullable, read/write, notify). Signal "activated"
 * (WharfRegistry*): the user activated a row (the window then shows the
 * repositories pane when folded). Actions it installs: "sidebar.add"
 * (opens the add dialog; the window binds Ctrl+N to it), "sidebar.edit",
 * "sidebar.sign-in", "sidebar.sign-out", "sidebar.remove" (on the row the
 * context menu was opened on, else the selected one). */
GtkWidget     *wharf_registry_sidebar_new                   (WharfRegistryStore   *store);
/* The sidebar is a whole leaflet pane: its header bar (title "Registries",
 * the "+" button at the start) comes first, then the list. The window packs
 * its primary menu at the end of this header bar and binds its
 * show-end-title-buttons to the leaflet's "folded". */
AdwHeaderBar  *wharf_registry_sidebar_get_header_bar        (WharfRegistrySidebar *self);
WharfRegistry *wharf_registry_sidebar_get_selected_registry (WharfRegistrySidebar *self);
void           wharf_registry_sidebar_set_selected_registry (WharfRegistrySidebar *self,
                                                             WharfRegistry        *registry);
/* Opens the add dialog, prefilled with @address if not NULL. */
void           wharf_registry_sidebar_add_registry          (WharfRegistrySidebar *self,
                                                             const char           *address);
/* Opens the sign-in dialog for @registry (from the "needs sign-in" state). */
void           wharf_registry_sidebar_sign_in               (WharfRegistrySidebar *self,
                                                             WharfRegistry        *registry);
/* Opens the edit dialog on its TLS settings (from the TLS failure state). */
void           wharf_registry_sidebar_edit                  (WharfRegistrySidebar *self,
                                                             WharfRegistry        *registry);

G_END_DECLS
