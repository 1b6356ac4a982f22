/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-registry-ui.c: the registry list, the sidebar and the add/edit and sign-in
 * dialogs, against real registries and a real keyring. */

#define G_LOG_DOMAIN "test-registry-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-registry-dialog.h"
#include "wharf-registry-row.h"
#include "wharf-registry-sidebar.h"
#include "wharf-registry.h"
#include "wharf-sign-in-dialog.h"

#include "wharf-test-ui.h"

#define SCHEMA_ID "io.github.wharfapp.Wharf"

/* Only a safety net against a hang: a test that waits this long has failed. */
#define WAIT_LIMIT_SECONDS 60

static GSettings *
fresh_settings (void)
{
  GSettings *settings = g_settings_new (SCHEMA_ID);

  g_settings_reset (settings, "registries");
  return settings;
}

/* The store with exactly these registries, saved. */
static WharfRegistryStore *
store_with (GSettings          *settings,
            const char * const *addresses)
{
  WharfRegistryStore *store = wharf_registry_store_new (settings);

  wharf_test_ui_store_set (store, addresses);
  return store;
}

/* Widgets */

static GtkWidget *
address_row (gpointer dialog)
{
  return wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW, "Address");
}

static WharfRegistryRow *
find_registry_row (gpointer       widget,
                   WharfRegistry *registry)
{
  g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (widget, WHARF_TYPE_REGISTRY_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      WharfRegistryRow *row = g_ptr_array_index (rows, i);

      if (wharf_registry_row_get_registry (row) == registry)
        return row;
    }

  return NULL;
}

static gboolean
is_gone (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(GObject) object = g_weak_ref_get (ref);

  return object == NULL || !gtk_widget_get_visible (GTK_WIDGET (object));
}

static GtkWindow *
present_sidebar (WharfRegistryStore    *store,
                 WharfRegistrySidebar **out_sidebar)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *sidebar = wharf_registry_sidebar_new (store);

  gtk_window_set_title (window, "Registries");
  gtk_window_set_default_size (window, 320, 420);
  gtk_window_set_child (window, sidebar);
  gtk_window_present (window);
  wharf_test_ui_wait_for_paint (window);

  *out_sidebar = WHARF_REGISTRY_SIDEBAR (sidebar);
  return window;
}

/* Registry status */

typedef struct
{
  WharfRegistry       *registry;
  WharfRegistryStatus  status;
} StatusWait;

static gboolean
has_status (gpointer data)
{
  StatusWait *wait = data;

  return wharf_registry_get_status (wait->registry) == wait->status;
}

static void
assert_status_becomes (WharfRegistry       *registry,
                       WharfRegistryStatus  status)
{
  StatusWait wait = { registry, status };

  if (!wharf_test_ui_wait_for (has_status, &wait))
    g_error ("%s: status %d, not %d (%s)", wharf_registry_get_address (registry),
             wharf_registry_get_status (registry), status,
             wharf_registry_get_status_message (registry));
}

static gboolean
is_settled (gpointer data)
{
  WharfRegistryStatus status = wharf_registry_get_status (WHARF_REGISTRY (data));

  return status != WHARF_REGISTRY_STATUS_CHECKING && status != WHARF_REGISTRY_STATUS_UNKNOWN;
}

static gboolean
is_idle (gpointer data)
{
  gboolean busy = TRUE;

  g_object_get (data, "busy", &busy, NULL);
  return !busy;
}

static void
refresh_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  wharf_registry_refresh_finish (WHARF_REGISTRY (object), result);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
refresh_and_wait (WharfRegistry *registry)
{
  gboolean done = FALSE;

  wharf_registry_refresh_async (registry, NULL, refresh_done_cb, &done);
  g_assert_true (wharf_test_ui_wait_for (is_true, &done));
}

/* Secrets */

static char *
keyring_secret (const char *domain)
{
  g_autoptr(WharfCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = wharf_credential_lookup_keyring_sync (domain, NULL, &error);
  g_assert_no_error (error);

  return credential != NULL ? g_strdup (credential->secret) : NULL;
}

/* Files may hold NUL bytes: not a string search. */
static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; needle_length <= length && i <= length - needle_length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_no_file_holds (const char *dir_path,
                      const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_no_file_holds (path, needle);
        }
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          if (!g_file_get_contents (path, &contents, &length, NULL))
            continue;
          if (contains_bytes (contents, length, needle))
            g_error ("%s holds the password in clear", path);
        }
    }
}

static void
assert_settings_hold_no (GSettings  *settings,
                         const char *needle)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, needle) != NULL)
        g_error ("GSettings key %s holds the password", keys[i]);
    }
}

