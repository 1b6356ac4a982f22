/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-repository-list.h: the repositories pane: a registry's catalog, filtered as you type. */

#pragma once

#include <adwaita.h>

#include "wharf-registry.h"
#include "wharf-repository-model.h"

G_BEGIN_DECLS

#define WHARF_TYPE_REPOSITORY_LIST (wharf_repository_list_get_type ())

G_DECLARE_FINAL_TYPE (WharfRepositoryList, wharf_repository_list,
                      WHARF, REPOSITORY_LIST, GtkWidget)

/* Properties:
 *   "registry"            WharfRegistry, nullable: whose catalog to list
 *                         (follows its "client")
 *   "selected-repository" string, nullable: the repository the user opened
 *                         (a filter that hides its row does not close it)
 *   "hide-empty"          boolean: hide repositories known to have no tag
 *   "folded"              boolean: the leaflet is folded (back button and
 *                         window buttons show)
 * Signal "repository-activated" (const char *name): the user picked one.
 * Actions: "repositories.search" (Ctrl+F), "repositories.hide-empty",
 * "repositories.retry", "repositories.open-by-name". */
GtkWidget            *wharf_repository_list_new               (void);
WharfRegistry        *wharf_repository_list_get_registry      (WharfRepositoryList *self);
void                  wharf_repository_list_set_registry      (WharfRepositoryList *self,
                                                               WharfRegistry       *registry);
const char           *wharf_repository_list_get_selected_repository
                                                              (WharfRepositoryList *self);
/* Opens @name at once and selects its row when the catalog lists it. */
void                  wharf_repository_list_select_repository (WharfRepositoryList *self,
                                                               const char          *name);
/* Lists the catalog again, keeping the rows that stay. */
void                  wharf_repository_list_reload            (WharfRepositoryList *self);
/* Shows the search bar and focuses its entry. */
void                  wharf_repository_list_start_search      (WharfRepositoryList *self);
void                  wharf_repository_list_set_search_text   (WharfRepositoryList *self,
                                                               const char          *text);

/* For tests and benchmarks: the catalog, what the filter lets through (the
 * list view's model), and the view. */
WharfRepositoryModel *wharf_repository_list_get_model         (WharfRepositoryList *self);
GtkFilterListModel   *wharf_repository_list_get_filter_model  (WharfRepositoryList *self);
GtkListView          *wharf_repository_list_get_list_view     (WharfRepositoryList *self);
/* "2,500 repositories", "12 of 2,500 repositories": the header's subtitle. */
const char           *wharf_repository_list_get_count_text    (WharfRepositoryList *self);

G_END_DECLS
