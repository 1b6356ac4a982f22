/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-manage-ui.c: delete with undo, copy, add tag and share to Docker Hub, from the real
 * window against real registries and a real keyring. */

#define G_LOG_DOMAIN "test-manage-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-copy-dialog.h"
#include "wharf-delete-dialog.h"
#include "wharf-share-dialog.h"
#include "wharf-sign-in-dialog.h"
#include "wharf-window-private.h"

#include "wharf-test-ui.h"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 120

static WharfApplication *app;
/* The token registry standing in for Docker Hub (WHARF_DOCKER_HUB_REGISTRY). */
static WharfTestRegistry *hub_stand_in;

static GtkButton *
find_button_by_tooltip (gpointer    widget,
                        const char *tooltip)
{
  g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (widget, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (button)), tooltip) == 0)
        return button;
    }

  g_error ("No button with tooltip %s", tooltip);
  return NULL;
}

static GtkWidget *
find_by_action (gpointer    widget,
                const char *action_name)
{
  g_autoptr(GPtrArray) actionables = wharf_test_ui_find_all (widget, GTK_TYPE_WIDGET);

  for (guint i = 0; i < actionables->len; i++)
    {
      GtkWidget *child = g_ptr_array_index (actionables, i);

      if (GTK_IS_ACTIONABLE (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action_name) == 0)
        return child;
    }

  return NULL;
}

/* The registry side, through libwharf */

static WharfClient *
client_for (WharfTestRegistry *reg,
            const char        *username,
            const char        *password)
{
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new (wharf_test_registry_get_address (reg),
                                                          NULL);
  WharfClient *client;

  g_assert_nonnull (endpoint);
  client = wharf_client_new (endpoint);
  if (username != NULL)
    {
      g_autoptr(WharfCredential) credential = NULL;

      credential = wharf_credential_new (wharf_endpoint_get_domain (endpoint), username, password);
      wharf_client_set_credential (client, credential);
    }

  return client;
}

/* The digest @repository:@tag has now, or NULL with the error when it has none. */
static char *
head_digest (WharfTestRegistry  *reg,
             const char         *username,
             const char         *password,
             const char         *repository,
             const char         *tag,
             GError            **error)
{
  g_autoptr(WharfClient) client = client_for (reg, username, password);
  WharfDescriptor *descriptor;
  char *digest;

  descriptor = wharf_client_head_manifest_sync (client, repository, tag, NULL, error);
  if (descriptor == NULL)
    return NULL;

  digest = g_strdup (descriptor->digest);
  wharf_descriptor_free (descriptor);
  return digest;
}

static void
assert_tag_gone (WharfTestRegistry *reg,
                 const char        *repository,
                 const char        *tag)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = head_digest (reg, NULL, NULL, repository, tag, &error);

  g_assert_null (digest);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
}

/* The window */

static void
destroy_all_windows (void)
{
  wharf_test_ui_destroy_all_toplevels ();
}

typedef struct
{
  WharfTagModel *model;
  guint          n_items;
} ModelWait;

static gboolean
model_has_n_items (gpointer data)
{
  ModelWait *wait = data;

  return !wharf_tag_model_get_loading (wait->model) &&
         g_list_model_get_n_items (G_LIST_MODEL (wait->model)) == wait->n_items;
}

static void
wait_for_n_tags (WharfWindow *window,
                 guint        n_items)
{
  ModelWait wait = { wharf_tag_list_get_model (wharf_window_get_tag_list (window)), n_items };

  if (!wharf_test_ui_wait_for (model_has_n_items, &wait))
    g_error ("The tag list has %u tags, not %u",
             g_list_model_get_n_items (G_LIST_MODEL (wait.model)), n_items);
}

/* Selects @address in the sidebar and opens @repository. */
static WharfRegistry *
open_repository (WharfWindow       *window,
                 WharfTestRegistry *reg,
                 const char        *repository,
                 guint              n_tags)
{
  g_autoptr(GError) error = NULL;
  WharfRepositoryList *list = wharf_window_get_repository_list (window);

  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (reg),
                                               &error));
  g_assert_no_error (error);
  wharf_repository_list_select_repository (list, repository);
  g_assert_cmpstr (wharf_tag_list_get_repository (wharf_window_get_tag_list (window)), ==,
                   repository);
  wait_for_n_tags (window, n_tags);

  return wharf_window_get_registry (window);
}

