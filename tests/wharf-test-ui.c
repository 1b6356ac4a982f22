/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-test-ui.c: what the UI tests share: waiting, finding widgets, screenshots, set-up. */

#define G_LOG_DOMAIN "wharf-test-ui"

#include "config.h"

#include <string.h>

#include "wharf-test-ui.h"

static gboolean have_display;
/* Only a safety net against a hang: a test that waits this long has failed. */
static guint wait_limit_seconds = 60;

/* Set-up */

/* Calls g_test_init(); TRUE, with GTK and libadwaita ready, when there is a display. */
gboolean
wharf_test_ui_init (int        *argc,
                    char     ***argv,
                    guint       limit_seconds,
                    gboolean    steady_cursor)
{
  g_test_init (argc, argv, NULL);
  wait_limit_seconds = limit_seconds;

  if (!gtk_init_check ())
    return FALSE;

  adw_init ();
  have_display = TRUE;
  /* Without a window manager, windows lose focus behind a blinking
   * cursor's back and GTK warns about it: the cursor need not blink. */
  if (steady_cursor)
    g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  return TRUE;
}

WharfApplication *
wharf_test_ui_application_new (const char        *id,
                               GApplicationFlags  flags,
                               gboolean           must_register)
{
  WharfApplication *app = wharf_application_new (id, flags);
  g_autoptr(GError) error = NULL;

  g_application_register (G_APPLICATION (app), NULL, must_register ? &error : NULL);
  g_assert_no_error (error);

  return app;
}

static void
run_ui_test (gconstpointer data)
{
  GTestFunc func = (GTestFunc) data;

  if (!have_display)
    {
      g_test_fail_printf ("No display: run the UI tests under xvfb-run");
      return;
    }

  func ();
}

/* A test that fails, never skips, without a display. */
void
wharf_test_ui_add (const char *path,
                   GTestFunc   func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_ui_test);
}

/* Waiting */

static gboolean
wait_limit_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @condition holds or the limit passes; returns @condition. */
gboolean
wharf_test_ui_wait_for (WharfTestCondition condition,
                        gpointer           data)
{
  gboolean expired = FALSE;
  guint limit_id = g_timeout_add_seconds (wait_limit_seconds, wait_limit_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (!expired)
    g_source_remove (limit_id);

  return condition (data);
}

/* Lets whatever is queued (idles, a frame) run. */
void
wharf_test_ui_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

gboolean
wharf_test_ui_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget));
}

/* Whether the object behind a GWeakRef is finalized. */
gboolean
wharf_test_ui_is_gone (gpointer weak_ref)
{
  g_autoptr(GObject) object = g_weak_ref_get (weak_ref);

  return object == NULL;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  (*(guint *) data)++;
}

static gboolean
has_painted (gpointer data)
{
  return *(guint *) data > 0;
}

/* Waits until @widget is on screen and its surface has drawn a frame. */
void
wharf_test_ui_wait_for_paint (gpointer widget)
{
  GdkFrameClock *clock;
  guint paints = 0;
  gulong handler;

  g_assert_true (wharf_test_ui_wait_for (wharf_test_ui_is_mapped, widget));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (widget));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paints);
  gtk_widget_queue_draw (GTK_WIDGET (widget));
  g_assert_true (wharf_test_ui_wait_for (has_painted, &paints));
  g_signal_handler_disconnect (clock, handler);
}

/* Windows */

/* A visible toplevel of @type, or NULL. */
gpointer
wharf_test_ui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (toplevel), type) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

/* Conditions on GSIZE_TO_POINTER (type). */
gboolean
wharf_test_ui_has_toplevel (gpointer type)
{
  return wharf_test_ui_find_toplevel (GPOINTER_TO_SIZE (type)) != NULL;
}

gboolean
wharf_test_ui_has_no_toplevel (gpointer type)
{
  return wharf_test_ui_find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

/* The toplevel of @type, once it shows and has drawn. */
gpointer
wharf_test_ui_wait_for_toplevel (GType type)
{
  gpointer toplevel;

  if (!wharf_test_ui_wait_for (wharf_test_ui_has_toplevel, GSIZE_TO_POINTER (type)))
    g_error ("No %s appeared", g_type_name (type));
  toplevel = wharf_test_ui_find_toplevel (type);
  wharf_test_ui_wait_for_paint (toplevel);

  return toplevel;
}

void
wharf_test_ui_destroy_all_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
    }
  wharf_test_ui_drain ();
}

