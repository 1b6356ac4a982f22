/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-manage-actions.c: the window's delete (with undo), copy, add tag and share actions. */

#define G_LOG_DOMAIN "wharf-manage"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wharf-application.h"
#include "wharf-copy-dialog.h"
#include "wharf-delete-dialog.h"
#include "wharf-share-dialog.h"
#include "wharf-window-private.h"

/* On a WharfRegistry: why deleting there is refused (a string), set after
 * the first refusal so the delete actions stay disabled and say why. */
#define DELETE_DISABLED_KEY "wharf-delete-disabled"
/* On the window: the Docker Hub registry made for sharing when the sidebar
 * does not list one. */
#define DOCKER_HUB_KEY "wharf-docker-hub"

/* An undo toast stays this long: long enough to change one's mind. */
#define UNDO_TIMEOUT_SECONDS 10

/* Helpers */

static WharfRegistryStore *
get_store (WharfWindow *self)
{
  WharfRegistryStore *store = NULL;

  g_object_get (self->sidebar, "store", &store, NULL);
  /* The sidebar keeps it for as long as the window lives. */
  g_object_unref (store);

  return store;
}

static WharfTransferManager *
get_manager (WharfWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!WHARF_IS_APPLICATION (application))
    return NULL;

  return wharf_application_get_transfer_manager (WHARF_APPLICATION (application));
}

static const char *
get_delete_disabled (WharfRegistry *registry)
{
  if (registry == NULL)
    return NULL;

  return g_object_get_data (G_OBJECT (registry), DELETE_DISABLED_KEY);
}

static GtkSelectionModel *
get_tag_selection (WharfWindow *self)
{
  return gtk_column_view_get_model (wharf_tag_list_get_column_view (self->tag_list));
}

/* The names of the selected tags, in the order the list shows them. */
static GStrv
dup_selected_tags (WharfWindow *self)
{
  GtkSelectionModel *selection = get_tag_selection (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (selection == NULL)
    return g_strv_builder_end (builder);

  selected = gtk_selection_model_get_selection (selection);
  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    {
      do
        {
          g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (selection),
                                                                position);

          if (item != NULL)
            g_strv_builder_add (builder, wharf_tag_item_get_name (item));
        }
      while (gtk_bitset_iter_next (&iter, &position));
    }

  return g_strv_builder_end (builder);
}

static const char *
open_repository (WharfWindow *self)
{
  return wharf_tag_list_get_repository (self->tag_list);
}

/* Whether the tag list shows @repository of @registry. */
static gboolean
shows (WharfWindow   *self,
       WharfRegistry *registry,
       const char    *repository)
{
  return registry != NULL &&
         wharf_tag_list_get_registry (self->tag_list) == registry &&
         g_strcmp0 (wharf_tag_list_get_repository (self->tag_list), repository) == 0;
}

