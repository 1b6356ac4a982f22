/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-auth.c: WWW-Authenticate, scopes, token answers, Link and Retry-After parsing. */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "wharf-auth-private.h"
#include "wharf-error.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* "scheme{name=value|…}" with names sorted, "scheme[token68]", joined by "; ". */
static char *
describe (GPtrArray *challenges)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < challenges->len; i++)
    {
      const WharfAuthChallenge *challenge = g_ptr_array_index (challenges, i);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      if (i > 0)
        g_string_append (out, "; ");
      g_string_append (out, challenge->scheme);

      if (challenge->token68 != NULL)
        {
          g_string_append_printf (out, "[%s]", challenge->token68);
          continue;
        }

      g_hash_table_iter_init (&iter, challenge->params);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, key);
      g_ptr_array_sort (names, compare_strings);

      g_string_append_c (out, '{');
      for (guint j = 0; j < names->len; j++)
        {
          const char *name = g_ptr_array_index (names, j);

          if (j > 0)
            g_string_append_c (out, '|');
          g_string_append_printf (out, "%s=%s", name,
                                  _wharf_auth_challenge_get_param (challenge, name));
        }
      g_string_append_c (out, '}');
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct
{
  const char *header;
  const char *expected;
} ChallengeCase;

static const ChallengeCase challenge_cases[] = {
  /* The plain forms registries send. */
  { "Basic realm=\"Registry Realm\"", "basic{realm=Registry Realm}" },
  { "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
    "scope=\"repository:samalba/my-app:pull,push\"",
    "bearer{realm=https://auth.docker.io/token|scope=repository:samalba/my-app:pull,push|"
    "service=registry.docker.io}" },
  /* Several challenges in one header. */
  { "Bearer realm=\"https://a.example/token\",service=\"reg\", Basic realm=\"x\"",
    "bearer{realm=https://a.example/token|service=reg}; basic{realm=x}" },
  /* Backslash escapes in a quoted string. */
  { "Basic realm=\"say \\\"hi\\\" \\\\ ok\"", "basic{realm=say \"hi\" \\ ok}" },
  /* Commas and spaces inside quotes do not split anything. */
  { "Bearer realm=\"https://a/t\",scope=\"repository:a:pull,push repository:b:pull\"",
    "bearer{realm=https://a/t|scope=repository:a:pull,push repository:b:pull}" },
  /* Odd spacing, including around '=' (BWS) and tabs. */
  { "  Bearer   realm = \"r\" ,\t service =s  ,scope=\"x\"  ",
    "bearer{realm=r|scope=x|service=s}" },
  /* Scheme and parameter names are case-insensitive. */
  { "BEARER Realm=\"r\",SERVICE=\"s\"", "bearer{realm=r|service=s}" },
  /* token68 credentials. */
  { "Negotiate abc+/def==", "negotiate[abc+/def==]" },
  { "Negotiate abc==, Basic realm=\"b\"", "negotiate[abc==]; basic{realm=b}" },
  /* RFC 7235's own example: an unknown scheme first. */
  { "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
    "newauth{realm=apps|title=Login to \"apps\"|type=1}; basic{realm=simple}" },
  /* A scheme without parameters. */
  { "Basic", "basic{}" },
  { "Basic, Bearer realm=\"r\"", "basic{}; bearer{realm=r}" },
  /* Leading and doubled commas are empty list elements. */
  { ", , Basic realm=\"x\",, ", "basic{realm=x}" },
  /* A parameter given twice keeps its first value. */
  { "Basic realm=\"a\", realm=\"b\"", "basic{realm=a}" },
  /* What a registry says when the token lacks a scope. */
  { "Bearer realm=\"r\",service=\"s\",scope=\"registry:catalog:*\",error=\"insufficient_scope\"",
    "bearer{error=insufficient_scope|realm=r|scope=registry:catalog:*|service=s}" },
  /* An empty quoted value is a value. */
  { "Basic realm=\"\"", "basic{realm=}" },
  /* Broken input: nothing, or only what was complete before the break. */
  { "", "" },
  { "Bearer realm=\"https://a", "" },
  { "Basic realm=\"x\", Bearer realm=\"y", "basic{realm=x}" },
  { "=== ,,,", "" },
  { "Bearer realm=https://a/token", "" },
  { "Basic foo bar", "" },
  { "Bearer realm=\"r\" junk", "" },
};

static void
test_challenges (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (challenge_cases); i++)
    {
      g_autoptr(GPtrArray) challenges = NULL;
      g_autofree char *described = NULL;

      g_test_message ("header: %s", challenge_cases[i].header);
      challenges = _wharf_auth_parse_challenges (challenge_cases[i].header);
      g_assert_nonnull (challenges);
      described = describe (challenges);
      g_assert_cmpstr (described, ==, challenge_cases[i].expected);
    }

  {
    g_autoptr(GPtrArray) none = _wharf_auth_parse_challenges (NULL);

    g_assert_cmpuint (none->len, ==, 0);
  }
}