/* Only the application's windows, without running the main loop. */
void
wharf_test_ui_destroy_app_windows (gpointer app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
}

/* What launching does: the main window, on screen and drawn. */
WharfWindow *
wharf_test_ui_present_main_window (WharfApplication *app)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (WHARF_IS_WINDOW (window));
  wharf_test_ui_wait_for_paint (window);

  return WHARF_WINDOW (window);
}

/* Widgets */

static void
collect_descendants (GtkWidget *widget,
                     GType      type,
                     GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_type_is_a (G_OBJECT_TYPE (child), type))
        g_ptr_array_add (found, child);
      collect_descendants (child, type, found);
    }
}

/* The descendants of @widget of @type, depth first. */
GPtrArray *
wharf_test_ui_find_all (gpointer widget,
                        GType    type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_descendants (GTK_WIDGET (widget), type, found);
  return found;
}

/* The one descendant of @type: asserts there is exactly one. */
gpointer
wharf_test_ui_find_one (gpointer widget,
                        GType    type)
{
  g_autoptr(GPtrArray) found = wharf_test_ui_find_all (widget, type);

  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

/* The button labelled @label, or NULL. */
GtkButton *
wharf_test_ui_find_button (gpointer    widget,
                           const char *label)
{
  g_autoptr(GPtrArray) buttons = wharf_test_ui_find_all (widget, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (button), label) == 0)
        return button;
    }

  return NULL;
}

/* The button labelled @label: fails the test without one. */
GtkButton *
wharf_test_ui_get_button (gpointer    widget,
                          const char *label)
{
  GtkButton *button = wharf_test_ui_find_button (widget, label);

  if (button == NULL)
    g_error ("No button labelled %s", label);
  return button;
}

/* The row of @type (an AdwPreferencesRow) titled @title, or NULL. */
gpointer
wharf_test_ui_find_row (gpointer    widget,
                        GType       type,
                        const char *title)
{
  g_autoptr(GPtrArray) rows = wharf_test_ui_find_all (widget, type);

  for (guint i = 0; i < rows->len; i++)
    {
      AdwPreferencesRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (adw_preferences_row_get_title (row), title) == 0)
        return row;
    }

  return NULL;
}

/* The row of @type titled @title: fails the test without one. */
gpointer
wharf_test_ui_get_row (gpointer    widget,
                       GType       type,
                       const char *title)
{
  gpointer row = wharf_test_ui_find_row (widget, type, title);

  if (row == NULL)
    g_error ("No %s titled %s", g_type_name (type), title);
  return row;
}

/* A label of @widget showing exactly @text, visible, or NULL. */
GtkLabel *
wharf_test_ui_find_visible_label (gpointer    widget,
                                  const char *text)
{
  g_autoptr(GPtrArray) labels = wharf_test_ui_find_all (widget, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);

      if (g_strcmp0 (gtk_label_get_text (label), text) == 0 &&
          gtk_widget_is_visible (GTK_WIDGET (label)))
        return label;
    }

  return NULL;
}

/* What a click does, at once: gtk_widget_activate() would wait for the
 * button's pressed look to show. */
void
wharf_test_ui_click (GtkButton *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

/* Saves what @widget shows as @name under the build directory, once its
 * surface (a popover's own, for a widget in one) has drawn; asserts it is not blank. */
void
wharf_test_ui_save_screenshot (GtkWidget  *widget,
                               const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width;
  int height;
  gboolean uniform = TRUE;

  /* A widget waiting for its new size has nothing to show yet. */
  wharf_test_ui_wait_for_paint (gtk_widget_get_native (widget));
  paintable = gtk_widget_paintable_new (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);

  /* A blank texture means nothing was drawn. */
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 4; i < (gsize) width * height * 4 && uniform; i += 4)
    uniform = memcmp (pixels, pixels + i, 4) == 0;
  g_assert_false (uniform);

  path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot saved to %s", path);
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* The text on @widget's clipboard. */
char *
wharf_test_ui_read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  g_assert_true (wharf_test_ui_wait_for (is_set, &text));
  return text;
}

/* Registries, files and transfers */

