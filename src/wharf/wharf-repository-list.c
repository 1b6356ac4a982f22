/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-repository-list.c: the repositories pane: a registry's catalog, filtered as you type. */

#define G_LOG_DOMAIN "wharf-repository-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wharf-repository-list.h"
#include "wharf-frame-queue.h"
#include "wharf-row-model.h"

struct _WharfRepositoryList
{
  GtkWidget             parent_instance;

  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkWidget            *search_button;
  GtkWidget            *menu_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *stack;
  AdwStatusPage        *status_page;
  GtkSpinner           *spinner;
  GtkWidget            *open_box;
  GtkEntry             *open_entry;
  GtkLabel             *open_error;
  GtkWidget            *sign_in_button;
  GtkWidget            *tls_button;
  GtkWidget            *retry_button;
  GtkListView          *list_view;

  WharfRegistry        *registry;
  GSignalGroup         *registry_signals;
  GCancellable         *cancellable;

  WharfRepositoryModel *model;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filter_model;
  /* Between the filter and the view, so that typing rebinds rows instead
   * of rebuilding them: see wharf-row-model.h. */
  WharfRowModel        *rows;
  GtkSingleSelection   *selection;
  /* Row boxes to see to after the next frame (see RowState). */
  WharfFrameQueue      *after_frame;

  /* Lower case: repository names are, by their grammar. */
  char                 *search_text;
  char                 *selected_repository;
  /* Opened by name before the catalog listed it: its row is selected when
   * it shows up. */
  char                 *pending_selection;
  char                 *count_text;
  guint                 counts_id;

  guint                 hide_empty : 1;
  /* An empty repository was counted while they are hidden. */
  guint                 refilter_pending : 1;
  guint                 folded : 1;
  /* The selection is being changed by code, not by the user. */
  guint                 selecting : 1;
  /* An error came while the registry was still being checked; it is
   * reported once the check is over. */
  guint                 error_unreported : 1;
};

G_DEFINE_FINAL_TYPE (WharfRepositoryList, wharf_repository_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_SELECTED_REPOSITORY,
  PROP_HIDE_EMPTY,
  PROP_FOLDED,
  N_PROPS
};

enum {
  REPOSITORY_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_selected_repository (WharfRepositoryList *self,
                         const char          *name)
{
  if (g_strcmp0 (self->selected_repository, name) == 0)
    return;

  g_free (self->selected_repository);
  self->selected_repository = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_REPOSITORY]);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  WharfRepositoryList *self = user_data;
  WharfRepositoryItem *repository = item;

  if (self->hide_empty && wharf_repository_item_get_empty (repository))
    return FALSE;

  if (self->search_text[0] != '\0'
      && strstr (wharf_repository_item_get_name (repository), self->search_text) == NULL)
    return FALSE;

  return TRUE;
}

static gboolean
is_filtering (WharfRepositoryList *self)
{
  return self->hide_empty || self->search_text[0] != '\0';
}

