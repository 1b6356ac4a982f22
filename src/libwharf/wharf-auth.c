/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-auth.c: parsers and builders for the registry auth handshake and paging headers. */

#define G_LOG_DOMAIN "wharf-auth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "wharf-auth-private.h"
#include "wharf-error.h"

/* Tokens shorter-lived than this are treated as living this long, as the
 * token spec says. */
#define MIN_EXPIRES_IN 60

void
_wharf_auth_challenge_free (WharfAuthChallenge *challenge)
{
  if (challenge == NULL)
    return;

  g_free (challenge->scheme);
  g_free (challenge->token68);
  g_clear_pointer (&challenge->params, g_hash_table_unref);
  g_free (challenge);
}

const char *
_wharf_auth_challenge_get_param (const WharfAuthChallenge *challenge,
                                 const char               *name)
{
  g_return_val_if_fail (challenge != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (challenge->params, name);
}

static gboolean
is_tchar (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_token68_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-._~+/", c) != NULL);
}

static const char *
skip_ows (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static const char *
skip_ows_and_commas (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == ',')
    p++;
  return p;
}

static const char *
read_token (const char  *p,
            char       **out)
{
  const char *start = p;

  while (is_tchar (*p))
    p++;

  *out = p > start ? g_strndup (start, p - start) : NULL;

  return p;
}

/* Returns the position after the closing quote, or NULL if unterminated. */
static const char *
read_quoted_string (const char  *p,
                    char       **out)
{
  g_autoptr(GString) value = g_string_new (NULL);

  g_assert (*p == '"');

  for (p++; *p != '\0'; p++)
    {
      if (*p == '"')
        {
          *out = g_string_free (g_steal_pointer (&value), FALSE);
          return p + 1;
        }

      if (*p == '\\')
        {
          p++;
          if (*p == '\0')
            break;
        }

      g_string_append_c (value, *p);
    }

  return NULL;
}

/* A value is a token or a quoted-string. */
static const char *
read_value (const char  *p,
            char       **out)
{
  if (*p == '"')
    return read_quoted_string (p, out);

  p = read_token (p, out);
  return *out != NULL ? p : NULL;
}

/* Reads "token68" when the text after the scheme is one, else returns NULL
 * and leaves the parameters to the caller. A token68 ends the challenge:
 * only OWS, a comma or the end may follow. */
static const char *
try_read_token68 (const char  *p,
                  char       **out)
{
  const char *start = p;
  const char *end;

  while (is_token68_char (*p))
    p++;
  if (p == start)
    return NULL;
  while (*p == '=')
    p++;
  end = p;

  p = skip_ows (p);
  if (*p != '\0' && *p != ',')
    return NULL;

  *out = g_strndup (start, end - start);

  return p;
}

GPtrArray *
_wharf_auth_parse_challenges (const char *header)
{
  g_autoptr(GPtrArray) challenges = NULL;
  const char *p = header;

  challenges = g_ptr_array_new_with_free_func ((GDestroyNotify) _wharf_auth_challenge_free);
  if (header == NULL)
    return g_steal_pointer (&challenges);

  for (;;)
    {
      g_autoptr(WharfAuthChallenge) challenge = NULL;
      g_autofree char *scheme = NULL;
      const char *after;

      p = skip_ows_and_commas (p);
      if (*p == '\0')
        break;

      p = read_token (p, &scheme);
      if (scheme == NULL)
        break;

      challenge = g_new0 (WharfAuthChallenge, 1);
      challenge->scheme = g_ascii_strdown (scheme, -1);
      challenge->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      /* The scheme must be followed by a space before its credentials. */
      if (*p != ' ' && *p != '\t' && *p != ',' && *p != '\0')
        break;

      p = skip_ows (p);
      if (*p == '\0' || *p == ',')
        {
          g_ptr_array_add (challenges, g_steal_pointer (&challenge));
          continue;
        }

      after = try_read_token68 (p, &challenge->token68);
      if (after != NULL)
        {
          p = after;
          g_ptr_array_add (challenges, g_steal_pointer (&challenge));
          continue;
        }

      /* auth-params, until the end or the start of the next challenge. */
      for (;;)
        {
          g_autofree char *name = NULL;
          g_autofree char *value = NULL;
          const char *name_start = p;

          p = read_token (p, &name);
          if (name == NULL)
            goto syntax_error;

          p = skip_ows (p);
          if (*p != '=')
            {
              /* "…, Basic realm=…": a new challenge begins here, unless
               * this challenge has no parameter yet. */
              if (g_hash_table_size (challenge->params) == 0)
                goto syntax_error;
              p = name_start;
              break;
            }

          p = skip_ows (p + 1);
          p = read_value (p, &value);
          if (p == NULL)
            goto syntax_error;

          {
            g_autofree char *lower = g_ascii_strdown (name, -1);

            /* RFC 7235: a parameter occurs once; keep the first. */
            if (!g_hash_table_contains (challenge->params, lower))
              g_hash_table_insert (challenge->params,
                                   g_steal_pointer (&lower), g_steal_pointer (&value));
          }

          p = skip_ows (p);
          if (*p == '\0')
            break;
          if (*p != ',')
            goto syntax_error;

          p = skip_ows_and_commas (p);
          if (*p == '\0')
            break;
        }

      g_ptr_array_add (challenges, g_steal_pointer (&challenge));
      continue;

    syntax_error:
      g_debug ("Ignoring a malformed WWW-Authenticate challenge");
      break;
    }

  return g_steal_pointer (&challenges);
}

const WharfAuthChallenge *
_wharf_auth_pick_challenge (GPtrArray *challenges)
{
  const WharfAuthChallenge *basic = NULL;

  g_return_val_if_fail (challenges != NULL, NULL);

  for (guint i = 0; i < challenges->len; i++)
    {
      const WharfAuthChallenge *challenge = g_ptr_array_index (challenges, i);

      if (g_str_equal (challenge->scheme, "bearer") &&
          _wharf_auth_challenge_get_param (challenge, "realm") != NULL)
        return challenge;

      if (basic == NULL && g_str_equal (challenge->scheme, "basic"))
        basic = challenge;
    }

  return basic;
}

char *
_wharf_auth_scope_for_access (const char  *repository,
                              WharfAccess  access)
{
  switch (access)
    {
    case WHARF_ACCESS_NONE:
      return NULL;

    case WHARF_ACCESS_CATALOG:
      return g_strdup ("registry:catalog:*");

    case WHARF_ACCESS_PULL:
      g_return_val_if_fail (repository != NULL, NULL);
      return g_strdup_printf ("repository:%s:pull", repository);

    case WHARF_ACCESS_PUSH:
      g_return_val_if_fail (repository != NULL, NULL);
      return g_strdup_printf ("repository:%s:pull,push", repository);

    case WHARF_ACCESS_DELETE:
      g_return_val_if_fail (repository != NULL, NULL);
      return g_strdup_printf ("repository:%s:delete", repository);

    default:
      g_return_val_if_reached (NULL);
    }
}

static void
scopes_add_one (GPtrArray  *scopes,
                const char *scope)
{
  for (guint i = 0; i < scopes->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (scopes, i), scope))
        return;
    }

  g_ptr_array_add (scopes, g_strdup (scope));
}

