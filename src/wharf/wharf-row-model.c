/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-row-model.c: rows that keep their places while the list they show changes under them. */

#define G_LOG_DOMAIN "wharf-row-model"

#include "config.h"

#include "wharf-row-model.h"

/* GtkListView of GTK 4.8 keeps a widget for each of the first 200 rows
 * around its anchor; below that, each new row costs a widget (about
 * 0.4 ms here) and its first layout in the next frame. Growth there comes
 * GROW_STEP rows per step, a step about every frame (STEP_MS: the model
 * knows no frame clock), so a keystroke that brings back 180 rows paints
 * its first rows in its own frame and lays out the rest a few at a time in
 * the next ones; and a list that already fills a screen (SCREENFUL rows)
 * grows only in those later steps.
 *
 * Letting a row go costs its widget too (about 30 µs each here): a
 * keystroke that narrows 299 rows to 20 would destroy 180 of them. So rows
 * past the model's end that someone holds (the view's widgets) stay as
 * spares, showing nothing, and go TRIM_STEP per later step; a list that
 * grows again meanwhile shows its items in them. */
#define VIEW_WIDGETS 200
#define GROW_STEP    10
#define SCREENFUL    50
#define TRIM_STEP    50
#define STEP_MS      16

struct _WharfRow
{
  GObject        parent_instance;

  /* Not a reference: the model clears it when it lets the row go. */
  WharfRowModel *model;
  guint          position;
  GObject       *item;
};

G_DEFINE_FINAL_TYPE (WharfRow, wharf_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_ITEM,
  N_ROW_PROPS
};

static GParamSpec *row_properties[N_ROW_PROPS];

struct _WharfRowModel
{
  GObject     parent_instance;

  GListModel *model;
  /* position → the WharfRow someone holds, or NULL; no references. Its
   * length is the number of rows, which may trail the model's for a few
   * steps while it grows, or run past it by spares while it shrinks. */
  GPtrArray  *rows;
  guint       settle_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WharfRowModel, wharf_row_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- WharfRow ---------------------------------------------------------------- */

static void
wharf_row_dispose (GObject *object)
{
  WharfRow *self = WHARF_ROW (object);

  /* The last holder let go: the next request for this place makes a new row. */
  if (self->model != NULL && self->model->rows->pdata[self->position] == self)
    self->model->rows->pdata[self->position] = NULL;
  self->model = NULL;

  G_OBJECT_CLASS (wharf_row_parent_class)->dispose (object);
}

static void
wharf_row_finalize (GObject *object)
{
  WharfRow *self = WHARF_ROW (object);

  g_clear_object (&self->item);

  G_OBJECT_CLASS (wharf_row_parent_class)->finalize (object);
}

static void
wharf_row_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WharfRow *self = WHARF_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_row_class_init (WharfRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wharf_row_dispose;
  object_class->finalize = wharf_row_finalize;
  object_class->get_property = wharf_row_get_property;

  row_properties[ROW_PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_ROW_PROPS, row_properties);
}

static void
wharf_row_init (WharfRow *self)
{
}

gpointer
wharf_row_get_item (WharfRow *self)
{
  g_return_val_if_fail (WHARF_IS_ROW (self), NULL);

  return self->item;
}

guint
wharf_row_get_position (WharfRow *self)
{
  g_return_val_if_fail (WHARF_IS_ROW (self), GTK_INVALID_LIST_POSITION);

  return self->position;
}

/* --- WharfRowModel ------------------------------------------------------------- */

static GType
wharf_row_model_get_item_type (GListModel *model)
{
  return WHARF_TYPE_ROW;
}

static guint
wharf_row_model_get_n_items (GListModel *model)
{
  return WHARF_ROW_MODEL (model)->rows->len;
}

static gpointer
wharf_row_model_get_item (GListModel *model,
                          guint       position)
{
  WharfRowModel *self = WHARF_ROW_MODEL (model);
  WharfRow *row;

  if (position >= self->rows->len)
    return NULL;

  row = self->rows->pdata[position];
  if (row != NULL)
    return g_object_ref (row);

  row = g_object_new (WHARF_TYPE_ROW, NULL);
  row->model = self;
  row->position = position;
  row->item = g_list_model_get_item (self->model, position);
  self->rows->pdata[position] = row;

  return row;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = wharf_row_model_get_item_type;
  iface->get_n_items = wharf_row_model_get_n_items;
  iface->get_item = wharf_row_model_get_item;
}

static void
detach_rows (WharfRowModel *self,
             guint          from)
{
  for (guint i = from; i < self->rows->len; i++)
    {
      WharfRow *row = self->rows->pdata[i];

      if (row != NULL)
        row->model = NULL;
    }
}

/* How long the list should be in this step, on its way to @n_model rows.
 * @changing: the model has just changed (a keystroke): a list that fills
 * the screen can wait for the next step to grow, unless growing is cheap
 * (the view makes no widgets past its 200); and a list that shrinks keeps
 * every spare someone holds, up to VIEW_WIDGETS of them. In later steps
 * TRIM_STEP of those go per step. Rows nobody holds cost the view nothing
 * and go at once. */
static guint
next_length (WharfRowModel *self,
             guint          n_model,
             gboolean       changing)
{
  guint n_rows = self->rows->len;

  if (n_model < n_rows)
    {
      guint length = MIN (n_rows, n_model + VIEW_WIDGETS);
      guint let_go = changing ? 0 : TRIM_STEP;

      for (; length > n_model; length--)
        {
          if (self->rows->pdata[length - 1] == NULL)
            continue;
          if (let_go == 0)
            break;
          let_go--;
        }
      return length;
    }
  if (n_model == n_rows || n_rows + GROW_STEP >= VIEW_WIDGETS)
    return n_model;
  if (changing && n_rows >= SCREENFUL)
    return n_rows;

  return MIN (n_model, n_rows + GROW_STEP);
}

static gboolean settle_cb (gpointer user_data);

static void
set_length (WharfRowModel *self,
            guint          n_new)
{
  guint n_old = self->rows->len;
  guint n_model;

  if (n_new < n_old)
    {
      detach_rows (self, n_new);
      g_ptr_array_set_size (self->rows, n_new);
      g_list_model_items_changed (G_LIST_MODEL (self), n_new, n_old - n_new, 0);
    }
  else if (n_new > n_old)
    {
      g_ptr_array_set_size (self->rows, n_new);
      g_list_model_items_changed (G_LIST_MODEL (self), n_old, 0, n_new - n_old);
    }

  /* After the emission: a handler may have changed the model again. */
  n_model = g_list_model_get_n_items (self->model);
  if (self->rows->len != n_model && self->settle_id == 0)
    self->settle_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, STEP_MS, settle_cb, self,
                                          NULL);
  else if (self->rows->len == n_model)
    g_clear_handle_id (&self->settle_id, g_source_remove);
}

