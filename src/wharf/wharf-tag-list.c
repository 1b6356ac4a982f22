/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-tag-list.c: the tags pane: a repository's tags in sortable columns. */

#define G_LOG_DOMAIN "wharf-tag-list"

#include "config.h"

#include <glib/gi18n.h>

#include "wharf-tag-list.h"
#include "wharf-frame-queue.h"

/* Details arriving while the list is sorted by one of theirs re-sort it,
 * at most this often, so rows do not jump with every answer. */
#define RESORT_DELAY_MS 300

typedef enum
{
  COLUMN_TAG,
  COLUMN_DIGEST,
  COLUMN_SIZE,
  COLUMN_CREATED,
  COLUMN_PLATFORMS,
} ColumnKind;

struct _WharfTagList
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  AdwStatusPage      *status_page;
  GtkSpinner         *spinner;
  GtkWidget          *sign_in_button;
  GtkWidget          *tls_button;
  GtkWidget          *retry_button;
  GtkColumnView      *column_view;
  /* Tag cells to check after the next frame: those in view then want
   * their details. */
  WharfFrameQueue    *in_view;

  WharfDetailsCache  *cache;
  WharfTagModel      *model;
  GtkSortListModel   *sort_model;
  /* Several tags may be selected (to delete them together); "selected-tag"
   * is the one selected, NULL with none or several. */
  GtkMultiSelection  *selection;
  WharfTagItem       *selected_tag;

  WharfRegistry      *registry;
  GSignalGroup       *registry_signals;

  /* How often a detail column's sorter compared rows: when a re-sort made
   * it grow, the list is sorted by a detail and every row's is needed. */
  guint               detail_compares;
  guint               detail_compares_seen;
  guint               resort_id;
};

G_DEFINE_FINAL_TYPE (WharfTagList, wharf_tag_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CACHE,
  PROP_REGISTRY,
  PROP_REPOSITORY,
  PROP_SELECTED_TAG,
  N_PROPS
};

enum {
  TAG_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Cells */

static gboolean
details_pending (WharfTagItem *item)
{
  WharfTagState state = wharf_tag_item_get_state (item);

  return wharf_tag_item_get_summary (item) == NULL
         && (state == WHARF_TAG_STATE_NEW || state == WHARF_TAG_STATE_LOADING);
}

static char *
format_created (GDateTime *created)
{
  g_autoptr(GDateTime) local = NULL;

  if (created == NULL)
    return NULL;

  local = g_date_time_to_local (created);
  /* Translators: how the tag list shows a creation time; see strftime(3). */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M"));
}

static void
set_cell_text (GtkWidget  *cell,
               const char *text)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text != NULL ? text : "",
                                  -1);
}

static void
update_tag_cell (GtkWidget    *box,
                 WharfTagItem *item)
{
  GtkWidget *link = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_next_sibling (link);
  GtkWidget *warning = gtk_widget_get_next_sibling (name);
  const char *shared_with = wharf_tag_item_get_shared_with (item);
  gboolean failed = wharf_tag_item_get_state (item) == WHARF_TAG_STATE_FAILED;

  set_cell_text (name, wharf_tag_item_get_name (item));

  gtk_widget_set_visible (link, shared_with[0] != '\0');
  if (shared_with[0] != '\0')
    {
      /* Translators: %s lists other tags: "latest, v1.2". */
      g_autofree char *tooltip = g_strdup_printf (_("Same image as %s"), shared_with);

      gtk_widget_set_tooltip_text (link, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (link),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                      -1);
    }

  gtk_widget_set_visible (warning, failed);
  if (failed)
    {
      gtk_widget_set_tooltip_text (warning, wharf_tag_item_get_error_message (item));
      gtk_accessible_update_property (GTK_ACCESSIBLE (warning),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      wharf_tag_item_get_error_message (item),
                                      -1);
    }
}

