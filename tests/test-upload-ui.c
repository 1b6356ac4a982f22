/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-upload-ui.c: the push dialog and dropping image archives on the window, against
 * real registries and archives that skopeo wrote. */

#define G_LOG_DOMAIN "test-upload-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include <glib/gstdio.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-copy-dialog.h"
#include "wharf-push-dialog.h"
#include "wharf-registry-row.h"
#include "wharf-transfer-manager.h"
#include "wharf-window.h"

#include "wharf-test-ui.h"

#define SKOPEO    "/usr/bin/skopeo"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 120

static WharfApplication *app;

/* Waiting */

/* Widgets */

/* Files and registries */

/* What `docker save` would write, made by skopeo from the registry. */
static char *
make_docker_archive (WharfTestRegistry *reg,
                     const char        *dir,
                     const char        *image,
                     const char        *name)
{
  g_autofree char *path = g_build_filename (dir, "image.tar", NULL);
  g_autofree char *source = g_strdup_printf ("docker://%s/%s",
                                             wharf_test_registry_get_address (reg), image);
  g_autofree char *destination = g_strdup_printf ("docker-archive:%s:%s", path, name);
  const char *argv[] = { SKOPEO, "--insecure-policy", "copy", "--quiet",
                         "--src-tls-verify=false", source, destination, NULL };
  g_autofree char *out = wharf_test_ui_run_ok (argv);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&path);
}

/* Transfers */

static void
push_started_cb (WharfPushDialog    *dialog,
                 WharfTransferItem  *item,
                 WharfTransferItem **out)
{
  g_set_object (out, item);
}

static gboolean
dialog_has_loaded (gpointer data)
{
  return !wharf_push_dialog_get_loading (WHARF_PUSH_DIALOG (data));
}

/* The push dialog alone */

static WharfPushDialog *
open_dialog (WharfTestUiFixture *f,
             const char         *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  WharfPushDialog *dialog = wharf_push_dialog_new (NULL, f->store, f->manager, file);

  wharf_push_dialog_set_registry (dialog, f->registry);
  gtk_window_present (GTK_WINDOW (dialog));
  wharf_test_ui_wait_for_paint (GTK_WINDOW (dialog));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));

  return dialog;
}

static void
test_push_dialog_prefills_and_pushes (void)
{
  WharfTestUiFixture f = { 0 };
  g_autofree char *archive = NULL;
  g_autofree char *original = NULL;
  g_autofree char *pushed = NULL;
  g_autoptr(WharfTransferItem) item = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GError) error = NULL;
  WharfArchiveImage *image;
  WharfPushDialog *dialog;
  GWeakRef dialog_ref;
  GPtrArray *images;

  wharf_test_ui_fixture_set_up (&f, "wharf-upload-ui-XXXXXX");
  g_free (wharf_test_registry_push_image (f.reg, "src/alpine", "3.19", 2, 4096,
                                          "linux/arm64/v8", FALSE));
  archive = make_docker_archive (f.reg, f.tmp, "src/alpine:3.19", "docker.io/library/alpine:3.19");

  dialog = open_dialog (&f, archive);

  /* What the archive holds, as skopeo wrote it. */
  g_assert_null (wharf_push_dialog_get_error (dialog));
  images = wharf_push_dialog_get_images (dialog);
  g_assert_nonnull (images);
  g_assert_cmpuint (images->len, ==, 1);
  image = g_ptr_array_index (images, 0);
  g_assert_nonnull (image->tags);
  g_assert_true (g_strv_contains ((const char * const *) image->tags,
                                  "docker.io/library/alpine:3.19") ||
                 g_strv_contains ((const char * const *) image->tags, "alpine:3.19"));
  g_assert_cmpuint (image->platforms->len, ==, 1);
  g_assert_cmpstr (((WharfPlatform *) g_ptr_array_index (image->platforms, 0))->architecture,
                   ==, "arm64");
  g_assert_cmpint (image->size, >, 2 * 4096);

  /* Shown: the tags and the platform, and the size. */
  {
    g_autofree char *size = g_format_size (image->size);
    g_autofree char *subtitle = g_strdup_printf ("arm64/v8 — %s", size);
    g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (dialog, ADW_TYPE_ACTION_ROW);
    gboolean shown = FALSE;

    for (guint i = 0; i < rows->len; i++)
      if (g_strcmp0 (adw_action_row_get_subtitle (g_ptr_array_index (rows, i)), subtitle) == 0)
        shown = TRUE;
    g_assert_true (shown);
  }

  /* docker.io/library/alpine:3.19 becomes what one types for a registry. */
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "alpine:3.19");
  g_assert_null (wharf_push_dialog_get_target_error (dialog));
  g_assert_true (wharf_push_dialog_get_registry (dialog) == f.registry);
  g_assert_true (wharf_push_dialog_get_can_push (dialog));
  {
    g_autofree char *preview = g_strdup_printf ("Pushes to %s/alpine:3.19",
                                                wharf_test_registry_get_address (f.reg));

    g_assert_nonnull (wharf_test_ui_find_visible_label (dialog, preview));
  }

  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "wharf-push-dialog.png");

  /* Push starts the transfer and closes. */
  g_signal_connect (dialog, "push-started", G_CALLBACK (push_started_cb), &item);
  g_weak_ref_init (&dialog_ref, dialog);
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Push"));
  wharf_test_ui_drain ();
  g_assert_null (g_weak_ref_get (&dialog_ref));
  g_weak_ref_clear (&dialog_ref);

  g_assert_nonnull (item);
  g_assert_cmpint (wharf_transfer_item_get_direction (item), ==, WHARF_TRANSFER_DIRECTION_UPLOAD);
  g_assert_true (g_list_model_get_n_items (G_LIST_MODEL (f.manager)) == 1);
  wharf_test_ui_assert_item_done (item);

  /* The registry has it, the same image as the one skopeo saved. */
  client = wharf_test_ui_client_for (f.reg);
  tags = wharf_client_list_tags_sync (client, "alpine", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) tags, "3.19"));
  original = wharf_test_ui_config_digest (f.reg, "src/alpine", "3.19");
  pushed = wharf_test_ui_config_digest (f.reg, "alpine", "3.19");
  g_assert_cmpstr (pushed, ==, original);

  wharf_test_ui_fixture_tear_down (&f);
}