static void
test_pick (void)
{
  static const struct {
    const char *header;
    const char *scheme;  /* NULL: none */
    const char *realm;
  } cases[] = {
    { "Basic realm=\"b\", Bearer realm=\"t\"", "bearer", "t" },
    { "Bearer realm=\"t\", Basic realm=\"b\"", "bearer", "t" },
    { "Basic realm=\"b\"", "basic", "b" },
    /* A Bearer challenge without a realm cannot be followed. */
    { "Bearer service=\"s\", Basic realm=\"b\"", "basic", "b" },
    { "Negotiate abc==, Newauth realm=\"x\"", NULL, NULL },
    { "", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) challenges = _wharf_auth_parse_challenges (cases[i].header);
      const WharfAuthChallenge *picked = _wharf_auth_pick_challenge (challenges);

      g_test_message ("header: %s", cases[i].header);
      if (cases[i].scheme == NULL)
        {
          g_assert_null (picked);
          continue;
        }

      g_assert_nonnull (picked);
      g_assert_cmpstr (picked->scheme, ==, cases[i].scheme);
      g_assert_cmpstr (_wharf_auth_challenge_get_param (picked, "realm"), ==, cases[i].realm);
    }
}

static void
test_scopes (void)
{
  g_autofree char *pull = _wharf_auth_scope_for_access ("library/alpine", WHARF_ACCESS_PULL);
  g_autofree char *push = _wharf_auth_scope_for_access ("a/b", WHARF_ACCESS_PUSH);
  g_autofree char *delete = _wharf_auth_scope_for_access ("a/b", WHARF_ACCESS_DELETE);
  g_autofree char *catalog = _wharf_auth_scope_for_access (NULL, WHARF_ACCESS_CATALOG);
  g_autofree char *none = _wharf_auth_scope_for_access ("a", WHARF_ACCESS_NONE);
  g_autoptr(GPtrArray) scopes = NULL;
  g_autoptr(GPtrArray) same = NULL;
  g_autofree char *key = NULL;
  g_autofree char *same_key = NULL;

  g_assert_cmpstr (pull, ==, "repository:library/alpine:pull");
  g_assert_cmpstr (push, ==, "repository:a/b:pull,push");
  g_assert_cmpstr (delete, ==, "repository:a/b:delete");
  g_assert_cmpstr (catalog, ==, "registry:catalog:*");
  g_assert_null (none);

  /* A mount also needs pull on the source repository. */
  scopes = _wharf_auth_scopes_new ("dest/app", WHARF_ACCESS_PUSH, "src/app");
  g_assert_cmpuint (scopes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (scopes, 0), ==, "repository:dest/app:pull,push");
  g_assert_cmpstr (g_ptr_array_index (scopes, 1), ==, "repository:src/app:pull");

  /* A challenge's scope adds each of its space-separated scopes once. */
  _wharf_auth_scopes_add (scopes, "repository:src/app:pull  registry:catalog:*");
  _wharf_auth_scopes_add (scopes, NULL);
  g_assert_cmpuint (scopes->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (scopes, 2), ==, "registry:catalog:*");

  key = _wharf_auth_scopes_to_key (scopes);
  g_assert_cmpstr (key, ==,
                   "registry:catalog:* repository:dest/app:pull,push repository:src/app:pull");

  /* The same set in another order gives the same cache key. */
  same = _wharf_auth_scopes_new (NULL, WHARF_ACCESS_CATALOG, NULL);
  _wharf_auth_scopes_add (same, "repository:src/app:pull repository:dest/app:pull,push");
  same_key = _wharf_auth_scopes_to_key (same);
  g_assert_cmpstr (same_key, ==, key);

  {
    g_autoptr(GPtrArray) empty = _wharf_auth_scopes_new (NULL, WHARF_ACCESS_NONE, NULL);
    g_autofree char *empty_key = _wharf_auth_scopes_to_key (empty);

    g_assert_cmpuint (empty->len, ==, 0);
    g_assert_cmpstr (empty_key, ==, "");
  }
}

static void
test_basic_value (void)
{
  g_autofree char *value = _wharf_auth_basic_value ("alice", "wonderland");
  g_autofree char *colon = _wharf_auth_basic_value ("bob", "pa:ss");
  g_autofree guchar *decoded = NULL;
  gsize len = 0;

  g_assert_cmpstr (value, ==, "Basic YWxpY2U6d29uZGVybGFuZA==");

  /* Only the first ':' separates user and password. */
  decoded = g_base64_decode (colon + strlen ("Basic "), &len);
  g_assert_cmpmem (decoded, len, "bob:pa:ss", 9);
}