static void
show_error (WharfWindow *self,
            const char  *heading,
            const char  *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The in-place updates */

/* "repo:tag" → the tag, when it belongs to @repository. */
static const char *
tag_of (const char *removed,
        const char *repository)
{
  gsize len = strlen (repository);

  if (strncmp (removed, repository, len) == 0 && removed[len] == ':')
    return removed + len + 1;

  return NULL;
}

static void
apply_deletion (WharfWindow   *self,
                WharfRegistry *registry,
                const char    *repository,
                WharfDeletion *deletion,
                gboolean       restore)
{
  g_auto(GStrv) removed = wharf_deletion_dup_removed_tags (deletion);
  WharfTagModel *model = wharf_tag_list_get_model (self->tag_list);

  if (!shows (self, registry, repository))
    return;

  for (guint i = 0; removed[i] != NULL; i++)
    {
      const char *tag = tag_of (removed[i], repository);

      if (tag == NULL)
        continue;
      if (restore)
        wharf_tag_model_add_tag (model, tag);
      else
        wharf_tag_model_remove_tag (model, tag);
    }
}

static void
set_repository_tag_count (WharfWindow   *self,
                          WharfRegistry *registry,
                          const char    *repository,
                          int            tag_count)
{
  WharfRepositoryItem *item;

  if (wharf_repository_list_get_registry (self->repository_list) != registry)
    return;

  item = wharf_repository_model_find (wharf_repository_list_get_model (self->repository_list),
                                      repository, NULL);
  if (item != NULL)
    wharf_repository_item_set_tag_count (item, tag_count);
}

/* Delete */

typedef struct
{
  WharfWindow   *window;
  WharfRegistry *registry;
  char          *repository;
  /* Tags: deleted one after the other. */
  GStrv          tags;
  guint          next;
  gboolean       whole_repository;
  /* What went, for Undo: WharfDeletion*. */
  GPtrArray     *deletions;
  guint          n_removed;
} DeleteOp;

static void
delete_op_free (DeleteOp *op)
{
  g_clear_object (&op->window);
  g_clear_object (&op->registry);
  g_clear_pointer (&op->repository, g_free);
  g_clear_pointer (&op->tags, g_strfreev);
  g_clear_pointer (&op->deletions, g_ptr_array_unref);
  g_free (op);
}

static void delete_next (DeleteOp *op);
static void show_undo_toast (DeleteOp *op);

static void
set_delete_disabled (WharfWindow   *self,
                     WharfRegistry *registry,
                     const char    *message)
{
  g_object_set_data_full (G_OBJECT (registry), DELETE_DISABLED_KEY,
                          g_strdup (message), g_free);
  _wharf_window_update_actions (self);
}

static void
delete_failed (DeleteOp     *op,
               const GError *error)
{
  WharfWindow *self = op->window;

  if (g_error_matches (error, WHARF_ERROR, WHARF_ERROR_UNSUPPORTED))
    {
      /* The registry refuses every delete: say why, once, and stop offering it. */
      set_delete_disabled (self, op->registry, error->message);
      show_error (self, _("Deleting Is Disabled"), error->message);
      return;
    }

  wharf_registry_report_error (op->registry, error);
  show_error (self, op->whole_repository ? _("Could Not Delete the Repository")
                                         : _("Could Not Delete the Tag"),
              error->message);
}

static void
delete_done (DeleteOp *op)
{
  if (op->deletions->len > 0)
    show_undo_toast (op);
  delete_op_free (op);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DeleteOp *op = user_data;
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;

  if (op->whole_repository)
    deletion = wharf_client_delete_repository_finish (WHARF_CLIENT (object), result, &error);
  else
    deletion = wharf_client_delete_finish (WHARF_CLIENT (object), result, &error);

  /* The window is gone: what was deleted stays deleted, nobody to tell. */
  if (g_cancellable_is_cancelled (op->window->cancellable))
    {
      delete_op_free (op);
      return;
    }

  if (deletion == NULL)
    {
      delete_failed (op, error);
      delete_done (op);
      return;
    }

  apply_deletion (op->window, op->registry, op->repository, deletion, FALSE);
  if (op->whole_repository)
    set_repository_tag_count (op->window, op->registry, op->repository, 0);

  removed = wharf_deletion_dup_removed_tags (deletion);
  op->n_removed += g_strv_length (removed);
  g_ptr_array_add (op->deletions, g_steal_pointer (&deletion));

  if (op->whole_repository)
    delete_done (op);
  else
    delete_next (op);
}

static void
delete_next (DeleteOp *op)
{
  WharfClient *client = wharf_registry_get_client (op->registry);

  if (op->whole_repository)
    {
      wharf_client_delete_repository_async (client, op->repository, op->window->cancellable,
                                            deleted_cb, op);
      return;
    }

  if (op->tags[op->next] == NULL)
    {
      delete_done (op);
      return;
    }

  wharf_client_delete_async (client, op->repository, op->tags[op->next++],
                             op->window->cancellable, deleted_cb, op);
}

static void
delete_response_cb (WharfWindow       *self,
                    const char        *response,
                    WharfDeleteDialog *dialog)
{
  DeleteOp *op;

  if (!g_str_equal (response, "delete"))
    return;

  op = g_new0 (DeleteOp, 1);
  op->window = g_object_ref (self);
  op->registry = g_object_ref (wharf_delete_dialog_get_registry (dialog));
  op->repository = g_strdup (wharf_delete_dialog_get_repository (dialog));
  op->tags = g_strdupv ((char **) wharf_delete_dialog_get_tags (dialog));
  op->whole_repository = wharf_delete_dialog_get_whole_repository (dialog);
  op->deletions = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_deletion_unref);

  delete_next (op);
}