static WharfTagItem *
find_tag (WharfWindow *window,
          const char  *tag)
{
  return wharf_tag_model_find (wharf_tag_list_get_model (wharf_window_get_tag_list (window)),
                               tag, NULL);
}

typedef struct
{
  WharfWindow *window;
  const char  *tag;
} TagWait;

static gboolean
tag_listed (gpointer data)
{
  TagWait *wait = data;

  return find_tag (wait->window, wait->tag) != NULL;
}

static gboolean
tag_not_listed (gpointer data)
{
  return !tag_listed (data);
}

static void
select_tag (WharfWindow *window,
            const char  *tag)
{
  WharfTagList *tag_list = wharf_window_get_tag_list (window);

  wharf_tag_list_select_tag (tag_list, tag);
  g_assert_nonnull (wharf_tag_list_get_selected_tag (tag_list));
  g_assert_cmpstr (wharf_tag_item_get_name (wharf_tag_list_get_selected_tag (tag_list)), ==,
                   tag);
}

static gboolean
is_ready (gpointer data)
{
  return wharf_delete_dialog_get_ready (WHARF_DELETE_DIALOG (data));
}

static WharfDeleteDialog *
wait_for_delete_dialog (void)
{
  WharfDeleteDialog *dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_DELETE_DIALOG);

  g_assert_true (wharf_test_ui_wait_for (is_ready, dialog));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                          "delete"));
  return dialog;
}

/* Clicks the response button, and waits until the dialog is gone. */
static void
respond (WharfDeleteDialog *dialog,
         const char        *response)
{
  const char *label = g_str_equal (response, "delete") ? "_Delete" : "_Cancel";

  wharf_test_ui_click (wharf_test_ui_find_button (dialog, label));
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_has_no_toplevel,
                                         GSIZE_TO_POINTER (WHARF_TYPE_DELETE_DIALOG)));
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” does not say “%s”", text, part);
}

/* Deleting a tag keeps the tags sharing its image. */
static void
test_delete_tag_keeps_sibling (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *digest = NULL;
  g_autofree char *other = NULL;
  g_autofree char *latest_after = NULL;
  g_autofree char *v2_after = NULL;
  WharfWindow *window;
  WharfDeleteDialog *dialog;
  WharfTagItem *latest;
  const char *body;
  TagWait wait;

  digest = wharf_test_registry_push_image (reg, "web", "v1", 1, 512, "linux/amd64", TRUE);
  wharf_test_registry_tag (reg, "web", digest, "latest");
  other = wharf_test_registry_push_image (reg, "web", "v2", 1, 512, "linux/amd64", TRUE);
  g_assert_cmpstr (digest, !=, other);

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "web", 3);
  latest = find_tag (window, "latest");
  g_assert_nonnull (latest);

  select_tag (window, "v1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-tags", NULL));
  dialog = wait_for_delete_dialog ();

  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete v1?");
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  assert_contains (body, "web:v1 will be removed");
  /* The sibling is named; the other image is not. */
  assert_contains (body, "latest shares this image; it stays.");
  g_assert_null (strstr (body, "v2"));
  /* The first delete on a registry says it frees no space yet. */
  assert_contains (body, "garbage collection");

  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "manage-delete-confirmation.png");

  respond (dialog, "delete");
  wait = (TagWait) { window, "v1" };
  g_assert_true (wharf_test_ui_wait_for (tag_not_listed, &wait));

  /* In place: the row that stays is the very same item. */
  g_assert_true (find_tag (window, "latest") == latest);
  g_assert_nonnull (find_tag (window, "v2"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (wharf_tag_list_get_model (
                      wharf_window_get_tag_list (window)))), ==, 2);

  /* And on the registry: v1 is gone, latest and v2 are what they were. */
  assert_tag_gone (reg, "web", "v1");
  latest_after = head_digest (reg, NULL, NULL, "web", "latest", NULL);
  g_assert_cmpstr (latest_after, ==, digest);
  v2_after = head_digest (reg, NULL, NULL, "web", "v2", NULL);
  g_assert_cmpstr (v2_after, ==, other);

  /* Said once per registry and session. */
  select_tag (window, "v2");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-tags", NULL));
  dialog = wait_for_delete_dialog ();
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  assert_contains (body, "No other tag points to this image.");
  g_assert_null (strstr (body, "garbage collection"));
  respond (dialog, "cancel");
  g_assert_nonnull (find_tag (window, "v2"));

  destroy_all_windows ();
}