static void
update_count (WharfRepositoryList *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  char *text;

  if (self->registry == NULL || total == 0)
    text = g_strdup ("");
  else if (self->hide_empty && wharf_repository_model_get_n_checked (self->model) < total)
    /* Translators: "120 of 2,500 repositories checked for tags": so far. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u of %'u repository checked for tags",
                                         "%'u of %'u repositories checked for tags", total),
                            wharf_repository_model_get_n_checked (self->model), total);
  else if (is_filtering (self))
    /* Translators: "12 of 2,500 repositories": shown of all. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u of %'u repository",
                                         "%'u of %'u repositories", total),
                            shown, total);
  else if (wharf_repository_model_get_loading (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u repository so far",
                                         "%'u repositories so far", total),
                            total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u repository",
                                         "%'u repositories", total),
                            total);

  if (g_strcmp0 (text, self->count_text) == 0)
    {
      g_free (text);
      return;
    }

  g_free (self->count_text);
  self->count_text = text;
  adw_window_title_set_subtitle (self->window_title, text);
}

static void
show_status (WharfRepositoryList *self,
             const char          *icon_name,
             const char          *title,
             const char          *description,
             gboolean             spinner,
             gboolean             open_by_name,
             gboolean             sign_in,
             gboolean             tls,
             gboolean             retry)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), spinner);
  gtk_spinner_set_spinning (self->spinner, spinner);
  gtk_widget_set_visible (self->open_box, open_by_name);
  if (!open_by_name)
    gtk_widget_set_visible (GTK_WIDGET (self->open_error), FALSE);
  gtk_widget_set_visible (self->sign_in_button, sign_in);
  gtk_widget_set_visible (self->tls_button, tls);
  gtk_widget_set_visible (self->retry_button, retry);

  gtk_stack_set_visible_child_name (self->stack, "status");
}

static gboolean
registry_is_checking (WharfRepositoryList *self)
{
  WharfRegistryStatus status = wharf_registry_get_status (self->registry);

  return status == WHARF_REGISTRY_STATUS_CHECKING || status == WHARF_REGISTRY_STATUS_UNKNOWN;
}

static void
show_error (WharfRepositoryList *self,
            const GError        *error)
{
  if (error->domain != WHARF_ERROR)
    {
      show_status (self, "dialog-error-symbolic", _("Could Not List Repositories"),
                   error->message, FALSE, FALSE, FALSE, FALSE, TRUE);
      return;
    }

  switch ((WharfError) error->code)
    {
    case WHARF_ERROR_NO_CATALOG:
      /* Not a failure: Docker Hub and many others work this way. */
      show_status (self, "system-search-symbolic",
                   _("This registry does not list its repositories"),
                   _("Open a repository by its name instead."),
                   FALSE, TRUE, FALSE, FALSE, FALSE);
      break;

    case WHARF_ERROR_AUTH_REQUIRED:
    case WHARF_ERROR_AUTH_FAILED:
      show_status (self, "system-lock-screen-symbolic", _("Sign In Required"),
                   error->message, FALSE, FALSE, TRUE, FALSE, FALSE);
      break;

    case WHARF_ERROR_DENIED:
      show_status (self, "action-unavailable-symbolic", _("Access Denied"),
                   error->message, FALSE, FALSE, TRUE, FALSE, TRUE);
      break;

    case WHARF_ERROR_TLS_CERTIFICATE:
    case WHARF_ERROR_TLS:
    case WHARF_ERROR_INSECURE:
      show_status (self, "channel-insecure-symbolic", _("Secure Connection Failed"),
                   error->message, FALSE, FALSE, FALSE, TRUE, TRUE);
      break;

    case WHARF_ERROR_CONNECTION_REFUSED:
    case WHARF_ERROR_HOST_NOT_FOUND:
    case WHARF_ERROR_TIMED_OUT:
    case WHARF_ERROR_NETWORK:
      show_status (self, "network-offline-symbolic", _("Registry Unreachable"),
                   error->message, FALSE, FALSE, FALSE, FALSE, TRUE);
      break;

    case WHARF_ERROR_FAILED:
    case WHARF_ERROR_INVALID_REFERENCE:
    case WHARF_ERROR_INVALID_DIGEST:
    case WHARF_ERROR_DIGEST_MISMATCH:
    case WHARF_ERROR_NOT_A_REGISTRY:
    case WHARF_ERROR_NOT_FOUND:
    case WHARF_ERROR_UNSUPPORTED:
    case WHARF_ERROR_TOO_MANY_REQUESTS:
    case WHARF_ERROR_SERVER:
    case WHARF_ERROR_PROTOCOL:
    case WHARF_ERROR_MANIFEST_INVALID:
    case WHARF_ERROR_MANIFEST_TOO_LARGE:
    case WHARF_ERROR_CREDENTIALS:
    default:
      show_status (self, "dialog-error-symbolic", _("Could Not List Repositories"),
                   error->message, FALSE, FALSE, FALSE, FALSE, TRUE);
      break;
    }
}

