/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image-details.c: the details pane: what one tag's image is made of. */

#define G_LOG_DOMAIN "wharf-image-details"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wharf-image-details.h"

struct _WharfImageDetails
{
  GtkWidget            parent_instance;

  GtkWidget           *scrolled_window;
  AdwPreferencesGroup *overview_group;
  GtkSpinner          *spinner;
  GtkBox              *platform_box;
  GtkBox              *image_box;

  /* Rows of the overview group, to take out again. */
  GPtrArray           *overview_rows;

  WharfClient         *client;
  char                *repository;
  char                *domain;
  char                *tag;

  WharfManifest       *manifest;
  char                *digest;
  char                *pull_command;
  char                *platform;
  char                *error_message;

  /* Index entries shown, in the order of platform_rows. */
  GPtrArray           *platform_entries;
  GPtrArray           *platform_rows;

  GCancellable        *cancellable;
  /* Bumped by every show and platform pick: older replies are dropped. */
  guint                generation;
  guint                loading : 1;
};

G_DEFINE_FINAL_TYPE (WharfImageDetails, wharf_image_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_DIGEST,
  PROP_PULL_COMMAND,
  PROP_PLATFORM,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load_image (WharfImageDetails *self,
                        const char        *digest);

static void
set_string (WharfImageDetails  *self,
            char              **field,
            const char         *value,
            int                 prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_loading (WharfImageDetails *self,
             gboolean           loading)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);

  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Rows */

static void
copy_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  const char *text = g_object_get_data (G_OBJECT (button), "wharf-copy-text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
  gtk_widget_activate_action (GTK_WIDGET (button), "win.show-toast", "s", _("Copied"));
}

static GtkWidget *
copy_button_new (const char *text,
                 const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "wharf-copy-text", g_strdup (text), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);

  return button;
}

static GtkWidget *
value_label_new (const char *value)
{
  GtkWidget *label = gtk_label_new (value);
  glong length = g_utf8_strlen (value, -1);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);

  /* Short values stay on one line; long ones (digests, commands) wrap, but
   * never narrower than a good part of a line. */
  if (length > 32)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), 32);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 72);
    }

  return label;
}

/* A row "title … value", the value selectable; with a copy button when
 * @copy_label is set. Text from images is never markup. */
static GtkWidget *
value_row_new (const char *title,
               const char *value,
               const char *copy_label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = value_label_new (value);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (label, "value");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  if (copy_label != NULL)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy_button_new (value, copy_label));

  return row;
}

static void
add_overview_row (WharfImageDetails *self,
                  GtkWidget         *row)
{
  adw_preferences_group_add (self->overview_group, row);
  g_ptr_array_add (self->overview_rows, row);
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))))
    gtk_box_remove (box, child);
}

static GtkWidget *
group_new (const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (description, -1);

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), escaped);
    }

  return group;
}

static char *
format_size (gint64 size)
{
  if (size < 0)
    return g_strdup (_("Unknown"));

  return g_format_size (size);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup (_("Unknown"));

  local = g_date_time_to_local (time);
  /* Translators: a creation time in the details pane; see strftime(3). */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M:%S"));
}

static char *
join_or_none (const char * const *values,
              const char         *separator)
{
  if (values == NULL || values[0] == NULL)
    return g_strdup (_("None"));

  return g_strjoinv (separator, (char **) values);
}

static void
add_table_expander (GtkWidget  *group,
                    const char *title,
                    GPtrArray  *keys,
                    GPtrArray  *values)
{
  GtkWidget *expander = adw_expander_row_new ();
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  /* Translators: how many entries an expander row holds. */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries",
                                           keys->len),
                              keys->len);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);

  for (guint i = 0; i < keys->len; i++)
    adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                              value_row_new (keys->pdata[i], values->pdata[i], NULL));

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
}

static void
add_hash_table_expander (GtkWidget  *group,
                         const char *title,
                         GHashTable *table)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autofree gpointer *sorted = NULL;
  guint n;

  if (table == NULL || g_hash_table_size (table) == 0)
    return;

  sorted = g_hash_table_get_keys_as_array (table, &n);
  g_qsort_with_data (sorted, n, sizeof (gpointer), (GCompareDataFunc) g_strcmp0, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (keys, sorted[i]);
      g_ptr_array_add (values, g_hash_table_lookup (table, sorted[i]));
    }

  add_table_expander (group, title, keys, values);
}