static void
present_delete_dialog (WharfWindow       *self,
                       WharfDeleteDialog *dialog)
{
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_tags_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  g_auto(GStrv) tags = dup_selected_tags (self);
  WharfRegistry *registry = wharf_tag_list_get_registry (self->tag_list);
  WharfDeleteDialog *dialog;

  if (tags[0] == NULL || registry == NULL || open_repository (self) == NULL ||
      get_delete_disabled (registry) != NULL)
    return;

  dialog = wharf_delete_dialog_new_for_tags (GTK_WINDOW (self), registry,
                                             wharf_tag_list_get_model (self->tag_list),
                                             (const char * const *) tags);
  present_delete_dialog (self, dialog);
}

static void
delete_repository_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  const char *repository = wharf_repository_list_get_selected_repository (self->repository_list);

  if (self->registry == NULL || repository == NULL ||
      get_delete_disabled (self->registry) != NULL)
    return;

  present_delete_dialog (self,
                         wharf_delete_dialog_new_for_repository (GTK_WINDOW (self),
                                                                 self->registry, repository));
}

/* Undo */

typedef struct
{
  WharfWindow   *window;
  WharfRegistry *registry;
  char          *repository;
  GPtrArray     *deletions;
  guint          next;
  guint          n_removed;
  gboolean       whole_repository;
} UndoOp;

static void
undo_op_free (UndoOp *op)
{
  g_clear_object (&op->window);
  g_clear_object (&op->registry);
  g_clear_pointer (&op->repository, g_free);
  g_clear_pointer (&op->deletions, g_ptr_array_unref);
  g_free (op);
}

static void undo_next (UndoOp *op);

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  UndoOp *op = user_data;
  WharfDeletion *deletion = g_ptr_array_index (op->deletions, op->next);
  g_autoptr(GError) error = NULL;

  if (!wharf_client_undo_deletion_finish (WHARF_CLIENT (object), result, &error))
    {
      if (!g_cancellable_is_cancelled (op->window->cancellable))
        {
          wharf_registry_report_error (op->registry, error);
          show_error (op->window, _("Could Not Undo the Delete"), error->message);
        }
      undo_op_free (op);
      return;
    }

  if (!g_cancellable_is_cancelled (op->window->cancellable))
    apply_deletion (op->window, op->registry, op->repository, deletion, TRUE);

  op->next++;
  undo_next (op);
}

static void
undo_next (UndoOp *op)
{
  if (op->next < op->deletions->len)
    {
      wharf_client_undo_deletion_async (wharf_registry_get_client (op->registry),
                                        g_ptr_array_index (op->deletions, op->next),
                                        op->window->cancellable, undone_cb, op);
      return;
    }

  if (!g_cancellable_is_cancelled (op->window->cancellable))
    {
      g_autofree char *message = NULL;

      if (op->whole_repository)
        {
          set_repository_tag_count (op->window, op->registry, op->repository,
                                    (int) op->n_removed);
          message = g_strdup_printf (_("Repository %s restored"), op->repository);
        }
      else
        {
          message = g_strdup_printf (ngettext ("%u tag restored", "%u tags restored",
                                               op->n_removed),
                                     op->n_removed);
        }
      _wharf_window_show_toast (op->window, message);
    }

  undo_op_free (op);
}

