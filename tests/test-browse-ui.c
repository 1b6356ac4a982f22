/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-browse-ui.c: the real window browsing real registries under Xvfb:
 * repositories, filter, tag columns, details, states, reload. */

#define G_LOG_DOMAIN "test-browse-ui"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-row-model.h"
#include "wharf-window.h"

#include "wharf-test-ui.h"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 60

static WharfApplication *app;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  (*(guint *) data)++;
}

static gboolean
has_painted_twice (gpointer data)
{
  return *(guint *) data >= 2;
}

/* Lets the window lay out and draw what changed: rows are bound to items
 * only in a layout pass. */
static void
wait_for_frames (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint paints = 0;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paints);
  gtk_widget_queue_draw (widget);
  gtk_widget_queue_resize (widget);
  g_assert_true (wharf_test_ui_wait_for (has_painted_twice, &paints));
  g_signal_handler_disconnect (clock, handler);
}

/* Not wharf_test_ui_present_main_window(): the lists need a layout pass and two frames. */
static WharfWindow *
present_main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (WHARF_IS_WINDOW (window));
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_mapped, window));
  wait_for_frames (GTK_WIDGET (window));

  return WHARF_WINDOW (window);
}

/* A drawn cell or label showing exactly @text, or NULL. */
static GtkWidget *
find_text (gpointer    widget,
           const char *text)
{
  g_autoptr(GPtrArray) inscriptions = wharf_test_ui_find_all (widget, GTK_TYPE_INSCRIPTION);
  g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (widget, GTK_TYPE_LABEL);

  for (guint i = 0; i < inscriptions->len; i++)
    {
      GtkInscription *inscription = g_ptr_array_index (inscriptions, i);

      if (g_strcmp0 (gtk_inscription_get_text (inscription), text) == 0
          && gtk_widget_get_mapped (GTK_WIDGET (inscription)))
        return GTK_WIDGET (inscription);
    }

  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);

      if (g_strcmp0 (gtk_label_get_text (label), text) == 0
          && gtk_widget_get_mapped (GTK_WIDGET (label)))
        return GTK_WIDGET (label);
    }

  return NULL;
}

/* The value a details row shows next to its title. */
static const char *
row_value (AdwActionRow *row)
{
  g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (row, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (g_strcmp0 (gtk_widget_get_name (label), "value") == 0)
        return gtk_label_get_text (GTK_LABEL (label));
    }

  return NULL;
}

/* Rows are bound to items only in a layout pass: lay out first. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  wait_for_frames (widget);
  wharf_test_ui_save_screenshot (widget, name);
}

static guint
n_repositories (WharfRepositoryList *list)
{
  return g_list_model_get_n_items (G_LIST_MODEL (wharf_repository_list_get_model (list)));
}

static guint
n_shown (WharfRepositoryList *list)
{
  return g_list_model_get_n_items (G_LIST_MODEL (wharf_repository_list_get_filter_model (list)));
}

/* What the row widgets of the repository list show: every inscription's
 * text, in no particular order. */
static GPtrArray *
row_texts (WharfRepositoryList *list)
{
  g_autoptr(GPtrArray) inscriptions = wharf_test_ui_find_all (wharf_repository_list_get_list_view (list),
                                                              GTK_TYPE_INSCRIPTION);
  GPtrArray *texts = g_ptr_array_new ();

  for (guint i = 0; i < inscriptions->len; i++)
    if (gtk_inscription_get_text (inscriptions->pdata[i]) != NULL)
      g_ptr_array_add (texts, (gpointer) gtk_inscription_get_text (inscriptions->pdata[i]));

  return texts;
}

static gboolean
rows_caught_up (gpointer data)
{
  WharfRepositoryList *list = data;
  GListModel *view_model = G_LIST_MODEL (gtk_list_view_get_model (wharf_repository_list_get_list_view (list)));

  return g_list_model_get_n_items (view_model) == n_shown (list);
}

/* The row widgets show the filtered repositories: those that showed others
 * were given the new ones (the rows out of view in the turn after a frame),
 * and none is left over. */
static void
assert_rows_match (WharfRepositoryList *list,
                   const char          *needle)
{
  g_autoptr(GPtrArray) texts = NULL;

  g_assert_true (wharf_test_ui_wait_for (rows_caught_up, list));
  wait_for_frames (GTK_WIDGET (list));
  wharf_test_ui_drain ();
  texts = row_texts (list);
  /* GTK 4.8 keeps widgets for 200 rows and a few more around them. */
  if (n_shown (list) <= 200)
    g_assert_cmpuint (texts->len, ==, n_shown (list));
  else
    g_assert_cmpuint (texts->len, >=, 200);
  for (guint i = 0; i < texts->len; i++)
    g_assert_nonnull (strstr (texts->pdata[i], needle));
}

