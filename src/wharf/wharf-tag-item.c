/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-item.c: one tag of a repository and what is known so far of its image. */

#define G_LOG_DOMAIN "wharf-tag-item"

#include "config.h"

#include "wharf-digest.h"

#include "wharf-tag-item-private.h"

G_DEFINE_ENUM_TYPE (WharfTagState, wharf_tag_state,
                    G_DEFINE_ENUM_VALUE (WHARF_TAG_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (WHARF_TAG_STATE_CACHED, "cached"),
                    G_DEFINE_ENUM_VALUE (WHARF_TAG_STATE_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (WHARF_TAG_STATE_LOADED, "loaded"),
                    G_DEFINE_ENUM_VALUE (WHARF_TAG_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (WharfTagItem, wharf_tag_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SUMMARY,
  PROP_DIGEST,
  PROP_SHORT_DIGEST,
  PROP_MEDIA_TYPE,
  PROP_SIZE,
  PROP_CREATED,
  PROP_CREATED_UNIX,
  PROP_PLATFORMS,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_SHARED_WITH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wharf_tag_item_finalize (GObject *object)
{
  WharfTagItem *self = WHARF_TAG_ITEM (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->summary, wharf_image_summary_unref);
  g_clear_pointer (&self->short_digest, g_free);
  g_clear_pointer (&self->platforms, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->shared_with, g_free);

  G_OBJECT_CLASS (wharf_tag_item_parent_class)->finalize (object);
}

static gint64
created_unix (WharfTagItem *self)
{
  GDateTime *created = wharf_tag_item_get_created (self);

  return created != NULL ? g_date_time_to_unix (created) : G_MININT64;
}

static void
wharf_tag_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WharfTagItem *self = WHARF_TAG_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SUMMARY:
      g_value_set_boxed (value, self->summary);
      break;

    case PROP_DIGEST:
      g_value_set_string (value, wharf_tag_item_get_digest (self));
      break;

    case PROP_SHORT_DIGEST:
      g_value_set_string (value, self->short_digest);
      break;

    case PROP_MEDIA_TYPE:
      g_value_set_string (value, wharf_tag_item_get_media_type (self));
      break;

    case PROP_SIZE:
      g_value_set_int64 (value, wharf_tag_item_get_size (self));
      break;

    case PROP_CREATED:
      g_value_set_boxed (value, wharf_tag_item_get_created (self));
      break;

    case PROP_CREATED_UNIX:
      g_value_set_int64 (value, created_unix (self));
      break;

    case PROP_PLATFORMS:
      g_value_set_string (value, self->platforms);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_SHARED_WITH:
      g_value_set_string (value, self->shared_with);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_item_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WharfTagItem *self = WHARF_TAG_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_item_class_init (WharfTagItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = wharf_tag_item_finalize;
  object_class->get_property = wharf_tag_item_get_property;
  object_class->set_property = wharf_tag_item_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_SUMMARY] =
    g_param_spec_boxed ("summary", NULL, NULL, WHARF_TYPE_IMAGE_SUMMARY, flags);
  properties[PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL, flags);
  properties[PROP_SHORT_DIGEST] =
    g_param_spec_string ("short-digest", NULL, NULL, "", flags);
  properties[PROP_MEDIA_TYPE] =
    g_param_spec_string ("media-type", NULL, NULL, "", flags);
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_CREATED] =
    g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_CREATED_UNIX] =
    g_param_spec_int64 ("created-unix", NULL, NULL,
                        G_MININT64, G_MAXINT64, G_MININT64, flags);
  properties[PROP_PLATFORMS] =
    g_param_spec_string ("platforms", NULL, NULL, "", flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       WHARF_TYPE_TAG_STATE, WHARF_TAG_STATE_NEW, flags);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_SHARED_WITH] =
    g_param_spec_string ("shared-with", NULL, NULL, "", flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_tag_item_init (WharfTagItem *self)
{
  self->short_digest = g_strdup ("");
  self->platforms = g_strdup ("");
  self->shared_with = g_strdup ("");
}

WharfTagItem *
wharf_tag_item_new (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (WHARF_TYPE_TAG_ITEM,
                       "name", name,
                       NULL);
}

const char *
wharf_tag_item_get_name (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->name;
}

WharfImageSummary *
wharf_tag_item_get_summary (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->summary;
}

const char *
wharf_tag_item_get_digest (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->summary != NULL ? self->summary->digest : NULL;
}

const char *
wharf_tag_item_get_media_type (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->summary != NULL ? self->summary->media_type : "";
}

gint64
wharf_tag_item_get_size (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), -1);

  return self->summary != NULL ? self->summary->size : -1;
}

GDateTime *
wharf_tag_item_get_created (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->summary != NULL ? self->summary->created : NULL;
}

const char *
wharf_tag_item_get_size_platform (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->summary != NULL ? self->summary->size_platform : NULL;
}

const char *
wharf_tag_item_get_platforms (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->platforms;
}

WharfTagState
wharf_tag_item_get_state (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), WHARF_TAG_STATE_NEW);

  return self->state;
}

const char *
wharf_tag_item_get_error_message (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->error_message;
}

const char *
wharf_tag_item_get_shared_with (WharfTagItem *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_ITEM (self), NULL);

  return self->shared_with;
}

static gboolean
same_time (GDateTime *a,
           GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_date_time_equal (a, b);
}

void
_wharf_tag_item_set_summary (WharfTagItem      *self,
                             WharfImageSummary *summary)
{
  WharfImageSummary *old = self->summary;
  g_autofree char *platforms = NULL;

  if (old == summary)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  self->summary = summary != NULL ? wharf_image_summary_ref (summary) : NULL;

  if (g_strcmp0 (old ? old->digest : NULL, summary ? summary->digest : NULL) != 0)
    {
      g_free (self->short_digest);
      self->short_digest = summary != NULL ? wharf_digest_shorten (summary->digest)
                                           : g_strdup ("");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIGEST]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHORT_DIGEST]);
    }
  if (g_strcmp0 (old ? old->media_type : "", summary ? summary->media_type : "") != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEDIA_TYPE]);
  if ((old ? old->size : -1) != (summary ? summary->size : -1))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
  if (!same_time (old ? old->created : NULL, summary ? summary->created : NULL))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_UNIX]);
    }

  platforms = summary != NULL ? wharf_image_summary_dup_platforms_text (summary) : g_strdup ("");
  if (!g_str_equal (platforms, self->platforms))
    {
      g_free (self->platforms);
      self->platforms = g_steal_pointer (&platforms);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLATFORMS]);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);

  if (old != NULL)
    wharf_image_summary_unref (old);

  g_object_thaw_notify (G_OBJECT (self));
}

void
_wharf_tag_item_set_state (WharfTagItem  *self,
                           WharfTagState  state,
                           const char    *error_message)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

void
_wharf_tag_item_set_shared_with (WharfTagItem *self,
                                 const char   *shared_with)
{
  if (shared_with == NULL)
    shared_with = "";

  if (g_str_equal (self->shared_with, shared_with))
    return;

  g_free (self->shared_with);
  self->shared_with = g_strdup (shared_with);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED_WITH]);
}