/* The store with exactly these registries (none for NULL), saved. */
void
wharf_test_ui_store_set (WharfRegistryStore *store,
                         const char * const *addresses)
{
  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      g_autoptr(WharfRegistry) first = g_list_model_get_item (G_LIST_MODEL (store), 0);

      wharf_registry_store_remove (store, first);
    }

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new (addresses[i], NULL);

      g_assert_nonnull (endpoint);
      g_assert_nonnull (wharf_registry_store_add (store, endpoint, NULL));
    }
}

/* Runs @argv and returns its output; fails the test if it fails. */
char *
wharf_test_ui_run_ok (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv);

      g_error ("“%s” failed: %s", line, err);
    }

  return g_steal_pointer (&out);
}

void
wharf_test_ui_remove_tree (const char *path)
{
  const char *argv[] = { "/bin/rm", "-rf", path, NULL };
  g_autofree char *out = wharf_test_ui_run_ok (argv);
}

WharfClient *
wharf_test_ui_client_for (WharfTestRegistry *reg)
{
  const char *address = wharf_test_registry_get_address (reg);
  g_autoptr(WharfEndpoint) endpoint = wharf_endpoint_new (address, NULL);

  g_assert_nonnull (endpoint);
  return wharf_client_new (endpoint);
}

/* The config digest of repository:tag, the image's identity across formats. */
char *
wharf_test_ui_config_digest (WharfTestRegistry *reg,
                             const char        *repository,
                             const char        *tag)
{
  g_autoptr(WharfClient) client = wharf_test_ui_client_for (reg);
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(WharfManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  raw = wharf_client_get_manifest_sync (client, repository, tag, NULL, &error);
  g_assert_no_error (error);
  manifest = wharf_manifest_parse (raw->bytes, raw->media_type, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->kind, ==, WHARF_MANIFEST_KIND_IMAGE);

  return g_strdup (manifest->config->digest);
}

static gboolean
item_has_ended (gpointer data)
{
  WharfTransferState state = wharf_transfer_item_get_state (WHARF_TRANSFER_ITEM (data));

  return state == WHARF_TRANSFER_STATE_DONE ||
         state == WHARF_TRANSFER_STATE_FAILED ||
         state == WHARF_TRANSFER_STATE_CANCELLED;
}

/* Waits for @item to end; fails the test unless it succeeded. */
void
wharf_test_ui_assert_item_done (WharfTransferItem *item)
{
  g_assert_true (wharf_test_ui_wait_for (item_has_ended, item));
  if (wharf_transfer_item_get_state (item) != WHARF_TRANSFER_STATE_DONE)
    g_error ("%s ended in state %d: %s", wharf_transfer_item_get_title (item),
             wharf_transfer_item_get_state (item),
             wharf_transfer_item_get_error_message (item));
}

/* The settings with no registry and nothing remembered. */
GSettings *
wharf_test_ui_fresh_settings (void)
{
  GSettings *settings = g_settings_new (WHARF_TEST_UI_SCHEMA_ID);

  g_settings_reset (settings, "registries");
  g_settings_reset (settings, "last-registry");
  g_settings_reset (settings, "last-repository");
  return settings;
}

void
wharf_test_ui_fixture_set_up (WharfTestUiFixture *f,
                              const char         *tmp_template)
{
  const char *address;

  f->reg = wharf_test_registry_start (WHARF_TEST_REGISTRY_PLAIN);
  address = wharf_test_registry_get_address (f->reg);
  f->tmp = g_dir_make_tmp (tmp_template, NULL);
  g_assert_nonnull (f->tmp);
  f->settings = wharf_test_ui_fresh_settings ();
  f->store = wharf_registry_store_new (f->settings);
  wharf_test_ui_store_set (f->store, (const char * const []) { address, NULL });
  f->registry = wharf_registry_store_find (f->store, address);
  g_assert_nonnull (f->registry);
  f->manager = wharf_transfer_manager_new ();
}

void
wharf_test_ui_fixture_tear_down (WharfTestUiFixture *f)
{
  wharf_test_ui_destroy_all_toplevels ();
  g_clear_object (&f->manager);
  g_clear_object (&f->store);
  g_clear_object (&f->settings);
  wharf_test_ui_remove_tree (f->tmp);
  g_clear_pointer (&f->tmp, g_free);
  g_clear_pointer (&f->reg, wharf_test_registry_stop);
}
