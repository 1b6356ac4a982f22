/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-push-dialog.c: what an image archive or OCI folder holds, and where to push it. */

#define G_LOG_DOMAIN "wharf-push-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wharf-push-dialog.h"

struct _WharfPushDialog
{
  AdwWindow             parent_instance;

  WharfRegistryStore   *store;
  WharfTransferManager *manager;
  GFile                *file;
  /* Cancelled in dispose: a file still being read reports to nobody. */
  GCancellable         *cancellable;

  WharfImageLocation   *location;
  GPtrArray            *images;
  guint                 selected_image;
  char                 *repository;
  char                 *error_message;
  char                 *target_error;
  /* The destination the field names, when it is valid. */
  WharfReference       *target;

  guint                 loading : 1;
  guint                 can_push : 1;
  /* The user typed a target: no longer ours to prefill. */
  guint                 target_edited : 1;
  guint                 setting_target : 1;

  AdwWindowTitle       *window_title;
  GtkButton            *push_button;
  GtkStack             *images_stack;
  GtkSpinner           *spinner;
  GtkLabel             *error_label;
  GtkListBox           *images_list;
  AdwComboRow          *registry_row;
  AdwEntryRow          *target_row;
  GtkLabel             *target_error_label;
  GtkLabel             *preview_label;
};

G_DEFINE_FINAL_TYPE (WharfPushDialog, wharf_push_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_CAN_PUSH,
  N_PROPS
};

enum {
  PUSH_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static WharfArchiveImage *
selected_image (WharfPushDialog *self)
{
  if (self->images == NULL || self->selected_image >= self->images->len)
    return NULL;

  return g_ptr_array_index (self->images, self->selected_image);
}

static void
update_can_push (WharfPushDialog *self)
{
  gboolean can_push;

  can_push = !self->loading
             && selected_image (self) != NULL
             && wharf_push_dialog_get_registry (self) != NULL
             && self->target != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->push_button), can_push);

  if (self->can_push == can_push)
    return;

  self->can_push = can_push;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_PUSH]);
}

static void
set_target_error (WharfPushDialog *self,
                  const char      *message)
{
  g_free (self->target_error);
  self->target_error = g_strdup (message);

  gtk_label_set_text (self->target_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->target_error_label), message != NULL);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->target_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->target_row), "error");
}

/* The field is read by the reference grammar, relative to the chosen
 * registry, at every keystroke: what Push would write is shown below it. */
static void
validate_target (WharfPushDialog *self)
{
  WharfRegistry *registry = wharf_push_dialog_get_registry (self);
  g_autofree char *text = NULL;
  g_autoptr(WharfReference) reference = NULL;
  g_autoptr(GError) error = NULL;
  const char *domain = NULL;

  g_clear_pointer (&self->target, wharf_reference_free);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_label), FALSE);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->target_row))));
  if (registry != NULL)
    domain = wharf_endpoint_get_domain (wharf_registry_get_endpoint (registry));

  if (registry == NULL)
    {
      set_target_error (self, _("Add a registry first: there is nowhere to push to."));
    }
  else if (text[0] == '\0')
    {
      /* Nothing typed is not a mistake yet. */
      set_target_error (self, NULL);
    }
  else if (!(reference = wharf_reference_parse_in_domain (text, domain, &error)))
    {
      set_target_error (self, error->message);
    }
  else if (reference->digest != NULL)
    {
      set_target_error (self, _("A push needs a tag, not a digest: remove the part from “@”."));
    }
  else
    {
      g_autofree char *full = NULL;
      g_autofree char *preview = NULL;

      /* Like `docker push`, a missing tag means latest. */
      if (reference->tag == NULL)
        reference->tag = g_strdup ("latest");

      full = wharf_reference_to_string (reference);
      /* Translators: %s is an image reference such as localhost:5000/alpine:3.19. */
      preview = g_strdup_printf (_("Pushes to %s"), full);
      set_target_error (self, NULL);
      gtk_label_set_text (self->preview_label, preview);
      gtk_widget_set_visible (GTK_WIDGET (self->preview_label), TRUE);
      self->target = g_steal_pointer (&reference);
    }

  update_can_push (self);
}

static void
set_target_text (WharfPushDialog *self,
                 const char      *text)
{
  self->setting_target = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->target_row), text);
  self->setting_target = FALSE;
  validate_target (self);
}

