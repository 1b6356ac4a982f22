/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-private.h: what the wharfctl command files share. */

#pragma once

#include <glib.h>

#include "wharf.h"

G_BEGIN_DECLS

typedef enum
{
  WHARFCTL_EXIT_OK     = 0,
  WHARFCTL_EXIT_FAILED = 1,
  WHARFCTL_EXIT_USAGE  = 2,
} WharfctlExit;

/* A command's entry point: @argv[0] is "wharfctl", the command name is
 * already removed, and the global options are parsed with the rest. */
typedef int (*WharfctlCommandFunc) (int    argc,
                                    char **argv);

int             wharfctl_login                 (int                  argc,
                                                char               **argv);
int             wharfctl_logout                (int                  argc,
                                                char               **argv);
int             wharfctl_ping                  (int                  argc,
                                                char               **argv);
int             wharfctl_ls                    (int                  argc,
                                                char               **argv);
int             wharfctl_tags                  (int                  argc,
                                                char               **argv);
int             wharfctl_inspect               (int                  argc,
                                                char               **argv);

/* Parses @argv with the command's @entries and the global options, and
 * checks that exactly @n_args arguments are left. On --help it exits; on a
 * usage error it prints the sentence and a hint and returns FALSE. */
gboolean        wharfctl_parse_options         (const char          *command,
                                                const char          *parameter_string,
                                                const char          *summary,
                                                const char          *description,
                                                const GOptionEntry  *entries,
                                                guint                n_args,
                                                int                 *argc,
                                                char              ***argv);

/* Prints "wharfctl: <sentence>" and a hint to run --help; returns 2. */
int             wharfctl_usage_error           (const char          *command,
                                                const char          *format,
                                                ...) G_GNUC_PRINTF (2, 3);
/* Prints the error's sentence; returns 2 for a reference that breaks the
 * grammar (the user typed it), else 1. Quiet when stdout was closed. */
int             wharfctl_fail                  (const char          *command,
                                                const GError        *error);

/* An endpoint for an address the user typed, with the global TLS options
 * applied. */
WharfEndpoint  *wharfctl_endpoint_new          (const char          *address,
                                                GError             **error);
/* A client for @endpoint signed in with whatever credential is known for
 * its domain, else anonymous. */
WharfClient    *wharfctl_client_new            (WharfEndpoint       *endpoint);
/* The same, for the registry a reference points to. */
WharfClient    *wharfctl_client_new_for_reference (const WharfReference *ref,
                                                   GError             **error);
/* Maps an operation's failure to an exit code, replacing a "sign in"
 * sentence by the keyring trouble that hid the stored credential. */
int             wharfctl_client_fail           (const char          *command,
                                                WharfClient         *client,
                                                const GError        *error);

/* Standard output that notices a reader that went away (wharfctl ls | head):
 * every write after that is a no-op, and the command ends quietly. */
gboolean        wharfctl_write                 (const void          *data,
                                                gsize                len);
gboolean        wharfctl_print                 (const char          *format,
                                                ...) G_GNUC_PRINTF (1, 2);
gboolean        wharfctl_flush                 (void);
gboolean        wharfctl_output_closed         (void);
/* Flushes stdout and turns a write failure into an exit code. */
int             wharfctl_finish_output         (int                  status);

/* "Label:" padded to a column, then the value, for human output. */
void            wharfctl_print_field           (guint                indent,
                                                const char          *label,
                                                const char          *value);

/* Overwrites a secret before it is freed. */
void            wharfctl_secret_free           (char                *secret);

G_END_DECLS
