/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-client-faults.c: the client against an in-test SoupServer.
 *
 * The real registry (see test-client.c) cannot produce these on demand:
 * 503 bursts, 429 with Retry-After, relative Link paging with a page-size
 * limit, null and unsorted tag lists, Bearer challenges with
 * insufficient_scope, several challenges in one header, and redirects to a
 * second host. The server here answers in the documented wire formats
 * (distribution spec, token auth spec) and counts what it received. */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "wharf-client.h"
#include "wharf-client-private.h"
#include "wharf-error.h"
#include "wharf-verify-stream.h"

#define USER     "alice"
#define PASSWORD "wonderland"
#define SERVICE  "fake-registry"
#define REFRESH_TOKEN "refresh-me"

static const char blob_data[] = "The quick brown fox jumps over the lazy dog, in layers.\n";
static const char manifest_data[] =
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
  "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,"
  "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
  "\"layers\":[]}";

typedef enum
{
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
} FakeAuth;

typedef struct
{
  FakeAuth      auth;
  guint         catalog_max;   /* 0: any n */
  gboolean      no_oauth;      /* POST /token answers 404 */

  GMutex        mutex;
  GCond         cond;
  gboolean      ready;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  SoupServer   *server;
  SoupServer   *second;
  char         *url;           /* "http://127.0.0.1:PORT" */
  char         *second_url;    /* "http://127.0.0.2:PORT" */

  /* Guarded by mutex. */
  GHashTable   *hits;          /* "METHOD /path" → count */
  GHashTable   *tokens;        /* token → granted scopes, space-separated */
  guint         token_requests;
  guint         authorized_requests;
  guint         second_requests;
  guint         second_with_auth;
} Fake;

static char *blob_digest;

static guint
fake_hit (Fake              *fake,
          SoupServerMessage *msg,
          const char        *path)
{
  g_autofree char *key = g_strdup_printf ("%s %s", soup_server_message_get_method (msg), path);
  guint count;

  g_mutex_lock (&fake->mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->hits, key)) + 1;
  g_hash_table_insert (fake->hits, g_steal_pointer (&key), GUINT_TO_POINTER (count));
  g_mutex_unlock (&fake->mutex);

  return count;
}

static guint
fake_get_hits (Fake       *fake,
               const char *key)
{
  guint count;

  g_mutex_lock (&fake->mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->hits, key));
  g_mutex_unlock (&fake->mutex);

  return count;
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *code,
             const char        *message)
{
  g_autofree char *json = g_strdup_printf ("{\"errors\":[{\"code\":\"%s\",\"message\":\"%s\","
                                           "\"detail\":null}]}", code, message);

  reply_json (msg, status, json);
}

/* Every value of a repeated query parameter: SoupServer's table keeps one. */
static GPtrArray *
query_values (SoupServerMessage *msg,
              const char        *name)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_auto(GStrv) pairs = query ? g_strsplit (query, "&", -1) : NULL;

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');

      if (eq != NULL && strncmp (pairs[i], name, eq - pairs[i]) == 0 &&
          (gsize) (eq - pairs[i]) == strlen (name))
        g_ptr_array_add (values, g_uri_unescape_string (eq + 1, NULL));
    }

  return values;
}

static gboolean
basic_is_right (const char *authorization)
{
  g_autofree char *expected = NULL;
  g_autofree char *encoded = NULL;

  encoded = g_base64_encode ((const guchar *) USER ":" PASSWORD, strlen (USER ":" PASSWORD));
  expected = g_strconcat ("Basic ", encoded, NULL);

  return g_strcmp0 (authorization, expected) == 0;
}

static void
grant_token (Fake              *fake,
             SoupServerMessage *msg,
             GPtrArray         *scopes)
{
  g_autoptr(GString) granted = g_string_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *json = NULL;

  /* Grants what is asked, except anything about "forbidden/…". */
  for (guint i = 0; i < scopes->len; i++)
    {
      const char *scope = g_ptr_array_index (scopes, i);

      if (strstr (scope, "forbidden/") != NULL)
        continue;
      if (granted->len > 0)
        g_string_append_c (granted, ' ');
      g_string_append (granted, scope);
    }

  g_mutex_lock (&fake->mutex);
  token = g_strdup_printf ("token-%u", fake->token_requests);
  g_hash_table_insert (fake->tokens, g_strdup (token), g_strdup (granted->str));
  g_mutex_unlock (&fake->mutex);

  /* The OAuth2 spelling; the GET form below uses "token". */
  if (g_str_equal (soup_server_message_get_method (msg), "POST"))
    json = g_strdup_printf ("{\"access_token\":\"%s\",\"expires_in\":300}", token);
  else
    json = g_strdup_printf ("{\"token\":\"%s\",\"expires_in\":300}", token);
  reply_json (msg, 200, json);
}

