/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl.c: the command-line tool over libwharf. */

int
main (int    argc,
      char **argv)
{
  return 0;
}