/* Right after a keystroke, before the main loop turns: the rows in view
 * (mapped) already show matching repositories, at least one of them. */
static void
assert_rows_in_view_match (WharfRepositoryList *list,
                           const char          *needle)
{
  g_autoptr(GPtrArray) inscriptions = wharf_test_ui_find_all (wharf_repository_list_get_list_view (list),
                                                              GTK_TYPE_INSCRIPTION);
  guint n_mapped = 0;

  for (guint i = 0; i < inscriptions->len; i++)
    {
      const char *text = gtk_inscription_get_text (inscriptions->pdata[i]);

      if (!gtk_widget_get_mapped (inscriptions->pdata[i]))
        continue;
      n_mapped++;
      g_assert_nonnull (text);
      g_assert_nonnull (strstr (text, needle));
    }
  g_assert_cmpuint (n_mapped, >, 0);
}

/* Right after a keystroke that narrowed the list, before the main loop
 * turns: the rows past the new end stay as spares for a few turns (see
 * wharf-row-model.h), hidden, taking no room; the rows that show, show
 * only matching repositories. */
static void
assert_spares_hidden (WharfRepositoryList *list,
                      const char          *needle)
{
  GtkListView *view = wharf_repository_list_get_list_view (list);
  GListModel *view_model = G_LIST_MODEL (gtk_list_view_get_model (view));
  g_autoptr(GPtrArray) inscriptions = wharf_test_ui_find_all (view, GTK_TYPE_INSCRIPTION);
  guint n_visible = 0;
  int row_height = 0;
  int min, nat;

  g_assert_cmpuint (g_list_model_get_n_items (view_model), >, n_shown (list));
  for (guint i = 0; i < inscriptions->len; i++)
    {
      GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (inscriptions->pdata[i]));
      const char *text = gtk_inscription_get_text (inscriptions->pdata[i]);

      g_assert_true (gtk_widget_get_parent (row) == GTK_WIDGET (view));
      if (!gtk_widget_get_visible (row))
        continue;
      n_visible++;
      g_assert_nonnull (text);
      g_assert_nonnull (strstr (text, needle));
      gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
      row_height = MAX (row_height, nat);
    }
  g_assert_cmpuint (n_visible, ==, n_shown (list));
  g_assert_cmpint (row_height, >, 0);

  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (GTK_WIDGET (view)), &min, &nat, NULL, NULL);
  g_assert_cmpint (nat, <, ((int) n_shown (list) + 1) * row_height);
}

typedef struct
{
  WharfRepositoryList *list;
  gint64               last_count;   /* when the last tag count came */
} QuietWait;

