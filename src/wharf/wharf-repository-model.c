/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-repository-model.c: a registry's catalog as a list model that fills page by page. */

#define G_LOG_DOMAIN "wharf-repository-model"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-error.h"

#include "wharf-repository-model.h"

/* Tag counts share the registry's connections with the tag details of the
 * open repository: a couple at a time keeps them from crowding it out. */
#define MAX_TAG_COUNT_FETCHES 2
/* Rows scrolled past long ago are not worth a request any more. */
#define MAX_TAG_QUEUE 64

struct _WharfRepositoryItem
{
  GObject  parent_instance;

  char    *name;
  int      tag_count;
  /* Queued for a tag count, or counted: never asked again. */
  guint    requested : 1;
  /* Its tags were looked at, whatever the answer (for the sweep). */
  guint    checked : 1;
};

G_DEFINE_FINAL_TYPE (WharfRepositoryItem, wharf_repository_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_NAME,
  ITEM_PROP_TAG_COUNT,
  ITEM_PROP_EMPTY,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
wharf_repository_item_finalize (GObject *object)
{
  WharfRepositoryItem *self = WHARF_REPOSITORY_ITEM (object);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (wharf_repository_item_parent_class)->finalize (object);
}

static void
wharf_repository_item_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WharfRepositoryItem *self = WHARF_REPOSITORY_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case ITEM_PROP_TAG_COUNT:
      g_value_set_int (value, self->tag_count);
      break;

    case ITEM_PROP_EMPTY:
      g_value_set_boolean (value, wharf_repository_item_get_empty (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_item_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  WharfRepositoryItem *self = WHARF_REPOSITORY_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case ITEM_PROP_TAG_COUNT:
      wharf_repository_item_set_tag_count (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_item_class_init (WharfRepositoryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wharf_repository_item_finalize;
  object_class->get_property = wharf_repository_item_get_property;
  object_class->set_property = wharf_repository_item_set_property;

  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  item_properties[ITEM_PROP_TAG_COUNT] =
    g_param_spec_int ("tag-count", NULL, NULL,
                      -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS));

  item_properties[ITEM_PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
wharf_repository_item_init (WharfRepositoryItem *self)
{
  self->tag_count = -1;
}

WharfRepositoryItem *
wharf_repository_item_new (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (WHARF_TYPE_REPOSITORY_ITEM,
                       "name", name,
                       NULL);
}

const char *
wharf_repository_item_get_name (WharfRepositoryItem *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_ITEM (self), NULL);

  return self->name;
}

int
wharf_repository_item_get_tag_count (WharfRepositoryItem *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_ITEM (self), -1);

  return self->tag_count;
}

gboolean
wharf_repository_item_get_empty (WharfRepositoryItem *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_ITEM (self), FALSE);

  return self->tag_count == 0;
}

void
wharf_repository_item_set_tag_count (WharfRepositoryItem *self,
                                     int                  tag_count)
{
  gboolean was_empty;

  g_return_if_fail (WHARF_IS_REPOSITORY_ITEM (self));
  g_return_if_fail (tag_count >= -1);

  if (self->tag_count == tag_count)
    return;

  was_empty = wharf_repository_item_get_empty (self);
  self->tag_count = tag_count;

  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_TAG_COUNT]);
  if (was_empty != wharf_repository_item_get_empty (self))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_EMPTY]);
}

struct _WharfRepositoryModel
{
  GObject        parent_instance;

  WharfClient   *client;
  GPtrArray     *items;
  GError        *error;

  /* Cancels the listing and the tag counts of this client. */
  GCancellable  *cancellable;
  /* Bumped whenever the client changes or a listing starts, so replies to an
   * older one are dropped. */
  guint          generation;

  /* Items waiting for a tag count, in request order. */
  GQueue         tag_queue;
  guint          n_tag_fetches;
  /* Counting all: the next place the sweep looks at, and how many items
   * have been looked at. */
  guint          sweep;
  guint          n_checked;

