/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-dialog.h: add or edit a registry: address, name, TLS, sign-in, test. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"

G_BEGIN_DECLS

#define WHARF_TYPE_REGISTRY_DIALOG (wharf_registry_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfRegistryDialog, wharf_registry_dialog,
                      WHARF, REGISTRY_DIALOG, AdwWindow)

/* Signal "saved" (WharfRegistry*): the registry was added to the store, or
 * its settings changed; the dialog then closes. Property "busy" (boolean):
 * a test or a save is running. */
WharfRegistryDialog *wharf_registry_dialog_new_add         (GtkWindow           *parent,
                                                            WharfRegistryStore  *store,
                                                            const char          *address);
WharfRegistryDialog *wharf_registry_dialog_new_edit        (GtkWindow           *parent,
                                                            WharfRegistryStore  *store,
                                                            WharfRegistry       *registry);
/* Moves the focus to the certificate settings (from a TLS failure). */
void                 wharf_registry_dialog_focus_tls       (WharfRegistryDialog *self);
gboolean             wharf_registry_dialog_get_busy        (WharfRegistryDialog *self);
/* What the dialog shows inline: the last test's findings, and the error that
 * kept it from saving; NULL when nothing is shown. */
const char          *wharf_registry_dialog_get_test_result (WharfRegistryDialog *self);
const char          *wharf_registry_dialog_get_error       (WharfRegistryDialog *self);

G_END_DECLS