static void
update_cell (GtkWidget    *cell,
             WharfTagItem *item)
{
  ColumnKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "wharf-column"));
  g_autofree char *owned = NULL;
  const char *text = NULL;

  if (kind == COLUMN_TAG)
    {
      update_tag_cell (cell, item);
      return;
    }

  if (details_pending (item))
    {
      set_cell_text (cell, "…");
      gtk_widget_set_tooltip_text (cell, NULL);
      return;
    }

  switch (kind)
    {
    case COLUMN_DIGEST:
      g_object_get (item, "short-digest", &owned, NULL);
      text = owned;
      break;

    case COLUMN_SIZE:
      if (wharf_tag_item_get_size (item) >= 0)
        text = owned = g_format_size (wharf_tag_item_get_size (item));
      break;

    case COLUMN_CREATED:
      text = owned = format_created (wharf_tag_item_get_created (item));
      break;

    case COLUMN_PLATFORMS:
      text = wharf_tag_item_get_platforms (item);
      break;

    case COLUMN_TAG:
    default:
      g_assert_not_reached ();
    }

  /* Known not to exist (an artifact has no date): a dash, not a blank that
   * looks like a missing answer. */
  set_cell_text (cell, text != NULL && text[0] != '\0' ? text : "—");

  /* Narrow columns cut these short: the whole value on hover. A multi-arch
   * image's size and date are those of one platform's image: which one. */
  if (kind == COLUMN_DIGEST)
    {
      gtk_widget_set_tooltip_text (cell, wharf_tag_item_get_digest (item));
    }
  else if (kind == COLUMN_PLATFORMS)
    {
      gtk_widget_set_tooltip_text (cell, text);
    }
  else if (wharf_tag_item_get_size_platform (item) != NULL && text != NULL)
    {
      g_autofree char *tooltip = NULL;

      if (kind == COLUMN_SIZE)
        /* Translators: the size of a multi-arch image's tag; %s is a
         * platform, such as "amd64". */
        tooltip = g_strdup_printf (_("Size of the %s image; each platform has its own"),
                                   wharf_tag_item_get_size_platform (item));
      else
        /* Translators: the date of a multi-arch image's tag; %s is a
         * platform, such as "amd64". */
        tooltip = g_strdup_printf (_("Date of the %s image; each platform has its own"),
                                   wharf_tag_item_get_size_platform (item));
      gtk_widget_set_tooltip_text (cell, tooltip);
    }
  else
    {
      gtk_widget_set_tooltip_text (cell, NULL);
    }
}

static void
item_notify_cb (WharfTagItem *item,
                GParamSpec   *pspec,
                GtkWidget    *cell)
{
  update_cell (cell, item);
}

/* Details are fetched for the rows in view. GTK 4.8 binds up to 200 rows,
 * most out of view: a tag cell watches its tag when it is still mapped
 * after a frame (see wharf-frame-queue.h), and stops when it is unmapped
 * (scrolled out of view) or unbound. "wharf-watched" is the tag it
 * watches. */
static void
stop_watching (WharfTagList *self,
               GtkWidget    *cell)
{
  WharfTagItem *watched = g_object_get_data (G_OBJECT (cell), "wharf-watched");

  if (watched == NULL)
    return;
  wharf_tag_model_unwatch (self->model, watched);
  g_object_set_data (G_OBJECT (cell), "wharf-watched", NULL);
}

static void
cell_after_frame_cb (GtkWidget *cell,
                     gpointer   user_data)
{
  WharfTagList *self = user_data;
  WharfTagItem *item = g_object_get_data (G_OBJECT (cell), "wharf-tag-item");

  if (item == NULL || !gtk_widget_get_mapped (cell)
      || g_object_get_data (G_OBJECT (cell), "wharf-watched") == item)
    return;

  stop_watching (self, cell);
  wharf_tag_model_watch (self->model, item);
  g_object_set_data_full (G_OBJECT (cell), "wharf-watched", g_object_ref (item),
                          g_object_unref);
}

static void
tag_cell_mapped_cb (WharfTagList *self,
                    GtkWidget    *cell)
{
  wharf_frame_queue_add (self->in_view, cell);
}

