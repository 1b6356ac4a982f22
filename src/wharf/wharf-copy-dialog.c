/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-copy-dialog.c: "Copy to…" another registry or repository, and "Add Tag…" in place. */

#define G_LOG_DOMAIN "wharf-copy-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-copy-dialog.h"

typedef enum
{
  MODE_COPY,
  MODE_ADD_TAG,
} Mode;

struct _WharfCopyDialog
{
  AdwWindow        parent_instance;

  Mode             mode;
  WharfRegistry   *source;
  char            *repository;
  char            *tag;
  /* Cancelled in dispose: nothing answers into a dialog that is gone. */
  GCancellable    *cancellable;

  /* What the form says, when valid. */
  WharfRegistry   *target;
  char            *target_repository;
  char            *target_tag;
  char            *error;
  guint            busy : 1;

  GtkButton       *confirm_button;
  GtkSpinner      *spinner;
  GtkLabel        *heading_label;
  GtkLabel        *source_label;
  AdwComboRow     *registry_row;
  AdwEntryRow     *name_row;
  GtkLabel        *error_label;
  GtkLabel        *note_label;
};

G_DEFINE_FINAL_TYPE (WharfCopyDialog, wharf_copy_dialog, ADW_TYPE_WINDOW)

enum {
  CONFIRMED,
  TAGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_error (WharfCopyDialog *self,
           const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  /* A screen reader reads why the name is refused along with the field. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message != NULL ? message : "",
                                  -1);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
}

static void
update_sensitivity (WharfCopyDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button),
                            !self->busy && self->target_tag != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->registry_row), !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static gboolean
same_registry (WharfRegistry *a,
               WharfRegistry *b)
{
  return a == b ||
         g_strcmp0 (wharf_endpoint_get_domain (wharf_registry_get_endpoint (a)),
                    wharf_endpoint_get_domain (wharf_registry_get_endpoint (b))) == 0;
}

/* Checks the name as typed; on success sets target, target_repository and
 * target_tag, else the sentence that says what is wrong. */
static void
validate_copy (WharfCopyDialog *self,
               const char      *text)
{
  WharfRegistry *target = adw_combo_row_get_selected_item (self->registry_row);
  g_autoptr(WharfReference) reference = NULL;
  g_autoptr(GError) error = NULL;
  const char *domain;

  if (target == NULL)
    {
      set_error (self, _("Choose the registry to copy to."));
      return;
    }

  if (text[0] == '\0')
    {
      g_autofree char *message = NULL;

      /* Translators: %s:%s is an example, "web:v1". */
      message = g_strdup_printf (_("Write the repository and tag, for example %s:%s."),
                                 self->repository, self->tag);
      set_error (self, message);
      return;
    }

  domain = wharf_endpoint_get_domain (wharf_registry_get_endpoint (target));
  reference = wharf_reference_parse_in_domain (text, domain, &error);
  if (reference == NULL)
    {
      set_error (self, error->message);
      return;
    }

  if (g_strcmp0 (reference->domain, domain) != 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("%s is another registry: choose it above and write only "
                                   "the repository and tag here."),
                                 reference->domain);
      set_error (self, message);
      return;
    }

  if (reference->digest != NULL)
    {
      set_error (self, _("A copy gets a tag, not a digest: write repository:tag."));
      return;
    }

  if (reference->tag == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Add a tag after a colon, for example %s:%s."),
                                 text, self->tag);
      set_error (self, message);
      return;
    }

  if (same_registry (target, self->source) &&
      g_str_equal (reference->path, self->repository) &&
      g_str_equal (reference->tag, self->tag))
    {
      set_error (self, _("The image is there already: choose another registry, repository "
                         "or tag."));
      return;
    }

  g_set_object (&self->target, target);
  self->target_repository = g_strdup (reference->path);
  self->target_tag = g_strdup (reference->tag);
  set_error (self, NULL);
}

static void
validate_add_tag (WharfCopyDialog *self,
                  const char      *text)
{
  g_autoptr(GError) error = NULL;

  if (text[0] == '\0')
    {
      set_error (self, _("Write the new tag, for example stable or v1.2."));
      return;
    }

  if (!wharf_reference_validate_tag (text, &error))
    {
      set_error (self, error->message);
      return;
    }

  if (g_str_equal (text, self->tag))
    {
      set_error (self, _("That is this tag’s own name: write another one."));
      return;
    }

  g_set_object (&self->target, self->source);
  self->target_repository = g_strdup (self->repository);
  self->target_tag = g_strdup (text);
  set_error (self, NULL);
}

static void
validate (WharfCopyDialog *self)
{
  g_autofree char *text = NULL;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  g_clear_object (&self->target);
  g_clear_pointer (&self->target_repository, g_free);
  g_clear_pointer (&self->target_tag, g_free);

  if (self->mode == MODE_COPY)
    validate_copy (self, text);
  else
    validate_add_tag (self, text);

  update_sensitivity (self);
}

