/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-auth-private.h: the header grammars the client speaks: WWW-Authenticate,
 * token scopes and responses, Link and Retry-After. */

#pragma once

#include <gio/gio.h>

#include "wharf-client-private.h"

G_BEGIN_DECLS

/**
 * WharfAuthChallenge:
 * @scheme: the auth scheme in lower case ("bearer", "basic", …)
 * @token68: the token68 form of credentials, nullable
 * @params: lower-case parameter name → unquoted value
 */
typedef struct
{
  char       *scheme;
  char       *token68;
  GHashTable *params;
} WharfAuthChallenge;

void                      _wharf_auth_challenge_free      (WharfAuthChallenge       *challenge);
/* @name in lower case; NULL if absent. */
const char               *_wharf_auth_challenge_get_param (const WharfAuthChallenge *challenge,
                                                           const char               *name);

/* Every challenge of a WWW-Authenticate value (RFC 7235 §4.1, several headers
 * joined with ", " are fine), in order. Parsing stops at the first syntax
 * error; the challenges complete before it are kept. Never NULL. */
GPtrArray                *_wharf_auth_parse_challenges    (const char               *header);
/* Bearer over Basic; NULL if there is neither. */
const WharfAuthChallenge *_wharf_auth_pick_challenge      (GPtrArray                *challenges);

/* The scope one request needs: NULL for WHARF_ACCESS_NONE,
 * "repository:NAME:pull", "…:pull,push", "…:delete", "registry:catalog:*". */
char                     *_wharf_auth_scope_for_access    (const char               *repository,
                                                           WharfAccess               access);
/* The set of scopes of a request, plus "repository:FROM:pull" for a mount. */
GPtrArray                *_wharf_auth_scopes_new          (const char               *repository,
                                                           WharfAccess               access,
                                                           const char               *mount_from);
/* Adds each space-separated scope of @scopes_text (a challenge's "scope"). */
void                      _wharf_auth_scopes_add          (GPtrArray                *scopes,
                                                           const char               *scopes_text);
/* The scopes sorted and space-separated: the same set gives the same key. */
char                     *_wharf_auth_scopes_to_key       (GPtrArray                *scopes);

/* "Basic base64(user:password)". The caller should wipe it when done. */
char                     *_wharf_auth_basic_value         (const char               *username,
                                                           const char               *password);
/* Overwrites and frees a string that held a secret. */
void                      _wharf_auth_wipe_string         (char                     *secret);

/* Reads a token server's answer: "token" or "access_token", "expires_in"
 * (60 when absent, raised to 60 when below) and "issued_at" (used when
 * plausible, else @received_at). @expires_at is in g_get_real_time() units.
 * A body that is not such an object gives WHARF_ERROR_PROTOCOL. */
gboolean                  _wharf_auth_parse_token_response (GBytes                  *body,
                                                            gint64                   received_at,
                                                            char                   **token,
                                                            gint64                  *expires_at,
                                                            GError                 **error);

/* The URI reference (as written, maybe relative) of the link with
 * rel="next" in a Link header (RFC 8288), or NULL. */
char                     *_wharf_auth_parse_link_next     (const char               *link_header);

/* Retry-After in seconds, as delta-seconds or an HTTP date compared with
 * @now (a date in the past gives 0); -1 if it reads as neither. */
gint64                    _wharf_auth_parse_retry_after   (const char               *value,
                                                           GDateTime                *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfAuthChallenge, _wharf_auth_challenge_free)

G_END_DECLS