static void
tag_cell_unmapped_cb (WharfTagList *self,
                      GtkWidget    *cell)
{
  stop_watching (self, cell);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  ColumnKind kind = GPOINTER_TO_UINT (user_data);
  GtkWidget *cell;

  if (kind == COLUMN_TAG)
    {
      GtkWidget *link = gtk_image_new_from_icon_name ("insert-link-symbolic");
      GtkWidget *name = gtk_inscription_new (NULL);
      GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      cell = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_widget_set_visible (link, FALSE);
      gtk_widget_add_css_class (link, "dim-label");
      gtk_widget_set_hexpand (name, TRUE);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (name), 8);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (name),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_widget_set_visible (warning, FALSE);
      gtk_widget_add_css_class (warning, "warning");
      gtk_box_append (GTK_BOX (cell), link);
      gtk_box_append (GTK_BOX (cell), name);
      gtk_box_append (GTK_BOX (cell), warning);
      g_signal_connect_object (cell, "map", G_CALLBACK (tag_cell_mapped_cb),
                               g_object_get_data (G_OBJECT (factory), "wharf-tag-list"),
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (cell, "unmap", G_CALLBACK (tag_cell_unmapped_cb),
                               g_object_get_data (G_OBJECT (factory), "wharf-tag-list"),
                               G_CONNECT_SWAPPED);
    }
  else
    {
      cell = gtk_inscription_new (NULL);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      if (kind == COLUMN_SIZE)
        {
          gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
          gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 9);
        }
      else if (kind == COLUMN_DIGEST)
        {
          gtk_widget_add_css_class (cell, "monospace");
          gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 12);
        }
      else if (kind == COLUMN_CREATED)
        {
          gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 16);
        }
      else
        {
          gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 8);
        }
    }

  g_object_set_data (G_OBJECT (cell), "wharf-column", GUINT_TO_POINTER (kind));
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              WharfTagList             *self)
{
  WharfTagItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  update_cell (cell, item);
  g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), cell, 0);
  /* Which tag a drag starts on (wharf-window-dnd.c). */
  g_object_set_data (G_OBJECT (cell), "wharf-tag-item", item);

  /* One column stands for the row: a row in view wants its details. */
  if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "wharf-column")) == COLUMN_TAG)
    wharf_frame_queue_add (self->in_view, cell);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                WharfTagList             *self)
{
  WharfTagItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  g_signal_handlers_disconnect_by_func (item, item_notify_cb, cell);
  g_object_set_data (G_OBJECT (cell), "wharf-tag-item", NULL);
  stop_watching (self, cell);
}

/* Sorting */

/* "v1.9" before "v1.10": runs of digits compare as numbers. */
static int
compare_natural (const char *a,
                 const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          const char *start_a = a;
          const char *start_b = b;
          gsize len_a;
          gsize len_b;
          int cmp;

          while (*start_a == '0' && g_ascii_isdigit (start_a[1]))
            start_a++;
          while (*start_b == '0' && g_ascii_isdigit (start_b[1]))
            start_b++;
          for (a = start_a; g_ascii_isdigit (*a); a++)
            ;
          for (b = start_b; g_ascii_isdigit (*b); b++)
            ;
          len_a = a - start_a;
          len_b = b - start_b;
          if (len_a != len_b)
            return len_a < len_b ? -1 : 1;
          if ((cmp = strncmp (start_a, start_b, len_a)) != 0)
            return cmp;
        }
      else
        {
          if (*a != *b)
            return (guchar) *a < (guchar) *b ? -1 : 1;
          a++;
          b++;
        }
    }

  return (*a != '\0') - (*b != '\0');
}

static int
order (gint64 a,
       gint64 b)
{
  return a < b ? GTK_ORDERING_SMALLER : a > b ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static int
compare_tags_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  int cmp = compare_natural (wharf_tag_item_get_name ((WharfTagItem *) a),
                             wharf_tag_item_get_name ((WharfTagItem *) b));

  return order (cmp, 0);
}

typedef struct
{
  WharfTagList *self;  /* owns the column view, which owns the sorter */
  ColumnKind    kind;
} SorterData;

