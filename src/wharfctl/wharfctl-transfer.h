/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-transfer.h: wharfctl cp, rm and tag. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int wharfctl_cmd_cp  (int    argc,
                      char **argv);
int wharfctl_cmd_rm  (int    argc,
                      char **argv);
int wharfctl_cmd_tag (int    argc,
                      char **argv);

G_END_DECLS