static void
update_state (WharfRepositoryList *self)
{
  const GError *error = wharf_repository_model_get_error (self->model);
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  update_count (self);

  /* Nothing to search or hide before there is a list. */
  gtk_widget_set_sensitive (self->search_button, total > 0);
  gtk_widget_set_sensitive (self->menu_button, self->registry != NULL);
  if (total == 0 && gtk_search_bar_get_search_mode (self->search_bar)
      && self->search_text[0] == '\0')
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  if (self->registry == NULL)
    {
      show_status (self, NULL, _("Select a Registry"),
                   _("Choose a registry in the sidebar to browse its repositories."),
                   FALSE, FALSE, FALSE, FALSE, FALSE);
      return;
    }

  if (total == 0)
    {
      gboolean auth_error = g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_REQUIRED)
                            || g_error_matches (error, WHARF_ERROR, WHARF_ERROR_AUTH_FAILED);

      /* The registry may still find stored credentials and list again with
       * them: no sign-in prompt before that is known. */
      if (error != NULL && !(auth_error && registry_is_checking (self)))
        show_error (self, error);
      else if (error != NULL || wharf_repository_model_get_loading (self->model))
        show_status (self, NULL, _("Loading Repositories"), NULL,
                     TRUE, FALSE, FALSE, FALSE, FALSE);
      else
        show_status (self, "folder-symbolic", _("No Repositories Yet"),
                     _("Push an image to this registry and it shows here."),
                     FALSE, FALSE, FALSE, FALSE, FALSE);
      return;
    }

  if (shown == 0 && gtk_filter_list_model_get_pending (self->filter_model) == 0)
    {
      show_status (self, "edit-find-symbolic", _("No Matching Repositories"),
                   self->hide_empty ? _("Try another search, or show repositories without tags.")
                                    : _("Try another search."),
                   FALSE, FALSE, FALSE, FALSE, FALSE);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
report_error (WharfRepositoryList *self)
{
  const GError *error = wharf_repository_model_get_error (self->model);

  self->error_unreported = FALSE;
  if (error == NULL || self->registry == NULL)
    return;

  /* The sidebar shows the registry's status: tell it what listing found. */
  if (wharf_repository_model_get_client (self->model)
      == wharf_registry_get_client (self->registry))
    wharf_registry_report_error (self->registry, error);
}

static void
model_error_cb (WharfRepositoryList  *self,
                GParamSpec           *pspec,
                WharfRepositoryModel *model)
{
  if (wharf_repository_model_get_error (model) != NULL && self->registry != NULL)
    {
      if (registry_is_checking (self))
        self->error_unreported = TRUE;
      else
        report_error (self);
    }

  update_state (self);
}

static void
try_select_pending (WharfRepositoryList *self)
{
  WharfRepositoryItem *item;
  guint position;

  if (self->pending_selection == NULL)
    return;

  item = wharf_repository_model_find (self->model, self->pending_selection, NULL);
  if (item == NULL)
    {
      if (wharf_repository_model_get_complete (self->model))
        g_clear_pointer (&self->pending_selection, g_free);
      return;
    }

  /* Its row may not be there yet while the rows grow. */
  position = wharf_row_model_find (self->rows, item);
  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->rows)))
    return;

  g_clear_pointer (&self->pending_selection, g_free);

  self->selecting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->selecting = FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

static void
model_items_changed_cb (WharfRepositoryList *self,
                        guint                position,
                        guint                removed,
                        guint                added,
                        GListModel          *model)
{
  update_state (self);
}

/* The rows keep their places while the repositories move under them: the
 * selection follows the open repository to its new place, or is cleared
 * while the filter hides it (which does not close it). */
static void
follow_open_repository (WharfRepositoryList *self)
{
  WharfRepositoryItem *open = NULL;
  guint position = GTK_INVALID_LIST_POSITION;

  if (self->selected_repository != NULL)
    open = wharf_repository_model_find (self->model, self->selected_repository, NULL);
  if (open != NULL)
    {
      guint selected = gtk_single_selection_get_selected (self->selection);
      g_autoptr(WharfRepositoryItem) shown = NULL;

      if (selected != GTK_INVALID_LIST_POSITION)
        shown = g_list_model_get_item (G_LIST_MODEL (self->filter_model), selected);
      if (shown == open)
        return;
      position = wharf_row_model_find (self->rows, open);
    }

  if (position == gtk_single_selection_get_selected (self->selection))
    return;

  self->selecting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->selecting = FALSE;
}