/* OAuth2: POST grant_type=refresh_token with an identity token. */
static void
token_post (Fake              *fake,
            SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *text = g_strndup (body->data, body->length);
  g_autoptr(GHashTable) form = soup_form_decode (text);
  g_autoptr(GPtrArray) scopes = g_ptr_array_new_with_free_func (g_free);
  const char *scope = g_hash_table_lookup (form, "scope");
  g_auto(GStrv) parts = scope ? g_strsplit (scope, " ", -1) : NULL;

  if (fake->no_oauth)
    {
      reply_json (msg, 404, "{\"details\":\"no oauth here\"}");
      return;
    }

  if (g_strcmp0 (g_hash_table_lookup (form, "grant_type"), "refresh_token") != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "client_id"), "wharf") != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "service"), SERVICE) != 0)
    {
      reply_json (msg, 400, "{\"details\":\"bad form\"}");
      return;
    }

  if (g_strcmp0 (g_hash_table_lookup (form, "refresh_token"), REFRESH_TOKEN) != 0)
    {
      reply_json (msg, 401, "{\"details\":\"wrong refresh token\"}");
      return;
    }

  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    g_ptr_array_add (scopes, g_strdup (parts[i]));

  grant_token (fake, msg, scopes);
}

static void
token_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fake *fake = user_data;
  const char *authorization;
  g_autoptr(GPtrArray) scopes = query_values (msg, "scope");
  const char *service = query ? g_hash_table_lookup (query, "service") : NULL;

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");

  fake_hit (fake, msg, path);

  g_mutex_lock (&fake->mutex);
  fake->token_requests++;
  g_mutex_unlock (&fake->mutex);

  if (g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      token_post (fake, msg);
      return;
    }

  if (g_strcmp0 (service, SERVICE) != 0)
    {
      reply_json (msg, 400, "{\"details\":\"wrong service\"}");
      return;
    }

  if (authorization != NULL && !basic_is_right (authorization))
    {
      reply_json (msg, 401, "{\"details\":\"wrong credentials\"}");
      return;
    }

  grant_token (fake, msg, scopes);
}

static gboolean
token_grants (Fake       *fake,
              const char *authorization,
              GPtrArray  *required)
{
  g_auto(GStrv) granted = NULL;
  const char *scopes;

  if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer "))
    return FALSE;

  g_mutex_lock (&fake->mutex);
  scopes = g_hash_table_lookup (fake->tokens, authorization + strlen ("Bearer "));
  granted = scopes ? g_strsplit (scopes, " ", -1) : NULL;
  g_mutex_unlock (&fake->mutex);

  if (granted == NULL)
    return FALSE;

  for (guint i = 0; i < required->len; i++)
    {
      if (!g_strv_contains ((const char * const *) granted, g_ptr_array_index (required, i)))
        return FALSE;
    }

  return TRUE;
}

/* The repository of /v2/<name>/(tags|manifests|blobs)/… */
static char *
path_repository (const char *path)
{
  static const char * const kinds[] = { "/tags/", "/manifests/", "/blobs/", NULL };

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      const char *found = strstr (path, kinds[i]);

      if (found != NULL)
        return g_strndup (path + 4, found - path - 4);
    }

  return NULL;
}

/* Answers 401 when the request is not allowed; TRUE if it may go on. */
static gboolean
check_auth (Fake              *fake,
            SoupServerMessage *msg,
            const char        *path)
{
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  const char *authorization =
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autoptr(GPtrArray) required = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *repository = path_repository (path);
  g_autofree char *scope_text = NULL;
  g_autofree char *challenge = NULL;

  switch (fake->auth)
    {
    case AUTH_NONE:
      return TRUE;

    case AUTH_BASIC:
      if (basic_is_right (authorization))
        {
          g_mutex_lock (&fake->mutex);
          fake->authorized_requests++;
          g_mutex_unlock (&fake->mutex);
          return TRUE;
        }
      /* Two challenges in one header, the way some proxies answer. */
      soup_message_headers_replace (response_headers, "WWW-Authenticate",
                                    "Newauth realm=\"x\", Basic realm=\"fake\"");
      reply_error (msg, 401, "UNAUTHORIZED", "authentication required");
      return FALSE;

    case AUTH_BEARER:
    default:
      break;
    }

  if (g_str_equal (path, "/v2/_catalog"))
    g_ptr_array_add (required, g_strdup ("registry:catalog:*"));
  else if (repository != NULL)
    g_ptr_array_add (required, g_strdup_printf ("repository:%s:pull", repository));

  if (token_grants (fake, authorization, required))
    {
      /* Some repositories need more than their first challenge says. */
      if (g_strcmp0 (repository, "needsmore/app") != 0)
        goto allowed;

      g_ptr_array_add (required, g_strdup ("repository:other/app:pull"));
      if (token_grants (fake, authorization, required))
        goto allowed;
    }

  {
    g_autoptr(GString) joined = g_string_new (NULL);

    for (guint i = 0; i < required->len; i++)
      {
        if (i > 0)
          g_string_append_c (joined, ' ');
        g_string_append (joined, g_ptr_array_index (required, i));
      }
    scope_text = g_string_free (g_steal_pointer (&joined), FALSE);
  }

  challenge = g_strdup_printf ("Bearer realm=\"%s/token\",service=\"%s\"%s%s%s%s",
                               fake->url, SERVICE,
                               required->len > 0 ? ",scope=\"" : "",
                               required->len > 0 ? scope_text : "",
                               required->len > 0 ? "\"" : "",
                               authorization != NULL ? ",error=\"insufficient_scope\"" : "");
  soup_message_headers_replace (response_headers, "WWW-Authenticate", challenge);
  reply_error (msg, 401, "UNAUTHORIZED", "authentication required");
  return FALSE;

allowed:
  g_mutex_lock (&fake->mutex);
  fake->authorized_requests++;
  g_mutex_unlock (&fake->mutex);
  return TRUE;
}

