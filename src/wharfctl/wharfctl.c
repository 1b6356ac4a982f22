/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl.c: the command-line tool over libwharf: dispatch, global options
 * and output. */

#define G_LOG_DOMAIN "wharfctl"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "wharfctl-private.h"
#include "wharfctl-transfer.h"

#define FIELD_COLUMN 16

typedef struct
{
  const char          *name;
  const char          *summary;
  WharfctlCommandFunc  func;
} WharfctlCommand;

static const WharfctlCommand commands[] = {
  { "login",   N_("Sign in to a registry and keep the credentials in the keyring"),
    wharfctl_login },
  { "logout",  N_("Forget the credentials kept for a registry"), wharfctl_logout },
  { "ping",    N_("Check that a registry answers and how it signs in"), wharfctl_ping },
  { "ls",      N_("List the repositories of a registry"), wharfctl_ls },
  { "tags",    N_("List the tags of a repository"), wharfctl_tags },
  { "inspect", N_("Show what a manifest, index or image holds"), wharfctl_inspect },
  { "cp",      N_("Copy an image between registries, archives and layouts"), wharfctl_cmd_cp },
  { "tag",     N_("Put an image under another tag"), wharfctl_cmd_tag },
  { "rm",      N_("Delete a tag, an image or a whole repository"), wharfctl_cmd_rm },
};

/* Global options: they may come before or after the command. */
static gboolean tls_verify = TRUE;
static char *ca_file;
static gboolean insecure;
static gboolean show_version;

static gboolean stdout_failed;
static int stdout_errno;

static gboolean
parse_tls_verify (const char  *option_name,
                  const char  *value,
                  gpointer     data,
                  GError     **error)
{
  if (value == NULL
      || g_ascii_strcasecmp (value, "true") == 0
      || g_ascii_strcasecmp (value, "yes") == 0
      || g_strcmp0 (value, "1") == 0)
    tls_verify = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0
           || g_ascii_strcasecmp (value, "no") == 0
           || g_strcmp0 (value, "0") == 0)
    tls_verify = FALSE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a value for %s: use true or false."),
                   value, option_name);
      return FALSE;
    }

  return TRUE;
}

static const GOptionEntry global_entries[] = {
  { "tls-verify", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_tls_verify,
    N_("Check the registry’s TLS certificate (the default); false accepts any"), N_("BOOL") },
  { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
    N_("Also trust the certificate authority in this PEM file"), N_("FILE") },
  { "insecure", 0, 0, G_OPTION_ARG_NONE, &insecure,
    N_("Allow plain HTTP to a registry that is not on this machine"), NULL },
  { NULL }
};

/* Options of any command that take their value as the next argument: the
 * command name is the first argument that is neither an option nor such a
 * value. */
static const char * const value_options[] = {
  "--ca-file", "-u", "--username", "--platform", "-j", "--jobs", "--compress", NULL
};

gboolean
wharfctl_write (const void *data,
                gsize       len)
{
  if (stdout_failed)
    return FALSE;

  if (len > 0 && fwrite (data, 1, len, stdout) != len)
    {
      stdout_errno = errno;
      stdout_failed = TRUE;
    }

  return !stdout_failed;
}

gboolean
wharfctl_print (const char *format,
                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return wharfctl_write (text, strlen (text));
}

gboolean
wharfctl_flush (void)
{
  if (!stdout_failed && fflush (stdout) != 0)
    {
      stdout_errno = errno;
      stdout_failed = TRUE;
    }

  return !stdout_failed;
}

gboolean
wharfctl_output_closed (void)
{
  return stdout_failed && stdout_errno == EPIPE;
}

int
wharfctl_finish_output (int status)
{
  wharfctl_flush ();

  if (!stdout_failed)
    return status;

  /* The reader stopped reading (wharfctl ls | head): it has what it wanted,
   * and saying so on stderr would only be noise. */
  if (stdout_errno == EPIPE)
    return status;

  g_printerr ("wharfctl: %s\n", g_strerror (stdout_errno));
  return WHARFCTL_EXIT_FAILED;
}

void
wharfctl_print_field (guint       indent,
                      const char *label,
                      const char *value)
{
  /* An empty label continues the field above (one Env entry per line). */
  g_autofree char *heading = g_strdup_printf ("%*s%s%s", (int) indent, "", label,
                                              *label != '\0' ? ":" : "");
  glong width = g_utf8_strlen (heading, -1);
  int pad = width < FIELD_COLUMN ? FIELD_COLUMN - width : 1;

  wharfctl_print ("%s%*s%s\n", heading, pad, "", value != NULL ? value : "");
}

void
wharfctl_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

int
wharfctl_usage_error (const char *command,
                      const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("wharfctl: %s\n", message);
  if (command != NULL)
    g_printerr (_("Try “wharfctl %s --help” for more information.\n"), command);
  else
    g_printerr (_("Try “wharfctl --help” for more information.\n"));

  return WHARFCTL_EXIT_USAGE;
}

int
wharfctl_fail (const char   *command,
               const GError *error)
{
  if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE))
    return wharfctl_usage_error (command, "%s", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && wharfctl_output_closed ())
    return WHARFCTL_EXIT_OK;

  g_printerr ("wharfctl: %s\n", error->message);
  return WHARFCTL_EXIT_FAILED;
}

