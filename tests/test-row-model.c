/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-row-model.c: WharfRowModel keeps its rows in place while the model it wraps changes. */

#define G_LOG_DOMAIN "test-row-model"

#include "config.h"

#include <gtk/gtk.h>

#include "wharf-row-model.h"

/* The view's widgets (wharf-row-model.h): below this many rows the tail
 * grows by a step per main-loop turn. The size of the step (GROW_STEP in
 * wharf-row-model.c) is taken from the first emission, and every further
 * step must be the same. */
#define VIEW_WIDGETS 200

/* Only a safety net: growth that needs more main-loop turns than this hangs. */
#define MAX_ITERATIONS 1000

static gboolean
wake_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* One turn of the main loop: the model steps on a timer, so this waits for
 * the next source, or 100 ms at most. */
static void
turn (void)
{
  gboolean woken = FALSE;
  guint wake = g_timeout_add (100, wake_cb, &woken);

  g_main_context_iteration (NULL, TRUE);
  if (!woken)
    g_source_remove (wake);
}

/* Turns the main loop for @msec: long enough for several of the model's
 * steps, to see that none comes. */
static void
run_for (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    turn ();
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_items;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  GArray *changes = user_data;
  Change change = { position, removed, added, g_list_model_get_n_items (model) };

  g_array_append_val (changes, change);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* @n new string objects "@prefix-0", "@prefix-1", … */
static GPtrArray *
make_items (guint       n,
            const char *prefix)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *string = g_strdup_printf ("%s-%u", prefix, i);

      g_ptr_array_add (items, gtk_string_object_new (string));
    }

  return items;
}

static GListStore *
make_store (guint       n,
            const char *prefix)
{
  g_autoptr(GPtrArray) items = make_items (n, prefix);
  GListStore *store = g_list_store_new (GTK_TYPE_STRING_OBJECT);

  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return store;
}

/* The item at @position of @model, without a reference (the model keeps one). */
static gpointer
peek_item (GListModel *model,
           guint       position)
{
  g_autoptr(GObject) item = g_list_model_get_item (model, position);

  return item;
}

static WharfRow *
get_row (WharfRowModel *model,
         guint          position)
{
  WharfRow *row = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (row);
  g_assert_true (WHARF_IS_ROW (row));
  g_assert_cmpuint (wharf_row_get_position (row), ==, position);

  return row;
}

/* Turns the main loop until @model has @n_target rows: at most one
 * emission (recorded in @changes) per turn, and the length never runs ahead
 * of the wrapped model's. */
static void
grow_to (WharfRowModel *model,
         guint          n_target,
         GArray        *changes)
{
  guint iterations = 0;

  while (g_list_model_get_n_items (G_LIST_MODEL (model)) < n_target)
    {
      guint before = changes->len;

      g_assert_cmpuint (iterations, <, MAX_ITERATIONS);
      turn ();
      iterations++;

      g_assert_cmpuint (changes->len - before, <=, 1);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=,
                        g_list_model_get_n_items (wharf_row_model_get_model (model)));
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_target);
}

/* Every change appends at the tail; returns the length they add up to. */
static guint
check_tail_appends (GArray *changes)
{
  guint length = 0;

  for (guint i = 0; i < changes->len; i++)
    {
      const Change *change = &g_array_index (changes, Change, i);

      g_assert_cmpuint (change->position, ==, length);
      g_assert_cmpuint (change->removed, ==, 0);
      g_assert_cmpuint (change->added, >, 0);
      length += change->added;
      g_assert_cmpuint (change->n_items, ==, length);
    }

  return length;
}

