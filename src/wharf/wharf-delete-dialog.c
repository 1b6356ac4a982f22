/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-delete-dialog.c: the confirmation that says exactly what a delete removes. */

#define G_LOG_DOMAIN "wharf-delete-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-delete-dialog.h"

/* Past this many, a list of tags ends with "and N more". */
#define MAX_LISTED_TAGS 8

/* Set on a registry once a dialog told that deleting frees no space. */
#define GC_NOTE_KEY "wharf-delete-gc-note-shown"

struct _WharfDeleteDialog
{
  AdwMessageDialog  parent_instance;

  WharfRegistry    *registry;
  char             *repository;
  GStrv             tags;
  /* Tags only: where the other tags and their digests are read. */
  WharfTagModel    *model;
  /* Cancelled in dispose: nothing answers into a dialog that is gone. */
  GCancellable     *cancellable;
  char             *error_message;

  guint             whole_repository : 1;
  guint             ready : 1;
  guint             gc_note : 1;
};

G_DEFINE_FINAL_TYPE (WharfDeleteDialog, wharf_delete_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
_wharf_join_names (const char * const *names,
                   guint               max)
{
  guint n = names != NULL ? g_strv_length ((char **) names) : 0;
  guint shown = max > 0 ? MIN (n, max) : n;
  g_autoptr(GString) head = g_string_new (NULL);

  if (n == 0)
    return g_strdup ("");
  if (n == 1)
    return g_strdup (names[0]);

  /* All but the last shown name, joined by commas. */
  for (guint i = 0; i + 1 < shown; i++)
    {
      if (i > 0)
        g_string_append (head, _(", "));
      g_string_append (head, names[i]);
    }

  if (shown < n)
    {
      if (head->len > 0)
        g_string_append (head, _(", "));
      g_string_append (head, names[shown - 1]);
      /* Translators: the end of a long list of tags: "v1, v2, v3 and 12 more". */
      return g_strdup_printf (ngettext ("%s and %u more", "%s and %u more", n - shown),
                              head->str, n - shown);
    }

  /* Translators: joins the last two names of a list: "v1, v2 and latest". */
  return g_strdup_printf (_("%s and %s"), head->str, names[shown - 1]);
}

static gboolean
strv_contains (const char * const *strv,
               const char         *str)
{
  return strv != NULL && g_strv_contains (strv, str);
}

/* The tags outside @self->tags that share an image with one of them, sorted
 * as the model lists them; and whether every one of @self->tags has a known
 * digest. */
static GStrv
find_survivors (WharfDeleteDialog *self,
                gboolean          *all_known)
{
  GListModel *model = G_LIST_MODEL (self->model);
  g_autoptr(GHashTable) digests = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (model);
  guint n_known = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (model, i);
      const char *digest = wharf_tag_item_get_digest (item);

      if (digest != NULL &&
          strv_contains ((const char * const *) self->tags, wharf_tag_item_get_name (item)))
        {
          g_hash_table_add (digests, (gpointer) digest);
          n_known++;
        }
    }

  *all_known = n_known == g_strv_length (self->tags);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (model, i);
      const char *digest = wharf_tag_item_get_digest (item);

      if (digest != NULL && g_hash_table_contains (digests, digest) &&
          !strv_contains ((const char * const *) self->tags, wharf_tag_item_get_name (item)))
        g_strv_builder_add (builder, wharf_tag_item_get_name (item));
    }

  return g_strv_builder_end (builder);
}

