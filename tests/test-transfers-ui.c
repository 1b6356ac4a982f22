/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transfers-ui.c: the transfer manager, the transfers panel and its
 * header-bar button, on real copies between real registries. */

#define G_LOG_DOMAIN "test-transfers-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include <glib/gstdio.h>

#include "wharf.h"
#include "wharf-test-faults.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-transfer-manager.h"
#include "wharf-transfer-row.h"
#include "wharf-transfers-panel.h"

#include "wharf-test-ui.h"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 120

static WharfApplication *app;

/* Waiting */

typedef struct
{
  WharfTransferItem  *item;
  WharfTransferState  state;
} StateWait;

static gboolean
item_has_state (gpointer data)
{
  StateWait *wait = data;

  return wharf_transfer_item_get_state (wait->item) == wait->state;
}

static void
wait_for_state (WharfTransferItem  *item,
                WharfTransferState  state)
{
  StateWait wait = { item, state };

  if (!wharf_test_ui_wait_for (item_has_state, &wait))
    g_error ("The transfer stayed in state %d (error: %s), not %d",
             wharf_transfer_item_get_state (item),
             wharf_transfer_item_get_error_message (item), state);
}

static gboolean
item_is_partial (gpointer data)
{
  gint64 done = wharf_transfer_item_get_bytes_done (WHARF_TRANSFER_ITEM (data));

  return done > 0 && done < wharf_transfer_item_get_bytes_total (WHARF_TRANSFER_ITEM (data));
}

/* Widgets */

static WharfTransferRow *
find_transfer_row (WharfTransfersPanel *panel,
                   WharfTransferItem   *item)
{
  g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (panel, WHARF_TYPE_TRANSFER_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      WharfTransferRow *row = g_ptr_array_index (rows, i);

      if (wharf_transfer_row_get_item (row) == item)
        return row;
    }

  g_error ("No row for the transfer “%s”", wharf_transfer_item_get_title (item));
  return NULL;
}

static GtkButton *
find_action_button (gpointer    widget,
                    const char *action_name)
{
  g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (widget, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action_name) == 0)
        return button;
    }

  g_error ("No button for %s", action_name);
  return NULL;
}

static gboolean
is_shown (gpointer    widget,
          const char *action_name)
{
  return gtk_widget_get_visible (GTK_WIDGET (find_action_button (widget, action_name)));
}

/* Whether a person sees the button and can press it. */
static gboolean
is_usable (GtkButton *button)
{
  return gtk_widget_get_visible (GTK_WIDGET (button)) &&
         gtk_widget_is_sensitive (GTK_WIDGET (button));
}

static void
click (GtkButton *button)
{
  g_assert_true (is_usable (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkLabel *
find_error_label (WharfTransferRow *row)
{
  g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (row, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);

      if (gtk_widget_has_css_class (GTK_WIDGET (label), "error"))
        return label;
    }

  g_error ("The row has no error label");
  return NULL;
}

/* The blob rows' labels, joined: what the expander shows per layer. */
static void
expand_details (WharfTransferRow *row)
{
  g_autoptr(GPtrArray) expanders = wharf_test_ui_find_all (row, GTK_TYPE_EXPANDER);

  g_assert_cmpuint (expanders->len, ==, 1);
  gtk_expander_set_expanded (g_ptr_array_index (expanders, 0), TRUE);
}

static GPtrArray *
blob_row_texts (WharfTransferRow *row)
{
  g_autoptr(GPtrArray) lists = NULL;
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *list;

  /* A collapsed expander holds no child. */
  expand_details (row);
  lists = wharf_test_ui_find_all (row, GTK_TYPE_LIST_BOX);

  g_assert_cmpuint (lists->len, ==, 1);
  list = g_ptr_array_index (lists, 0);

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (child, GTK_TYPE_LABEL);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < labels->len; i++)
        g_string_append_printf (text, "%s|", gtk_label_get_label (g_ptr_array_index (labels, i)));
      g_ptr_array_add (texts, g_string_free (g_steal_pointer (&text), FALSE));
    }

  return texts;
}

/* Popovers close first: a popover destroyed with its window leaves timers behind. */
static void
destroy_all_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) popovers = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      popovers = wharf_test_ui_find_all (window, GTK_TYPE_POPOVER);
      for (guint j = 0; j < popovers->len; j++)
        gtk_popover_popdown (g_ptr_array_index (popovers, j));
      g_clear_pointer (&popovers, g_ptr_array_unref);
    }
  wharf_test_ui_drain ();

  wharf_test_ui_destroy_all_toplevels ();
}

/* A window with a header bar holding the transfers button, as the main
 * window has it. */