static int
compare_details_cb (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  WharfTagItem *item_a = (WharfTagItem *) a;
  WharfTagItem *item_b = (WharfTagItem *) b;
  SorterData *data = user_data;
  GDateTime *created_a;
  GDateTime *created_b;

  data->self->detail_compares++;

  switch (data->kind)
    {
    case COLUMN_DIGEST:
      return order (g_strcmp0 (wharf_tag_item_get_digest (item_a),
                               wharf_tag_item_get_digest (item_b)), 0);

    case COLUMN_SIZE:
      return order (wharf_tag_item_get_size (item_a), wharf_tag_item_get_size (item_b));

    case COLUMN_CREATED:
      created_a = wharf_tag_item_get_created (item_a);
      created_b = wharf_tag_item_get_created (item_b);
      return order (created_a != NULL ? g_date_time_to_unix (created_a) : G_MININT64,
                    created_b != NULL ? g_date_time_to_unix (created_b) : G_MININT64);

    case COLUMN_PLATFORMS:
      return order (g_strcmp0 (wharf_tag_item_get_platforms (item_a),
                               wharf_tag_item_get_platforms (item_b)), 0);

    case COLUMN_TAG:
    default:
      return GTK_ORDERING_EQUAL;
    }
}

static gboolean
resort_cb (gpointer user_data)
{
  WharfTagList *self = user_data;

  self->resort_id = 0;
  gtk_sorter_changed (gtk_column_view_get_sorter (self->column_view),
                      GTK_SORTER_CHANGE_DIFFERENT);

  return G_SOURCE_REMOVE;
}

static gboolean
sorted_by_details (WharfTagList *self)
{
  return self->detail_compares_seen > 0;
}

static void
item_updated_cb (WharfTagList  *self,
                 WharfTagItem  *item,
                 WharfTagModel *model)
{
  if (sorted_by_details (self) && self->resort_id == 0)
    self->resort_id = g_timeout_add (RESORT_DELAY_MS, resort_cb, self);
}

static void
sorter_changed_cb (WharfTagList    *self,
                   GtkSorterChange  change,
                   GtkSorter       *sorter)
{
  /* The sort model re-sorted before this ran. Sorting by tag never gets
   * to the detail sorters, as tags are unique. */
  self->detail_compares_seen = self->detail_compares;
  self->detail_compares = 0;

  if (sorted_by_details (self))
    wharf_tag_model_fetch_all (self->model);
}

/* States */

static void
show_status (WharfTagList *self,
             const char   *icon_name,
             const char   *title,
             const char   *description,
             gboolean      spinner,
             gboolean      sign_in,
             gboolean      tls,
             gboolean      retry)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), spinner);
  gtk_spinner_set_spinning (self->spinner, spinner);
  gtk_widget_set_visible (self->sign_in_button, sign_in);
  gtk_widget_set_visible (self->tls_button, tls);
  gtk_widget_set_visible (self->retry_button, retry);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
show_error (WharfTagList *self,
            const GError *error)
{
  if (error->domain == WHARF_ERROR)
    {
      switch ((WharfError) error->code)
        {
        case WHARF_ERROR_NOT_FOUND:
          show_status (self, "edit-find-symbolic", _("Repository Not Found"), error->message,
                       FALSE, FALSE, FALSE, TRUE);
          return;

        case WHARF_ERROR_AUTH_REQUIRED:
        case WHARF_ERROR_AUTH_FAILED:
          show_status (self, "system-lock-screen-symbolic", _("Sign In Required"),
                       error->message, FALSE, TRUE, FALSE, FALSE);
          return;

        case WHARF_ERROR_DENIED:
          show_status (self, "action-unavailable-symbolic", _("Access Denied"), error->message,
                       FALSE, TRUE, FALSE, TRUE);
          return;

        case WHARF_ERROR_TLS_CERTIFICATE:
        case WHARF_ERROR_TLS:
        case WHARF_ERROR_INSECURE:
          show_status (self, "channel-insecure-symbolic", _("Secure Connection Failed"),
                       error->message, FALSE, FALSE, TRUE, TRUE);
          return;

        case WHARF_ERROR_CONNECTION_REFUSED:
        case WHARF_ERROR_HOST_NOT_FOUND:
        case WHARF_ERROR_TIMED_OUT:
        case WHARF_ERROR_NETWORK:
          show_status (self, "network-offline-symbolic", _("Registry Unreachable"),
                       error->message, FALSE, FALSE, FALSE, TRUE);
          return;

        case WHARF_ERROR_FAILED:
        case WHARF_ERROR_INVALID_REFERENCE:
        case WHARF_ERROR_INVALID_DIGEST:
        case WHARF_ERROR_DIGEST_MISMATCH:
        case WHARF_ERROR_NOT_A_REGISTRY:
        case WHARF_ERROR_UNSUPPORTED:
        case WHARF_ERROR_NO_CATALOG:
        case WHARF_ERROR_TOO_MANY_REQUESTS:
        case WHARF_ERROR_SERVER:
        case WHARF_ERROR_PROTOCOL:
        case WHARF_ERROR_MANIFEST_INVALID:
        case WHARF_ERROR_MANIFEST_TOO_LARGE:
        case WHARF_ERROR_CREDENTIALS:
        default:
          break;
        }
    }

  show_status (self, "dialog-error-symbolic", _("Could Not List Tags"), error->message,
               FALSE, FALSE, FALSE, TRUE);
}