/* Shell lines from Dockerfiles read better without the RUN wrapper. */
static const char *
history_line (const WharfHistoryEntry *entry)
{
  const char *line;

  if (entry == NULL || entry->created_by == NULL)
    return NULL;

  line = entry->created_by;
  if (g_str_has_prefix (line, "/bin/sh -c #(nop) "))
    line += strlen ("/bin/sh -c #(nop) ");
  else if (g_str_has_prefix (line, "/bin/sh -c "))
    line += strlen ("/bin/sh -c ");

  while (*line == ' ')
    line++;

  return line;
}

static void
show_config (WharfImageDetails *self,
             WharfManifest     *manifest,
             WharfImageConfig  *config)
{
  GtkWidget *group;
  g_autofree char *entrypoint = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *ports = NULL;
  g_autofree char *volumes = NULL;
  g_autoptr(GPtrArray) env_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) env_values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *layers_description = NULL;
  gint64 total = 0;

  /* The image itself. */
  {
    g_autofree char *size = format_size (wharf_manifest_get_compressed_size (manifest));
    g_autofree char *created = format_time (config != NULL ? config->created : NULL);
    g_autoptr(WharfPlatform) platform = NULL;
    g_autofree char *platform_text = NULL;

    GPtrArray *rows = g_ptr_array_new ();

    if (config != NULL && config->architecture[0] != '\0')
      {
        platform = g_new0 (WharfPlatform, 1);
        platform->os = g_strdup (config->os[0] != '\0' ? config->os : "linux");
        platform->architecture = g_strdup (config->architecture);
        platform->variant = g_strdup (config->variant);
        platform_text = wharf_platform_to_string (platform);
        g_ptr_array_add (rows, value_row_new (_("Platform"), platform_text, NULL));
      }
    g_ptr_array_add (rows, value_row_new (_("Compressed Size"), size, NULL));
    g_ptr_array_add (rows, value_row_new (_("Created"), created, NULL));
    if (config != NULL && config->author != NULL && config->author[0] != '\0')
      g_ptr_array_add (rows, value_row_new (_("Author"), config->author, NULL));

    /* A single image belongs in the overview; a platform of an index gets a
     * group of its own, with its own digest. */
    if (manifest == self->manifest)
      {
        for (guint i = 0; i < rows->len; i++)
          add_overview_row (self, rows->pdata[i]);
      }
    else
      {
        group = group_new (platform_text != NULL ? platform_text : self->platform, NULL);
        if (manifest->digest != NULL)
          g_ptr_array_insert (rows, 0, value_row_new (_("Platform Digest"), manifest->digest,
                                                      _("Copy Platform Digest")));
        for (guint i = 0; i < rows->len; i++)
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), rows->pdata[i]);
        gtk_box_append (self->image_box, group);
      }
    g_ptr_array_unref (rows);
  }

  if (config != NULL)
    {
      group = group_new (_("Configuration"), NULL);

      entrypoint = join_or_none ((const char * const *) config->entrypoint, " ");
      cmd = join_or_none ((const char * const *) config->cmd, " ");
      ports = join_or_none ((const char * const *) config->exposed_ports, ", ");
      volumes = join_or_none ((const char * const *) config->volumes, ", ");

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("Entrypoint"), entrypoint, NULL));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("Command"), cmd, NULL));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("Working Directory"),
                                                config->working_dir[0] != '\0'
                                                ? config->working_dir : "/", NULL));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("User"),
                                                config->user[0] != '\0'
                                                ? config->user : "root", NULL));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("Exposed Ports"), ports, NULL));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row_new (_("Volumes"), volumes, NULL));
      if (config->stop_signal[0] != '\0')
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                   value_row_new (_("Stop Signal"), config->stop_signal, NULL));

      for (guint i = 0; config->env[i] != NULL; i++)
        {
          const char *eq = strchr (config->env[i], '=');

          g_ptr_array_add (env_keys, eq ? g_strndup (config->env[i], eq - config->env[i])
                                        : g_strdup (config->env[i]));
          g_ptr_array_add (env_values, g_strdup (eq ? eq + 1 : ""));
        }
      if (env_keys->len > 0)
        add_table_expander (group, _("Environment"), env_keys, env_values);
      add_hash_table_expander (group, _("Labels"), config->labels);

      gtk_box_append (self->image_box, group);
    }

  /* Layers, each with the history line that made it. */
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);

      if (layer->size > 0)
        total += layer->size;
    }
  {
    g_autofree char *total_text = g_format_size (total);

    /* Translators: "3 layers, 12.4 MB". */
    layers_description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u layer, %s",
                                                       "%u layers, %s",
                                                       manifest->layers->len),
                                          manifest->layers->len, total_text);
  }
  group = group_new (_("Layers"), layers_description);
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      WharfDescriptor *layer = g_ptr_array_index (manifest->layers, i);
      const WharfHistoryEntry *entry = NULL;
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *size = format_size (layer->size);
      g_autofree char *short_digest = layer->digest ? wharf_digest_shorten (layer->digest) : NULL;
      g_autofree char *title = NULL;
      const char *line;

      if (config != NULL)
        {
          if (manifest->kind == WHARF_MANIFEST_KIND_SCHEMA1)
            entry = i < config->history->len ? g_ptr_array_index (config->history, i) : NULL;
          else
            entry = wharf_image_config_get_layer_history (config, i);
        }
      line = history_line (entry);

      /* Translators: a layer: its number, size and short digest. */
      title = g_strdup_printf (_("Layer %u · %s · %s"), i + 1, size,
                               short_digest != NULL ? short_digest : "");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (line != NULL)
        {
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), line);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
          gtk_widget_set_tooltip_text (row, entry->created_by);
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  gtk_box_append (self->image_box, group);

  if (manifest != self->manifest && manifest->annotations != NULL
      && g_hash_table_size (manifest->annotations) > 0)
    {
      group = group_new (_("Image Annotations"), NULL);
      add_hash_table_expander (group, _("Annotations"), manifest->annotations);
      gtk_box_append (self->image_box, group);
    }
}

