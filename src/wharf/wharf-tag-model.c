/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-model.c: the tags of one repository, with image details fetched lazily. */

#define G_LOG_DOMAIN "wharf-tag-model"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-endpoint.h"
#include "wharf-error.h"
#include "wharf-image.h"

#include "wharf-tag-item-private.h"
#include "wharf-tag-model.h"

/* The session allows 8 connections per host; half for the rows in view
 * leaves room for the details pane and the repository list. */
#define MAX_FETCHES 4

struct _WharfTagModel
{
  GObject            parent_instance;

  WharfDetailsCache *cache;
  WharfClient       *client;
  char              *repository;
  char              *domain;

  GPtrArray         *items;
  GError            *error;

  GCancellable      *cancellable;
  /* Bumped by load (and so by clearing): replies to an older one are dropped. */
  guint              generation;
  /* Bumped by refresh: a fetch that began before it does not count as a check. */
  guint              check_generation;

  /* Items to fetch, newest request first. */
  GQueue             queue;
  guint              n_running;

  /* digest → GPtrArray of the items with that digest (no references). */
  GHashTable        *groups;
  /* digest → GPtrArray of Fetch waiting for the one fetch of that image
   * already under way (tags that share an image cost one fetch). */
  GHashTable        *inflight;

  guint              loading : 1;
  guint              refreshing : 1;
  guint              fetch_all : 1;
  /* The tag → digest index on disk is behind. */
  guint              index_dirty : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WharfTagModel, wharf_tag_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CACHE,
  PROP_CLIENT,
  PROP_REPOSITORY,
  PROP_LOADING,
  PROP_ERROR,
  PROP_N_FETCHING,
  N_PROPS
};

enum {
  ITEM_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void run_queue (WharfTagModel *self);

static GType
wharf_tag_model_get_item_type (GListModel *model)
{
  return WHARF_TYPE_TAG_ITEM;
}

static guint
wharf_tag_model_get_n_items (GListModel *model)
{
  return WHARF_TAG_MODEL (model)->items->len;
}

static gpointer
wharf_tag_model_get_item (GListModel *model,
                          guint       position)
{
  WharfTagModel *self = WHARF_TAG_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = wharf_tag_model_get_item_type;
  iface->get_n_items = wharf_tag_model_get_n_items;
  iface->get_item = wharf_tag_model_get_item;
}

static void
set_loading (WharfTagModel *self,
             gboolean       loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (WharfTagModel *self,
           const GError  *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
notify_n_fetching (WharfTagModel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FETCHING]);
}

/* Groups: tags that share a digest say so. */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
update_group (WharfTagModel *self,
              const char    *digest)
{
  GPtrArray *group;

  if (digest == NULL || !(group = g_hash_table_lookup (self->groups, digest)))
    return;

  for (guint i = 0; i < group->len; i++)
    {
      g_autoptr(GPtrArray) others = g_ptr_array_new ();
      g_autofree char *text = NULL;

      for (guint j = 0; j < group->len; j++)
        if (j != i)
          g_ptr_array_add (others, WHARF_TAG_ITEM (group->pdata[j])->name);
      g_ptr_array_sort (others, compare_names);
      g_ptr_array_add (others, NULL);

      text = g_strjoinv (", ", (char **) others->pdata);
      _wharf_tag_item_set_shared_with (group->pdata[i], text);
    }

  if (group->len == 0)
    g_hash_table_remove (self->groups, digest);
}

static void
group_remove (WharfTagModel *self,
              WharfTagItem  *item)
{
  const char *digest = wharf_tag_item_get_digest (item);
  GPtrArray *group;

  if (digest == NULL || !(group = g_hash_table_lookup (self->groups, digest)))
    return;

  g_ptr_array_remove (group, item);
  _wharf_tag_item_set_shared_with (item, NULL);
  update_group (self, digest);
}

static void
group_add (WharfTagModel *self,
           WharfTagItem  *item)
{
  const char *digest = wharf_tag_item_get_digest (item);
  GPtrArray *group;

  if (digest == NULL)
    return;

  if (!(group = g_hash_table_lookup (self->groups, digest)))
    {
      group = g_ptr_array_new ();
      g_hash_table_insert (self->groups, g_strdup (digest), group);
    }
  g_ptr_array_add (group, item);
  update_group (self, digest);
}

static void
set_item_summary (WharfTagModel     *self,
                  WharfTagItem      *item,
                  WharfImageSummary *summary)
{
  if (item->summary == summary)
    return;

  if (item->summary != NULL && summary != NULL
      && g_str_equal (item->summary->digest, summary->digest))
    {
      _wharf_tag_item_set_summary (item, summary);
    }
  else
    {
      group_remove (self, item);
      _wharf_tag_item_set_summary (item, summary);
      group_add (self, item);
      self->index_dirty = TRUE;
    }

  g_signal_emit (self, signals[ITEM_UPDATED], 0, item);
}

/* The tag index on disk, so that reopening the repository shows at once. */

static void
store_tags_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!wharf_details_cache_store_tags_finish (WHARF_DETAILS_CACHE (object), result, &error))
    g_debug ("Cannot save the tag index: %s", error->message);
}

