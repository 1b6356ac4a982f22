/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-endpoint.c: registry addresses, loopback detection, display names and schemes. */

#include "config.h"

#include <string.h>

#include "wharf-endpoint.h"
#include "wharf-error.h"

typedef struct
{
  const char  *address;
  const char  *domain;
  const char  *api_host;
  const char  *host;
  WharfScheme  scheme;
  gboolean     loopback;
  gboolean     docker_hub;
} AddressCase;

static const AddressCase address_cases[] = {
  { "localhost:5000", "localhost:5000",
    "localhost:5000", "localhost", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "localhost", "localhost", "localhost", "localhost", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "127.0.0.1:5000", "127.0.0.1:5000",
    "127.0.0.1:5000", "127.0.0.1", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "127.1.2.3:443", "127.1.2.3:443",
    "127.1.2.3:443", "127.1.2.3", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "[::1]:5000", "[::1]:5000", "[::1]:5000", "::1", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "[::1]", "[::1]", "[::1]", "::1", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "[2001:db8::7]:5000", "[2001:db8::7]:5000",
    "[2001:db8::7]:5000", "2001:db8::7", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "https://reg.example.com/", "reg.example.com",
    "reg.example.com", "reg.example.com", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "https://reg.example.com:8443", "reg.example.com:8443",
    "reg.example.com:8443", "reg.example.com", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "HTTPS://Reg.Example.COM/v2/", "reg.example.com",
    "reg.example.com", "reg.example.com", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "http://reg.example.com", "reg.example.com",
    "reg.example.com", "reg.example.com", WHARF_SCHEME_HTTP, FALSE, FALSE },
  { "http://localhost:5000", "localhost:5000",
    "localhost:5000", "localhost", WHARF_SCHEME_HTTP, TRUE, FALSE },
  { "https://127.0.0.1:5000", "127.0.0.1:5000",
    "127.0.0.1:5000", "127.0.0.1", WHARF_SCHEME_HTTPS, TRUE, FALSE },
  { "reg.example.com", "reg.example.com",
    "reg.example.com", "reg.example.com", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "  ghcr.io  ", "ghcr.io", "ghcr.io", "ghcr.io", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "quay.io", "quay.io", "quay.io", "quay.io", WHARF_SCHEME_HTTPS, FALSE, FALSE },
  { "docker.io", "docker.io",
    "registry-1.docker.io", "registry-1.docker.io", WHARF_SCHEME_HTTPS, FALSE, TRUE },
  { "index.docker.io", "docker.io",
    "registry-1.docker.io", "registry-1.docker.io", WHARF_SCHEME_HTTPS, FALSE, TRUE },
  { "registry-1.docker.io", "docker.io",
    "registry-1.docker.io", "registry-1.docker.io", WHARF_SCHEME_HTTPS, FALSE, TRUE },
  { "https://index.docker.io/v1/", "docker.io",
    "registry-1.docker.io", "registry-1.docker.io", WHARF_SCHEME_HTTPS, FALSE, TRUE },
  { "http://docker.io", "docker.io",
    "registry-1.docker.io", "registry-1.docker.io", WHARF_SCHEME_HTTPS, FALSE, TRUE },
  { "my-registry.localhost:5000", "my-registry.localhost:5000",
    "my-registry.localhost:5000", "my-registry.localhost", WHARF_SCHEME_AUTO, TRUE, FALSE },
  { "10.0.0.5:5000", "10.0.0.5:5000",
    "10.0.0.5:5000", "10.0.0.5", WHARF_SCHEME_HTTPS, FALSE, FALSE },
};

static void
test_addresses (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (address_cases); i++)
    {
      const AddressCase *c = &address_cases[i];
      g_autoptr(WharfEndpoint) endpoint = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("address “%s”", c->address);

      endpoint = wharf_endpoint_new (c->address, &error);
      g_assert_no_error (error);
      g_assert_nonnull (endpoint);

      g_assert_cmpstr (wharf_endpoint_get_domain (endpoint), ==, c->domain);
      g_assert_cmpstr (wharf_endpoint_get_api_host (endpoint), ==, c->api_host);
      g_assert_cmpstr (wharf_endpoint_get_host (endpoint), ==, c->host);
      g_assert_cmpint (wharf_endpoint_get_scheme (endpoint), ==, c->scheme);
      g_assert_cmpint (wharf_endpoint_is_loopback (endpoint), ==, c->loopback);
      g_assert_cmpint (wharf_endpoint_is_docker_hub (endpoint), ==, c->docker_hub);
    }
}