static char *
describe_tags (WharfDeleteDialog *self)
{
  const char *where = wharf_registry_get_display_name (self->registry);
  guint n = g_strv_length (self->tags);
  g_autoptr(GString) body = g_string_new (NULL);

  if (n == 1)
    {
      g_autofree char *name = g_strdup_printf ("%s:%s", self->repository, self->tags[0]);

      /* Translators: "web:v2 will be removed from Local registry." */
      g_string_append_printf (body, _("%s will be removed from %s."), name, where);
    }
  else
    {
      g_autofree char *list = _wharf_join_names ((const char * const *) self->tags,
                                                 MAX_LISTED_TAGS);

      /* Translators: "These tags of web will be removed from Local registry: v1, v2 and v3." */
      g_string_append_printf (body, _("These tags of %s will be removed from %s: %s."),
                              self->repository, where, list);
    }

  if (!self->ready)
    {
      g_string_append_c (body, ' ');
      g_string_append (body, n == 1 ? _("Checking which other tags share this image…")
                                    : _("Checking which other tags share these images…"));
    }
  else
    {
      gboolean all_known = FALSE;
      g_auto(GStrv) survivors = find_survivors (self, &all_known);
      guint n_survivors = g_strv_length (survivors);
      g_autofree char *list = _wharf_join_names ((const char * const *) survivors,
                                                 MAX_LISTED_TAGS);

      g_string_append_c (body, ' ');
      if (n_survivors == 0 && all_known)
        g_string_append (body, n == 1 ? _("No other tag points to this image.")
                                      : _("No other tag points to these images."));
      else if (n_survivors == 1 && n == 1)
        /* Translators: "latest shares this image; it stays." */
        g_string_append_printf (body, _("%s shares this image; it stays."), list);
      else if (n_survivors > 1 && n == 1)
        /* Translators: "v1 and latest share this image; they stay." */
        g_string_append_printf (body, _("%s share this image; they stay."), list);
      else if (n_survivors == 1)
        g_string_append_printf (body, _("%s shares an image with them; it stays."), list);
      else if (n_survivors > 1)
        g_string_append_printf (body, _("%s share images with them; they stay."), list);
      else
        g_string_truncate (body, body->len - 1);
    }

  return g_string_free (g_steal_pointer (&body), FALSE);
}

static char *
describe_repository (WharfDeleteDialog *self)
{
  const char *where = wharf_registry_get_display_name (self->registry);
  guint n;
  g_autofree char *list = NULL;

  if (self->error_message != NULL)
    return g_strdup (self->error_message);

  if (!self->ready)
    return g_strdup_printf (_("Counting the tags of %s…"), self->repository);

  n = g_strv_length (self->tags);
  if (n == 0)
    return g_strdup_printf (_("%s has no tags: there is nothing to delete."), self->repository);

  list = _wharf_join_names ((const char * const *) self->tags, MAX_LISTED_TAGS);
  /* Translators: "web has 3 tags; all of them will be removed from Local
   * registry: v1, v2 and latest." */
  return g_strdup_printf (ngettext ("%s has %u tag; it will be removed from %s: %s.",
                                    "%s has %u tags; all of them will be removed from %s: %s.",
                                    n),
                          self->repository, n, where, list);
}

static void
update_body (WharfDeleteDialog *self)
{
  g_autofree char *body = NULL;
  gboolean can_delete;

  body = self->whole_repository ? describe_repository (self) : describe_tags (self);

  if (self->gc_note)
    {
      g_autofree char *note = NULL;
      char *with_note;

      note = g_strdup_printf (_("Deleting frees no disk space on %s until the registry’s "
                                "garbage collection runs."),
                              wharf_registry_get_display_name (self->registry));
      with_note = g_strconcat (body, "\n\n", note, NULL);
      g_free (body);
      body = with_note;
    }

  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  can_delete = self->ready && self->error_message == NULL &&
               self->tags != NULL && self->tags[0] != NULL;
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "delete", can_delete);
}

static void
set_ready (WharfDeleteDialog *self)
{
  if (self->ready)
    return;

  self->ready = TRUE;
  update_body (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

/* Tags: wait until every tag's digest is known. */

static gboolean
model_has_unchecked (WharfTagModel *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      switch (wharf_tag_item_get_state (item))
        {
        case WHARF_TAG_STATE_NEW:
        case WHARF_TAG_STATE_CACHED:
        case WHARF_TAG_STATE_LOADING:
          return TRUE;

        case WHARF_TAG_STATE_LOADED:
        case WHARF_TAG_STATE_FAILED:
        default:
          break;
        }
    }

  return FALSE;
}

static void
n_fetching_cb (WharfDeleteDialog *self,
               GParamSpec        *pspec,
               WharfTagModel     *model)
{
  /* Whatever could be fetched was: what is known now is what it says. */
  if (wharf_tag_model_get_n_fetching (model) == 0)
    {
      g_signal_handlers_disconnect_by_func (model, n_fetching_cb, self);
      set_ready (self);
    }
}

/* Repository: list its tags. */

static void
list_tags_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WharfDeleteDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;

  tags = wharf_client_list_tags_finish (WHARF_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (tags == NULL)
    {
      self->error_message = g_strdup (error->message);
      self->tags = g_new0 (char *, 1);
    }
  else
    {
      self->tags = g_steal_pointer (&tags);
    }

  set_ready (self);
}

static void
wharf_delete_dialog_dispose (GObject *object)
{
  WharfDeleteDialog *self = WHARF_DELETE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, n_fetching_cb, self);

  G_OBJECT_CLASS (wharf_delete_dialog_parent_class)->dispose (object);
}

