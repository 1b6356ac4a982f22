/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image-details.h: the details pane: what one tag's image is made of. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-tag-item.h"

G_BEGIN_DECLS

#define WHARF_TYPE_IMAGE_DETAILS (wharf_image_details_get_type ())

G_DECLARE_FINAL_TYPE (WharfImageDetails, wharf_image_details, WHARF, IMAGE_DETAILS, GtkWidget)

/* Overview (digest and pull command with copy buttons, media type, size,
 * created, author), the platforms of a multi-arch index (pick one to see
 * it), its configuration, layers with the history line that made each,
 * and annotations.
 *
 * Properties (read-only, notify): "loading" (boolean), "digest" (string,
 * nullable: the manifest shown), "pull-command" (string, nullable),
 * "platform" (string, nullable: the index entry shown, "linux/arm64/v8"),
 * "error-message" (string, nullable). */
GtkWidget  *wharf_image_details_new                (void);
/* Shows @tag of @repository (NULLs: nothing). */
void        wharf_image_details_show               (WharfImageDetails *self,
                                                    WharfRegistry     *registry,
                                                    const char        *repository,
                                                    WharfTagItem      *tag);
gboolean    wharf_image_details_get_loading        (WharfImageDetails *self);
const char *wharf_image_details_get_digest         (WharfImageDetails *self);
/* "docker pull localhost:5000/team/app:v1" */
const char *wharf_image_details_get_pull_command   (WharfImageDetails *self);
const char *wharf_image_details_get_platform       (WharfImageDetails *self);
const char *wharf_image_details_get_error_message  (WharfImageDetails *self);
/* Shows the index entry for @platform ("linux/arm64/v8"); FALSE if none. */
gboolean    wharf_image_details_select_platform    (WharfImageDetails *self,
                                                    const char        *platform);

G_END_DECLS