static void
type_target (WharfPushDialog *dialog,
             const char      *text)
{
  GtkEditable *row = wharf_test_ui_get_row (dialog, ADW_TYPE_ENTRY_ROW, "Repository and Tag");

  /* Through the field, as typing does: the check runs on "changed". */
  gtk_editable_set_text (row, text);
  wharf_test_ui_drain ();
}

static void
assert_target_refused (WharfPushDialog *dialog,
                       const char      *text)
{
  GtkWidget *row = wharf_test_ui_get_row (dialog, ADW_TYPE_ENTRY_ROW, "Repository and Tag");
  const char *error;

  type_target (dialog, text);
  error = wharf_push_dialog_get_target_error (dialog);
  if (error == NULL)
    g_error ("“%s” was accepted", text);

  /* Said inline, next to the field, and Push cannot be pressed. */
  g_assert_nonnull (wharf_test_ui_find_visible_label (dialog, error));
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_false (wharf_push_dialog_get_can_push (dialog));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                 "_Push"))));
}

static void
test_push_dialog_validates_as_you_type (void)
{
  WharfTestUiFixture f = { 0 };
  g_autofree char *archive = NULL;
  g_autofree char *expected = NULL;
  WharfPushDialog *dialog;
  GtkWidget *row;

  wharf_test_ui_fixture_set_up (&f, "wharf-upload-ui-XXXXXX");
  g_free (wharf_test_registry_push_image (f.reg, "base", "v1", 1, 1024, "linux/amd64", TRUE));
  archive = make_docker_archive (f.reg, f.tmp, "base:v1", "example.com/team/base:v1");

  dialog = open_dialog (&f, archive);
  row = wharf_test_ui_get_row (dialog, ADW_TYPE_ENTRY_ROW, "Repository and Tag");

  /* Another registry's name gives the repository path, not the domain. */
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "team/base:v1");
  g_assert_true (wharf_push_dialog_get_can_push (dialog));

  assert_target_refused (dialog, "Team/Base:v1");
  assert_target_refused (dialog, "team/base:bad tag");
  assert_target_refused (dialog, "team//base");
  assert_target_refused (dialog, "team/base@sha256:"
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  /* Fixed: the error goes, Push comes back, and the preview says where. */
  type_target (dialog, "team/base");
  g_assert_null (wharf_push_dialog_get_target_error (dialog));
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_true (wharf_push_dialog_get_can_push (dialog));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                "_Push"))));
  expected = g_strdup_printf ("Pushes to %s/team/base:latest",
                              wharf_test_registry_get_address (f.reg));
  g_assert_nonnull (wharf_test_ui_find_visible_label (dialog, expected));

  /* An empty field is no error yet, but nothing to push either. */
  type_target (dialog, "");
  g_assert_null (wharf_push_dialog_get_target_error (dialog));
  g_assert_false (wharf_push_dialog_get_can_push (dialog));

  wharf_test_ui_fixture_tear_down (&f);
}