static void
save_index (WharfTagModel *self)
{
  g_autoptr(GHashTable) tags = NULL;

  if (!self->index_dirty || self->domain == NULL || self->repository == NULL)
    return;

  tags = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->items->len; i++)
    {
      WharfTagItem *item = self->items->pdata[i];

      if (item->summary != NULL)
        g_hash_table_insert (tags, item->name, item->summary->digest);
    }

  self->index_dirty = FALSE;
  wharf_details_cache_store_tags_async (self->cache, self->domain, self->repository, tags,
                                        NULL, store_tags_cb, NULL);
}

/* One fetch: manifest (and config) of one item. */

typedef struct
{
  GWeakRef           model;
  guint              generation;
  guint              check_generation;
  WharfTagItem      *item;
  WharfClient       *client;
  GCancellable      *cancellable;
  char              *repository;
  WharfManifest     *manifest;
  WharfImageSummary *summary;
  /* An index: the platform whose image gives its size and date, and that
   * image's compressed size. */
  char              *size_platform;
  gint64             platform_size;
  /* Set when others wait for this fetch of that digest. */
  char              *leading;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_weak_ref_clear (&fetch->model);
  g_clear_object (&fetch->item);
  g_clear_object (&fetch->client);
  g_clear_object (&fetch->cancellable);
  g_clear_pointer (&fetch->repository, g_free);
  g_clear_pointer (&fetch->manifest, wharf_manifest_unref);
  g_clear_pointer (&fetch->summary, wharf_image_summary_unref);
  g_clear_pointer (&fetch->size_platform, g_free);
  g_clear_pointer (&fetch->leading, g_free);
  g_free (fetch);
}

static void
free_waiters (gpointer data)
{
  GPtrArray *waiters = data;

  for (guint i = 0; i < waiters->len; i++)
    fetch_free (waiters->pdata[i]);
  g_ptr_array_unref (waiters);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fetch, fetch_free)

/* The model, if it still exists and still wants what @fetch fetched. */
static WharfTagModel *
fetch_get_model (Fetch *fetch)
{
  g_autoptr(WharfTagModel) self = g_weak_ref_get (&fetch->model);

  if (self == NULL || self->generation != fetch->generation)
    return NULL;

  return g_steal_pointer (&self);
}

static void
fetch_done (Fetch             *fetch,
            WharfImageSummary *summary,
            const GError      *error)
{
  g_autoptr(WharfTagModel) self = fetch_get_model (fetch);

  if (self == NULL)
    return;

  self->n_running--;

  /* Its tag went away in a refresh meanwhile. */
  if (!fetch->item->in_model)
    {
      g_debug ("%s:%s was removed while fetching it", self->repository, fetch->item->name);
    }
  else if (summary != NULL)
    {
      set_item_summary (self, fetch->item, summary);
      if (fetch->check_generation == self->check_generation)
        fetch->item->verified = TRUE;
      _wharf_tag_item_set_state (fetch->item, WHARF_TAG_STATE_LOADED, NULL);
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("Details of %s:%s failed: %s", self->repository, fetch->item->name,
               error->message);
      /* Checked, and the answer is that it failed: not asked again until
       * the next refresh. */
      if (fetch->check_generation == self->check_generation)
        fetch->item->verified = TRUE;
      _wharf_tag_item_set_state (fetch->item, WHARF_TAG_STATE_FAILED, error->message);
    }

  /* The tags that waited for this image get the same answer. */
  if (fetch->leading != NULL)
    {
      GPtrArray *waiters = NULL;
      char *key = NULL;

      if (g_hash_table_steal_extended (self->inflight, fetch->leading, (gpointer *) &key,
                                       (gpointer *) &waiters))
        {
          g_free (key);
          for (guint i = 0; i < waiters->len; i++)
            fetch_done (waiters->pdata[i], summary, error);
          free_waiters (waiters);
        }
      g_clear_pointer (&fetch->leading, g_free);
    }

  run_queue (self);
  notify_n_fetching (self);
}