static void
serve_catalog (Fake              *fake,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  static const char * const all[] = { "a", "b", "c", "d", "e", "f", "g", NULL };
  const char *n_text = query ? g_hash_table_lookup (query, "n") : NULL;
  const char *last = query ? g_hash_table_lookup (query, "last") : NULL;
  g_autoptr(GString) json = g_string_new ("{\"repositories\":[");
  guint n = n_text ? atoi (n_text) : 100;
  guint start = 0;
  guint count = 0;
  guint i;

  if (fake->catalog_max > 0 && n > fake->catalog_max)
    {
      reply_error (msg, 400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested");
      return;
    }

  if (last != NULL)
    {
      while (all[start] != NULL && strcmp (all[start], last) <= 0)
        start++;
    }

  /* Pages of three, whatever n says, as a registry with a smaller limit would. */
  for (i = start; all[i] != NULL && count < 3 && count < n; i++, count++)
    g_string_append_printf (json, "%s\"%s\"", count > 0 ? "," : "", all[i]);
  g_string_append (json, "]}");

  if (all[i] != NULL)
    {
      g_autofree char *link = g_strdup_printf ("</v2/_catalog?last=%s&n=%u>; rel=\"next\"",
                                               all[i - 1], n);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Link", link);
    }

  reply_json (msg, 200, json->str);
}

static void
main_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  guint hits = fake_hit (fake, msg, path);

  if (!check_auth (fake, msg, path))
    return;

  if (g_str_equal (path, "/v2/"))
    {
      reply_json (msg, 200, "{}");
      return;
    }

  if (g_str_equal (path, "/v2/_catalog"))
    {
      serve_catalog (fake, msg, query);
      return;
    }

  if (g_str_equal (path, "/v2/flaky/tags/list"))
    {
      if (hits <= 2)
        reply_error (msg, 503, "UNAVAILABLE", "service unavailable");
      else
        reply_json (msg, 200, "{\"name\":\"flaky\",\"tags\":[\"v1\"]}");
      return;
    }

  if (g_str_equal (path, "/v2/throttled/tags/list"))
    {
      if (hits == 1)
        {
          soup_message_headers_replace (response_headers, "Retry-After", "1");
          reply_error (msg, 429, "TOOMANYREQUESTS", "too many requests");
        }
      else
        {
          reply_json (msg, 200, "{\"name\":\"throttled\",\"tags\":[\"v1\"]}");
        }
      return;
    }

  if (g_str_equal (path, "/v2/slow/tags/list"))
    {
      soup_message_headers_replace (response_headers, "Retry-After", "30");
      reply_error (msg, 429, "TOOMANYREQUESTS", "too many requests");
      return;
    }

  if (g_str_equal (path, "/v2/broken/tags/list"))
    {
      reply_json (msg, 502, "<html>Bad gateway</html>");
      return;
    }

  if (g_str_equal (path, "/v2/crashing/tags/list"))
    {
      soup_server_message_set_status (msg, 500, NULL);
      return;
    }

  if (g_str_equal (path, "/v2/nulltags/tags/list"))
    {
      reply_json (msg, 200, "{\"name\":\"nulltags\",\"tags\":null}");
      return;
    }

  if (g_str_equal (path, "/v2/unsorted/tags/list"))
    {
      reply_json (msg, 200,
                  "{\"name\":\"unsorted\",\"tags\":[\"b\",\"10\",\"a\",\"1\",\"b\",\"B\"]}");
      return;
    }

  if (g_str_equal (path, "/v2/garbage/tags/list"))
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<h1>nope", 8);
      return;
    }

  if (g_str_has_suffix (path, "/tags/list"))
    {
      g_autofree char *repository = path_repository (path);
      g_autofree char *json = g_strdup_printf ("{\"name\":\"%s\",\"tags\":[\"latest\"]}",
                                               repository);

      if (g_str_has_prefix (path, "/v2/missing/"))
        reply_error (msg, 404, "NAME_UNKNOWN", "repository name not known to registry");
      else
        reply_json (msg, 200, json);
      return;
    }

  if (g_str_equal (path, "/v2/huge/manifests/latest"))
    {
      gsize size = 5 * 1024 * 1024;
      char *body = g_malloc (size);

      memset (body, ' ', size);
      body[0] = '{';
      body[size - 1] = '}';
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/vnd.oci.image.manifest.v1+json",
                                        SOUP_MEMORY_TAKE, body, size);
      return;
    }

  if (g_str_has_suffix (path, "/manifests/latest"))
    {
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, manifest_data,
                                                               -1);
      g_autofree char *header = g_strconcat ("sha256:", digest, NULL);

      /* "lying" claims a digest its bytes do not have. */
      if (g_str_has_prefix (path, "/v2/lying/"))
        header[7] = header[7] == '0' ? '1' : '0';

      soup_message_headers_replace (response_headers, "Docker-Content-Digest", header);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg,
                                        WHARF_MEDIA_TYPE_OCI_MANIFEST "; charset=utf-8",
                                        SOUP_MEMORY_STATIC, manifest_data, strlen (manifest_data));
      return;
    }

  if (g_str_has_prefix (path, "/v2/redir/blobs/") || g_str_has_prefix (path,
                                                                       "/v2/redir-bad/blobs/"))
    {
      g_autofree char *location = NULL;

      location = g_strdup_printf ("%s/storage/%s/%s", fake->second_url,
                                  g_str_has_prefix (path, "/v2/redir-bad/") ? "bad" : "good",
                                  strrchr (path, '/') + 1);
      soup_message_headers_replace (response_headers, "Location", location);
      soup_server_message_set_status (msg, 307, NULL);
      return;
    }

  reply_error (msg, 404, "UNKNOWN", "no such route in the fake");
}

