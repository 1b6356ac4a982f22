/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-repository-model.h: a registry's catalog as a list model that fills page by page. */

#pragma once

#include <gio/gio.h>

#include "wharf-client.h"

G_BEGIN_DECLS

#define WHARF_TYPE_REPOSITORY_ITEM (wharf_repository_item_get_type ())

G_DECLARE_FINAL_TYPE (WharfRepositoryItem, wharf_repository_item, WHARF, REPOSITORY_ITEM, GObject)

/* Properties: "name" (construct), "tag-count" (int, -1 until known; notify),
 * "empty" (boolean, TRUE once it is known to have no tag; notify). */
WharfRepositoryItem *wharf_repository_item_new           (const char          *name);
const char          *wharf_repository_item_get_name      (WharfRepositoryItem *self);
int                  wharf_repository_item_get_tag_count (WharfRepositoryItem *self);
gboolean             wharf_repository_item_get_empty     (WharfRepositoryItem *self);
void                 wharf_repository_item_set_tag_count (WharfRepositoryItem *self,
                                                          int                  tag_count);

#define WHARF_TYPE_REPOSITORY_MODEL (wharf_repository_model_get_type ())

G_DECLARE_FINAL_TYPE (WharfRepositoryModel, wharf_repository_model,
                      WHARF, REPOSITORY_MODEL, GObject)

/* A GListModel of WharfRepositoryItem in the registry's order. Properties:
 *   "client"   WharfClient, nullable: setting it empties the model and lists
 *              that registry's catalog (NULL: stays empty)
 *   "loading"  boolean: a listing is under way
 *   "complete" boolean: the whole catalog is listed
 *   "error"    GError (boxed), nullable: why the last listing failed
 *              (WHARF_ERROR_NO_CATALOG for a registry without a catalog)
 *   "n-items"  uint
 *   "count-all" boolean, read-write: count every repository's tags, not only
 *              those asked for (to hide the repositories without tags)
 *   "n-checked" uint: how many repositories have had their tags looked at,
 *              whatever the answer
 * Each catalog page arrives as one items-changed, so the first rows show while
 * later pages load. Tag counts are fetched on request, a few at a time, the
 * newest request first; with "count-all", the rest follow in the catalog's
 * order, on pages as they arrive. Signal "item-counted"
 * (WharfRepositoryItem*) tells when one is known. */
WharfRepositoryModel *wharf_repository_model_new             (void);
WharfClient          *wharf_repository_model_get_client      (WharfRepositoryModel *self);
void                  wharf_repository_model_set_client      (WharfRepositoryModel *self,
                                                              WharfClient          *client);
gboolean              wharf_repository_model_get_loading     (WharfRepositoryModel *self);
gboolean              wharf_repository_model_get_complete    (WharfRepositoryModel *self);
const GError         *wharf_repository_model_get_error       (WharfRepositoryModel *self);
/* Lists the catalog again and merges it in: items that stay keep their
 * identity (and tag counts), so selection and scrolling survive. */
void                  wharf_repository_model_reload          (WharfRepositoryModel *self);
/* Stops listing and fetching; the items stay. */
void                  wharf_repository_model_cancel          (WharfRepositoryModel *self);
/* The item named @name, or NULL. */
WharfRepositoryItem  *wharf_repository_model_find            (WharfRepositoryModel *self,
                                                              const char           *name,
                                                              guint                *position);
/* Queues a tag count for @item (a row came into view). Cheap to call again. */
void                  wharf_repository_model_request_tag_count (WharfRepositoryModel *self,
                                                                WharfRepositoryItem  *item);
void                  wharf_repository_model_set_count_all   (WharfRepositoryModel *self,
                                                              gboolean              count_all);
gboolean              wharf_repository_model_get_count_all   (WharfRepositoryModel *self);
guint                 wharf_repository_model_get_n_checked   (WharfRepositoryModel *self);

G_END_DECLS