/* After the list changed: the repository opened by name, or the open one. */
static void
place_selection (WharfRepositoryList *self)
{
  if (self->pending_selection != NULL)
    try_select_pending (self);
  else
    follow_open_repository (self);
}

static void
filter_items_changed_cb (WharfRepositoryList *self,
                         guint                position,
                         guint                removed,
                         guint                added,
                         GListModel          *model)
{
  update_state (self);
  place_selection (self);
}

/* The rows may trail the filter model by a few main-loop turns: the
 * repository's place may only now exist. */
static void
rows_items_changed_cb (WharfRepositoryList *self,
                       guint                position,
                       guint                removed,
                       guint                added,
                       GListModel          *model)
{
  if (added > 0)
    place_selection (self);
}

static void
filter_pending_cb (WharfRepositoryList *self,
                   GParamSpec          *pspec,
                   GtkFilterListModel  *filter_model)
{
  update_state (self);
}

static void
loading_changed_cb (WharfRepositoryList  *self,
                    GParamSpec           *pspec,
                    WharfRepositoryModel *model)
{
  update_state (self);
  try_select_pending (self);
}

/* Counts arrive a few at a time: one refilter and one new count text for a
 * burst of them. */
static gboolean
counts_arrived_cb (gpointer user_data)
{
  WharfRepositoryList *self = user_data;

  self->counts_id = 0;
  if (self->refilter_pending)
    {
      self->refilter_pending = FALSE;
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
    }
  update_count (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_counts_arrived (WharfRepositoryList *self)
{
  if (self->counts_id == 0)
    self->counts_id = g_timeout_add (100, counts_arrived_cb, self);
}

static void
item_counted_cb (WharfRepositoryList  *self,
                 WharfRepositoryItem  *item,
                 WharfRepositoryModel *model)
{
  if (self->hide_empty && wharf_repository_item_get_empty (item))
    {
      self->refilter_pending = TRUE;
      schedule_counts_arrived (self);
    }
}

/* While hiding the repositories without tags, the count says how far the
 * look at every repository's tags has got. */
static void
n_checked_cb (WharfRepositoryList  *self,
              GParamSpec           *pspec,
              WharfRepositoryModel *model)
{
  if (self->hide_empty)
    schedule_counts_arrived (self);
}

static void
selection_changed_cb (WharfRepositoryList *self,
                      GParamSpec          *pspec,
                      GtkSingleSelection  *selection)
{
  WharfRow *row = gtk_single_selection_get_selected_item (selection);
  WharfRepositoryItem *item;
  const char *name;

  /* A filter that hides the open repository's row does not close it; a
   * spare row past the list's end (reached by the keyboard while it is
   * there) shows no repository. */
  if (row == NULL || self->selecting || wharf_row_get_item (row) == NULL)
    return;
  item = wharf_row_get_item (row);

  name = wharf_repository_item_get_name (item);
  g_clear_pointer (&self->pending_selection, g_free);
  set_selected_repository (self, name);
  g_signal_emit (self, signals[REPOSITORY_ACTIVATED], 0, name);
}

static void
list_activate_cb (WharfRepositoryList *self,
                  guint                position,
                  GtkListView         *list_view)
{
  g_autoptr(WharfRepositoryItem) item = NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (item == NULL)
    return;

  set_selected_repository (self, wharf_repository_item_get_name (item));
  g_signal_emit (self, signals[REPOSITORY_ACTIVATED], 0, wharf_repository_item_get_name (item));
}

static void
search_changed_cb (WharfRepositoryList *self,
                   GtkEditable         *editable)
{
  g_autofree char *text = g_utf8_strdown (gtk_editable_get_text (editable), -1);
  g_autofree char *old = NULL;
  GtkFilterChange change;

  g_strstrip (text);
  if (g_str_equal (text, self->search_text))
    return;

  old = g_steal_pointer (&self->search_text);
  self->search_text = g_steal_pointer (&text);

  /* Typing on narrows what showed; deleting widens it: the filter model
   * then looks only at what may change. */
  if (strstr (self->search_text, old) != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (strstr (old, self->search_text) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;

  gtk_filter_changed (GTK_FILTER (self->filter), change);
  update_state (self);
}

static void
stop_search_cb (WharfRepositoryList *self,
                GtkSearchEntry      *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* A row is a box with the repository's name, and a "No tags" marker after
 * it once the repository turns out to have none. Few do, so the marker is
 * made only then: a row that is never marked costs one widget less to make
 * and to destroy, which a keystroke in the filter may do for many rows. */
static void
show_empty (GtkWidget *box,
            gboolean   empty)
{
  GtkWidget *marker = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));

  if (marker == NULL && empty)
    {
      marker = gtk_label_new (_("No tags"));
      gtk_widget_add_css_class (marker, "dim-label");
      gtk_widget_add_css_class (marker, "caption");
      gtk_widget_set_tooltip_text (marker, _("This repository has no tags"));
      gtk_box_append (GTK_BOX (box), marker);
    }
  if (marker != NULL)
    gtk_widget_set_visible (marker, empty);
}

static void
item_empty_cb (WharfRepositoryItem *item,
               GParamSpec          *pspec,
               GtkWidget           *box)
{
  show_empty (box, wharf_repository_item_get_empty (item));
}

/* What a row's box shows, kept on the box. */
typedef struct
{
  /* The repository of the row (NULL: a spare, see wharf-row-model.h), and
   * the one its widgets show. They differ while the row is out of view:
   * GTK 4.8 keeps widgets for up to 200 rows, most out of view, and a
   * keystroke in the filter changes what they all show. Those out of view
   * are brought up to date after the frame that shows the rows in view, or
   * when they come into view, whichever is first. */
  WharfRepositoryItem *item;
  WharfRepositoryItem *shown;
  gulong               empty_handler;   /* on @shown */
} RowState;

static GQuark
row_state_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("wharf-repository-row");
  return quark;
}

static RowState *
row_state (GtkWidget *box)
{
  return g_object_get_qdata (G_OBJECT (box), row_state_quark ());
}

static void
row_state_clear_shown (RowState *state)
{
  if (state->shown != NULL)
    g_signal_handler_disconnect (state->shown, state->empty_handler);
  state->empty_handler = 0;
  g_clear_object (&state->shown);
}

/* The box shows no repository. */
static void
row_state_clear (RowState *state)
{
  row_state_clear_shown (state);
  g_clear_object (&state->item);
}

static void
row_state_free (RowState *state)
{
  row_state_clear (state);
  g_free (state);
}

/* Puts the row's repository on its widgets. */
static void
show_row (GtkWidget *box)
{
  RowState *state = row_state (box);
  GtkWidget *name = gtk_widget_get_first_child (box);
  const char *text;

  if (state->shown == state->item)
    return;

  row_state_clear_shown (state);
  text = state->item != NULL ? wharf_repository_item_get_name (state->item) : NULL;
  gtk_inscription_set_text (GTK_INSCRIPTION (name), text);
  if (state->item == NULL)
    return;

  /* GtkInscription of GTK 4.8 does not give screen readers its text. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (name),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  show_empty (box, wharf_repository_item_get_empty (state->item));
  state->shown = g_object_ref (state->item);
  state->empty_handler = g_signal_connect (state->shown, "notify::empty",
                                           G_CALLBACK (item_empty_cb), box);
}

/* After a frame: rows out of view are brought up to date, and those still
 * mapped, so in view, ask for their tag counts (the newest request is
 * served first, and the queue sees to the bottom row first, so the top
 * row's count comes first). */
static void
row_after_frame_cb (GtkWidget *box,
                    gpointer   user_data)
{
  WharfRepositoryList *self = user_data;
  RowState *state = row_state (box);

  show_row (box);
  if (state->item != NULL && gtk_widget_get_mapped (box))
    wharf_repository_model_request_tag_count (self->model, state->item);
}

static void
row_mapped_cb (WharfRepositoryList *self,
               GtkWidget           *box)
{
  show_row (box);
  wharf_frame_queue_add (self->after_frame, box);
}

/* The repository of @list_item's row: on bind, and again whenever the
 * filter puts another repository at the row's place. A row in view shows
 * it at once; one out of view after the next frame (see RowState). A spare
 * row past the end of the list (wharf-row-model.h) shows nothing: its row
 * widget is hidden, so it takes no room, no focus and no place in the
 * accessibility tree. */
static void
show_repository (WharfRepositoryList *self,
                 GtkListItem         *list_item)
{
  WharfRepositoryItem *item = wharf_row_get_item (gtk_list_item_get_item (list_item));
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *row_widget = gtk_widget_get_parent (box);
  RowState *state = row_state (box);

  gtk_widget_set_visible (row_widget != NULL ? row_widget : box, item != NULL);
  if (state->item == item)
    return;

  g_set_object (&state->item, item);
  if (gtk_widget_get_mapped (box))
    show_row (box);
  wharf_frame_queue_add (self->after_frame, box);
}

static void
row_item_cb (GtkListItem *list_item,
             GParamSpec  *pspec,
             WharfRow    *row)
{
  WharfRepositoryList *self = g_object_get_data (G_OBJECT (list_item), "wharf-repository-list");

  show_repository (self, list_item);
}

static void
setup_row_cb (WharfRepositoryList      *self,
              GtkListItem              *list_item,
              GtkSignalListItemFactory *factory)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (name),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_set_valign (name, GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (box), name);
  g_object_set_qdata_full (G_OBJECT (box), row_state_quark (), g_new0 (RowState, 1),
                           (GDestroyNotify) row_state_free);
  g_signal_connect_object (box, "map", G_CALLBACK (row_mapped_cb), self, G_CONNECT_SWAPPED);
  gtk_list_item_set_child (list_item, box);
  /* The list items live inside this pane's list view. */
  g_object_set_data (G_OBJECT (list_item), "wharf-repository-list", self);
}

static void
bind_row_cb (WharfRepositoryList      *self,
             GtkListItem              *list_item,
             GtkSignalListItemFactory *factory)
{
  show_repository (self, list_item);
  g_signal_connect_object (gtk_list_item_get_item (list_item), "notify::item",
                           G_CALLBACK (row_item_cb), list_item, G_CONNECT_SWAPPED);
}

static void
unbind_row_cb (WharfRepositoryList      *self,
               GtkListItem              *list_item,
               GtkSignalListItemFactory *factory)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);

  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), row_item_cb,
                                        list_item);
  row_state_clear (row_state (box));
}