static void
item_counted_cb (WharfRepositoryModel *model,
                 WharfRepositoryItem  *item,
                 QuietWait            *wait)
{
  wait->last_count = g_get_monotonic_time ();
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The first row has its count, and no other count came for half a second:
 * what was asked for is done. */
static gboolean
counts_quiet (gpointer data)
{
  QuietWait *wait = data;
  g_autoptr(WharfRepositoryItem) first =
    g_list_model_get_item (G_LIST_MODEL (wharf_repository_list_get_filter_model (wait->list)), 0);

  return wharf_repository_item_get_tag_count (first) >= 0
         && g_get_monotonic_time () - wait->last_count > G_USEC_PER_SEC / 2;
}

/* Tag counts are asked for the rows in view. GTK 4.8 also keeps row
 * widgets for rows out of view (up to 200): those ask nothing, so the
 * counts in view are not queued behind theirs. */
static void
assert_counts_asked_in_view (WharfRepositoryList *list)
{
  GListModel *shown = G_LIST_MODEL (wharf_repository_list_get_filter_model (list));
  WharfRepositoryModel *model = wharf_repository_list_get_model (list);
  g_autoptr(GPtrArray) inscriptions = NULL;
  g_autoptr(WharfRepositoryItem) below = g_list_model_get_item (shown, 150);
  QuietWait wait = { list, g_get_monotonic_time () };
  GtkWidget *below_row = NULL;
  gulong handler;
  guint tick;

  g_assert_true (wharf_test_ui_wait_for (rows_caught_up, list));
  handler = g_signal_connect (model, "item-counted", G_CALLBACK (item_counted_cb), &wait);
  tick = g_timeout_add (50, tick_cb, NULL);
  g_assert_true (wharf_test_ui_wait_for (counts_quiet, &wait));
  g_source_remove (tick);
  g_signal_handler_disconnect (model, handler);

  /* A row far below the fold that has a widget all the same, not mapped,
   * and no count. */
  inscriptions = wharf_test_ui_find_all (wharf_repository_list_get_list_view (list),
                                         GTK_TYPE_INSCRIPTION);
  for (guint i = 0; i < inscriptions->len; i++)
    if (g_strcmp0 (gtk_inscription_get_text (inscriptions->pdata[i]),
                   wharf_repository_item_get_name (below)) == 0)
      below_row = inscriptions->pdata[i];
  g_assert_nonnull (below_row);
  g_assert_false (gtk_widget_get_mapped (below_row));
  g_assert_cmpint (wharf_repository_item_get_tag_count (below), ==, -1);
}

/* The list's selection is on the row that shows @name. */
static void
assert_selected_row (WharfRepositoryList *list,
                     const char          *name)
{
  GtkSingleSelection *selection =
    GTK_SINGLE_SELECTION (gtk_list_view_get_model (wharf_repository_list_get_list_view (list)));
  WharfRow *row = gtk_single_selection_get_selected_item (selection);

  g_assert_nonnull (row);
  g_assert_cmpstr (wharf_repository_item_get_name (wharf_row_get_item (row)), ==, name);
}

/* Conditions */

static gboolean
repositories_listed (gpointer data)
{
  WharfRepositoryList *list = data;
  WharfRepositoryModel *model = wharf_repository_list_get_model (list);

  return wharf_repository_model_get_complete (model)
         && !wharf_repository_model_get_loading (model)
         && gtk_filter_list_model_get_pending (wharf_repository_list_get_filter_model (list)) == 0;
}

static gboolean
filter_done (gpointer data)
{
  return gtk_filter_list_model_get_pending (wharf_repository_list_get_filter_model (data)) == 0;
}

typedef struct
{
  WharfTagList *list;
  const char   *tag;
} TagWait;

static gboolean
tag_loaded (gpointer data)
{
  TagWait *wait = data;
  WharfTagItem *item = wharf_tag_model_find (wharf_tag_list_get_model (wait->list),
                                             wait->tag, NULL);

  return item != NULL && wharf_tag_item_get_state (item) == WHARF_TAG_STATE_LOADED;
}

static gboolean
details_loaded (gpointer data)
{
  WharfImageDetails *details = data;

  return !wharf_image_details_get_loading (details)
         && wharf_image_details_get_digest (details) != NULL;
}

typedef struct
{
  gpointer    widget;
  const char *text;
} TextWait;

static gboolean
text_shown (gpointer data)
{
  TextWait *wait = data;

  return find_text (wait->widget, wait->text) != NULL;
}

typedef struct
{
  WharfRepositoryList *list;
  const char          *text;
} CountTextWait;

static gboolean
count_text_is (gpointer data)
{
  CountTextWait *wait = data;

  return g_strcmp0 (wharf_repository_list_get_count_text (wait->list), wait->text) == 0;
}

typedef struct
{
  AdwStatusPage *page;
  const char    *title;
} StatusWait;

static gboolean
status_title_is (gpointer data)
{
  StatusWait *wait = data;

  return gtk_widget_get_mapped (GTK_WIDGET (wait->page))
         && g_strcmp0 (adw_status_page_get_title (wait->page), wait->title) == 0;
}

static void
open_repository (WharfWindow *window,
                 const char  *repository)
{
  wharf_repository_list_select_repository (wharf_window_get_repository_list (window),
                                           repository);
  g_assert_cmpstr (wharf_tag_list_get_repository (wharf_window_get_tag_list (window)),
                   ==, repository);
}

/* Tests */

static void
test_browse_plain (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  const char *platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  g_autofree char *web = NULL;
  g_autofree char *multi = NULL;
  g_autofree char *short_web = NULL;
  g_autofree char *pull_command = NULL;
  g_autofree char *clipboard_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WharfManifest) web_manifest = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autofree char *size_text = NULL;
  WharfWindow *window;
  WharfRepositoryList *list;
  WharfTagList *tags;
  WharfImageDetails *details;
  WharfTagItem *latest;
  GtkWidget *link;
  AdwActionRow *row;
  TagWait tag_wait;
  TextWait text_wait;

  g_test_summary ("Select a registry: repositories listed and filtered; open a repository: "
                  "tag columns filled; pick a tag: details; a new tag shows after a reload.");

  wharf_test_registry_seed_repositories (reg, "seeded/repo", 300);
  web = wharf_test_registry_push_image (reg, "apps/web", "latest", 2, 4096, "linux/amd64", TRUE);
  wharf_test_registry_tag (reg, "apps/web", web, "v1");
  multi = wharf_test_registry_push_index (reg, "apps/multi", "latest", platforms, TRUE);
  wharf_test_registry_make_empty (reg, "apps/empty");
  /* Last in the catalog, far out of view. */
  wharf_test_registry_make_empty (reg, "zz/empty");

  endpoint = wharf_endpoint_new (wharf_test_registry_get_address (reg), &error);
  g_assert_no_error (error);
  client = wharf_client_new (endpoint);
  web_manifest = wharf_client_fetch_manifest_sync (client, "apps/web", web, NULL, &error);
  g_assert_no_error (error);

  window = present_main_window ();
  list = wharf_window_get_repository_list (window);
  tags = wharf_window_get_tag_list (window);
  details = wharf_window_get_image_details (window);

  /* Repositories: all of them, counted, the first rows drawn. */
  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (reg),
                                               &error));
  g_assert_no_error (error);
  g_assert_true (wharf_test_ui_wait_for (repositories_listed, list));
  g_assert_cmpuint (n_repositories (list),
                    ==, 304);
  g_assert_cmpuint (n_shown (list),
                    ==, 304);
  g_assert_cmpstr (wharf_repository_list_get_count_text (list), ==, "304 repositories");
  text_wait.widget = wharf_repository_list_get_list_view (list);
  text_wait.text = "apps/multi";
  g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));

  /* A repository in view without tags is marked as such… */
  text_wait.text = "No tags";
  g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));
  {
    GtkListView *view = wharf_repository_list_get_list_view (list);

    g_assert_true (gtk_widget_get_prev_sibling (find_text (view, "No tags"))
                   == find_text (view, "apps/empty"));
  }
  assert_counts_asked_in_view (list);
  save_screenshot (GTK_WIDGET (window), "browse-repositories.png");

  /* …and can be hidden: all of them, also those never in view, once
   * every repository's tags have been looked at, which the count follows. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "repositories.hide-empty", NULL));
  {
    g_autofree char *prefix = g_strdup_printf ("%u of 304 repositories checked for tags",
                                               wharf_repository_model_get_n_checked (wharf_repository_list_get_model (list)));

    g_assert_cmpuint (wharf_repository_model_get_n_checked (wharf_repository_list_get_model (list)),
                      <, 304);
    g_assert_cmpstr (wharf_repository_list_get_count_text (list), ==, prefix);
  }
  {
    CountTextWait count_wait = { list, "302 of 304 repositories" };

    g_assert_true (wharf_test_ui_wait_for (count_text_is, &count_wait));
  }
  g_assert_cmpuint (n_shown (list),
                    ==, 302);
  {
    g_autoptr(WharfRepositoryItem) last = g_list_model_get_item (G_LIST_MODEL (wharf_repository_list_get_filter_model (list)), 301);

    g_assert_cmpstr (wharf_repository_item_get_name (last), !=, "zz/empty");
    g_assert_true (wharf_repository_item_get_empty (wharf_repository_model_find (wharf_repository_list_get_model (list),
                                                                                  "zz/empty", NULL)));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "repositories.hide-empty", NULL));
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  g_assert_cmpuint (n_shown (list),
                    ==, 304);
  g_assert_cmpstr (wharf_repository_list_get_count_text (list), ==, "304 repositories");

  /* Ctrl+F opens the search bar with the focus in it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  {
    GtkWidget *entry = wharf_test_ui_find_one (list, GTK_TYPE_SEARCH_ENTRY);

    g_assert_true (gtk_search_bar_get_search_mode (wharf_test_ui_find_one (list,
                                                                           GTK_TYPE_SEARCH_BAR)));
    g_assert_true (gtk_widget_is_focus (entry)
                   || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), entry));
  }

  /* The filter narrows as you type, and widens again. */
  wharf_repository_list_set_search_text (list, "mul");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  g_assert_cmpuint (n_shown (list),
                    ==, 1);
  g_assert_cmpstr (wharf_repository_list_get_count_text (list), ==, "1 of 304 repositories");
  assert_rows_match (list, "mul");
  wharf_repository_list_set_search_text (list, "repo0001");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  g_assert_cmpuint (n_shown (list),
                    ==, 10);
  assert_rows_match (list, "repo0001");
  wharf_repository_list_set_search_text (list, "nothing-is-called-this");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  {
    StatusWait status_wait = { wharf_test_ui_find_one (list, ADW_TYPE_STATUS_PAGE),
                               "No Matching Repositories" };

    g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));
  }
  wharf_repository_list_set_search_text (list, "");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  g_assert_cmpuint (n_shown (list),
                    ==, 304);
  assert_rows_match (list, "");

  /* The rows in view show a keystroke's result at once; the rows GTK keeps
   * out of view follow after the frame. */
  wharf_repository_list_set_search_text (list, "repo001");
  assert_rows_in_view_match (list, "repo001");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  g_assert_cmpuint (n_shown (list),
                    ==, 100);
  assert_rows_match (list, "repo001");
  wharf_repository_list_set_search_text (list, "");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  assert_rows_match (list, "");

  /* The selection follows the open repository as the filter moves it. */
  open_repository (window, "apps/multi");
  assert_selected_row (list, "apps/multi");
  wharf_repository_list_set_search_text (list, "mul");
  assert_spares_hidden (list, "mul");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  assert_rows_match (list, "mul");
  assert_selected_row (list, "apps/multi");
  wharf_repository_list_set_search_text (list, "");
  g_assert_true (wharf_test_ui_wait_for (filter_done, list));
  assert_rows_match (list, "");
  assert_selected_row (list, "apps/multi");

  /* Tags of an image: digest, size, created, platform; shared digests marked. */
  open_repository (window, "apps/web");
  wait_for_frames (GTK_WIDGET (window));
  tag_wait.list = tags;
  tag_wait.tag = "latest";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));
  tag_wait.tag = "v1";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));
  wait_for_frames (GTK_WIDGET (window));

  latest = wharf_tag_model_find (wharf_tag_list_get_model (tags), "latest", NULL);
  g_assert_cmpstr (wharf_tag_item_get_digest (latest), ==, web);
  short_web = wharf_digest_shorten (web);
  size_text = g_format_size (wharf_manifest_get_compressed_size (web_manifest));
  g_assert_nonnull (find_text (tags, "latest"));
  g_assert_nonnull (find_text (tags, short_web));
  g_assert_nonnull (find_text (tags, size_text));
  g_assert_nonnull (find_text (tags, "amd64"));
  g_assert_nonnull (wharf_tag_item_get_created (latest));
  {
    g_autoptr(GDateTime) local = g_date_time_to_local (wharf_tag_item_get_created (latest));
    g_autofree char *created = g_date_time_format (local, "%Y-%m-%d %H:%M");

    g_assert_nonnull (find_text (tags, created));
  }
  link = gtk_widget_get_prev_sibling (find_text (tags, "latest"));
  g_assert_true (GTK_IS_IMAGE (link));
  g_assert_true (gtk_widget_get_visible (link));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (link), ==, "Same image as v1");

  /* Details of a tag. */
  wharf_tag_list_select_tag (tags, "latest");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (details)));
  g_assert_true (wharf_test_ui_wait_for (details_loaded, details));
  g_assert_cmpstr (wharf_image_details_get_digest (details), ==, web);
  pull_command = g_strdup_printf ("docker pull %s/apps/web:latest",
                                  wharf_test_registry_get_address (reg));
  g_assert_cmpstr (wharf_image_details_get_pull_command (details), ==, pull_command);
  text_wait.widget = details;
  text_wait.text = web;
  g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));
  g_assert_nonnull (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "Entrypoint"));
  g_assert_nonnull (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "Media Type"));
  g_assert_cmpstr (row_value (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW,
                                                      "Pull Command")), ==, pull_command);
  {
    g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (details, ADW_TYPE_ACTION_ROW);
    guint layers = 0;

    /* Each layer with the history line that made it. */
    for (guint i = 0; i < rows->len; i++)
      {
        AdwActionRow *layer = g_ptr_array_index (rows, i);

        if (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (layer)),
                              "Layer "))
          {
            layers++;
            g_assert_nonnull (strstr (adw_action_row_get_subtitle (layer), "layer-"));
          }
      }
    g_assert_cmpuint (layers, ==, 2);
  }
  save_screenshot (GTK_WIDGET (window), "browse-tags-details.png");

  /* Ctrl+C copies the pull command of the selected tag. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-pull-command", NULL);
  clipboard_text = wharf_test_ui_read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (clipboard_text, ==, pull_command);

  /* A multi-arch index: platforms, attestation hidden; pick one. */
  open_repository (window, "apps/multi");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details)));
  wait_for_frames (GTK_WIDGET (window));
  tag_wait.tag = "latest";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));
  text_wait.widget = tags;
  text_wait.text = "amd64 · arm64/v8";
  g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));
  latest = wharf_tag_model_find (wharf_tag_list_get_model (tags), "latest", NULL);
  g_assert_cmpstr (wharf_tag_item_get_digest (latest), ==, multi);

  /* Its size and date are those of this machine's platform's image (the
   * first platform's elsewhere), which the cells' tooltips name. */
  {
    g_autoptr(WharfPlatform) host = wharf_platform_new_host ();
    g_autofree char *host_short = wharf_platform_to_short_string (host);
    const char *expected = g_str_equal (host_short, "arm64/v8") ? "arm64/v8" : "amd64";
    g_autofree char *multi_size = NULL;
    GtkWidget *cell;

    g_assert_cmpstr (wharf_tag_item_get_size_platform (latest), ==, expected);
    g_assert_cmpint (wharf_tag_item_get_size (latest), >, 0);
    multi_size = g_format_size (wharf_tag_item_get_size (latest));
    text_wait.text = multi_size;
    g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));
    cell = find_text (tags, multi_size);
    g_assert_nonnull (gtk_widget_get_tooltip_text (cell));
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (cell), expected));
    g_assert_null (find_text (tags, "—"));
  }

  wharf_tag_list_select_tag (tags, "latest");
  g_assert_true (wharf_test_ui_wait_for (details_loaded, details));
  g_assert_cmpstr (wharf_image_details_get_digest (details), ==, multi);
  g_assert_cmpstr (wharf_image_details_get_platform (details), ==, "linux/amd64");
  g_assert_nonnull (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "linux/amd64"));
  g_assert_nonnull (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "linux/arm64/v8"));
  g_assert_null (wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "unknown/unknown"));
  g_assert_true (wharf_image_details_select_platform (details, "linux/arm64/v8"));
  g_assert_true (wharf_test_ui_wait_for (details_loaded, details));
  wait_for_frames (GTK_WIDGET (window));
  row = wharf_test_ui_find_row (details, ADW_TYPE_ACTION_ROW, "Platform");
  g_assert_nonnull (row);
  g_assert_cmpstr (row_value (row), ==, "linux/arm64/v8");
  save_screenshot (GTK_WIDGET (window), "browse-multi-arch.png");

  /* Pushed from elsewhere: a reload shows it, with its details. */
  g_free (wharf_test_registry_push_image (reg, "apps/multi", "v2", 1, 512, "linux/amd64", TRUE));
  g_assert_null (wharf_tag_model_find (wharf_tag_list_get_model (tags), "v2", NULL));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL);
  tag_wait.tag = "v2";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));
  text_wait.text = "v2";
  g_assert_true (wharf_test_ui_wait_for (text_shown, &text_wait));
  /* The open tag stays open through the reload. */
  g_assert_cmpstr (wharf_image_details_get_digest (details), ==, multi);

  /* Every column sorts: by size, the small v2 (one layer of 512 bytes)
   * before the index (its platform's image has two of 1 KiB); by tag
   * again, back in name order. */
  {
    GtkColumnView *view = wharf_tag_list_get_column_view (tags);
    GListModel *columns = gtk_column_view_get_columns (view);
    GListModel *sorted = G_LIST_MODEL (wharf_tag_list_get_sort_model (tags));
    g_autoptr(GtkColumnViewColumn) tag_column = g_list_model_get_item (columns, 0);
    g_autoptr(GtkColumnViewColumn) size_column = g_list_model_get_item (columns, 2);
    g_autoptr(WharfTagItem) first = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 5);
    g_assert_cmpstr (gtk_column_view_column_get_title (size_column), ==, "Size");
    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        g_assert_nonnull (gtk_column_view_column_get_sorter (column));
      }

    gtk_column_view_sort_by_column (view, size_column, GTK_SORT_ASCENDING);
    first = g_list_model_get_item (sorted, 0);
    g_assert_cmpstr (wharf_tag_item_get_name (first), ==, "v2");
    g_clear_object (&first);

    gtk_column_view_sort_by_column (view, tag_column, GTK_SORT_ASCENDING);
    first = g_list_model_get_item (sorted, 0);
    g_assert_cmpstr (wharf_tag_item_get_name (first), ==, "latest");
  }

  /* The next window opens where this one was. */
  wharf_test_ui_destroy_app_windows (app);
  window = present_main_window ();
  g_assert_nonnull (wharf_window_get_registry (window));
  g_assert_cmpstr (wharf_registry_get_address (wharf_window_get_registry (window)),
                   ==, wharf_test_registry_get_address (reg));
  list = wharf_window_get_repository_list (window);
  g_assert_cmpstr (wharf_repository_list_get_selected_repository (list), ==, "apps/multi");
  g_assert_cmpstr (wharf_tag_list_get_repository (wharf_window_get_tag_list (window)),
                   ==, "apps/multi");
  tag_wait.list = wharf_window_get_tag_list (window);
  tag_wait.tag = "v2";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));

  wharf_test_ui_destroy_app_windows (app);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