GPtrArray *
_wharf_auth_scopes_new (const char  *repository,
                        WharfAccess  access,
                        const char  *mount_from)
{
  GPtrArray *scopes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *scope = _wharf_auth_scope_for_access (repository, access);

  if (scope != NULL)
    scopes_add_one (scopes, scope);

  if (mount_from != NULL)
    {
      g_autofree char *from = _wharf_auth_scope_for_access (mount_from, WHARF_ACCESS_PULL);

      scopes_add_one (scopes, from);
    }

  return scopes;
}

void
_wharf_auth_scopes_add (GPtrArray  *scopes,
                        const char *scopes_text)
{
  g_auto(GStrv) parts = NULL;

  g_return_if_fail (scopes != NULL);

  if (scopes_text == NULL)
    return;

  parts = g_strsplit_set (scopes_text, " \t", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        scopes_add_one (scopes, parts[i]);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
_wharf_auth_scopes_to_key (GPtrArray *scopes)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GString) key = g_string_new (NULL);

  g_return_val_if_fail (scopes != NULL, NULL);

  for (guint i = 0; i < scopes->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (scopes, i));
  g_ptr_array_sort (sorted, compare_strings);

  for (guint i = 0; i < sorted->len; i++)
    {
      if (i > 0)
        g_string_append_c (key, ' ');
      g_string_append (key, g_ptr_array_index (sorted, i));
    }

  return g_string_free (g_steal_pointer (&key), FALSE);
}

void
_wharf_auth_wipe_string (char *secret)
{
  if (secret == NULL)
    return;

  /* volatile so the compiler keeps the stores before the free. */
  for (volatile char *p = secret; *p != '\0'; p++)
    *p = '\0';
  g_free (secret);
}

