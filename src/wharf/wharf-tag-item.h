/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-item.h: one tag of a repository and what is known so far of its image. */

#pragma once

#include <gio/gio.h>

#include "wharf-details-cache.h"

G_BEGIN_DECLS

typedef enum
{
  WHARF_TAG_STATE_NEW,      /* only the name is known */
  WHARF_TAG_STATE_CACHED,   /* details from the disk cache, not checked yet */
  WHARF_TAG_STATE_LOADING,
  WHARF_TAG_STATE_LOADED,   /* details checked against the registry */
  WHARF_TAG_STATE_FAILED,   /* see "error-message" */
} WharfTagState;

#define WHARF_TYPE_TAG_STATE (wharf_tag_state_get_type ())
GType wharf_tag_state_get_type (void) G_GNUC_CONST;

#define WHARF_TYPE_TAG_ITEM (wharf_tag_item_get_type ())

G_DECLARE_FINAL_TYPE (WharfTagItem, wharf_tag_item, WHARF, TAG_ITEM, GObject)

/* Properties, all read-only but "name" construct, notified on change:
 *   "name"          the tag
 *   "summary"       WharfImageSummary, nullable
 *   "digest"        nullable; "short-digest" ("e3b0c44298fc") or ""
 *   "media-type"    "" when unknown
 *   "size"          int64, compressed size, -1 when unknown
 *   "created"       GDateTime, nullable; "created-unix" int64, G_MININT64 when unknown
 *   "platforms"     "amd64 · arm64/v8", "" when unknown
 *   "state"         WharfTagState; "error-message" for FAILED
 *   "shared-with"   "latest, v1.2": the other tags of this repository with the
 *                   same digest, "" when none
 * Only WharfTagModel sets them. */
WharfTagItem      *wharf_tag_item_new               (const char   *name);
const char        *wharf_tag_item_get_name          (WharfTagItem *self);
WharfImageSummary *wharf_tag_item_get_summary       (WharfTagItem *self);
const char        *wharf_tag_item_get_digest        (WharfTagItem *self);
const char        *wharf_tag_item_get_media_type    (WharfTagItem *self);
gint64             wharf_tag_item_get_size          (WharfTagItem *self);
GDateTime         *wharf_tag_item_get_created       (WharfTagItem *self);
const char        *wharf_tag_item_get_platforms     (WharfTagItem *self);
/* For an index: the platform ("amd64") whose image the size and created
 * date are of; NULL otherwise. */
const char        *wharf_tag_item_get_size_platform (WharfTagItem *self);
WharfTagState      wharf_tag_item_get_state         (WharfTagItem *self);
const char        *wharf_tag_item_get_error_message (WharfTagItem *self);
const char        *wharf_tag_item_get_shared_with   (WharfTagItem *self);

G_END_DECLS
