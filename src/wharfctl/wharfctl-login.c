/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-login.c: wharfctl login, logout and ping. */

#define G_LOG_DOMAIN "wharfctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "wharfctl-private.h"

/* Enough for any password or token people paste; the terminal's own line
 * limit is 4095 bytes. */
#define TTY_SECRET_MAX   4096
#define STDIN_SECRET_MAX (64 * 1024)

static int tty_fd = -1;
static struct termios tty_saved;
static struct sigaction saved_actions[3];
static const int restore_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
restore_tty_and_reraise (int signum)
{
  /* Only async-signal-safe calls here: give the terminal its echo back and
   * die of the signal as we would have. */
  if (tty_fd >= 0)
    tcsetattr (tty_fd, TCSAFLUSH, &tty_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
set_tty_signal_handlers (gboolean install)
{
  for (guint i = 0; i < G_N_ELEMENTS (restore_signals); i++)
    {
      if (install)
        {
          struct sigaction action = { 0 };

          action.sa_handler = restore_tty_and_reraise;
          sigemptyset (&action.sa_mask);
          sigaction (restore_signals[i], &action, &saved_actions[i]);
        }
      else
        {
          sigaction (restore_signals[i], &saved_actions[i], NULL);
        }
    }
}

static void
write_all (int         fd,
           const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      text += n;
      len -= n;
    }
}

/* Reads one line from the terminal with echo off. */
static char *
prompt_secret (const char  *prompt,
               GError     **error)
{
  char buffer[TTY_SECRET_MAX];
  struct termios quiet;
  gsize len = 0;
  gboolean too_long = FALSE;
  char *secret = NULL;

  tty_fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty_fd < 0 || tcgetattr (tty_fd, &tty_saved) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("There is no terminal to ask for the password: "
                             "pass it with --password-stdin."));
      if (tty_fd >= 0)
        close (tty_fd);
      tty_fd = -1;
      return NULL;
    }

  quiet = tty_saved;
  quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK);
  quiet.c_lflag |= ECHONL | ICANON;

  write_all (tty_fd, prompt);
  set_tty_signal_handlers (TRUE);
  tcsetattr (tty_fd, TCSAFLUSH, &quiet);

  for (;;)
    {
      char c;
      ssize_t n = read (tty_fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      if (len + 1 < sizeof buffer)
        buffer[len++] = c;
      else
        too_long = TRUE;
    }
  buffer[len] = '\0';

  tcsetattr (tty_fd, TCSAFLUSH, &tty_saved);
  set_tty_signal_handlers (FALSE);
  close (tty_fd);
  tty_fd = -1;

  if (len > 0 && buffer[len - 1] == '\r')
    buffer[--len] = '\0';

  if (too_long)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("The password is longer than %d bytes: pass it with --password-stdin."),
                 TTY_SECRET_MAX - 1);
  else
    secret = g_strndup (buffer, len);

  explicit_bzero (buffer, sizeof buffer);

  return secret;
}

/* All of stdin, less one trailing newline (echo adds it, and so does a file
 * made with an editor): like docker login --password-stdin. */
static char *
read_secret_from_stdin (GError **error)
{
  char *buffer = g_malloc (STDIN_SECRET_MAX + 1);
  gsize len = 0;
  char *secret = NULL;

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer + len, STDIN_SECRET_MAX + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read the password from standard input: %s"),
                       g_strerror (saved_errno));
          break;
        }
      if (n == 0)
        {
          if (len > 0 && buffer[len - 1] == '\n')
            len--;
          if (len > 0 && buffer[len - 1] == '\r')
            len--;
          secret = g_strndup (buffer, len);
          break;
        }

      len += n;
      if (len > STDIN_SECRET_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The password on standard input is longer than %d bytes."),
                       STDIN_SECRET_MAX);
          break;
        }
    }

  explicit_bzero (buffer, STDIN_SECRET_MAX + 1);
  g_free (buffer);

  return secret;
}

static char *
prompt_username (void)
{
  char buffer[1024];

  g_printerr ("%s", _("Username: "));
  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    return NULL;

  return g_strdup (g_strstrip (buffer));
}