static const char *
test_home (void)
{
  const char *home = g_getenv ("WHARF_TEST_HOME");

  return home != NULL ? home : g_get_home_dir ();
}

/* The store */

static void
test_store_first_run (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(WharfRegistryStore) store = wharf_registry_store_new (settings);
  g_autoptr(WharfRegistry) local = NULL;
  g_autoptr(GVariant) saved = NULL;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == WHARF_TYPE_REGISTRY);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  local = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (wharf_registry_get_display_name (local), ==, "Local registry");
  g_assert_cmpstr (wharf_registry_get_address (local), ==, "localhost:5000");
  g_assert_cmpstr (wharf_endpoint_get_domain (wharf_registry_get_endpoint (local)),
                   ==, "localhost:5000");
  g_assert_nonnull (wharf_registry_get_client (local));
  g_assert_cmpint (wharf_registry_get_status (local), ==, WHARF_REGISTRY_STATUS_UNKNOWN);
  g_assert_null (wharf_registry_get_username (local));

  /* Found however it is spelled. */
  g_assert_true (wharf_registry_store_find (store, "http://LOCALHOST:5000/") == local);
  g_assert_null (wharf_registry_store_find (store, "localhost:5001"));
  g_assert_null (wharf_registry_store_find (store, "not an address"));

  /* Nothing written just by starting. */
  saved = g_settings_get_user_value (settings, "registries");
  g_assert_null (saved);
}

static void
test_store_round_trip (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(WharfRegistryStore) store = wharf_registry_store_new (settings);
  g_autoptr(WharfRegistryStore) reloaded = NULL;
  g_autoptr(WharfRegistryStore) emptied = NULL;
  g_autoptr(WharfRegistry) local = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_autoptr(WharfEndpoint) example = wharf_endpoint_new ("registry.example.com:5000", NULL);
  g_autoptr(WharfEndpoint) plain = wharf_endpoint_new ("http://build.example.org", NULL);
  g_autoptr(WharfEndpoint) hub = wharf_endpoint_new ("index.docker.io", NULL);
  g_autoptr(WharfEndpoint) again = wharf_endpoint_new ("https://registry.example.com:5000/",
                                                       NULL);
  WharfRegistry *added;
  WharfRegistry *found;

  wharf_endpoint_set_ca_file (example, "/etc/ssl/example-ca.pem");
  wharf_endpoint_set_allow_insecure (plain, TRUE);
  wharf_endpoint_set_tls_policy (hub, WHARF_TLS_NO_VERIFY);

  added = wharf_registry_store_add (store, example, "Example");
  g_assert_nonnull (added);
  g_assert_cmpstr (wharf_registry_get_display_name (added), ==, "Example");
  g_assert_true (wharf_registry_store_add (store, plain, NULL) != NULL);
  g_assert_true (wharf_registry_store_add (store, hub, "") != NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);

  /* The same registry spelled differently is not added twice. */
  g_assert_true (wharf_registry_store_add (store, again, "Other") == added);
  g_assert_cmpstr (wharf_registry_get_display_name (added), ==, "Example");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);

  wharf_registry_store_remove (store, local);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);

  /* A renamed registry is saved as it changes. */
  found = wharf_registry_store_find (store, "docker.io");
  g_assert_nonnull (found);
  g_assert_cmpstr (wharf_registry_get_display_name (found), ==, "Docker Hub");
  wharf_registry_set_display_name (found, "The Hub");

  reloaded = wharf_registry_store_new (settings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 3);

  {
    g_autoptr(WharfRegistry) first = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
    g_autoptr(WharfRegistry) second = g_list_model_get_item (G_LIST_MODEL (reloaded), 1);
    g_autoptr(WharfRegistry) third = g_list_model_get_item (G_LIST_MODEL (reloaded), 2);
    WharfEndpoint *endpoint;

    g_assert_cmpstr (wharf_registry_get_address (first), ==, "registry.example.com:5000");
    g_assert_cmpstr (wharf_registry_get_display_name (first), ==, "Example");
    endpoint = wharf_registry_get_endpoint (first);
    g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_CA_FILE);
    g_assert_cmpstr (wharf_endpoint_get_ca_file (endpoint), ==, "/etc/ssl/example-ca.pem");
    g_assert_false (wharf_endpoint_get_allow_insecure (endpoint));

    /* The explicit scheme survives: it is what makes this one plain HTTP. */
    g_assert_cmpstr (wharf_registry_get_address (second), ==, "http://build.example.org");
    endpoint = wharf_registry_get_endpoint (second);
    g_assert_cmpint (wharf_endpoint_get_scheme (endpoint), ==, WHARF_SCHEME_HTTP);
    g_assert_true (wharf_endpoint_get_allow_insecure (endpoint));
    g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_VERIFY);
    g_assert_null (wharf_registry_get_custom_name (second));

    g_assert_cmpstr (wharf_registry_get_address (third), ==, "docker.io");
    g_assert_cmpstr (wharf_registry_get_display_name (third), ==, "The Hub");
    endpoint = wharf_registry_get_endpoint (third);
    g_assert_true (wharf_endpoint_is_docker_hub (endpoint));
    g_assert_cmpint (wharf_endpoint_get_tls_policy (endpoint), ==, WHARF_TLS_NO_VERIFY);
  }

  /* Removing every registry is remembered: no "Local registry" comes back. */
  while (g_list_model_get_n_items (G_LIST_MODEL (reloaded)) > 0)
    {
      g_autoptr(WharfRegistry) first = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);

      wharf_registry_store_remove (reloaded, first);
    }
  emptied = wharf_registry_store_new (settings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (emptied)), ==, 0);
}