static void
show_error (WharfImageDetails *self,
            const GError      *error)
{
  GtkWidget *group = group_new (_("Could Not Load the Details"), error->message);

  set_string (self, &self->error_message, error->message, PROP_ERROR_MESSAGE);
  gtk_box_append (self->image_box, group);
}

/* Loading an image: manifest, then config */

typedef struct
{
  WharfImageDetails *self;
  guint              generation;
  WharfManifest     *manifest;
} Load;

static Load *
load_new (WharfImageDetails *self)
{
  Load *load = g_new0 (Load, 1);

  load->self = g_object_ref (self);
  load->generation = self->generation;

  return load;
}

static void
load_free (Load *load)
{
  g_clear_object (&load->self);
  g_clear_pointer (&load->manifest, wharf_manifest_unref);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Load, load_free)

static gboolean
load_is_current (Load *load)
{
  return load->generation == load->self->generation;
}

static void
config_spliced_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  g_autoptr(WharfImageConfig) config = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageDetails *self = load->self;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error) >= 0)
    {
      bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (object));
      config = wharf_image_config_parse (bytes, &error);
    }

  if (!load_is_current (load))
    return;

  set_loading (self, FALSE);
  clear_box (self->image_box);

  if (config == NULL)
    {
      show_error (self, error);
      return;
    }

  show_config (self, load->manifest, config);
}

static void
get_config_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageDetails *self = load->self;
  GCancellable *cancellable = self->cancellable;
  gint64 size = -1;

  stream = wharf_client_get_blob_finish (WHARF_CLIENT (object), result, &size, &error);

  if (!load_is_current (load))
    return;

  if (stream == NULL || size > WHARF_MANIFEST_MAX_SIZE)
    {
      set_loading (self, FALSE);
      clear_box (self->image_box);
      if (error == NULL)
        error = g_error_new (WHARF_ERROR, WHARF_ERROR_MANIFEST_TOO_LARGE,
                             _("The configuration of %s is larger than 4 MiB; Wharf refuses it."),
                             self->repository);
      show_error (self, error);
      return;
    }

  /* The stream verifies the digest as it ends. */
  out = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (out, stream,
                                (G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET),
                                G_PRIORITY_DEFAULT, cancellable,
                                config_spliced_cb, g_steal_pointer (&load));
}