static void
update_title (WharfRepositoryList *self)
{
  if (self->registry != NULL)
    adw_window_title_set_title (self->window_title,
                                wharf_registry_get_display_name (self->registry));
  else
    adw_window_title_set_title (self->window_title, _("Repositories"));
}

static void
registry_client_cb (WharfRepositoryList *self,
                    GParamSpec          *pspec,
                    WharfRegistry       *registry)
{
  /* New credentials or TLS settings: list again with them. */
  wharf_repository_model_set_client (self->model, wharf_registry_get_client (registry));
}

static void
registry_status_cb (WharfRepositoryList *self,
                    GParamSpec          *pspec,
                    WharfRegistry       *registry)
{
  if (self->error_unreported && !registry_is_checking (self))
    report_error (self);

  update_state (self);
}

static void
registry_display_name_cb (WharfRepositoryList *self,
                          GParamSpec          *pspec,
                          WharfRegistry       *registry)
{
  update_title (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (widget);

  if (gtk_search_bar_get_search_mode (self->search_bar)
      && gtk_widget_has_focus (GTK_WIDGET (self->search_entry)))
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  else
    wharf_repository_list_start_search (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (widget);

  if (self->registry == NULL)
    return;

  /* The registry is checked again too, so the sidebar follows; should that
   * bring a new client, the list starts over with it. */
  wharf_registry_refresh_async (self->registry, self->cancellable, NULL, NULL);
  wharf_repository_list_reload (self);
}

static void
open_by_name_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (widget);
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->open_entry)));
  g_autoptr(GError) error = NULL;

  g_strstrip (name);
  if (!wharf_reference_validate_path (name, &error))
    {
      gtk_label_set_text (self->open_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->open_error), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->open_error), FALSE);
  set_selected_repository (self, name);
  g_signal_emit (self, signals[REPOSITORY_ACTIVATED], 0, name);
}