static GtkButton *
find_undo_button (WharfWindow *window)
{
  return wharf_test_ui_find_button (window, "_Undo");
}

static gboolean
has_undo_button (gpointer data)
{
  GtkButton *button = find_undo_button (WHARF_WINDOW (data));

  return button != NULL && gtk_widget_get_mapped (GTK_WIDGET (button));
}

/* Delete, then Undo: the tag is back with the same digest. */
static void
test_delete_undo (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *digest = NULL;
  g_autofree char *restored = NULL;
  WharfWindow *window;
  WharfDeleteDialog *dialog;
  TagWait wait;

  digest = wharf_test_registry_push_image (reg, "app", "v1", 2, 1024, "linux/arm64/v8", FALSE);
  g_free (wharf_test_registry_push_image (reg, "app", "v2", 1, 512, "linux/amd64", FALSE));

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "app", 2);
  select_tag (window, "v1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-tags", NULL));
  dialog = wait_for_delete_dialog ();
  respond (dialog, "delete");

  wait = (TagWait) { window, "v1" };
  g_assert_true (wharf_test_ui_wait_for (tag_not_listed, &wait));
  assert_tag_gone (reg, "app", "v1");

  g_assert_true (wharf_test_ui_wait_for (has_undo_button, window));
  wharf_test_ui_click (find_undo_button (window));

  g_assert_true (wharf_test_ui_wait_for (tag_listed, &wait));
  restored = head_digest (reg, NULL, NULL, "app", "v1", NULL);
  g_assert_cmpstr (restored, ==, digest);
  wait_for_n_tags (window, 2);

  destroy_all_windows ();
}

/* Several selected tags go together, and the dialog lists them. */
static void
test_delete_several (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *digest = NULL;
  g_autofree char *kept = NULL;
  GtkSelectionModel *selection;
  WharfWindow *window;
  WharfDeleteDialog *dialog;
  const char *body;
  TagWait wait;

  digest = wharf_test_registry_push_image (reg, "multi", "a", 1, 256, "linux/amd64", TRUE);
  wharf_test_registry_tag (reg, "multi", digest, "keep");
  g_free (wharf_test_registry_push_image (reg, "multi", "b", 1, 256, "linux/amd64", TRUE));
  g_free (wharf_test_registry_push_image (reg, "multi", "c", 1, 256, "linux/amd64", TRUE));

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "multi", 4);

  selection = gtk_column_view_get_model (
    wharf_tag_list_get_column_view (wharf_window_get_tag_list (window)));
  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (!g_str_equal (wharf_tag_item_get_name (item), "keep"))
        gtk_selection_model_select_item (selection, i, FALSE);
    }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-tags", NULL));
  dialog = wait_for_delete_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete 3 Tags?");
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  assert_contains (body, "a, b and c.");
  assert_contains (body, "keep shares an image with them; it stays.");
  respond (dialog, "delete");

  wait_for_n_tags (window, 1);
  g_assert_nonnull (find_tag (window, "keep"));
  assert_tag_gone (reg, "multi", "a");
  assert_tag_gone (reg, "multi", "b");
  assert_tag_gone (reg, "multi", "c");
  kept = head_digest (reg, NULL, NULL, "multi", "keep", NULL);
  g_assert_cmpstr (kept, ==, digest);

  /* One Undo puts all three back. */
  g_assert_true (wharf_test_ui_wait_for (has_undo_button, window));
  wharf_test_ui_click (find_undo_button (window));
  wait = (TagWait) { window, "c" };
  g_assert_true (wharf_test_ui_wait_for (tag_listed, &wait));
  wait_for_n_tags (window, 4);
  g_free (kept);
  kept = head_digest (reg, NULL, NULL, "multi", "a", NULL);
  g_assert_cmpstr (kept, ==, digest);

  destroy_all_windows ();
}

