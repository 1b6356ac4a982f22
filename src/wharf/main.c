/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: the wharf program: set up translations and run the application. */

#define G_LOG_DOMAIN "wharf"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WharfApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before any thread starts: it sets an environment variable. */
  wharf_application_choose_renderer ();
  app = wharf_application_new (APP_ID, G_APPLICATION_HANDLES_COMMAND_LINE);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
