/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-download-ui.c: the download dialog: a tag of a real registry saved as a docker-archive,
 * an OCI archive or an OCI folder, read back by skopeo and umoci. */

#define G_LOG_DOMAIN "test-download-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <sys/utsname.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-download-dialog.h"
#include "wharf-transfer-manager.h"
#include "wharf-window.h"

#include "wharf-test-ui.h"

#define SKOPEO    "/usr/bin/skopeo"
#define UMOCI     "/usr/bin/umoci"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 120

static WharfApplication *app;

/* Waiting */

/* Widgets */

/* Files and registries */

/* Transfers */


static gboolean
dialog_has_loaded (gpointer data)
{
  return !wharf_download_dialog_get_loading (WHARF_DOWNLOAD_DIALOG (data));
}

/* The SHA-256 of what a tool printed, as a digest. */
static char *
digest_of (const char *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, bytes, -1);

  return g_strconcat ("sha256:", hex, NULL);
}

static char *
skopeo_config_digest (const char *location)
{
  const char *argv[] = { SKOPEO, "--insecure-policy", "inspect", "--config", "--raw",
                         location, NULL };
  g_autofree char *config = wharf_test_ui_run_ok (argv);

  return digest_of (config);
}

static char *
skopeo_manifest_digest (const char *location)
{
  const char *argv[] = { SKOPEO, "--insecure-policy", "inspect", "--raw", location, NULL };
  g_autofree char *manifest = wharf_test_ui_run_ok (argv);

  return digest_of (manifest);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The names in a folder, sorted, "a b c". */
static char *
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static WharfDownloadDialog *
open_dialog (WharfTestUiFixture *f,
             const char         *repository,
             const char         *tag)
{
  WharfDownloadDialog *dialog;

  dialog = wharf_download_dialog_new (NULL, f->manager, f->registry, repository, tag);
  gtk_window_present (GTK_WINDOW (dialog));
  wharf_test_ui_wait_for_paint (GTK_WINDOW (dialog));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_null (wharf_download_dialog_get_error (dialog));

  return dialog;
}

/* The one item the manager lists, started by the dialog. */
static WharfTransferItem *
only_item (WharfTestUiFixture *f)
{
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->manager)), ==, 1);
  return g_list_model_get_item (G_LIST_MODEL (f->manager), 0);
}

static void
test_docker_archive (void)
{
  WharfTestUiFixture f = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *location = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *written = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(WharfTransferItem) item = NULL;
  g_autoptr(GFile) folder = NULL;
  GtkFileChooser *chooser;
  WharfDownloadDialog *dialog;
  GWeakRef dialog_ref;

  wharf_test_ui_fixture_set_up (&f, "wharf-download-ui-XXXXXX");
  g_free (wharf_test_registry_push_image (f.reg, "team/app", "v1", 2, 4096, "linux/amd64", FALSE));
  expected = wharf_test_ui_config_digest (f.reg, "team/app", "v1");

  dialog = open_dialog (&f, "team/app", "v1");

  /* One image: no platform to choose; docker-archive, for `docker load`. */
  g_assert_null (wharf_download_dialog_get_platforms (dialog));
  g_assert_cmpint (wharf_download_dialog_get_format (dialog), ==, WHARF_TRANSPORT_DOCKER_ARCHIVE);
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "wharf-download-dialog.png");

  /* Download… asks where, in the save dialog (GTK's own here: no portal). */
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Download…"));
  chooser = wharf_test_ui_wait_for_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  g_assert_cmpstr (gtk_file_chooser_get_current_name (chooser), ==, "app-v1.tar");
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                 "_Download…"))));

  folder = g_file_new_for_path (f.tmp);
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, NULL));
  gtk_file_chooser_set_current_name (chooser, "app.tar");
  g_weak_ref_init (&dialog_ref, dialog);
  /* The chooser checks the name (in the background) before it answers. */
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_gone, &dialog_ref));
  g_weak_ref_clear (&dialog_ref);

  /* The transfer runs in the manager; the dialog is done. */
  item = only_item (&f);
  g_assert_cmpint (wharf_transfer_item_get_direction (item), ==,
                   WHARF_TRANSFER_DIRECTION_DOWNLOAD);
  path = g_build_filename (f.tmp, "app.tar", NULL);
  g_assert_nonnull (wharf_transfer_item_get_destination_file (item));
  {
    GFile *destination_file = wharf_transfer_item_get_destination_file (item);
    g_autofree char *destination = g_file_get_path (destination_file);

    g_assert_cmpstr (destination, ==, path);
  }
  wharf_test_ui_assert_item_done (item);

  /* skopeo reads the same image, and nothing else was left beside it. */
  location = g_strdup_printf ("docker-archive:%s", path);
  written = skopeo_config_digest (location);
  g_assert_cmpstr (written, ==, expected);
  listing = list_dir (f.tmp);
  g_assert_cmpstr (listing, ==, "app.tar");

  wharf_test_ui_fixture_tear_down (&f);
}