  guint          loading : 1;
  guint          count_all : 1;
  guint          complete : 1;
  /* A reload merges the whole list at the end instead of appending pages. */
  guint          merging : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WharfRepositoryModel, wharf_repository_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_ERROR,
  PROP_N_ITEMS,
  PROP_COUNT_ALL,
  PROP_N_CHECKED,
  N_PROPS
};

enum {
  ITEM_COUNTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
wharf_repository_model_get_item_type (GListModel *model)
{
  return WHARF_TYPE_REPOSITORY_ITEM;
}

static guint
wharf_repository_model_get_n_items (GListModel *model)
{
  return WHARF_REPOSITORY_MODEL (model)->items->len;
}

static gpointer
wharf_repository_model_get_item (GListModel *model,
                                 guint       position)
{
  WharfRepositoryModel *self = WHARF_REPOSITORY_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = wharf_repository_model_get_item_type;
  iface->get_n_items = wharf_repository_model_get_n_items;
  iface->get_item = wharf_repository_model_get_item;
}

static void
set_loading (WharfRepositoryModel *self,
             gboolean              loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_complete (WharfRepositoryModel *self,
              gboolean              complete)
{
  if (self->complete == !!complete)
    return;

  self->complete = !!complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_error (WharfRepositoryModel *self,
           const GError         *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void run_tag_queue (WharfRepositoryModel *self);

static void
set_n_checked (WharfRepositoryModel *self,
               guint                 n_checked)
{
  if (self->n_checked == n_checked)
    return;
  self->n_checked = n_checked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHECKED]);
}

static void
recount_checked (WharfRepositoryModel *self)
{
  guint n = 0;

  for (guint i = 0; i < self->items->len; i++)
    n += WHARF_REPOSITORY_ITEM (self->items->pdata[i])->checked;
  set_n_checked (self, n);
}

static void
splice (WharfRepositoryModel  *self,
        guint                  position,
        guint                  n_removed,
        WharfRepositoryItem  **added,
        guint                  n_added)
{
  g_ptr_array_remove_range (self->items, position, n_removed);
  if (n_added > 0)
    {
      /* GLib 2.74 has no g_ptr_array_insert_range: open a gap and fill it. */
      guint old_len = self->items->len;

      g_ptr_array_set_size (self->items, old_len + n_added);
      memmove (self->items->pdata + position + n_added,
               self->items->pdata + position,
               (old_len - position) * sizeof (gpointer));
      for (guint i = 0; i < n_added; i++)
        self->items->pdata[position + i] = g_object_ref (added[i]);
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, n_removed, n_added);
  if (n_removed != n_added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (n_removed > 0)
    recount_checked (self);
  if (n_added > 0 && self->count_all)
    run_tag_queue (self);
}

/* Makes the model hold @names in that order with one items-changed, keeping
 * the items of names it already holds. */
static void
merge_names (WharfRepositoryModel *self,
             const char * const   *names)
{
  g_autoptr(GHashTable) reusable = NULL;
  g_autoptr(GPtrArray) middle = NULL;
  guint n_old = self->items->len;
  guint n_new = g_strv_length ((char **) names);
  guint prefix = 0;
  guint suffix = 0;

  while (prefix < n_old && prefix < n_new
         && g_str_equal (WHARF_REPOSITORY_ITEM (self->items->pdata[prefix])->name,
                         names[prefix]))
    prefix++;

  while (suffix < n_old - prefix && suffix < n_new - prefix
         && g_str_equal (WHARF_REPOSITORY_ITEM (self->items->pdata[n_old - 1 - suffix])->name,
                         names[n_new - 1 - suffix]))
    suffix++;

  if (prefix + suffix == n_old && prefix + suffix == n_new)
    return;

  reusable = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = prefix; i < n_old - suffix; i++)
    {
      WharfRepositoryItem *item = self->items->pdata[i];

      g_hash_table_insert (reusable, item->name, item);
    }

  middle = g_ptr_array_new_full (n_new - prefix - suffix, g_object_unref);
  for (guint i = prefix; i < n_new - suffix; i++)
    {
      WharfRepositoryItem *item = g_hash_table_lookup (reusable, names[i]);

      if (item != NULL)
        g_ptr_array_add (middle, g_object_ref (item));
      else
        g_ptr_array_add (middle, wharf_repository_item_new (names[i]));
    }

  splice (self, prefix, n_old - prefix - suffix,
          (WharfRepositoryItem **) middle->pdata, middle->len);
}

typedef struct
{
  GWeakRef model;
  guint    generation;
} PageData;

static PageData *
page_data_new (WharfRepositoryModel *self)
{
  PageData *data = g_new0 (PageData, 1);

  g_weak_ref_init (&data->model, self);
  data->generation = self->generation;

  return data;
}

static void
page_data_free (gpointer user_data)
{
  PageData *data = user_data;

  g_weak_ref_clear (&data->model);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageData, page_data_free)

static void
page_cb (const char * const *names,
         gpointer            user_data)
{
  PageData *data = user_data;
  g_autoptr(WharfRepositoryModel) self = g_weak_ref_get (&data->model);
  g_autoptr(GPtrArray) added = NULL;
  guint n;

  if (self == NULL || self->generation != data->generation || self->merging)
    return;

  n = g_strv_length ((char **) names);
  if (n == 0)
    return;

  added = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (added, wharf_repository_item_new (names[i]));

  g_debug ("Catalog page of %u (%u so far)", n, self->items->len + n);
  splice (self, self->items->len, 0, (WharfRepositoryItem **) added->pdata, added->len);
}

static void
list_repositories_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  WharfClient *client = WHARF_CLIENT (object);
  g_autoptr(PageData) data = user_data;
  g_autoptr(WharfRepositoryModel) self = g_weak_ref_get (&data->model);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  names = wharf_client_list_repositories_finish (client, result, &error);

  if (self == NULL || self->generation != data->generation)
    return;

  if (names == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_loading (self, FALSE);
          return;
        }

      g_debug ("Listing the catalog failed: %s", error->message);
      self->merging = FALSE;
      set_error (self, error);
      set_loading (self, FALSE);
      return;
    }

