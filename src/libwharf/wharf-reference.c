/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-reference.c: parsing and normalising image references like distribution/reference. */

#define G_LOG_DOMAIN "wharf-reference"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "wharf-digest.h"
#include "wharf-error.h"
#include "wharf-reference.h"

/* distribution/reference's NameTotalLengthMax, counted on "domain/path". */
#define NAME_TOTAL_LENGTH_MAX 255
#define TAG_LENGTH_MAX 128
#define LEGACY_DOCKER_HUB_DOMAIN "index.docker.io"

G_DEFINE_BOXED_TYPE (WharfReference, wharf_reference, wharf_reference_copy, wharf_reference_free)

static gboolean
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static gboolean
has_upper (const char *s,
           gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isupper (s[i]))
        return TRUE;
    }
  return FALSE;
}

static gboolean
reference_error (GError     **error,
                 const char  *text,
                 const char  *reason)
{
  g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
               /* Translators: the first %s is what the user typed, the second says
                * what is wrong */
               _("“%s” is not a valid image reference: %s"), text, reason);
  return FALSE;
}

/* Why the path breaks the grammar
 * [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* joined by '/', or NULL if it does not. */
static const char *
path_problem (const char *path,
              gsize       len)
{
  gsize i = 0;

  if (len == 0)
    return _("the repository name is missing");

  if (has_upper (path, len))
    return _("repository names must be lowercase");

  while (i < len)
    {
      gsize start = i;

      /* One component: alphanumeric runs joined by single separators. */
      if (path[i] == '/')
        return i == 0 ? _("the repository name cannot start with “/”")
                      : _("the repository name has an empty part between two “/”");

      for (;;)
        {
          gsize run = i;

          while (i < len && is_lower_alnum (path[i]))
            i++;

          if (i == run)
            {
              if (i == start)
                return _("each part of a repository name must start with a letter or a digit");
              return _("separators (“.”, “_”, “__”, “-”) in a repository name must sit "
                       "between letters or digits");
            }

          if (i >= len || path[i] == '/')
            break;

          if (path[i] == '.')
            i++;
          else if (path[i] == '_')
            i += (i + 1 < len && path[i + 1] == '_') ? 2 : 1;
          else if (path[i] == '-')
            {
              while (i < len && path[i] == '-')
                i++;
            }
          else
            return _("a repository name may only have lowercase letters, digits, "
                     "“.”, “_”, “-” and “/”");

          if (i >= len || !is_lower_alnum (path[i]))
            {
              if (i >= len || path[i] == '/')
                return _("a part of the repository name ends with a separator");
              return _("separators (“.”, “_”, “__”, “-”) in a repository name must sit "
                       "between letters or digits");
            }
        }

      if (i < len)
        {
          /* path[i] == '/' */
          i++;
          if (i == len)
            return _("the repository name ends with “/”");
        }
    }

  return NULL;
}

static gboolean
is_domain_component_char (char c)
{
  return g_ascii_isalnum (c) || c == '-';
}

/* domain-component (. domain-component)* [:port] or [ipv6][:port], where a
 * component is [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]. */
static gboolean
domain_is_valid (const char *domain,
                 gsize       len)
{
  gsize i = 0;

  if (len == 0)
    return FALSE;

  if (domain[0] == '[')
    {
      gsize start = 1;

      i = 1;
      while (i < len && (g_ascii_isxdigit (domain[i]) || domain[i] == ':'))
        i++;
      if (i == start || i >= len || domain[i] != ']')
        return FALSE;
      i++;
    }
  else
    {
      for (;;)
        {
          gsize start = i;

          while (i < len && is_domain_component_char (domain[i]))
            i++;
          if (i == start || domain[start] == '-' || domain[i - 1] == '-')
            return FALSE;
          if (i < len && domain[i] == '.')
            {
              i++;
              continue;
            }
          break;
        }
    }

  if (i < len && domain[i] == ':')
    {
      gsize start = ++i;

      while (i < len && g_ascii_isdigit (domain[i]))
        i++;
      if (i == start)
        return FALSE;
    }

  return i == len;
}

gboolean
wharf_reference_component_is_domain (const char *component,
                                     gsize       len)
{
  g_return_val_if_fail (component != NULL || len == 0, FALSE);

  if (len == strlen ("localhost") && memcmp (component, "localhost", len) == 0)
    return TRUE;

  for (gsize i = 0; i < len; i++)
    {
      if (component[i] == '.' || component[i] == ':' || g_ascii_isupper (component[i]))
        return TRUE;
    }

  return FALSE;
}

static const char *
tag_problem (const char *tag)
{
  gsize len = strlen (tag);

  if (len == 0)
    return _("the tag after “:” is empty");
  if (len > TAG_LENGTH_MAX)
    return _("a tag has at most 128 characters");
  if (tag[0] == '.' || tag[0] == '-')
    return _("a tag cannot start with “.” or “-”");

  for (gsize i = 0; i < len; i++)
    {
      char c = tag[i];

      if (!g_ascii_isalnum (c) && c != '_' && c != '.' && c != '-')
        return _("a tag may only have letters, digits, “_”, “.” and “-”");
    }

  return NULL;
}