/* A later step: the tail grows, or spares go. */
static gboolean
settle_cb (gpointer user_data)
{
  WharfRowModel *self = user_data;

  self->settle_id = 0;
  set_length (self, next_length (self, g_list_model_get_n_items (self->model), FALSE));

  return G_SOURCE_REMOVE;
}

static void
model_items_changed_cb (WharfRowModel *self,
                        guint          position,
                        guint          removed,
                        guint          added,
                        GListModel    *model)
{
  /* Equal counts move nothing: only the replaced places show other items.
   * Otherwise every row from @position on may show another item, or none:
   * past the model's end a row is a spare. */
  guint end = removed == added ? MIN (position + added, self->rows->len) : self->rows->len;

  /* A handler of a notification may change the model again: the bounds
   * are checked on every turn and the length taken afresh after. */
  for (guint i = position; i < end && i < self->rows->len; i++)
    {
      WharfRow *row = self->rows->pdata[i];
      g_autoptr(GObject) item = NULL;

      if (row == NULL)
        continue;

      item = g_list_model_get_item (model, i);
      if (item == row->item)
        continue;

      g_set_object (&row->item, item);
      g_object_notify_by_pspec (G_OBJECT (row), row_properties[ROW_PROP_ITEM]);
    }

  set_length (self, next_length (self, g_list_model_get_n_items (model), TRUE));
}

static void
wharf_row_model_constructed (GObject *object)
{
  WharfRowModel *self = WHARF_ROW_MODEL (object);

  G_OBJECT_CLASS (wharf_row_model_parent_class)->constructed (object);

  g_ptr_array_set_size (self->rows, g_list_model_get_n_items (self->model));
  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (model_items_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
wharf_row_model_finalize (GObject *object)
{
  WharfRowModel *self = WHARF_ROW_MODEL (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  detach_rows (self, 0);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (wharf_row_model_parent_class)->finalize (object);
}

static void
wharf_row_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WharfRowModel *self = WHARF_ROW_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_row_model_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WharfRowModel *self = WHARF_ROW_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_row_model_class_init (WharfRowModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = wharf_row_model_constructed;
  object_class->finalize = wharf_row_model_finalize;
  object_class->get_property = wharf_row_model_get_property;
  object_class->set_property = wharf_row_model_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_row_model_init (WharfRowModel *self)
{
  self->rows = g_ptr_array_new ();
}

WharfRowModel *
wharf_row_model_new (GListModel *model)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  return g_object_new (WHARF_TYPE_ROW_MODEL, "model", model, NULL);
}

GListModel *
wharf_row_model_get_model (WharfRowModel *self)
{
  g_return_val_if_fail (WHARF_IS_ROW_MODEL (self), NULL);

  return self->model;
}

guint
wharf_row_model_find (WharfRowModel *self,
                      gpointer       item)
{
  guint n;

  g_return_val_if_fail (WHARF_IS_ROW_MODEL (self), GTK_INVALID_LIST_POSITION);

  n = g_list_model_get_n_items (self->model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) candidate = g_list_model_get_item (self->model, i);

      if (candidate == item)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}