static char *
platform_short_string (const char *os,
                       const char *architecture,
                       const char *variant)
{
  WharfPlatform platform = { 0, };

  if (architecture == NULL || architecture[0] == '\0')
    return NULL;

  platform.os = (char *) (os != NULL && os[0] != '\0' ? os : "linux");
  platform.architecture = (char *) architecture;
  platform.variant = (char *) variant;

  return wharf_platform_to_short_string (&platform);
}

static void
store_summary_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!wharf_details_cache_store_finish (WHARF_DETAILS_CACHE (object), result, &error))
    g_debug ("Cannot cache image details: %s", error->message);
}

/* Ends a fetch that worked out a new summary: cache it and show it. */
static void
fetch_finish_summary (Fetch             *fetch,
                      WharfImageSummary *summary,
                      gboolean           cacheable)
{
  g_autoptr(WharfTagModel) self = fetch_get_model (fetch);

  if (self != NULL && cacheable)
    wharf_details_cache_store_async (self->cache, summary, NULL, store_summary_cb, NULL);

  fetch_done (fetch, summary, NULL);
}

/* A step of a fetch failed. For an index, only its platform's size and date
 * are missing: it shows what it has, uncached, so that they are asked
 * again next time. */
static void
fetch_fail (Fetch        *fetch,
            const GError *error)
{
  if (fetch->size_platform != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("No size for %s of %s: %s", fetch->size_platform, fetch->summary->digest,
               error->message);
      fetch_finish_summary (fetch, fetch->summary, FALSE);
    }
  else
    {
      fetch_done (fetch, NULL, error);
    }
}

static void
config_spliced_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GOutputStream *out = G_OUTPUT_STREAM (object);
  g_autoptr(Fetch) fetch = user_data;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(WharfImageSummary) summary = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *platform = NULL;
  const char *platforms[2] = { NULL, NULL };

  if (g_output_stream_splice_finish (out, result, &error) < 0)
    {
      fetch_fail (fetch, error);
      return;
    }

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  if (!(config = wharf_image_config_parse (bytes, &error)))
    {
      fetch_fail (fetch, error);
      return;
    }

  if (fetch->size_platform != NULL)
    {
      summary = wharf_image_summary_new (fetch->summary->digest, fetch->summary->media_type,
                                         fetch->platform_size, config->created,
                                         (const char * const *) fetch->summary->platforms,
                                         fetch->size_platform);
    }
  else
    {
      platform = platform_short_string (config->os, config->architecture, config->variant);
      platforms[0] = platform;
      summary = wharf_image_summary_new (fetch->summary->digest, fetch->summary->media_type,
                                         fetch->summary->size, config->created, platforms, NULL);
    }
  fetch_finish_summary (fetch, summary, TRUE);
}

static void
get_config_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Fetch) fetch = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  gint64 size = -1;

  stream = wharf_client_get_blob_finish (WHARF_CLIENT (object), result, &size, &error);
  if (stream == NULL)
    {
      fetch_fail (fetch, error);
      return;
    }

  if (size > WHARF_MANIFEST_MAX_SIZE)
    {
      g_autoptr(GError) too_large = NULL;

      too_large = g_error_new (WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                               _("The configuration of %s is larger than 4 MiB; Wharf "
                                 "refuses it."),
                               fetch->repository);
      fetch_fail (fetch, too_large);
      return;
    }

  /* The stream checks the digest as it ends, so the splice fails on a
   * config that does not match. */
  out = g_memory_output_stream_new_resizable ();
  cancellable = fetch->cancellable;
  g_output_stream_splice_async (out, stream,
                                (G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET),
                                G_PRIORITY_DEFAULT, cancellable,
                                config_spliced_cb, g_steal_pointer (&fetch));
}

/* An index's platform image: its size, then its config for the date. */
static void
get_platform_manifest_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  raw = wharf_client_get_manifest_finish (WHARF_CLIENT (object), result, &error);
  if (raw != NULL)
    manifest = wharf_manifest_parse (raw->bytes, raw->media_type, &error);
  if (manifest != NULL && manifest->kind != WHARF_MANIFEST_KIND_IMAGE)
    g_set_error (&error, WHARF_ERROR, WHARF_ERROR_MANIFEST_INVALID,
                 "the entry for %s is no image manifest", fetch->size_platform);
  if (error != NULL)
    {
      fetch_fail (fetch, error);
      fetch_free (fetch);
      return;
    }

  fetch->platform_size = wharf_manifest_get_compressed_size (manifest);
  if (manifest->config == NULL || manifest->config->digest == NULL)
    {
      g_autoptr(WharfImageSummary) summary =
        wharf_image_summary_new (fetch->summary->digest, fetch->summary->media_type,
                                 fetch->platform_size, NULL,
                                 (const char * const *) fetch->summary->platforms,
                                 fetch->size_platform);

      fetch_finish_summary (fetch, summary, TRUE);
      fetch_free (fetch);
      return;
    }
  wharf_client_get_blob_async (fetch->client, fetch->repository, manifest->config->digest,
                               fetch->cancellable, get_config_cb, fetch);
}

