/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-list.h: the tags pane: a repository's tags in sortable columns. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-tag-model.h"

G_BEGIN_DECLS

#define WHARF_TYPE_TAG_LIST (wharf_tag_list_get_type ())

G_DECLARE_FINAL_TYPE (WharfTagList, wharf_tag_list, WHARF, TAG_LIST, GtkWidget)

/* Columns: tag (with a link icon on tags that share their image), short
 * digest, compressed size, created, platforms; every one sorts. The rows in
 * view ask the model for their details.
 *
 * Properties: "registry" (WharfRegistry, nullable, read-only: set by load),
 * "repository" (string, nullable, read-only), "selected-tag" (WharfTagItem,
 * nullable, read/write: the one selected row; NULL when none or several are —
 * the column view's model is a multi-selection, so several can be deleted
 * together). Signal "tag-activated" (WharfTagItem*): Enter or a
 * double click on a row. Action "tags.retry". */
GtkWidget        *wharf_tag_list_new                (WharfDetailsCache *cache);
/* Lists the tags of @repository in @registry (NULLs: empty, "Select a
 * Repository"). Follows the registry's client. */
void              wharf_tag_list_load               (WharfTagList      *self,
                                                     WharfRegistry     *registry,
                                                     const char        *repository);
/* Lists again and checks the rows in view (mirroring, Ctrl+R). */
void              wharf_tag_list_refresh            (WharfTagList      *self);
WharfRegistry    *wharf_tag_list_get_registry       (WharfTagList      *self);
const char       *wharf_tag_list_get_repository     (WharfTagList      *self);
WharfTagItem     *wharf_tag_list_get_selected_tag   (WharfTagList      *self);
/* Selects the row of @tag, or nothing when NULL or not listed. */
void              wharf_tag_list_select_tag         (WharfTagList      *self,
                                                     const char        *tag);

/* For tests and benchmarks. */
WharfTagModel    *wharf_tag_list_get_model          (WharfTagList      *self);
GtkSortListModel *wharf_tag_list_get_sort_model     (WharfTagList      *self);
GtkColumnView    *wharf_tag_list_get_column_view    (WharfTagList      *self);

G_END_DECLS
