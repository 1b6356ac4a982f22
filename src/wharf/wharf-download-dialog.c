/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-download-dialog.c: download a tag to a file: format, platform, then where to save it. */

#define G_LOG_DOMAIN "wharf-download-dialog"

#include "config.h"


#include <glib/gi18n.h>

#include "wharf-download-dialog.h"

struct _WharfDownloadDialog
{
  AdwWindow             parent_instance;

  WharfTransferManager *manager;
  WharfRegistry        *registry;
  char                 *repository;
  char                 *tag;
  /* Cancelled in dispose: the manifest answers to nobody once closed. */
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;

  /* Of an index: WharfPlatform*, and the same as text, in the index's order. */
  GPtrArray            *platforms;
  GStrv                 platform_names;
  GtkStringList        *platform_model;
  char                 *error_message;
  WharfTransport        format;
  guint                 loading : 1;

  AdwWindowTitle       *window_title;
  GtkButton            *download_button;
  GtkCheckButton       *docker_archive_check;
  GtkCheckButton       *oci_archive_check;
  GtkCheckButton       *oci_folder_check;
  GtkStack             *platform_stack;
  GtkSpinner           *spinner;
  AdwComboRow          *platform_row;
  GtkLabel             *error_label;
};

G_DEFINE_FINAL_TYPE (WharfDownloadDialog, wharf_download_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_FORMAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
format_keeps_index (WharfTransport format)
{
  /* A docker-archive holds one image per name; the OCI layout keeps an index. */
  return format == WHARF_TRANSPORT_OCI || format == WHARF_TRANSPORT_OCI_ARCHIVE;
}

static void
update_sensitivity (WharfDownloadDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->download_button),
                            !self->loading && self->error_message == NULL
                            && self->chooser == NULL);
}

static void
set_loading (WharfDownloadDialog *self,
             gboolean             loading)
{
  loading = !!loading;
  gtk_spinner_set_spinning (self->spinner, loading);

  if (self->loading == loading)
    return;

  self->loading = loading;
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* "All Platforms" is offered last, and only where an index can be kept. */
static void
update_platform_model (WharfDownloadDialog *self)
{
  guint n_platforms = self->platforms != NULL ? self->platforms->len : 0;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->platform_model));
  gboolean offer_all = format_keeps_index (self->format);

  if (n_platforms == 0)
    return;

  if (offer_all && n_items == n_platforms)
    {
      gtk_string_list_append (self->platform_model, _("All Platforms"));
    }
  else if (!offer_all && n_items > n_platforms)
    {
      /* Removing the selected "All Platforms" would select nothing. */
      if (adw_combo_row_get_selected (self->platform_row) >= n_platforms)
        adw_combo_row_set_selected (self->platform_row, 0);
      gtk_string_list_remove (self->platform_model, n_platforms);
    }
}

static void
set_format (WharfDownloadDialog *self,
            WharfTransport       format)
{
  if (self->format == format)
    return;

  self->format = format;
  update_platform_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMAT]);
}

static void
format_toggled_cb (WharfDownloadDialog *self,
                   GtkCheckButton      *check)
{
  if (!gtk_check_button_get_active (check))
    return;

  if (check == self->oci_archive_check)
    set_format (self, WHARF_TRANSPORT_OCI_ARCHIVE);
  else if (check == self->oci_folder_check)
    set_format (self, WHARF_TRANSPORT_OCI);
  else
    set_format (self, WHARF_TRANSPORT_DOCKER_ARCHIVE);
}

static void
show_error (WharfDownloadDialog *self,
            const char          *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_text (self->error_label, message);
  gtk_stack_set_visible_child_name (self->platform_stack, "error");
  set_loading (self, FALSE);
}

static void
show_platforms (WharfDownloadDialog *self,
                WharfManifest       *manifest)
{
  g_autoptr(WharfPlatform) host = wharf_platform_new_host ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  GPtrArray *entries = wharf_manifest_get_platform_entries (manifest);
  guint preselect = 0;
  gboolean found = FALSE;

  self->platforms = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_platform_free);

  for (guint i = 0; i < entries->len; i++)
    {
      WharfDescriptor *entry = g_ptr_array_index (entries, i);
      g_autofree char *name = NULL;

      if (entry->platform == NULL)
        continue;

      name = wharf_platform_to_string (entry->platform);
      if (!found && wharf_platform_matches (entry->platform, host))
        {
          preselect = self->platforms->len;
          found = TRUE;
        }

      g_ptr_array_add (self->platforms, wharf_platform_copy (entry->platform));
      g_strv_builder_add (names, name);
    }

  self->platform_names = g_strv_builder_end (names);

  if (self->platforms->len == 0)
    {
      g_clear_pointer (&self->platforms, g_ptr_array_unref);
      gtk_stack_set_visible_child_name (self->platform_stack, "single");
      return;
    }

  gtk_string_list_splice (self->platform_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->platform_model)),
                          (const char * const *) self->platform_names);
  update_platform_model (self);
  adw_combo_row_set_selected (self->platform_row, preselect);
  gtk_stack_set_visible_child_name (self->platform_stack, "platforms");
}

