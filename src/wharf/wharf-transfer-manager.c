/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer-manager.c: every upload, download and copy of the
 * application, running or finished, as a list the transfers panel shows. */

#define G_LOG_DOMAIN "wharf-transfer-manager"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-transfer-manager.h"

/* How often speed and ETA are sampled and the item's byte counts notified:
 * often enough to look alive, rarely enough that a row is not redrawn for
 * every 100 ms tick of the engine. */
#define SAMPLE_INTERVAL_MS 500
/* Weight of the newest sample in the smoothed speed. */
#define SPEED_SMOOTHING    0.3

/* WharfTransferItem */

struct _WharfTransferItem
{
  GObject                 parent_instance;

  char                   *title;
  WharfTransferDirection  direction;
  WharfTransfer          *transfer;
  GFile                  *destination_file;
  GCancellable           *cancellable;

  WharfTransferState      state;
  gint64                  bytes_done;
  gint64                  bytes_total;
  double                  speed;
  gint64                  eta;
  char                   *error_message;

  gint64                  started_at;    /* monotonic µs */
  gint64                  ended_at;      /* monotonic µs, 0 while running */
  gint64                  sampled_at;
  gint64                  sampled_bytes;
  guint                   sample_id;
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_TITLE,
  ITEM_PROP_DIRECTION,
  ITEM_PROP_TRANSFER,
  ITEM_PROP_STATE,
  ITEM_PROP_BYTES_DONE,
  ITEM_PROP_BYTES_TOTAL,
  ITEM_PROP_SPEED,
  ITEM_PROP_ETA,
  ITEM_PROP_ERROR_MESSAGE,
  ITEM_PROP_DESTINATION_FILE,
  ITEM_N_PROPS
};

enum {
  ITEM_FINISHED,
  ITEM_N_SIGNALS
};

static GParamSpec *item_properties[ITEM_N_PROPS];
static guint item_signals[ITEM_N_SIGNALS];

G_DEFINE_FINAL_TYPE (WharfTransferItem, wharf_transfer_item, G_TYPE_OBJECT)

static void
wharf_transfer_item_dispose (GObject *object)
{
  WharfTransferItem *self = WHARF_TRANSFER_ITEM (object);

  g_clear_handle_id (&self->sample_id, g_source_remove);

  G_OBJECT_CLASS (wharf_transfer_item_parent_class)->dispose (object);
}

static void
wharf_transfer_item_finalize (GObject *object)
{
  WharfTransferItem *self = WHARF_TRANSFER_ITEM (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_object (&self->transfer);
  g_clear_object (&self->destination_file);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (wharf_transfer_item_parent_class)->finalize (object);
}

static void
wharf_transfer_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WharfTransferItem *self = WHARF_TRANSFER_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_DIRECTION:
      g_value_set_int (value, self->direction);
      break;
    case ITEM_PROP_TRANSFER:
      g_value_set_object (value, self->transfer);
      break;
    case ITEM_PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case ITEM_PROP_BYTES_DONE:
      g_value_set_int64 (value, self->bytes_done);
      break;
    case ITEM_PROP_BYTES_TOTAL:
      g_value_set_int64 (value, self->bytes_total);
      break;
    case ITEM_PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case ITEM_PROP_ETA:
      g_value_set_int64 (value, self->eta);
      break;
    case ITEM_PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case ITEM_PROP_DESTINATION_FILE:
      g_value_set_object (value, self->destination_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfer_item_class_init (WharfTransferItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = wharf_transfer_item_dispose;
  object_class->finalize = wharf_transfer_item_finalize;
  object_class->get_property = wharf_transfer_item_get_property;

  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_DIRECTION] =
    g_param_spec_int ("direction", NULL, NULL, WHARF_TRANSFER_DIRECTION_UPLOAD,
                      WHARF_TRANSFER_DIRECTION_COPY, WHARF_TRANSFER_DIRECTION_COPY, flags);
  item_properties[ITEM_PROP_TRANSFER] =
    g_param_spec_object ("transfer", NULL, NULL, WHARF_TYPE_TRANSFER, flags);
  item_properties[ITEM_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, WHARF_TRANSFER_STATE_READY,
                      WHARF_TRANSFER_STATE_CANCELLED, WHARF_TRANSFER_STATE_READY, flags);
  item_properties[ITEM_PROP_BYTES_DONE] =
    g_param_spec_int64 ("bytes-done", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_BYTES_TOTAL] =
    g_param_spec_int64 ("bytes-total", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  item_properties[ITEM_PROP_ETA] =
    g_param_spec_int64 ("eta", NULL, NULL, -1, G_MAXINT64, -1, flags);
  item_properties[ITEM_PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_DESTINATION_FILE] =
    g_param_spec_object ("destination-file", NULL, NULL, G_TYPE_FILE, flags);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);

  /**
   * WharfTransferItem::finished:
   *
   * The run ended (done, failed or cancelled); "state" and "error-message"
   * already say how.
   */
  item_signals[ITEM_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
wharf_transfer_item_init (WharfTransferItem *self)
{
  self->eta = -1;
}

static void
item_set_state (WharfTransferItem  *self,
                WharfTransferState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATE]);
}

static void
item_set_error_message (WharfTransferItem *self,
                        const char        *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ERROR_MESSAGE]);
}

