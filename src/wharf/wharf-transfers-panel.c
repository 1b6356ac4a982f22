/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-transfers-panel.c: the list of uploads, downloads and copies, shown
 * in a popover from the header bar, and the button that opens it with the
 * overall progress drawn in it. */

#define G_LOG_DOMAIN "wharf-transfers-panel"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wharf-application.h"
#include "wharf-transfer-row.h"
#include "wharf-transfers-panel.h"

/* The panel */

struct _WharfTransfersPanel
{
  GtkWidget             parent_instance;

  WharfTransferManager *manager;

  GtkStack             *stack;
  GtkListBox           *list_box;
  GtkButton            *clear_button;
};

enum {
  PANEL_PROP_0,
  PANEL_PROP_MANAGER,
  PANEL_N_PROPS
};

static GParamSpec *panel_properties[PANEL_N_PROPS];

G_DEFINE_FINAL_TYPE (WharfTransfersPanel, wharf_transfers_panel, GTK_TYPE_WIDGET)

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  return wharf_transfer_row_new (WHARF_TRANSFER_ITEM (item));
}

static void
wharf_transfers_panel_update (WharfTransfersPanel *self)
{
  guint n_items = 0;
  guint n_active = 0;

  if (self->manager != NULL)
    {
      n_items = g_list_model_get_n_items (G_LIST_MODEL (self->manager));
      n_active = wharf_transfer_manager_get_n_active (self->manager);
    }

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "transfers.clear-finished",
                                 n_items > n_active);
}

static void
wharf_transfers_panel_changed_cb (WharfTransfersPanel *self)
{
  wharf_transfers_panel_update (self);
}

static void
wharf_transfers_panel_clear_finished_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *parameter)
{
  WharfTransfersPanel *self = WHARF_TRANSFERS_PANEL (widget);

  if (self->manager != NULL)
    wharf_transfer_manager_clear_finished (self->manager);
}

static void
wharf_transfers_panel_dispose (GObject *object)
{
  WharfTransfersPanel *self = WHARF_TRANSFERS_PANEL (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_TRANSFERS_PANEL);
  /* The template's outer box is not bound, so it is not unparented above. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (wharf_transfers_panel_parent_class)->dispose (object);
}

static void
wharf_transfers_panel_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WharfTransfersPanel *self = WHARF_TRANSFERS_PANEL (object);

  switch (prop_id)
    {
    case PANEL_PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfers_panel_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  WharfTransfersPanel *self = WHARF_TRANSFERS_PANEL (object);

  switch (prop_id)
    {
    case PANEL_PROP_MANAGER:
      wharf_transfers_panel_set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfers_panel_class_init (WharfTransfersPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_transfers_panel_dispose;
  object_class->get_property = wharf_transfers_panel_get_property;
  object_class->set_property = wharf_transfers_panel_set_property;

  panel_properties[PANEL_PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, WHARF_TYPE_TRANSFER_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, PANEL_N_PROPS, panel_properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX
                                               "/wharf-transfers-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfTransfersPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, WharfTransfersPanel, list_box);
  gtk_widget_class_bind_template_child (widget_class, WharfTransfersPanel, clear_button);

  gtk_widget_class_install_action (widget_class, "transfers.clear-finished", NULL,
                                   wharf_transfers_panel_clear_finished_action);
}

static void
wharf_transfers_panel_init (WharfTransfersPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  wharf_transfers_panel_update (self);
}

GtkWidget *
wharf_transfers_panel_new (WharfTransferManager *manager)
{
  g_return_val_if_fail (!manager || WHARF_IS_TRANSFER_MANAGER (manager), NULL);

  return g_object_new (WHARF_TYPE_TRANSFERS_PANEL, "manager", manager, NULL);
}

WharfTransferManager *
wharf_transfers_panel_get_manager (WharfTransfersPanel *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFERS_PANEL (self), NULL);
  return self->manager;
}

void
wharf_transfers_panel_set_manager (WharfTransfersPanel  *self,
                                   WharfTransferManager *manager)
{
  g_return_if_fail (WHARF_IS_TRANSFERS_PANEL (self));
  g_return_if_fail (!manager || WHARF_IS_TRANSFER_MANAGER (manager));

  if (self->manager == manager)
    return;

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (manager), create_row_cb, self, NULL);

  if (manager != NULL)
    {
      g_signal_connect_object (manager, "items-changed",
                               G_CALLBACK (wharf_transfers_panel_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "notify::n-active",
                               G_CALLBACK (wharf_transfers_panel_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  wharf_transfers_panel_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), panel_properties[PANEL_PROP_MANAGER]);
}

/* The progress pie drawn in the button while transfers run. */

#define WHARF_TYPE_PROGRESS_PIE (wharf_progress_pie_get_type ())

G_DECLARE_FINAL_TYPE (WharfProgressPie, wharf_progress_pie, WHARF, PROGRESS_PIE, GtkWidget)

struct _WharfProgressPie
{
  GtkWidget parent_instance;

  double    fraction;
};

G_DEFINE_FINAL_TYPE (WharfProgressPie, wharf_progress_pie, GTK_TYPE_WIDGET)

#define PIE_SIZE 16

static void
wharf_progress_pie_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  *minimum = *natural = PIE_SIZE;
}