static void
open_entry_activate_cb (WharfRepositoryList *self,
                        GtkEntry            *entry)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "repositories.open-by-name", NULL);
}

static void
wharf_repository_list_dispose (GObject *object)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->counts_id, g_source_remove);
  if (self->registry_signals != NULL)
    g_signal_group_set_target (self->registry_signals, NULL);
  if (self->model != NULL)
    wharf_repository_model_cancel (self->model);

  gtk_widget_dispose_template (GTK_WIDGET (self), WHARF_TYPE_REPOSITORY_LIST);

  g_clear_pointer (&self->after_frame, wharf_frame_queue_free);
  g_clear_object (&self->registry);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (wharf_repository_list_parent_class)->dispose (object);
}

static void
wharf_repository_list_finalize (GObject *object)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (object);

  g_clear_object (&self->registry_signals);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->selected_repository, g_free);
  g_clear_pointer (&self->pending_selection, g_free);
  g_clear_pointer (&self->count_text, g_free);

  G_OBJECT_CLASS (wharf_repository_list_parent_class)->finalize (object);
}

static void
wharf_repository_list_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    case PROP_SELECTED_REPOSITORY:
      g_value_set_string (value, self->selected_repository);
      break;

    case PROP_HIDE_EMPTY:
      g_value_set_boolean (value, self->hide_empty);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_list_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  WharfRepositoryList *self = WHARF_REPOSITORY_LIST (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      wharf_repository_list_set_registry (self, g_value_get_object (value));
      break;

    case PROP_SELECTED_REPOSITORY:
      wharf_repository_list_select_repository (self, g_value_get_string (value));
      break;

    case PROP_HIDE_EMPTY:
      if (self->hide_empty != g_value_get_boolean (value))
        {
          self->hide_empty = g_value_get_boolean (value);
          /* Hiding them means knowing them all, not only those seen. */
          wharf_repository_model_set_count_all (self->model, self->hide_empty);
          gtk_filter_changed (GTK_FILTER (self->filter),
                              self->hide_empty ? GTK_FILTER_CHANGE_MORE_STRICT
                                               : GTK_FILTER_CHANGE_LESS_STRICT);
          update_state (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wharf_repository_list_class_init (WharfRepositoryListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wharf_repository_list_dispose;
  object_class->finalize = wharf_repository_list_finalize;
  object_class->get_property = wharf_repository_list_get_property;
  object_class->set_property = wharf_repository_list_set_property;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         WHARF_TYPE_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_REPOSITORY] =
    g_param_spec_string ("selected-repository", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_HIDE_EMPTY] =
    g_param_spec_boolean ("hide-empty", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REPOSITORY_ACTIVATED] =
    g_signal_new ("repository-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wharf-repository-list.ui");
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, header_bar);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, window_title);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, search_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, menu_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, search_bar);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, stack);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, status_page);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, spinner);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, open_box);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, open_entry);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, open_error);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, tls_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, retry_button);
  gtk_widget_class_bind_template_child (widget_class, WharfRepositoryList, list_view);

  gtk_widget_class_install_action (widget_class, "repositories.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "repositories.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "repositories.open-by-name", NULL,
                                   open_by_name_action);
  gtk_widget_class_install_property_action (widget_class, "repositories.hide-empty",
                                            "hide-empty");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "repositories.search", NULL);

  gtk_widget_class_set_css_name (widget_class, "repositorylist");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
