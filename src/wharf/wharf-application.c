/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-application.c: the application object: app actions, command line, windows. */

#define G_LOG_DOMAIN "wharf-application"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-application.h"
#include "wharf-transfer-manager.h"
#include "wharf-window.h"

struct _WharfApplication
{
  AdwApplication      parent_instance;

  WharfRegistryStore *registry_store;
  WharfTransferManager *transfer_manager;
  guint               n_notifications;
};

/* A transfer that ran longer than this may end while the user looks
 * elsewhere: the desktop tells them. */
#define NOTIFY_AFTER_SECONDS 10

G_DEFINE_FINAL_TYPE (WharfApplication, wharf_application, ADW_TYPE_APPLICATION)

static WharfWindow *
wharf_application_get_window (WharfApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (WHARF_IS_WINDOW (window))
    return WHARF_WINDOW (window);

  return wharf_window_new (GTK_APPLICATION (self));
}

static void
wharf_application_activate (GApplication *application)
{
  WharfApplication *self = WHARF_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (wharf_application_get_window (self)));
}

/* An argument naming a file or folder that exists is an image to upload.
 * A stat of a path the user typed, once at startup: not worth a thread. */
static GFile *
image_file_for_arg (GApplicationCommandLine *command_line,
                    const char              *arg)
{
  g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, arg);
  const char *path = g_file_peek_path (file);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  return g_steal_pointer (&file);
}

/* Each argument is a registry to show (`wharf localhost:5000`), or an
 * image archive or OCI folder to upload (`wharf alpine.tar`). */
static int
wharf_application_command_line (GApplication            *application,
                                GApplicationCommandLine *command_line)
{
  WharfApplication *self = WHARF_APPLICATION (application);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func (g_object_unref);
  WharfWindow *window;
  int status = EXIT_SUCCESS;
  int argc;

  argv = g_application_command_line_get_arguments (command_line, &argc);
  window = wharf_application_get_window (self);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(WharfEndpoint) endpoint = NULL;
      g_autoptr(GError) error = NULL;
      GFile *file = image_file_for_arg (command_line, argv[i]);

      if (file != NULL)
        {
          g_ptr_array_add (uploads, file);
          continue;
        }

      /* A registry opened by name is one the user wants: it stays in the list. */
      endpoint = wharf_endpoint_new (argv[i], &error);
      if (endpoint != NULL)
        wharf_registry_store_add (self->registry_store, endpoint, NULL);

      if (endpoint == NULL || !wharf_window_select_registry (window, argv[i], &error))
        {
          g_application_command_line_printerr (command_line, "%s\n", error->message);
          status = EXIT_FAILURE;
        }
    }

  gtk_window_present (GTK_WINDOW (window));

  /* Over the window, once it shows the registry asked for, if any. */
  for (guint i = 0; i < uploads->len; i++)
    wharf_window_upload_file (window, g_ptr_array_index (uploads, i));

  return status;
}

static void
wharf_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  WharfApplication *self = WHARF_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Closing rather than quitting lets each window save its size; the
   * application ends with its last window. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
wharf_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  static const char *developers[] = {
    "The Wharf developers https://github.com/wharfapp/wharf",
    NULL
  };
  WharfApplication *self = WHARF_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Wharf"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Wharf developers"),
                        "developers", developers,
                        "copyright", _("© 2026 The Wharf developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://github.com/wharfapp/wharf",
                        "issue-url", "https://github.com/wharfapp/wharf/issues",
                        /* Translators: your names and email addresses, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (about);
}

static const GActionEntry app_actions[] = {
  { "quit", wharf_application_quit_action },
  { "about", wharf_application_about_action },
};

static void
wharf_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  WharfApplication *self = WHARF_APPLICATION (application);

  G_APPLICATION_CLASS (wharf_application_parent_class)->startup (application);

  /* Loaded before any window asks for it. */
  wharf_application_get_registry_store (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
wharf_application_finalize (GObject *object)
{
  WharfApplication *self = WHARF_APPLICATION (object);

  g_clear_object (&self->registry_store);
  g_clear_object (&self->transfer_manager);

  G_OBJECT_CLASS (wharf_application_parent_class)->finalize (object);
}

static void
wharf_application_class_init (WharfApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = wharf_application_finalize;

  application_class->activate = wharf_application_activate;
  application_class->command_line = wharf_application_command_line;
  application_class->startup = wharf_application_startup;
}

static void
wharf_application_init (WharfApplication *self)
{
}

WharfApplication *
wharf_application_new (const char        *application_id,
                       GApplicationFlags  flags)
{
  g_return_val_if_fail (g_application_id_is_valid (application_id), NULL);

  /* The .Devel build loads the same resources, such as gtk/help-overlay.ui,
   * so the base path does not follow the application id. */
  return g_object_new (WHARF_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

static gboolean
have_gpu_device (void)
{
  g_autoptr(GDir) dri = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS))
    return TRUE;
  if (dri == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dri)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;

  return FALSE;
}

void
wharf_application_choose_renderer (void)
{
  if (g_getenv ("GSK_RENDERER") != NULL || have_gpu_device ())
    return;

  g_debug ("No GPU device: drawing with cairo rather than software GL");
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}

WharfRegistryStore *
wharf_application_get_registry_store (WharfApplication *self)
{
  g_return_val_if_fail (WHARF_IS_APPLICATION (self), NULL);

  if (self->registry_store == NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new (WHARF_SCHEMA_ID);

      self->registry_store = wharf_registry_store_new (settings);
    }

  return self->registry_store;
}

static void
wharf_application_transfer_finished_cb (WharfApplication     *self,
                                        WharfTransferItem    *item,
                                        WharfTransferManager *manager)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  const char *body;

  if (wharf_transfer_item_get_duration (item) <= NOTIFY_AFTER_SECONDS ||
      (window != NULL && gtk_window_is_active (window)) ||
      !g_application_get_is_registered (G_APPLICATION (self)))
    return;

  switch (wharf_transfer_item_get_state (item))
    {
    case WHARF_TRANSFER_STATE_DONE:
      notification = g_notification_new (_("Transfer Finished"));
      body = wharf_transfer_item_get_title (item);
      break;

    case WHARF_TRANSFER_STATE_FAILED:
      notification = g_notification_new (_("Transfer Failed"));
      body = wharf_transfer_item_get_error_message (item);
      break;

    case WHARF_TRANSFER_STATE_READY:
    case WHARF_TRANSFER_STATE_RUNNING:
    case WHARF_TRANSFER_STATE_CANCELLED:
    default:
      /* A cancel is the user's own doing: nothing to tell. */
      return;
    }

  g_notification_set_body (notification, body);
  id = g_strdup_printf ("transfer-%u", ++self->n_notifications);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

WharfTransferManager *
wharf_application_get_transfer_manager (WharfApplication *self)
{
  g_return_val_if_fail (WHARF_IS_APPLICATION (self), NULL);

  if (self->transfer_manager == NULL)
    {
      self->transfer_manager = wharf_transfer_manager_new ();
      g_signal_connect_object (self->transfer_manager, "finished",
                               G_CALLBACK (wharf_application_transfer_finished_cb),
                               self, G_CONNECT_SWAPPED);
    }

  return self->transfer_manager;
}