static void
test_push_dialog_refuses_junk (void)
{
  WharfTestUiFixture f = { 0 };
  g_autofree char *junk = NULL;
  g_autoptr(GError) error = NULL;
  WharfPushDialog *dialog;
  const char *message;

  wharf_test_ui_fixture_set_up (&f, "wharf-upload-ui-XXXXXX");
  junk = g_build_filename (f.tmp, "notes.tar", NULL);
  g_file_set_contents (junk, "These are not the layers you are looking for.\n", -1, &error);
  g_assert_no_error (error);

  dialog = open_dialog (&f, junk);

  /* One sentence, shown; nothing to push. */
  message = wharf_push_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_cmpuint (strlen (message), >, 20);
  g_assert_nonnull (wharf_test_ui_find_visible_label (dialog, message));
  g_assert_null (wharf_push_dialog_get_images (dialog));
  g_assert_false (wharf_push_dialog_get_can_push (dialog));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                 "_Push"))));

  wharf_test_ui_fixture_tear_down (&f);
}

/* The window: drops, the Upload button, dragging tags out */

static GtkEventController *
find_controller (gpointer widget,
                 GType    type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (widget));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_type_is_a (G_OBJECT_TYPE (controller), type))
        return controller;
    }

  g_error ("%s has no %s", G_OBJECT_TYPE_NAME (widget), g_type_name (type));
  return NULL;
}

/* The centre of @widget, in @window's coordinates. */
static void
centre_of (gpointer  widget,
           gpointer  window,
           double   *x,
           double   *y)
{
  double width = gtk_widget_get_width (GTK_WIDGET (widget));
  double height = gtk_widget_get_height (GTK_WIDGET (widget));

  g_assert_true (gtk_widget_translate_coordinates (GTK_WIDGET (widget), GTK_WIDGET (window),
                                                   width / 2, height / 2, x, y));
}

/* What a drop of @value at x, y does: the window's real drop target handles it. */
static gboolean
drop_on_window (WharfWindow  *window,
                const GValue *value,
                double        x,
                double        y)
{
  GtkEventController *target = find_controller (window, GTK_TYPE_DROP_TARGET);
  gboolean accepted = FALSE;

  g_signal_emit_by_name (target, "drop", value, x, y, &accepted);
  return accepted;
}

static gboolean
drop_files (WharfWindow *window,
            const char  *path,
            gpointer     onto)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GSList files = { file, NULL };
  double x;
  double y;

  centre_of (onto, window, &x, &y);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (&files));

  return drop_on_window (window, &value, x, y);
}

typedef struct
{
  WharfTagModel *model;
  const char    *tag;
} TagWait;

static gboolean
lists_tag (gpointer data)
{
  TagWait *wait = data;

  return wharf_tag_model_find (wait->model, wait->tag, NULL) != NULL;
}

static void
open_repository (WharfWindow *window,
                 const char  *address,
                 const char  *repository,
                 const char  *tag)
{
  TagWait wait = { wharf_tag_list_get_model (wharf_window_get_tag_list (window)), tag };
  g_autoptr(GError) error = NULL;

  g_assert_true (wharf_window_select_registry (window, address, &error));
  g_assert_no_error (error);
  wharf_repository_list_select_repository (wharf_window_get_repository_list (window), repository);
  g_assert_true (wharf_test_ui_wait_for (lists_tag, &wait));
  wharf_test_ui_wait_for_paint (GTK_WINDOW (window));
}