static void
test_browse_unreachable (void)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", closed_port ());
  g_autoptr(GError) error = NULL;
  WharfWindow *window = present_main_window ();
  WharfRepositoryList *list = wharf_window_get_repository_list (window);
  AdwStatusPage *status = wharf_test_ui_find_one (list, ADW_TYPE_STATUS_PAGE);
  StatusWait status_wait = { status, "Registry Unreachable" };
  GtkWidget *retry;
  const char *description;

  g_test_summary ("A registry that does not answer: its sentence and a Retry button.");

  g_assert_true (wharf_window_select_registry (window, address, &error));
  g_assert_no_error (error);
  g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));

  /* The sentence from libwharf, naming the registry, not a code. */
  description = adw_status_page_get_description (status);
  g_assert_nonnull (strstr (description, address));
  g_assert_nonnull (strstr (description, "Is the registry running?"));

  retry = NULL;
  {
    g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (status, GTK_TYPE_BUTTON);

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), "_Retry") == 0)
        retry = g_ptr_array_index (buttons, i);
  }
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_get_mapped (retry));
  save_screenshot (GTK_WIDGET (window), "browse-error.png");

  /* Retrying asks again and lands in the same state, never stuck loading. */
  g_assert_true (gtk_widget_activate_action (retry, "repositories.retry", NULL));
  g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));

  wharf_test_ui_destroy_app_windows (app);
}