static void
test_replace_keeps_rows (void)
{
  g_autoptr(GListStore) store = make_store (5, "old");
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) one = make_items (1, "new");
  g_autoptr(GPtrArray) all = make_items (5, "all");
  g_autoptr(GPtrArray) fresh = make_items (5, "fresh");
  g_autoptr(WharfRow) row = NULL;
  g_autoptr(WharfRow) again = NULL;
  g_autoptr(WharfRow) other = NULL;
  gpointer old_item;
  guint notified = 0;

  g_assert_true (wharf_row_model_get_model (model) == G_LIST_MODEL (store));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == WHARF_TYPE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  row = get_row (model, 2);
  old_item = peek_item (G_LIST_MODEL (store), 2);
  g_assert_true (wharf_row_get_item (row) == old_item);

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);
  g_signal_connect (row, "notify::item", G_CALLBACK (count_notify_cb), &notified);

  /* One item replaced by another at place 2. */
  g_list_store_splice (store, 2, 1, one->pdata, one->len);
  g_assert_true (peek_item (G_LIST_MODEL (store), 2) == one->pdata[0]);

  again = get_row (model, 2);
  g_assert_true (again == row);
  g_assert_true (wharf_row_get_item (row) == one->pdata[0]);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  /* Every item replaced, place 2 keeping the one it has: no notification
   * for it, the others show the new items. */
  g_object_unref (g_ptr_array_index (all, 2));
  g_ptr_array_index (all, 2) = g_object_ref (one->pdata[0]);
  g_list_store_splice (store, 0, 5, all->pdata, all->len);
  g_assert_true (wharf_row_get_item (row) == one->pdata[0]);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (changes->len, ==, 0);

  other = get_row (model, 4);
  g_assert_true (wharf_row_get_item (other) == all->pdata[4]);
  g_clear_object (&again);
  again = get_row (model, 2);
  g_assert_true (again == row);

  /* And every item replaced again, place 2 too this time. */
  g_list_store_splice (store, 0, 5, fresh->pdata, fresh->len);
  g_assert_true (wharf_row_get_item (row) == fresh->pdata[2]);
  g_assert_true (wharf_row_get_item (other) == fresh->pdata[4]);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpuint (changes->len, ==, 0);
}

static guint modulus = 1;

static gboolean
keep_every_nth (gpointer item,
                gpointer user_data)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (item, "index"));

  return index % modulus == 0;
}

/* A filter model over @store's items, numbered by their place (their
 * "index" data), that keeps every modulus-th of them. */
static GtkFilterListModel *
make_filtered (GListStore      *store,
               GtkCustomFilter **filter)
{
  GtkFilterListModel *filtered;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    g_object_set_data (peek_item (G_LIST_MODEL (store), i), "index", GUINT_TO_POINTER (i));

  modulus = 1;
  *filter = gtk_custom_filter_new (keep_every_nth, NULL, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (store)),
                                        GTK_FILTER (g_object_ref (*filter)));
  gtk_filter_list_model_set_incremental (filtered, FALSE);

  return filtered;
}