static void
name_changed_cb (WharfCopyDialog *self,
                 GtkEditable     *editable)
{
  validate (self);
}

static void
registry_selected_cb (WharfCopyDialog *self,
                      GParamSpec      *pspec,
                      AdwComboRow     *row)
{
  validate (self);
}

static void
tag_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(WharfCopyDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *new_tag = NULL;

  digest = wharf_client_tag_finish (WHARF_CLIENT (object), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  self->busy = FALSE;

  if (digest == NULL)
    {
      /* A registry problem rather than a bad name: say so where the name is. */
      wharf_registry_report_error (self->source, error);
      update_sensitivity (self);
      set_error (self, error->message);
      return;
    }

  new_tag = g_strdup (self->target_tag);
  g_signal_emit (self, signals[TAGGED], 0, new_tag, digest);
  gtk_window_destroy (GTK_WINDOW (self));
}

gboolean
wharf_copy_dialog_confirm (WharfCopyDialog *self)
{
  g_return_val_if_fail (WHARF_IS_COPY_DIALOG (self), FALSE);

  if (self->busy || self->target_tag == NULL)
    return FALSE;

  if (self->mode == MODE_COPY)
    {
      g_signal_emit (self, signals[CONFIRMED], 0);
      gtk_window_destroy (GTK_WINDOW (self));
      return TRUE;
    }

  self->busy = TRUE;
  update_sensitivity (self);
  wharf_client_tag_async (wharf_registry_get_client (self->source),
                          self->repository, self->tag,
                          self->repository, self->target_tag,
                          self->cancellable, tag_cb, g_object_ref (self));
  return TRUE;
}

static void
confirm_clicked_cb (WharfCopyDialog *self)
{
  wharf_copy_dialog_confirm (self);
}

static void
wharf_copy_dialog_dispose (GObject *object)
{
  WharfCopyDialog *self = WHARF_COPY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_COPY_DIALOG);

  G_OBJECT_CLASS (wharf_copy_dialog_parent_class)->dispose (object);
}

static void
wharf_copy_dialog_finalize (GObject *object)
{
  WharfCopyDialog *self = WHARF_COPY_DIALOG (object);

  g_clear_object (&self->source);
  g_clear_object (&self->target);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->tag, g_free);
  g_clear_pointer (&self->target_repository, g_free);
  g_clear_pointer (&self->target_tag, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (wharf_copy_dialog_parent_class)->finalize (object);
}

