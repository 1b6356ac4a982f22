/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-download-dialog.h: download a tag to a file: format, platform, then where to save it. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

#define WHARF_TYPE_DOWNLOAD_DIALOG (wharf_download_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfDownloadDialog, wharf_download_dialog,
                      WHARF, DOWNLOAD_DIALOG, AdwWindow)

/* Asks for the format (docker-archive, the default, for `docker load`; OCI
 * archive; OCI folder) and, for a multi-platform image, the platform (the
 * host's preselected; all of them only in the OCI formats). Download… opens
 * a save dialog (GtkFileChooserNative, so portals work); accepting it starts
 * the transfer through @manager and closes this dialog.
 *
 * Properties: "loading" (the manifest is being read), "format"
 * (WharfTransport: DOCKER_ARCHIVE, OCI_ARCHIVE or OCI). */
WharfDownloadDialog *wharf_download_dialog_new           (GtkWindow            *parent,
                                                          WharfTransferManager *manager,
                                                          WharfRegistry        *registry,
                                                          const char           *repository,
                                                          const char           *tag);
gboolean             wharf_download_dialog_get_loading   (WharfDownloadDialog  *self);
WharfTransport       wharf_download_dialog_get_format    (WharfDownloadDialog  *self);
void                 wharf_download_dialog_set_format    (WharfDownloadDialog  *self,
                                                          WharfTransport        format);
/* The platforms offered ("linux/amd64", …), NULL for a single image. */
const char * const  *wharf_download_dialog_get_platforms (WharfDownloadDialog  *self);
/* "linux/arm64/v8", or NULL for all of them (OCI formats) or a single image. */
char                *wharf_download_dialog_dup_platform  (WharfDownloadDialog  *self);
gboolean             wharf_download_dialog_set_platform  (WharfDownloadDialog  *self,
                                                          const char           *platform);
/* Why the image cannot be downloaded, one sentence, or NULL. */
const char          *wharf_download_dialog_get_error     (WharfDownloadDialog  *self);
/* What accepting the save dialog does: starts the download to @file and
 * closes. Returns the transfer's row, or NULL if nothing could start. */
WharfTransferItem   *wharf_download_dialog_save_to       (WharfDownloadDialog  *self,
                                                          GFile                *file);

G_END_DECLS