static void
second_handler (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fake *fake = user_data;
  gboolean with_auth =
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                  "Authorization") != NULL;

  g_mutex_lock (&fake->mutex);
  fake->second_requests++;
  if (with_auth)
    fake->second_with_auth++;
  g_mutex_unlock (&fake->mutex);

  soup_server_message_set_status (msg, 200, NULL);
  if (g_str_has_prefix (path, "/storage/good/"))
    {
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        blob_data, strlen (blob_data));
    }
  else
    {
      /* Same size, one byte off: only the digest can tell. */
      char *damaged = g_strdup (blob_data);

      damaged[3] ^= 0x20;
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE,
                                        damaged, strlen (damaged));
    }
}

static char *
server_url (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  g_autoptr(GUri) uri = g_uri_ref (uris->data);

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return g_strdup_printf ("http://%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

static gpointer
fake_thread (gpointer data)
{
  Fake *fake = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) second_address = NULL;

  g_main_context_push_thread_default (fake->context);

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/token", token_handler, fake, NULL);
  soup_server_add_handler (fake->server, NULL, main_handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  /* A second host for redirects: another loopback address. */
  fake->second = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->second, NULL, second_handler, fake, NULL);
  second_address = g_inet_socket_address_new_from_string ("127.0.0.2", 0);
  soup_server_listen (fake->second, second_address, 0, &error);
  g_assert_no_error (error);

  g_mutex_lock (&fake->mutex);
  fake->url = server_url (fake->server);
  fake->second_url = server_url (fake->second);
  fake->ready = TRUE;
  g_cond_signal (&fake->cond);
  g_mutex_unlock (&fake->mutex);

  g_main_loop_run (fake->loop);

  soup_server_disconnect (fake->server);
  soup_server_disconnect (fake->second);
  g_clear_object (&fake->server);
  g_clear_object (&fake->second);

  g_main_context_pop_thread_default (fake->context);

  return NULL;
}

static Fake *
fake_start (FakeAuth auth,
            guint    catalog_max)
{
  Fake *fake = g_new0 (Fake, 1);

  fake->auth = auth;
  fake->catalog_max = catalog_max;
  g_mutex_init (&fake->mutex);
  g_cond_init (&fake->cond);
  fake->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fake->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->context = g_main_context_new ();
  fake->loop = g_main_loop_new (fake->context, FALSE);
  fake->thread = g_thread_new ("fake-registry", fake_thread, fake);

  g_mutex_lock (&fake->mutex);
  while (!fake->ready)
    g_cond_wait (&fake->cond, &fake->mutex);
  g_mutex_unlock (&fake->mutex);

  return fake;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fake_stop (Fake *fake)
{
  g_main_context_invoke (fake->context, quit_cb, fake->loop);
  g_thread_join (fake->thread);
  g_main_loop_unref (fake->loop);
  g_main_context_unref (fake->context);
  g_hash_table_unref (fake->hits);
  g_hash_table_unref (fake->tokens);
  g_free (fake->url);
  g_free (fake->second_url);
  g_mutex_clear (&fake->mutex);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_stop)

static WharfClient *
fake_client (Fake     *fake,
             gboolean  with_credentials,
             gboolean  right_password)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  WharfClient *client;

  /* Explicit http://: a SoupServer does not answer a TLS hello at all, so
   * the https-first probe of a bare loopback address would wait for the
   * timeout. Plain http to loopback needs no permission. */
  endpoint = wharf_endpoint_new (fake->url, &error);
  g_assert_no_error (error);
  client = wharf_client_new (endpoint);

  if (with_credentials)
    {
      g_autoptr(WharfCredential) credential = NULL;

      credential = wharf_credential_new (wharf_endpoint_get_domain (endpoint), USER,
                                         right_password ? PASSWORD : "queen-of-hearts");
      wharf_client_set_credential (client, credential);
    }

  return client;
}

static char *
domain_of (Fake *fake)
{
  return g_strdup (fake->url + strlen ("http://"));
}

/* Retries */

static void
test_retry_503 (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "flaky", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tags);
  g_assert_cmpstr (tags[0], ==, "v1");
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/flaky/tags/list"), ==, 3);
}

