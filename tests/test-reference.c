/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-reference.c: the distribution/reference grammar, normalisation and formatting. */

#include "config.h"

#include <string.h>

#include "wharf-error.h"
#include "wharf-reference.h"

#define HEX64  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define HEX128 HEX64 HEX64
#define ID64   "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"

typedef struct
{
  const char *input;
  /* domain == NULL: the input must be refused */
  const char *domain;
  const char *path;
  const char *tag;
  const char *digest;
} ParseCase;

static const ParseCase parse_cases[] = {
  /* Docker Hub normalisation */
  { "alpine", "docker.io", "library/alpine", NULL, NULL },
  { "alpine:3.19", "docker.io", "library/alpine", "3.19", NULL },
  { "docker.io/alpine", "docker.io", "library/alpine", NULL, NULL },
  { "docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", NULL },
  { "index.docker.io/alpine", "docker.io", "library/alpine", NULL, NULL },
  { "index.docker.io/docker/docker", "docker.io", "docker/docker", NULL, NULL },
  { "docker/docker", "docker.io", "docker/docker", NULL, NULL },
  { "library/debian", "docker.io", "library/debian", NULL, NULL },
  { "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
    "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", NULL, NULL },
  { "docker.io/" ID64, "docker.io", "library/" ID64, NULL, NULL },
  /* domains */
  { "localhost/foo", "localhost", "foo", NULL, NULL },
  { "localhost:5000/foo/bar:1.0", "localhost:5000", "foo/bar", "1.0", NULL },
  { "localhost:5000", "docker.io", "library/localhost", "5000", NULL },
  { "localhost", "docker.io", "library/localhost", NULL, NULL },
  { "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", NULL, NULL },
  { "192.168.0.1", "docker.io", "library/192.168.0.1", NULL, NULL },
  { "192.168.0.1:8/debian", "192.168.0.1:8", "debian", NULL, NULL },
  { "test:5000/repo", "test:5000", "repo", NULL, NULL },
  { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
    "some-long-tag", NULL },
  { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
    "test.example.com", NULL },
  { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", NULL },
  { "Uppercase/lowercase:tag", "Uppercase", "lowercase", "tag", NULL },
  { "Localhost:5000/foo", "Localhost:5000", "foo", NULL, NULL },
  { "local_host/foo", "docker.io", "local_host/foo", NULL, NULL },
  /* IPv6 */
  { "[::1]:5000/repo", "[::1]:5000", "repo", NULL, NULL },
  { "[2001:db8::1]/repo", "[2001:db8::1]", "repo", NULL, NULL },
  { "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", NULL },
  { "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", NULL, NULL },
  { "[2001:db8::1]", NULL, NULL, NULL, NULL },
  { "[fe80::1%eth0]:5000/repo", NULL, NULL, NULL, NULL },
  { "[2001:db8:3:4::192.0.2.33]:5000/repo", NULL, NULL, NULL, NULL },
  { "[]:5000/repo", NULL, NULL, NULL, NULL },
  { "[::1/repo", NULL, NULL, NULL, NULL },
  /* a first component that looks like a host and port but is a name and tag */
  { "test.com:tag", "docker.io", "library/test.com", "tag", NULL },
  { "test.com:5000", "docker.io", "library/test.com", "5000", NULL },
  { "foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", NULL },
  { "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", NULL },
  /* tags and digests */
  { "test:5000/repo@sha256:" HEX64, "test:5000", "repo", NULL, "sha256:" HEX64 },
  { "test:5000/repo:tag@sha256:" HEX64, "test:5000", "repo", "tag", "sha256:" HEX64 },
  { "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" HEX128, "xn--7o8h.com", "myimage",
    "xn--7o8h.com", "sha512:" HEX128 },
  { "lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", NULL },
  { "repo:_under.score-dash", "docker.io", "library/repo", "_under.score-dash", NULL },
  { "alpine@sha256:" HEX64, "docker.io", "library/alpine", NULL, "sha256:" HEX64 },
  { "repo@sha256:ffff", NULL, NULL, NULL, NULL },
  { "repo@sha256:" "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    NULL, NULL, NULL, NULL },
  { "repo@sha512:" HEX64, NULL, NULL, NULL, NULL },
  { "repo@", NULL, NULL, NULL, NULL },
  { "repo@sha256:" HEX64 ":tag", NULL, NULL, NULL, NULL },
  { "repo:", NULL, NULL, NULL, NULL },
  { "repo:.dot", NULL, NULL, NULL, NULL },
  { "repo:-dash", NULL, NULL, NULL, NULL },
  { "repo:a/b", NULL, NULL, NULL, NULL },
  { "repo:tag:tag", NULL, NULL, NULL, NULL },
  { "repo:t@g", NULL, NULL, NULL, NULL },
  /* path grammar */
  { "foo--bar/baz", "docker.io", "foo--bar/baz", NULL, NULL },
  { "foo__bar", "docker.io", "library/foo__bar", NULL, NULL },
  { "ab_c-d/e-----f.g", "docker.io", "ab_c-d/e-----f.g", NULL, NULL },
  /* a '.' makes the first component a domain, and '_' is not allowed there */
  { "a.b_c-d/e", NULL, NULL, NULL, NULL },
  { "foo___bar", NULL, NULL, NULL, NULL },
  { "foo..bar", NULL, NULL, NULL, NULL },
  { "foo._bar", NULL, NULL, NULL, NULL },
  { "foo/-bar", NULL, NULL, NULL, NULL },
  { "foo/bar-", NULL, NULL, NULL, NULL },
  { "foo/.bar", NULL, NULL, NULL, NULL },
  { "foo/", NULL, NULL, NULL, NULL },
  { "localhost:5000/foo/", NULL, NULL, NULL, NULL },
  { "/foo", NULL, NULL, NULL, NULL },
  { "docker///docker", NULL, NULL, NULL, NULL },
  { "docker.io/docker///docker", NULL, NULL, NULL, NULL },
  { "aa/asdf$$^/aa", NULL, NULL, NULL, NULL },
  { "foo bar", NULL, NULL, NULL, NULL },
  { "", NULL, NULL, NULL, NULL },
  { ":justtag", NULL, NULL, NULL, NULL },
  { "@sha256:" HEX64, NULL, NULL, NULL, NULL },
  { "localhost:5000/", NULL, NULL, NULL, NULL },
  { "localhost:5000/:tag", NULL, NULL, NULL, NULL },
  /* upper case */
  { "Uppercase:tag", NULL, NULL, NULL, NULL },
  { "test:5000/Uppercase/lowercase:tag", NULL, NULL, NULL, NULL },
  { "docker.io/docker/Docker", NULL, NULL, NULL, NULL },
  { "foo/Bar", NULL, NULL, NULL, NULL },
  /* bad domains */
  { "-foo.com/bar", NULL, NULL, NULL, NULL },
  { "foo-.com/bar", NULL, NULL, NULL, NULL },
  { "foo..com/bar", NULL, NULL, NULL, NULL },
  { "foo.com:/bar", NULL, NULL, NULL, NULL },
  { "foo.com:50a0/bar", NULL, NULL, NULL, NULL },
  { "foo.com:5000:6000/bar", NULL, NULL, NULL, NULL },
  { "foo_bar.com/baz", NULL, NULL, NULL, NULL },
  { "foo:tag/bar", NULL, NULL, NULL, NULL },
  /* image IDs are not names */
  { ID64, NULL, NULL, NULL, NULL },
};

static void
test_reference_parse_table (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (parse_cases), >=, 40);

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      g_autoptr(WharfReference) ref = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("reference “%s”", c->input);
      ref = wharf_reference_parse (c->input, &error);

      if (c->domain == NULL)
        {
          g_assert_null (ref);
          g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
          g_assert_cmpuint (strlen (error->message), >, 10);
          continue;
        }

      g_assert_no_error (error);
      g_assert_nonnull (ref);
      g_assert_cmpstr (ref->domain, ==, c->domain);
      g_assert_cmpstr (ref->path, ==, c->path);
      g_assert_cmpstr (ref->tag, ==, c->tag);
      g_assert_cmpstr (ref->digest, ==, c->digest);
    }
}