static void
test_store_ignores_bad_entries (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(WharfRegistryStore) store = NULL;
  g_autoptr(WharfRegistry) only = NULL;
  GVariant *value;

  value = g_variant_new_parsed ("[{'address': <'ftp://nope'>},"
                                " {'name': <'No address'>},"
                                " {'address': <'quay.io'>, 'name': <'Quay'>},"
                                " {'address': <'https://quay.io/'>, 'name': <'Twice'>}]");
  g_settings_set_value (settings, "registries", value);

  store = wharf_registry_store_new (settings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  only = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (wharf_registry_get_display_name (only), ==, "Quay");
}

/* Registries and the sidebar */

static void
test_registry_status (void)
{
  g_autoptr(WharfTestRegistry) plain = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(WharfTestRegistry) htpasswd =
    wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(WharfRegistryStore) store = NULL;
  WharfRegistrySidebar *sidebar = NULL;
  WharfRegistry *plain_registry;
  WharfRegistry *auth_registry;
  WharfRegistry *dead_registry;
  WharfRegistryRow *row;
  const char *addresses[] = {
    wharf_test_registry_get_address (plain),
    wharf_test_registry_get_address (htpasswd),
    "127.0.0.1:1",
    NULL
  };
  GtkWindow *window;

  store = store_with (settings, addresses);
  plain_registry = wharf_registry_store_find (store, addresses[0]);
  auth_registry = wharf_registry_store_find (store, addresses[1]);
  dead_registry = wharf_registry_store_find (store, addresses[2]);

  /* Shown, the sidebar checks every registry by itself. */
  window = present_sidebar (store, &sidebar);
  assert_status_becomes (plain_registry, WHARF_REGISTRY_STATUS_REACHABLE);
  assert_status_becomes (auth_registry, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);
  assert_status_becomes (dead_registry, WHARF_REGISTRY_STATUS_ERROR);

  g_assert_null (wharf_registry_get_status_message (plain_registry));
  g_assert_nonnull (wharf_registry_get_status_message (auth_registry));
  g_assert_nonnull (wharf_registry_get_status_error (dead_registry));
  g_assert_true (g_error_matches (wharf_registry_get_status_error (dead_registry),
                                  WHARF_ERROR, WHARF_ERROR_CONNECTION_REFUSED));

  /* What the rows show, and what a screen reader hears. */
  row = find_registry_row (sidebar, plain_registry);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, addresses[0]);
  /* Without a name of its own, the address is not shown twice. */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "");
  g_assert_cmpstr (wharf_registry_row_get_status_text (row), ==, "Reachable");
  g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (row),
                                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                     "Reachable"));

  row = find_registry_row (sidebar, auth_registry);
  g_assert_cmpstr (wharf_registry_row_get_status_text (row), ==, "Needs sign-in");

  row = find_registry_row (sidebar, dead_registry);
  g_assert_true (g_str_has_prefix (wharf_registry_row_get_status_text (row), "Error: "));
  g_assert_nonnull (strstr (wharf_registry_row_get_status_text (row),
                            wharf_registry_get_status_message (dead_registry)));
  {
    g_autoptr(GPtrArray) widgets = wharf_test_ui_find_all (row, GTK_TYPE_WIDGET);
    gboolean has_tooltip = FALSE;

    /* The error's sentence is the status indicator's tooltip. */
    for (guint i = 0; i < widgets->len; i++)
      if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (widgets, i)),
                     wharf_registry_get_status_message (dead_registry)) == 0)
        has_tooltip = TRUE;
    g_assert_true (has_tooltip);
  }

  /* Selection goes both ways. */
  g_assert_null (wharf_registry_sidebar_get_selected_registry (sidebar));
  wharf_registry_sidebar_set_selected_registry (sidebar, auth_registry);
  g_assert_true (wharf_registry_sidebar_get_selected_registry (sidebar) == auth_registry);
  {
    g_autoptr(WharfRegistry) selected = NULL;

    g_object_get (sidebar, "selected-registry", &selected, NULL);
    g_assert_true (selected == auth_registry);
  }

  /* The "+" button is named for screen readers and opens the add dialog. */
  {
    GtkWidget *header = GTK_WIDGET (wharf_registry_sidebar_get_header_bar (sidebar));
    g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (header, GTK_TYPE_BUTTON);
    GtkButton *add = NULL;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_button_get_icon_name (g_ptr_array_index (buttons, i)),
                     "list-add-symbolic") == 0)
        add = g_ptr_array_index (buttons, i);
    g_assert_nonnull (add);
    g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (add),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                       "Add Registry"));
  }

  wharf_test_ui_save_screenshot (GTK_WIDGET (window), "wharf-registry-sidebar.png");

  wharf_test_ui_destroy_all_toplevels ();
}