static void
fetch_from_manifest (Fetch            *fetch,
                     WharfRawManifest *raw)
{
  g_autoptr(WharfTagModel) self = fetch_get_model (fetch);
  g_autoptr(WharfImageSummary) cached = NULL;
  g_autoptr(WharfImageSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) platforms = NULL;
  WharfManifest *manifest;

  if (self == NULL)
    {
      fetch_free (fetch);
      return;
    }

  /* Another tag, or an earlier visit, may have fetched this image already. */
  if ((cached = wharf_details_cache_peek (self->cache, raw->digest)))
    {
      fetch_done (fetch, cached, NULL);
      fetch_free (fetch);
      return;
    }

  /* Another tag of the same image is being fetched: wait for it. */
  if (g_hash_table_contains (self->inflight, raw->digest))
    {
      g_ptr_array_add (g_hash_table_lookup (self->inflight, raw->digest), fetch);
      return;
    }
  g_hash_table_insert (self->inflight, g_strdup (raw->digest), g_ptr_array_new ());
  fetch->leading = g_strdup (raw->digest);

  if (!(manifest = wharf_manifest_parse (raw->bytes, raw->media_type, &error)))
    {
      fetch_done (fetch, NULL, error);
      fetch_free (fetch);
      return;
    }
  fetch->manifest = manifest;

  platforms = g_ptr_array_new_with_free_func (g_free);

  switch (manifest->kind)
    {
    case WHARF_MANIFEST_KIND_INDEX:
      {
        GPtrArray *entries = wharf_manifest_get_platform_entries (manifest);
        g_autoptr(WharfPlatform) host = wharf_platform_new_host ();
        const WharfDescriptor *chosen = wharf_manifest_find_platform (manifest, host);

        for (guint i = 0; i < entries->len; i++)
          {
            WharfDescriptor *entry = g_ptr_array_index (entries, i);

            if (entry->platform != NULL)
              g_ptr_array_add (platforms, wharf_platform_to_short_string (entry->platform));
          }
        g_ptr_array_add (platforms, NULL);

        /* Each platform's image has its own size and date: the tag shows
         * those of this machine's platform, else of the first. */
        if (chosen == NULL && entries->len > 0)
          chosen = g_ptr_array_index (entries, 0);
        fetch->summary = wharf_image_summary_new (raw->digest, manifest->media_type, -1, NULL,
                                                  (const char * const *) platforms->pdata,
                                                  NULL);
        if (chosen == NULL || chosen->platform == NULL)
          {
            fetch_finish_summary (fetch, fetch->summary, TRUE);
            fetch_free (fetch);
            return;
          }
        fetch->size_platform = wharf_platform_to_short_string (chosen->platform);
        wharf_client_get_manifest_async (fetch->client, fetch->repository, chosen->digest,
                                         fetch->cancellable, get_platform_manifest_cb, fetch);
        return;
      }

    case WHARF_MANIFEST_KIND_IMAGE:
      fetch->summary = wharf_image_summary_new (raw->digest, manifest->media_type,
                                                wharf_manifest_get_compressed_size (manifest),
                                                NULL, NULL, NULL);
      if (manifest->config == NULL || manifest->config->digest == NULL)
        {
          fetch_finish_summary (fetch, fetch->summary, TRUE);
          fetch_free (fetch);
          return;
        }
      wharf_client_get_blob_async (fetch->client, fetch->repository, manifest->config->digest,
                                   fetch->cancellable, get_config_cb, fetch);
      return;

    case WHARF_MANIFEST_KIND_SCHEMA1:
      {
        g_autoptr(WharfImageConfig) config = wharf_image_config_new_from_schema1 (manifest, NULL);
        g_autofree char *platform = platform_short_string ("linux",
                                                           manifest->schema1_architecture,
                                                           NULL);
        const char *names[2] = { platform, NULL };

        summary = wharf_image_summary_new (raw->digest, manifest->media_type, -1,
                                           config != NULL ? config->created : NULL, names, NULL);
        fetch_finish_summary (fetch, summary, TRUE);
        fetch_free (fetch);
        return;
      }

    case WHARF_MANIFEST_KIND_UNKNOWN:
    default:
      /* An artifact: say what it is and nothing more. */
      summary = wharf_image_summary_new (raw->digest, raw->media_type,
                                         wharf_manifest_get_compressed_size (manifest),
                                         NULL, NULL, NULL);
      fetch_finish_summary (fetch, summary, TRUE);
      fetch_free (fetch);
      return;
    }
}