static void
target_changed_cb (WharfPushDialog *self,
                   GtkEditable     *editable)
{
  if (!self->setting_target)
    self->target_edited = TRUE;

  validate_target (self);
}

static void
registry_changed_cb (WharfPushDialog *self,
                     GParamSpec      *pspec,
                     AdwComboRow     *row)
{
  /* "foo/bar" may name a domain in one registry and a path in another. */
  validate_target (self);
}

/* A repository name from the file's: "Alpine Linux.tar" → "alpine-linux". */
static char *
repository_from_file_name (GFile *file)
{
  g_autofree char *base = g_file_get_basename (file);
  g_autoptr(GString) name = g_string_new (NULL);
  char *dot;

  if (base != NULL && (dot = strchr (base, '.')) != NULL && dot != base)
    *dot = '\0';

  for (const char *p = base; p != NULL && *p != '\0'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c))
        g_string_append_c (name, c);
      else if (name->len > 0 && name->str[name->len - 1] != '-')
        g_string_append_c (name, '-');
    }

  while (name->len > 0 && name->str[name->len - 1] == '-')
    g_string_truncate (name, name->len - 1);

  if (name->len == 0)
    return g_strdup ("image");

  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* "docker.io/library/alpine:3.19" → "alpine:3.19"; an OCI ref name "3.19"
 * is only a tag. The repository preselected by a drop wins over the
 * archive's, the file name is the last resort. */
static char *
suggest_target (WharfPushDialog   *self,
                WharfArchiveImage *image)
{
  g_autofree char *repository = NULL;
  const char *tag = "latest";
  g_autoptr(WharfReference) reference = NULL;
  const char *name = NULL;

  if (image != NULL && image->tags != NULL && image->tags[0] != NULL)
    name = image->tags[0];

  if (name != NULL)
    {
      if (strchr (name, ':') == NULL && strchr (name, '/') == NULL &&
          wharf_reference_validate_tag (name, NULL))
        tag = name;
      else if ((reference = wharf_reference_parse (name, NULL)) != NULL)
        {
          const char *path = reference->path;

          if (g_str_equal (reference->domain, WHARF_DOCKER_HUB_DOMAIN) &&
              g_str_has_prefix (path, "library/"))
            path += strlen ("library/");
          repository = g_strdup (path);
          if (reference->tag != NULL)
            tag = reference->tag;
        }
    }

  if (self->repository != NULL)
    {
      g_free (repository);
      repository = g_strdup (self->repository);
    }
  if (repository == NULL)
    repository = repository_from_file_name (self->file);

  return g_strdup_printf ("%s:%s", repository, tag);
}

static void
prefill_target (WharfPushDialog *self)
{
  g_autofree char *target = NULL;

  if (self->target_edited)
    return;

  target = suggest_target (self, selected_image (self));
  set_target_text (self, target);
}

static void
set_loading (WharfPushDialog *self,
             gboolean         loading)
{
  loading = !!loading;
  gtk_spinner_set_spinning (self->spinner, loading);

  if (self->loading == loading)
    return;

  self->loading = loading;
  update_can_push (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
show_error (WharfPushDialog *self,
            const char      *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_text (self->error_label, message);
  gtk_stack_set_visible_child_name (self->images_stack, "error");
  set_loading (self, FALSE);
}

static char *
describe_image (WharfArchiveImage *image)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) platforms = g_string_new (NULL);

  for (guint i = 0; image->platforms != NULL && i < image->platforms->len; i++)
    {
      WharfPlatform *platform = g_ptr_array_index (image->platforms, i);
      g_autofree char *text = wharf_platform_to_short_string (platform);

      if (platforms->len > 0)
        g_string_append (platforms, " · ");
      g_string_append (platforms, text);
    }

  if (platforms->len > 0)
    g_ptr_array_add (parts, g_string_free (g_steal_pointer (&platforms), FALSE));
  if (image->size >= 0)
    g_ptr_array_add (parts, g_format_size (image->size));
  g_ptr_array_add (parts, NULL);

  /* Translators: what separates platforms from size: "amd64 · arm64/v8 — 3.4 MB". */
  return g_strjoinv (_(" — "), (char **) parts->pdata);
}