static void
get_manifest_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WharfDownloadDialog) self = user_data;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  raw = wharf_client_get_manifest_finish (WHARF_CLIENT (object), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (raw != NULL)
    manifest = wharf_manifest_parse (raw->bytes, raw->media_type, &error);

  if (manifest == NULL)
    {
      show_error (self, error->message);
      return;
    }

  if (manifest->kind == WHARF_MANIFEST_KIND_INDEX)
    show_platforms (self, manifest);
  else
    gtk_stack_set_visible_child_name (self->platform_stack, "single");

  set_loading (self, FALSE);
}

static char *
suggest_name (WharfDownloadDialog *self)
{
  const char *slash = strrchr (self->repository, '/');
  const char *base = slash != NULL ? slash + 1 : self->repository;

  if (self->format == WHARF_TRANSPORT_OCI)
    return g_strdup_printf ("%s-%s", base, self->tag);

  return g_strdup_printf ("%s-%s.tar", base, self->tag);
}

static void
chooser_response_cb (WharfDownloadDialog  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GtkFileChooserNative) owned = g_steal_pointer (&self->chooser);
  g_autoptr(GFile) file = NULL;

  update_sensitivity (self);

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    wharf_download_dialog_save_to (self, file);
}

static void
download_clicked_cb (WharfDownloadDialog *self,
                     GtkButton           *button)
{
  g_autofree char *name = suggest_name (self);
  const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (self->chooser != NULL || self->loading || self->error_message != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save Image"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);

  /* Only a hint: the chooser starts in the last folder used otherwise. */
  if (downloads != NULL && g_file_test (downloads, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (downloads);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  update_sensitivity (self);
}

static void
wharf_download_dialog_dispose (GObject *object)
{
  WharfDownloadDialog *self = WHARF_DOWNLOAD_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_DOWNLOAD_DIALOG);

  G_OBJECT_CLASS (wharf_download_dialog_parent_class)->dispose (object);
}

static void
wharf_download_dialog_finalize (GObject *object)
{
  WharfDownloadDialog *self = WHARF_DOWNLOAD_DIALOG (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->registry);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->platform_model);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->tag, g_free);
  g_clear_pointer (&self->platforms, g_ptr_array_unref);
  g_clear_pointer (&self->platform_names, g_strfreev);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (wharf_download_dialog_parent_class)->finalize (object);
}

static void
wharf_download_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WharfDownloadDialog *self = WHARF_DOWNLOAD_DIALOG (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_FORMAT:
      g_value_set_int (value, self->format);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_download_dialog_class_init (WharfDownloadDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_download_dialog_dispose;
  object_class->finalize = wharf_download_dialog_finalize;
  object_class->get_property = wharf_download_dialog_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* An int: WharfTransport has no GType. */
  properties[PROP_FORMAT] =
    g_param_spec_int ("format", NULL, NULL,
                      WHARF_TRANSPORT_DOCKER, WHARF_TRANSPORT_DOCKER_ARCHIVE,
                      WHARF_TRANSPORT_DOCKER_ARCHIVE,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-download-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, download_button);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, docker_archive_check);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, oci_archive_check);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, oci_folder_check);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, platform_stack);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, platform_row);
  gtk_widget_class_bind_template_child (widget_class, WharfDownloadDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, format_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wharf_download_dialog_init (WharfDownloadDialog *self)
{
  self->format = WHARF_TRANSPORT_DOCKER_ARCHIVE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->platform_model = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->platform_row, G_LIST_MODEL (self->platform_model));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->download_button));
}

WharfDownloadDialog *
wharf_download_dialog_new (GtkWindow            *parent,
                           WharfTransferManager *manager,
                           WharfRegistry        *registry,
                           const char           *repository,
                           const char           *tag)
{
  WharfDownloadDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (manager), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (repository != NULL, NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  self = g_object_new (WHARF_TYPE_DOWNLOAD_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->manager = g_object_ref (manager);
  self->registry = g_object_ref (registry);
  self->repository = g_strdup (repository);
  self->tag = g_strdup (tag);

  title = g_strdup_printf ("%s:%s", repository, tag);
  adw_window_title_set_subtitle (self->window_title, title);

  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->platform_stack, "loading");
  wharf_client_get_manifest_async (wharf_registry_get_client (registry), repository, tag,
                                   self->cancellable, get_manifest_cb, g_object_ref (self));

  return self;
}

gboolean
wharf_download_dialog_get_loading (WharfDownloadDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), FALSE);

  return self->loading;
}

