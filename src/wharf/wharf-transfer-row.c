/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfer-row.c: one transfer in the transfers panel: progress, speed,
 * per-layer detail, and Cancel, Retry or Show in Files. */

#define G_LOG_DOMAIN "wharf-transfer-row"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf.h"
#include "wharf-transfer-row.h"

struct _WharfTransferRow
{
  GtkListBoxRow      parent_instance;

  WharfTransferItem *item;
  char              *status_text;

  GtkImage          *direction_image;
  GtkLabel          *title_label;
  GtkButton         *cancel_button;
  GtkButton         *retry_button;
  GtkButton         *show_button;
  GtkProgressBar    *progress_bar;
  GtkLabel          *status_label;
  GtkLabel          *error_label;
  GtkExpander       *details_expander;
  GtkListBox        *blob_list;
};

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WharfTransferRow, wharf_transfer_row, GTK_TYPE_LIST_BOX_ROW)

/* Show in Files */

typedef struct
{
  GWeakRef  parent;
  GFile    *file;
} ShowRequest;

static void
show_request_free (ShowRequest *request)
{
  g_weak_ref_clear (&request->parent);
  g_clear_object (&request->file);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShowRequest, show_request_free)

/* Without a file manager on the bus (a minimal desktop), the folder is
 * opened with whatever handles folders. */
static void
show_request_open_folder (ShowRequest *request)
{
  g_autoptr(GtkWidget) parent = g_weak_ref_get (&request->parent);
  g_autoptr(GFile) folder = g_file_get_parent (request->file);
  g_autofree char *uri = g_file_get_uri (folder != NULL ? folder : request->file);
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
show_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ShowRequest) request = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_debug ("The file manager could not show the file: %s", error->message);
      show_request_open_folder (request);
    }
}

static void
show_bus_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ShowRequest) request = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  const char *uris[2] = { NULL, NULL };

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_debug ("No session bus: %s", error->message);
      show_request_open_folder (request);
      return;
    }

  uri = g_file_get_uri (request->file);
  uris[0] = uri;
  g_dbus_connection_call (bus,
                          "org.freedesktop.FileManager1",
                          "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1",
                          "ShowItems",
                          g_variant_new ("(^ass)", uris, ""),
                          NULL,
                          G_DBUS_CALL_FLAGS_NONE,
                          -1,
                          NULL,
                          show_items_cb,
                          g_steal_pointer (&request));
}

void
wharf_show_file_in_folder (GtkWidget *parent,
                           GFile     *file)
{
  ShowRequest *request;

  g_return_if_fail (!parent || GTK_IS_WIDGET (parent));
  g_return_if_fail (G_IS_FILE (file));

  request = g_new0 (ShowRequest, 1);
  g_weak_ref_init (&request->parent, parent);
  request->file = g_object_ref (file);

  g_bus_get (G_BUS_TYPE_SESSION, NULL, show_bus_cb, request);
}

/* Words */

static char *
format_eta (gint64 seconds)
{
  guint n;

  if (seconds < 60)
    {
      n = MAX (1, (guint) seconds);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second left",
                                           "%u seconds left", n), n);
    }

  if (seconds < 3600)
    {
      n = (guint) ((seconds + 59) / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute left",
                                           "%u minutes left", n), n);
    }

  n = (guint) ((seconds + 3599) / 3600);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour left", "%u hours left", n), n);
}