static void
get_manifest_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(GError) error = NULL;

  raw = wharf_client_get_manifest_finish (WHARF_CLIENT (object), result, &error);
  if (raw == NULL)
    {
      fetch_done (fetch, NULL, error);
      fetch_free (fetch);
      return;
    }

  fetch_from_manifest (fetch, raw);
}

static void
head_manifest_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(WharfTagModel) self = fetch_get_model (fetch);
  g_autoptr(WharfDescriptor) descriptor = NULL;
  g_autoptr(WharfImageSummary) cached = NULL;
  g_autoptr(GError) error = NULL;

  descriptor = wharf_client_head_manifest_finish (WHARF_CLIENT (object), result, &error);
  if (descriptor == NULL || self == NULL)
    {
      fetch_done (fetch, NULL, error);
      fetch_free (fetch);
      return;
    }

  /* Unchanged: the one request an unchanged tag costs. */
  if (fetch->item->summary != NULL
      && g_strcmp0 (fetch->item->summary->digest, descriptor->digest) == 0)
    {
      fetch_done (fetch, fetch->item->summary, NULL);
      fetch_free (fetch);
      return;
    }

  if ((cached = wharf_details_cache_peek (self->cache, descriptor->digest)))
    {
      fetch_done (fetch, cached, NULL);
      fetch_free (fetch);
      return;
    }

  g_debug ("%s:%s now points to %s", fetch->repository, fetch->item->name,
           descriptor->digest);
  wharf_client_get_manifest_async (fetch->client, fetch->repository, descriptor->digest,
                                   fetch->cancellable, get_manifest_cb, fetch);
}

static void
start_fetch (WharfTagModel *self,
             WharfTagItem  *item)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  g_weak_ref_init (&fetch->model, self);
  fetch->generation = self->generation;
  fetch->check_generation = self->check_generation;
  fetch->item = g_object_ref (item);
  fetch->client = g_object_ref (self->client);
  fetch->cancellable = g_object_ref (self->cancellable);
  fetch->repository = g_strdup (self->repository);

  self->n_running++;

  /* With details already shown, a HEAD says whether they still hold;
   * without, GET by tag brings the digest and the manifest in one. */
  if (item->summary != NULL)
    {
      wharf_client_head_manifest_async (self->client, self->repository, item->name,
                                        self->cancellable, head_manifest_cb, fetch);
    }
  else
    {
      _wharf_tag_item_set_state (item, WHARF_TAG_STATE_LOADING, NULL);
      wharf_client_get_manifest_async (self->client, self->repository, item->name,
                                       self->cancellable, get_manifest_cb, fetch);
    }
}

static void
run_queue (WharfTagModel *self)
{
  while (self->n_running < MAX_FETCHES && self->client != NULL)
    {
      g_autoptr(WharfTagItem) item = g_queue_pop_head (&self->queue);

      if (item == NULL)
        break;

      item->queued = FALSE;

      /* Scrolled out of view before its turn came. */
      if (item->n_watchers == 0 && !self->fetch_all)
        continue;
      if (item->verified)
        continue;

      start_fetch (self, item);
    }

  if (self->n_running == 0 && self->queue.length == 0)
    save_index (self);
}

static void
enqueue (WharfTagModel *self,
         WharfTagItem  *item)
{
  if (item->queued || item->verified || self->client == NULL)
    return;

  item->queued = TRUE;
  g_queue_push_head (&self->queue, g_object_ref (item));
}

static void
clear_queue (WharfTagModel *self)
{
  WharfTagItem *item;

  while ((item = g_queue_pop_head (&self->queue)))
    {
      item->queued = FALSE;
      g_object_unref (item);
    }
}

static void
splice (WharfTagModel  *self,
        guint           position,
        guint           n_removed,
        WharfTagItem  **added,
        guint           n_added)
{
  for (guint i = position; i < position + n_removed; i++)
    {
      WharfTagItem *item = self->items->pdata[i];

      group_remove (self, item);
      item->in_model = FALSE;
    }

  g_ptr_array_remove_range (self->items, position, n_removed);
  if (n_added > 0)
    {
      guint old_len = self->items->len;

      g_ptr_array_set_size (self->items, old_len + n_added);
      memmove (self->items->pdata + position + n_added,
               self->items->pdata + position,
               (old_len - position) * sizeof (gpointer));
      for (guint i = 0; i < n_added; i++)
        {
          self->items->pdata[position + i] = g_object_ref (added[i]);
          added[i]->in_model = TRUE;
          group_add (self, added[i]);
        }
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, n_removed, n_added);
}