char *
_wharf_auth_basic_value (const char *username,
                         const char *password)
{
  char *joined;
  char *encoded;
  char *value;

  joined = g_strconcat (username ? username : "", ":", password ? password : "", NULL);
  encoded = g_base64_encode ((const guchar *) joined, strlen (joined));
  value = g_strconcat ("Basic ", encoded, NULL);
  _wharf_auth_wipe_string (joined);
  _wharf_auth_wipe_string (encoded);

  return value;
}

static gint64
read_int_member (JsonObject *object,
                 const char *name,
                 gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);

  return fallback;
}

static const char *
read_string_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gboolean
_wharf_auth_parse_token_response (GBytes  *body,
                                  gint64   received_at,
                                  char   **token,
                                  gint64  *expires_at,
                                  GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  const char *value;
  const char *issued_at;
  gint64 expires_in;
  gint64 base = received_at;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (expires_at != NULL, FALSE);

  data = g_bytes_get_data (body, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                           _("The sign-in service did not answer with a token."));
      return FALSE;
    }

  object = json_node_get_object (root);

  value = read_string_member (object, "token");
  if (value == NULL || value[0] == '\0')
    value = read_string_member (object, "access_token");
  if (value == NULL || value[0] == '\0')
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_PROTOCOL,
                           _("The sign-in service did not answer with a token."));
      return FALSE;
    }

  expires_in = read_int_member (object, "expires_in", MIN_EXPIRES_IN);
  expires_in = CLAMP (expires_in, MIN_EXPIRES_IN, G_MAXINT32);

  /* issued_at helps only when the clocks agree; a time in the future or
   * already past expiry means they do not, and the receipt time is safer. */
  issued_at = read_string_member (object, "issued_at");
  if (issued_at != NULL)
    {
      g_autoptr(GDateTime) issued = g_date_time_new_from_iso8601 (issued_at, NULL);

      if (issued != NULL)
        {
          gint64 issued_us = g_date_time_to_unix (issued) * G_USEC_PER_SEC +
                             g_date_time_get_microsecond (issued);

          if (issued_us <= received_at + 60 * G_USEC_PER_SEC &&
              issued_us + expires_in * G_USEC_PER_SEC > received_at)
            base = MIN (issued_us, received_at);
        }
    }

  *token = g_strdup (value);
  *expires_at = base + expires_in * G_USEC_PER_SEC;

  return TRUE;
}

/* rel="next prev" holds several relation types, case-insensitive. */
static gboolean
rel_has_next (const char *rel)
{
  g_auto(GStrv) types = g_strsplit_set (rel, " \t", -1);

  for (guint i = 0; types[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (types[i], "next") == 0)
        return TRUE;
    }

  return FALSE;
}

char *
_wharf_auth_parse_link_next (const char *link_header)
{
  const char *p = link_header;

  if (link_header == NULL)
    return NULL;

  for (;;)
    {
      g_autofree char *target = NULL;
      gboolean is_next = FALSE;
      const char *end;

      p = skip_ows_and_commas (p);
      if (*p != '<')
        return NULL;

      end = strchr (p + 1, '>');
      if (end == NULL)
        return NULL;
      target = g_strndup (p + 1, end - p - 1);
      p = end + 1;

      for (;;)
        {
          g_autofree char *name = NULL;
          g_autofree char *value = NULL;

          p = skip_ows (p);
          if (*p != ';')
            break;
          p = skip_ows (p + 1);

          p = read_token (p, &name);
          if (name == NULL)
            return NULL;

          p = skip_ows (p);
          if (*p == '=')
            {
              p = read_value (skip_ows (p + 1), &value);
              if (p == NULL)
                return NULL;
            }

          if (value != NULL && g_ascii_strcasecmp (name, "rel") == 0 && rel_has_next (value))
            is_next = TRUE;
        }

      if (is_next)
        return g_strstrip (g_steal_pointer (&target));

      if (*p != ',')
        return NULL;
    }
}

gint64
_wharf_auth_parse_retry_after (const char *value,
                               GDateTime  *now)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;
  guint64 seconds;
  GTimeSpan span;

  if (value == NULL)
    return -1;

  text = g_strstrip (g_strdup (value));

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &seconds, NULL))
    return seconds;

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL || now == NULL)
    return -1;

  span = g_date_time_difference (date, now);
  if (span <= 0)
    return 0;

  /* Round up: waiting a little longer is better than knocking early. */
  return (span + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
}
