/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-share-dialog.c: share an image to Docker Hub: sign in, name, copy, pull command. */

#define G_LOG_DOMAIN "wharf-share-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wharf-copy-dialog.h"
#include "wharf-share-dialog.h"
#include "wharf-sign-in-dialog.h"

struct _WharfShareDialog
{
  AdwWindow             parent_instance;

  WharfTransferManager *manager;
  WharfRegistry        *source;
  char                 *repository;
  char                 *tag;
  WharfRegistry        *hub;
  /* Cancelled in dispose: nothing answers into a dialog that is gone. The
   * copy itself belongs to the manager and goes on. */
  GCancellable         *cancellable;

  WharfShareState       state;
  WharfTransferItem    *item;
  WharfReference       *destination;
  char                 *destination_text;
  char                 *pull_command;
  char                 *error;
  GtkWidget            *sign_in_dialog;
  guint                 proposed : 1;
  /* The account check failed, not the copy: Try Again checks again. */
  guint                 check_failed : 1;

  GtkButton            *close_button;
  GtkButton            *share_button;
  GtkStack             *stack;
  GtkLabel             *heading_label;
  GtkLabel             *account_label;
  AdwEntryRow          *name_row;
  GtkLabel             *error_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *command_label;
  GtkButton            *copy_command_button;
  AdwStatusPage        *failed_page;
};

G_DEFINE_FINAL_TYPE (WharfShareDialog, wharf_share_dialog, ADW_TYPE_WINDOW)

G_DEFINE_ENUM_TYPE (WharfShareState, wharf_share_state,
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_CHECKING, "checking"),
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_SIGN_IN, "sign-in"),
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_COPYING, "copying"),
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (WHARF_SHARE_STATE_FAILED, "failed"))

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_check (WharfShareDialog *self);

static void
set_state (WharfShareDialog *self,
           WharfShareState   state)
{
  static const char * const pages[] = {
    [WHARF_SHARE_STATE_CHECKING] = "checking",
    [WHARF_SHARE_STATE_SIGN_IN] = "sign-in",
    [WHARF_SHARE_STATE_READY] = "form",
    [WHARF_SHARE_STATE_COPYING] = "copying",
    [WHARF_SHARE_STATE_DONE] = "done",
    [WHARF_SHARE_STATE_FAILED] = "failed",
  };
  gboolean finished = state >= WHARF_SHARE_STATE_COPYING;

  gtk_stack_set_visible_child_name (self->stack, pages[state]);
  gtk_widget_set_visible (GTK_WIDGET (self->share_button), state == WHARF_SHARE_STATE_READY);
  /* Once the copy runs, closing no longer cancels anything. */
  gtk_button_set_label (self->close_button, finished ? _("_Close") : _("_Cancel"));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (WharfShareDialog *self,
           const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message != NULL ? message : "",
                                  -1);
}

static void
fail (WharfShareDialog *self,
      const char       *message,
      gboolean          in_check)
{
  set_error (self, message);
  self->check_failed = !!in_check;
  adw_status_page_set_description (self->failed_page, message);
  set_state (self, WHARF_SHARE_STATE_FAILED);
}

/* The name on Docker Hub */

static char *
last_component (const char *repository)
{
  const char *slash = strrchr (repository, '/');

  return g_strdup (slash != NULL ? slash + 1 : repository);
}

static void
validate (WharfShareDialog *self)
{
  g_autofree char *text = NULL;
  g_autoptr(WharfReference) reference = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->destination, wharf_reference_free);
  g_clear_pointer (&self->destination_text, g_free);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (text[0] == '\0')
    {
      set_error (self, _("Write the name on Docker Hub: docker.io/your-name/repository:tag."));
    }
  else if ((reference = wharf_reference_parse (text, &error)) == NULL)
    {
      set_error (self, error->message);
    }
  else if (!g_str_equal (reference->domain, WHARF_DOCKER_HUB_DOMAIN))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("%s is not Docker Hub: write docker.io/your-name/"
                                   "repository:tag."),
                                 reference->domain);
      set_error (self, message);
    }
  else if (reference->digest != NULL)
    {
      set_error (self, _("A shared image gets a tag, not a digest: write "
                         "docker.io/your-name/repository:tag."));
    }
  else if (reference->tag == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Add a tag after a colon, for example %s:%s."),
                                 text, self->tag);
      set_error (self, message);
    }
  else
    {
      self->destination_text = wharf_reference_to_string (reference);
      self->destination = g_steal_pointer (&reference);
      set_error (self, NULL);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->share_button), self->destination != NULL);
}

static void
name_changed_cb (WharfShareDialog *self,
                 GtkEditable      *editable)
{
  validate (self);
}