static const char *
host_platform (void)
{
  struct utsname name;

  g_assert_cmpint (uname (&name), ==, 0);
  if (g_str_equal (name.machine, "x86_64"))
    return "linux/amd64";
  if (g_str_equal (name.machine, "aarch64"))
    return "linux/arm64";

  return NULL;
}

static void
test_multi_platform (void)
{
  static const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  WharfTestUiFixture f = { 0 };
  g_autofree char *index_digest = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *location = NULL;
  g_autofree char *written = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *platform = NULL;
  g_autofree char *arm_digest = NULL;
  g_autoptr(WharfTransferItem) item = NULL;
  g_autoptr(GFile) file = NULL;
  WharfDownloadDialog *dialog;
  const char * const *offered;
  AdwComboRow *platform_row = NULL;

  wharf_test_ui_fixture_set_up (&f, "wharf-download-ui-XXXXXX");
  index_digest = wharf_test_registry_push_index (f.reg, "multi", "v1", platforms, TRUE);

  dialog = open_dialog (&f, "multi", "v1");

  /* Every platform but the attestation, the host's chosen. */
  offered = wharf_download_dialog_get_platforms (dialog);
  g_assert_nonnull (offered);
  g_assert_cmpstrv (offered, platforms);
  platform = wharf_download_dialog_dup_platform (dialog);
  if (host_platform () != NULL)
    g_assert_cmpstr (platform, ==, host_platform ());
  {
    g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (dialog, ADW_TYPE_COMBO_ROW);

    g_assert_cmpuint (rows->len, ==, 1);
    platform_row = g_ptr_array_index (rows, 0);
    g_assert_true (gtk_widget_is_visible (GTK_WIDGET (platform_row)));
  }

  /* A docker-archive holds one image: "All Platforms" is not offered. */
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (platform_row)), ==, 2);
  g_assert_false (wharf_download_dialog_set_platform (dialog, NULL));

  /* The OCI formats keep the whole index. */
  wharf_download_dialog_set_format (dialog, WHARF_TRANSPORT_OCI);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (platform_row)), ==, 3);
  g_assert_true (wharf_download_dialog_set_platform (dialog, NULL));
  g_assert_null (wharf_download_dialog_dup_platform (dialog));

  /* Back to docker-archive: "All" goes, and a real platform is chosen again. */
  wharf_download_dialog_set_format (dialog, WHARF_TRANSPORT_DOCKER_ARCHIVE);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (platform_row)), ==, 2);
  g_clear_pointer (&platform, g_free);
  platform = wharf_download_dialog_dup_platform (dialog);
  g_assert_nonnull (platform);

  wharf_download_dialog_set_format (dialog, WHARF_TRANSPORT_OCI);
  g_assert_true (wharf_download_dialog_set_platform (dialog, NULL));
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "wharf-download-dialog-platforms.png");

  folder = g_build_filename (f.tmp, "multi-v1", NULL);
  file = g_file_new_for_path (folder);
  item = g_object_ref (wharf_download_dialog_save_to (dialog, file));
  wharf_test_ui_assert_item_done (item);

  /* umoci lists the tag; the index is the registry's, whole. */
  {
    const char *argv[] = { UMOCI, "ls", "--layout", folder, NULL };

    tags = wharf_test_ui_run_ok (argv);
  }
  g_assert_cmpstr (g_strstrip (tags), ==, "v1");
  location = g_strdup_printf ("oci:%s:v1", folder);
  written = skopeo_manifest_digest (location);
  g_assert_cmpstr (written, ==, index_digest);
  g_clear_object (&item);
  g_clear_object (&file);

  /* One platform of it as an OCI archive: that platform's image. */
  {
    g_autoptr(WharfClient) client = wharf_test_ui_client_for (f.reg);
    g_autoptr(WharfRawManifest) raw = NULL;
    g_autoptr(WharfManifest) index = NULL;
    g_autoptr(WharfPlatform) arm = wharf_platform_parse ("linux/arm64/v8", NULL);
    g_autoptr(GError) error = NULL;
    WharfDescriptor *entry;

    raw = wharf_client_get_manifest_sync (client, "multi", "v1", NULL, &error);
    g_assert_no_error (error);
    index = wharf_manifest_parse (raw->bytes, raw->media_type, &error);
    g_assert_no_error (error);
    entry = wharf_manifest_find_platform (index, arm);
    g_assert_nonnull (entry);
    arm_digest = g_strdup (entry->digest);
  }

  dialog = open_dialog (&f, "multi", "v1");
  wharf_download_dialog_set_format (dialog, WHARF_TRANSPORT_OCI_ARCHIVE);
  g_assert_true (wharf_download_dialog_set_platform (dialog, "linux/arm64/v8"));
  archive = g_build_filename (f.tmp, "multi-arm.tar", NULL);
  file = g_file_new_for_path (archive);
  item = g_object_ref (wharf_download_dialog_save_to (dialog, file));
  wharf_test_ui_assert_item_done (item);

  g_clear_pointer (&location, g_free);
  g_clear_pointer (&written, g_free);
  location = g_strdup_printf ("oci-archive:%s:v1", archive);
  written = skopeo_manifest_digest (location);
  g_assert_cmpstr (written, ==, arm_digest);

  wharf_test_ui_fixture_tear_down (&f);
}