/* A whole repository: the dialog counts its tags, and every one goes. */
static void
test_delete_repository (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfClient) client = client_for (reg, NULL, NULL);
  g_autofree char *other = NULL;
  g_autofree char *other_after = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(GError) error = NULL;
  WharfWindow *window;
  WharfDeleteDialog *dialog;
  const char *body;

  g_free (wharf_test_registry_push_image (reg, "gone", "v1", 1, 256, "linux/amd64", TRUE));
  g_free (wharf_test_registry_push_image (reg, "gone", "v2", 1, 256, "linux/amd64", TRUE));
  g_free (wharf_test_registry_push_image (reg, "gone", "v3", 1, 256, "linux/amd64", TRUE));
  other = wharf_test_registry_push_image (reg, "stays", "v1", 1, 256, "linux/amd64", TRUE);

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "gone", 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-repository",
                                             NULL));
  dialog = wait_for_delete_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete Repository gone?");
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  assert_contains (body, "gone has 3 tags; all of them will be removed");
  assert_contains (body, "v1, v2 and v3");
  respond (dialog, "delete");

  wait_for_n_tags (window, 0);
  tags = wharf_client_list_tags_sync (client, "gone", NULL, &error);
  /* Distribution keeps an empty repository listed, or forgets it: no tag either way. */
  if (tags == NULL)
    g_assert_error (error, WHARF_ERROR, WHARF_ERROR_NOT_FOUND);
  else
    g_assert_cmpuint (g_strv_length (tags), ==, 0);

  other_after = head_digest (reg, NULL, NULL, "stays", "v1", NULL);
  g_assert_cmpstr (other_after, ==, other);

  destroy_all_windows ();
}

static gboolean
message_dialog_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && !WHARF_IS_DELETE_DIALOG (toplevel) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (toplevel)),
                     data) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Deletion disabled on the registry: after the first refusal the action is
 * off and says why. */
static void
test_delete_disabled (void)
{
  const char *env[] = { "REGISTRY_STORAGE_DELETE_ENABLED=false", NULL };
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start_with_env (WHARF_TEST_REGISTRY_PLAIN,
                                                                         env);
  g_autofree char *digest = NULL;
  g_autofree char *after = NULL;
  WharfWindow *window;
  WharfDeleteDialog *dialog;
  GtkWidget *delete_button;

  digest = wharf_test_registry_push_image (reg, "locked", "v1", 1, 256, "linux/amd64", TRUE);

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "locked", 1);
  select_tag (window, "v1");

  delete_button = find_by_action (window, "win.delete-tags");
  g_assert_nonnull (delete_button);
  g_assert_true (gtk_widget_get_sensitive (delete_button));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-tags", NULL));
  dialog = wait_for_delete_dialog ();
  respond (dialog, "delete");

  g_assert_true (wharf_test_ui_wait_for (message_dialog_shown, (gpointer) "Deleting Is Disabled"));
  g_assert_false (gtk_widget_get_sensitive (delete_button));
  /* The disabled button says why. */
  assert_contains (gtk_widget_get_tooltip_text (delete_button), "Deleting is disabled on");

  /* Nothing went, and no dialog opens again. */
  after = head_digest (reg, NULL, NULL, "locked", "v1", NULL);
  g_assert_cmpstr (after, ==, digest);
  g_assert_nonnull (find_tag (window, "v1"));
  wharf_test_ui_destroy_all_toplevels ();
}

/* Copy between two registries keeps a multi-arch index whole. */

static gboolean
transfer_finished (gpointer data)
{
  WharfTransferState state = wharf_transfer_item_get_state (WHARF_TRANSFER_ITEM (data));

  return state == WHARF_TRANSFER_STATE_DONE || state == WHARF_TRANSFER_STATE_FAILED ||
         state == WHARF_TRANSFER_STATE_CANCELLED;
}

static gboolean
has_transfer (gpointer data)
{
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);

  return g_list_model_get_n_items (G_LIST_MODEL (manager)) > GPOINTER_TO_UINT (data);
}

static WharfTransferItem *
wait_for_new_transfer (guint n_before)
{
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);
  g_autoptr(WharfTransferItem) item = NULL;

  g_assert_true (wharf_test_ui_wait_for (has_transfer, GUINT_TO_POINTER (n_before)));
  /* Newest first. */
  item = g_list_model_get_item (G_LIST_MODEL (manager), 0);
  g_assert_true (wharf_test_ui_wait_for (transfer_finished, item));
  if (wharf_transfer_item_get_state (item) != WHARF_TRANSFER_STATE_DONE)
    g_error ("The transfer ended in state %d: %s", wharf_transfer_item_get_state (item),
             wharf_transfer_item_get_error_message (item));

  return item;
}

