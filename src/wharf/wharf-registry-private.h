/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-registry-private.h: what the registry dialog needs of the model beyond
 * its public contract. */

#pragma once

#include "wharf-registry.h"

G_BEGIN_DECLS

/* Takes over the client, user and status of @from, a registry on the same
 * endpoint that was just signed in (the dialog proves new credentials with
 * the new settings before it changes anything). */
void _wharf_registry_adopt_sign_in (WharfRegistry      *self,
                                    WharfRegistry      *from);
/* Adds a registry made (and maybe signed in) beforehand, and saves. Returns
 * FALSE, adding nothing, if its address is listed already. */
gboolean _wharf_registry_store_append (WharfRegistryStore *self,
                                       WharfRegistry      *registry);

G_END_DECLS