static void
wharf_copy_dialog_class_init (WharfCopyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_copy_dialog_dispose;
  object_class->finalize = wharf_copy_dialog_finalize;

  signals[CONFIRMED] =
    g_signal_new ("confirmed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);

  signals[TAGGED] =
    g_signal_new ("tagged",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-copy-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, source_label);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, registry_row);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfCopyDialog, note_label);
  gtk_widget_class_bind_template_callback (widget_class, confirm_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wharf_copy_dialog_init (WharfCopyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

static WharfCopyDialog *
dialog_new (GtkWindow     *parent,
            Mode           mode,
            WharfRegistry *source,
            const char    *repository,
            const char    *tag)
{
  WharfCopyDialog *self;
  g_autofree char *source_text = NULL;

  self = g_object_new (WHARF_TYPE_COPY_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->mode = mode;
  self->source = g_object_ref (source);
  self->repository = g_strdup (repository);
  self->tag = g_strdup (tag);

  /* Translators: where an image is: "web:v1 in Local registry". */
  source_text = g_strdup_printf (_("%s:%s in %s"), repository, tag,
                                 wharf_registry_get_display_name (source));
  gtk_label_set_text (self->source_label, source_text);

  return self;
}

WharfCopyDialog *
wharf_copy_dialog_new_copy (GtkWindow          *parent,
                            WharfRegistryStore *store,
                            WharfRegistry      *source,
                            const char         *repository,
                            const char         *tag,
                            WharfRegistry      *target)
{
  WharfCopyDialog *self;
  g_autofree char *heading = NULL;
  g_autofree char *name = NULL;
  GtkExpression *expression;
  guint n;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (store), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (source), NULL);
  g_return_val_if_fail (repository != NULL && tag != NULL, NULL);
  g_return_val_if_fail (!target || WHARF_IS_REGISTRY (target), NULL);

  self = dialog_new (parent, MODE_COPY, source, repository, tag);

  gtk_window_set_title (GTK_WINDOW (self), _("Copy Image"));
  heading = g_strdup_printf (_("Copy %s:%s To…"), repository, tag);
  gtk_label_set_text (self->heading_label, heading);
  gtk_button_set_label (self->confirm_button, _("_Copy"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row),
                                 _("Repository and _Tag"));
  gtk_label_set_text (self->note_label,
                      _("Every platform of a multi-arch image is copied, so the copy keeps "
                        "the same digest. The copy shows in Transfers."));

  expression = gtk_property_expression_new (WHARF_TYPE_REGISTRY, NULL, "display-name");
  adw_combo_row_set_expression (self->registry_row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (self->registry_row, G_LIST_MODEL (store));

  if (target == NULL)
    target = source;
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfRegistry) registry = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (registry == target)
        adw_combo_row_set_selected (self->registry_row, i);
    }
  g_signal_connect_object (self->registry_row, "notify::selected",
                           G_CALLBACK (registry_selected_cb), self, G_CONNECT_SWAPPED);

  name = g_strdup_printf ("%s:%s", repository, tag);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  validate (self);

  return self;
}

WharfCopyDialog *
wharf_copy_dialog_new_add_tag (GtkWindow     *parent,
                               WharfRegistry *source,
                               const char    *repository,
                               const char    *tag)
{
  WharfCopyDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (source), NULL);
  g_return_val_if_fail (repository != NULL && tag != NULL, NULL);

  self = dialog_new (parent, MODE_ADD_TAG, source, repository, tag);

  gtk_window_set_title (GTK_WINDOW (self), _("Add Tag"));
  heading = g_strdup_printf (_("Add a Tag to %s:%s"), repository, tag);
  gtk_label_set_text (self->heading_label, heading);
  gtk_button_set_label (self->confirm_button, _("_Add Tag"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("New _Tag"));
  gtk_widget_set_visible (GTK_WIDGET (self->registry_row), FALSE);
  gtk_label_set_text (self->note_label,
                      _("The new tag points to the same image; nothing is uploaded. A tag "
                        "that exists already is moved to this image."));

  validate (self);

  return self;
}

WharfRegistry *
wharf_copy_dialog_get_target_registry (WharfCopyDialog *self)
{
  g_return_val_if_fail (WHARF_IS_COPY_DIALOG (self), NULL);

  return self->target;
}

const char *
wharf_copy_dialog_get_target_repository (WharfCopyDialog *self)
{
  g_return_val_if_fail (WHARF_IS_COPY_DIALOG (self), NULL);

  return self->target_repository;
}

const char *
wharf_copy_dialog_get_target_tag (WharfCopyDialog *self)
{
  g_return_val_if_fail (WHARF_IS_COPY_DIALOG (self), NULL);

  return self->target_tag;
}

const char *
wharf_copy_dialog_get_error (WharfCopyDialog *self)
{
  g_return_val_if_fail (WHARF_IS_COPY_DIALOG (self), NULL);

  return self->error;
}

/* Copies */

static WharfImageLocation *
registry_location (WharfRegistry *registry,
                   const char    *repository,
                   const char    *tag)
{
  WharfImageLocation *location = g_new0 (WharfImageLocation, 1);
  const char *domain = wharf_endpoint_get_domain (wharf_registry_get_endpoint (registry));

  location->transport = WHARF_TRANSPORT_DOCKER;
  location->reference = wharf_reference_new (domain, repository, tag, NULL);

  return location;
}

WharfTransferItem *
_wharf_start_registry_copy (WharfTransferManager *manager,
                            WharfRegistry        *source,
                            const char           *repository,
                            const char           *tag,
                            WharfRegistry        *target,
                            const char           *target_repository,
                            const char           *target_tag)
{
  g_autoptr(WharfImageLocation) from = NULL;
  g_autoptr(WharfImageLocation) to = NULL;
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (manager), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (source), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (target), NULL);

  from = registry_location (source, repository, tag);
  to = registry_location (target, target_repository, target_tag);

  transfer = wharf_transfer_new (from, to);
  wharf_transfer_set_source_client (transfer, wharf_registry_get_client (source));
  wharf_transfer_set_destination_client (transfer, wharf_registry_get_client (target));
  /* A multi-arch image stays whole: the same index, the same digest. */
  wharf_transfer_set_all_platforms (transfer, TRUE);

  if (g_strcmp0 (repository, target_repository) == 0 && g_strcmp0 (tag, target_tag) == 0)
    /* Translators: a copy in the transfers list: "web:v1 → Staging". */
    title = g_strdup_printf (_("%s:%s → %s"), repository, tag,
                             wharf_registry_get_display_name (target));
  else
    /* Translators: "web:v1 → Staging (web:v2)", when the name changes too. */
    title = g_strdup_printf (_("%s:%s → %s (%s:%s)"), repository, tag,
                             wharf_registry_get_display_name (target),
                             target_repository, target_tag);

  return wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_COPY,
                                       title, NULL);
}