static void
wharf_progress_pie_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  WharfProgressPie *self = WHARF_PROGRESS_PIE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double radius = MIN (width, height) / 2.0;
  double cx = width / 2.0;
  double cy = height / 2.0;
  GdkRGBA color;
  cairo_t *cr;

  /* GTK 4.8 has no gtk_widget_get_color (4.10): the style context is the
   * way to draw in the theme's foreground color there. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  cairo_arc (cr, cx, cy, radius, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.25);
  cairo_fill (cr);

  if (self->fraction > 0)
    {
      cairo_move_to (cr, cx, cy);
      cairo_arc (cr, cx, cy, radius, -G_PI / 2, -G_PI / 2 + 2 * G_PI * self->fraction);
      cairo_close_path (cr);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);
    }

  cairo_destroy (cr);
}

static void
wharf_progress_pie_class_init (WharfProgressPieClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = wharf_progress_pie_measure;
  widget_class->snapshot = wharf_progress_pie_snapshot;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
}

static void
wharf_progress_pie_init (WharfProgressPie *self)
{
}

static void
wharf_progress_pie_set_fraction (WharfProgressPie *self,
                                 double            fraction)
{
  fraction = CLAMP (fraction, 0, 1);
  if (self->fraction == fraction)
    return;

  self->fraction = fraction;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 1.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, fraction,
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The button */

struct _WharfTransfersButton
{
  GtkWidget             parent_instance;

  WharfTransferManager *manager;

  GtkMenuButton        *menu_button;
  GtkStack             *indicator;
  WharfProgressPie     *pie;
  WharfTransfersPanel  *panel;

  guint                 popup_tick_id;
  GtkWindow            *window;          /* the root, while rooted */
  AdwMessageDialog     *close_dialog;
  gboolean              close_confirmed; /* transfers cancelled: let the window go */
};

enum {
  BUTTON_PROP_0,
  BUTTON_PROP_MANAGER,
  BUTTON_N_PROPS
};

static GParamSpec *button_properties[BUTTON_N_PROPS];

G_DEFINE_FINAL_TYPE (WharfTransfersButton, wharf_transfers_button, GTK_TYPE_WIDGET)

static void
wharf_transfers_button_update (WharfTransfersButton *self)
{
  guint n_items = 0;
  guint n_active = 0;
  double fraction = 0;
  g_autofree char *description = NULL;

  if (self->manager != NULL)
    {
      n_items = g_list_model_get_n_items (G_LIST_MODEL (self->manager));
      n_active = wharf_transfer_manager_get_n_active (self->manager);
      fraction = wharf_transfer_manager_get_fraction (self->manager);
    }

  gtk_widget_set_visible (GTK_WIDGET (self), n_items > 0);
  gtk_stack_set_visible_child_name (self->indicator, n_active > 0 ? "running" : "idle");
  wharf_progress_pie_set_fraction (self->pie, fraction);

  if (n_active > 0)
    /* Translators: "2 transfers running, 45 % done" */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u transfer running, %.0f %% done",
                                                "%u transfers running, %.0f %% done",
                                                n_active),
                                   n_active, floor (fraction * 100));
  else
    description = g_strdup (_("No transfer running"));

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
wharf_transfers_button_changed_cb (WharfTransfersButton *self)
{
  wharf_transfers_button_update (self);
}

static void
wharf_transfers_button_n_active_cb (WharfTransfersButton *self)
{
  wharf_transfers_button_update (self);

  /* "Cancel Transfers and Quit": the window goes once every transfer has
   * cleaned up (upload sessions deleted, temp files removed). */
  if (self->close_confirmed && self->window != NULL &&
      wharf_transfer_manager_get_n_active (self->manager) == 0)
    gtk_window_close (self->window);
}