static void
test_retry_429 (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "throttled", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 1);
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/throttled/tags/list"), ==, 2);
}

static void
test_retry_502_forever (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "broken", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, domain));
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/broken/tags/list"), ==, 5);
}

static void
test_500_is_final (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  /* An empty 500 body must not trip the error parser. */
  tags = wharf_client_list_tags_sync (client, "crashing", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_SERVER);
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/crashing/tags/list"), ==, 1);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 5);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_retry_wait_cancellable (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;
  GThread *thread;

  /* Retry-After: 30; the cancel must cut the wait, not wait it out. */
  thread = g_thread_new ("canceller", cancel_later, cancellable);
  tags = wharf_client_list_tags_sync (client, "slow", cancellable, &error);
  g_thread_join (thread);

  g_assert_null (tags);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/slow/tags/list"), ==, 1);
}

/* Lists */

typedef struct
{
  guint      pages;
  guint      destroyed;
  GThread   *thread;
  GPtrArray *seen;
} PageLog;

static void
log_page_cb (const char * const *names,
             gpointer            user_data)
{
  PageLog *log = user_data;

  /* Never a page after the page data was let go. */
  g_assert_cmpuint (log->destroyed, ==, 0);

  log->pages++;
  log->thread = g_thread_self ();
  for (guint i = 0; names[i] != NULL; i++)
    g_ptr_array_add (log->seen, g_strdup (names[i]));
}

static void
log_destroy_cb (gpointer user_data)
{
  PageLog *log = user_data;

  log->destroyed++;
  log->thread = g_thread_self ();
}

static void
test_catalog_paging (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  g_auto(GStrv) names = NULL;
  PageLog log = { 0, 0, NULL, seen };

  names = wharf_client_list_repositories_sync (client, log_page_cb, &log, NULL, &error);
  g_assert_no_error (error);
  joined = g_strjoinv (",", names);
  g_assert_cmpstr (joined, ==, "a,b,c,d,e,f,g");
  g_assert_cmpuint (log.pages, ==, 3);
  g_assert_cmpuint (seen->len, ==, 7);
  g_assert_true (log.thread == g_thread_self ());
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/_catalog"), ==, 3);
}

static void
test_catalog_page_size_refused (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 100);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) names = NULL;

  names = wharf_client_list_repositories_sync (client, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  joined = g_strjoinv (",", names);
  g_assert_cmpstr (joined, ==, "a,b,c,d,e,f,g");
  /* One refused n=1000, then three pages of n=100. */
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/_catalog"), ==, 4);
}

typedef struct
{
  GMainLoop *loop;
  GStrv      names;
  GError    *error;
} AsyncResult;

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *out = user_data;

  out->names = wharf_client_list_repositories_finish (WHARF_CLIENT (object), result, &out->error);
  g_main_loop_quit (out->loop);
}

static void
test_catalog_async (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  PageLog log = { 0, 0, NULL, seen };
  AsyncResult out = { loop, NULL, NULL };

  /* Pages arrive on this thread's loop, before the result; the page data
   * is let go there too, once. */
  wharf_client_list_repositories_async (client, log_page_cb, &log, log_destroy_cb,
                                        NULL, list_done_cb, &out);
  g_main_loop_run (loop);

  g_assert_no_error (out.error);
  joined = g_strjoinv (",", out.names);
  g_assert_cmpstr (joined, ==, "a,b,c,d,e,f,g");
  g_assert_cmpuint (log.pages, ==, 3);
  g_assert_cmpuint (seen->len, ==, 7);
  g_assert_true (log.thread == g_thread_self ());
  g_strfreev (out.names);

  while (log.destroyed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (log.destroyed, ==, 1);
  g_assert_true (log.thread == g_thread_self ());
}

static void
test_tags_null (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "nulltags", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tags);
  g_assert_cmpuint (g_strv_length (tags), ==, 0);
}

static void
test_tags_sorted (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "unsorted", NULL, &error);
  g_assert_no_error (error);
  joined = g_strjoinv (",", tags);
  /* strcmp order, duplicates once. */
  g_assert_cmpstr (joined, ==, "1,10,B,a,b");
}

static void
test_not_found_sentences (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) garbage_error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) garbage = NULL;

  tags = wharf_client_list_tags_sync (client, "missing/app", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing/app"));
  g_assert_nonnull (strstr (error->message, domain));

  /* A 404 with an HTML body is still a sentence. */
  garbage = wharf_client_list_tags_sync (client, "garbage", NULL, &garbage_error);
  g_assert_null (garbage);
  g_assert_error (garbage_error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (garbage_error->message, "garbage"));
}

/* Manifests */