static char *
format_status (WharfTransferItem *item)
{
  gint64 done = wharf_transfer_item_get_bytes_done (item);
  gint64 total = wharf_transfer_item_get_bytes_total (item);
  double speed = wharf_transfer_item_get_speed (item);
  gint64 eta = wharf_transfer_item_get_eta (item);
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (MAX (total, done));
  g_autoptr(GString) text = NULL;

  switch (wharf_transfer_item_get_state (item))
    {
    case WHARF_TRANSFER_STATE_READY:
      return g_strdup (_("Starting…"));

    case WHARF_TRANSFER_STATE_DONE:
      /* Translators: %s is a size, "40.1 MB" */
      return g_strdup_printf (_("Done · %s"), total_text);

    case WHARF_TRANSFER_STATE_FAILED:
      return g_strdup (_("Failed"));

    case WHARF_TRANSFER_STATE_CANCELLED:
      return g_strdup (_("Cancelled"));

    case WHARF_TRANSFER_STATE_RUNNING:
    default:
      break;
    }

  text = g_string_new (NULL);
  if (total > 0)
    /* Translators: "12.0 MB of 40.1 MB" */
    g_string_append_printf (text, _("%s of %s"), done_text, total_text);
  else
    g_string_append (text, done_text);

  if (speed >= 1)
    {
      g_autofree char *speed_text = g_format_size ((guint64) speed);

      /* Translators: a speed, "3.2 MB/s" */
      g_string_append (text, " · ");
      g_string_append_printf (text, _("%s/s"), speed_text);
    }

  if (eta >= 0)
    {
      g_autofree char *eta_text = format_eta (eta);

      g_string_append (text, " · ");
      g_string_append (text, eta_text);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
blob_state_word (WharfBlobState state)
{
  switch (state)
    {
    case WHARF_BLOB_STATE_WAITING:
      return _("Waiting");
    case WHARF_BLOB_STATE_CHECKING:
      return _("Checking");
    case WHARF_BLOB_STATE_SKIPPED:
      return _("Already there");
    case WHARF_BLOB_STATE_MOUNTED:
      return _("Mounted");
    case WHARF_BLOB_STATE_TRANSFERRING:
      return _("Transferring");
    case WHARF_BLOB_STATE_VERIFYING:
      return _("Verifying");
    case WHARF_BLOB_STATE_DONE:
      return _("Done");
    case WHARF_BLOB_STATE_FAILED:
      return _("Failed");
    default:
      return "";
    }
}

/* Per-layer rows */

static void
blob_row_update (GtkWidget         *row,
                 GParamSpec        *pspec,
                 WharfBlobProgress *progress)
{
  GtkLabel *digest_label = g_object_get_data (G_OBJECT (row), "digest-label");
  GtkLabel *state_label = g_object_get_data (G_OBJECT (row), "state-label");
  GtkLabel *bytes_label = g_object_get_data (G_OBJECT (row), "bytes-label");
  const char *digest = wharf_blob_progress_get_digest (progress);
  gint64 done = wharf_blob_progress_get_done (progress);
  gint64 total = wharf_blob_progress_get_total (progress);
  g_autofree char *short_digest = digest != NULL ? wharf_digest_shorten (digest) : NULL;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *bytes = NULL;

  if (total >= 0)
    {
      g_autofree char *total_text = g_format_size (total);

      bytes = g_strdup_printf (_("%s of %s"), done_text, total_text);
    }
  else
    bytes = g_strdup (done_text);

  gtk_label_set_label (digest_label, short_digest != NULL ? short_digest : "");
  gtk_label_set_label (state_label, blob_state_word (wharf_blob_progress_get_state (progress)));
  gtk_label_set_label (bytes_label, bytes);
}

static GtkLabel *
blob_row_add_label (GtkBox     *box,
                    const char *style)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_box_append (box, label);

  return GTK_LABEL (label);
}

static GtkWidget *
create_blob_row_cb (gpointer item,
                    gpointer user_data)
{
  WharfBlobProgress *progress = WHARF_BLOB_PROGRESS (item);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkLabel *digest_label;
  GtkLabel *kind_label;
  GtkLabel *state_label;
  GtkLabel *bytes_label;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 9);
  gtk_widget_set_margin_end (box, 9);

  digest_label = blob_row_add_label (GTK_BOX (box), "monospace");
  kind_label = blob_row_add_label (GTK_BOX (box), "dim-label");
  state_label = blob_row_add_label (GTK_BOX (box), NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (state_label), TRUE);
  bytes_label = blob_row_add_label (GTK_BOX (box), "numeric");
  gtk_label_set_xalign (bytes_label, 1);

  gtk_label_set_label (kind_label, wharf_blob_progress_get_kind (progress));

  g_object_set_data (G_OBJECT (row), "digest-label", digest_label);
  g_object_set_data (G_OBJECT (row), "state-label", state_label);
  g_object_set_data (G_OBJECT (row), "bytes-label", bytes_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  blob_row_update (row, NULL, progress);
  g_signal_connect_object (progress, "notify", G_CALLBACK (blob_row_update), row,
                           G_CONNECT_SWAPPED);

  return row;
}

/* The row */

static void
wharf_transfer_row_update (WharfTransferRow *self)
{
  WharfTransferItem *item = self->item;
  WharfTransferState state = wharf_transfer_item_get_state (item);
  gint64 done = wharf_transfer_item_get_bytes_done (item);
  gint64 total = wharf_transfer_item_get_bytes_total (item);
  const char *error_message = wharf_transfer_item_get_error_message (item);
  gboolean running = state == WHARF_TRANSFER_STATE_READY || state == WHARF_TRANSFER_STATE_RUNNING;
  gboolean ended_badly = state == WHARF_TRANSFER_STATE_FAILED ||
                         state == WHARF_TRANSFER_STATE_CANCELLED;
  gboolean can_show = state == WHARF_TRANSFER_STATE_DONE &&
                      wharf_transfer_item_get_destination_file (item) != NULL;
  double fraction;

  g_free (self->status_text);
  self->status_text = format_status (item);
  gtk_label_set_label (self->status_label, self->status_text);

  if (state == WHARF_TRANSFER_STATE_DONE)
    fraction = 1;
  else
    fraction = total > 0 ? CLAMP ((double) done / total, 0, 1) : 0;
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);

  gtk_label_set_label (self->error_label, error_message != NULL ? error_message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          state == WHARF_TRANSFER_STATE_FAILED && error_message != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), ended_badly);
  gtk_widget_set_visible (GTK_WIDGET (self->show_button), can_show);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "transfer.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "transfer.retry", ended_badly);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "transfer.show-in-files", can_show);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->status_text,
                                  -1);
}