static void
wharf_tag_model_dispose (GObject *object)
{
  WharfTagModel *self = WHARF_TAG_MODEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  clear_queue (self);

  G_OBJECT_CLASS (wharf_tag_model_parent_class)->dispose (object);
}

static void
wharf_tag_model_finalize (GObject *object)
{
  WharfTagModel *self = WHARF_TAG_MODEL (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->cache);
  g_clear_object (&self->client);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->inflight, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (wharf_tag_model_parent_class)->finalize (object);
}

static void
wharf_tag_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WharfTagModel *self = WHARF_TAG_MODEL (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      g_value_set_object (value, self->cache);
      break;

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_REPOSITORY:
      g_value_set_string (value, self->repository);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_N_FETCHING:
      g_value_set_uint (value, wharf_tag_model_get_n_fetching (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_model_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WharfTagModel *self = WHARF_TAG_MODEL (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      self->cache = g_value_dup_object (value);
      if (self->cache == NULL)
        self->cache = g_object_ref (wharf_details_cache_get_default ());
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_model_class_init (WharfTagModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wharf_tag_model_dispose;
  object_class->finalize = wharf_tag_model_finalize;
  object_class->get_property = wharf_tag_model_get_property;
  object_class->set_property = wharf_tag_model_set_property;

  properties[PROP_CACHE] =
    g_param_spec_object ("cache", NULL, NULL,
                         WHARF_TYPE_DETAILS_CACHE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, WHARF_TYPE_CLIENT, flags);
  properties[PROP_REPOSITORY] =
    g_param_spec_string ("repository", NULL, NULL, NULL, flags);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_N_FETCHING] =
    g_param_spec_uint ("n-fetching", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ITEM_UPDATED] =
    g_signal_new ("item-updated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_TAG_ITEM);
}

static void
wharf_tag_model_init (WharfTagModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  self->inflight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_waiters);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->queue);
}

WharfTagModel *
wharf_tag_model_new (WharfDetailsCache *cache)
{
  g_return_val_if_fail (!cache || WHARF_IS_DETAILS_CACHE (cache), NULL);

  return g_object_new (WHARF_TYPE_TAG_MODEL,
                       "cache", cache,
                       NULL);
}

WharfClient *
wharf_tag_model_get_client (WharfTagModel *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), NULL);

  return self->client;
}

const char *
wharf_tag_model_get_repository (WharfTagModel *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), NULL);

  return self->repository;
}

gboolean
wharf_tag_model_get_loading (WharfTagModel *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), FALSE);

  return self->loading;
}

const GError *
wharf_tag_model_get_error (WharfTagModel *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), NULL);

  return self->error;
}

guint
wharf_tag_model_get_n_fetching (WharfTagModel *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), 0);

  return self->n_running + self->queue.length;
}

WharfTagItem *
wharf_tag_model_find (WharfTagModel *self,
                      const char    *tag,
                      guint         *position)
{
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (self), NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      WharfTagItem *item = self->items->pdata[i];

      if (g_str_equal (item->name, tag))
        {
          if (position != NULL)
            *position = i;
          return item;
        }
    }

  return NULL;
}

/* Loading: the tag list and the disk cache's index, in parallel. */

typedef struct
{
  GWeakRef    model;
  guint       generation;
  guint       pending;
  GStrv       tags;
  GHashTable *cached;
  GError     *error;
} Load;

static void
load_free (Load *load)
{
  g_weak_ref_clear (&load->model);
  g_strfreev (load->tags);
  g_clear_pointer (&load->cached, g_hash_table_unref);
  g_clear_error (&load->error);
  g_free (load);
}