static WharfRegistryDialog *
open_add_dialog (WharfRegistrySidebar *sidebar)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.add", NULL));
  return wharf_test_ui_wait_for_toplevel (WHARF_TYPE_REGISTRY_DIALOG);
}

static void
fill (gpointer    dialog,
      const char *title,
      const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW,
                                                              title)), text);
}

static const char *
run_connection_test (WharfRegistryDialog *dialog)
{
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Test Connection"));
  g_assert_true (wharf_registry_dialog_get_busy (dialog));
  g_assert_true (wharf_test_ui_wait_for (is_idle, dialog));

  return wharf_registry_dialog_get_test_result (dialog);
}

static void
test_add_dialog (void)
{
  g_autoptr(WharfTestRegistry) htpasswd =
    wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(WharfTestRegistry) plain = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(WharfRegistryStore) store = store_with (settings, NULL);
  const char *address = wharf_test_registry_get_address (htpasswd);
  WharfRegistrySidebar *sidebar = NULL;
  WharfRegistryDialog *dialog;
  WharfRegistry *registry;
  GWeakRef dialog_ref;
  const char *result;
  g_autofree char *secret = NULL;

  present_sidebar (store, &sidebar);
  dialog = open_add_dialog (sidebar);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Add Registry");
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) ==
                 GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (sidebar))));

  /* Screen readers (and the end-to-end test) find the fields by name. */
  {
    const char *fields[] = { "Address", "Name", "Username", "Password" };

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        gpointer row = wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW, fields[i]);
        GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

        g_assert_nonnull (text);
        g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (text),
                                                           GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                           fields[i]));
      }
  }

  /* Validated as typed. */
  fill (dialog, "Address", "ftp://example.com");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                  "_Add"))));
  g_assert_true (gtk_widget_has_css_class (address_row (dialog), "error"));

  /* The plain registry needs no sign-in. */
  fill (dialog, "Address", wharf_test_registry_get_address (plain));
  g_assert_false (gtk_widget_has_css_class (address_row (dialog), "error"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                 "_Add"))));
  result = run_connection_test (dialog);
  g_assert_nonnull (result);
  g_assert_nonnull (strstr (result, "Registry API v2 found"));
  g_assert_nonnull (strstr (result, "No sign-in needed"));

  /* The htpasswd one asks for a password, and a wrong one is refused… */
  fill (dialog, "Address", address);
  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Registry API v2 found"));
  g_assert_nonnull (strstr (result, "Sign-in with password (Basic)"));
  fill (dialog, "Username", WHARF_TEST_HTPASSWD_USER);
  fill (dialog, "Password", "not-the-password");
  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Sign-in with password (Basic)"));
  g_assert_nonnull (strstr (result, "Wrong username or password"));

  /* …and adding with it stores nothing and keeps the dialog open. */
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Add"));
  g_assert_true (wharf_registry_dialog_get_busy (dialog));
  g_assert_true (wharf_test_ui_wait_for (is_idle, dialog));
  g_assert_nonnull (wharf_registry_dialog_get_error (dialog));
  g_assert_nonnull (strstr (wharf_registry_dialog_get_error (dialog),
                            "Wrong username or password"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (wharf_registry_store_find (store, address));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  secret = keyring_secret (address);
  g_assert_null (secret);

  /* The right password is accepted. */
  fill (dialog, "Password", WHARF_TEST_HTPASSWD_PASSWORD);
  g_assert_null (wharf_registry_dialog_get_error (dialog));
  fill (dialog, "Name", "Team registry");
  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Username and password accepted"));
  wharf_test_ui_save_screenshot (GTK_WIDGET (dialog), "wharf-registry-dialog.png");

  g_weak_ref_init (&dialog_ref, dialog);
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Add"));
  g_assert_true (wharf_test_ui_wait_for (is_gone, &dialog_ref));
  g_weak_ref_clear (&dialog_ref);

  registry = wharf_registry_store_find (store, address);
  g_assert_nonnull (registry);
  g_assert_cmpstr (wharf_registry_get_display_name (registry), ==, "Team registry");
  g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_SIGNED_IN);
  g_assert_cmpstr (wharf_registry_get_username (registry), ==, WHARF_TEST_HTPASSWD_USER);
  g_assert_true (wharf_registry_sidebar_get_selected_registry (sidebar) == registry);
  {
    WharfRegistryRow *row = find_registry_row (sidebar, registry);

    g_assert_nonnull (row);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                     ==, "Team registry");
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, address);
    g_assert_cmpstr (wharf_registry_row_get_status_text (row), ==, "Signed in as alice");
  }

  /* The password went to the keyring, and nowhere else. */
  g_clear_pointer (&secret, g_free);
  secret = keyring_secret (address);
  g_assert_cmpstr (secret, ==, WHARF_TEST_HTPASSWD_PASSWORD);
  assert_settings_hold_no (settings, WHARF_TEST_HTPASSWD_PASSWORD);
  assert_no_file_holds (test_home (), WHARF_TEST_HTPASSWD_PASSWORD);

  /* Another check finds the stored credentials by itself. */
  {
    g_autoptr(WharfRegistryStore) reloaded = wharf_registry_store_new (settings);
    WharfRegistry *again = wharf_registry_store_find (reloaded, address);

    g_assert_nonnull (again);
    refresh_and_wait (again);
    g_assert_cmpint (wharf_registry_get_status (again), ==, WHARF_REGISTRY_STATUS_SIGNED_IN);
    g_assert_cmpstr (wharf_registry_get_username (again), ==, WHARF_TEST_HTPASSWD_USER);
  }

  /* Sign out forgets the keyring entry and goes anonymous. */
  wharf_registry_sidebar_set_selected_registry (sidebar, registry);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.sign-out", NULL));
  assert_status_becomes (registry, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);
  g_assert_null (wharf_registry_get_username (registry));
  g_clear_pointer (&secret, g_free);
  secret = keyring_secret (address);
  g_assert_null (secret);
  {
    g_autoptr(WharfCredential) credential = wharf_client_dup_credential (
      wharf_registry_get_client (registry));

    g_assert_null (credential);
  }

  wharf_test_ui_destroy_all_toplevels ();
  g_assert_true (wharf_credential_forget_sync (address, NULL, NULL));
}