wharf_repository_list_init (WharfRepositoryList *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->search_text = g_strdup ("");
  self->after_frame = wharf_frame_queue_new (row_after_frame_cb, self);

  self->model = wharf_repository_model_new ();
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->model)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  gtk_filter_list_model_set_incremental (self->filter_model, FALSE);
  self->rows = wharf_row_model_new (G_LIST_MODEL (self->filter_model));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (model_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::loading",
                           G_CALLBACK (loading_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::error",
                           G_CALLBACK (model_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "item-counted",
                           G_CALLBACK (item_counted_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::n-checked",
                           G_CALLBACK (n_checked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (filter_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->rows, "items-changed",
                           G_CALLBACK (rows_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "notify::pending",
                           G_CALLBACK (filter_pending_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_view, "activate",
                           G_CALLBACK (list_activate_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (stop_search_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->open_entry, "activate",
                           G_CALLBACK (open_entry_activate_cb), self, G_CONNECT_SWAPPED);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->list_view));

  self->registry_signals = g_signal_group_new (WHARF_TYPE_REGISTRY);
  g_signal_group_connect_object (self->registry_signals, "notify::client",
                                 G_CALLBACK (registry_client_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->registry_signals, "notify::status",
                                 G_CALLBACK (registry_status_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->registry_signals, "notify::display-name",
                                 G_CALLBACK (registry_display_name_cb), self, G_CONNECT_SWAPPED);

  update_state (self);
}

GtkWidget *
wharf_repository_list_new (void)
{
  return g_object_new (WHARF_TYPE_REPOSITORY_LIST, NULL);
}

WharfRegistry *
wharf_repository_list_get_registry (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->registry;
}

void
wharf_repository_list_set_registry (WharfRepositoryList *self,
                                    WharfRegistry       *registry)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_LIST (self));
  g_return_if_fail (!registry || WHARF_IS_REGISTRY (registry));

  if (self->registry == registry)
    return;

  g_set_object (&self->registry, registry);
  g_signal_group_set_target (self->registry_signals, registry);
  self->error_unreported = FALSE;

  g_clear_pointer (&self->pending_selection, g_free);
  set_selected_repository (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->open_entry), "");

  update_title (self);
  wharf_repository_model_set_client (self->model,
                                     registry != NULL ? wharf_registry_get_client (registry)
                                                      : NULL);
  update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRY]);
}

const char *
wharf_repository_list_get_selected_repository (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->selected_repository;
}

void
wharf_repository_list_select_repository (WharfRepositoryList *self,
                                         const char          *name)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_LIST (self));

  g_clear_pointer (&self->pending_selection, g_free);

  if (name == NULL)
    {
      self->selecting = TRUE;
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      self->selecting = FALSE;
      set_selected_repository (self, NULL);
      return;
    }

  set_selected_repository (self, name);
  self->pending_selection = g_strdup (name);
  try_select_pending (self);
}

void
wharf_repository_list_reload (WharfRepositoryList *self)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_LIST (self));

  wharf_repository_model_reload (self->model);
  update_state (self);
}

void
wharf_repository_list_start_search (WharfRepositoryList *self)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_LIST (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
wharf_repository_list_set_search_text (WharfRepositoryList *self,
                                       const char          *text)
{
  g_return_if_fail (WHARF_IS_REPOSITORY_LIST (self));

  if (text != NULL && text[0] != '\0')
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
}

WharfRepositoryModel *
wharf_repository_list_get_model (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->model;
}

GtkFilterListModel *
wharf_repository_list_get_filter_model (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->filter_model;
}

GtkListView *
wharf_repository_list_get_list_view (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->list_view;
}

const char *
wharf_repository_list_get_count_text (WharfRepositoryList *self)
{
  g_return_val_if_fail (WHARF_IS_REPOSITORY_LIST (self), NULL);

  return self->count_text != NULL ? self->count_text : "";
}