static void
update_state (WharfTagList *self)
{
  const GError *error = wharf_tag_model_get_error (self->model);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  if (wharf_tag_model_get_repository (self->model) == NULL)
    show_status (self, NULL, _("Select a Repository"),
                 _("Choose a repository to see its tags and what each image holds."),
                 FALSE, FALSE, FALSE, FALSE);
  else if (n > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else if (error != NULL)
    show_error (self, error);
  else if (wharf_tag_model_get_loading (self->model))
    show_status (self, NULL, _("Loading Tags"), NULL, TRUE, FALSE, FALSE, FALSE);
  else
    show_status (self, "tag-symbolic", _("No Tags"),
                 _("This repository has no tagged images."),
                 FALSE, FALSE, FALSE, FALSE);
}

static void
model_changed_cb (WharfTagList *self)
{
  update_state (self);
}

static void
model_error_cb (WharfTagList  *self,
                GParamSpec    *pspec,
                WharfTagModel *model)
{
  const GError *error = wharf_tag_model_get_error (model);

  if (error != NULL && self->registry != NULL
      && wharf_tag_model_get_client (model) == wharf_registry_get_client (self->registry))
    wharf_registry_report_error (self->registry, error);

  update_state (self);
}

static void
update_selected_tag (WharfTagList *self)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (self->selection);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);
  g_autoptr(WharfTagItem) item = NULL;

  if (gtk_bitset_get_size (selected) == 1)
    item = g_list_model_get_item (G_LIST_MODEL (selection), gtk_bitset_get_nth (selected, 0));

  if (g_set_object (&self->selected_tag, item))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TAG]);
}

static void
selection_changed_cb (WharfTagList      *self,
                      guint              position,
                      guint              n_items,
                      GtkMultiSelection *selection)
{
  update_selected_tag (self);
}

/* Rows that go take their selection along without "selection-changed". */
static void
selection_items_changed_cb (WharfTagList      *self,
                            guint              position,
                            guint              removed,
                            guint              added,
                            GtkMultiSelection *selection)
{
  update_selected_tag (self);
}

static void
column_view_activate_cb (WharfTagList  *self,
                         guint          position,
                         GtkColumnView *column_view)
{
  g_autoptr(WharfTagItem) item = g_list_model_get_item (G_LIST_MODEL (self->sort_model),
                                                        position);

  if (item != NULL)
    g_signal_emit (self, signals[TAG_ACTIVATED], 0, item);
}

static void
registry_client_cb (WharfTagList  *self,
                    GParamSpec    *pspec,
                    WharfRegistry *registry)
{
  const char *repository = wharf_tag_model_get_repository (self->model);
  g_autofree char *name = g_strdup (repository);

  if (name != NULL)
    wharf_tag_model_load (self->model, wharf_registry_get_client (registry), name);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  WharfTagList *self = WHARF_TAG_LIST (widget);

  wharf_tag_list_refresh (self);
}

