/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-application.h: the application object: app actions, command line, windows. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

/* The schema id does not change with the development profile, so a .Devel
 * build shares the registry list with the stable one. */
#define WHARF_SCHEMA_ID "io.github.wharfapp.Wharf"

#define WHARF_TYPE_APPLICATION (wharf_application_get_type ())

G_DECLARE_FINAL_TYPE (WharfApplication, wharf_application, WHARF, APPLICATION, AdwApplication)

WharfApplication   *wharf_application_new                (const char        *application_id,
                                                          GApplicationFlags  flags);
/* The registries every window lists, loaded at startup and saved as they change. */
WharfRegistryStore *wharf_application_get_registry_store (WharfApplication  *self);
/* Every upload, download and copy of the application, whichever window
 * started it; a desktop notification tells when a long one ends unseen. */
WharfTransferManager *wharf_application_get_transfer_manager (WharfApplication *self);

/* Call before GTK draws anything. On a machine with no GPU device
 * (/dev/dri/renderD*, /dev/nvidiactl), GTK 4.8 would draw with GL on Mesa's
 * software rasterizer: measured here, its frames take 50-175 ms and the GL
 * stack adds 100 MiB, where cairo draws the same window in 5 ms. There
 * Wharf asks for the cairo renderer; GSK_RENDERER set by the user wins. */
void                 wharf_application_choose_renderer      (void);

G_END_DECLS