static GtkWindow *
present_window (WharfTransferManager  *manager,
                WharfTransfersButton **out_button)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *button = wharf_transfers_button_new (manager);

  /* At the start, so that its popover stays clear of the pointer, which
   * Xvfb leaves in the middle of the screen: GTK 4.8 criticals when a
   * tooltip timer outlives the window it was started in. */
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);
  gtk_window_set_titlebar (window, header);
  gtk_window_set_title (window, "Transfers");
  gtk_window_set_default_size (window, 640, 480);
  gtk_window_set_child (window, gtk_label_new ("Wharf"));
  gtk_window_present (window);
  wharf_test_ui_wait_for_paint (GTK_WIDGET (window));

  *out_button = WHARF_TRANSFERS_BUTTON (button);
  return window;
}

static WharfTransfersPanel *
open_panel (WharfTransfersButton *button)
{
  WharfTransfersPanel *panel = wharf_transfers_button_get_panel (button);

  wharf_transfers_button_popup (button);
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_mapped, panel));
  return panel;
}

/* Registries */

static WharfClient *
client_for_url (const char *url)
{
  g_autoptr(WharfEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;

  endpoint = wharf_endpoint_new (url, &error);
  g_assert_no_error (error);

  return wharf_client_new (endpoint);
}

static WharfClient *
client_for (WharfTestRegistry *reg)
{
  return client_for_url (wharf_test_registry_get_url (reg));
}

static WharfClient *
client_for_faults (WharfTestFaults *faults)
{
  g_autofree char *url = g_strdup_printf ("http://%s", wharf_test_faults_get_address (faults));

  return client_for_url (url);
}

static WharfTransfer *
new_transfer (const char  *source,
              const char  *destination,
              WharfClient *source_client,
              WharfClient *destination_client)
{
  g_autoptr(WharfImageLocation) src = NULL;
  g_autoptr(WharfImageLocation) dst = NULL;
  g_autoptr(GError) error = NULL;
  WharfTransfer *transfer;

  src = wharf_image_location_parse (source, &error);
  g_assert_no_error (error);
  dst = wharf_image_location_parse (destination, &error);
  g_assert_no_error (error);

  transfer = wharf_transfer_new (src, dst);
  if (source_client != NULL)
    wharf_transfer_set_source_client (transfer, source_client);
  if (destination_client != NULL)
    wharf_transfer_set_destination_client (transfer, destination_client);

  return transfer;
}

static char *
docker_url (const char *address,
            const char *name)
{
  return g_strdup_printf ("docker://%s/%s", address, name);
}

static char *
head_digest (WharfClient *client,
             const char  *repository,
             const char  *reference)
{
  g_autoptr(WharfDescriptor) desc = NULL;
  g_autoptr(GError) error = NULL;

  desc = wharf_client_head_manifest_sync (client, repository, reference, NULL, &error);
  g_assert_no_error (error);

  return g_strdup (desc->digest);
}

/* Upload sessions the registry holds for @repository (see test-transfer.c:
 * an empty stub left by a DELETE is no session). */
static guint
count_uploads (WharfTestRegistry *reg,
               const char        *repository)
{
  g_autofree char *dir = g_build_filename (wharf_test_registry_get_root (reg), "docker",
                                           "registry", "v2", "repositories", repository,
                                           "_uploads", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *started = g_build_filename (dir, name, "startedat", NULL);
      g_autofree char *data = g_build_filename (dir, name, "data", NULL);

      if (g_file_test (started, G_FILE_TEST_EXISTS) || g_file_test (data, G_FILE_TEST_EXISTS))
        n++;
    }

  return n;
}

/* None of the transfer's layers is in @repository: a cancel cut the
 * uploads instead of letting them finish. */
static void
assert_no_layer_uploaded (WharfTransfer *transfer,
                          WharfClient   *client,
                          const char    *repository)
{
  GListModel *blobs = wharf_transfer_get_blobs (transfer);
  guint n_layers = 0;

  for (guint i = 0; i < g_list_model_get_n_items (blobs); i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (blobs, i);
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (wharf_blob_progress_get_kind (progress), "layer") != 0)
        continue;
      n_layers++;
      g_assert_false (wharf_client_head_blob_sync (client, repository,
                                                   wharf_blob_progress_get_digest (progress),
                                                   NULL, NULL, &error));
      g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
    }
  g_assert_cmpuint (n_layers, >, 0);
}

/* What the manager and the row show while a transfer runs. */
typedef struct
{
  WharfTransferRow *row;
  guint             n_partial;       /* bytes-done notifies with 0 < done < total */
  gboolean          saw_partial_fraction;
  GPtrArray        *status_texts;
} Watch;

