/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-sign-in-dialog.h: ask for a username and password and sign in to one registry. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"

G_BEGIN_DECLS

#define WHARF_TYPE_SIGN_IN_DIALOG (wharf_sign_in_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfSignInDialog, wharf_sign_in_dialog, WHARF, SIGN_IN_DIALOG, AdwWindow)

/* Closes itself once the registry accepted the credentials and the keyring
 * holds them; wrong ones leave it open with the error. Property "busy". */
WharfSignInDialog *wharf_sign_in_dialog_new       (GtkWindow         *parent,
                                                   WharfRegistry     *registry);
gboolean           wharf_sign_in_dialog_get_busy  (WharfSignInDialog *self);
/* The error shown inline, or NULL. */
const char        *wharf_sign_in_dialog_get_error (WharfSignInDialog *self);

G_END_DECLS