gboolean
wharf_reference_validate_path (const char  *path,
                               GError     **error)
{
  const char *problem;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((problem = path_problem (path, strlen (path))))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   /* Translators: the first %s is a repository name, the second says
                    * what is wrong */
                   _("“%s” is not a valid repository name: %s"), path, problem);
      return FALSE;
    }

  if (strlen (path) > NAME_TOTAL_LENGTH_MAX)
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   _("The repository name is too long: at most %u characters are allowed"),
                   (guint) NAME_TOTAL_LENGTH_MAX);
      return FALSE;
    }

  return TRUE;
}

gboolean
wharf_reference_validate_tag (const char  *tag,
                              GError     **error)
{
  const char *problem;

  g_return_val_if_fail (tag != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((problem = tag_problem (tag)))
    {
      g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                   /* Translators: the first %s is a tag, the second says what is wrong */
                   _("“%s” is not a valid tag: %s"), tag, problem);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_64_hex (const char *s)
{
  gsize len = strlen (s);

  if (len != 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
        return FALSE;
    }
  return TRUE;
}

/* Parses "path[:tag][@digest]" (@rest) in @domain; @text is only for messages. */
static WharfReference *
parse_remainder (const char  *text,
                 const char  *domain,
                 gsize        domain_len,
                 const char  *rest,
                 GError     **error)
{
  g_autoptr(WharfReference) ref = NULL;
  g_autofree char *name_and_tag = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *path = NULL;
  const char *at;
  const char *colon;
  const char *problem;

  if (!domain_is_valid (domain, domain_len))
    {
      g_autofree char *d = g_strndup (domain, domain_len);
      g_autofree char *reason = NULL;

      /* Translators: %s is a registry address such as localhost:5000 */
      reason = g_strdup_printf (_("“%s” is not a valid registry address"), d);
      reference_error (error, text, reason);
      return NULL;
    }

  at = strchr (rest, '@');
  if (at != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      name_and_tag = g_strndup (rest, at - rest);
      digest = g_strdup (at + 1);

      if (!wharf_digest_validate (digest, &local_error))
        {
          reference_error (error, text, local_error->message);
          return NULL;
        }
    }
  else
    name_and_tag = g_strdup (rest);

  colon = strrchr (name_and_tag, ':');
  if (colon != NULL)
    {
      path = g_strndup (name_and_tag, colon - name_and_tag);
      tag = g_strdup (colon + 1);
    }
  else
    path = g_strdup (name_and_tag);

  if (*path == '\0')
    {
      reference_error (error, text, _("the repository name is missing"));
      return NULL;
    }

  if ((problem = path_problem (path, strlen (path))))
    {
      reference_error (error, text, problem);
      return NULL;
    }

  if (tag != NULL && (problem = tag_problem (tag)))
    {
      reference_error (error, text, problem);
      return NULL;
    }

  if (domain_len + 1 + strlen (path) > NAME_TOTAL_LENGTH_MAX)
    {
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("the name is %u characters long with its registry; "
                                  "at most %u are allowed"),
                                (guint) (domain_len + 1 + strlen (path)),
                                (guint) NAME_TOTAL_LENGTH_MAX);
      reference_error (error, text, reason);
      return NULL;
    }

  ref = g_new0 (WharfReference, 1);
  ref->domain = g_strndup (domain, domain_len);
  ref->path = g_steal_pointer (&path);
  ref->tag = g_steal_pointer (&tag);
  ref->digest = g_steal_pointer (&digest);

  return g_steal_pointer (&ref);
}

static WharfReference *
parse_docker_hub (const char  *text,
                  const char  *rest,
                  GError     **error)
{
  g_autofree char *with_library = NULL;
  gsize name_len = strcspn (rest, ":@");

  /* Official images live under library/ on Docker Hub. */
  if (memchr (rest, '/', name_len) == NULL)
    rest = with_library = g_strconcat ("library/", rest, NULL);

  return parse_remainder (text, WHARF_DOCKER_HUB_DOMAIN, strlen (WHARF_DOCKER_HUB_DOMAIN),
                          rest, error);
}

WharfReference *
wharf_reference_parse (const char  *text,
                       GError     **error)
{
  const char *slash;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                           _("The image reference is empty"));
      return NULL;
    }

  if (is_64_hex (text))
    {
      reference_error (error, text,
                       _("a 64-digit hexadecimal string is an image ID, not a repository name"));
      return NULL;
    }

  slash = strchr (text, '/');

  if (slash != NULL && wharf_reference_component_is_domain (text, slash - text))
    {
      gsize domain_len = slash - text;

      if (domain_len == strlen (LEGACY_DOCKER_HUB_DOMAIN) &&
          memcmp (text, LEGACY_DOCKER_HUB_DOMAIN, domain_len) == 0)
        return parse_docker_hub (text, slash + 1, error);

      if (domain_len == strlen (WHARF_DOCKER_HUB_DOMAIN) &&
          memcmp (text, WHARF_DOCKER_HUB_DOMAIN, domain_len) == 0)
        return parse_docker_hub (text, slash + 1, error);

      return parse_remainder (text, text, domain_len, slash + 1, error);
    }

  return parse_docker_hub (text, text, error);
}