static void
watch_bytes_cb (WharfTransferItem *item,
                GParamSpec        *pspec,
                Watch             *watch)
{
  gint64 done = wharf_transfer_item_get_bytes_done (item);
  gint64 total = wharf_transfer_item_get_bytes_total (item);

  if (done > 0 && done < total)
    watch->n_partial++;

  if (watch->row != NULL)
    {
      const char *text = wharf_transfer_row_get_status_text (watch->row);

      if (watch->status_texts->len == 0 ||
          g_strcmp0 (g_ptr_array_index (watch->status_texts, watch->status_texts->len - 1),
                     text) != 0)
        g_ptr_array_add (watch->status_texts, g_strdup (text));
    }
}

static void
watch_fraction_cb (WharfTransferManager *manager,
                   GParamSpec           *pspec,
                   Watch                *watch)
{
  double fraction = wharf_transfer_manager_get_fraction (manager);

  if (fraction > 0 && fraction < 1)
    watch->saw_partial_fraction = TRUE;
}

static void
count_finished_cb (WharfTransferManager *manager,
                   WharfTransferItem    *item,
                   gpointer              data)
{
  GPtrArray *finished = data;

  g_ptr_array_add (finished, item);
}

/* Tests */

/* A copy between two registries, slowed down so that it is seen running:
 * the row follows its bytes and ends DONE with every layer done. */
static void
test_copy_done (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autoptr(GPtrArray) finished = g_ptr_array_new ();
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  WharfTransfersButton *button;
  WharfTransfersPanel *panel;
  WharfTransferItem *item;
  WharfTransferRow *row;
  GListModel *blobs;
  Watch watch = { NULL, 0, FALSE, g_ptr_array_new_with_free_func (g_free) };

  digest = wharf_test_registry_push_image (one, "app", "v1", 2, 1024 * 1024, "linux/amd64", TRUE);
  /* Blobs read slowly from the source (uploads would vanish into socket
   * buffers at once; what is read is counted as it arrives), for long
   * enough that a loaded machine still sees it half-way. */
  faults = wharf_test_faults_start (wharf_test_registry_get_url (one), WHARF_TEST_FAULT_SLOW,
                                    "GET", "/blobs/sha256:", 3, 160 * 1024);
  proxied = client_for_faults (faults);

  present_window (manager, &button);
  /* Nothing to show yet: no button. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (button)));

  g_signal_connect (manager, "finished", G_CALLBACK (count_finished_cb), finished);
  g_signal_connect (manager, "notify::fraction", G_CALLBACK (watch_fraction_cb), &watch);

  src = docker_url (wharf_test_faults_get_address (faults), "app:v1");
  dst = docker_url (wharf_test_registry_get_address (two), "app:v1");
  transfer = new_transfer (src, dst, proxied, client_two);
  item = wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_COPY,
                                       "app:v1 → two", NULL);

  g_assert_true (WHARF_IS_TRANSFER_ITEM (item));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 1);
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_RUNNING);
  g_assert_true (wharf_transfer_item_get_transfer (item) == transfer);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (button)));

  g_signal_connect (item, "notify::bytes-done", G_CALLBACK (watch_bytes_cb), &watch);
  panel = open_panel (button);
  row = find_transfer_row (panel, item);
  watch.row = row;
  g_assert_true (is_usable (find_action_button (row, "transfer.cancel")));
  g_assert_false (is_shown (row, "transfer.retry"));

  /* The panel mid-transfer, layers shown, as the issue asks to see it. */
  g_assert_true (wharf_test_ui_wait_for (item_is_partial, item));
  expand_details (row);
  wharf_test_ui_save_screenshot (GTK_WIDGET (panel), "wharf-transfers-panel.png");

  wait_for_state (item, WHARF_TRANSFER_STATE_DONE);
  wharf_test_ui_drain ();

  /* It was seen on its way, and the row followed. */
  g_assert_cmpuint (watch.n_partial, >, 0);
  g_assert_true (watch.saw_partial_fraction);
  g_assert_cmpuint (watch.status_texts->len, >=, 2);
  for (guint i = 0; i < watch.status_texts->len; i++)
    g_test_message ("status: %s", (char *) g_ptr_array_index (watch.status_texts, i));
  g_assert_nonnull (strstr (g_ptr_array_index (watch.status_texts, 0), " of "));

  g_assert_cmpint (wharf_transfer_item_get_bytes_done (item), >, 2 * 1024 * 1024);
  g_assert_cmpint (wharf_transfer_item_get_bytes_done (item), ==,
                   wharf_transfer_item_get_bytes_total (item));
  g_assert_cmpint (wharf_transfer_item_get_eta (item), ==, -1);
  g_assert_null (wharf_transfer_item_get_error_message (item));
  g_assert_cmpfloat (wharf_transfer_item_get_duration (item), >, 0);
  g_assert_true (g_str_has_prefix (wharf_transfer_row_get_status_text (row), "Done"));
  g_assert_false (is_shown (row, "transfer.cancel"));
  g_assert_false (is_shown (row, "transfer.retry"));
  /* A copy has no file to show. */
  g_assert_false (is_shown (row, "transfer.show-in-files"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (find_error_label (row))));

  /* One row per blob in the detail, each done. */
  blobs = wharf_transfer_get_blobs (transfer);
  texts = blob_row_texts (row);
  g_assert_cmpuint (texts->len, ==, g_list_model_get_n_items (blobs));
  g_assert_cmpuint (texts->len, >=, 3);
  for (guint i = 0; i < texts->len; i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (blobs, i);
      const char *blob_digest = wharf_blob_progress_get_digest (progress);
      g_autofree char *short_digest = wharf_digest_shorten (blob_digest);
      const char *text = g_ptr_array_index (texts, i);

      g_test_message ("blob: %s", text);
      g_assert_nonnull (strstr (text, short_digest));
      g_assert_nonnull (strstr (text, wharf_blob_progress_get_kind (progress)));
      g_assert_nonnull (strstr (text, "|Done|"));
    }

  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_true (g_ptr_array_index (finished, 0) == item);
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 0);

  copied = head_digest (client_two, "app", "v1");
  g_assert_cmpstr (copied, ==, digest);

  /* Clear Finished empties the list; the button goes. */
  click (find_action_button (panel, "transfers.clear-finished"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (button)));

  g_ptr_array_unref (watch.status_texts);
  destroy_all_toplevels ();
}