static void
test_bearer_registry (void)
{
  g_autoptr(WharfTestRegistry) token = wharf_test_registry_start (WHARF_TEST_REGISTRY_TOKEN);
  g_autoptr(GSettings) settings = fresh_settings ();
  const char *address = wharf_test_registry_get_address (token);
  const char *addresses[] = { address, NULL };
  g_autoptr(WharfRegistryStore) store = store_with (settings, addresses);
  WharfRegistry *registry = wharf_registry_store_find (store, address);
  WharfRegistrySidebar *sidebar = NULL;
  WharfRegistryDialog *dialog;
  const char *result;

  /* Token services hand out anonymous tokens: reachable, not "needs sign-in",
   * until a pane finds what anonymous users may not do. */
  present_sidebar (store, &sidebar);
  assert_status_becomes (registry, WHARF_REGISTRY_STATUS_REACHABLE);
  {
    g_autoptr(GError) denied = g_error_new_literal (WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED,
                                                    "Sign in to list the repositories.");
    g_autoptr(GError) missing = g_error_new_literal (WHARF_ERROR, WHARF_ERROR_NOT_FOUND,
                                                     "No such tag.");

    g_assert_false (wharf_registry_report_error (registry, missing));
    g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_REACHABLE);
    g_assert_true (wharf_registry_report_error (registry, denied));
    g_assert_cmpint (wharf_registry_get_status (registry),
                     ==, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);
    g_assert_cmpstr (wharf_registry_get_status_message (registry),
                     ==, "Sign in to list the repositories.");
  }

  wharf_registry_sidebar_set_selected_registry (sidebar, registry);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.edit", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_REGISTRY_DIALOG);

  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Registry API v2 found"));
  g_assert_nonnull (strstr (result, "Sign-in with tokens (Bearer)"));

  fill (dialog, "Username", WHARF_TEST_TOKEN_FULL_USER);
  fill (dialog, "Password", "wrong");
  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Sign-in with tokens (Bearer)"));
  g_assert_null (strstr (result, "accepted"));

  fill (dialog, "Password", WHARF_TEST_TOKEN_FULL_PASSWORD);
  result = run_connection_test (dialog);
  g_assert_nonnull (strstr (result, "Username and password accepted"));

  /* A test stores nothing. */
  {
    g_autofree char *secret = keyring_secret (address);

    g_assert_null (secret);
  }

  /* Saving the edit signs in: checked with the new settings, then kept. */
  {
    GWeakRef dialog_ref;
    g_autofree char *secret = NULL;
    WharfClient *client_before = wharf_registry_get_client (registry);

    g_weak_ref_init (&dialog_ref, dialog);
    wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Save"));
    g_assert_true (wharf_test_ui_wait_for (is_gone, &dialog_ref));
    g_weak_ref_clear (&dialog_ref);

    g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_SIGNED_IN);
    g_assert_cmpstr (wharf_registry_get_username (registry), ==, WHARF_TEST_TOKEN_FULL_USER);
    /* A new client: the panes list again with the rights it has. */
    g_assert_true (wharf_registry_get_client (registry) != client_before);
    secret = keyring_secret (address);
    g_assert_cmpstr (secret, ==, WHARF_TEST_TOKEN_FULL_PASSWORD);
  }

  wharf_test_ui_destroy_all_toplevels ();
  g_assert_true (wharf_credential_forget_sync (address, NULL, NULL));
}