WharfTransport
wharf_download_dialog_get_format (WharfDownloadDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), WHARF_TRANSPORT_DOCKER_ARCHIVE);

  return self->format;
}

void
wharf_download_dialog_set_format (WharfDownloadDialog *self,
                                  WharfTransport       format)
{
  g_return_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self));
  g_return_if_fail (format != WHARF_TRANSPORT_DOCKER);

  /* Through the radio buttons, so what shows is what is chosen. */
  switch (format)
    {
    case WHARF_TRANSPORT_OCI:
      gtk_check_button_set_active (self->oci_folder_check, TRUE);
      break;

    case WHARF_TRANSPORT_OCI_ARCHIVE:
      gtk_check_button_set_active (self->oci_archive_check, TRUE);
      break;

    case WHARF_TRANSPORT_DOCKER_ARCHIVE:
    case WHARF_TRANSPORT_DOCKER:
    default:
      gtk_check_button_set_active (self->docker_archive_check, TRUE);
      break;
    }
}

const char * const *
wharf_download_dialog_get_platforms (WharfDownloadDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), NULL);

  if (self->platforms == NULL)
    return NULL;

  return (const char * const *) self->platform_names;
}

char *
wharf_download_dialog_dup_platform (WharfDownloadDialog *self)
{
  guint selected;

  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), NULL);

  if (self->platforms == NULL)
    return NULL;

  selected = adw_combo_row_get_selected (self->platform_row);
  if (selected >= self->platforms->len)
    return NULL;

  return g_strdup (self->platform_names[selected]);
}

gboolean
wharf_download_dialog_set_platform (WharfDownloadDialog *self,
                                    const char          *platform)
{
  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), FALSE);

  if (self->platforms == NULL)
    return FALSE;

  if (platform == NULL)
    {
      if (!format_keeps_index (self->format))
        return FALSE;

      adw_combo_row_set_selected (self->platform_row, self->platforms->len);
      return TRUE;
    }

  for (guint i = 0; self->platform_names[i] != NULL; i++)
    {
      if (g_str_equal (self->platform_names[i], platform))
        {
          adw_combo_row_set_selected (self->platform_row, i);
          return TRUE;
        }
    }

  return FALSE;
}

const char *
wharf_download_dialog_get_error (WharfDownloadDialog *self)
{
  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), NULL);

  return self->error_message;
}

WharfTransferItem *
wharf_download_dialog_save_to (WharfDownloadDialog *self,
                               GFile               *file)
{
  g_autoptr(WharfReference) reference = NULL;
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *ref = NULL;
  WharfImageLocation source = { 0 };
  WharfImageLocation destination = { 0 };
  WharfTransferItem *item;
  const char *domain;

  g_return_val_if_fail (WHARF_IS_DOWNLOAD_DIALOG (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (self->loading || self->error_message != NULL)
    return NULL;

  /* Portals hand out native paths too: the engine writes plain files. */
  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_error (self, _("Wharf can only save to a local folder. Choose another place."));
      return NULL;
    }

  domain = wharf_endpoint_get_domain (wharf_registry_get_endpoint (self->registry));
  reference = wharf_reference_new (domain, self->repository, self->tag, NULL);
  source.transport = WHARF_TRANSPORT_DOCKER;
  source.reference = reference;

  /* `docker load` names the image after RepoTags; OCI keeps the tag as its ref name. */
  if (self->format == WHARF_TRANSPORT_DOCKER_ARCHIVE)
    ref = wharf_reference_to_string (reference);
  else
    ref = g_strdup (self->tag);

  destination.transport = self->format;
  destination.path = path;
  destination.ref = ref;

  transfer = wharf_transfer_new (&source, &destination);
  wharf_transfer_set_source_client (transfer, wharf_registry_get_client (self->registry));

  if (self->platforms != NULL)
    {
      guint selected = adw_combo_row_get_selected (self->platform_row);

      if (selected < self->platforms->len)
        wharf_transfer_set_platform (transfer, g_ptr_array_index (self->platforms, selected));
      else
        wharf_transfer_set_all_platforms (transfer, TRUE);
    }

  name = g_file_get_basename (file);
  /* Translators: "alpine:3.19 → alpine-3.19.tar": what goes where. */
  title = g_strdup_printf (_("%s:%s → %s"), self->repository, self->tag, name);

  item = wharf_transfer_manager_start (self->manager, transfer,
                                       WHARF_TRANSFER_DIRECTION_DOWNLOAD, title, file);

  gtk_window_destroy (GTK_WINDOW (self));

  return item;
}
