/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-row.h: one registry in the sidebar: name, address, status and menu. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"

G_BEGIN_DECLS

#define WHARF_TYPE_REGISTRY_ROW (wharf_registry_row_get_type ())

G_DECLARE_FINAL_TYPE (WharfRegistryRow, wharf_registry_row, WHARF, REGISTRY_ROW, AdwActionRow)

GtkWidget     *wharf_registry_row_new             (WharfRegistry    *registry,
                                                   GMenuModel       *menu_model);
WharfRegistry *wharf_registry_row_get_registry    (WharfRegistryRow *self);
GtkMenuButton *wharf_registry_row_get_menu_button (WharfRegistryRow *self);
/* What the status indicator says, as read to screen reader users. */
const char    *wharf_registry_row_get_status_text (WharfRegistryRow *self);

G_END_DECLS