static void
image_toggled_cb (GtkCheckButton  *check,
                  WharfPushDialog *self)
{
  if (!gtk_check_button_get_active (check))
    return;

  self->selected_image = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check),
                                                             "wharf-image-index"));
  prefill_target (self);
  update_can_push (self);
}

static void
show_images (WharfPushDialog *self)
{
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < self->images->len; i++)
    {
      WharfArchiveImage *image = g_ptr_array_index (self->images, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = describe_image (image);
      GtkWidget *row = adw_action_row_new ();

      if (image->tags != NULL && image->tags[0] != NULL)
        title = g_strjoinv (", ", image->tags);
      else
        title = g_strdup (_("Untagged image"));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      /* A choice only when there is one to make. */
      if (self->images->len > 1)
        {
          GtkWidget *check = gtk_check_button_new ();

          gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
          gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), i == self->selected_image);
          gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                          -1);
          g_object_set_data (G_OBJECT (check), "wharf-image-index", GUINT_TO_POINTER (i));
          g_signal_connect_object (check, "toggled", G_CALLBACK (image_toggled_cb), self, 0);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
          if (group == NULL)
            group = GTK_CHECK_BUTTON (check);
        }

      gtk_list_box_append (self->images_list, row);
    }

  gtk_stack_set_visible_child_name (self->images_stack, "images");
}

static void
list_images_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WharfPushDialog) self = user_data;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  images = wharf_image_location_list_images_finish (result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (images == NULL)
    {
      show_error (self, error->message);
      return;
    }

  self->images = g_steal_pointer (&images);
  self->selected_image = 0;
  show_images (self);
  set_loading (self, FALSE);
  prefill_target (self);
}

static void
location_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WharfPushDialog) self = user_data;
  g_autoptr(WharfImageLocation) location = NULL;
  g_autoptr(GError) error = NULL;

  location = wharf_image_location_new_for_file_finish (result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (location == NULL)
    {
      show_error (self, error->message);
      return;
    }

  self->location = g_steal_pointer (&location);
  wharf_image_location_list_images_async (self->location, self->cancellable,
                                          list_images_cb, g_object_ref (self));
}

static void
push_clicked_cb (WharfPushDialog *self,
                 GtkButton       *button)
{
  WharfArchiveImage *image = selected_image (self);
  WharfRegistry *registry = wharf_push_dialog_get_registry (self);
  g_autoptr(WharfImageLocation) source = NULL;
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *familiar = NULL;
  g_autofree char *title = NULL;
  WharfImageLocation destination = { 0 };
  WharfTransferItem *item;

  if (!self->can_push || image == NULL || registry == NULL || self->target == NULL)
    return;

  source = wharf_image_location_copy (self->location);
  g_free (source->ref);
  source->ref = g_strdup (image->ref);

  destination.transport = WHARF_TRANSPORT_DOCKER;
  destination.reference = self->target;

  transfer = wharf_transfer_new (source, &destination);
  wharf_transfer_set_destination_client (transfer, wharf_registry_get_client (registry));

  /* The repository as the registry lists it: "alpine:3.19", not docker.io/library/… */
  familiar = g_strdup_printf ("%s:%s", self->target->path, self->target->tag);
  /* Translators: "alpine:3.19 → Local registry": what goes where. */
  title = g_strdup_printf (_("%s → %s"), familiar, wharf_registry_get_display_name (registry));

  item = wharf_transfer_manager_start (self->manager, transfer,
                                       WHARF_TRANSFER_DIRECTION_UPLOAD, title, NULL);
  g_object_set_data_full (G_OBJECT (item), WHARF_TRANSFER_ITEM_DESTINATION_KEY,
                          wharf_reference_copy (self->target),
                          (GDestroyNotify) wharf_reference_free);

  g_signal_emit (self, signals[PUSH_STARTED], 0, item);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
wharf_push_dialog_dispose (GObject *object)
{
  WharfPushDialog *self = WHARF_PUSH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_PUSH_DIALOG);

  G_OBJECT_CLASS (wharf_push_dialog_parent_class)->dispose (object);
}

static void
wharf_push_dialog_finalize (GObject *object)
{
  WharfPushDialog *self = WHARF_PUSH_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->manager);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->location, wharf_image_location_free);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_pointer (&self->target, wharf_reference_free);

  G_OBJECT_CLASS (wharf_push_dialog_parent_class)->finalize (object);
}