/* Takes @load: a config to fetch, or what there is shown at once. */
static void
show_image_manifest (WharfImageDetails *self,
                     Load              *load)
{
  WharfManifest *manifest = load->manifest;

  if (manifest->kind == WHARF_MANIFEST_KIND_IMAGE && manifest->config != NULL)
    {
      wharf_client_get_blob_async (self->client, self->repository, manifest->config->digest,
                                   self->cancellable, get_config_cb, load);
      return;
    }

  set_loading (self, FALSE);
  clear_box (self->image_box);

  if (manifest->kind == WHARF_MANIFEST_KIND_SCHEMA1)
    {
      g_autoptr(WharfImageConfig) config = wharf_image_config_new_from_schema1 (manifest, NULL);

      show_config (self, manifest, config);
    }
  else
    {
      show_config (self, manifest, NULL);
    }

  load_free (load);
}

static void
platform_row_activated_cb (AdwActionRow      *row,
                           WharfImageDetails *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "wharf-index"));
  WharfDescriptor *entry = g_ptr_array_index (self->platform_entries, index);
  g_autofree char *platform = wharf_platform_to_string (entry->platform);

  if (g_strcmp0 (platform, self->platform) == 0)
    return;

  wharf_image_details_select_platform (self, platform);
}

static void
update_platform_marks (WharfImageDetails *self)
{
  for (guint i = 0; i < self->platform_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->platform_rows, i);
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "wharf-check");
      WharfDescriptor *entry = g_ptr_array_index (self->platform_entries, i);
      g_autofree char *platform = wharf_platform_to_string (entry->platform);

      gtk_widget_set_visible (check, g_strcmp0 (platform, self->platform) == 0);
    }
}

static void
show_index (WharfImageDetails *self,
            WharfManifest     *manifest)
{
  GPtrArray *entries = wharf_manifest_get_platform_entries (manifest);
  GtkWidget *group;
  g_autofree char *description = NULL;

  /* Translators: the description of the platforms group of a multi-arch image. */
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "This tag holds an image for %u platform. "
                                              "Pick one to see it.",
                                              "This tag holds an image for each of %u "
                                              "platforms. Pick one to see it.",
                                              entries->len),
                                 entries->len);
  group = group_new (_("Platforms"), description);

  g_clear_pointer (&self->platform_entries, g_ptr_array_unref);
  self->platform_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) wharf_descriptor_free);
  g_ptr_array_set_size (self->platform_rows, 0);

  for (guint i = 0; i < entries->len; i++)
    {
      WharfDescriptor *entry = g_ptr_array_index (entries, i);
      GtkWidget *row;
      GtkWidget *check;
      g_autofree char *title = NULL;
      g_autofree char *short_digest = NULL;

      if (entry->platform == NULL)
        continue;

      title = wharf_platform_to_string (entry->platform);
      short_digest = wharf_digest_shorten (entry->digest);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), short_digest);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      check = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Shown"),
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "wharf-check", check);
      g_object_set_data (G_OBJECT (row), "wharf-index",
                         GUINT_TO_POINTER (self->platform_entries->len));
      g_signal_connect_object (row, "activated",
                               G_CALLBACK (platform_row_activated_cb), self, 0);

      g_ptr_array_add (self->platform_entries, wharf_descriptor_copy (entry));
      g_ptr_array_add (self->platform_rows, row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  gtk_box_append (self->platform_box, group);

  if (manifest->annotations != NULL && g_hash_table_size (manifest->annotations) > 0)
    {
      group = group_new (_("Index Annotations"), NULL);
      add_hash_table_expander (group, _("Annotations"), manifest->annotations);
      gtk_box_append (self->platform_box, group);
    }
}