static void
test_sign_in_dialog (void)
{
  g_autoptr(WharfTestRegistry) htpasswd =
    wharf_test_registry_start (WHARF_TEST_REGISTRY_HTPASSWD);
  g_autoptr(GSettings) settings = fresh_settings ();
  const char *address = wharf_test_registry_get_address (htpasswd);
  const char *addresses[] = { address, NULL };
  g_autoptr(WharfRegistryStore) store = store_with (settings, addresses);
  WharfRegistry *registry = wharf_registry_store_find (store, address);
  WharfRegistrySidebar *sidebar = NULL;
  WharfSignInDialog *dialog;
  GWeakRef dialog_ref;
  g_autofree char *secret = NULL;

  present_sidebar (store, &sidebar);
  assert_status_becomes (registry, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);

  wharf_registry_sidebar_set_selected_registry (sidebar, registry);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.sign-in", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_SIGN_IN_DIALOG);

  /* It says which registry it is about. */
  {
    g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (dialog, GTK_TYPE_LABEL);
    gboolean names_address = FALSE;

    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), address) == 0)
        names_address = TRUE;
    g_assert_true (names_address);
  }

  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                  "_Sign In"))));
  fill (dialog, "Username", WHARF_TEST_HTPASSWD_USER);
  fill (dialog, "Password", "wrong");
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Sign In"));
  g_assert_true (wharf_sign_in_dialog_get_busy (dialog));
  g_assert_true (wharf_test_ui_wait_for (is_idle, dialog));
  g_assert_nonnull (wharf_sign_in_dialog_get_error (dialog));
  g_assert_nonnull (strstr (wharf_sign_in_dialog_get_error (dialog),
                            "Wrong username or password"));
  g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_NEEDS_SIGN_IN);
  secret = keyring_secret (address);
  g_assert_null (secret);

  fill (dialog, "Password", WHARF_TEST_HTPASSWD_PASSWORD);
  g_weak_ref_init (&dialog_ref, dialog);
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Sign In"));
  g_assert_true (wharf_test_ui_wait_for (is_gone, &dialog_ref));
  g_weak_ref_clear (&dialog_ref);

  g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_SIGNED_IN);
  g_assert_cmpstr (wharf_registry_get_username (registry), ==, WHARF_TEST_HTPASSWD_USER);
  secret = keyring_secret (address);
  g_assert_cmpstr (secret, ==, WHARF_TEST_HTPASSWD_PASSWORD);

  wharf_test_ui_destroy_all_toplevels ();
  g_assert_true (wharf_credential_forget_sync (address, NULL, NULL));
}