static GtkColumnViewColumn *
add_column (WharfTagList *self,
            const char   *title,
            ColumnKind    kind,
            gboolean      expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter;

  /* The list items live inside this list's column view. */
  g_object_set_data (G_OBJECT (factory), "wharf-tag-list", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (kind));
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cell_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_cell_cb), self, 0);

  if (kind == COLUMN_TAG)
    {
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_tags_cb, NULL, NULL));
    }
  else
    {
      SorterData *data = g_new0 (SorterData, 1);

      data->self = self;
      data->kind = kind;
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_details_cb, data, g_free));
    }

  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);

  g_object_unref (sorter);
  g_object_unref (column);

  return column;
}

static void
wharf_tag_list_dispose (GObject *object)
{
  WharfTagList *self = WHARF_TAG_LIST (object);

  g_clear_handle_id (&self->resort_id, g_source_remove);
  if (self->registry_signals != NULL)
    g_signal_group_set_target (self->registry_signals, NULL);
  if (self->model != NULL)
    wharf_tag_model_load (self->model, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_TAG_LIST);
  g_clear_pointer (&self->in_view, wharf_frame_queue_free);

  g_clear_object (&self->registry);
  g_clear_object (&self->selection);
  g_clear_object (&self->selected_tag);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (wharf_tag_list_parent_class)->dispose (object);
}

static void
wharf_tag_list_finalize (GObject *object)
{
  WharfTagList *self = WHARF_TAG_LIST (object);

  g_clear_object (&self->registry_signals);
  g_clear_object (&self->cache);

  G_OBJECT_CLASS (wharf_tag_list_parent_class)->finalize (object);
}

static void
wharf_tag_list_constructed (GObject *object)
{
  WharfTagList *self = WHARF_TAG_LIST (object);
  GtkSorter *sorter;

  G_OBJECT_CLASS (wharf_tag_list_parent_class)->constructed (object);

  if (self->cache == NULL)
    self->cache = g_object_ref (wharf_details_cache_get_default ());

  self->model = wharf_tag_model_new (self->cache);
  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->model)),
                                              g_object_ref (sorter));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::loading",
                           G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::repository",
                           G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::error",
                           G_CALLBACK (model_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "item-updated",
                           G_CALLBACK (item_updated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sorter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (selection_items_changed_cb), self, G_CONNECT_SWAPPED);

  update_state (self);
}