static void
undo_clicked_cb (WharfWindow *self,
                 AdwToast    *toast)
{
  UndoOp *op = g_object_steal_data (G_OBJECT (toast), "wharf-undo");

  if (op == NULL)
    return;

  op->window = g_object_ref (self);
  undo_next (op);
}

static void
show_undo_toast (DeleteOp *op)
{
  WharfWindow *self = op->window;
  g_autofree char *title = NULL;
  AdwToast *toast;
  UndoOp *undo;

  if (op->whole_repository)
    title = g_strdup_printf (_("Repository %s deleted"), op->repository);
  else if (op->deletions->len == 1 && op->n_removed == 1)
    title = g_strdup_printf (_("%s:%s deleted"), op->repository, op->tags[0]);
  else
    title = g_strdup_printf (ngettext ("%u tag deleted", "%u tags deleted", op->n_removed),
                             op->n_removed);

  /* No reference to the window until Undo is pressed: the window holds the
   * toast, which holds this. */
  undo = g_new0 (UndoOp, 1);
  undo->registry = g_object_ref (op->registry);
  undo->repository = g_strdup (op->repository);
  undo->deletions = g_ptr_array_ref (op->deletions);
  undo->n_removed = op->n_removed;
  undo->whole_repository = op->whole_repository;

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, UNDO_TIMEOUT_SECONDS);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "wharf-undo", undo, (GDestroyNotify) undo_op_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Copy */

typedef struct
{
  WharfRegistry *target;
  char          *repository;
  char          *tag;
} CopyTarget;

static void
copy_target_free (CopyTarget *target)
{
  g_clear_object (&target->target);
  g_free (target->repository);
  g_free (target->tag);
  g_free (target);
}

static void
copy_state_cb (WharfWindow       *self,
               GParamSpec        *pspec,
               WharfTransferItem *item)
{
  CopyTarget *target = g_object_get_data (G_OBJECT (item), "wharf-copy-target");

  if (target == NULL || wharf_transfer_item_get_state (item) != WHARF_TRANSFER_STATE_DONE)
    return;

  /* The copy is where the user looks: its row appears without a reload. */
  if (shows (self, target->target, target->repository))
    wharf_tag_model_add_tag (wharf_tag_list_get_model (self->tag_list), target->tag);
  else if (wharf_repository_list_get_registry (self->repository_list) == target->target &&
           wharf_repository_model_find (wharf_repository_list_get_model (self->repository_list),
                                        target->repository, NULL) == NULL)
    wharf_repository_list_reload (self->repository_list);

  g_signal_handlers_disconnect_by_func (item, copy_state_cb, self);
}

static void
copy_confirmed_cb (WharfWindow     *self,
                   WharfCopyDialog *dialog)
{
  WharfTransferManager *manager = get_manager (self);
  WharfRegistry *target = wharf_copy_dialog_get_target_registry (dialog);
  const char *repository = g_object_get_data (G_OBJECT (dialog), "wharf-repository");
  const char *tag = g_object_get_data (G_OBJECT (dialog), "wharf-tag");
  WharfRegistry *source = g_object_get_data (G_OBJECT (dialog), "wharf-source");
  WharfTransferItem *item;
  CopyTarget *copy_target;

  if (manager == NULL || target == NULL)
    return;

  item = _wharf_start_registry_copy (manager, source, repository, tag, target,
                                     wharf_copy_dialog_get_target_repository (dialog),
                                     wharf_copy_dialog_get_target_tag (dialog));
  if (item == NULL)
    return;

  copy_target = g_new0 (CopyTarget, 1);
  copy_target->target = g_object_ref (target);
  copy_target->repository = g_strdup (wharf_copy_dialog_get_target_repository (dialog));
  copy_target->tag = g_strdup (wharf_copy_dialog_get_target_tag (dialog));
  g_object_set_data_full (G_OBJECT (item), "wharf-copy-target", copy_target,
                          (GDestroyNotify) copy_target_free);
  g_signal_connect_object (item, "notify::state", G_CALLBACK (copy_state_cb), self,
                           G_CONNECT_SWAPPED);

  _wharf_window_show_toast (self, _("Copy started: see Transfers"));
}