static void
item_set_speed (WharfTransferItem *self,
                double             speed,
                gint64             eta)
{
  if (self->speed != speed)
    {
      self->speed = speed;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_SPEED]);
    }

  if (self->eta != eta)
    {
      self->eta = eta;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ETA]);
    }
}

/* Copies the engine's counts into the item's properties. */
static void
item_sync_bytes (WharfTransferItem *self)
{
  gint64 done = wharf_transfer_get_bytes_done (self->transfer);
  gint64 total = wharf_transfer_get_bytes_total (self->transfer);

  g_object_freeze_notify (G_OBJECT (self));

  if (self->bytes_total != total)
    {
      self->bytes_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_BYTES_TOTAL]);
    }

  if (self->bytes_done != done)
    {
      self->bytes_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_BYTES_DONE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
item_sample_cb (gpointer user_data)
{
  WharfTransferItem *self = WHARF_TRANSFER_ITEM (user_data);
  gint64 now = g_get_monotonic_time ();
  double seconds = (now - self->sampled_at) / (double) G_USEC_PER_SEC;
  double speed = self->speed;
  gint64 eta = -1;

  g_object_freeze_notify (G_OBJECT (self));

  item_sync_bytes (self);

  if (seconds > 0)
    {
      double recent = MAX (0, self->bytes_done - self->sampled_bytes) / seconds;

      speed = speed > 0 ? SPEED_SMOOTHING * recent + (1 - SPEED_SMOOTHING) * speed : recent;
    }
  self->sampled_at = now;
  self->sampled_bytes = self->bytes_done;

  if (speed >= 1 && self->bytes_total > 0 && self->bytes_total >= self->bytes_done)
    eta = (gint64) ((self->bytes_total - self->bytes_done) / speed + 0.5);

  item_set_speed (self, speed, eta);

  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_CONTINUE;
}

static void
item_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  WharfTransfer *transfer = WHARF_TRANSFER (object);
  g_autoptr(WharfTransferItem) self = WHARF_TRANSFER_ITEM (user_data);
  g_autoptr(GError) error = NULL;
  WharfTransferState state;

  wharf_transfer_run_finish (transfer, result, &error);

  /* A retry replaced the transfer while this one wound down. */
  if (transfer != self->transfer)
    return;

  g_clear_handle_id (&self->sample_id, g_source_remove);
  self->ended_at = g_get_monotonic_time ();

  state = wharf_transfer_get_state (transfer);
  if (error != NULL && state != WHARF_TRANSFER_STATE_CANCELLED)
    state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
              ? WHARF_TRANSFER_STATE_CANCELLED : WHARF_TRANSFER_STATE_FAILED;
  else if (error == NULL)
    state = WHARF_TRANSFER_STATE_DONE;

  g_object_freeze_notify (G_OBJECT (self));
  item_sync_bytes (self);
  item_set_speed (self, 0, -1);
  if (state == WHARF_TRANSFER_STATE_FAILED)
    {
      g_debug ("“%s” failed: %s", self->title, error->message);
      item_set_error_message (self, error->message);
    }
  item_set_state (self, state);
  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, item_signals[ITEM_FINISHED], 0);
}

static void
item_run (WharfTransferItem *self)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->started_at = g_get_monotonic_time ();
  self->ended_at = 0;
  self->sampled_at = self->started_at;
  self->sampled_bytes = 0;

  g_object_freeze_notify (G_OBJECT (self));
  item_set_error_message (self, NULL);
  item_set_speed (self, 0, -1);
  item_sync_bytes (self);
  item_set_state (self, WHARF_TRANSFER_STATE_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  g_clear_handle_id (&self->sample_id, g_source_remove);
  self->sample_id = g_timeout_add (SAMPLE_INTERVAL_MS, item_sample_cb, self);

  wharf_transfer_run_async (self->transfer, self->cancellable, item_run_cb,
                            g_object_ref (self));
}