/* Cancel in the middle of an upload leaves no upload session; Retry runs
 * the same copy again from a fresh transfer, to the end. */
static void
test_cancel_and_retry (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autoptr(GPtrArray) finished = g_ptr_array_new ();
  g_autofree char *digest = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  WharfTransfersButton *button;
  WharfTransfersPanel *panel;
  WharfTransferItem *item;
  WharfTransferRow *row;

  /* Layers larger than what loopback sockets buffer, sent slowly: the
   * cancel comes while the upload bodies are still being read. The config
   * and both layers are slowed; the retry's uploads go at full speed. */
  digest = wharf_test_registry_push_image (one, "big", "v1", 2, 24 * 1024 * 1024, "linux/amd64",
                                           TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (two), WHARF_TEST_FAULT_SLOW,
                                    "PATCH", "/blobs/uploads/", 3, 1024 * 1024);
  proxied = client_for_faults (faults);

  present_window (manager, &button);
  g_signal_connect (manager, "finished", G_CALLBACK (count_finished_cb), finished);

  src = docker_url (wharf_test_registry_get_address (one), "big:v1");
  dst = docker_url (wharf_test_faults_get_address (faults), "big:v1");
  transfer = new_transfer (src, dst, client_one, proxied);
  item = wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_COPY,
                                       "big:v1 → two", NULL);

  panel = open_panel (button);
  row = find_transfer_row (panel, item);
  g_assert_true (wharf_test_ui_wait_for (item_is_partial, item));
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_RUNNING);
  /* The slowed uploads are still on their way: nothing is tagged yet. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WharfDescriptor) desc = NULL;

    desc = wharf_client_head_manifest_sync (client_two, "big", "v1", NULL, &error);
    g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  }

  click (find_action_button (row, "transfer.cancel"));
  wait_for_state (item, WHARF_TRANSFER_STATE_CANCELLED);
  wharf_test_ui_drain ();

  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 0);
  g_assert_cmpuint (count_uploads (two, "big"), ==, 0);
  /* No layer landed either: the uploads were cut, not finished. */
  assert_no_layer_uploaded (transfer, client_two, "big");
  g_assert_null (wharf_transfer_item_get_error_message (item));
  g_assert_cmpstr (wharf_transfer_row_get_status_text (row), ==, "Cancelled");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (find_error_label (row))));
  g_assert_false (is_shown (row, "transfer.cancel"));

  click (find_action_button (row, "transfer.retry"));
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_RUNNING);
  g_assert_true (wharf_transfer_item_get_transfer (item) != transfer);
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 1);
  g_assert_true (is_usable (find_action_button (row, "transfer.cancel")));

  wait_for_state (item, WHARF_TRANSFER_STATE_DONE);
  wharf_test_ui_drain ();
  g_assert_cmpuint (finished->len, ==, 2);
  copied = head_digest (client_two, "big", "v1");
  g_assert_cmpstr (copied, ==, digest);
  g_assert_cmpuint (count_uploads (two, "big"), ==, 0);
  /* The row shows the new transfer's layers. */
  {
    g_autoptr(GPtrArray) texts = blob_row_texts (row);
    GListModel *blobs = wharf_transfer_get_blobs (wharf_transfer_item_get_transfer (item));

    guint n_done = 0;

    g_assert_cmpuint (texts->len, ==, g_list_model_get_n_items (blobs));
    for (guint i = 0; i < texts->len; i++)
      {
        const char *text = g_ptr_array_index (texts, i);

        /* What the cancelled run had finished is found there this time. */
        g_test_message ("blob after retry: %s", text);
        g_assert_true (strstr (text, "|Done|") != NULL ||
                       strstr (text, "|Already there|") != NULL);
        if (strstr (text, "|Done|") != NULL)
          n_done++;
      }
    g_assert_cmpuint (n_done, >, 0);
  }

  destroy_all_toplevels ();
}

