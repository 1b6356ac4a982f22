/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-client.h: one registry endpoint spoken to over the distribution API. */

#pragma once

#include <gio/gio.h>

#include "wharf-credential.h"
#include "wharf-endpoint.h"
#include "wharf-image.h"

G_BEGIN_DECLS

typedef enum
{
  WHARF_AUTH_SCHEME_UNKNOWN,  /* not pinged yet */
  WHARF_AUTH_SCHEME_NONE,     /* /v2/ answered 200 without credentials */
  WHARF_AUTH_SCHEME_BASIC,
  WHARF_AUTH_SCHEME_BEARER,
} WharfAuthScheme;

#define WHARF_TYPE_PING_RESULT (wharf_ping_result_get_type ())

/**
 * WharfPingResult:
 * @base_url: "http://127.0.0.1:5000" — the scheme that worked
 * @auth_scheme: what /v2/ asked for
 * @signed_in: credentials were sent and accepted
 * @api_version: Docker-Distribution-API-Version, nullable
 */
typedef struct
{
  char            *base_url;
  WharfAuthScheme  auth_scheme;
  gboolean         signed_in;
  char            *api_version;
} WharfPingResult;

GType            wharf_ping_result_get_type (void) G_GNUC_CONST;
void             wharf_ping_result_free     (WharfPingResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfPingResult, wharf_ping_result_free)

#define WHARF_TYPE_RAW_MANIFEST (wharf_raw_manifest_get_type ())

/**
 * WharfRawManifest:
 * @bytes: the exact bytes served, verified against @digest
 * @media_type: Content-Type without parameters
 * @digest: the digest asked for, else Docker-Content-Digest, else computed
 */
typedef struct
{
  GBytes *bytes;
  char   *media_type;
  char   *digest;
} WharfRawManifest;

GType             wharf_raw_manifest_get_type (void) G_GNUC_CONST;
void              wharf_raw_manifest_free     (WharfRawManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfRawManifest, wharf_raw_manifest_free)

/* Called once per catalog page on the main context that was the thread
 * default when the listing started, so a window can show the first page at
 * once. @names is only valid during the call. */
typedef void (*WharfPageFunc) (const char * const *names,
                               gpointer            user_data);

#define WHARF_TYPE_CLIENT (wharf_client_get_type ())

G_DECLARE_FINAL_TYPE (WharfClient, wharf_client, WHARF, CLIENT, GObject)

/* One client, and so one SoupSession, per endpoint. Safe to use from
 * several threads at once. */
WharfClient      *wharf_client_new                    (WharfEndpoint        *endpoint);
WharfEndpoint    *wharf_client_get_endpoint           (WharfClient          *self);
/* NULL for anonymous. Drops cached tokens. */
void              wharf_client_set_credential         (WharfClient          *self,
                                                       const WharfCredential *credential);
WharfCredential  *wharf_client_dup_credential         (WharfClient          *self);
WharfAuthScheme   wharf_client_get_auth_scheme        (WharfClient          *self);

/* GET /v2/: works out the scheme (for AUTO endpoints) and the auth kind, and
 * when credentials are set, proves them (Basic: /v2/ with them; Bearer: a
 * token from the realm). Wrong credentials → WHARF_ERROR_AUTH_FAILED. */
void              wharf_client_ping_async             (WharfClient          *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
WharfPingResult  *wharf_client_ping_finish            (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
WharfPingResult  *wharf_client_ping_sync              (WharfClient          *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* Every repository, by pages of 1000 following Link (smaller pages if the
 * registry refuses 1000). A registry without a catalog, or a token without
 * registry:catalog:*, gives WHARF_ERROR_NO_CATALOG. The result is the whole
 * list in the registry's order. @page_func is optional. */
void              wharf_client_list_repositories_async  (WharfClient        *self,
                                                         WharfPageFunc       page_func,
                                                         gpointer            page_data,
                                                         GDestroyNotify      page_data_destroy,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
GStrv             wharf_client_list_repositories_finish (WharfClient        *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);
/* @page_func is called in the calling thread. */
GStrv             wharf_client_list_repositories_sync   (WharfClient        *self,
                                                         WharfPageFunc       page_func,
                                                         gpointer            page_data,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

/* Every tag, following Link, null-safe, sorted (2.8 returns them unsorted). */
void              wharf_client_list_tags_async        (WharfClient          *self,
                                                       const char           *repository,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GStrv             wharf_client_list_tags_finish       (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
GStrv             wharf_client_list_tags_sync         (WharfClient          *self,
                                                       const char           *repository,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* GET a manifest by tag or digest with the full Accept list; capped at 4 MiB
 * (WHARF_ERROR_MANIFEST_TOO_LARGE) and verified against the digest asked
 * for, else Docker-Content-Digest (WHARF_ERROR_DIGEST_MISMATCH). */
void              wharf_client_get_manifest_async     (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *reference,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
WharfRawManifest *wharf_client_get_manifest_finish    (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
WharfRawManifest *wharf_client_get_manifest_sync      (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *reference,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* HEAD a manifest: media type, digest and size, without a body. */
void              wharf_client_head_manifest_async    (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *reference,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
WharfDescriptor  *wharf_client_head_manifest_finish   (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
WharfDescriptor  *wharf_client_head_manifest_sync     (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *reference,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* HEAD a blob. Absent → FALSE with WHARF_ERROR_NOT_FOUND. */
void              wharf_client_head_blob_async        (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *digest,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          wharf_client_head_blob_finish       (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       gint64               *out_size,
                                                       GError              **error);
gboolean          wharf_client_head_blob_sync         (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *digest,
                                                       gint64               *out_size,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* GET a blob as a stream, following redirects itself (Authorization is never
 * sent to another host). The stream hashes what it yields: the read that
 * reaches the end fails with WHARF_ERROR_DIGEST_MISMATCH if the content does
 * not match @digest, or with WHARF_ERROR_NETWORK if it is shorter than the
 * announced size. Read it from a worker thread or with the async stream API. */
void              wharf_client_get_blob_async         (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *digest,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GInputStream     *wharf_client_get_blob_finish        (WharfClient          *self,
                                                       GAsyncResult         *result,
                                                       gint64               *out_size,
                                                       GError              **error);
GInputStream     *wharf_client_get_blob_sync          (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *digest,
                                                       gint64               *out_size,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* GET and parse in one go: a manifest, or a config blob (capped at 4 MiB,
 * verified). */
WharfManifest    *wharf_client_fetch_manifest_sync    (WharfClient          *self,
                                                       const char           *repository,
                                                       const char           *reference,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
WharfImageConfig *wharf_client_fetch_config_sync      (WharfClient          *self,
                                                       const char           *repository,
                                                       const WharfDescriptor *config,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

G_END_DECLS