static void
test_manifest (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfDescriptor) head = NULL;
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, manifest_data, -1);
  g_autofree char *digest = g_strconcat ("sha256:", hex, NULL);

  raw = wharf_client_get_manifest_sync (client, "app", "latest", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (raw->digest, ==, digest);
  g_assert_cmpstr (raw->media_type, ==, "application/vnd.oci.image.manifest.v1+json");
  g_assert_cmpmem (g_bytes_get_data (raw->bytes, NULL), g_bytes_get_size (raw->bytes),
                   manifest_data, strlen (manifest_data));

  head = wharf_client_head_manifest_sync (client, "app", "latest", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (head->digest, ==, digest);
  g_assert_cmpint (head->size, ==, strlen (manifest_data));
  g_assert_cmpstr (head->media_type, ==, "application/vnd.oci.image.manifest.v1+json");
}

static void
test_manifest_lies (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) huge_error = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfRawManifest) huge = NULL;

  raw = wharf_client_get_manifest_sync (client, "lying", "latest", NULL, &error);
  g_assert_null (raw);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);

  huge = wharf_client_get_manifest_sync (client, "huge", "latest", NULL, &huge_error);
  g_assert_null (huge);
  g_assert_error (huge_error, WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE);
  g_assert_nonnull (strstr (huge_error->message, "huge:latest"));
}

/* Auth */

static void
test_basic_auth (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BASIC, 0);
  g_autoptr(WharfClient) anonymous = fake_client (fake, FALSE, FALSE);
  g_autoptr(WharfClient) wrong = fake_client (fake, TRUE, FALSE);
  g_autoptr(WharfClient) right = fake_client (fake, TRUE, TRUE);
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;
  guint before;

  tags = wharf_client_list_tags_sync (anonymous, "app", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED);
  g_assert_nonnull (strstr (error->message, domain));
  g_clear_error (&error);

  ping = wharf_client_ping_sync (wrong, NULL, &error);
  g_assert_null (ping);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, domain));
  g_assert_null (strstr (error->message, "queen-of-hearts"));
  g_clear_error (&error);

  ping = wharf_client_ping_sync (right, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping->auth_scheme, ==, WHARF_AUTH_SCHEME_BASIC);
  g_assert_true (ping->signed_in);
  g_assert_cmpint (wharf_client_get_auth_scheme (right), ==, WHARF_AUTH_SCHEME_BASIC);

  /* Once the scheme is known, credentials go up front: one request each. */
  before = fake_get_hits (fake, "GET /v2/app/tags/list");
  tags = wharf_client_list_tags_sync (right, "app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tags[0], ==, "latest");
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/app/tags/list"), ==, before + 1);
}

static void
test_bearer_cached (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, TRUE, TRUE);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) tags = wharf_client_list_tags_sync (client, "cached/app", NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (tags[0], ==, "latest");
    }

  g_assert_cmpuint (fake->token_requests, ==, 1);
  g_assert_cmpuint (fake->authorized_requests, ==, 3);
  g_assert_cmpint (wharf_client_get_auth_scheme (client), ==, WHARF_AUTH_SCHEME_BEARER);

  /* Another repository needs another scope, so another token. */
  {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) tags = wharf_client_list_tags_sync (client, "other/app", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (fake->token_requests, ==, 2);
  }
}

static void
test_bearer_insufficient_scope (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, TRUE, TRUE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "needsmore/app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tags[0], ==, "latest");
  /* The first token for the first challenge, one more for the wider scope. */
  g_assert_cmpuint (fake->token_requests, ==, 2);
  g_assert_cmpuint (fake_get_hits (fake, "GET /v2/needsmore/app/tags/list"), ==, 3);
}

static void
test_bearer_denied (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) signed_in = fake_client (fake, TRUE, TRUE);
  g_autoptr(WharfClient) anonymous = fake_client (fake, FALSE, FALSE);
  g_autoptr(WharfClient) wrong = fake_client (fake, TRUE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) anonymous_error = NULL;
  g_autoptr(GError) wrong_error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) anonymous_tags = NULL;
  g_auto(GStrv) wrong_tags = NULL;
  guint hits;

  tags = wharf_client_list_tags_sync (signed_in, "forbidden/app", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "forbidden/app"));
  /* Without a token, with one, with a fresh one: then it gives up. */
  hits = fake_get_hits (fake, "GET /v2/forbidden/app/tags/list");
  g_assert_cmpuint (hits, ==, 3);

  anonymous_tags = wharf_client_list_tags_sync (anonymous, "forbidden/app", NULL,
                                                &anonymous_error);
  g_assert_null (anonymous_tags);
  g_assert_error (anonymous_error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED);

  wrong_tags = wharf_client_list_tags_sync (wrong, "app", NULL, &wrong_error);
  g_assert_null (wrong_tags);
  g_assert_error (wrong_error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (wrong_error->message, domain));
}

static void
test_bearer_ping (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) right = fake_client (fake, TRUE, TRUE);
  g_autoptr(WharfClient) wrong = fake_client (fake, TRUE, FALSE);
  g_autoptr(WharfClient) anonymous = fake_client (fake, FALSE, FALSE);
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(WharfPingResult) anonymous_ping = NULL;
  g_autoptr(WharfPingResult) wrong_ping = NULL;
  g_autoptr(GError) error = NULL;

  ping = wharf_client_ping_sync (right, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping->auth_scheme, ==, WHARF_AUTH_SCHEME_BEARER);
  g_assert_true (ping->signed_in);
  g_assert_cmpstr (ping->base_url, ==, fake->url);
  g_assert_cmpuint (fake->token_requests, ==, 1);

  anonymous_ping = wharf_client_ping_sync (anonymous, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (anonymous_ping->auth_scheme, ==, WHARF_AUTH_SCHEME_BEARER);
  g_assert_false (anonymous_ping->signed_in);

  wrong_ping = wharf_client_ping_sync (wrong, NULL, &error);
  g_assert_null (wrong_ping);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);
}