static void
test_edit_and_remove (void)
{
  g_autoptr(WharfTestRegistry) plain = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  g_autoptr(GSettings) settings = fresh_settings ();
  const char *address = wharf_test_registry_get_address (plain);
  const char *addresses[] = { address, "quay.io", NULL };
  g_autoptr(WharfRegistryStore) store = store_with (settings, addresses);
  WharfRegistry *registry = wharf_registry_store_find (store, address);
  WharfRegistrySidebar *sidebar = NULL;
  WharfRegistryDialog *dialog;
  AdwMessageDialog *confirm;
  GWeakRef dialog_ref;
  g_autoptr(GVariant) saved = NULL;
  g_autofree char *saved_text = NULL;

  present_sidebar (store, &sidebar);
  assert_status_becomes (registry, WHARF_REGISTRY_STATUS_REACHABLE);

  wharf_registry_sidebar_set_selected_registry (sidebar, registry);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.edit", NULL));
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_REGISTRY_DIALOG);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Registry");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row (dialog))),
                   ==, address);

  /* Another registry's address is refused as typed. */
  fill (dialog, "Address", "https://quay.io");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (wharf_test_ui_get_button (dialog,
                                                                                  "_Save"))));
  fill (dialog, "Address", address);

  /* Not verifying certificates warns. */
  {
    g_autoptr(GPtrArray) labels = NULL;
    gboolean warned = FALSE;

    adw_combo_row_set_selected (wharf_test_ui_get_row (dialog, ADW_TYPE_PREFERENCES_ROW,
                                                       "Certificates"), 2);
    labels = wharf_test_ui_find_all (dialog, GTK_TYPE_LABEL);
    for (guint i = 0; i < labels->len; i++)
      {
        GtkWidget *label = g_ptr_array_index (labels, i);

        if (gtk_widget_has_css_class (label, "warning") && gtk_widget_get_visible (label) &&
            strstr (gtk_label_get_text (GTK_LABEL (label)), "Without verification") != NULL)
          warned = TRUE;
      }
    g_assert_true (warned);
  }

  fill (dialog, "Name", "Build cache");
  g_weak_ref_init (&dialog_ref, dialog);
  wharf_test_ui_click (wharf_test_ui_get_button (dialog, "_Save"));
  g_assert_true (wharf_test_ui_wait_for (is_gone, &dialog_ref));
  g_weak_ref_clear (&dialog_ref);

  g_assert_cmpstr (wharf_registry_get_display_name (registry), ==, "Build cache");
  g_assert_cmpint (wharf_endpoint_get_tls_policy (wharf_registry_get_endpoint (registry)),
                   ==, WHARF_TLS_NO_VERIFY);
  /* Checked again with the new settings. */
  g_assert_true (wharf_test_ui_wait_for (is_settled, registry));
  g_assert_cmpint (wharf_registry_get_status (registry), ==, WHARF_REGISTRY_STATUS_REACHABLE);

  saved = g_settings_get_value (settings, "registries");
  saved_text = g_variant_print (saved, FALSE);
  g_assert_nonnull (strstr (saved_text, "'Build cache'"));
  g_assert_nonnull (strstr (saved_text, "'tls-verify': <false>"));

  /* Removing asks first, naming the registry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.remove", NULL));
  confirm = wharf_test_ui_wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (confirm), "Build cache"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "keyring"));
  adw_message_dialog_response (confirm, "cancel");
  wharf_test_ui_drain ();
  g_assert_true (wharf_registry_store_find (store, address) == registry);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.remove", NULL));
  confirm = wharf_test_ui_wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (confirm, "remove");
  wharf_test_ui_drain ();
  g_assert_null (wharf_registry_store_find (store, address));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_null (wharf_registry_sidebar_get_selected_registry (sidebar));

  g_clear_pointer (&saved, g_variant_unref);
  g_clear_pointer (&saved_text, g_free);
  saved = g_settings_get_value (settings, "registries");
  saved_text = g_variant_print (saved, FALSE);
  g_assert_null (strstr (saved_text, address));
  g_assert_nonnull (strstr (saved_text, "quay.io"));

  wharf_test_ui_destroy_all_toplevels ();
}

static GtkPopover *
find_open_popover (GtkWidget *widget)
{
  g_autoptr(GPtrArray) popovers = wharf_test_ui_find_all (widget, GTK_TYPE_POPOVER_MENU);

  for (guint i = 0; i < popovers->len; i++)
    if (gtk_widget_get_visible (g_ptr_array_index (popovers, i)))
      return g_ptr_array_index (popovers, i);

  return NULL;
}

static void
activated_cb (WharfRegistrySidebar  *sidebar,
              WharfRegistry         *registry,
              WharfRegistry        **out)
{
  *out = registry;
}

static void
test_context_menu (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  const char *addresses[] = { "registry-a.invalid:5000", "registry-b.invalid:5000", NULL };
  g_autoptr(WharfRegistryStore) store = store_with (settings, addresses);
  WharfRegistry *first = wharf_registry_store_find (store, addresses[0]);
  WharfRegistry *second = wharf_registry_store_find (store, addresses[1]);
  WharfRegistry *activated = NULL;
  WharfRegistrySidebar *sidebar = NULL;
  WharfRegistryRow *second_row;
  WharfRegistryDialog *dialog;
  AdwMessageDialog *confirm;
  GtkPopover *popover;
  GtkMenuButton *menu_button;

  present_sidebar (store, &sidebar);
  wharf_registry_sidebar_set_selected_registry (sidebar, first);
  second_row = find_registry_row (sidebar, second);

  /* Activating a row says which registry. */
  g_signal_connect (sidebar, "activated", G_CALLBACK (activated_cb), &activated);
  g_signal_emit_by_name (gtk_widget_get_parent (GTK_WIDGET (second_row)), "row-activated",
                         second_row);
  g_assert_true (activated == second);

  /* The Menu key opens the menu of the focused row, which is not the
   * selected one: its actions are about the focused row. */
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (second_row)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.context-menu",
                                             NULL));
  popover = find_open_popover (GTK_WIDGET (sidebar));
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.edit", NULL));
  gtk_popover_popdown (popover);
  dialog = wharf_test_ui_wait_for_toplevel (WHARF_TYPE_REGISTRY_DIALOG);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row (dialog))),
                   ==, addresses[1]);
  gtk_window_close (GTK_WINDOW (dialog));
  wharf_test_ui_drain ();

  /* Once the menu closed, the actions are about the selected row again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.remove", NULL));
  confirm = wharf_test_ui_wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (confirm), addresses[0]));
  adw_message_dialog_response (confirm, "cancel");
  wharf_test_ui_drain ();

  /* The row's own menu button works on its row. Nobody signed in: no
   * "Sign Out". */
  menu_button = wharf_registry_row_get_menu_button (second_row);
  g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (menu_button),
                                                     GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                     "Registry Menu"));
  gtk_menu_button_popup (menu_button);
  popover = gtk_menu_button_get_popover (menu_button);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  wharf_test_ui_drain ();
  {
    g_autoptr(GPtrArray) items = wharf_test_ui_find_all (popover,
                                                         g_type_from_name ("GtkModelButton"));
    g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < items->len; i++)
      {
        char *text = NULL;

        if (!gtk_widget_get_visible (g_ptr_array_index (items, i)))
          continue;
        g_object_get (g_ptr_array_index (items, i), "text", &text, NULL);
        g_ptr_array_add (shown, text);
      }
    g_ptr_array_add (shown, NULL);

    g_assert_true (g_strv_contains ((const char * const *) shown->pdata, "Edit…"));
    g_assert_true (g_strv_contains ((const char * const *) shown->pdata, "Sign In…"));
    g_assert_false (g_strv_contains ((const char * const *) shown->pdata, "Sign Out"));
    g_assert_true (g_strv_contains ((const char * const *) shown->pdata, "Remove…"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sidebar), "sidebar.sign-in", NULL));
  gtk_menu_button_popdown (menu_button);
  {
    GType type = WHARF_TYPE_SIGN_IN_DIALOG;
    WharfSignInDialog *sign_in_dialog = wharf_test_ui_wait_for_toplevel (type);
    g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (sign_in_dialog, GTK_TYPE_LABEL);
    gboolean names_second = FALSE;

    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), addresses[1]) == 0)
        names_second = TRUE;
    g_assert_true (names_second);
  }

  wharf_test_ui_destroy_all_toplevels ();
}

int
main (int   argc,
      char *argv[])
{
  wharf_test_ui_init (&argc, &argv, WAIT_LIMIT_SECONDS, TRUE);

  g_test_add_func ("/registry/store/first-run", test_store_first_run);
  g_test_add_func ("/registry/store/round-trip", test_store_round_trip);
  g_test_add_func ("/registry/store/bad-entries", test_store_ignores_bad_entries);
  wharf_test_ui_add ("/registry/sidebar/status", test_registry_status);
  wharf_test_ui_add ("/registry/sidebar/context-menu", test_context_menu);
  wharf_test_ui_add ("/registry/dialog/add", test_add_dialog);
  wharf_test_ui_add ("/registry/dialog/bearer", test_bearer_registry);
  wharf_test_ui_add ("/registry/dialog/sign-in", test_sign_in_dialog);
  wharf_test_ui_add ("/registry/dialog/edit-remove", test_edit_and_remove);

  return g_test_run ();
}