  /* Pages were appended as they came; the whole list is the truth (and the
   * only source during a reload). */
  merge_names (self, (const char * const *) names);
  self->merging = FALSE;
  set_error (self, NULL);
  set_complete (self, TRUE);
  set_loading (self, FALSE);
}

static void
start_listing (WharfRepositoryModel *self,
               gboolean              merge)
{
  self->generation++;
  self->merging = !!merge;

  set_complete (self, FALSE);
  set_loading (self, TRUE);

  wharf_client_list_repositories_async (self->client,
                                        page_cb, page_data_new (self), page_data_free,
                                        self->cancellable,
                                        list_repositories_cb, page_data_new (self));
}

static void
clear_tag_queue (WharfRepositoryModel *self)
{
  WharfRepositoryItem *item;

  while ((item = g_queue_pop_head (&self->tag_queue)))
    {
      item->requested = FALSE;
      g_object_unref (item);
    }
}

static void
wharf_repository_model_dispose (GObject *object)
{
  WharfRepositoryModel *self = WHARF_REPOSITORY_MODEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  clear_tag_queue (self);

  G_OBJECT_CLASS (wharf_repository_model_parent_class)->dispose (object);
}

static void
wharf_repository_model_finalize (GObject *object)
{
  WharfRepositoryModel *self = WHARF_REPOSITORY_MODEL (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (wharf_repository_model_parent_class)->finalize (object);
}

static void
wharf_repository_model_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  WharfRepositoryModel *self = WHARF_REPOSITORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    case PROP_COUNT_ALL:
      g_value_set_boolean (value, self->count_all);
      break;

    case PROP_N_CHECKED:
      g_value_set_uint (value, self->n_checked);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_model_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  WharfRepositoryModel *self = WHARF_REPOSITORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      wharf_repository_model_set_client (self, g_value_get_object (value));
      break;

    case PROP_COUNT_ALL:
      wharf_repository_model_set_count_all (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_model_class_init (WharfRepositoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wharf_repository_model_dispose;
  object_class->finalize = wharf_repository_model_finalize;
  object_class->get_property = wharf_repository_model_get_property;
  object_class->set_property = wharf_repository_model_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         WHARF_TYPE_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  properties[PROP_COUNT_ALL] =
    g_param_spec_boolean ("count-all", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_N_CHECKED] =
    g_param_spec_uint ("n-checked", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ITEM_COUNTED] =
    g_signal_new ("item-counted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_REPOSITORY_ITEM);
}

static void
wharf_repository_model_init (WharfRepositoryModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->tag_queue);
}

WharfRepositoryModel *
wharf_repository_model_new (void)
{
  return g_object_new (WHARF_TYPE_REPOSITORY_MODEL, NULL);
}

WharfClient *
wharf_repository_model_get_client (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), NULL);

  return self->client;
}