static void
test_shrink (void)
{
  g_autoptr(GListStore) store = make_store (10, "item");
  g_autoptr(GtkCustomFilter) filter = NULL;
  g_autoptr(GtkFilterListModel) filtered = NULL;
  g_autoptr(WharfRowModel) model = NULL;
  g_autoptr(WharfRow) gone = NULL;
  g_autoptr(GObject) missing = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  WharfRow *held[3];
  guint notified[3] = { 0, 0, 0 };
  gpointer expected[3];
  gpointer gone_item;
  guint n_expected = 0;

  filtered = make_filtered (store, &filter);
  model = wharf_row_model_new (G_LIST_MODEL (filtered));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);

  for (guint i = 0; i < 3; i++)
    {
      held[i] = get_row (model, i);
      g_assert_true (wharf_row_get_item (held[i]) == peek_item (G_LIST_MODEL (store), i));
      g_signal_connect (held[i], "notify::item", G_CALLBACK (count_notify_cb), &notified[i]);
    }
  gone = get_row (model, 5);
  gone_item = wharf_row_get_item (gone);
  g_assert_true (gone_item == peek_item (G_LIST_MODEL (store), 5));

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  /* 10 → 3: items 0, 4 and 8 of the store stay. */
  modulus = 4;
  gtk_filter_changed (GTK_FILTER (filter), GTK_FILTER_CHANGE_MORE_STRICT);
  for (guint i = 0; i < 10; i++)
    if (i % modulus == 0)
      expected[n_expected++] = peek_item (G_LIST_MODEL (store), i);
  g_assert_cmpuint (n_expected, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 3);

  /* The row held at 5 stays as a spare, and so do those before it; the
   * rest went at once. */
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 6);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 4);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).n_items, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6);

  /* The same rows, showing the filtered items in order; only the rows whose
   * item changed said so. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WharfRow) row = get_row (model, i);

      g_assert_true (row == held[i]);
      g_assert_true (wharf_row_get_item (row) == expected[i]);
      g_assert_true (wharf_row_get_item (row) == peek_item (G_LIST_MODEL (filtered), i));
      g_assert_cmpuint (notified[i], ==, expected[i] == peek_item (G_LIST_MODEL (store), i) ? 0 : 1);
    }

  /* The spares show nothing. */
  {
    g_autoptr(WharfRow) spare = get_row (model, 3);
    g_autoptr(WharfRow) same = get_row (model, 5);

    g_assert_null (wharf_row_get_item (spare));
    g_assert_true (same == gone);
    g_assert_null (wharf_row_get_item (gone));
  }

  /* In a later turn they go: the row let go at 5 still works, the model has
   * no row there any more. */
  for (guint i = 0; g_list_model_get_n_items (G_LIST_MODEL (model)) > 3; i++)
    {
      g_assert_cmpuint (i, <, MAX_ITERATIONS);
      turn ();
    }
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (changes, Change, 1).position, ==, 3);
  g_assert_cmpuint (g_array_index (changes, Change, 1).removed, ==, 3);
  g_assert_cmpuint (g_array_index (changes, Change, 1).added, ==, 0);
  g_assert_true (WHARF_IS_ROW (gone));
  g_assert_null (wharf_row_get_item (gone));
  missing = g_list_model_get_item (G_LIST_MODEL (model), 5);
  g_assert_null (missing);
  g_clear_object (&missing);
  missing = g_list_model_get_item (G_LIST_MODEL (model), 3);
  g_assert_null (missing);
  g_array_set_size (changes, 0);

  /* Back to 10: the tail grows again with new rows, and the row let go is
   * not reused. */
  modulus = 1;
  gtk_filter_changed (GTK_FILTER (filter), GTK_FILTER_CHANGE_LESS_STRICT);
  grow_to (model, 10, changes);
  {
    g_autoptr(WharfRow) row = get_row (model, 5);

    g_assert_true (row != gone);
    g_assert_true (wharf_row_get_item (row) == peek_item (G_LIST_MODEL (store), 5));
  }
  for (guint i = 0; i < 3; i++)
    g_assert_true (wharf_row_get_item (held[i]) == peek_item (G_LIST_MODEL (store), i));

  for (guint i = 0; i < 3; i++)
    g_object_unref (held[i]);
}

/* Rows held past the new end (a view's widgets) stay as spares; when the
 * model grows back before they go, they show its items again: the same
 * rows, told so, and no change of length at all. */
static void
test_spares_reused (void)
{
  g_autoptr(GListStore) store = make_store (10, "item");
  g_autoptr(GtkCustomFilter) filter = NULL;
  g_autoptr(GtkFilterListModel) filtered = make_filtered (store, &filter);
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (filtered));
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  guint notified[10] = { 0 };

  for (guint i = 0; i < 10; i++)
    {
      g_ptr_array_add (held, get_row (model, i));
      g_signal_connect (held->pdata[i], "notify::item", G_CALLBACK (count_notify_cb),
                        &notified[i]);
    }
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  /* 10 → 3 (items 0, 4, 8): every row is held, so all stay. */
  modulus = 4;
  gtk_filter_changed (GTK_FILTER (filter), GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 3);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(WharfRow) row = get_row (model, i);

      g_assert_true (row == held->pdata[i]);
      if (i < 3)
        g_assert_true (wharf_row_get_item (row) == peek_item (G_LIST_MODEL (store), 4 * i));
      else
        g_assert_null (wharf_row_get_item (row));
      /* Row 0 kept item 0; every other one changed once. */
      g_assert_cmpuint (notified[i], ==, i == 0 ? 0 : 1);
    }

  /* Back to 10 before any turn of the main loop. */
  modulus = 1;
  gtk_filter_changed (GTK_FILTER (filter), GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (wharf_row_get_item (held->pdata[i]) == peek_item (G_LIST_MODEL (store), i));
      g_assert_cmpuint (notified[i], ==, i == 0 ? 0 : 2);
    }

  /* Nothing is left to do. */
  run_for (100);
  g_assert_cmpuint (changes->len, ==, 0);
}