/* A copy that fails shows its error sentence, and Retry. */
static void
test_failure (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) nowhere = client_for_url ("http://127.0.0.1:9");
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  g_autoptr(WharfTransfer) missing = NULL;
  g_autoptr(WharfTransfer) refused = NULL;
  g_autofree char *src_missing = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst_missing = NULL;
  g_autofree char *dst_refused = NULL;
  g_autofree char *digest = NULL;
  WharfTransfersButton *button;
  WharfTransfersPanel *panel;
  WharfTransferItem *items[2];
  const char *error_message;

  digest = wharf_test_registry_push_image (one, "app", "v1", 1, 1024, "linux/amd64", TRUE);
  present_window (manager, &button);
  panel = open_panel (button);

  src_missing = docker_url (wharf_test_registry_get_address (one), "missing:v1");
  dst_missing = docker_url (wharf_test_registry_get_address (one), "copy:v1");
  missing = new_transfer (src_missing, dst_missing, client_one, client_one);
  items[0] = wharf_transfer_manager_start (manager, missing, WHARF_TRANSFER_DIRECTION_COPY,
                                           "missing:v1", NULL);

  src = docker_url (wharf_test_registry_get_address (one), "app:v1");
  dst_refused = docker_url ("127.0.0.1:9", "app:v1");
  refused = new_transfer (src, dst_refused, client_one, nowhere);
  items[1] = wharf_transfer_manager_start (manager, refused, WHARF_TRANSFER_DIRECTION_COPY,
                                           "app:v1 → nowhere", NULL);

  /* Both at once, newest first. */
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 2);
  {
    g_autoptr(WharfTransferItem) first = g_list_model_get_item (G_LIST_MODEL (manager), 0);

    g_assert_true (first == items[1]);
  }

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      WharfTransferRow *row;
      GtkLabel *error_label;

      wait_for_state (items[i], WHARF_TRANSFER_STATE_FAILED);
      wharf_test_ui_drain ();
      row = find_transfer_row (panel, items[i]);
      error_label = find_error_label (row);
      error_message = wharf_transfer_item_get_error_message (items[i]);

      g_test_message ("%s: %s", wharf_transfer_item_get_title (items[i]), error_message);
      g_assert_nonnull (error_message);
      g_assert_cmpuint (strlen (error_message), >, 10);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
      g_assert_cmpstr (gtk_label_get_label (error_label), ==, error_message);
      g_assert_cmpstr (wharf_transfer_row_get_status_text (row), ==, "Failed");
      g_assert_true (is_usable (find_action_button (row, "transfer.retry")));
      g_assert_false (is_shown (row, "transfer.cancel"));
    }

  /* What failed, where. */
  g_assert_nonnull (strstr (wharf_transfer_item_get_error_message (items[0]), "missing"));
  g_assert_nonnull (strstr (wharf_transfer_item_get_error_message (items[1]), "127.0.0.1:9"));
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 0);

  destroy_all_toplevels ();
}

/* A fake file manager on the test's session bus. */
typedef struct
{
  guint      owner_id;
  guint      object_id;
  gboolean   acquired;
  GPtrArray *shown;   /* URIs */
} FileManager;

static const char file_manager_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.FileManager1'>"
  "    <method name='ShowItems'>"
  "      <arg type='as' name='uris' direction='in'/>"
  "      <arg type='s' name='startup_id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