static void
test_catalog_bearer (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, TRUE, TRUE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  names = wharf_client_list_repositories_sync (client, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 7);
  /* One token for registry:catalog:*, reused for every page. */
  g_assert_cmpuint (fake->token_requests, ==, 1);
}

/* Redirects */

static void
test_redirect_drops_authorization (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BASIC, 0);
  g_autoptr(WharfClient) client = fake_client (fake, TRUE, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  gint64 size = 0;
  gssize copied;

  stream = wharf_client_get_blob_sync (client, "redir", blob_digest, &size, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);
  g_assert_cmpint (size, ==, strlen (blob_data));

  copied = g_output_stream_splice (sink, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copied, ==, strlen (blob_data));
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (sink)), copied,
                   blob_data, strlen (blob_data));

  /* The registry got the credentials; the second host never did. */
  g_assert_cmpuint (fake->authorized_requests, >=, 1);
  g_assert_cmpuint (fake->second_requests, ==, 1);
  g_assert_cmpuint (fake->second_with_auth, ==, 0);
}

static void
test_redirect_damaged_blob (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_NONE, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  gssize copied;

  stream = wharf_client_get_blob_sync (client, "redir-bad", blob_digest, NULL, NULL, &error);
  g_assert_no_error (error);

  copied = g_output_stream_splice (sink, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_cmpint (copied, ==, -1);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, blob_digest));
}

/* Transport */

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfPingResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nothing listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  address = g_strdup_printf ("127.0.0.1:%u", port);
  endpoint = wharf_endpoint_new (address, &error);
  client = wharf_client_new (endpoint);

  ping = wharf_client_ping_sync (client, NULL, &error);
  g_assert_null (ping);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, address));
}

static void
test_insecure_refused (void)
{
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new ("http://reg.example.com", NULL);
  g_autoptr(WharfClient) client = wharf_client_new (endpoint);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_sync (client, "app", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "reg.example.com"));
}

static void
test_invalid_names (void)
{
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new ("http://127.0.0.1:1", NULL);
  g_autoptr(WharfClient) client = wharf_client_new (endpoint);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) tag_error = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(WharfRawManifest) raw = NULL;

  /* Checked before anything is sent: no path tricks reach the server. */
  tags = wharf_client_list_tags_sync (client, "../v2/_catalog", NULL, &error);
  g_assert_null (tags);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);

  raw = wharf_client_get_manifest_sync (client, "app", "bad tag", NULL, &tag_error);
  g_assert_null (raw);
  g_assert_error (tag_error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
}

static void
test_identity_token (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;

  credential = wharf_credential_new (domain, "", REFRESH_TOKEN);
  credential->identity_token = TRUE;
  wharf_client_set_credential (client, credential);

  tags = wharf_client_list_tags_sync (client, "sso/app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tags[0], ==, "latest");
  g_assert_cmpuint (fake_get_hits (fake, "POST /token"), ==, 1);
  g_assert_cmpuint (fake_get_hits (fake, "GET /token"), ==, 0);
}

static void
test_identity_token_fallback (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, FALSE, FALSE);
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = domain_of (fake);
  g_auto(GStrv) tags = NULL;

  /* A token service without OAuth2 answers the POST with 404: GET then. */
  g_mutex_lock (&fake->mutex);
  fake->no_oauth = TRUE;
  g_mutex_unlock (&fake->mutex);

  credential = wharf_credential_new (domain, USER, PASSWORD);
  credential->identity_token = TRUE;
  wharf_client_set_credential (client, credential);

  tags = wharf_client_list_tags_sync (client, "sso/app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tags[0], ==, "latest");
  g_assert_cmpuint (fake_get_hits (fake, "POST /token"), ==, 1);
  g_assert_cmpuint (fake_get_hits (fake, "GET /token"), ==, 1);
}

typedef struct
{
  WharfClient *client;
  guint        index;
  guint        failures;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *repository = g_strdup_printf ("team%u/app", (worker->index + i) % 4);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) tags = wharf_client_list_tags_sync (worker->client, repository, NULL, &error);
      g_autoptr(WharfRawManifest) raw = wharf_client_get_manifest_sync (worker->client, repository,
                                                                        "latest", NULL, &error);

      if (tags == NULL || raw == NULL || g_strcmp0 (tags[0], "latest") != 0)
        worker->failures++;
    }

  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(Fake) fake = fake_start (AUTH_BEARER, 0);
  g_autoptr(WharfClient) client = fake_client (fake, TRUE, TRUE);
  Worker workers[8];
  GThread *threads[8];

  /* One client shared by eight threads: tokens, scheme and credential are
   * shared state. */
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      workers[i].client = client;
      workers[i].index = i;
      workers[i].failures = 0;
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (workers[i].failures, ==, 0);
    }

  /* 80 authorised requests over 4 repositories: tokens were shared. */
  g_assert_cmpuint (fake->authorized_requests, ==, 80);
  g_assert_cmpuint (fake->token_requests, <, 80);
}

