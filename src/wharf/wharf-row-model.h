/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-row-model.h: rows that keep their places while the list they show changes under them. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WHARF_TYPE_ROW (wharf_row_get_type ())

G_DECLARE_FINAL_TYPE (WharfRow, wharf_row, WHARF, ROW, GObject)

/* Row N of a WharfRowModel: shows item N of the wrapped model, whatever that
 * is now, or nothing (item NULL) while it is a spare past the model's end.
 * Property "item" (GObject, notify when it changes). */
gpointer       wharf_row_get_item     (WharfRow *self);
guint          wharf_row_get_position (WharfRow *self);

#define WHARF_TYPE_ROW_MODEL (wharf_row_model_get_type ())

G_DECLARE_FINAL_TYPE (WharfRowModel, wharf_row_model, WHARF, ROW_MODEL, GObject)

/* A GListModel of WharfRow over another GListModel ("model", construct).
 *
 * Why: GtkListView of GTK 4.8 keeps a widget for up to 200 rows and ties
 * each to its item. A filter model that turns "10,000 repositories" into
 * "299 matches" replaces the items at those places, so the view destroys and
 * builds 200 row widgets for one keystroke (about 100 ms here). Over this
 * model the items stay: row N only notifies that it now shows another item,
 * the row widget rebinds its labels, and the view hears of nothing but the
 * change of length at the end.
 *
 * So items-changed only ever grows or shrinks the tail, and "item" of every
 * row that someone holds is updated before it is emitted. Below the view's
 * 200 widgets the tail grows by 10 rows a step, a step about every frame
 * (16 ms; a list of 50 rows or more only in later steps), so the length
 * may trail the wrapped model's for a few steps.
 *
 * Destroying row widgets costs as much: when the wrapped model shrinks,
 * the rows past its end that someone holds (the view's row widgets) stay,
 * as spares whose item is NULL, and go 50 a step; a model that grows again
 * meanwhile shows its items in them first. So the length may also run past
 * the wrapped model's for a few steps, by at most 200 rows.
 * A view shows a spare as nothing: it hides the row widget.
 *
 * The model keeps no row alive: rows nobody holds are made again on
 * demand, and past the model's end go at once. */
WharfRowModel *wharf_row_model_new       (GListModel    *model);
GListModel    *wharf_row_model_get_model (WharfRowModel *self);
/* The position whose row shows @item (compared by identity), or
 * GTK_INVALID_LIST_POSITION: a linear search of the wrapped model. */
guint          wharf_row_model_find      (WharfRowModel *self,
                                          gpointer       item);

G_END_DECLS