static WharfRegistryRow *
registry_row (WharfWindow   *window,
              WharfRegistry *registry)
{
  g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (wharf_window_get_sidebar (window),
                                        WHARF_TYPE_REGISTRY_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (wharf_registry_row_get_registry (g_ptr_array_index (rows, i)) == registry)
      return g_ptr_array_index (rows, i);

  g_error ("No sidebar row for %s", wharf_registry_get_address (registry));
  return NULL;
}

static void
test_drop_on_repository_pushes (void)
{
  g_autoptr(GSettings) settings = wharf_test_ui_fresh_settings ();
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *tmp = g_dir_make_tmp ("wharf-upload-ui-XXXXXX", NULL);
  g_autofree char *archive = NULL;
  g_autofree char *original = NULL;
  g_autofree char *pushed = NULL;
  const char *address = wharf_test_registry_get_address (reg);
  WharfRegistryStore *store = wharf_application_get_registry_store (app);
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);
  g_autoptr(WharfTransferItem) item = NULL;
  WharfPushDialog *dialog;
  WharfWindow *window;
  GtkWidget *elsewhere;
  TagWait wait;

  g_free (wharf_test_registry_push_image (reg, "src/alpine", "3.19", 2, 4096,
                                          "linux/amd64", FALSE));
  archive = make_docker_archive (reg, tmp, "src/alpine:3.19", "docker.io/library/alpine:3.19");
  wharf_test_ui_store_set (store, (const char * const []) { address, NULL });

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, address, "src/alpine", "3.19");

  /* Dropped on the open repository: that repository, the archive's tag. */
  g_assert_true (drop_files (window, archive, wharf_window_get_tag_list (window)));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_PUSH_DIALOG);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (wharf_push_dialog_get_registry (dialog) == wharf_window_get_registry (window));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "src/alpine:3.19");

  gtk_editable_set_text (wharf_test_ui_get_row (dialog, ADW_TYPE_ENTRY_ROW, "Repository and Tag"),
                         "src/alpine:dropped");
  g_signal_connect (dialog, "push-started", G_CALLBACK (push_started_cb), &item);
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Push"));
  g_assert_nonnull (item);
  g_assert_true (g_list_model_get_n_items (G_LIST_MODEL (manager)) >= 1);

  /* Another window has the focus, so the window's own mirroring (which
   * runs only while it is focused) cannot be what brings the tag. */
  elsewhere = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (elsewhere));
  wharf_test_ui_wait_for_paint (GTK_WINDOW (elsewhere));
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));
  wharf_test_ui_assert_item_done (item);

  /* The tag shows up in the open repository by itself. */
  wait.model = wharf_tag_list_get_model (wharf_window_get_tag_list (window));
  wait.tag = "dropped";
  g_assert_true (wharf_test_ui_wait_for (lists_tag, &wait));
  original = wharf_test_ui_config_digest (reg, "src/alpine", "3.19");
  pushed = wharf_test_ui_config_digest (reg, "src/alpine", "dropped");
  g_assert_cmpstr (pushed, ==, original);

  wharf_test_ui_destroy_all_toplevels ();
  wharf_test_ui_remove_tree (tmp);
}