void
wharf_repository_model_cancel (WharfRepositoryModel *self)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_MODEL (self));

  self->generation++;
  self->merging = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  clear_tag_queue (self);
  self->n_tag_fetches = 0;
  set_loading (self, FALSE);
}

void
wharf_repository_model_set_client (WharfRepositoryModel *self,
                                   WharfClient          *client)
{
  guint n_old;

  g_return_if_fail (WHARF_IS_REPOSITORY_MODEL (self));
  g_return_if_fail (!client || WHARF_IS_CLIENT (client));

  if (self->client == client)
    return;

  wharf_repository_model_cancel (self);
  g_set_object (&self->client, client);

  n_old = self->items->len;
  if (n_old > 0)
    splice (self, 0, n_old, NULL, 0);
  self->sweep = 0;
  set_error (self, NULL);
  set_complete (self, FALSE);

  if (client != NULL)
    start_listing (self, FALSE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

gboolean
wharf_repository_model_get_loading (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), FALSE);

  return self->loading;
}

gboolean
wharf_repository_model_get_complete (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), FALSE);

  return self->complete;
}

const GError *
wharf_repository_model_get_error (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), NULL);

  return self->error;
}

void
wharf_repository_model_reload (WharfRepositoryModel *self)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_MODEL (self));

  if (self->client == NULL)
    return;

  wharf_repository_model_cancel (self);

  /* Counts may have changed too: let the rows in view ask again, and the
   * sweep look again. */
  for (guint i = 0; i < self->items->len; i++)
    {
      WHARF_REPOSITORY_ITEM (self->items->pdata[i])->requested = FALSE;
      WHARF_REPOSITORY_ITEM (self->items->pdata[i])->checked = FALSE;
    }
  self->sweep = 0;
  set_n_checked (self, 0);

  /* After an error the list is empty or partial: fill it page by page
   * again, so the first rows show at once. */
  if (self->error != NULL || self->items->len == 0)
    {
      if (self->items->len > 0)
        splice (self, 0, self->items->len, NULL, 0);
      start_listing (self, FALSE);
    }
  else
    start_listing (self, TRUE);

  /* The items kept are looked at again while the list is merged. */
  if (self->count_all)
    run_tag_queue (self);
}

WharfRepositoryItem *
wharf_repository_model_find (WharfRepositoryModel *self,
                             const char           *name,
                             guint                *position)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      WharfRepositoryItem *item = self->items->pdata[i];

      if (g_str_equal (item->name, name))
        {
          if (position != NULL)
            *position = i;
          return item;
        }
    }

  return NULL;
}

typedef struct
{
  GWeakRef             model;
  WharfRepositoryItem *item;
  guint                generation;
} TagCountData;

