/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-credential.h: sign-in secrets in the keyring, and read-only import
 * from Docker's and containers' auth files and credential helpers. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WHARF_CREDENTIAL_SCHEMA_NAME "io.github.wharfapp.Wharf.Credential"

typedef enum
{
  WHARF_CREDENTIAL_SOURCE_NONE,
  WHARF_CREDENTIAL_SOURCE_KEYRING,
  WHARF_CREDENTIAL_SOURCE_DOCKER_CONFIG,   /* ~/.docker/config.json "auths" */
  WHARF_CREDENTIAL_SOURCE_DOCKER_HELPER,   /* docker-credential-<suffix> */
  WHARF_CREDENTIAL_SOURCE_CONTAINERS_AUTH, /* containers auth.json */
} WharfCredentialSource;

#define WHARF_TYPE_CREDENTIAL (wharf_credential_get_type ())

/**
 * WharfCredential:
 * @server: the registry domain it belongs to ("localhost:5000", "docker.io")
 * @username: user name; empty with an identity token
 * @secret: password or token. Never log it, never write it to a file.
 * @identity_token: %TRUE if @secret is an OAuth2 refresh/identity token
 * @source: where it came from
 *
 * A boxed type. Freeing it wipes the secret from memory.
 */
typedef struct
{
  char                  *server;
  char                  *username;
  char                  *secret;
  gboolean               identity_token;
  WharfCredentialSource  source;
} WharfCredential;

GType            wharf_credential_get_type        (void) G_GNUC_CONST;
WharfCredential *wharf_credential_new             (const char             *server,
                                                   const char             *username,
                                                   const char             *secret);
WharfCredential *wharf_credential_copy            (const WharfCredential  *cred);
void             wharf_credential_free            (WharfCredential        *cred);

/* Maps every spelling of a registry to the key credentials are stored under:
 * "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"
 * → "docker.io"; "https://host:5000/" → "host:5000". */
char            *wharf_credential_normalize_server (const char            *server);

/* The keyring (libsecret, schema io.github.wharfapp.Wharf.Credential,
 * attributes "server" and "username"). Storing replaces what was stored for
 * the server. */
void             wharf_credential_store_async     (const WharfCredential  *cred,
                                                   GCancellable           *cancellable,
                                                   GAsyncReadyCallback     callback,
                                                   gpointer                user_data);
gboolean         wharf_credential_store_finish    (GAsyncResult           *result,
                                                   GError                **error);
gboolean         wharf_credential_store_sync      (const WharfCredential  *cred,
                                                   GCancellable           *cancellable,
                                                   GError                **error);

/* Removes what the keyring holds for the server; TRUE even if nothing was. */
void             wharf_credential_forget_async    (const char             *server,
                                                   GCancellable           *cancellable,
                                                   GAsyncReadyCallback     callback,
                                                   gpointer                user_data);
gboolean         wharf_credential_forget_finish   (GAsyncResult           *result,
                                                   GError                **error);
gboolean         wharf_credential_forget_sync     (const char             *server,
                                                   GCancellable           *cancellable,
                                                   GError                **error);

/* Looks in the keyring first, then Docker's config (credHelpers, credsStore,
 * auths), then containers auth.json files. Returns NULL and no error when
 * nothing is known for the server. */
void             wharf_credential_lookup_async    (const char             *server,
                                                   GCancellable           *cancellable,
                                                   GAsyncReadyCallback     callback,
                                                   gpointer                user_data);
WharfCredential *wharf_credential_lookup_finish   (GAsyncResult           *result,
                                                   GError                **error);
WharfCredential *wharf_credential_lookup_sync     (const char             *server,
                                                   GCancellable           *cancellable,
                                                   GError                **error);

/* Only the keyring. */
WharfCredential *wharf_credential_lookup_keyring_sync  (const char        *server,
                                                        GCancellable      *cancellable,
                                                        GError           **error);
/* Only Docker's config.json ($DOCKER_CONFIG or ~/.docker) and its helpers. */
WharfCredential *wharf_credential_lookup_docker_sync   (const char        *server,
                                                        GCancellable      *cancellable,
                                                        GError           **error);
/* Only containers auth.json ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers,
 * $XDG_CONFIG_HOME/containers). */
WharfCredential *wharf_credential_lookup_containers_sync (const char      *server,
                                                          GCancellable    *cancellable,
                                                          GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfCredential, wharf_credential_free)

G_END_DECLS