file_manager_method_cb (GDBusConnection       *connection,
                        const char            *sender,
                        const char            *object_path,
                        const char            *interface_name,
                        const char            *method_name,
                        GVariant              *parameters,
                        GDBusMethodInvocation *invocation,
                        gpointer               user_data)
{
  FileManager *fm = user_data;
  g_autofree const char **uris = NULL;
  const char *startup_id = NULL;

  g_assert_cmpstr (method_name, ==, "ShowItems");
  g_variant_get (parameters, "(^a&s&s)", &uris, &startup_id);
  for (guint i = 0; uris[i] != NULL; i++)
    g_ptr_array_add (fm->shown, g_strdup (uris[i]));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable file_manager_vtable = {
  file_manager_method_cb, NULL, NULL, { 0 }
};

static void
file_manager_acquired_cb (GDBusConnection *connection,
                          const char      *name,
                          gpointer         user_data)
{
  ((FileManager *) user_data)->acquired = TRUE;
}

static gboolean
file_manager_is_ready (gpointer data)
{
  return ((FileManager *) data)->acquired;
}

static gboolean
file_manager_has_shown (gpointer data)
{
  return ((FileManager *) data)->shown->len > 0;
}

/* A download ends with "Show in Files", which asks the file manager to show
 * the very file written. */
static void
test_download_show_in_files (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg);
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("wharf-transfers-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "app.tar", NULL);
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *digest = NULL;
  WharfTransfersButton *button;
  WharfTransfersPanel *panel;
  WharfTransferItem *item;
  WharfTransferRow *row;
  FileManager fm = { 0, 0, FALSE, g_ptr_array_new_with_free_func (g_free) };

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (file_manager_xml, &error);
  g_assert_no_error (error);
  fm.object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/FileManager1",
                                                    info->interfaces[0], &file_manager_vtable,
                                                    &fm, NULL, &error);
  g_assert_no_error (error);
  fm.owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.FileManager1",
                                              G_BUS_NAME_OWNER_FLAGS_NONE,
                                              file_manager_acquired_cb, NULL, &fm, NULL);
  g_assert_true (wharf_test_ui_wait_for (file_manager_is_ready, &fm));

  digest = wharf_test_registry_push_image (reg, "app", "v1", 2, 64 * 1024, "linux/amd64", TRUE);
  present_window (manager, &button);

  src = docker_url (wharf_test_registry_get_address (reg), "app:v1");
  dst = g_strdup_printf ("docker-archive:%s:app:v1", path);
  transfer = new_transfer (src, dst, client, NULL);
  file = g_file_new_for_path (path);
  item = wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_DOWNLOAD,
                                       "app:v1 → app.tar", file);
  g_assert_true (wharf_transfer_item_get_destination_file (item) == file);

  panel = open_panel (button);
  row = find_transfer_row (panel, item);
  /* Only a written file can be shown (it may be written already). */
  g_assert_cmpint (is_shown (row, "transfer.show-in-files"), ==,
                   wharf_transfer_item_get_state (item) == WHARF_TRANSFER_STATE_DONE);

  wait_for_state (item, WHARF_TRANSFER_STATE_DONE);
  wharf_test_ui_drain ();
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  click (find_action_button (row, "transfer.show-in-files"));
  g_assert_true (wharf_test_ui_wait_for (file_manager_has_shown, &fm));
  uri = g_file_get_uri (file);
  g_assert_cmpuint (fm.shown->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fm.shown, 0), ==, uri);

  g_bus_unown_name (fm.owner_id);
  g_dbus_connection_unregister_object (bus, fm.object_id);
  g_ptr_array_unref (fm.shown);
  g_unlink (path);
  g_rmdir (tmp);
  destroy_all_toplevels ();
}

static gpointer
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* Closing the window while a transfer runs asks first: Keep Running keeps
 * both; Cancel Transfers and Quit cancels, cleans up, then closes. */
static void
test_close_while_running (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  WharfTransfersButton *button;
  AdwMessageDialog *dialog;
  WharfTransferItem *item;
  GtkWindow *window;
  GWeakRef window_ref;

  /* As in test_cancel_and_retry: uploads still being read when cancelled. */
  digest = wharf_test_registry_push_image (one, "big", "v1", 2, 24 * 1024 * 1024, "linux/amd64",
                                           TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (two), WHARF_TEST_FAULT_SLOW,
                                    "PATCH", "/blobs/uploads/", 3, 1024 * 1024);
  proxied = client_for_faults (faults);

  window = present_window (manager, &button);
  g_weak_ref_init (&window_ref, window);

  src = docker_url (wharf_test_registry_get_address (one), "big:v1");
  dst = docker_url (wharf_test_faults_get_address (faults), "big:v1");
  transfer = new_transfer (src, dst, client_one, proxied);
  item = wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_COPY,
                                       "big:v1 → two", NULL);
  g_assert_true (wharf_test_ui_wait_for (item_is_partial, item));

  gtk_window_close (window);
  g_assert_true (wharf_test_ui_wait_for (has_message_dialog, NULL));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Transfers Are Still Running");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "keep"), ==, "_Keep Running");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "quit"), ==,
                   "_Cancel Transfers and Quit");
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "wharf-transfers-close.png");

  adw_message_dialog_response (dialog, "keep");
  wharf_test_ui_drain ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_RUNNING);

  gtk_window_close (window);
  g_assert_true (wharf_test_ui_wait_for (has_message_dialog, NULL));
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "quit");

  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_gone, &window_ref));
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_CANCELLED);
  g_assert_cmpuint (wharf_transfer_manager_get_n_active (manager), ==, 0);
  g_assert_cmpuint (count_uploads (two, "big"), ==, 0);
  assert_no_layer_uploaded (transfer, client_two, "big");

  g_weak_ref_clear (&window_ref);
  destroy_all_toplevels ();
}

