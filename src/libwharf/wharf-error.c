/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-error.c: the error domain every libwharf operation reports in. */

#define G_LOG_DOMAIN "wharf-error"

#include "config.h"

#include "wharf-error.h"

G_DEFINE_QUARK (wharf-error-quark, wharf_error)