static void
test_missing_tag (void)
{
  WharfTestUiFixture f = { 0 };
  WharfDownloadDialog *dialog;
  const char *message;

  wharf_test_ui_fixture_set_up (&f, "wharf-download-ui-XXXXXX");

  dialog = wharf_download_dialog_new (NULL, f.manager, f.registry, "nothing", "here");
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));

  /* Said in a sentence; Download cannot be pressed, and nothing starts. */
  message = wharf_download_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_nonnull (wharf_test_ui_find_visible_label (dialog, message));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                 "_Download…"))));
  {
    g_autoptr(GFile) file = g_file_new_build_filename (f.tmp, "none.tar", NULL);

    g_assert_null (wharf_download_dialog_save_to (dialog, file));
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.manager)), ==, 0);

  wharf_test_ui_fixture_tear_down (&f);
}

/* From the window: Download… on the selected tag */

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
test_download_from_window (void)
{
  g_autoptr(GSettings) settings = wharf_test_ui_fresh_settings ();
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *tmp = g_dir_make_tmp ("wharf-download-ui-XXXXXX", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *written = NULL;
  g_autofree char *path = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  const char *address = wharf_test_registry_get_address (reg);
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);
  WharfRegistryStore *store = wharf_application_get_registry_store (app);
  g_autoptr(WharfTransferItem) item = NULL;
  WharfDownloadDialog *dialog;
  GtkButton *button = NULL;
  WharfWindow *window;
  WharfTagList *tag_list;
  TagWait wait;

  g_free (wharf_test_registry_push_image (reg, "web/site", "stable", 2, 2048,
                                          "linux/amd64", TRUE));
  expected = wharf_test_ui_config_digest (reg, "web/site", "stable");
  wharf_test_ui_store_set (store, (const char * const []) { address, NULL });

  g_application_activate (G_APPLICATION (app));
  window = WHARF_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (WHARF_IS_WINDOW (window));
  wharf_test_ui_wait_for_paint (GTK_WINDOW (window));

  g_assert_true (wharf_window_select_registry (window, address, &error));
  g_assert_no_error (error);
  wharf_repository_list_select_repository (wharf_window_get_repository_list (window), "web/site");
  tag_list = wharf_window_get_tag_list (window);
  wait.model = wharf_tag_list_get_model (tag_list);
  wait.tag = "stable";
  g_assert_true (wharf_test_ui_wait_for (lists_tag, &wait));

  /* The header's Download button follows the selection. */
  {
    g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (window, GTK_TYPE_BUTTON);

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)),
                     "win.download-tag") == 0)
        button = g_ptr_array_index (buttons, i);
  }
  g_assert_nonnull (button);
  wharf_tag_list_select_tag (tag_list, NULL);
  wharf_test_ui_drain ();
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  wharf_tag_list_select_tag (tag_list, "stable");
  wharf_test_ui_drain ();
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (button)));

  wharf_test_ui_click (button);
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_DOWNLOAD_DIALOG);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (wharf_test_ui_wait_for (dialog_has_loaded, dialog));
  g_assert_null (wharf_download_dialog_get_error (dialog));

  path = g_build_filename (tmp, "site.tar", NULL);
  file = g_file_new_for_path (path);
  item = g_object_ref (wharf_download_dialog_save_to (dialog, file));
  g_assert_true (g_list_model_get_n_items (G_LIST_MODEL (manager)) >= 1);
  wharf_test_ui_assert_item_done (item);

  location = g_strdup_printf ("docker-archive:%s", path);
  written = skopeo_config_digest (location);
  g_assert_cmpstr (written, ==, expected);

  wharf_test_ui_destroy_all_toplevels ();
  wharf_test_ui_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, TRUE))
    app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.DownloadTest",
                                         G_APPLICATION_NON_UNIQUE,
                                         FALSE);

  wharf_test_ui_add ("/download/docker-archive", test_docker_archive);
  wharf_test_ui_add ("/download/multi-platform", test_multi_platform);
  wharf_test_ui_add ("/download/missing-tag", test_missing_tag);
  wharf_test_ui_add ("/download/from-window", test_download_from_window);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