static void
wharf_transfers_button_bind (WharfTransfersButton *self,
                             WharfTransferManager *manager)
{
  if (self->manager == manager)
    return;

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);

  if (manager != NULL)
    {
      g_signal_connect_object (manager, "items-changed",
                               G_CALLBACK (wharf_transfers_button_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "notify::fraction",
                               G_CALLBACK (wharf_transfers_button_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "notify::n-active",
                               G_CALLBACK (wharf_transfers_button_n_active_cb),
                               self, G_CONNECT_SWAPPED);
    }

  wharf_transfers_panel_set_manager (self->panel, manager);
  wharf_transfers_button_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), button_properties[BUTTON_PROP_MANAGER]);
}

/* Transfers keep running as long as the application does: only its last
 * window closing ends them. */
static gboolean
is_last_window (GtkWindow *window)
{
  GtkApplication *application = gtk_window_get_application (window);

  if (application == NULL)
    return TRUE;

  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    {
      GtkWindow *other = l->data;

      if (other != window && gtk_window_get_transient_for (other) == NULL)
        return FALSE;
    }

  return TRUE;
}

static void
wharf_transfers_button_close_response_cb (WharfTransfersButton *self,
                                          const char           *response,
                                          AdwMessageDialog     *dialog)
{
  self->close_dialog = NULL;

  if (g_strcmp0 (response, "quit") != 0 || self->window == NULL)
    return;

  self->close_confirmed = TRUE;
  wharf_transfer_manager_cancel_all (self->manager);

  if (wharf_transfer_manager_get_n_active (self->manager) == 0)
    gtk_window_close (self->window);
  else
    /* Gone from the screen at once; closed when the cancels have cleaned up. */
    gtk_widget_set_visible (GTK_WIDGET (self->window), FALSE);
}

static gboolean
wharf_transfers_button_close_request_cb (WharfTransfersButton *self,
                                         GtkWindow            *window)
{
  g_autofree char *body = NULL;
  guint n_active;

  if (self->close_confirmed || self->manager == NULL)
    return FALSE;

  n_active = wharf_transfer_manager_get_n_active (self->manager);
  if (n_active == 0 || !is_last_window (window))
    return FALSE;

  if (self->close_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return TRUE;
    }

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u transfer has not finished. Quitting cancels it "
                                       "and leaves nothing half-written behind.",
                                       "%u transfers have not finished. Quitting cancels them "
                                       "and leaves nothing half-written behind.",
                                       n_active),
                          n_active);

  self->close_dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, NULL, body));
  adw_message_dialog_set_heading (self->close_dialog, _("Transfers Are Still Running"));
  adw_message_dialog_add_responses (self->close_dialog,
                                    "keep", _("_Keep Running"),
                                    "quit", _("_Cancel Transfers and Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->close_dialog, "quit",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (self->close_dialog, "keep");
  adw_message_dialog_set_close_response (self->close_dialog, "keep");
  g_signal_connect_object (self->close_dialog, "response",
                           G_CALLBACK (wharf_transfers_button_close_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->close_dialog));

  return TRUE;
}

/* Without a manager of its own, the button shows the application's. */
static void
wharf_transfers_button_application_cb (WharfTransfersButton *self)
{
  GtkApplication *application;

  if (self->manager != NULL || self->window == NULL)
    return;

  application = gtk_window_get_application (self->window);
  if (WHARF_IS_APPLICATION (application))
    {
      WharfApplication *app = WHARF_APPLICATION (application);

      wharf_transfers_button_bind (self, wharf_application_get_transfer_manager (app));
    }
}

static void
wharf_transfers_button_root (GtkWidget *widget)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (wharf_transfers_button_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (!GTK_IS_WINDOW (root))
    return;

  self->window = GTK_WINDOW (root);
  g_signal_connect_object (self->window, "close-request",
                           G_CALLBACK (wharf_transfers_button_close_request_cb),
                           self, G_CONNECT_SWAPPED);
  /* A window from a template roots its children before GtkWindow is
   * given its application. */
  g_signal_connect_object (self->window, "notify::application",
                           G_CALLBACK (wharf_transfers_button_application_cb),
                           self, G_CONNECT_SWAPPED);
  wharf_transfers_button_application_cb (self);
}

static void
wharf_transfers_button_unroot (GtkWidget *widget)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (widget);

  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->window,
                                            wharf_transfers_button_close_request_cb, self);
      g_signal_handlers_disconnect_by_func (self->window,
                                            wharf_transfers_button_application_cb, self);
      self->window = NULL;
    }

  GTK_WIDGET_CLASS (wharf_transfers_button_parent_class)->unroot (widget);
}

