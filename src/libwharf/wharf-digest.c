/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-digest.c: digest grammar, hashing on OpenSSL EVP, verification. */

#define G_LOG_DOMAIN "wharf-digest"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <openssl/evp.h>

#include "wharf-digest.h"
#include "wharf-error.h"

struct _WharfHasher
{
  EVP_MD_CTX *ctx;
  char       *algorithm;
  gboolean    finished;
};

static const EVP_MD *
digest_md_for_algorithm (const char *algorithm)
{
  if (g_strcmp0 (algorithm, "sha256") == 0)
    return EVP_sha256 ();
  if (g_strcmp0 (algorithm, "sha512") == 0)
    return EVP_sha512 ();
  return NULL;
}

static gboolean
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static gboolean
is_lower_hex (char c)
{
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

static gboolean
is_algorithm_separator (char c)
{
  return c == '+' || c == '.' || c == '_' || c == '-';
}

static gboolean
is_encoded_char (char c)
{
  return g_ascii_isalnum (c) || c == '=' || c == '_' || c == '-';
}

/* algorithm-component ([+._-] algorithm-component)* with components [a-z0-9]+ */
static gboolean
algorithm_is_valid (const char *algorithm,
                    gsize       len)
{
  gboolean after_separator = TRUE;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = algorithm[i];

      if (is_lower_alnum (c))
        after_separator = FALSE;
      else if (is_algorithm_separator (c) && !after_separator)
        after_separator = TRUE;
      else
        return FALSE;
    }

  return !after_separator;
}

static gboolean
digest_invalid (GError     **error,
                const char  *digest,
                const char  *reason)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
               /* Translators: the first %s is a digest, the second says what is wrong */
               _("“%s” is not a valid digest: %s"), digest, reason);
  return FALSE;
}

static gboolean
check_hex_length (const char  *digest,
                  const char  *encoded,
                  gsize        expected,
                  const char  *algorithm,
                  GError     **error)
{
  gsize len = strlen (encoded);

  for (gsize i = 0; i < len; i++)
    {
      if (!is_lower_hex (encoded[i]))
        {
          g_autofree char *reason = NULL;

          if (g_ascii_isxdigit (encoded[i]))
            /* Translators: %s is an algorithm such as sha256 */
            reason = g_strdup_printf (_("a %s digest is written in lowercase hexadecimal digits"),
                                      algorithm);
          else
            /* Translators: %s is an algorithm such as sha256 */
            reason = g_strdup_printf (_("a %s digest has only hexadecimal digits (0–9, a–f)"),
                                      algorithm);
          return digest_invalid (error, digest, reason);
        }
    }

  if (len != expected)
    {
      g_autofree char *reason = NULL;

      /* Translators: %s is an algorithm such as sha256, %u a number of digits */
      reason = g_strdup_printf (_("a %s digest has %u hexadecimal digits, not %u"),
                                algorithm, (guint) expected, (guint) len);
      return digest_invalid (error, digest, reason);
    }

  return TRUE;
}

gboolean
wharf_digest_validate (const char  *digest,
                       GError     **error)
{
  const char *colon;
  const char *encoded;
  g_autofree char *algorithm = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (digest == NULL || *digest == '\0')
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
                           _("The digest is empty"));
      return FALSE;
    }

  colon = strchr (digest, ':');
  if (colon == NULL)
    return digest_invalid (error, digest,
                           _("a digest is written as algorithm:hex, e.g. sha256:e3b0c442…"));

  if (!algorithm_is_valid (digest, colon - digest))
    return digest_invalid (error, digest,
                           _("the algorithm name may only have lowercase letters and digits"));

  encoded = colon + 1;
  if (*encoded == '\0')
    return digest_invalid (error, digest, _("nothing follows the colon"));

  algorithm = g_strndup (digest, colon - digest);

  if (strcmp (algorithm, "sha256") == 0)
    return check_hex_length (digest, encoded, 64, algorithm, error);
  if (strcmp (algorithm, "sha512") == 0)
    return check_hex_length (digest, encoded, 128, algorithm, error);

  for (const char *p = encoded; *p != '\0'; p++)
    {
      if (!is_encoded_char (*p))
        return digest_invalid (error, digest,
                               _("the part after the colon may only have letters, digits, "
                                 "“=”, “_” and “-”"));
    }

  return TRUE;
}

const char *
wharf_digest_get_encoded (const char *digest)
{
  const char *colon;

  if (digest == NULL)
    return NULL;

  colon = strchr (digest, ':');
  return colon != NULL ? colon + 1 : NULL;
}

char *
wharf_digest_shorten (const char *digest)
{
  const char *encoded;

  g_return_val_if_fail (digest != NULL, NULL);

  encoded = wharf_digest_get_encoded (digest);
  if (encoded == NULL)
    encoded = digest;

  return g_strndup (encoded, 12);
}

