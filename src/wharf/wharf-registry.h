/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry.h: one registry the user added: where it is, how to reach it,
 * whether it answers and who is signed in. The panes only reflect it. */

#pragma once

#include <gio/gio.h>

#include "wharf.h"

G_BEGIN_DECLS

typedef enum
{
  WHARF_REGISTRY_STATUS_UNKNOWN,       /* not checked yet */
  WHARF_REGISTRY_STATUS_CHECKING,
  WHARF_REGISTRY_STATUS_REACHABLE,     /* answers; anonymous or no auth needed */
  WHARF_REGISTRY_STATUS_SIGNED_IN,     /* credentials accepted */
  WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN, /* answers, wants credentials we lack or that were refused */
  WHARF_REGISTRY_STATUS_ERROR,         /* unreachable, TLS trouble…: see status-message */
} WharfRegistryStatus;

#define WHARF_TYPE_REGISTRY_STATUS (wharf_registry_status_get_type ())

GType wharf_registry_status_get_type (void) G_GNUC_CONST;

#define WHARF_TYPE_REGISTRY (wharf_registry_get_type ())

G_DECLARE_FINAL_TYPE (WharfRegistry, wharf_registry, WHARF, REGISTRY, GObject)

/* Properties (all notify on change, on the main context):
 *   "address"        string, as the user typed it, normalised ("localhost:5000")
 *   "display-name"   string
 *   "endpoint"       WharfEndpoint (replaced when TLS settings change)
 *   "client"         WharfClient (replaced with the endpoint; panes reload on notify)
 *   "status"         WharfRegistryStatus
 *   "status-message" string, nullable: the sentence for ERROR / NEEDS_SIGN_IN
 *   "status-error"   GError (boxed), nullable: what the last check failed with
 *   "username"       string, nullable: who is signed in (or whose credential is known) */
WharfRegistry       *wharf_registry_new                (WharfEndpoint  *endpoint);
const char          *wharf_registry_get_address        (WharfRegistry  *self);
const char          *wharf_registry_get_display_name   (WharfRegistry  *self);
void                 wharf_registry_set_display_name   (WharfRegistry  *self,
                                                        const char     *display_name);
WharfEndpoint       *wharf_registry_get_endpoint       (WharfRegistry  *self);
/* Replaces endpoint and client (TLS policy, CA file, insecure flag changed). */
void                 wharf_registry_set_endpoint       (WharfRegistry  *self,
                                                        WharfEndpoint  *endpoint);
WharfClient         *wharf_registry_get_client         (WharfRegistry  *self);
WharfRegistryStatus  wharf_registry_get_status         (WharfRegistry  *self);
const char          *wharf_registry_get_status_message (WharfRegistry  *self);
const GError        *wharf_registry_get_status_error   (WharfRegistry  *self);
const char          *wharf_registry_get_username       (WharfRegistry  *self);
/* The name the user chose, or NULL when the registry goes by its address. */
const char          *wharf_registry_get_custom_name    (WharfRegistry  *self);
/* For the panes: an error that concerns the whole registry (sign-in needed or
 * refused, unreachable, TLS trouble) becomes its status. Returns FALSE and
 * changes nothing for errors about one repository or tag. */
gboolean             wharf_registry_report_error       (WharfRegistry  *self,
                                                        const GError   *error);

/* Looks up credentials (keyring, then Docker/containers files) once, then
 * pings; updates status. Never fails: the outcome is the status. */
void                 wharf_registry_refresh_async      (WharfRegistry       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
void                 wharf_registry_refresh_finish     (WharfRegistry       *self,
                                                        GAsyncResult        *result);

/* Verifies the credentials against the registry, then stores them in the
 * keyring and uses them. Wrong ones: FALSE with WHARF_ERROR_AUTH_FAILED, and
 * nothing is stored. */
void                 wharf_registry_sign_in_async      (WharfRegistry       *self,
                                                        const char          *username,
                                                        const char          *password,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             wharf_registry_sign_in_finish     (WharfRegistry       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Forgets the keyring entry and goes anonymous. */
void                 wharf_registry_sign_out_async     (WharfRegistry       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             wharf_registry_sign_out_finish    (WharfRegistry       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

#define WHARF_TYPE_REGISTRY_STORE (wharf_registry_store_get_type ())

G_DECLARE_FINAL_TYPE (WharfRegistryStore, wharf_registry_store, WHARF, REGISTRY_STORE, GObject)

/* A GListModel of WharfRegistry, saved in GSettings ("registries"): address,
 * display name, TLS policy, CA file, insecure flag — never secrets. First
 * run: "Local registry" at localhost:5000. */
WharfRegistryStore  *wharf_registry_store_new          (GSettings          *settings);
/* The registry with that address (compared as endpoints), or NULL. */
WharfRegistry       *wharf_registry_store_find         (WharfRegistryStore *self,
                                                        const char         *address);
/* Adds and saves; returns the existing one if the address is known. */
WharfRegistry       *wharf_registry_store_add          (WharfRegistryStore *self,
                                                        WharfEndpoint      *endpoint,
                                                        const char         *display_name);
void                 wharf_registry_store_remove       (WharfRegistryStore *self,
                                                        WharfRegistry      *registry);
/* Saves after a registry's settings changed. */
void                 wharf_registry_store_save         (WharfRegistryStore *self);

G_END_DECLS