/* With nothing running, closing does not ask. */
static void
test_close_when_idle (void)
{
  g_autoptr(WharfTransferManager) manager = wharf_transfer_manager_new ();
  WharfTransfersButton *button;
  GtkWindow *window = present_window (manager, &button);
  GWeakRef window_ref;

  g_weak_ref_init (&window_ref, window);
  gtk_window_close (window);
  wharf_test_ui_drain ();
  g_assert_true (wharf_test_ui_is_gone (&window_ref));
  g_assert_null (find_message_dialog ());
  g_weak_ref_clear (&window_ref);
}

/* A fake notification server (org.gtk.Notifications, which GLib prefers
 * when someone owns it) on the test's session bus. */
typedef struct
{
  guint      owner_id;
  guint      object_id;
  gboolean   acquired;
  GPtrArray *titles;
  GPtrArray *bodies;
} Notifications;

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "      <arg type='a{sv}' name='notification' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  Notifications *notifications = user_data;

  if (g_strcmp0 (method_name, "AddNotification") == 0)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (parameters, 2);
      const char *title = NULL;
      const char *body = NULL;

      g_variant_lookup (dict, "title", "&s", &title);
      g_variant_lookup (dict, "body", "&s", &body);
      g_ptr_array_add (notifications->titles, g_strdup (title));
      g_ptr_array_add (notifications->bodies, g_strdup (body));
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = {
  notifications_method_cb, NULL, NULL, { 0 }
};

static void
notifications_acquired_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  ((Notifications *) user_data)->acquired = TRUE;
}

static gboolean
notifications_ready (gpointer data)
{
  return ((Notifications *) data)->acquired;
}

static gboolean
notifications_received (gpointer data)
{
  return ((Notifications *) data)->titles->len > 0;
}

/* A transfer that runs longer than 10 s ends with a desktop notification
 * when no window of the application is active; a short one does not. */
static void
test_notification (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) client_one = client_for (one);
  g_autoptr(WharfClient) client_two = client_for (two);
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransfer) quick = NULL;
  g_autoptr(WharfTransfer) slow = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *src = NULL;
  g_autofree char *slow_src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *digest = NULL;
  WharfTransferManager *manager;
  WharfTransferItem *item;
  Notifications notifications = { 0, 0, FALSE,
                                  g_ptr_array_new_with_free_func (g_free),
                                  g_ptr_array_new_with_free_func (g_free) };

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  notifications.object_id = g_dbus_connection_register_object (bus, "/org/gtk/Notifications",
                                                               info->interfaces[0],
                                                               &notifications_vtable,
                                                               &notifications, NULL, &error);
  g_assert_no_error (error);
  notifications.owner_id = g_bus_own_name_on_connection (bus, "org.gtk.Notifications",
                                                         G_BUS_NAME_OWNER_FLAGS_NONE,
                                                         notifications_acquired_cb, NULL,
                                                         &notifications, NULL);
  g_assert_true (wharf_test_ui_wait_for (notifications_ready, &notifications));

  manager = wharf_application_get_transfer_manager (app);
  g_assert_true (WHARF_IS_TRANSFER_MANAGER (manager));
  g_assert_true (wharf_application_get_transfer_manager (app) == manager);

  /* 1.5 MiB read at 128 KiB/s: it cannot take less than 10 s. */
  digest = wharf_test_registry_push_image (one, "app", "v1", 1, 1536 * 1024, "linux/amd64",
                                           TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (one), WHARF_TEST_FAULT_SLOW,
                                    "GET", "/blobs/sha256:", 2, 128 * 1024);
  proxied = client_for_faults (faults);

  src = docker_url (wharf_test_registry_get_address (one), "app:v1");
  dst = docker_url (wharf_test_registry_get_address (two), "quick:v1");
  quick = new_transfer (src, dst, client_one, client_two);
  item = wharf_transfer_manager_start (manager, quick, WHARF_TRANSFER_DIRECTION_COPY,
                                       "app:v1 → quick", NULL);
  wait_for_state (item, WHARF_TRANSFER_STATE_DONE);
  g_assert_cmpfloat (wharf_transfer_item_get_duration (item), <, 10);
  wharf_test_ui_drain ();
  g_assert_cmpuint (notifications.titles->len, ==, 0);

  g_clear_pointer (&dst, g_free);
  slow_src = docker_url (wharf_test_faults_get_address (faults), "app:v1");
  dst = docker_url (wharf_test_registry_get_address (two), "slow:v1");
  slow = new_transfer (slow_src, dst, proxied, client_two);
  item = wharf_transfer_manager_start (manager, slow, WHARF_TRANSFER_DIRECTION_COPY,
                                       "app:v1 → slow", NULL);
  wait_for_state (item, WHARF_TRANSFER_STATE_DONE);
  g_assert_cmpfloat (wharf_transfer_item_get_duration (item), >, 10);
  g_assert_true (wharf_test_ui_wait_for (notifications_received, &notifications));
  g_assert_cmpuint (notifications.titles->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (notifications.titles, 0), ==, "Transfer Finished");
  g_assert_cmpstr (g_ptr_array_index (notifications.bodies, 0), ==, "app:v1 → slow");

  g_bus_unown_name (notifications.owner_id);
  g_dbus_connection_unregister_object (bus, notifications.object_id);
  g_ptr_array_unref (notifications.titles);
  g_ptr_array_unref (notifications.bodies);
  destroy_all_toplevels ();
}