/* Normalised references print back to themselves and parse to the same thing. */
static void
test_reference_roundtrip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autoptr(WharfReference) ref = NULL;
      g_autoptr(WharfReference) again = NULL;
      g_autoptr(WharfReference) familiar_again = NULL;
      g_autofree char *text = NULL;
      g_autofree char *familiar = NULL;
      g_autofree char *text_again = NULL;

      if (parse_cases[i].domain == NULL)
        continue;

      ref = wharf_reference_parse (parse_cases[i].input, NULL);
      g_assert_nonnull (ref);
      text = wharf_reference_to_string (ref);
      again = wharf_reference_parse (text, NULL);

      /* An upper-case domain is kept as written, and a lone upper-case
       * component is read as a domain again, so this holds for all. */
      g_assert_nonnull (again);
      text_again = wharf_reference_to_string (again);
      g_assert_cmpstr (text, ==, text_again);

      familiar = wharf_reference_to_familiar (ref);
      familiar_again = wharf_reference_parse (familiar, NULL);
      g_assert_nonnull (familiar_again);
      g_assert_cmpstr (familiar_again->domain, ==, ref->domain);
      g_assert_cmpstr (familiar_again->path, ==, ref->path);
      g_assert_cmpstr (familiar_again->tag, ==, ref->tag);
      g_assert_cmpstr (familiar_again->digest, ==, ref->digest);
    }
}

