/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-share-dialog.h: share an image to Docker Hub: sign in, name, copy, pull command. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-transfer-manager.h"

G_BEGIN_DECLS

typedef enum
{
  WHARF_SHARE_STATE_CHECKING,  /* looking up the Docker Hub account */
  WHARF_SHARE_STATE_SIGN_IN,   /* not signed in: the sign-in dialog is (or was) open */
  WHARF_SHARE_STATE_READY,     /* the name on Docker Hub is asked for */
  WHARF_SHARE_STATE_COPYING,
  WHARF_SHARE_STATE_DONE,      /* the pull command shows */
  WHARF_SHARE_STATE_FAILED,    /* see the error sentence; Try Again goes back */
} WharfShareState;

#define WHARF_TYPE_SHARE_STATE (wharf_share_state_get_type ())

GType wharf_share_state_get_type (void) G_GNUC_CONST;

#define WHARF_TYPE_SHARE_DIALOG (wharf_share_dialog_get_type ())

G_DECLARE_FINAL_TYPE (WharfShareDialog, wharf_share_dialog, WHARF, SHARE_DIALOG, AdwWindow)

/* @hub is the Docker Hub registry (the sidebar's if listed, else one made for
 * this). Signs in with WharfSignInDialog when the keyring and Docker's files
 * know no account, proposes docker.io/<user>/<repository's last part>:<tag>,
 * copies through @manager (every platform, same digest) and shows
 * `docker pull <user>/<name>:<tag>` with a copy button when the copy is done.
 * Property "state" (WharfShareState, notify). */
WharfShareDialog *wharf_share_dialog_new              (GtkWindow            *parent,
                                                       WharfTransferManager *manager,
                                                       WharfRegistry        *source,
                                                       const char           *repository,
                                                       const char           *tag,
                                                       WharfRegistry        *hub);
WharfShareState   wharf_share_dialog_get_state        (WharfShareDialog     *self);
/* "docker.io/alice/web:v1" as the field says it now. */
const char       *wharf_share_dialog_get_destination  (WharfShareDialog     *self);
/* "docker pull alice/web:v1" once done, else NULL. */
const char       *wharf_share_dialog_get_pull_command (WharfShareDialog     *self);
/* The sentence shown for FAILED, or under an invalid name; else NULL. */
const char       *wharf_share_dialog_get_error        (WharfShareDialog     *self);
/* Presses Share. FALSE when not READY or the name is invalid. */
gboolean          wharf_share_dialog_share            (WharfShareDialog     *self);

G_END_DECLS