static void
test_browse_sign_in (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(GError) error = NULL;
  WharfWindow *window;
  WharfRepositoryList *list;
  AdwStatusPage *status;
  StatusWait status_wait;
  GtkWidget *sign_in = NULL;
  g_autoptr(GPtrArray) buttons = NULL;

  g_test_summary ("An htpasswd registry without credentials: the sign-in state.");

  g_free (wharf_test_registry_push_image (reg, "private/app", "latest", 1, 256,
                                          "linux/amd64", TRUE));

  window = present_main_window ();
  list = wharf_window_get_repository_list (window);
  status = wharf_test_ui_find_one (list, ADW_TYPE_STATUS_PAGE);
  status_wait.page = status;
  status_wait.title = "Sign In Required";

  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (reg),
                                               &error));
  g_assert_no_error (error);
  g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));
  g_assert_nonnull (strstr (adw_status_page_get_description (status),
                            wharf_test_registry_get_address (reg)));

  buttons = wharf_test_ui_find_all (status, GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), "_Sign In…") == 0)
      sign_in = g_ptr_array_index (buttons, i);
  g_assert_nonnull (sign_in);
  g_assert_true (gtk_widget_get_mapped (sign_in));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (sign_in)), ==, "win.sign-in");

  /* The sidebar agrees. */
  g_assert_cmpint (wharf_registry_get_status (wharf_window_get_registry (window)),
                   ==, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);

  wharf_test_ui_destroy_app_windows (app);
}