static void
test_drop_on_sidebar_and_drag_tag (void)
{
  g_autoptr(GSettings) settings = wharf_test_ui_fresh_settings ();
  g_autoptr(WharfTestRegistry) first = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) second = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *tmp = g_dir_make_tmp ("wharf-upload-ui-XXXXXX", NULL);
  g_autofree char *archive = NULL;
  g_autofree char *expected = NULL;
  WharfRegistryStore *store = wharf_application_get_registry_store (app);
  WharfRegistry *first_registry;
  WharfRegistry *second_registry;
  WharfPushDialog *dialog;
  WharfWindow *window;
  GtkColumnView *view;
  GtkEventController *source;
  GdkContentProvider *content = NULL;
  GtkWidget *cell = NULL;
  double x;
  double y;

  g_free (wharf_test_registry_push_image (first, "team/app", "v1", 1, 2048, "linux/amd64", TRUE));
  archive = make_docker_archive (first, tmp, "team/app:v1", "team/app:v1");
  wharf_test_ui_store_set (store, (const char * const []) {
    wharf_test_registry_get_address (first), wharf_test_registry_get_address (second), NULL });
  first_registry = wharf_registry_store_find (store, wharf_test_registry_get_address (first));
  second_registry = wharf_registry_store_find (store, wharf_test_registry_get_address (second));

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, wharf_test_registry_get_address (first), "team/app", "v1");
  g_assert_true (wharf_window_get_registry (window) == first_registry);

  /* A file dropped on the other registry's row is aimed at that registry. */
  g_assert_true (drop_files (window, archive, registry_row (window, second_registry)));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_PUSH_DIALOG);
  g_assert_true (wharf_push_dialog_get_registry (dialog) == second_registry);
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "team/app:v1");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wharf_test_ui_drain ();

  /* Dragging a row of the tag list offers its pull reference as text. */
  view = wharf_tag_list_get_column_view (wharf_window_get_tag_list (window));
  {
    g_autoptr(GPtrArray) widgets = wharf_test_ui_find_all (view, GTK_TYPE_WIDGET);

    for (guint i = 0; i < widgets->len && cell == NULL; i++)
      if (g_object_get_data (g_ptr_array_index (widgets, i), "wharf-tag-item") != NULL)
        cell = g_ptr_array_index (widgets, i);
  }
  g_assert_nonnull (cell);
  centre_of (cell, view, &x, &y);
  source = find_controller (view, GTK_TYPE_DRAG_SOURCE);
  g_signal_emit_by_name (source, "prepare", x, y, &content);
  g_assert_nonnull (content);
  {
    g_auto(GValue) value = G_VALUE_INIT;
    g_autoptr(GError) error = NULL;

    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (content, &value, &error));
    g_assert_no_error (error);
    expected = g_strdup_printf ("%s/team/app:v1", wharf_test_registry_get_address (first));
    g_assert_cmpstr (g_value_get_string (&value), ==, expected);

    /* Dropped on its own registry it goes nowhere; on the other, a copy. */
    centre_of (registry_row (window, first_registry), window, &x, &y);
    g_assert_false (drop_on_window (window, &value, x, y));
    wharf_test_ui_drain ();
    g_assert_null (wharf_test_ui_find_toplevel (WHARF_TYPE_COPY_DIALOG));

    centre_of (registry_row (window, second_registry), window, &x, &y);
    g_assert_true (drop_on_window (window, &value, x, y));
  }
  g_clear_object (&content);

  {
    WharfCopyDialog *copy = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_COPY_DIALOG);

    g_assert_true (wharf_copy_dialog_get_target_registry (copy) == second_registry);
    g_assert_cmpstr (wharf_copy_dialog_get_target_repository (copy), ==, "team/app");
    g_assert_cmpstr (wharf_copy_dialog_get_target_tag (copy), ==, "v1");
  }

  wharf_test_ui_destroy_all_toplevels ();
  wharf_test_ui_remove_tree (tmp);
}

static gboolean
chooser_has_file (gpointer data)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (data));

  return file != NULL;
}

static void
test_upload_button (void)
{
  g_autoptr(GSettings) settings = wharf_test_ui_fresh_settings ();
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *tmp = g_dir_make_tmp ("wharf-upload-ui-XXXXXX", NULL);
  g_autofree char *archive = NULL;
  g_autoptr(GFile) file = NULL;
  const char *address = wharf_test_registry_get_address (reg);
  WharfPushDialog *dialog;
  GtkFileChooser *chooser;
  WharfWindow *window;

  g_free (wharf_test_registry_push_image (reg, "button", "v2", 1, 1024, "linux/amd64", FALSE));
  archive = make_docker_archive (reg, tmp, "button:v2", "button:v2");
  wharf_test_ui_store_set (wharf_application_get_registry_store (app),
             (const char * const []) { address, NULL });

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, address, "button", "v2");

  /* The button in the tags header opens a file chooser for archives. */
  {
    g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (window, ADW_TYPE_SPLIT_BUTTON);
    AdwSplitButton *upload = NULL;

    for (guint i = 0; i < buttons->len; i++)
      {
        GtkActionable *button = g_ptr_array_index (buttons, i);

        if (g_strcmp0 (gtk_actionable_get_action_name (button), "win.upload") == 0)
          upload = ADW_SPLIT_BUTTON (button);
      }
    g_assert_nonnull (upload);
    g_assert_true (gtk_widget_is_visible (GTK_WIDGET (upload)));
    g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (upload)));
    /* Its main part is a plain button that activates the action. */
    {
      g_autoptr(GPtrArray) parts = wharf_test_ui_find_all (upload, GTK_TYPE_BUTTON);

      g_assert_cmpuint (parts->len, >, 0);
      wharf_test_ui_click (g_ptr_array_index (parts, 0));
    }
  }
  chooser = wharf_test_ui_wait_for_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==, GTK_FILE_CHOOSER_ACTION_OPEN);

  /* The chooser selects a file once it has listed its folder. */
  file = g_file_new_for_path (archive);
  g_assert_true (gtk_file_chooser_set_file (chooser, file, NULL));
  g_assert_true (wharf_test_ui_wait_for (chooser_has_file, chooser));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);

  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_PUSH_DIALOG);
  g_assert_true (g_file_equal (wharf_push_dialog_get_file (dialog), file));
  g_assert_true (wharf_push_dialog_get_registry (dialog) == wharf_window_get_registry (window));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "button:v2");

  wharf_test_ui_destroy_all_toplevels ();
  wharf_test_ui_remove_tree (tmp);
}