static void
get_manifest_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  g_autoptr(WharfRawManifest) raw = NULL;
  g_autoptr(GError) error = NULL;
  WharfImageDetails *self = load->self;
  gboolean top;

  raw = wharf_client_get_manifest_finish (WHARF_CLIENT (object), result, &error);
  if (raw != NULL)
    load->manifest = wharf_manifest_parse (raw->bytes, raw->media_type, &error);

  if (!load_is_current (load))
    return;

  if (load->manifest == NULL)
    {
      set_loading (self, FALSE);
      clear_box (self->image_box);
      show_error (self, error);
      return;
    }

  top = self->manifest == NULL;
  if (top)
    {
      g_autofree char *size = NULL;
      WharfManifest *manifest = load->manifest;

      self->manifest = wharf_manifest_ref (manifest);
      set_string (self, &self->digest, raw->digest, PROP_DIGEST);

      add_overview_row (self, value_row_new (_("Digest"), raw->digest, _("Copy Digest")));
      add_overview_row (self, value_row_new (_("Media Type"),
                                             manifest->media_type != NULL
                                             ? manifest->media_type : raw->media_type,
                                             NULL));
      add_overview_row (self, value_row_new (_("Pull Command"), self->pull_command,
                                             _("Copy Pull Command")));

      if (manifest->kind == WHARF_MANIFEST_KIND_INDEX)
        {
          GPtrArray *entries = wharf_manifest_get_platform_entries (manifest);
          WharfDescriptor *first = NULL;

          show_index (self, manifest);

          /* The platform shown last stays, if this image has it too. */
          for (guint i = 0; i < self->platform_entries->len && first == NULL; i++)
            {
              WharfDescriptor *entry = g_ptr_array_index (self->platform_entries, i);
              g_autofree char *platform = wharf_platform_to_string (entry->platform);

              if (g_strcmp0 (platform, self->platform) == 0)
                first = entry;
            }
          if (first == NULL && self->platform_entries->len > 0)
            first = g_ptr_array_index (self->platform_entries, 0);

          if (first == NULL)
            {
              set_loading (self, FALSE);
              if (entries->len == 0)
                gtk_box_append (self->image_box,
                                group_new (_("No Platforms"),
                                           _("This index lists no image.")));
              return;
            }

          {
            g_autofree char *platform = wharf_platform_to_string (first->platform);

            set_string (self, &self->platform, platform, PROP_PLATFORM);
            update_platform_marks (self);
            load_image (self, first->digest);
          }
          return;
        }
    }

  show_image_manifest (self, g_steal_pointer (&load));
}

static void
load_image (WharfImageDetails *self,
            const char        *digest)
{
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_loading (self, TRUE);
  wharf_client_get_manifest_async (self->client, self->repository, digest,
                                   self->cancellable, get_manifest_cb, load_new (self));
}

static void
clear (WharfImageDetails *self)
{
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < self->overview_rows->len; i++)
    adw_preferences_group_remove (self->overview_group, self->overview_rows->pdata[i]);
  g_ptr_array_set_size (self->overview_rows, 0);
  g_ptr_array_set_size (self->platform_rows, 0);
  g_clear_pointer (&self->platform_entries, g_ptr_array_unref);
  clear_box (self->platform_box);
  clear_box (self->image_box);

  g_clear_pointer (&self->manifest, wharf_manifest_unref);
  set_string (self, &self->digest, NULL, PROP_DIGEST);
  set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
  set_loading (self, FALSE);
}

static void
wharf_image_details_dispose (GObject *object)
{
  WharfImageDetails *self = WHARF_IMAGE_DETAILS (object);

  g_cancellable_cancel (self->cancellable);
  self->generation++;

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_IMAGE_DETAILS);

  G_OBJECT_CLASS (wharf_image_details_parent_class)->dispose (object);
}

static void
wharf_image_details_finalize (GObject *object)
{
  WharfImageDetails *self = WHARF_IMAGE_DETAILS (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->overview_rows, g_ptr_array_unref);
  g_clear_pointer (&self->platform_rows, g_ptr_array_unref);
  g_clear_pointer (&self->platform_entries, g_ptr_array_unref);
  g_clear_pointer (&self->manifest, wharf_manifest_unref);
  g_clear_pointer (&self->repository, g_free);
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->tag, g_free);
  g_clear_pointer (&self->digest, g_free);
  g_clear_pointer (&self->pull_command, g_free);
  g_clear_pointer (&self->platform, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (wharf_image_details_parent_class)->finalize (object);
}

