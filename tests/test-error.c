/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-error.c: the WHARF_ERROR domain is registered once under its documented name. */

#include "config.h"

#include "wharf-error.h"

static void
test_error_quark (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (WHARF_ERROR, !=, 0);
  g_assert_cmpuint (WHARF_ERROR, ==, wharf_error_quark ());
  g_assert_cmpstr (g_quark_to_string (WHARF_ERROR), ==, "wharf-error-quark");

  error = g_error_new_literal (WHARF_ERROR, WHARF_ERROR_NOT_FOUND, "x");
  g_assert_true (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND));
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/quark", test_error_quark);

  return g_test_run ();
}