int
wharfctl_login (int    argc,
                char **argv)
{
  static char *username;
  static gboolean password_stdin;
  static const GOptionEntry entries[] = {
    { "username", 'u', 0, G_OPTION_ARG_STRING, &username,
      N_("The user to sign in as (asked for when standard input is a terminal)"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password from standard input (one trailing newline is dropped)"), NULL },
    { NULL }
  };
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(WharfPingResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  char *password = NULL;
  const char *domain;

  if (!wharfctl_parse_options ("login", _("REGISTRY"),
                               N_("Signs in to REGISTRY (host[:port] or URL) and, only if the "
                                  "registry accepts the credentials, keeps them in the keyring "
                                  "for the other commands and the Wharf app."),
                               N_("The password is asked for on the terminal without echo, or "
                                  "read from standard input with --password-stdin. A registry "
                                  "that needs no sign-in is reported as such, and nothing is "
                                  "stored for it."),
                               entries, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  endpoint = wharfctl_endpoint_new (argv[1], &error);
  if (endpoint == NULL)
    return wharfctl_fail ("login", error);
  domain = wharf_endpoint_get_domain (endpoint);

  if (username != NULL)
    user = g_strdup (username);
  else if (!password_stdin && isatty (STDIN_FILENO))
    user = prompt_username ();
  else
    return wharfctl_usage_error ("login",
                                 _("Give the username with -u when standard input is "
                                   "not a terminal."));

  if (user == NULL || *user == '\0')
    return wharfctl_usage_error ("login", _("The username is empty."));

  if (password_stdin)
    password = read_secret_from_stdin (&error);
  else
    {
      g_autofree char *prompt = g_strdup_printf (_("Password for %s at %s: "), user, domain);

      password = prompt_secret (prompt, &error);
    }

  if (password == NULL)
    return wharfctl_fail ("login", error);

  if (*password == '\0')
    {
      wharfctl_secret_free (password);
      return wharfctl_usage_error ("login", _("The password is empty."));
    }

  credential = wharf_credential_new (domain, user, password);
  wharfctl_secret_free (g_steal_pointer (&password));

  client = wharf_client_new (endpoint);
  wharf_client_set_credential (client, credential);

  result = wharf_client_ping_sync (client, NULL, &error);
  if (result == NULL)
    return wharfctl_fail ("login", error);

  if (result->auth_scheme == WHARF_AUTH_SCHEME_NONE)
    {
      /* Nothing to prove the credentials against: storing them would keep a
       * secret nobody needs. */
      wharfctl_print (_("%s does not need a sign-in."), domain);
      wharfctl_print ("\n");
      return WHARFCTL_EXIT_OK;
    }

  if (!result->signed_in)
    {
      g_printerr ("wharfctl: ");
      g_printerr (_("%s did not confirm the sign-in."), domain);
      g_printerr ("\n");
      return WHARFCTL_EXIT_FAILED;
    }

  if (!wharf_credential_store_sync (credential, NULL, &error))
    return wharfctl_fail ("login", error);

  wharfctl_print ("%s\n", _("Login Succeeded"));

  return WHARFCTL_EXIT_OK;
}

int
wharfctl_logout (int    argc,
                 char **argv)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  const char *domain;

  if (!wharfctl_parse_options ("logout", _("REGISTRY"),
                               N_("Removes the credentials the keyring keeps for REGISTRY. "
                                  "Credentials in Docker’s or containers’ auth files are "
                                  "left alone."),
                               NULL, NULL, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  endpoint = wharfctl_endpoint_new (argv[1], &error);
  if (endpoint == NULL)
    return wharfctl_fail ("logout", error);
  domain = wharf_endpoint_get_domain (endpoint);

  if (!wharf_credential_forget_sync (domain, NULL, &error))
    return wharfctl_fail ("logout", error);

  wharfctl_print (_("Removed login credentials for %s"), domain);
  wharfctl_print ("\n");

  return WHARFCTL_EXIT_OK;
}

static const char *
auth_scheme_to_string (WharfAuthScheme scheme)
{
  switch (scheme)
    {
    case WHARF_AUTH_SCHEME_NONE:
      return "none";
    case WHARF_AUTH_SCHEME_BASIC:
      return "basic";
    case WHARF_AUTH_SCHEME_BEARER:
      return "bearer";
    case WHARF_AUTH_SCHEME_UNKNOWN:
    default:
      return "unknown";
    }
}

int
wharfctl_ping (int    argc,
               char **argv)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfPingResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!wharfctl_parse_options ("ping", _("REGISTRY"),
                               N_("Checks that REGISTRY speaks the v2 registry API, shows the "
                                  "URL that worked, how it signs in (none, basic or bearer) "
                                  "and whether the stored credentials are accepted."),
                               NULL, NULL, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  endpoint = wharfctl_endpoint_new (argv[1], &error);
  if (endpoint == NULL)
    return wharfctl_fail ("ping", error);

  client = wharfctl_client_new (endpoint);
  result = wharf_client_ping_sync (client, NULL, &error);
  if (result == NULL)
    return wharfctl_client_fail ("ping", client, error);

  wharfctl_print_field (0, _("URL"), result->base_url);
  wharfctl_print_field (0, _("Auth"), auth_scheme_to_string (result->auth_scheme));
  wharfctl_print_field (0, _("Signed in"), result->signed_in ? _("yes") : _("no"));
  if (result->api_version != NULL)
    wharfctl_print_field (0, _("API version"), result->api_version);

  return WHARFCTL_EXIT_OK;
}