WharfEndpoint *
wharfctl_endpoint_new (const char  *address,
                       GError     **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;

  endpoint = wharf_endpoint_new (address, error);
  if (endpoint == NULL)
    return NULL;

  if (!tls_verify)
    wharf_endpoint_set_tls_policy (endpoint, WHARF_TLS_NO_VERIFY);
  else if (ca_file != NULL)
    wharf_endpoint_set_ca_file (endpoint, ca_file);

  if (insecure)
    wharf_endpoint_set_allow_insecure (endpoint, TRUE);

  return g_steal_pointer (&endpoint);
}

WharfClient *
wharfctl_client_new (WharfEndpoint *endpoint)
{
  g_autoptr(WharfClient) client = wharf_client_new (endpoint);
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = wharf_credential_lookup_sync (wharf_endpoint_get_domain (endpoint),
                                             NULL, &error);
  if (credential != NULL)
    {
      g_debug ("Using the credential of %s from source %d",
               wharf_endpoint_get_domain (endpoint), credential->source);
      wharf_client_set_credential (client, credential);
    }
  else if (error != NULL)
    {
      /* Going on anonymously still works for public content; the reason is
       * only shown if the registry then asks for a sign-in. */
      g_debug ("Looking up credentials failed: %s", error->message);
      g_object_set_data_full (G_OBJECT (client), "wharfctl-lookup-error",
                              g_steal_pointer (&error), (GDestroyNotify) g_error_free);
    }

  return g_steal_pointer (&client);
}

WharfClient *
wharfctl_client_new_for_reference (const WharfReference  *ref,
                                   GError               **error)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;

  endpoint = wharfctl_endpoint_new (ref->domain, error);
  if (endpoint == NULL)
    return NULL;

  return wharfctl_client_new (endpoint);
}

int
wharfctl_client_fail (const char   *command,
                      WharfClient  *client,
                      const GError *error)
{
  const GError *lookup_error = NULL;

  if (client != NULL)
    lookup_error = g_object_get_data (G_OBJECT (client), "wharfctl-lookup-error");

  if (lookup_error != NULL && g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED))
    return wharfctl_fail (command, lookup_error);

  return wharfctl_fail (command, error);
}

gboolean
wharfctl_parse_options (const char          *command,
                        const char          *parameter_string,
                        const char          *summary,
                        const char          *description,
                        const GOptionEntry  *entries,
                        guint                n_args,
                        int                 *argc,
                        char              ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameters = g_strdup_printf ("%s %s", command, parameter_string);

  context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      wharfctl_usage_error (command, "%s", error->message);
      return FALSE;
    }

  /* A lone "--" is left in place by GOption when it ends the options. */
  if (*argc > 1 && g_strcmp0 ((*argv)[1], "--") == 0)
    {
      memmove (&(*argv)[1], &(*argv)[2], sizeof (char *) * (*argc - 1));
      *argc -= 1;
    }

  if ((guint) *argc - 1 < n_args)
    {
      wharfctl_usage_error (command, _("“%s” needs %s."), command, parameter_string);
      return FALSE;
    }

  if ((guint) *argc - 1 > n_args)
    {
      wharfctl_usage_error (command, _("Unexpected argument “%s”."), (*argv)[n_args + 1]);
      return FALSE;
    }

  return TRUE;
}

static void
print_commands (FILE *stream)
{
  fprintf (stream, "%s\n  wharfctl [%s] %s [%s]\n\n%s\n",
           _("Usage:"), _("OPTION…"), _("COMMAND"), _("ARGUMENT…"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("Run “wharfctl COMMAND --help” for a command’s options."));
}

static int
run_without_command (int    argc,
                     char **argv)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &show_version, N_("Show the version"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean help = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_strcmp0 (argv[i], "--help") == 0 || g_strcmp0 (argv[i], "-h") == 0
          || g_strcmp0 (argv[i], "-?") == 0)
        help = TRUE;
    }

  if (help)
    {
      print_commands (stdout);
      return wharfctl_finish_output (WHARFCTL_EXIT_OK);
    }

  context = g_option_context_new (NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return wharfctl_usage_error (NULL, "%s", error->message);

  if (show_version)
    {
      wharfctl_print ("wharfctl %s\n", PACKAGE_VERSION);
      return wharfctl_finish_output (WHARFCTL_EXIT_OK);
    }

  print_commands (stderr);
  return WHARFCTL_EXIT_USAGE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char **args = NULL;
  const char *name = NULL;
  int command_index = -1;
  int separator_index = -1;
  int n_args = 0;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("wharfctl");

  /* stdout is data (wharfctl inspect --raw > file): G_MESSAGES_DEBUG output
   * must not end up in it. */
  g_log_writer_default_set_use_stderr (TRUE);

  /* A closed stdout is handled as EPIPE from the writes; the default action
   * would also kill us while writing to a credential helper that quit. */
  signal (SIGPIPE, SIG_IGN);

  for (int i = 1; i < argc; i++)
    {
      if (g_strcmp0 (argv[i], "--") == 0)
        {
          separator_index = i;
          if (i + 1 < argc)
            command_index = i + 1;
          break;
        }

      if (argv[i][0] != '-' || argv[i][1] == '\0')
        {
          command_index = i;
          break;
        }

      if (g_strv_contains (value_options, argv[i]))
        i++;
    }

  if (command_index < 0)
    return run_without_command (argc, argv);

  name = argv[command_index];

  /* The command's own argv, without the command name, and as a copy of the
   * pointer array because GOption rearranges it. */
  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    {
      if (i != command_index && i != separator_index)
        args[n_args++] = argv[i];
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_strcmp0 (commands[i].name, name) == 0)
        {
          int status = commands[i].func (n_args, args);

          return wharfctl_finish_output (status);
        }
    }

  return wharfctl_usage_error (NULL, _("“%s” is not a wharfctl command."), name);
}