static void
wharf_transfer_row_bind_blobs (WharfTransferRow *self)
{
  WharfTransfer *transfer = wharf_transfer_item_get_transfer (self->item);

  gtk_list_box_bind_model (self->blob_list, wharf_transfer_get_blobs (transfer),
                           create_blob_row_cb, self, NULL);
}

static void
wharf_transfer_row_item_notify_cb (WharfTransferRow *self,
                                   GParamSpec       *pspec,
                                   WharfTransferItem *item)
{
  if (g_strcmp0 (pspec->name, "transfer") == 0)
    wharf_transfer_row_bind_blobs (self);
  else
    wharf_transfer_row_update (self);
}

static void
wharf_transfer_row_set_item (WharfTransferRow  *self,
                             WharfTransferItem *item)
{
  const char *icon_name;
  const char *direction_text;

  g_assert (self->item == NULL);

  self->item = g_object_ref (item);

  switch (wharf_transfer_item_get_direction (item))
    {
    case WHARF_TRANSFER_DIRECTION_UPLOAD:
      icon_name = "go-up-symbolic";
      direction_text = _("Upload");
      break;
    case WHARF_TRANSFER_DIRECTION_DOWNLOAD:
      icon_name = "go-down-symbolic";
      direction_text = _("Download");
      break;
    case WHARF_TRANSFER_DIRECTION_COPY:
    default:
      icon_name = "send-to-symbolic";
      direction_text = _("Copy");
      break;
    }

  gtk_image_set_from_icon_name (self->direction_image, icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->direction_image), direction_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->direction_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, direction_text,
                                  -1);
  gtk_label_set_label (self->title_label, wharf_transfer_item_get_title (item));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label),
                               wharf_transfer_item_get_title (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  wharf_transfer_item_get_title (item),
                                  -1);

  g_signal_connect_object (item, "notify", G_CALLBACK (wharf_transfer_row_item_notify_cb),
                           self, G_CONNECT_SWAPPED);

  wharf_transfer_row_bind_blobs (self);
  wharf_transfer_row_update (self);
}

static void
wharf_transfer_row_cancel_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (widget);

  wharf_transfer_item_cancel (self->item);
}

static void
wharf_transfer_row_retry_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (widget);

  wharf_transfer_item_retry (self->item);
}

static void
wharf_transfer_row_show_in_files_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (widget);
  GFile *file = wharf_transfer_item_get_destination_file (self->item);

  if (file != NULL)
    wharf_show_file_in_folder (widget, file);
}

static void
wharf_transfer_row_dispose (GObject *object)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_TRANSFER_ROW);

  G_OBJECT_CLASS (wharf_transfer_row_parent_class)->dispose (object);
}

static void
wharf_transfer_row_finalize (GObject *object)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (object);

  g_clear_object (&self->item);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (wharf_transfer_row_parent_class)->finalize (object);
}

static void
wharf_transfer_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfer_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  WharfTransferRow *self = WHARF_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      wharf_transfer_row_set_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfer_row_class_init (WharfTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_transfer_row_dispose;
  object_class->finalize = wharf_transfer_row_finalize;
  object_class->get_property = wharf_transfer_row_get_property;
  object_class->set_property = wharf_transfer_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, WHARF_TYPE_TRANSFER_ITEM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-transfer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, direction_image);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, show_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, details_expander);
  gtk_widget_class_bind_template_child (widget_class, WharfTransferRow, blob_list);

  gtk_widget_class_install_action (widget_class, "transfer.cancel", NULL,
                                   wharf_transfer_row_cancel_action);
  gtk_widget_class_install_action (widget_class, "transfer.retry", NULL,
                                   wharf_transfer_row_retry_action);
  gtk_widget_class_install_action (widget_class, "transfer.show-in-files", NULL,
                                   wharf_transfer_row_show_in_files_action);
}

static void
wharf_transfer_row_init (WharfTransferRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wharf_transfer_row_new (WharfTransferItem *item)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ITEM (item), NULL);

  return g_object_new (WHARF_TYPE_TRANSFER_ROW, "item", item, NULL);
}

WharfTransferItem *
wharf_transfer_row_get_item (WharfTransferRow *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ROW (self), NULL);
  return self->item;
}

const char *
wharf_transfer_row_get_status_text (WharfTransferRow *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFER_ROW (self), NULL);
  return self->status_text;
}