void
wharf_window_copy_tag_to (WharfWindow   *self,
                          WharfRegistry *source,
                          const char    *repository,
                          const char    *tag,
                          WharfRegistry *target)
{
  WharfCopyDialog *dialog;

  g_return_if_fail (WHARF_IS_WINDOW (self));
  g_return_if_fail (WHARF_IS_REGISTRY (source));
  g_return_if_fail (repository != NULL && tag != NULL);
  g_return_if_fail (!target || WHARF_IS_REGISTRY (target));

  dialog = wharf_copy_dialog_new_copy (GTK_WINDOW (self), get_store (self), source,
                                       repository, tag, target);
  g_object_set_data_full (G_OBJECT (dialog), "wharf-source", g_object_ref (source),
                          g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "wharf-repository", g_strdup (repository), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "wharf-tag", g_strdup (tag), g_free);
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (copy_confirmed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The one selected tag, for the actions that act on one. */
static WharfTagItem *
single_selected_tag (WharfWindow *self)
{
  g_auto(GStrv) tags = dup_selected_tags (self);

  if (tags[0] == NULL || tags[1] != NULL)
    return NULL;

  return wharf_tag_model_find (wharf_tag_list_get_model (self->tag_list), tags[0], NULL);
}

static void
copy_tag_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  WharfTagItem *tag = single_selected_tag (self);
  WharfRegistry *registry = wharf_tag_list_get_registry (self->tag_list);

  if (tag == NULL || registry == NULL)
    return;

  wharf_window_copy_tag_to (self, registry, open_repository (self),
                            wharf_tag_item_get_name (tag), NULL);
}

/* Add tag */

static void
tagged_cb (WharfWindow     *self,
           const char      *new_tag,
           const char      *digest,
           WharfCopyDialog *dialog)
{
  g_autofree char *message = NULL;

  if (shows (self, wharf_copy_dialog_get_target_registry (dialog),
             wharf_copy_dialog_get_target_repository (dialog)))
    {
      wharf_tag_model_add_tag (wharf_tag_list_get_model (self->tag_list), new_tag);
      wharf_tag_list_select_tag (self->tag_list, new_tag);
    }

  message = g_strdup_printf (_("Tag %s added"), new_tag);
  _wharf_window_show_toast (self, message);
}

static void
add_tag_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  WharfTagItem *tag = single_selected_tag (self);
  WharfRegistry *registry = wharf_tag_list_get_registry (self->tag_list);
  WharfCopyDialog *dialog;

  if (tag == NULL || registry == NULL)
    return;

  dialog = wharf_copy_dialog_new_add_tag (GTK_WINDOW (self), registry, open_repository (self),
                                          wharf_tag_item_get_name (tag));
  g_signal_connect_object (dialog, "tagged", G_CALLBACK (tagged_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Share to Docker Hub */

static WharfRegistry *
get_docker_hub (WharfWindow *self)
{
  WharfRegistry *hub = wharf_registry_store_find (get_store (self), WHARF_DOCKER_HUB_DOMAIN);
  g_autoptr(WharfEndpoint) endpoint = NULL;

  if (hub != NULL)
    return hub;

  /* Not in the sidebar: sharing needs no listing, one made here does. */
  hub = g_object_get_data (G_OBJECT (self), DOCKER_HUB_KEY);
  if (hub != NULL)
    return hub;

  endpoint = wharf_endpoint_new (WHARF_DOCKER_HUB_DOMAIN, NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);
  hub = wharf_registry_new (endpoint);
  g_object_set_data_full (G_OBJECT (self), DOCKER_HUB_KEY, hub, g_object_unref);

  return hub;
}

static void
share_tag_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  WharfWindow *self = WHARF_WINDOW (widget);
  WharfTagItem *tag = single_selected_tag (self);
  WharfRegistry *registry = wharf_tag_list_get_registry (self->tag_list);
  WharfTransferManager *manager = get_manager (self);
  WharfShareDialog *dialog;

  if (tag == NULL || registry == NULL || manager == NULL)
    return;

  dialog = wharf_share_dialog_new (GTK_WINDOW (self), manager, registry, open_repository (self),
                                   wharf_tag_item_get_name (tag), get_docker_hub (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* State */

static GtkWidget *
get_delete_tags_button (WharfWindow *self)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (self), WHARF_TYPE_WINDOW,
                                                   "delete_tags_button");

  return button != NULL ? GTK_WIDGET (button) : NULL;
}

static void
tag_selection_changed_cb (WharfWindow       *self,
                          guint              position,
                          guint              n_items,
                          GtkSelectionModel *selection)
{
  /* Disposing the window empties the list: nothing to update then. */
  if (g_cancellable_is_cancelled (self->cancellable) || self->tag_list == NULL)
    return;

  _wharf_window_update_actions (self);
}

void
_wharf_window_init_manage (WharfWindow *self)
{
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  GtkShortcutTrigger *trigger;
  GtkShortcutAction *action;

  /* Delete acts on the tags only where the tags have focus, not in the
   * sidebar or the repositories. */
  trigger = gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                         gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0));
  action = gtk_named_action_new ("win.delete-tags");
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (trigger, action));
  gtk_widget_add_controller (GTK_WIDGET (wharf_tag_list_get_column_view (self->tag_list)),
                             shortcuts);

  /* Selecting a second tag changes no "selected-tag", but what may be done. */
  g_signal_connect_object (get_tag_selection (self), "selection-changed",
                           G_CALLBACK (tag_selection_changed_cb), self, G_CONNECT_SWAPPED);
}