static WharfTransfersButton *
find_transfers_button (gpointer window)
{
  g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (window, WHARF_TYPE_TRANSFERS_BUTTON);

  g_assert_cmpuint (buttons->len, ==, 1);
  return g_ptr_array_index (buttons, 0);
}

/* The main window has the button in its header bar, bound to the
 * application's manager, and asks before it closes on a running transfer. */
static void
test_main_window (void)
{
  g_autoptr(WharfTestRegistry) one = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) two = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestFaults) faults = NULL;
  g_autoptr(WharfClient) proxied = NULL;
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autoptr(WharfClient) client_two = client_for (two);
  const char *tooltip;
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);
  WharfTransfersButton *button;
  AdwMessageDialog *dialog;
  WharfTransferItem *item;
  GtkWindow *window;
  GWeakRef window_ref;

  wharf_transfer_manager_clear_finished (manager);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);
  wharf_test_ui_wait_for_paint (GTK_WIDGET (window));
  g_weak_ref_init (&window_ref, window);

  button = find_transfers_button (window);
  g_assert_true (wharf_transfers_button_get_manager (button) == manager);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (button)));

  digest = wharf_test_registry_push_image (one, "big", "v1", 2, 2 * 1024 * 1024, "linux/amd64",
                                           TRUE);
  faults = wharf_test_faults_start (wharf_test_registry_get_url (one), WHARF_TEST_FAULT_SLOW,
                                    "GET", "/blobs/sha256:", 3, 256 * 1024);
  proxied = client_for_faults (faults);
  src = docker_url (wharf_test_faults_get_address (faults), "big:v1");
  dst = docker_url (wharf_test_registry_get_address (two), "big:v1");
  transfer = new_transfer (src, dst, proxied, client_two);
  item = wharf_transfer_manager_start (manager, transfer, WHARF_TRANSFER_DIRECTION_COPY,
                                       "big:v1 → two", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (button)));
  g_assert_true (wharf_test_ui_wait_for (item_is_partial, item));
  tooltip = gtk_widget_get_tooltip_text (gtk_widget_get_first_child (GTK_WIDGET (button)));
  g_assert_nonnull (strstr (tooltip, "1 transfer running"));
  wharf_test_ui_save_screenshot (GTK_WIDGET (window), "wharf-window-transfers.png");

  /* Closing asks; Keep Running keeps window and transfer. */
  gtk_window_close (window);
  g_assert_true (wharf_test_ui_wait_for (has_message_dialog, NULL));
  dialog = find_message_dialog ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  adw_message_dialog_response (dialog, "keep");
  wharf_test_ui_drain ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpint (wharf_transfer_item_get_state (item), ==, WHARF_TRANSFER_STATE_RUNNING);

  /* Once nothing runs, it closes without a word. */
  wharf_transfer_item_cancel (item);
  wait_for_state (item, WHARF_TRANSFER_STATE_CANCELLED);
  gtk_window_close (window);
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_gone, &window_ref));
  g_assert_null (find_message_dialog ());

  g_weak_ref_clear (&window_ref);
  destroy_all_toplevels ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, TRUE))
    app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.TransfersTest",
                                         G_APPLICATION_NON_UNIQUE, TRUE);

  wharf_test_ui_add ("/transfers/copy-done", test_copy_done);
  wharf_test_ui_add ("/transfers/cancel-and-retry", test_cancel_and_retry);
  wharf_test_ui_add ("/transfers/failure", test_failure);
  wharf_test_ui_add ("/transfers/download-show-in-files", test_download_show_in_files);
  wharf_test_ui_add ("/transfers/close-while-running", test_close_while_running);
  wharf_test_ui_add ("/transfers/close-when-idle", test_close_when_idle);
  wharf_test_ui_add ("/transfers/main-window", test_main_window);
  wharf_test_ui_add ("/transfers/notification", test_notification);

  ret = g_test_run ();
  g_clear_object (&app);

  return ret;
}