static void
test_reference_length (void)
{
  g_autoptr(GString) name = g_string_new ("example.com/");
  g_autoptr(WharfReference) ok = NULL;
  g_autoptr(WharfReference) too_long = NULL;
  g_autoptr(WharfReference) hub = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *with_tag = NULL;

  /* 255 characters of domain/path is the most allowed; the tag does not count. */
  while (name->len < 255)
    g_string_append (name, name->len % 2 == 0 ? "a" : "/");
  if (name->str[name->len - 1] == '/')
    name->str[name->len - 1] = 'b';
  g_assert_cmpuint (name->len, ==, 255);

  with_tag = g_strconcat (name->str, ":tag-puts-this-over-max", NULL);
  ok = wharf_reference_parse (with_tag, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  g_assert_cmpstr (ok->tag, ==, "tag-puts-this-over-max");

  g_string_append (name, "c");
  too_long = wharf_reference_parse (name->str, &error);
  g_assert_null (too_long);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
  g_assert_nonnull (strstr (error->message, "255"));
  g_clear_error (&error);

  /* On Docker Hub the implicit "docker.io/library/" counts too. */
  g_string_assign (name, "");
  while (name->len < 255 - strlen ("docker.io/library/"))
    g_string_append_c (name, 'a');
  hub = wharf_reference_parse (name->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hub);
  g_clear_pointer (&hub, wharf_reference_free);

  g_string_append_c (name, 'a');
  hub = wharf_reference_parse (name->str, &error);
  g_assert_null (hub);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
}

static void
test_reference_tag_length (void)
{
  g_autofree char *tag128 = g_strnfill (128, 'x');
  g_autofree char *tag129 = g_strnfill (129, 'x');
  g_autofree char *ref128 = g_strconcat ("repo:", tag128, NULL);
  g_autofree char *ref129 = g_strconcat ("repo:", tag129, NULL);
  g_autoptr(WharfReference) ok = NULL;
  g_autoptr(WharfReference) bad = NULL;
  g_autoptr(GError) error = NULL;

  ok = wharf_reference_parse (ref128, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ok->tag, ==, tag128);

  bad = wharf_reference_parse (ref129, &error);
  g_assert_null (bad);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
  g_assert_nonnull (strstr (error->message, "128"));
}

static void
test_reference_messages (void)
{
  g_autoptr(WharfReference) ref = NULL;
  g_autoptr(GError) error = NULL;

  ref = wharf_reference_parse ("docker.io/docker/Docker", &error);
  g_assert_null (ref);
  g_assert_nonnull (strstr (error->message, "“docker.io/docker/Docker”"));
  g_assert_nonnull (strstr (error->message, "lowercase"));
  g_clear_error (&error);

  ref = wharf_reference_parse ("foo.com:50a0/bar", &error);
  g_assert_null (ref);
  g_assert_nonnull (strstr (error->message, "foo.com:50a0"));
  g_assert_nonnull (strstr (error->message, "registry address"));
  g_clear_error (&error);

  ref = wharf_reference_parse ("repo@sha256:abc", &error);
  g_assert_null (ref);
  g_assert_nonnull (strstr (error->message, "64"));
  g_clear_error (&error);

  ref = wharf_reference_parse ("", &error);
  g_assert_null (ref);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
  g_clear_error (&error);

  ref = wharf_reference_parse (NULL, &error);
  g_assert_null (ref);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
}

typedef struct
{
  const char *input;
  const char *in_domain;
  const char *domain;  /* NULL: refused */
  const char *path;
  const char *tag;
} InDomainCase;

static void
test_reference_parse_in_domain (void)
{
  static const InDomainCase cases[] = {
    { "foo/bar:1", "localhost:5000", "localhost:5000", "foo/bar", "1" },
    { "foo", "localhost:5000", "localhost:5000", "foo", NULL },
    { "localhost:5000/foo/bar", "localhost:5000", "localhost:5000", "foo/bar", NULL },
    { "LOCALHOST:5000/foo", "localhost:5000", "localhost:5000", "foo", NULL },
    { "ghcr.io/foo", "localhost:5000", "localhost:5000", "ghcr.io/foo", NULL },
    { "alpine", "docker.io", "docker.io", "library/alpine", NULL },
    { "alpine:3", "index.docker.io", "docker.io", "library/alpine", "3" },
    { "docker.io/alpine", "docker.io", "docker.io", "library/alpine", NULL },
    { "index.docker.io/foo/bar", "docker.io", "docker.io", "foo/bar", NULL },
    { "foo/bar", "[::1]:5000", "[::1]:5000", "foo/bar", NULL },
    { "Foo/bar", "localhost:5000", NULL, NULL, NULL },
    { "foo//bar", "localhost:5000", NULL, NULL, NULL },
    { "foo", "not a registry", NULL, NULL, NULL },
    { "foo", "example.com:port", NULL, NULL, NULL },
    { "", "localhost:5000", NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfReference) ref = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("“%s” in %s", cases[i].input, cases[i].in_domain);
      ref = wharf_reference_parse_in_domain (cases[i].input, cases[i].in_domain, &error);

      if (cases[i].domain == NULL)
        {
          g_assert_null (ref);
          g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
          continue;
        }

      g_assert_no_error (error);
      g_assert_cmpstr (ref->domain, ==, cases[i].domain);
      g_assert_cmpstr (ref->path, ==, cases[i].path);
      g_assert_cmpstr (ref->tag, ==, cases[i].tag);
    }
}

static void
test_reference_format (void)
{
  static const struct
  {
    const char *input;
    const char *full;
    const char *familiar;
    const char *repository;
    const char *api_reference;
    const char *api_host;
  } cases[] = {
    { "alpine", "docker.io/library/alpine", "alpine", "docker.io/library/alpine", "latest",
      "registry-1.docker.io" },
    { "alpine:3.19", "docker.io/library/alpine:3.19", "alpine:3.19", "docker.io/library/alpine",
      "3.19", "registry-1.docker.io" },
    { "library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar",
      "docker.io/library/foo/bar", "latest", "registry-1.docker.io" },
    { "docker/docker:1@sha256:" HEX64, "docker.io/docker/docker:1@sha256:" HEX64,
      "docker/docker:1@sha256:" HEX64, "docker.io/docker/docker", "sha256:" HEX64,
      "registry-1.docker.io" },
    { "localhost:5000/foo:v1", "localhost:5000/foo:v1", "localhost:5000/foo:v1",
      "localhost:5000/foo", "v1", "localhost:5000" },
    { "ghcr.io/library/x", "ghcr.io/library/x", "ghcr.io/library/x", "ghcr.io/library/x",
      "latest", "ghcr.io" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WharfReference) ref = wharf_reference_parse (cases[i].input, NULL);
      g_autofree char *full = NULL;
      g_autofree char *familiar = NULL;
      g_autofree char *repository = NULL;

      g_assert_nonnull (ref);
      full = wharf_reference_to_string (ref);
      familiar = wharf_reference_to_familiar (ref);
      repository = wharf_reference_get_repository (ref);
      g_assert_cmpstr (full, ==, cases[i].full);
      g_assert_cmpstr (familiar, ==, cases[i].familiar);
      g_assert_cmpstr (repository, ==, cases[i].repository);
      g_assert_cmpstr (wharf_reference_get_api_reference (ref), ==, cases[i].api_reference);
      g_assert_cmpstr (wharf_reference_get_api_host (ref), ==, cases[i].api_host);
    }
}

static void
test_reference_new_copy (void)
{
  g_autoptr(WharfReference) ref = wharf_reference_new ("localhost:5000", "a/b", "t", NULL);
  g_autoptr(WharfReference) copy = wharf_reference_copy (ref);
  WharfReference *boxed;

  g_assert_true (copy != ref);
  g_assert_true (copy->path != ref->path);
  g_assert_cmpstr (copy->domain, ==, "localhost:5000");
  g_assert_cmpstr (copy->path, ==, "a/b");
  g_assert_cmpstr (copy->tag, ==, "t");
  g_assert_null (copy->digest);
  g_assert_cmpstr (wharf_reference_get_tag_or_latest (copy), ==, "t");

  g_clear_pointer (&copy->tag, g_free);
  g_assert_cmpstr (wharf_reference_get_tag_or_latest (copy), ==, "latest");
  g_assert_cmpstr (ref->tag, ==, "t");

  g_assert_true (G_TYPE_IS_BOXED (WHARF_TYPE_REFERENCE));
  boxed = g_boxed_copy (WHARF_TYPE_REFERENCE, ref);
  g_assert_cmpstr (boxed->path, ==, "a/b");
  g_boxed_free (WHARF_TYPE_REFERENCE, boxed);
}

static void
test_reference_validate (void)
{
  static const struct
  {
    const char *path;
    gboolean    valid;
  } paths[] = {
    { "foo", TRUE }, { "foo/bar", TRUE }, { "a__b/c.d/e--f", TRUE }, { "ghcr.io/x", TRUE },
    { "", FALSE }, { "Foo", FALSE }, { "foo/", FALSE }, { "/foo", FALSE }, { "a//b", FALSE },
    { "a___b", FALSE }, { "a:b", FALSE }, { "a@b", FALSE }, { "-a", FALSE },
  };
  static const struct
  {
    const char *tag;
    gboolean    valid;
  } tags[] = {
    { "latest", TRUE }, { "V1.0_rc-1", TRUE }, { "_x", TRUE }, { "0", TRUE },
    { "", FALSE }, { ".x", FALSE }, { "-x", FALSE }, { "a:b", FALSE }, { "a/b", FALSE },
    { "é", FALSE },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_test_message ("path “%s”", paths[i].path);
      g_assert_cmpint (wharf_reference_validate_path (paths[i].path, &error), ==, paths[i].valid);
      if (!paths[i].valid)
        g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
      else
        g_assert_no_error (error);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      g_test_message ("tag “%s”", tags[i].tag);
      g_assert_cmpint (wharf_reference_validate_tag (tags[i].tag, &error), ==, tags[i].valid);
      if (!tags[i].valid)
        g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
      else
        g_assert_no_error (error);
      g_clear_error (&error);
    }

  g_assert_true (wharf_reference_component_is_domain ("localhost", 9));
  g_assert_true (wharf_reference_component_is_domain ("example.com", 11));
  g_assert_true (wharf_reference_component_is_domain ("host:5000", 9));
  g_assert_true (wharf_reference_component_is_domain ("Registry", 8));
  g_assert_false (wharf_reference_component_is_domain ("localhostx", 10));
  g_assert_false (wharf_reference_component_is_domain ("localhost/foo", 10));
  /* only the given length counts */
  g_assert_true (wharf_reference_component_is_domain ("localhost/foo", 9));
  g_assert_false (wharf_reference_component_is_domain ("library", 7));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reference/parse-table", test_reference_parse_table);
  g_test_add_func ("/reference/roundtrip", test_reference_roundtrip);
  g_test_add_func ("/reference/length", test_reference_length);
  g_test_add_func ("/reference/tag-length", test_reference_tag_length);
  g_test_add_func ("/reference/messages", test_reference_messages);
  g_test_add_func ("/reference/parse-in-domain", test_reference_parse_in_domain);
  g_test_add_func ("/reference/format", test_reference_format);
  g_test_add_func ("/reference/new-copy", test_reference_new_copy);
  g_test_add_func ("/reference/validate", test_reference_validate);

  return g_test_run ();
}