static void
test_copy_multi_arch (void)
{
  g_autoptr(WharfTestRegistry) source = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) target = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  const char *platforms[] = { "linux/amd64", "linux/arm64/v8", NULL };
  WharfTransferManager *manager = wharf_application_get_transfer_manager (app);
  g_autofree char *digest = NULL;
  g_autofree char *copied = NULL;
  g_autoptr(GError) error = NULL;
  WharfWindow *window;
  WharfRegistry *source_registry;
  WharfRegistry *target_registry;
  WharfCopyDialog *dialog;
  AdwEntryRow *name_row;
  guint n_before;

  digest = wharf_test_registry_push_index (source, "multi", "v1", platforms, TRUE);

  window = wharf_test_ui_present_main_window (app);

  /* The target is one of the sidebar's registries. */
  g_assert_true (wharf_window_select_registry (window, wharf_test_registry_get_address (target),
                                               &error));
  g_assert_no_error (error);
  target_registry = wharf_window_get_registry (window);
  source_registry = open_repository (window, source, "multi", 1);
  g_assert_true (source_registry != target_registry);
  select_tag (window, "v1");

  /* Copy to… opens prefilled, on the source registry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-tag", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_COPY_DIALOG);
  name_row = wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW, "Repository and _Tag");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "multi:v1");
  /* Same registry, same name: nowhere to copy to. */
  g_assert_nonnull (wharf_copy_dialog_get_error (dialog));
  g_assert_false (wharf_copy_dialog_confirm (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* What a drag onto the sidebar does: the target preselected. */
  wharf_window_copy_tag_to (window, source_registry, "multi", "v1", target_registry);
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_COPY_DIALOG);
  g_assert_true (wharf_copy_dialog_get_target_registry (dialog) == target_registry);
  g_assert_null (wharf_copy_dialog_get_error (dialog));

  /* Checked as typed. */
  name_row = wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW, "Repository and _Tag");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Bad Name:v1");
  g_assert_nonnull (wharf_copy_dialog_get_error (dialog));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_find_button (dialog,
                                                                                   "_Copy"))));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "copies/multi:v1");
  g_assert_null (wharf_copy_dialog_get_error (dialog));
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "manage-copy-dialog.png");
  g_assert_cmpstr (wharf_copy_dialog_get_target_repository (dialog), ==, "copies/multi");

  n_before = g_list_model_get_n_items (G_LIST_MODEL (manager));
  wharf_test_ui_click (wharf_test_ui_find_button (dialog, "_Copy"));
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_has_no_toplevel,
                                         GSIZE_TO_POINTER (WHARF_TYPE_COPY_DIALOG)));
  g_assert_cmpint (wharf_transfer_item_get_direction (wait_for_new_transfer (n_before)), ==,
                   WHARF_TRANSFER_DIRECTION_COPY);

  /* The index itself, not one platform of it. */
  copied = head_digest (target, NULL, NULL, "copies/multi", "v1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copied, ==, digest);

  destroy_all_windows ();
}

/* Add Tag… retags in place. */
static void
test_add_tag (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autofree char *digest = NULL;
  g_autofree char *tagged = NULL;
  WharfWindow *window;
  WharfCopyDialog *dialog;
  AdwEntryRow *name_row;
  TagWait wait;

  digest = wharf_test_registry_push_image (reg, "site", "v1", 1, 512, "linux/amd64", TRUE);

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "site", 1);
  select_tag (window, "v1");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-tag", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_COPY_DIALOG);
  name_row = wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW, "New _Tag");

  gtk_editable_set_text (GTK_EDITABLE (name_row), "v1");
  g_assert_nonnull (wharf_copy_dialog_get_error (dialog));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "-bad");
  g_assert_nonnull (wharf_copy_dialog_get_error (dialog));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_find_button (dialog,
                                                                                   "_Add Tag"))));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "stable");
  g_assert_null (wharf_copy_dialog_get_error (dialog));
  wharf_test_ui_click (wharf_test_ui_find_button (dialog, "_Add Tag"));

  wait = (TagWait) { window, "stable" };
  g_assert_true (wharf_test_ui_wait_for (tag_listed, &wait));
  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_has_no_toplevel,
                                         GSIZE_TO_POINTER (WHARF_TYPE_COPY_DIALOG)));
  tagged = head_digest (reg, NULL, NULL, "site", "stable", NULL);
  g_assert_cmpstr (tagged, ==, digest);
  wait_for_n_tags (window, 2);

  destroy_all_windows ();
}