static void
tag_count_data_free (TagCountData *data)
{
  g_weak_ref_clear (&data->model);
  g_clear_object (&data->item);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TagCountData, tag_count_data_free)

static void
list_tags_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TagCountData) data = user_data;
  g_autoptr(WharfRepositoryModel) self = g_weak_ref_get (&data->model);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_finish (WHARF_CLIENT (object), result, &error);

  if (self == NULL || self->generation != data->generation)
    return;

  self->n_tag_fetches--;
  if (!data->item->checked)
    {
      data->item->checked = TRUE;
      set_n_checked (self, self->n_checked + 1);
    }

  if (tags != NULL)
    wharf_repository_item_set_tag_count (data->item, g_strv_length (tags));
  else if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND))
    /* A repository whose every tag was deleted is still in the catalog. */
    wharf_repository_item_set_tag_count (data->item, 0);
  else
    g_debug ("Cannot count the tags of %s: %s", data->item->name, error->message);

  if (data->item->tag_count >= 0)
    g_signal_emit (self, signals[ITEM_COUNTED], 0, data->item);

  run_tag_queue (self);
}

/* Counting all: the next item nobody has asked about or looked at. Items
 * dropped from the queue of requests after the sweep passed them are
 * found on the next round. */
static WharfRepositoryItem *
next_to_sweep (WharfRepositoryModel *self)
{
  guint n = self->items->len;

  for (guint looked = 0; looked < n && self->n_checked < n; looked++)
    {
      WharfRepositoryItem *item;

      if (self->sweep >= n)
        self->sweep = 0;
      item = self->items->pdata[self->sweep++];
      if (!item->requested && !item->checked)
        {
          item->requested = TRUE;
          return g_object_ref (item);
        }
    }

  return NULL;
}

/* The rows asked for first, then, when counting all, the rest in the
 * catalog's order. */
static void
run_tag_queue (WharfRepositoryModel *self)
{
  while (self->n_tag_fetches < MAX_TAG_COUNT_FETCHES && self->client != NULL)
    {
      g_autoptr(WharfRepositoryItem) item = g_queue_pop_head (&self->tag_queue);
      TagCountData *data;

      if (item == NULL && self->count_all)
        item = next_to_sweep (self);
      if (item == NULL)
        return;

      data = g_new0 (TagCountData, 1);
      g_weak_ref_init (&data->model, self);
      data->item = g_object_ref (item);
      data->generation = self->generation;

      self->n_tag_fetches++;
      wharf_client_list_tags_async (self->client, item->name, self->cancellable,
                                    list_tags_cb, data);
    }
}

void
wharf_repository_model_request_tag_count (WharfRepositoryModel *self,
                                          WharfRepositoryItem  *item)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_MODEL (self));
  g_return_if_fail (WHARF_IS_REPOSITORY_ITEM (item));

  if (item->requested || self->client == NULL)
    return;

  /* Newest first: the rows on screen now matter more than those that
   * scrolled by. */
  item->requested = TRUE;
  g_queue_push_head (&self->tag_queue, g_object_ref (item));
  while (self->tag_queue.length > MAX_TAG_QUEUE)
    {
      g_autoptr(WharfRepositoryItem) dropped = g_queue_pop_tail (&self->tag_queue);

      dropped->requested = FALSE;
    }
  run_tag_queue (self);
}

void
wharf_repository_model_set_count_all (WharfRepositoryModel *self,
                                      gboolean              count_all)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_MODEL (self));

  if (self->count_all == !!count_all)
    return;

  self->count_all = !!count_all;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_ALL]);
  run_tag_queue (self);
}

gboolean
wharf_repository_model_get_count_all (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), FALSE);

  return self->count_all;
}

guint
wharf_repository_model_get_n_checked (WharfRepositoryModel *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_MODEL (self), 0);

  return self->n_checked;
}