static WharfTransferItem *
wharf_transfer_item_new (WharfTransfer          *transfer,
                         WharfTransferDirection  direction,
                         const char             *title,
                         GFile                  *destination_file)
{
  WharfTransferItem *self = g_object_new (WHARF_TYPE_TRANSFER_ITEM, NULL);

  self->transfer = g_object_ref (transfer);
  self->direction = direction;
  self->title = g_strdup (title);
  g_set_object (&self->destination_file, destination_file);

  return self;
}

const char *
wharf_transfer_item_get_title (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), NULL);
  return self->title;
}

WharfTransferDirection
wharf_transfer_item_get_direction (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), WHARF_TRANSFER_DIRECTION_COPY);
  return self->direction;
}

WharfTransfer *
wharf_transfer_item_get_transfer (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), NULL);
  return self->transfer;
}

WharfTransferState
wharf_transfer_item_get_state (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), WHARF_TRANSFER_STATE_READY);
  return self->state;
}

gint64
wharf_transfer_item_get_bytes_done (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), 0);
  return self->bytes_done;
}

gint64
wharf_transfer_item_get_bytes_total (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), 0);
  return self->bytes_total;
}

double
wharf_transfer_item_get_speed (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), 0);
  return self->speed;
}

gint64
wharf_transfer_item_get_eta (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), -1);
  return self->eta;
}

const char *
wharf_transfer_item_get_error_message (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), NULL);
  return self->error_message;
}

GFile *
wharf_transfer_item_get_destination_file (WharfTransferItem *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), NULL);
  return self->destination_file;
}

double
wharf_transfer_item_get_duration (WharfTransferItem *self)
{
  gint64 end;

  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (self), 0);

  if (self->started_at == 0)
    return 0;

  end = self->ended_at != 0 ? self->ended_at : g_get_monotonic_time ();
  return (end - self->started_at) / (double) G_USEC_PER_SEC;
}

void
wharf_transfer_item_cancel (WharfTransferItem *self)
{
  g_return_if_fail (WHARF_IS_TRANSFER_ITEM (self));

  if (self->state == WHARF_TRANSFER_STATE_RUNNING && self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
wharf_transfer_item_retry (WharfTransferItem *self)
{
  g_autoptr(WharfTransfer) fresh = NULL;

  g_return_if_fail (WHARF_IS_TRANSFER_ITEM (self));

  if (self->state != WHARF_TRANSFER_STATE_FAILED &&
      self->state != WHARF_TRANSFER_STATE_CANCELLED)
    return;

  fresh = wharf_transfer_dup (self->transfer);
  g_set_object (&self->transfer, fresh);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_TRANSFER]);

  item_run (self);
}

/* WharfTransferManager */

struct _WharfTransferManager
{
  GObject     parent_instance;

  GListStore *items;
  guint       n_active;
  double      fraction;
};

static void wharf_transfer_manager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WharfTransferManager, wharf_transfer_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      wharf_transfer_manager_list_model_init))

enum {
  PROP_0,
  PROP_N_ACTIVE,
  PROP_FRACTION,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
wharf_transfer_manager_get_item_type (GListModel *model)
{
  return WHARF_TYPE_TRANSFER_ITEM;
}

static guint
wharf_transfer_manager_get_n_items (GListModel *model)
{
  WharfTransferManager *self = WHARF_TRANSFER_MANAGER (model);

  return g_list_model_get_n_items (G_LIST_MODEL (self->items));
}

static gpointer
wharf_transfer_manager_get_item (GListModel *model,
                                 guint       position)
{
  WharfTransferManager *self = WHARF_TRANSFER_MANAGER (model);

  return g_list_model_get_item (G_LIST_MODEL (self->items), position);
}

static void
wharf_transfer_manager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = wharf_transfer_manager_get_item_type;
  iface->get_n_items = wharf_transfer_manager_get_n_items;
  iface->get_item = wharf_transfer_manager_get_item;
}