static void
wharf_image_details_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WharfImageDetails *self = WHARF_IMAGE_DETAILS (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_DIGEST:
      g_value_set_string (value, self->digest);
      break;

    case PROP_PULL_COMMAND:
      g_value_set_string (value, self->pull_command);
      break;

    case PROP_PLATFORM:
      g_value_set_string (value, self->platform);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_image_details_class_init (WharfImageDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wharf_image_details_dispose;
  object_class->finalize = wharf_image_details_finalize;
  object_class->get_property = wharf_image_details_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL, flags);
  properties[PROP_PULL_COMMAND] =
    g_param_spec_string ("pull-command", NULL, NULL, NULL, flags);
  properties[PROP_PLATFORM] =
    g_param_spec_string ("platform", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-image-details.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfImageDetails, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, WharfImageDetails, overview_group);
  gtk_widget_class_bind_template_child (widget_class, WharfImageDetails, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfImageDetails, platform_box);
  gtk_widget_class_bind_template_child (widget_class, WharfImageDetails, image_box);

  gtk_widget_class_set_css_name (widget_class, "imagedetails");
}

static void
wharf_image_details_init (WharfImageDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->overview_rows = g_ptr_array_new ();
  self->platform_rows = g_ptr_array_new ();
}

GtkWidget *
wharf_image_details_new (void)
{
  return g_object_new (WHARF_TYPE_IMAGE_DETAILS, NULL);
}

void
wharf_image_details_show (WharfImageDetails *self,
                          WharfRegistry     *registry,
                          const char        *repository,
                          WharfTagItem      *tag)
{
  g_autofree char *pull_command = NULL;
  const char *reference;

  g_return_if_fail (WHARF_IS_IMAGE_DETAILS (self));
  g_return_if_fail (!registry || WHARF_IS_REGISTRY (registry));
  g_return_if_fail (!tag || WHARF_IS_TAG_ITEM (tag));

  clear (self);

  if (registry == NULL || repository == NULL || tag == NULL)
    {
      g_clear_object (&self->client);
      g_clear_pointer (&self->repository, g_free);
      g_clear_pointer (&self->tag, g_free);
      adw_preferences_group_set_title (self->overview_group, _("Image"));
      set_string (self, &self->pull_command, NULL, PROP_PULL_COMMAND);
      return;
    }

  g_set_object (&self->client, wharf_registry_get_client (registry));
  g_free (self->repository);
  self->repository = g_strdup (repository);
  g_free (self->domain);
  self->domain = g_strdup (wharf_endpoint_get_domain (wharf_registry_get_endpoint (registry)));
  g_free (self->tag);
  self->tag = g_strdup (wharf_tag_item_get_name (tag));

  {
    g_autofree char *title = g_strdup_printf ("%s:%s", repository, self->tag);

    adw_preferences_group_set_title (self->overview_group, title);
  }

  pull_command = g_strdup_printf ("docker pull %s/%s:%s", self->domain, repository, self->tag);
  set_string (self, &self->pull_command, pull_command, PROP_PULL_COMMAND);

  /* By digest when the list knows it, so the details match the row even if
   * the tag moves meanwhile. */
  reference = wharf_tag_item_get_digest (tag);
  if (reference == NULL)
    reference = self->tag;

  load_image (self, reference);
}

gboolean
wharf_image_details_get_loading (WharfImageDetails *self)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), FALSE);

  return self->loading;
}

const char *
wharf_image_details_get_digest (WharfImageDetails *self)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), NULL);

  return self->digest;
}

const char *
wharf_image_details_get_pull_command (WharfImageDetails *self)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), NULL);

  return self->pull_command;
}

const char *
wharf_image_details_get_platform (WharfImageDetails *self)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), NULL);

  return self->platform;
}

const char *
wharf_image_details_get_error_message (WharfImageDetails *self)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), NULL);

  return self->error_message;
}

gboolean
wharf_image_details_select_platform (WharfImageDetails *self,
                                     const char        *platform)
{
  g_return_val_if_fail (WHARF_IS_IMAGE_DETAILS (self), FALSE);
  g_return_val_if_fail (platform != NULL, FALSE);

  if (self->platform_entries == NULL)
    return FALSE;

  for (guint i = 0; i < self->platform_entries->len; i++)
    {
      WharfDescriptor *entry = g_ptr_array_index (self->platform_entries, i);
      g_autofree char *text = wharf_platform_to_string (entry->platform);

      if (g_str_equal (text, platform))
        {
          set_string (self, &self->platform, platform, PROP_PLATFORM);
          set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
          update_platform_marks (self);
          clear_box (self->image_box);
          load_image (self, entry->digest);
          return TRUE;
        }
    }

  return FALSE;
}
