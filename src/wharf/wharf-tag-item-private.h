/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-item-private.h: what WharfTagModel changes in its items. */

#pragma once

#include "wharf-tag-item.h"

G_BEGIN_DECLS

struct _WharfTagItem
{
  GObject            parent_instance;

  char              *name;
  WharfImageSummary *summary;
  char              *short_digest;
  char              *platforms;
  char              *error_message;
  char              *shared_with;
  WharfTagState      state;

  /* The model's bookkeeping. */
  guint              n_watchers;   /* rows showing it */
  guint              queued : 1;   /* waiting in the fetch queue */
  guint              in_model : 1;
  guint              verified : 1; /* checked against the registry since the last refresh */
};

void _wharf_tag_item_set_summary     (WharfTagItem      *self,
                                      WharfImageSummary *summary);
void _wharf_tag_item_set_state       (WharfTagItem      *self,
                                      WharfTagState      state,
                                      const char        *error_message);
void _wharf_tag_item_set_shared_with (WharfTagItem      *self,
                                      const char        *shared_with);

G_END_DECLS