/* Recounts the running items and their overall progress. */
static void
wharf_transfer_manager_update (WharfTransferManager *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  gint64 done = 0;
  gint64 total = 0;
  guint n_active = 0;
  double fraction;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(WharfTransferItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (item->state != WHARF_TRANSFER_STATE_RUNNING)
        continue;

      n_active++;
      done += item->bytes_done;
      total += item->bytes_total;
    }

  fraction = total > 0 ? CLAMP ((double) done / total, 0, 1) : 0;

  g_object_freeze_notify (G_OBJECT (self));

  if (self->n_active != n_active)
    {
      self->n_active = n_active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
    }

  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static void
wharf_transfer_manager_items_changed_cb (WharfTransferManager *self,
                                         guint                 position,
                                         guint                 removed,
                                         guint                 added,
                                         GListModel           *items)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
wharf_transfer_manager_item_notify_cb (WharfTransferManager *self,
                                       GParamSpec           *pspec,
                                       WharfTransferItem    *item)
{
  wharf_transfer_manager_update (self);
}

static void
wharf_transfer_manager_item_finished_cb (WharfTransferManager *self,
                                         WharfTransferItem    *item)
{
  wharf_transfer_manager_update (self);
  g_signal_emit (self, signals[FINISHED], 0, item);
}

static void
wharf_transfer_manager_dispose (GObject *object)
{
  WharfTransferManager *self = WHARF_TRANSFER_MANAGER (object);

  /* Nothing keeps running for a manager that is gone. */
  wharf_transfer_manager_cancel_all (self);

  G_OBJECT_CLASS (wharf_transfer_manager_parent_class)->dispose (object);
}

static void
wharf_transfer_manager_finalize (GObject *object)
{
  WharfTransferManager *self = WHARF_TRANSFER_MANAGER (object);

  g_clear_object (&self->items);

  G_OBJECT_CLASS (wharf_transfer_manager_parent_class)->finalize (object);
}

static void
wharf_transfer_manager_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  WharfTransferManager *self = WHARF_TRANSFER_MANAGER (object);

  switch (prop_id)
    {
    case PROP_N_ACTIVE:
      g_value_set_uint (value, self->n_active);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfer_manager_class_init (WharfTransferManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = wharf_transfer_manager_dispose;
  object_class->finalize = wharf_transfer_manager_finalize;
  object_class->get_property = wharf_transfer_manager_get_property;

  properties[PROP_N_ACTIVE] =
    g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WharfTransferManager::finished:
   * @item: the transfer that ended
   *
   * A transfer ended: done, failed or cancelled.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, WHARF_TYPE_TRANSFER_ITEM);
}

static void
wharf_transfer_manager_init (WharfTransferManager *self)
{
  self->items = g_list_store_new (WHARF_TYPE_TRANSFER_ITEM);
  g_signal_connect_object (self->items, "items-changed",
                           G_CALLBACK (wharf_transfer_manager_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

WharfTransferManager *
wharf_transfer_manager_new (void)
{
  return g_object_new (WHARF_TYPE_TRANSFER_MANAGER, NULL);
}

WharfTransferItem *
wharf_transfer_manager_start (WharfTransferManager   *self,
                              WharfTransfer          *transfer,
                              WharfTransferDirection  direction,
                              const char             *title,
                              GFile                  *destination_file)
{
  g_autoptr(WharfTransferItem) item = NULL;

  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (self), NULL);
  g_return_val_if_fail (WHARF_IS_TRANSFER (transfer), NULL);
  g_return_val_if_fail (wharf_transfer_get_state (transfer) == WHARF_TRANSFER_STATE_READY, NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (!destination_file || G_IS_FILE (destination_file), NULL);

  item = wharf_transfer_item_new (transfer, direction, title, destination_file);

  g_signal_connect_object (item, "notify::state",
                           G_CALLBACK (wharf_transfer_manager_item_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::bytes-done",
                           G_CALLBACK (wharf_transfer_manager_item_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::bytes-total",
                           G_CALLBACK (wharf_transfer_manager_item_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "finished",
                           G_CALLBACK (wharf_transfer_manager_item_finished_cb),
                           self, G_CONNECT_SWAPPED);

  g_list_store_insert (self->items, 0, item);
  item_run (item);

  /* Borrowed: the manager's list holds it. */
  return item;
}

guint
wharf_transfer_manager_get_n_active (WharfTransferManager *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (self), 0);
  return self->n_active;
}

double
wharf_transfer_manager_get_fraction (WharfTransferManager *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (self), 0);
  return self->fraction;
}

void
wharf_transfer_manager_cancel_all (WharfTransferManager *self)
{
  guint n_items;

  g_return_if_fail (WHARF_IS_TRANSFER_MANAGER (self));

  if (self->items == NULL)
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(WharfTransferItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      wharf_transfer_item_cancel (item);
    }
}

void
wharf_transfer_manager_clear_finished (WharfTransferManager *self)
{
  g_return_if_fail (WHARF_IS_TRANSFER_MANAGER (self));

  /* Backwards, so removals do not shift what is still to be looked at. */
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->items)); i > 0; i--)
    {
      g_autoptr(WharfTransferItem) item = g_list_model_get_item (G_LIST_MODEL (self->items),
                                                                 i - 1);

      if (item->state != WHARF_TRANSFER_STATE_RUNNING)
        g_list_store_remove (self->items, i - 1);
    }
}