static void
test_token_response (void)
{
  const gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  static const struct {
    const char *json;
    const char *token;
    gint64      lifetime_s;  /* from now */
  } cases[] = {
    { "{\"token\":\"t1\",\"expires_in\":300}", "t1", 300 },
    { "{\"access_token\":\"a1\"}", "a1", 60 },
    { "{\"token\":\"t2\",\"access_token\":\"a2\",\"expires_in\":900}", "t2", 900 },
    { "{\"token\":\"\",\"access_token\":\"a3\",\"expires_in\":120}", "a3", 120 },
    /* Below 60 seconds is raised to 60. */
    { "{\"token\":\"t4\",\"expires_in\":5}", "t4", 60 },
    { "{\"token\":\"t5\",\"expires_in\":600.0}", "t5", 600 },
    /* issued_at 100 s ago: the token ends 100 s earlier. */
    { "{\"token\":\"t6\",\"expires_in\":300,\"issued_at\":\"2023-11-14T22:11:40Z\"}", "t6", 200 },
    /* issued_at in the future (clock skew) is ignored. */
    { "{\"token\":\"t7\",\"expires_in\":300,\"issued_at\":\"2030-01-01T00:00:00Z\"}", "t7", 300 },
    /* issued_at so old the token would be expired: ignored too. */
    { "{\"token\":\"t8\",\"expires_in\":300,\"issued_at\":\"2001-01-01T00:00:00Z\"}", "t8", 300 },
    { "{\"token\":\"t9\",\"issued_at\":\"not a date\"}", "t9", 60 },
  };
  static const char * const bad[] = {
    "",
    "not json",
    "[]",
    "{}",
    "{\"token\":5}",
    "{\"token\":\"\"}",
    "{\"access_token\":null}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr(GError) error = NULL;
      g_autofree char *token = NULL;
      gint64 expires_at = 0;

      g_test_message ("token answer: %s", cases[i].json);
      g_assert_true (_wharf_auth_parse_token_response (body, now, &token, &expires_at, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (token, ==, cases[i].token);
      g_assert_cmpint (expires_at, ==, now + cases[i].lifetime_s * G_USEC_PER_SEC);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr(GError) error = NULL;
      char *token = NULL;
      gint64 expires_at = 0;

      g_test_message ("bad token answer: %s", bad[i]);
      g_assert_false (_wharf_auth_parse_token_response (body, now, &token, &expires_at, &error));
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL);
      g_assert_null (token);
    }
}

static void
test_link (void)
{
  static const struct {
    const char *header;
    const char *next;
  } cases[] = {
    { "</v2/_catalog?last=b&n=2>; rel=\"next\"", "/v2/_catalog?last=b&n=2" },
    { "<https://r.example/v2/_catalog?n=2&last=b>; rel=next",
      "https://r.example/v2/_catalog?n=2&last=b" },
    { "<a>; rel=\"prev\", <b>; rel=\"next\"", "b" },
    { "<a>; rel=\"prev next\"", "a" },
    { "<a>; title=\"x, y; z\"; rel=\"next\"", "a" },
    { "<a>;REL=\"NEXT\"", "a" },
    { "<a,b>; rel=\"next\"", "a,b" },
    { "< /v2/x >;rel=next", "/v2/x" },
    { "<a>; rel=\"prev\"", NULL },
    { "<a>; rel=\"nextpage\"", NULL },
    { "<a>", NULL },
    { "", NULL },
    { "rel=next", NULL },
    { "<a; rel=next", NULL },
    { "<a>; rel=\"next", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *next = _wharf_auth_parse_link_next (cases[i].header);

      g_test_message ("Link: %s", cases[i].header);
      g_assert_cmpstr (next, ==, cases[i].next);
    }

  g_assert_null (_wharf_auth_parse_link_next (NULL));
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2024, 3, 1, 12, 0, 0);
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 10);
  g_autoptr(GDateTime) earlier = g_date_time_add_seconds (now, -30);
  g_autofree char *later_text = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  g_autofree char *earlier_text = soup_date_time_to_string (earlier, SOUP_DATE_HTTP);

  g_assert_cmpint (_wharf_auth_parse_retry_after ("1", now), ==, 1);
  g_assert_cmpint (_wharf_auth_parse_retry_after (" 120 ", now), ==, 120);
  g_assert_cmpint (_wharf_auth_parse_retry_after ("0", now), ==, 0);
  g_assert_cmpint (_wharf_auth_parse_retry_after (later_text, now), ==, 10);
  g_assert_cmpint (_wharf_auth_parse_retry_after (earlier_text, now), ==, 0);
  g_assert_cmpint (_wharf_auth_parse_retry_after ("soon", now), ==, -1);
  g_assert_cmpint (_wharf_auth_parse_retry_after ("-5", now), ==, -1);
  g_assert_cmpint (_wharf_auth_parse_retry_after (NULL, now), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/challenges", test_challenges);
  g_test_add_func ("/auth/pick", test_pick);
  g_test_add_func ("/auth/scopes", test_scopes);
  g_test_add_func ("/auth/basic-value", test_basic_value);
  g_test_add_func ("/auth/token-response", test_token_response);
  g_test_add_func ("/auth/link", test_link);
  g_test_add_func ("/auth/retry-after", test_retry_after);

  return g_test_run ();
}