static void
show_form (WharfShareDialog *self)
{
  const char *username = wharf_registry_get_username (self->hub);
  g_autofree char *account = NULL;

  /* Translators: "Signed in to Docker Hub as alice". */
  account = g_strdup_printf (_("Signed in to %s as %s"),
                             wharf_registry_get_display_name (self->hub), username);
  gtk_label_set_text (self->account_label, account);

  if (!self->proposed)
    {
      g_autofree char *user = g_ascii_strdown (username, -1);
      g_autofree char *name = last_component (self->repository);
      g_autofree char *proposal = NULL;

      proposal = g_strdup_printf ("%s/%s/%s:%s", WHARF_DOCKER_HUB_DOMAIN, user, name, self->tag);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), proposal);
      self->proposed = TRUE;
    }

  validate (self);
  set_state (self, WHARF_SHARE_STATE_READY);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

/* The account */

static gboolean
signed_in (WharfShareDialog *self)
{
  return wharf_registry_get_status (self->hub) == WHARF_REGISTRY_STATUS_SIGNED_IN &&
         wharf_registry_get_username (self->hub) != NULL;
}

static void
sign_in_closed_cb (WharfShareDialog *self,
                   GtkWidget        *dialog)
{
  if (self->state != WHARF_SHARE_STATE_SIGN_IN)
    return;

  if (signed_in (self))
    show_form (self);
}

static void
open_sign_in (WharfShareDialog *self)
{
  if (self->sign_in_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->sign_in_dialog));
      return;
    }

  self->sign_in_dialog = GTK_WIDGET (wharf_sign_in_dialog_new (GTK_WINDOW (self), self->hub));
  g_object_add_weak_pointer (G_OBJECT (self->sign_in_dialog),
                             (gpointer *) &self->sign_in_dialog);
  g_signal_connect_object (self->sign_in_dialog, "destroy",
                           G_CALLBACK (sign_in_closed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->sign_in_dialog));
}

static void
sign_in_clicked_cb (WharfShareDialog *self)
{
  open_sign_in (self);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WharfShareDialog) self = user_data;

  wharf_registry_refresh_finish (WHARF_REGISTRY (object), result);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (signed_in (self))
    {
      show_form (self);
    }
  else if (wharf_registry_get_status (self->hub) == WHARF_REGISTRY_STATUS_ERROR)
    {
      fail (self, wharf_registry_get_status_message (self->hub), TRUE);
    }
  else
    {
      set_state (self, WHARF_SHARE_STATE_SIGN_IN);
      open_sign_in (self);
    }
}

static void
start_check (WharfShareDialog *self)
{
  if (signed_in (self))
    {
      show_form (self);
      return;
    }

  set_state (self, WHARF_SHARE_STATE_CHECKING);
  wharf_registry_refresh_async (self->hub, self->cancellable, refresh_cb, g_object_ref (self));
}

/* The copy */

static void
item_changed_cb (WharfShareDialog  *self,
                 GParamSpec        *pspec,
                 WharfTransferItem *item)
{
  gint64 done = wharf_transfer_item_get_bytes_done (item);
  gint64 total = wharf_transfer_item_get_bytes_total (item);

  if (item != self->item || self->state != WHARF_SHARE_STATE_COPYING)
    return;

  switch (wharf_transfer_item_get_state (item))
    {
    case WHARF_TRANSFER_STATE_READY:
    case WHARF_TRANSFER_STATE_RUNNING:
      if (total > 0)
        {
          g_autofree char *done_text = g_format_size (done);
          g_autofree char *total_text = g_format_size (total);
          g_autofree char *text = NULL;

          /* Translators: "12.3 MB of 40.1 MB". */
          text = g_strdup_printf (_("%s of %s"), done_text, total_text);
          gtk_progress_bar_set_fraction (self->progress_bar,
                                         CLAMP ((double) done / (double) total, 0.0, 1.0));
          gtk_progress_bar_set_text (self->progress_bar, text);
        }
      else
        {
          gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
        }
      break;

    case WHARF_TRANSFER_STATE_DONE:
      {
        g_autofree char *familiar = wharf_reference_to_familiar (self->destination);

        g_free (self->pull_command);
        self->pull_command = g_strdup_printf ("docker pull %s", familiar);
        gtk_label_set_text (self->command_label, self->pull_command);
        set_error (self, NULL);
        set_state (self, WHARF_SHARE_STATE_DONE);
        gtk_widget_grab_focus (GTK_WIDGET (self->copy_command_button));
      }
      break;

    case WHARF_TRANSFER_STATE_FAILED:
      fail (self,
            wharf_transfer_item_get_error_message (item) != NULL
              ? wharf_transfer_item_get_error_message (item)
              : _("The copy to Docker Hub failed."),
            FALSE);
      break;

    case WHARF_TRANSFER_STATE_CANCELLED:
      fail (self, _("The copy was cancelled in Transfers. Nothing was left on Docker Hub."),
            FALSE);
      break;

    default:
      break;
    }
}