static void
write_docker_config (const char *address,
                     const char *username,
                     const char *password)
{
  g_autofree char *dir = g_build_filename (g_get_home_dir (), ".docker", NULL);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *pair = g_strdup_printf ("%s:%s", username, password);
  g_autofree char *auth = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *json = g_strdup_printf ("{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}",
                                           address, auth);
  g_autoptr(GError) error = NULL;

  /* Never the developer's own: only under the throwaway HOME of with-keyring. */
  g_assert_nonnull (g_getenv ("WHARF_TEST_HOME"));
  g_assert_cmpstr (g_get_home_dir (), ==, g_getenv ("WHARF_TEST_HOME"));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_no_error (error);
}

static void
test_browse_token (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autoptr(GError) error = NULL;
  WharfWindow *window;
  WharfRepositoryList *list;
  AdwStatusPage *status;
  StatusWait status_wait;
  GtkEditable *entry;
  TagWait tag_wait;

  g_test_summary ("A token registry: anonymous users must sign in; a user without the "
                  "catalog scope opens a repository by name.");

  if (g_getenv ("WHARF_TEST_HOME") == NULL)
    {
      g_test_fail_printf ("Needs the throwaway HOME of tests/fixtures/with-keyring");
      return;
    }

  g_free (wharf_test_registry_push_image (reg, "team/app", "latest", 1, 256,
                                          "linux/amd64", TRUE));

  window = present_main_window ();
  list = wharf_window_get_repository_list (window);
  status = wharf_test_ui_find_one (list, ADW_TYPE_STATUS_PAGE);
  status_wait.page = status;

  /* Anonymous. */
  status_wait.title = "Sign In Required";
  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (reg),
                                               &error));
  g_assert_no_error (error);
  g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));
  wharf_test_ui_destroy_app_windows (app);

  /* As a user who may pull but not list (credentials from Docker's config). */
  write_docker_config (wharf_test_registry_get_address (reg),
                       WHARF_TEST_TOKEN_PULL_USER, WHARF_TEST_TOKEN_PULL_PASSWORD);
  window = present_main_window ();
  list = wharf_window_get_repository_list (window);
  status = wharf_test_ui_find_one (list, ADW_TYPE_STATUS_PAGE);
  status_wait.page = status;
  status_wait.title = "This registry does not list its repositories";
  wharf_registry_refresh_async (wharf_window_get_registry (window), NULL, NULL, NULL);
  g_assert_true (wharf_test_ui_wait_for (status_title_is, &status_wait));
  save_screenshot (GTK_WIDGET (window), "browse-no-catalog.png");

  entry = GTK_EDITABLE (wharf_test_ui_find_one (status, GTK_TYPE_ENTRY));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (entry)));

  /* What is not a name says why, and opens nothing. */
  gtk_editable_set_text (entry, "Not A Name");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "repositories.open-by-name",
                                             NULL));
  g_assert_null (wharf_tag_list_get_repository (wharf_window_get_tag_list (window)));

  gtk_editable_set_text (entry, "team/app");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "repositories.open-by-name",
                                             NULL));
  g_assert_cmpstr (wharf_tag_list_get_repository (wharf_window_get_tag_list (window)),
                   ==, "team/app");
  wait_for_frames (GTK_WIDGET (window));
  tag_wait.list = wharf_window_get_tag_list (window);
  tag_wait.tag = "latest";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));

  wharf_test_ui_destroy_app_windows (app);
}