static gboolean
is_docker_hub_domain (const char *domain,
                      gsize       len)
{
  return (len == strlen (WHARF_DOCKER_HUB_DOMAIN) &&
          g_ascii_strncasecmp (domain, WHARF_DOCKER_HUB_DOMAIN, len) == 0) ||
         (len == strlen (LEGACY_DOCKER_HUB_DOMAIN) &&
          g_ascii_strncasecmp (domain, LEGACY_DOCKER_HUB_DOMAIN, len) == 0);
}

WharfReference *
wharf_reference_parse_in_domain (const char  *text,
                                 const char  *domain,
                                 GError     **error)
{
  const char *slash;

  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                           _("The image reference is empty"));
      return NULL;
    }

  /* Only a first component that names this very registry is taken as a
   * domain; anything else is a repository inside it. */
  slash = strchr (text, '/');
  if (slash != NULL)
    {
      gsize first_len = slash - text;

      if (is_docker_hub_domain (domain, strlen (domain)) && is_docker_hub_domain (text, first_len))
        return parse_docker_hub (text, slash + 1, error);

      if (first_len == strlen (domain) && g_ascii_strncasecmp (text, domain, first_len) == 0)
        return parse_remainder (text, domain, strlen (domain), slash + 1, error);
    }

  if (is_docker_hub_domain (domain, strlen (domain)))
    return parse_docker_hub (text, text, error);

  return parse_remainder (text, domain, strlen (domain), text, error);
}

WharfReference *
wharf_reference_new (const char *domain,
                     const char *path,
                     const char *tag,
                     const char *digest)
{
  WharfReference *ref;

  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  ref = g_new0 (WharfReference, 1);
  ref->domain = g_strdup (domain);
  ref->path = g_strdup (path);
  ref->tag = g_strdup (tag);
  ref->digest = g_strdup (digest);

  return ref;
}

WharfReference *
wharf_reference_copy (const WharfReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  return wharf_reference_new (ref->domain, ref->path, ref->tag, ref->digest);
}

void
wharf_reference_free (WharfReference *ref)
{
  if (ref == NULL)
    return;

  g_free (ref->domain);
  g_free (ref->path);
  g_free (ref->tag);
  g_free (ref->digest);
  g_free (ref);
}

static char *
append_tag_and_digest (GString              *str,
                       const WharfReference *ref)
{
  if (ref->tag != NULL)
    g_string_append_printf (str, ":%s", ref->tag);
  if (ref->digest != NULL)
    g_string_append_printf (str, "@%s", ref->digest);

  return g_string_free (str, FALSE);
}

char *
wharf_reference_to_string (const WharfReference *ref)
{
  GString *str;

  g_return_val_if_fail (ref != NULL, NULL);

  str = g_string_new (ref->domain);
  g_string_append_c (str, '/');
  g_string_append (str, ref->path);

  return append_tag_and_digest (str, ref);
}

char *
wharf_reference_to_familiar (const WharfReference *ref)
{
  const char *path;
  GString *str;

  g_return_val_if_fail (ref != NULL, NULL);

  if (g_strcmp0 (ref->domain, WHARF_DOCKER_HUB_DOMAIN) != 0)
    return wharf_reference_to_string (ref);

  path = ref->path;
  /* A bare 64-digit hex name would read back as an image ID, so it keeps
   * its "library/". */
  if (g_str_has_prefix (path, "library/") && strchr (path + strlen ("library/"), '/') == NULL &&
      !is_64_hex (path + strlen ("library/")))
    path += strlen ("library/");

  str = g_string_new (path);
  return append_tag_and_digest (str, ref);
}

char *
wharf_reference_get_repository (const WharfReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  return g_strconcat (ref->domain, "/", ref->path, NULL);
}

const char *
wharf_reference_get_api_reference (const WharfReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  if (ref->digest != NULL)
    return ref->digest;

  return wharf_reference_get_tag_or_latest (ref);
}

const char *
wharf_reference_get_tag_or_latest (const WharfReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  return ref->tag != NULL ? ref->tag : "latest";
}

const char *
wharf_reference_get_api_host (const WharfReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  if (g_strcmp0 (ref->domain, WHARF_DOCKER_HUB_DOMAIN) == 0)
    return WHARF_DOCKER_HUB_API_HOST;

  return ref->domain;
}