gboolean
wharf_share_dialog_share (WharfShareDialog *self)
{
  WharfTransferItem *item;

  g_return_val_if_fail (WHARF_IS_SHARE_DIALOG (self), FALSE);

  if (self->state != WHARF_SHARE_STATE_READY || self->destination == NULL)
    return FALSE;

  item = _wharf_start_registry_copy (self->manager, self->source, self->repository, self->tag,
                                     self->hub, self->destination->path,
                                     self->destination->tag);
  if (item == NULL)
    return FALSE;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_changed_cb, self);
  g_set_object (&self->item, item);
  g_signal_connect_object (item, "notify::state",
                           G_CALLBACK (item_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::bytes-done",
                           G_CALLBACK (item_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::bytes-total",
                           G_CALLBACK (item_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  set_state (self, WHARF_SHARE_STATE_COPYING);
  item_changed_cb (self, NULL, item);

  return TRUE;
}

static void
share_clicked_cb (WharfShareDialog *self)
{
  wharf_share_dialog_share (self);
}

static void
try_again_clicked_cb (WharfShareDialog *self)
{
  if (self->check_failed)
    start_check (self);
  else
    show_form (self);
}

static void
copy_command_clicked_cb (WharfShareDialog *self)
{
  if (self->pull_command == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->pull_command);
  gtk_button_set_icon_name (self->copy_command_button, "object-select-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_command_button), _("Copied"));
}

static void
wharf_share_dialog_dispose (GObject *object)
{
  WharfShareDialog *self = WHARF_SHARE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_changed_cb, self);
  if (self->sign_in_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->sign_in_dialog),
                                    (gpointer *) &self->sign_in_dialog);
      self->sign_in_dialog = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_SHARE_DIALOG);

  G_OBJECT_CLASS (wharf_share_dialog_parent_class)->dispose (object);
}

static void
wharf_share_dialog_finalize (GObject *object)
{
  WharfShareDialog *self = WHARF_SHARE_DIALOG (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->source);
  g_clear_object (&self->hub);
  g_clear_object (&self->item);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->tag, g_free);
  g_clear_pointer (&self->destination, wharf_reference_free);
  g_clear_pointer (&self->destination_text, g_free);
  g_clear_pointer (&self->pull_command, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (wharf_share_dialog_parent_class)->finalize (object);
}

static void
wharf_share_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WharfShareDialog *self = WHARF_SHARE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_share_dialog_class_init (WharfShareDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_share_dialog_dispose;
  object_class->finalize = wharf_share_dialog_finalize;
  object_class->get_property = wharf_share_dialog_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       WHARF_TYPE_SHARE_STATE,
                       WHARF_SHARE_STATE_CHECKING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-share-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, close_button);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, share_button);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, account_label);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, command_label);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, copy_command_button);
  gtk_widget_class_bind_template_child (widget_class, WharfShareDialog, failed_page);
  gtk_widget_class_bind_template_callback (widget_class, share_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, try_again_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_command_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wharf_share_dialog_init (WharfShareDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

WharfShareDialog *
wharf_share_dialog_new (GtkWindow            *parent,
                        WharfTransferManager *manager,
                        WharfRegistry        *source,
                        const char           *repository,
                        const char           *tag,
                        WharfRegistry        *hub)
{
  WharfShareDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (manager), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (source), NULL);
  g_return_val_if_fail (repository != NULL && tag != NULL, NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (hub), NULL);

  self = g_object_new (WHARF_TYPE_SHARE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->manager = g_object_ref (manager);
  self->source = g_object_ref (source);
  self->repository = g_strdup (repository);
  self->tag = g_strdup (tag);
  self->hub = g_object_ref (hub);

  heading = g_strdup_printf (_("Share %s:%s"), repository, tag);
  gtk_label_set_text (self->heading_label, heading);

  start_check (self);

  return self;
}

WharfShareState
wharf_share_dialog_get_state (WharfShareDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SHARE_DIALOG (self), WHARF_SHARE_STATE_CHECKING);

  return self->state;
}

const char *
wharf_share_dialog_get_destination (WharfShareDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SHARE_DIALOG (self), NULL);

  return self->destination_text;
}

const char *
wharf_share_dialog_get_pull_command (WharfShareDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SHARE_DIALOG (self), NULL);

  return self->pull_command;
}

const char *
wharf_share_dialog_get_error (WharfShareDialog *self)
{
  g_return_val_if_fail (WHARF_IS_SHARE_DIALOG (self), NULL);

  return self->error;
}