static void
load_step_done (Load *load)
{
  g_autoptr(WharfTagModel) self = NULL;
  g_autoptr(GPtrArray) added = NULL;

  if (--load->pending > 0)
    return;

  self = g_weak_ref_get (&load->model);
  if (self == NULL || self->generation != load->generation)
    {
      load_free (load);
      return;
    }

  if (load->tags == NULL)
    {
      if (!g_error_matches (load->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error (self, load->error);
      set_loading (self, FALSE);
      load_free (load);
      return;
    }

  added = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; load->tags[i] != NULL; i++)
    {
      WharfTagItem *item = wharf_tag_item_new (load->tags[i]);
      WharfImageSummary *summary = NULL;

      if (load->cached != NULL)
        summary = g_hash_table_lookup (load->cached, load->tags[i]);
      if (summary != NULL)
        {
          _wharf_tag_item_set_summary (item, summary);
          _wharf_tag_item_set_state (item, WHARF_TAG_STATE_CACHED, NULL);
        }
      g_ptr_array_add (added, item);
    }

  splice (self, 0, self->items->len, (WharfTagItem **) added->pdata, added->len);
  set_loading (self, FALSE);

  load_free (load);
}

static void
load_tags_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Load *load = user_data;

  load->tags = wharf_client_list_tags_finish (WHARF_CLIENT (object), result, &load->error);
  load_step_done (load);
}

static void
load_cached_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;

  load->cached = wharf_details_cache_lookup_tags_finish (WHARF_DETAILS_CACHE (object),
                                                         result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Cannot read the cached tags: %s", error->message);
  load_step_done (load);
}

static void
reset (WharfTagModel *self)
{
  self->generation++;
  self->check_generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  clear_queue (self);
  g_hash_table_remove_all (self->inflight);
  self->n_running = 0;
  self->refreshing = FALSE;
  self->fetch_all = FALSE;
}

void
wharf_tag_model_load (WharfTagModel *self,
                      WharfClient   *client,
                      const char    *repository)
{
  Load *load;

  g_return_if_fail (WHARF_IS_TAG_MODEL (self));
  g_return_if_fail (!client || WHARF_IS_CLIENT (client));

  /* What changed on disk while the last one was open is saved first. */
  save_index (self);
  reset (self);

  g_object_freeze_notify (G_OBJECT (self));

  if (self->items->len > 0)
    splice (self, 0, self->items->len, NULL, 0);
  set_error (self, NULL);

  if (g_set_object (&self->client, client))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  if (client == NULL)
    repository = NULL;
  if (g_strcmp0 (self->repository, repository) != 0)
    {
      g_free (self->repository);
      self->repository = g_strdup (repository);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPOSITORY]);
    }
  g_clear_pointer (&self->domain, g_free);

  if (self->client != NULL && self->repository != NULL)
    {
      self->domain = g_strdup (wharf_endpoint_get_domain (wharf_client_get_endpoint (client)));

      load = g_new0 (Load, 1);
      g_weak_ref_init (&load->model, self);
      load->generation = self->generation;
      load->pending = 2;

      set_loading (self, TRUE);
      wharf_client_list_tags_async (self->client, self->repository, self->cancellable,
                                    load_tags_cb, load);
      wharf_details_cache_lookup_tags_async (self->cache, self->domain, self->repository,
                                             self->cancellable, load_cached_cb, load);
    }
  else
    {
      set_loading (self, FALSE);
    }

  notify_n_fetching (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Refresh: merge the new tag list into the items. */

typedef struct
{
  GWeakRef model;
  guint    generation;
} Refresh;

static void
merge_tags (WharfTagModel      *self,
            const char * const *tags)
{
  g_autoptr(GHashTable) reusable = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) middle = NULL;
  guint n_old = self->items->len;
  guint n_new = g_strv_length ((char **) tags);
  guint prefix = 0;
  guint suffix = 0;

  while (prefix < n_old && prefix < n_new
         && g_str_equal (WHARF_TAG_ITEM (self->items->pdata[prefix])->name, tags[prefix]))
    prefix++;
  while (suffix < n_old - prefix && suffix < n_new - prefix
         && g_str_equal (WHARF_TAG_ITEM (self->items->pdata[n_old - 1 - suffix])->name,
                         tags[n_new - 1 - suffix]))
    suffix++;

  if (prefix + suffix == n_old && prefix + suffix == n_new)
    return;

  for (guint i = prefix; i < n_old - suffix; i++)
    {
      WharfTagItem *item = self->items->pdata[i];

      g_hash_table_insert (reusable, item->name, item);
    }

  middle = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = prefix; i < n_new - suffix; i++)
    {
      WharfTagItem *item = g_hash_table_lookup (reusable, tags[i]);

      g_ptr_array_add (middle, item != NULL ? g_object_ref (item) : wharf_tag_item_new (tags[i]));
    }

  self->index_dirty = TRUE;
  splice (self, prefix, n_old - prefix - suffix, (WharfTagItem **) middle->pdata, middle->len);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Refresh *refresh = user_data;
  g_autoptr(WharfTagModel) self = g_weak_ref_get (&refresh->model);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_finish (WHARF_CLIENT (object), result, &error);

  if (self == NULL || self->generation != refresh->generation)
    goto out;

  self->refreshing = FALSE;

  if (tags == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto out;

      /* The repository itself is gone: nothing left to show. */
      if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND) && self->items->len > 0)
        splice (self, 0, self->items->len, NULL, 0);
      set_error (self, error);
      goto out;
    }

  set_error (self, NULL);
  merge_tags (self, (const char * const *) tags);

  /* The rows in view are checked again; the others when they come into view. */
  self->check_generation++;
  for (guint i = 0; i < self->items->len; i++)
    {
      WharfTagItem *item = self->items->pdata[i];

      item->verified = FALSE;
      if (item->n_watchers > 0 || self->fetch_all)
        enqueue (self, item);
    }
  run_queue (self);
  notify_n_fetching (self);