/* Held spares go in later turns, an equal step per turn from the tail, and
 * never more than the view's widgets of them stay. */
static void
test_spares_trimmed (void)
{
  g_autoptr(GListStore) store = make_store (400, "item");
  g_autoptr(GtkCustomFilter) filter = NULL;
  g_autoptr(GtkFilterListModel) filtered = make_filtered (store, &filter);
  g_autoptr(WharfRowModel) model = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  guint length, step, iterations = 0;

  model = wharf_row_model_new (G_LIST_MODEL (filtered));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 400);
  for (guint i = 0; i < 300; i++)
    g_ptr_array_add (held, get_row (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  /* 400 → 10: rows 10… are spares, as far as the view's widgets reach;
   * the held ones past that went with those nobody held. */
  modulus = 40;
  gtk_filter_changed (GTK_FILTER (filter), GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 10);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 10 + VIEW_WIDGETS);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 400 - 10 - VIEW_WIDGETS);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 0);
  for (guint i = 0; i < 300; i++)
    g_assert_true (wharf_row_get_item (held->pdata[i])
                   == (i < 10 ? peek_item (G_LIST_MODEL (store), 40 * i) : NULL));
  {
    g_autoptr(GObject) past = g_list_model_get_item (G_LIST_MODEL (model), 10 + VIEW_WIDGETS);

    g_assert_null (past);
  }

  /* Then a step per turn, from the tail. */
  g_array_set_size (changes, 0);
  while (g_list_model_get_n_items (G_LIST_MODEL (model)) > 10)
    {
      guint before = changes->len;

      g_assert_cmpuint (iterations++, <, MAX_ITERATIONS);
      turn ();
      g_assert_cmpuint (changes->len - before, <=, 1);
    }
  g_assert_cmpuint (changes->len, >, 1);
  length = 10 + VIEW_WIDGETS;
  step = g_array_index (changes, Change, 0).removed;
  for (guint i = 0; i < changes->len; i++)
    {
      const Change *change = &g_array_index (changes, Change, i);

      g_assert_cmpuint (change->added, ==, 0);
      g_assert_cmpuint (change->position + change->removed, ==, length);
      if (i + 1 < changes->len)
        g_assert_cmpuint (change->removed, ==, step);
      else
        g_assert_cmpuint (change->removed, <=, step);
      length = change->position;
      g_assert_cmpuint (change->n_items, ==, length);
    }
  g_assert_cmpuint (length, ==, 10);

  /* The rows shown are the filtered items; nothing more is coming. */
  for (guint i = 0; i < 10; i++)
    g_assert_true (wharf_row_get_item (held->pdata[i]) == peek_item (G_LIST_MODEL (filtered), i));
  g_array_set_size (changes, 0);
  run_for (100);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_grow_stepped (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) items = make_items (150, "item");
  g_autoptr(WharfRow) early = NULL;
  guint n;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  /* At once: the first step only. */
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, 150);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, n);
  early = get_row (model, n - 1);
  g_assert_true (wharf_row_get_item (early) == items->pdata[n - 1]);

  /* The rest in the next main-loop turns, a step at a time; only the last
   * step may be shorter. */
  grow_to (model, 150, changes);
  g_assert_cmpuint (check_tail_appends (changes), ==, 150);
  g_assert_cmpuint (changes->len, ==, (150 + n - 1) / n);
  for (guint i = 0; i + 1 < changes->len; i++)
    g_assert_cmpuint (g_array_index (changes, Change, i).added, ==, n);
  g_assert_cmpuint (g_array_index (changes, Change, changes->len - 1).added, <=, n);

  for (guint i = 0; i < 150; i++)
    {
      g_autoptr(WharfRow) row = get_row (model, i);

      g_assert_true (wharf_row_get_item (row) == items->pdata[i]);
      if (i == n - 1)
        g_assert_true (row == early);
    }

  /* Nothing more is coming. */
  g_array_set_size (changes, 0);
  run_for (100);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_grow_past_view (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) items = make_items (1000, "item");
  const Change *last;
  guint samples[6];
  guint step;

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  step = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (step, >, 0);
  g_assert_cmpuint (step, <, VIEW_WIDGETS);

  grow_to (model, 1000, changes);
  g_assert_cmpuint (check_tail_appends (changes), ==, 1000);

  /* Stepped while the next step would stay below the view's widgets, then
   * the rest at once. */
  g_assert_cmpuint (changes->len, ==, (VIEW_WIDGETS + step - 1) / step);
  for (guint i = 0; i + 1 < changes->len; i++)
    {
      g_assert_cmpuint (g_array_index (changes, Change, i).added, ==, step);
      g_assert_cmpuint (g_array_index (changes, Change, i).n_items, <, VIEW_WIDGETS);
    }
  last = &g_array_index (changes, Change, changes->len - 1);
  g_assert_cmpuint (last->position, >=, VIEW_WIDGETS - step);
  g_assert_cmpuint (last->position, <, VIEW_WIDGETS);
  g_assert_cmpuint (last->added, ==, 1000 - last->position);
  g_assert_cmpuint (last->n_items, ==, 1000);

  samples[0] = 0;
  samples[1] = step - 1;
  samples[2] = step;
  samples[3] = VIEW_WIDGETS - 1;
  samples[4] = VIEW_WIDGETS;
  samples[5] = 999;

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autoptr(WharfRow) row = get_row (model, samples[i]);

      g_assert_true (wharf_row_get_item (row) == items->pdata[samples[i]]);
      g_assert_true (wharf_row_get_item (row) == peek_item (G_LIST_MODEL (store), samples[i]));
    }
}