static void
test_verify_stream (void)
{
  static const char data[] = "layer bytes, as they came off the wire";
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data, -1);
  g_autofree char *digest = g_strconcat ("sha256:", hex, NULL);
  const gsize len = strlen (data);
  struct {
    const char *content;
    gint64      expected_size;
    GQuark      domain;
    int         code;
  } cases[] = {
    { data, len, 0, 0 },
    { data, -1, 0, 0 },
    /* Short: the connection ended early. */
    { "layer bytes", len, WHARF_ERROR, WHARF_ERROR_NETWORK },
    /* Longer than announced. */
    { "layer bytes, as they came off the wire, and more", len, WHARF_ERROR, WHARF_ERROR_PROTOCOL },
    /* Right size, wrong bytes. */
    { "LAYER bytes, as they came off the wire", len, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH },
    { "layer", -1, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInputStream) base = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) error = NULL;
      char buffer[8];
      gssize n;

      base = g_memory_input_stream_new_from_data (cases[i].content, strlen (cases[i].content),
                                                  NULL);
      stream = wharf_verify_stream_new (base, digest, cases[i].expected_size, "reg.example",
                                        &error);
      g_assert_no_error (error);

      /* Skipping must hash too. */
      g_assert_cmpint (g_input_stream_skip (stream, 3, NULL, &error), ==, 3);
      g_assert_no_error (error);

      do
        n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);
      while (n > 0);

      if (cases[i].domain == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpint (n, ==, 0);
          g_assert_true (wharf_verify_stream_is_verified (WHARF_VERIFY_STREAM (stream)));
          g_assert_cmpuint (wharf_verify_stream_get_offset (WHARF_VERIFY_STREAM (stream)), ==,
                            len);
        }
      else
        {
          g_assert_cmpint (n, ==, -1);
          g_assert_error (error, cases[i].domain, cases[i].code);
          g_assert_nonnull (strstr (error->message, "reg.example"));
          g_assert_false (wharf_verify_stream_is_verified (WHARF_VERIFY_STREAM (stream)));
        }
    }

  {
    g_autoptr(GInputStream) base = g_memory_input_stream_new ();
    g_autoptr(GError) error = NULL;
    GInputStream *stream = wharf_verify_stream_new (base, "md5:abc", -1, "reg.example", &error);

    g_assert_null (stream);
    g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *hex = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, blob_data, -1);
  blob_digest = g_strconcat ("sha256:", hex, NULL);

  g_test_add_func ("/client-faults/retry/503", test_retry_503);
  g_test_add_func ("/client-faults/retry/429", test_retry_429);
  g_test_add_func ("/client-faults/retry/502-forever", test_retry_502_forever);
  g_test_add_func ("/client-faults/retry/500-final", test_500_is_final);
  g_test_add_func ("/client-faults/retry/cancel-wait", test_retry_wait_cancellable);
  g_test_add_func ("/client-faults/catalog/paging", test_catalog_paging);
  g_test_add_func ("/client-faults/catalog/page-size-refused", test_catalog_page_size_refused);
  g_test_add_func ("/client-faults/catalog/async", test_catalog_async);
  g_test_add_func ("/client-faults/catalog/bearer", test_catalog_bearer);
  g_test_add_func ("/client-faults/tags/null", test_tags_null);
  g_test_add_func ("/client-faults/tags/sorted", test_tags_sorted);
  g_test_add_func ("/client-faults/errors/not-found", test_not_found_sentences);
  g_test_add_func ("/client-faults/manifest/get-head", test_manifest);
  g_test_add_func ("/client-faults/manifest/lies", test_manifest_lies);
  g_test_add_func ("/client-faults/auth/basic", test_basic_auth);
  g_test_add_func ("/client-faults/auth/bearer-cached", test_bearer_cached);
  g_test_add_func ("/client-faults/auth/bearer-insufficient-scope",
                   test_bearer_insufficient_scope);
  g_test_add_func ("/client-faults/auth/bearer-denied", test_bearer_denied);
  g_test_add_func ("/client-faults/auth/bearer-ping", test_bearer_ping);
  g_test_add_func ("/client-faults/redirect/no-authorization", test_redirect_drops_authorization);
  g_test_add_func ("/client-faults/redirect/damaged-blob", test_redirect_damaged_blob);
  g_test_add_func ("/client-faults/transport/connection-refused", test_connection_refused);
  g_test_add_func ("/client-faults/transport/insecure", test_insecure_refused);
  g_test_add_func ("/client-faults/invalid-names", test_invalid_names);
  g_test_add_func ("/client-faults/auth/identity-token", test_identity_token);
  g_test_add_func ("/client-faults/auth/identity-token-fallback", test_identity_token_fallback);
  g_test_add_func ("/client-faults/threads", test_threads);
  g_test_add_func ("/client-faults/verify-stream", test_verify_stream);

  ret = g_test_run ();

  g_free (blob_digest);

  return ret;
}