static void
wharf_delete_dialog_finalize (GObject *object)
{
  WharfDeleteDialog *self = WHARF_DELETE_DIALOG (object);

  g_clear_object (&self->registry);
  g_clear_object (&self->model);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->tags, g_strfreev);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (wharf_delete_dialog_parent_class)->finalize (object);
}

static void
wharf_delete_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WharfDeleteDialog *self = WHARF_DELETE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_delete_dialog_class_init (WharfDeleteDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wharf_delete_dialog_dispose;
  object_class->finalize = wharf_delete_dialog_finalize;
  object_class->get_property = wharf_delete_dialog_get_property;

  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wharf_delete_dialog_init (WharfDeleteDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);

  self->cancellable = g_cancellable_new ();

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_enabled (dialog, "delete", FALSE);
}

static WharfDeleteDialog *
dialog_new (GtkWindow     *parent,
            WharfRegistry *registry,
            const char    *repository)
{
  WharfDeleteDialog *self;

  self = g_object_new (WHARF_TYPE_DELETE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->registry = g_object_ref (registry);
  self->repository = g_strdup (repository);

  /* Once a session per registry is enough to say it. */
  if (g_object_get_data (G_OBJECT (registry), GC_NOTE_KEY) == NULL)
    {
      self->gc_note = TRUE;
      g_object_set_data (G_OBJECT (registry), GC_NOTE_KEY, GINT_TO_POINTER (TRUE));
    }

  return self;
}

WharfDeleteDialog *
wharf_delete_dialog_new_for_tags (GtkWindow          *parent,
                                  WharfRegistry      *registry,
                                  WharfTagModel      *model,
                                  const char * const *tags)
{
  WharfDeleteDialog *self;
  guint n;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (WHARF_IS_TAG_MODEL (model), NULL);
  g_return_val_if_fail (wharf_tag_model_get_repository (model) != NULL, NULL);
  g_return_val_if_fail (tags != NULL && tags[0] != NULL, NULL);

  self = dialog_new (parent, registry, wharf_tag_model_get_repository (model));
  self->model = g_object_ref (model);
  self->tags = g_strdupv ((char **) tags);
  n = g_strv_length (self->tags);

  if (n == 1)
    {
      g_autofree char *heading = g_strdup_printf (_("Delete %s?"), tags[0]);

      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
    }
  else
    {
      g_autofree char *heading = NULL;

      heading = g_strdup_printf (ngettext ("Delete %u Tag?", "Delete %u Tags?", n), n);
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
    }

  /* Which tags share an image is known only once every tag's digest is. */
  if (model_has_unchecked (model) || wharf_tag_model_get_n_fetching (model) > 0)
    {
      g_signal_connect_object (model, "notify::n-fetching",
                               G_CALLBACK (n_fetching_cb), self, G_CONNECT_SWAPPED);
      wharf_tag_model_fetch_all (model);
      update_body (self);
      n_fetching_cb (self, NULL, model);
    }
  else
    {
      set_ready (self);
    }

  return self;
}

WharfDeleteDialog *
wharf_delete_dialog_new_for_repository (GtkWindow     *parent,
                                        WharfRegistry *registry,
                                        const char    *repository)
{
  WharfDeleteDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (repository != NULL, NULL);

  self = dialog_new (parent, registry, repository);
  self->whole_repository = TRUE;

  heading = g_strdup_printf (_("Delete Repository %s?"), repository);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  update_body (self);

  wharf_client_list_tags_async (wharf_registry_get_client (registry), repository,
                                self->cancellable, list_tags_cb, g_object_ref (self));

  return self;
}

WharfRegistry *
wharf_delete_dialog_get_registry (WharfDeleteDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DELETE_DIALOG (self), NULL);

  return self->registry;
}

const char *
wharf_delete_dialog_get_repository (WharfDeleteDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DELETE_DIALOG (self), NULL);

  return self->repository;
}

const char * const *
wharf_delete_dialog_get_tags (WharfDeleteDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DELETE_DIALOG (self), NULL);

  return (const char * const *) self->tags;
}

gboolean
wharf_delete_dialog_get_whole_repository (WharfDeleteDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DELETE_DIALOG (self), FALSE);

  return self->whole_repository;
}

gboolean
wharf_delete_dialog_get_ready (WharfDeleteDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DELETE_DIALOG (self), FALSE);

  return self->ready;
}