/* Share to Docker Hub, against the token registry standing in for it. */

/* A crossfade between pages shows both: a screenshot waits for its end. */
static gboolean
stack_settled (gpointer data)
{
  return !gtk_stack_get_transition_running (GTK_STACK (data));
}

static gboolean
share_in_state (gpointer data)
{
  WharfShareDialog *dialog = wharf_test_ui_find_toplevel (WHARF_TYPE_SHARE_DIALOG);

  return dialog != NULL && wharf_share_dialog_get_state (dialog) == GPOINTER_TO_INT (data);
}

static gboolean
share_done_or_failed (gpointer data)
{
  WharfShareState state = wharf_share_dialog_get_state (WHARF_SHARE_DIALOG (data));

  return state == WHARF_SHARE_STATE_DONE || state == WHARF_SHARE_STATE_FAILED;
}

static void
test_share_to_hub (void)
{
  g_autoptr(WharfTestRegistry) reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfCredential) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *shared = NULL;
  WharfWindow *window;
  WharfShareDialog *dialog;
  WharfSignInDialog *sign_in;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GPtrArray) stacks = NULL;
  g_autofree char *clipboard_text = NULL;
  GtkButton *copy_button;
  gboolean command_shown = FALSE;

  digest = wharf_test_registry_push_image (reg, "team/web", "v1", 2, 1024, "linux/amd64", TRUE);

  window = wharf_test_ui_present_main_window (app);
  open_repository (window, reg, "team/web", 1);
  select_tag (window, "v1");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.share-tag", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_SHARE_DIALOG);

  /* No account known yet: the sign-in dialog asks for one. */
  g_assert_true (wharf_test_ui_wait_for (share_in_state,
                                         GINT_TO_POINTER (WHARF_SHARE_STATE_SIGN_IN)));
  sign_in = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_SIGN_IN_DIALOG);
  gtk_editable_set_text (GTK_EDITABLE (wharf_test_ui_get_row (sign_in, ADW_TYPE_PREFERENCES_ROW,
                                                              "Username")),
                         WHARF_TEST_TOKEN_FULL_USER);
  gtk_editable_set_text (GTK_EDITABLE (wharf_test_ui_get_row (sign_in, ADW_TYPE_PREFERENCES_ROW,
                                                              "Password")),
                         WHARF_TEST_TOKEN_FULL_PASSWORD);
  wharf_test_ui_click (wharf_test_ui_find_button (sign_in, "_Sign In"));

  g_assert_true (wharf_test_ui_wait_for (share_in_state,
                                         GINT_TO_POINTER (WHARF_SHARE_STATE_READY)));
  g_assert_cmpstr (wharf_share_dialog_get_destination (dialog), ==, "docker.io/full/web:v1");

  /* Docker Hub's credentials are in the keyring, under Hub's name. */
  stored = wharf_credential_lookup_keyring_sync (WHARF_DOCKER_HUB_DOMAIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->username, ==, WHARF_TEST_TOKEN_FULL_USER);

  g_assert_true (wharf_share_dialog_share (dialog));
  g_assert_true (wharf_test_ui_wait_for (share_done_or_failed, dialog));
  if (wharf_share_dialog_get_state (dialog) != WHARF_SHARE_STATE_DONE)
    g_error ("Sharing failed: %s", wharf_share_dialog_get_error (dialog));

  g_assert_cmpstr (wharf_share_dialog_get_pull_command (dialog), ==, "docker pull full/web:v1");
  labels = wharf_test_ui_find_all (dialog, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);

      if (g_strcmp0 (gtk_label_get_text (label), "docker pull full/web:v1") == 0 &&
          gtk_widget_get_mapped (GTK_WIDGET (label)))
        command_shown = TRUE;
    }
  g_assert_true (command_shown);
  copy_button = find_button_by_tooltip (dialog, "Copy Pull Command");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (copy_button)));
  stacks = wharf_test_ui_find_all (dialog, GTK_TYPE_STACK);
  for (guint i = 0; i < stacks->len; i++)
    g_assert_true (wharf_test_ui_wait_for (stack_settled, g_ptr_array_index (stacks, i)));
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "manage-share-done.png");

  /* The copy button puts the command on the clipboard. */
  wharf_test_ui_click (copy_button);
  clipboard_text = wharf_test_ui_read_clipboard (GTK_WIDGET (dialog));
  g_assert_cmpstr (clipboard_text, ==, "docker pull full/web:v1");

  /* The image is on the stand-in, under the account's name. */
  shared = head_digest (hub_stand_in, WHARF_TEST_TOKEN_FULL_USER, WHARF_TEST_TOKEN_FULL_PASSWORD,
                        "full/web", "v1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (shared, ==, digest);

  wharf_test_ui_destroy_all_toplevels ();
}