static void
test_garbage (void)
{
  static const char * const garbage[] = {
    "",
    "   ",
    "not a host",
    "host with spaces:5000",
    "ftp://reg.example.com",
    "http://",
    "https:///",
    "reg.example.com:0",
    "reg.example.com:65536",
    "reg.example.com:abc",
    "reg.example.com:",
    "reg.example.com/some/repo",
    "[::1",
    "[not-ipv6]:5000",
    "[::1]x",
    "-bad-.example.com",
    "bad..example.com",
    "exa$mple.com",
    "://missing",
  };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(WharfEndpoint) endpoint = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("garbage “%s”", garbage[i]);

      endpoint = wharf_endpoint_new (garbage[i], &error);
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE);
      g_assert_null (endpoint);
      /* The sentence quotes what the user typed. */
      g_assert_nonnull (strstr (error->message, garbage[i]));
    }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_display_name (void)
{
  g_autoptr(WharfEndpoint) local = wharf_endpoint_new ("localhost:5000", NULL);
  g_autoptr(WharfEndpoint) hub = wharf_endpoint_new ("index.docker.io", NULL);
  guint notified = 0;

  g_assert_cmpstr (wharf_endpoint_get_display_name (local), ==, "localhost:5000");
  g_assert_cmpstr (wharf_endpoint_get_display_name (hub), ==, "Docker Hub");

  g_signal_connect (local, "notify::display-name", G_CALLBACK (count_notify_cb), &notified);

  wharf_endpoint_set_display_name (local, "Build cache");
  g_assert_cmpstr (wharf_endpoint_get_display_name (local), ==, "Build cache");
  g_assert_cmpuint (notified, ==, 1);

  /* Same value: no notification. */
  wharf_endpoint_set_display_name (local, "Build cache");
  g_assert_cmpuint (notified, ==, 1);

  /* Empty or NULL goes back to the domain. */
  wharf_endpoint_set_display_name (local, "");
  g_assert_cmpstr (wharf_endpoint_get_display_name (local), ==, "localhost:5000");
  g_assert_cmpuint (notified, ==, 2);
  wharf_endpoint_set_display_name (local, NULL);
  g_assert_cmpuint (notified, ==, 2);
}

static void
test_tls_settings (void)
{
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new ("reg.example.com", NULL);
  g_autofree char *dup = NULL;

  g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_VERIFY);
  g_assert_null (wharf_endpoint_get_ca_file (endpoint));

  wharf_endpoint_set_ca_file (endpoint, "/etc/wharf/ca.pem");
  g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_CA_FILE);
  g_assert_cmpstr (wharf_endpoint_get_ca_file (endpoint), ==, "/etc/wharf/ca.pem");
  dup = wharf_endpoint_dup_ca_file (endpoint);
  g_assert_cmpstr (dup, ==, "/etc/wharf/ca.pem");

  wharf_endpoint_set_tls_policy (endpoint, WHARF_TLS_NO_VERIFY);
  g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_NO_VERIFY);

  wharf_endpoint_set_ca_file (endpoint, NULL);
  g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_VERIFY);
  g_assert_null (wharf_endpoint_get_ca_file (endpoint));
}

static void
test_allow_insecure (void)
{
  g_autoptr(WharfEndpoint) bare = wharf_endpoint_new ("reg.example.com:5000", NULL);
  g_autoptr(WharfEndpoint) https = wharf_endpoint_new ("https://reg.example.com:5000", NULL);
  g_autoptr(WharfEndpoint) http = wharf_endpoint_new ("http://reg.example.com:5000", NULL);

  g_assert_false (wharf_endpoint_get_allow_insecure (bare));
  g_assert_cmpint (wharf_endpoint_get_scheme (bare), ==, WHARF_SCHEME_HTTPS);

  /* A bare host the user allowed plain HTTP for: https first, then http. */
  wharf_endpoint_set_allow_insecure (bare, TRUE);
  g_assert_true (wharf_endpoint_get_allow_insecure (bare));
  g_assert_cmpint (wharf_endpoint_get_scheme (bare), ==, WHARF_SCHEME_AUTO);
  wharf_endpoint_set_allow_insecure (bare, FALSE);
  g_assert_cmpint (wharf_endpoint_get_scheme (bare), ==, WHARF_SCHEME_HTTPS);

  /* An explicit scheme stays what was written. */
  wharf_endpoint_set_allow_insecure (https, TRUE);
  g_assert_cmpint (wharf_endpoint_get_scheme (https), ==, WHARF_SCHEME_HTTPS);
  wharf_endpoint_set_allow_insecure (http, TRUE);
  g_assert_cmpint (wharf_endpoint_get_scheme (http), ==, WHARF_SCHEME_HTTP);
}

static void
test_properties (void)
{
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new ("localhost:5000", NULL);
  g_autofree char *domain = NULL;
  g_autofree char *display_name = NULL;
  gboolean allow_insecure = FALSE;

  g_object_set (endpoint, "display-name", "Local", "allow-insecure", TRUE, NULL);
  g_object_get (endpoint,
                "domain", &domain,
                "display-name", &display_name,
                "allow-insecure", &allow_insecure,
                NULL);

  g_assert_cmpstr (domain, ==, "localhost:5000");
  g_assert_cmpstr (display_name, ==, "Local");
  g_assert_true (allow_insecure);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/endpoint/addresses", test_addresses);
  g_test_add_func ("/endpoint/garbage", test_garbage);
  g_test_add_func ("/endpoint/display-name", test_display_name);
  g_test_add_func ("/endpoint/tls-settings", test_tls_settings);
  g_test_add_func ("/endpoint/allow-insecure", test_allow_insecure);
  g_test_add_func ("/endpoint/properties", test_properties);

  return g_test_run ();
}