static void
wharf_push_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WharfPushDialog *self = WHARF_PUSH_DIALOG (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_CAN_PUSH:
      g_value_set_boolean (value, self->can_push);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_push_dialog_class_init (WharfPushDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_push_dialog_dispose;
  object_class->finalize = wharf_push_dialog_finalize;
  object_class->get_property = wharf_push_dialog_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAN_PUSH] =
    g_param_spec_boolean ("can-push", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PUSH_STARTED] =
    g_signal_new ("push-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_TRANSFER_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-push-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, push_button);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, images_stack);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, images_list);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, registry_row);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, target_row);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, target_error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfPushDialog, preview_label);
  gtk_widget_class_bind_template_callback (widget_class, push_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, target_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wharf_push_dialog_init (WharfPushDialog *self)
{
  g_autoptr(GtkExpression) expression = NULL;
  GtkEditable *text;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* AdwEntryRow names its text by its title only from libadwaita 1.3. */
  text = gtk_editable_get_delegate (GTK_EDITABLE (self->target_row));
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Repository and Tag"),
                                    -1);
  adw_entry_row_set_activates_default (self->target_row, TRUE);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->push_button));

  expression = gtk_property_expression_new (WHARF_TYPE_REGISTRY, NULL, "display-name");
  adw_combo_row_set_expression (self->registry_row, expression);
}

WharfPushDialog *
wharf_push_dialog_new (GtkWindow            *parent,
                       WharfRegistryStore   *store,
                       WharfTransferManager *manager,
                       GFile                *file)
{
  WharfPushDialog *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WHARF_IS_REGISTRY_STORE (store), NULL);
  g_return_val_if_fail (WHARF_IS_TRANSFER_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (WHARF_TYPE_PUSH_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->manager = g_object_ref (manager);
  self->file = g_object_ref (file);

  name = g_file_get_basename (file);
  adw_window_title_set_subtitle (self->window_title, name);

  adw_combo_row_set_model (self->registry_row, G_LIST_MODEL (store));
  g_signal_connect_object (self->registry_row, "notify::selected",
                           G_CALLBACK (registry_changed_cb), self, G_CONNECT_SWAPPED);

  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->images_stack, "loading");
  wharf_image_location_new_for_file_async (file, self->cancellable,
                                           location_cb, g_object_ref (self));

  prefill_target (self);

  return self;
}

void
wharf_push_dialog_set_registry (WharfPushDialog *self,
                                WharfRegistry   *registry)
{
  guint n;

  g_return_if_fail (WHARF_IS_PUSH_DIALOG (self));
  g_return_if_fail (!registry || WHARF_IS_REGISTRY (registry));

  if (registry == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WharfRegistry) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (item == registry)
        {
          adw_combo_row_set_selected (self->registry_row, i);
          break;
        }
    }
}

WharfRegistry *
wharf_push_dialog_get_registry (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return adw_combo_row_get_selected_item (self->registry_row);
}

void
wharf_push_dialog_set_repository (WharfPushDialog *self,
                                  const char      *repository)
{
  g_return_if_fail (WHARF_IS_PUSH_DIALOG (self));

  if (g_strcmp0 (self->repository, repository) == 0)
    return;

  g_free (self->repository);
  self->repository = g_strdup (repository);

  prefill_target (self);
}

GFile *
wharf_push_dialog_get_file (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return self->file;
}

gboolean
wharf_push_dialog_get_loading (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), FALSE);

  return self->loading;
}

gboolean
wharf_push_dialog_get_can_push (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), FALSE);

  return self->can_push;
}

GPtrArray *
wharf_push_dialog_get_images (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return self->images;
}

const char *
wharf_push_dialog_get_error (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return self->error_message;
}

const char *
wharf_push_dialog_get_target (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->target_row));
}

void
wharf_push_dialog_set_target (WharfPushDialog *self,
                              const char      *target)
{
  g_return_if_fail (WHARF_IS_PUSH_DIALOG (self));
  g_return_if_fail (target != NULL);

  /* As if typed: the archive's tags no longer overwrite it. */
  gtk_editable_set_text (GTK_EDITABLE (self->target_row), target);
}

const char *
wharf_push_dialog_get_target_error (WharfPushDialog *self)
{
  g_return_val_if_fail (WHARF_IS_PUSH_DIALOG (self), NULL);

  return self->target_error;
}