static void
wharf_tag_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WharfTagList *self = WHARF_TAG_LIST (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      g_value_set_object (value, self->cache);
      break;

    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    case PROP_REPOSITORY:
      g_value_set_string (value, wharf_tag_list_get_repository (self));
      break;

    case PROP_SELECTED_TAG:
      g_value_set_object (value, wharf_tag_list_get_selected_tag (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WharfTagList *self = WHARF_TAG_LIST (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      self->cache = g_value_dup_object (value);
      break;

    case PROP_SELECTED_TAG:
      {
        WharfTagItem *item = g_value_get_object (value);

        wharf_tag_list_select_tag (self, item != NULL ? wharf_tag_item_get_name (item) : NULL);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_tag_list_class_init (WharfTagListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = wharf_tag_list_constructed;
  object_class->dispose = wharf_tag_list_dispose;
  object_class->finalize = wharf_tag_list_finalize;
  object_class->get_property = wharf_tag_list_get_property;
  object_class->set_property = wharf_tag_list_set_property;

  properties[PROP_CACHE] =
    g_param_spec_object ("cache", NULL, NULL,
                         WHARF_TYPE_DETAILS_CACHE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         WHARF_TYPE_REGISTRY,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_REPOSITORY] =
    g_param_spec_string ("repository", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_TAG] =
    g_param_spec_object ("selected-tag", NULL, NULL,
                         WHARF_TYPE_TAG_ITEM,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TAG_ACTIVATED] =
    g_signal_new ("tag-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, WHARF_TYPE_TAG_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-tag-list.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, stack);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, status_page);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, tls_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, retry_button);
  gtk_widget_class_bind_template_child (widget_class, WharfTagList, column_view);

  gtk_widget_class_install_action (widget_class, "tags.retry", NULL, retry_action);

  gtk_widget_class_set_css_name (widget_class, "taglist");
}

static void
wharf_tag_list_init (WharfTagList *self)
{
  GtkColumnViewColumn *tag_column;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->in_view = wharf_frame_queue_new (cell_after_frame_cb, self);

  tag_column = add_column (self, _("Tag"), COLUMN_TAG, TRUE);
  add_column (self, _("Digest"), COLUMN_DIGEST, FALSE);
  add_column (self, _("Size"), COLUMN_SIZE, FALSE);
  add_column (self, _("Created"), COLUMN_CREATED, FALSE);
  add_column (self, _("Platforms"), COLUMN_PLATFORMS, TRUE);
  gtk_column_view_sort_by_column (self->column_view, tag_column, GTK_SORT_ASCENDING);

  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (column_view_activate_cb), self, G_CONNECT_SWAPPED);

  self->registry_signals = g_signal_group_new (WHARF_TYPE_REGISTRY);
  g_signal_group_connect_object (self->registry_signals, "notify::client",
                                 G_CALLBACK (registry_client_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
wharf_tag_list_new (WharfDetailsCache *cache)
{
  g_return_val_if_fail (!cache || WHARF_IS_DETAILS_CACHE (cache), NULL);

  return g_object_new (WHARF_TYPE_TAG_LIST,
                       "cache", cache,
                       NULL);
}

WharfRegistry *
wharf_tag_list_get_registry (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return self->registry;
}

const char *
wharf_tag_list_get_repository (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return wharf_tag_model_get_repository (self->model);
}

void
wharf_tag_list_load (WharfTagList  *self,
                     WharfRegistry *registry,
                     const char    *repository)
{
  g_autofree char *name = g_strdup (repository);

  g_return_if_fail (WHARF_IS_TAG_LIST (self));
  g_return_if_fail (!registry || WHARF_IS_REGISTRY (registry));

  if (registry == NULL || repository == NULL)
    {
      registry = NULL;
      g_clear_pointer (&name, g_free);
    }

  if (registry == self->registry
      && g_strcmp0 (name, wharf_tag_model_get_repository (self->model)) == 0)
    return;

  if (g_set_object (&self->registry, registry))
    {
      g_signal_group_set_target (self->registry_signals, registry);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRY]);
    }

  /* A new repository starts sorted by tag, with nothing selected. */
  self->detail_compares = 0;
  self->detail_compares_seen = 0;
  g_clear_handle_id (&self->resort_id, g_source_remove);

  wharf_tag_model_load (self->model,
                        registry != NULL ? wharf_registry_get_client (registry) : NULL,
                        name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPOSITORY]);
  update_state (self);
}

void
wharf_tag_list_refresh (WharfTagList *self)
{
  g_return_if_fail (WHARF_IS_TAG_LIST (self));

  wharf_tag_model_refresh (self->model);
  update_state (self);
}

WharfTagItem *
wharf_tag_list_get_selected_tag (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return self->selected_tag;
}

void
wharf_tag_list_select_tag (WharfTagList *self,
                           const char   *tag)
{
  GListModel *model;
  guint n;

  g_return_if_fail (WHARF_IS_TAG_LIST (self));

  model = G_LIST_MODEL (self->sort_model);
  n = g_list_model_get_n_items (model);

  if (tag != NULL)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(WharfTagItem) item = g_list_model_get_item (model, i);

          if (g_str_equal (wharf_tag_item_get_name (item), tag))
            {
              gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
              gtk_widget_activate_action (GTK_WIDGET (self->column_view),
                                          "list.scroll-to-item", "u", i);
              return;
            }
        }
    }

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

WharfTagModel *
wharf_tag_list_get_model (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return self->model;
}

GtkSortListModel *
wharf_tag_list_get_sort_model (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return self->sort_model;
}

GtkColumnView *
wharf_tag_list_get_column_view (WharfTagList *self)
{
  g_return_val_if_fail (WHARF_IS_TAG_LIST (self), NULL);

  return self->column_view;
}