/* The stand-in setting changes where Docker Hub's requests go, and nothing else. */
static void
test_hub_stand_in_endpoint (void)
{
  g_autoptr(WharfEndpoint) hub = NULL;
  g_autoptr(WharfEndpoint) plain = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("WHARF_DOCKER_HUB_REGISTRY"));

  g_setenv ("WHARF_DOCKER_HUB_REGISTRY", "127.0.0.1:5999", TRUE);
  hub = wharf_endpoint_new ("index.docker.io", NULL);
  g_assert_nonnull (hub);
  g_assert_cmpstr (wharf_endpoint_get_domain (hub), ==, "docker.io");
  g_assert_cmpstr (wharf_endpoint_get_api_host (hub), ==, "127.0.0.1:5999");
  g_assert_true (wharf_endpoint_is_docker_hub (hub));
  g_assert_true (wharf_endpoint_is_loopback (hub));
  g_assert_cmpint (wharf_endpoint_get_scheme (hub), ==, WHARF_SCHEME_AUTO);
  plain = wharf_endpoint_new ("127.0.0.1:5000", NULL);
  g_assert_cmpstr (wharf_endpoint_get_api_host (plain), ==, "127.0.0.1:5000");
  g_assert_false (wharf_endpoint_is_docker_hub (plain));
  g_clear_object (&hub);

  /* Hub itself as the stand-in is no stand-in. */
  g_setenv ("WHARF_DOCKER_HUB_REGISTRY", "docker.io", TRUE);
  hub = wharf_endpoint_new ("docker.io", NULL);
  g_assert_cmpstr (wharf_endpoint_get_api_host (hub), ==, "registry-1.docker.io");
  g_clear_object (&hub);

  g_unsetenv ("WHARF_DOCKER_HUB_REGISTRY");
  hub = wharf_endpoint_new ("docker.io", NULL);
  g_assert_cmpstr (wharf_endpoint_get_api_host (hub), ==, "registry-1.docker.io");
  g_assert_cmpint (wharf_endpoint_get_scheme (hub), ==, WHARF_SCHEME_HTTPS);

  if (saved != NULL)
    g_setenv ("WHARF_DOCKER_HUB_REGISTRY", saved, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, TRUE))
    {
      app = wharf_test_ui_application_new ("io.github.wharfapp.Wharf.ManageTest",
                                           G_APPLICATION_NON_UNIQUE, TRUE);

      /* Started from the main thread, before any Docker Hub endpoint exists. */
      hub_stand_in = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
      g_setenv ("WHARF_DOCKER_HUB_REGISTRY", wharf_test_registry_get_address (hub_stand_in),
                TRUE);
    }

  g_test_add_func ("/manage/hub-stand-in/endpoint", test_hub_stand_in_endpoint);
  wharf_test_ui_add ("/manage/delete/tag-keeps-sibling", test_delete_tag_keeps_sibling);
  wharf_test_ui_add ("/manage/delete/undo", test_delete_undo);
  wharf_test_ui_add ("/manage/delete/several", test_delete_several);
  wharf_test_ui_add ("/manage/delete/repository", test_delete_repository);
  wharf_test_ui_add ("/manage/delete/disabled", test_delete_disabled);
  wharf_test_ui_add ("/manage/copy/multi-arch", test_copy_multi_arch);
  wharf_test_ui_add ("/manage/add-tag", test_add_tag);
  wharf_test_ui_add ("/manage/share/hub-stand-in", test_share_to_hub);

  ret = g_test_run ();

  if (app != NULL)
    wharf_test_ui_destroy_all_toplevels ();
  g_clear_object (&app);
  g_clear_pointer (&hub_stand_in, wharf_test_registry_stop);

  return ret;
}