out:
  g_weak_ref_clear (&refresh->model);
  g_free (refresh);
}

void
wharf_tag_model_refresh (WharfTagModel *self)
{
  Refresh *refresh;

  g_return_if_fail (WHARF_IS_TAG_MODEL (self));

  if (self->client == NULL || self->repository == NULL)
    return;

  /* A first load that has not answered yet answers for this one too. */
  if (self->loading || self->refreshing)
    return;

  /* After a failed load there is nothing to merge into. */
  if (self->items->len == 0 && self->error != NULL)
    {
      wharf_tag_model_load (self, self->client, self->repository);
      return;
    }

  refresh = g_new0 (Refresh, 1);
  g_weak_ref_init (&refresh->model, self);
  refresh->generation = self->generation;

  self->refreshing = TRUE;
  wharf_client_list_tags_async (self->client, self->repository, self->cancellable,
                                refresh_cb, refresh);
}

void
wharf_tag_model_watch (WharfTagModel *self,
                       WharfTagItem  *item)
{
  g_return_if_fail (WHARF_IS_TAG_MODEL (self));
  g_return_if_fail (WHARF_IS_TAG_ITEM (item));

  item->n_watchers++;
  if (item->verified || item->queued)
    return;

  enqueue (self, item);
  run_queue (self);
  notify_n_fetching (self);
}

void
wharf_tag_model_unwatch (WharfTagModel *self,
                         WharfTagItem  *item)
{
  g_return_if_fail (WHARF_IS_TAG_MODEL (self));
  g_return_if_fail (WHARF_IS_TAG_ITEM (item));
  g_return_if_fail (item->n_watchers > 0);

  item->n_watchers--;
}

void
wharf_tag_model_fetch_all (WharfTagModel *self)
{
  g_return_if_fail (WHARF_IS_TAG_MODEL (self));

  if (self->fetch_all)
    return;

  self->fetch_all = TRUE;
  /* In list order: the queue is newest first, so push from the end. */
  for (guint i = self->items->len; i > 0; i--)
    enqueue (self, self->items->pdata[i - 1]);
  run_queue (self);
  notify_n_fetching (self);
}

/* In-place changes: what Wharf itself did to the repository. */

void
wharf_tag_model_add_tag (WharfTagModel *self,
                         const char    *tag)
{
  g_autoptr(WharfTagItem) item = NULL;
  WharfTagItem *listed;
  guint position = 0;

  g_return_if_fail (WHARF_IS_TAG_MODEL (self));
  g_return_if_fail (tag != NULL);

  if (self->client == NULL || self->repository == NULL)
    return;

  if ((listed = wharf_tag_model_find (self, tag, NULL)) != NULL)
    {
      listed->verified = FALSE;
      if (listed->n_watchers > 0 || self->fetch_all)
        {
          enqueue (self, listed);
          run_queue (self);
          notify_n_fetching (self);
        }
      return;
    }

  /* The client sorts tags by strcmp(), and refresh merges relying on it. */
  while (position < self->items->len &&
         g_strcmp0 (WHARF_TAG_ITEM (self->items->pdata[position])->name, tag) < 0)
    position++;

  item = wharf_tag_item_new (tag);
  self->index_dirty = TRUE;
  splice (self, position, 0, &item, 1);

  if (self->fetch_all)
    {
      enqueue (self, item);
      run_queue (self);
      notify_n_fetching (self);
    }
}

void
wharf_tag_model_remove_tag (WharfTagModel *self,
                            const char    *tag)
{
  guint position;

  g_return_if_fail (WHARF_IS_TAG_MODEL (self));
  g_return_if_fail (tag != NULL);

  if (wharf_tag_model_find (self, tag, &position) == NULL)
    return;

  self->index_dirty = TRUE;
  splice (self, position, 1, NULL, 0);
}
