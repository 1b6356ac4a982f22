/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-model.h: the tags of one repository, with image details fetched lazily. */

#pragma once

#include <gio/gio.h>

#include "wharf-client.h"
#include "wharf-details-cache.h"
#include "wharf-tag-item.h"

G_BEGIN_DECLS

#define WHARF_TYPE_TAG_MODEL (wharf_tag_model_get_type ())

G_DECLARE_FINAL_TYPE (WharfTagModel, wharf_tag_model, WHARF, TAG_MODEL, GObject)

/* A GListModel of WharfTagItem sorted by tag. Properties:
 *   "cache"       WharfDetailsCache (construct)
 *   "client"      WharfClient, nullable; "repository" string, nullable
 *   "loading"     boolean: the tag list is being fetched (first load only;
 *                 a refresh keeps the rows and does not set it)
 *   "error"       GError (boxed), nullable: why the last tag list failed
 *   "n-fetching"  uint: detail fetches running or queued
 * Signal "item-updated" (WharfTagItem*): an item's details changed.
 *
 * Details are fetched only for items asked for, at most four at a time:
 * GET the manifest by tag (HEAD when the disk cache already knows the tag, so
 * an unchanged image costs one HEAD); an index gives its platforms, an image
 * its size and, from its config, the creation time and platform. Summaries
 * go to the cache by digest. */
WharfTagModel *wharf_tag_model_new              (WharfDetailsCache *cache);
WharfClient   *wharf_tag_model_get_client       (WharfTagModel     *self);
const char    *wharf_tag_model_get_repository   (WharfTagModel     *self);
/* Empties the model and lists the tags of @repository (NULLs: stays empty). */
void           wharf_tag_model_load             (WharfTagModel     *self,
                                                 WharfClient       *client,
                                                 const char        *repository);
/* Lists the tags again and merges: new tags appear, deleted ones go, and the
 * watched items are checked again with HEAD. What mirroring runs every 30 s. */
void           wharf_tag_model_refresh          (WharfTagModel     *self);
gboolean       wharf_tag_model_get_loading      (WharfTagModel     *self);
const GError  *wharf_tag_model_get_error        (WharfTagModel     *self);
guint          wharf_tag_model_get_n_fetching   (WharfTagModel     *self);
WharfTagItem  *wharf_tag_model_find             (WharfTagModel     *self,
                                                 const char        *tag,
                                                 guint             *position);
/* A row shows @item: fetch its details if not checked yet, and check it again
 * at each refresh while watched. Balance with unwatch. */
void           wharf_tag_model_watch            (WharfTagModel     *self,
                                                 WharfTagItem      *item);
void           wharf_tag_model_unwatch          (WharfTagModel     *self,
                                                 WharfTagItem      *item);
/* Fetches the details of every item (sorting by a detail column needs them). */
void           wharf_tag_model_fetch_all        (WharfTagModel     *self);
/* In place, without listing the tags again (after a delete, an undo, a copy,
 * a new tag): add puts a row at its place in the registry's order, or checks
 * a listed tag again, as it may point to another image now; remove drops it.
 * Both do nothing without a repository. */
void           wharf_tag_model_add_tag          (WharfTagModel     *self,
                                                 const char        *tag);
void           wharf_tag_model_remove_tag       (WharfTagModel     *self,
                                                 const char        *tag);

G_END_DECLS