static void
test_rows_not_kept (void)
{
  g_autoptr(GListStore) store = make_store (5, "item");
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(WharfRow) again = NULL;
  WharfRow *row;
  gpointer item;

  row = get_row (model, 3);
  item = wharf_row_get_item (row);
  g_assert_true (item == peek_item (G_LIST_MODEL (store), 3));

  g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &row);
  g_object_unref (row);
  g_assert_null (row);

  again = get_row (model, 3);
  g_assert_true (wharf_row_get_item (again) == item);

  /* The new row is the one the model hands out while it is held. */
  {
    g_autoptr(WharfRow) same = get_row (model, 3);

    g_assert_true (same == again);
  }

  /* And it follows the model like the first one would have. */
  g_list_store_remove (store, 0);
  g_assert_true (wharf_row_get_item (again) == peek_item (G_LIST_MODEL (store), 3));
  g_assert_true (wharf_row_get_item (again) != item);
}

static void
test_find (void)
{
  g_autoptr(GListStore) store = make_store (6, "item");
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GtkStringObject) stranger = gtk_string_object_new ("item-2");
  gpointer first = peek_item (G_LIST_MODEL (store), 0);
  gpointer third = peek_item (G_LIST_MODEL (store), 2);
  gpointer last = peek_item (G_LIST_MODEL (store), 5);

  g_assert_cmpuint (wharf_row_model_find (model, first), ==, 0);
  g_assert_cmpuint (wharf_row_model_find (model, third), ==, 2);
  g_assert_cmpuint (wharf_row_model_find (model, last), ==, 5);

  /* By identity: an equal string is not the item. */
  g_assert_cmpuint (wharf_row_model_find (model, stranger), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (wharf_row_model_find (model, NULL), ==, GTK_INVALID_LIST_POSITION);

  /* It follows the model. */
  g_list_store_remove (store, 0);
  g_assert_cmpuint (wharf_row_model_find (model, third), ==, 1);
  g_assert_cmpuint (wharf_row_model_find (model, last), ==, 4);
  g_assert_cmpuint (wharf_row_model_find (model, first), ==, GTK_INVALID_LIST_POSITION);
}