WharfHasher *
wharf_hasher_new (const char *algorithm)
{
  const EVP_MD *md = digest_md_for_algorithm (algorithm);
  WharfHasher *hasher;

  if (md == NULL)
    return NULL;

  hasher = g_new0 (WharfHasher, 1);
  hasher->ctx = EVP_MD_CTX_new ();
  hasher->algorithm = g_strdup (algorithm);

  /* Only allocation failure or a broken libcrypto can make these fail. */
  if (hasher->ctx == NULL || EVP_DigestInit_ex (hasher->ctx, md, NULL) != 1)
    g_error ("OpenSSL could not start a %s digest", algorithm);

  return hasher;
}

WharfHasher *
wharf_hasher_new_for_digest (const char  *digest,
                             GError     **error)
{
  g_autofree char *algorithm = NULL;
  WharfHasher *hasher;
  const char *colon;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!wharf_digest_validate (digest, error))
    return NULL;

  colon = strchr (digest, ':');
  algorithm = g_strndup (digest, colon - digest);
  hasher = wharf_hasher_new (algorithm);

  if (hasher == NULL)
    g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST,
                 _("“%s” uses the algorithm “%s”, which Wharf cannot check; "
                   "only sha256 and sha512 are supported"),
                 digest, algorithm);

  return hasher;
}

void
wharf_hasher_update (WharfHasher *hasher,
                     const void  *data,
                     gsize        len)
{
  g_return_if_fail (hasher != NULL);
  g_return_if_fail (!hasher->finished);
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;

  if (EVP_DigestUpdate (hasher->ctx, data, len) != 1)
    g_error ("OpenSSL failed to update a %s digest", hasher->algorithm);
}

char *
wharf_hasher_finish (WharfHasher *hasher)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  GString *out;

  g_return_val_if_fail (hasher != NULL, NULL);
  g_return_val_if_fail (!hasher->finished, NULL);

  if (EVP_DigestFinal_ex (hasher->ctx, md, &md_len) != 1)
    g_error ("OpenSSL failed to finish a %s digest", hasher->algorithm);

  hasher->finished = TRUE;

  out = g_string_sized_new (strlen (hasher->algorithm) + 1 + md_len * 2);
  g_string_append (out, hasher->algorithm);
  g_string_append_c (out, ':');
  for (unsigned int i = 0; i < md_len; i++)
    {
      g_string_append_c (out, hex[md[i] >> 4]);
      g_string_append_c (out, hex[md[i] & 0xf]);
    }

  return g_string_free (out, FALSE);
}

void
wharf_hasher_free (WharfHasher *hasher)
{
  if (hasher == NULL)
    return;

  g_clear_pointer (&hasher->ctx, EVP_MD_CTX_free);
  g_free (hasher->algorithm);
  g_free (hasher);
}

char *
wharf_digest_compute (const char *algorithm,
                      const void *data,
                      gsize       len)
{
  g_autoptr(WharfHasher) hasher = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  hasher = wharf_hasher_new (algorithm != NULL ? algorithm : "sha256");
  g_return_val_if_fail (hasher != NULL, NULL);

  wharf_hasher_update (hasher, data, len);
  return wharf_hasher_finish (hasher);
}

char *
wharf_digest_compute_bytes (GBytes *bytes)
{
  gconstpointer data;
  gsize len = 0;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  return wharf_digest_compute ("sha256", data, len);
}

gboolean
wharf_digest_verify (const char  *expected,
                     const void  *data,
                     gsize        len,
                     const char  *what,
                     GError     **error)
{
  g_autoptr(WharfHasher) hasher = NULL;
  g_autofree char *actual = NULL;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hasher = wharf_hasher_new_for_digest (expected, error);
  if (hasher == NULL)
    return FALSE;

  wharf_hasher_update (hasher, data, len);
  actual = wharf_hasher_finish (hasher);

  if (strcmp (actual, expected) != 0)
    {
      g_autofree char *expected_short = wharf_digest_shorten (expected);
      g_autofree char *algorithm = g_strndup (expected, strchr (expected, ':') - expected);

      g_debug ("Digest mismatch for %s: expected %s, got %s",
               what != NULL ? what : "content", expected, actual);

      if (what != NULL)
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     /* Translators: the first %s says what was checked, e.g.
                      * "the manifest of foo:1"; then a digest like sha256:abc… */
                     _("The %s is damaged: its content does not match its digest %s:%s…"),
                     what, algorithm, expected_short);
      else
        g_set_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH,
                     _("The content is damaged: it does not match its digest %s:%s…"),
                     algorithm, expected_short);
      return FALSE;
    }

  return TRUE;
}