static gboolean
tags_quiet (gpointer data)
{
  WharfTagModel *model = data;

  return !wharf_tag_model_get_loading (model) && wharf_tag_model_get_n_fetching (model) == 0;
}

/* Details are fetched for the tags in view, not for every row GTK keeps a
 * widget for (up to 200, most out of view). */
static void
test_browse_many_tags (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  WharfWindow *window;
  WharfTagList *tags;
  WharfTagModel *model;
  TagWait tag_wait;
  guint n_loaded = 0;

  g_test_summary ("A repository with 120 tags: only those in view are fetched.");

  digest = wharf_test_registry_push_image (reg, "apps/many", "t000", 1, 64, "linux/amd64", TRUE);
  for (guint i = 1; i < 120; i++)
    {
      g_autofree char *tag = g_strdup_printf ("t%03u", i);

      wharf_test_registry_tag (reg, "apps/many", digest, tag);
    }

  window = present_main_window ();
  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (reg),
                                               &error));
  g_assert_no_error (error);
  tags = wharf_window_get_tag_list (window);
  model = wharf_tag_list_get_model (tags);
  open_repository (window, "apps/many");
  wait_for_frames (GTK_WIDGET (window));
  tag_wait.list = tags;
  tag_wait.tag = "t000";
  g_assert_true (wharf_test_ui_wait_for (tag_loaded, &tag_wait));
  wait_for_frames (GTK_WIDGET (window));
  wharf_test_ui_drain ();
  g_assert_true (wharf_test_ui_wait_for (tags_quiet, model));

  /* Sorted by name, t119 is far below the fold, though GTK keeps a row
   * widget for it. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 120);
  g_assert_nonnull (find_text (tags, "t000"));
  g_assert_cmpint (wharf_tag_item_get_state (wharf_tag_model_find (model, "t119", NULL)),
                   ==, WHARF_TAG_STATE_NEW);
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      n_loaded += wharf_tag_item_get_state (item) == WHARF_TAG_STATE_LOADED;
    }
  g_assert_cmpuint (n_loaded, >, 0);
  g_assert_cmpuint (n_loaded, <, 100);

  wharf_test_ui_destroy_app_windows (app);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, FALSE))
    app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.BrowseTest",
                                         G_APPLICATION_NON_UNIQUE, TRUE);

  wharf_test_ui_add ("/wharf/browse/plain", test_browse_plain);
  wharf_test_ui_add ("/wharf/browse/unreachable", test_browse_unreachable);
  wharf_test_ui_add ("/wharf/browse/sign-in", test_browse_sign_in);
  wharf_test_ui_add ("/wharf/browse/token", test_browse_token);
  wharf_test_ui_add ("/wharf/browse/many-tags", test_browse_many_tags);

  ret = g_test_run ();

  if (app != NULL)
    wharf_test_ui_destroy_app_windows (app);
  g_clear_object (&app);

  return ret;
}