void
_wharf_window_update_manage_actions (WharfWindow *self)
{
  g_auto(GStrv) tags = dup_selected_tags (self);
  WharfRegistry *tag_registry = wharf_tag_list_get_registry (self->tag_list);
  gboolean has_tags = tags[0] != NULL && tag_registry != NULL;
  gboolean one_tag = has_tags && tags[1] == NULL;
  gboolean has_manager = get_manager (self) != NULL;
  const char *tags_disabled = get_delete_disabled (tag_registry);
  const char *repository_disabled = get_delete_disabled (self->registry);
  gboolean has_repository =
    self->registry != NULL &&
    wharf_repository_list_get_selected_repository (self->repository_list) != NULL;
  GtkWidget *delete_button = get_delete_tags_button (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-tags",
                                 has_tags && tags_disabled == NULL);
  /* A disabled button says why: the registry refused the first delete. */
  if (delete_button != NULL)
    gtk_widget_set_tooltip_text (delete_button, tags_disabled != NULL
                                                ? tags_disabled : _("Delete Selected Tags"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-repository",
                                 has_repository && repository_disabled == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-tag", one_tag && has_manager);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-tag", one_tag);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.share-tag", one_tag && has_manager);
}

void
_wharf_window_class_init_manage_actions (GtkWidgetClass *widget_class)
{
  /* Its tooltip tells why deleting is off; no struct field needed for that. */
  gtk_widget_class_bind_template_child_full (widget_class, "delete_tags_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "win.delete-tags", NULL, delete_tags_action);
  gtk_widget_class_install_action (widget_class, "win.delete-repository", NULL,
                                   delete_repository_action);
  gtk_widget_class_install_action (widget_class, "win.copy-tag", NULL, copy_tag_action);
  gtk_widget_class_install_action (widget_class, "win.add-tag", NULL, add_tag_action);
  gtk_widget_class_install_action (widget_class, "win.share-tag", NULL, share_tag_action);
}