static void
test_finalize_with_rows (void)
{
  GListStore *store = make_store (5, "item");
  WharfRowModel *model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GPtrArray) replacement = make_items (5, "other");
  g_autoptr(GPtrArray) more = make_items (100, "more");
  g_autoptr(WharfRow) row = NULL;
  g_autoptr(WharfRow) tail = NULL;
  g_autofree char *expected = NULL;
  gpointer item;

  row = get_row (model, 3);
  item = wharf_row_get_item (row);
  g_assert_true (item == peek_item (G_LIST_MODEL (store), 3));
  expected = g_strdup (gtk_string_object_get_string (item));

  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  g_object_unref (model);
  g_assert_null (model);

  /* The store changes with no wrapper listening, then goes: the row keeps
   * its item alive. */
  g_list_store_splice (store, 0, 5, replacement->pdata, replacement->len);
  g_object_unref (store);

  g_assert_true (WHARF_IS_ROW (row));
  g_assert_true (wharf_row_get_item (row) == item);
  g_assert_cmpstr (gtk_string_object_get_string (wharf_row_get_item (row)), ==, expected);
  g_clear_object (&row);

  /* Finalized halfway through growing: no turn of the main loop touches it. */
  store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  model = wharf_row_model_new (G_LIST_MODEL (store));
  g_list_store_splice (store, 0, 0, more->pdata, more->len);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <, 100);
  tail = get_row (model, 0);
  g_object_unref (model);
  run_for (100);
  g_assert_true (wharf_row_get_item (tail) == more->pdata[0]);
  g_object_unref (store);
}

/* Handlers that change the model while it is being told of a change. */

static void
grow_store_once_cb (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    GListStore *store)
{
  g_autoptr(GPtrArray) more = NULL;

  if (g_object_get_data (G_OBJECT (store), "grown") != NULL)
    return;
  g_object_set_data (G_OBJECT (store), "grown", GINT_TO_POINTER (TRUE));
  more = make_items (130, "more");
  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0,
                       more->pdata, more->len);
}

/* A handler of the rows' items-changed grows the model: the growth goes on
 * to the model's new length, it does not stall. */
static void
test_grow_reentrant (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(GPtrArray) first = make_items (20, "first");

  g_signal_connect (model, "items-changed", G_CALLBACK (grow_store_once_cb), store);
  g_list_store_splice (store, 0, 0, first->pdata, first->len);
  for (guint i = 0; i < MAX_ITERATIONS && g_list_model_get_n_items (G_LIST_MODEL (model)) < 150; i++)
    turn ();

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 150);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 150);
}

static void
shrink_store_once_cb (GObject    *row,
                      GParamSpec *pspec,
                      GListStore *store)
{
  if (g_object_get_data (G_OBJECT (store), "shrunk") != NULL)
    return;
  g_object_set_data (G_OBJECT (store), "shrunk", GINT_TO_POINTER (TRUE));
  g_list_store_splice (store, 3, 7, NULL, 0);
}

/* A row's notify::item handler shrinks the model: the rows nobody holds
 * go with it, and every row left shows an item. */
static void
test_shrink_reentrant (void)
{
  g_autoptr(GListStore) store = make_store (10, "item");
  g_autoptr(GPtrArray) one = make_items (1, "new");
  g_autoptr(WharfRowModel) model = wharf_row_model_new (G_LIST_MODEL (store));
  g_autoptr(WharfRow) row = g_list_model_get_item (G_LIST_MODEL (model), 0);

  g_signal_connect (row, "notify::item", G_CALLBACK (shrink_store_once_cb), store);
  g_list_store_splice (store, 0, 1, one->pdata, 1);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WharfRow) shown = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_true (wharf_row_get_item (shown) == peek_item (G_LIST_MODEL (store), i));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/row-model/replace-keeps-rows", test_replace_keeps_rows);
  g_test_add_func ("/row-model/shrink", test_shrink);
  g_test_add_func ("/row-model/spares-reused", test_spares_reused);
  g_test_add_func ("/row-model/spares-trimmed", test_spares_trimmed);
  g_test_add_func ("/row-model/grow-stepped", test_grow_stepped);
  g_test_add_func ("/row-model/grow-past-view", test_grow_past_view);
  g_test_add_func ("/row-model/rows-not-kept", test_rows_not_kept);
  g_test_add_func ("/row-model/find", test_find);
  g_test_add_func ("/row-model/finalize-with-rows", test_finalize_with_rows);
  g_test_add_func ("/row-model/grow-reentrant", test_grow_reentrant);
  g_test_add_func ("/row-model/shrink-reentrant", test_shrink_reentrant);

  return g_test_run ();
}