static void
wharf_transfers_button_dispose (GObject *object)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (object);

  if (self->popup_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->popup_tick_id);
      self->popup_tick_id = 0;
    }
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_pointer ((GtkWidget **) &self->menu_button, gtk_widget_unparent);

  G_OBJECT_CLASS (wharf_transfers_button_parent_class)->dispose (object);
}

static void
wharf_transfers_button_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (object);

  switch (prop_id)
    {
    case BUTTON_PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfers_button_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (object);

  switch (prop_id)
    {
    case BUTTON_PROP_MANAGER:
      wharf_transfers_button_set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_transfers_button_class_init (WharfTransfersButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_transfers_button_dispose;
  object_class->get_property = wharf_transfers_button_get_property;
  object_class->set_property = wharf_transfers_button_set_property;

  widget_class->root = wharf_transfers_button_root;
  widget_class->unroot = wharf_transfers_button_unroot;

  button_properties[BUTTON_PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, WHARF_TYPE_TRANSFER_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, BUTTON_N_PROPS, button_properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
wharf_transfers_button_init (WharfTransfersButton *self)
{
  GtkWidget *popover;
  GtkWidget *idle;

  self->indicator = GTK_STACK (gtk_stack_new ());
  idle = gtk_image_new_from_icon_name ("network-transmit-receive-symbolic");
  gtk_stack_add_named (self->indicator, idle, "idle");
  self->pie = g_object_new (WHARF_TYPE_PROGRESS_PIE,
                            "halign", GTK_ALIGN_CENTER,
                            "valign", GTK_ALIGN_CENTER,
                            NULL);
  gtk_stack_add_named (self->indicator, GTK_WIDGET (self->pie), "running");

  self->panel = WHARF_TRANSFERS_PANEL (wharf_transfers_panel_new (NULL));
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->panel));

  self->menu_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_child (self->menu_button, GTK_WIDGET (self->indicator));
  gtk_menu_button_set_popover (self->menu_button, popover);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Transfers"),
                                  -1);
  gtk_widget_set_parent (GTK_WIDGET (self->menu_button), GTK_WIDGET (self));

  wharf_transfers_button_update (self);
}

GtkWidget *
wharf_transfers_button_new (WharfTransferManager *manager)
{
  g_return_val_if_fail (!manager || WHARF_IS_TRANSFER_MANAGER (manager), NULL);

  return g_object_new (WHARF_TYPE_TRANSFERS_BUTTON, "manager", manager, NULL);
}

WharfTransferManager *
wharf_transfers_button_get_manager (WharfTransfersButton *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFERS_BUTTON (self), NULL);
  return self->manager;
}

void
wharf_transfers_button_set_manager (WharfTransfersButton *self,
                                    WharfTransferManager *manager)
{
  g_return_if_fail (WHARF_IS_TRANSFERS_BUTTON (self));
  g_return_if_fail (!manager || WHARF_IS_TRANSFER_MANAGER (manager));

  wharf_transfers_button_bind (self, manager);
}

/* A popover needs its button on screen and laid out to be placed. */
static gboolean
wharf_transfers_button_popup_tick_cb (GtkWidget     *widget,
                                      GdkFrameClock *frame_clock,
                                      gpointer       user_data)
{
  WharfTransfersButton *self = WHARF_TRANSFERS_BUTTON (widget);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->menu_button)) ||
      gtk_widget_get_width (GTK_WIDGET (self->menu_button)) == 0)
    return G_SOURCE_CONTINUE;

  self->popup_tick_id = 0;
  wharf_transfers_button_popup (self);

  return G_SOURCE_REMOVE;
}

void
wharf_transfers_button_popup (WharfTransfersButton *self)
{
  g_return_if_fail (WHARF_IS_TRANSFERS_BUTTON (self));

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);

  if (gtk_widget_get_mapped (GTK_WIDGET (self->menu_button)) &&
      gtk_widget_get_width (GTK_WIDGET (self->menu_button)) > 0)
    {
      /* As a click would: GTK 4.8 criticals when a popover opens with
       * nothing focused in it or in its window (an empty panel). */
      gtk_widget_grab_focus (GTK_WIDGET (self->menu_button));
      gtk_menu_button_popup (self->menu_button);
    }
  else if (self->popup_tick_id == 0)
    self->popup_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                        wharf_transfers_button_popup_tick_cb,
                                                        NULL, NULL);
}

WharfTransfersPanel *
wharf_transfers_button_get_panel (WharfTransfersButton *self)
{
  g_return_val_if_fail (WHARF_IS_TRANSFERS_BUTTON (self), NULL);
  return self->panel;
}