/* `wharf ADDRESS FILE.tar`, through the application's command line. */

typedef struct
{
  WharfTestRegistry *reg;
  const char        *archive;
} CommandLineTest;

static gboolean
command_line_checks_cb (gpointer data)
{
  CommandLineTest *test = data;
  g_autofree char *archive = NULL;
  WharfPushDialog *dialog;
  GtkWindow *window;

  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_PUSH_DIALOG);
  window = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  g_assert_true (WHARF_IS_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  archive = g_file_get_path (wharf_push_dialog_get_file (dialog));
  g_assert_cmpstr (archive, ==, test->archive);

  /* Aimed at the registry the same command line opened. */
  g_assert_nonnull (wharf_push_dialog_get_registry (dialog));
  g_assert_true (wharf_push_dialog_get_registry (dialog) ==
                 wharf_window_get_registry (WHARF_WINDOW (window)));
  g_assert_cmpstr (wharf_registry_get_address (wharf_push_dialog_get_registry (dialog)),
                   ==, wharf_test_registry_get_address (test->reg));

  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_null (wharf_push_dialog_get_error (dialog));
  g_assert_cmpstr (wharf_push_dialog_get_target (dialog), ==, "cli/app:2.0");
  g_assert_true (wharf_push_dialog_get_can_push (dialog));

  /* The last window gone, g_application_run() returns. */
  wharf_test_ui_destroy_all_toplevels ();

  return G_SOURCE_REMOVE;
}

static void
test_command_line_opens_push_dialog (void)
{
  g_autoptr(GSettings) settings = wharf_test_ui_fresh_settings ();
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *tmp = g_dir_make_tmp ("wharf-upload-ui-XXXXXX", NULL);
  g_autofree char *archive = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  CommandLineTest test;
  char *argv[4];
  int status;

  g_free (wharf_test_registry_push_image (reg, "cli/app", "2.0", 1, 2048, "linux/amd64", TRUE));
  archive = make_docker_archive (reg, tmp, "cli/app:2.0", "cli/app:2.0");
  test.reg = reg;
  test.archive = archive;

  /* Relative to the caller's folder, as a shell passes it. */
  g_assert_cmpint (g_chdir (tmp), ==, 0);
  relative = g_path_get_basename (archive);
  argv[0] = (char *) "wharf";
  argv[1] = (char *) wharf_test_registry_get_address (reg);
  argv[2] = relative;
  argv[3] = NULL;

  g_idle_add (command_line_checks_cb, &test);
  status = g_application_run (G_APPLICATION (app), 3, argv);
  g_assert_cmpint (status, ==, EXIT_SUCCESS);
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  wharf_test_ui_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, TRUE))
    app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.UploadTest",
                                         G_APPLICATION_NON_UNIQUE |
                                         G_APPLICATION_HANDLES_COMMAND_LINE,
                                         FALSE);

  wharf_test_ui_add ("/upload/push-dialog/prefill-and-push", test_push_dialog_prefills_and_pushes);
  wharf_test_ui_add ("/upload/push-dialog/validate", test_push_dialog_validates_as_you_type);
  wharf_test_ui_add ("/upload/push-dialog/junk", test_push_dialog_refuses_junk);
  wharf_test_ui_add ("/upload/window/drop-on-repository", test_drop_on_repository_pushes);
  wharf_test_ui_add ("/upload/window/drop-on-sidebar-and-drag-tag",
                     test_drop_on_sidebar_and_drag_tag);
  wharf_test_ui_add ("/upload/window/upload-button", test_upload_button);
  /* Last: g_application_run() unregisters the application when it returns. */
  wharf_test_ui_add ("/upload/window/command-line", test_command_line_opens_push_dialog);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
