/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-test-ui.h: what the UI tests share: waiting, finding widgets, screenshots, set-up. */

#pragma once

#include <adwaita.h>

#include "wharf.h"
#include "wharf-test-registry.h"

#include "wharf-application.h"
#include "wharf-registry.h"
#include "wharf-transfer-manager.h"
#include "wharf-window.h"

G_BEGIN_DECLS

#define WHARF_TEST_UI_SCHEMA_ID "io.github.wharfapp.Wharf"

typedef gboolean (*WharfTestCondition) (gpointer data);

/* Set-up */

gboolean          wharf_test_ui_init                  (int                 *argc,
                                                       char              ***argv,
                                                       guint                wait_limit_seconds,
                                                       gboolean             steady_cursor);
WharfApplication *wharf_test_ui_application_new       (const char          *id,
                                                       GApplicationFlags    flags,
                                                       gboolean             must_register);
void              wharf_test_ui_add                   (const char          *path,
                                                       GTestFunc            func);

/* Waiting */

gboolean          wharf_test_ui_wait_for              (WharfTestCondition   condition,
                                                       gpointer             data);
void              wharf_test_ui_drain                 (void);
gboolean          wharf_test_ui_is_mapped             (gpointer             widget);
gboolean          wharf_test_ui_is_gone               (gpointer             weak_ref);
void              wharf_test_ui_wait_for_paint        (gpointer             widget);

/* Windows */

gpointer          wharf_test_ui_find_toplevel         (GType                type);
gboolean          wharf_test_ui_has_toplevel          (gpointer             type);
gboolean          wharf_test_ui_has_no_toplevel       (gpointer             type);
gpointer          wharf_test_ui_wait_for_toplevel     (GType                type);
void              wharf_test_ui_destroy_all_toplevels (void);
void              wharf_test_ui_destroy_app_windows   (gpointer             app);
WharfWindow      *wharf_test_ui_present_main_window   (WharfApplication    *app);

/* Widgets */

GPtrArray        *wharf_test_ui_find_all              (gpointer             widget,
                                                       GType                type);
gpointer          wharf_test_ui_find_one              (gpointer             widget,
                                                       GType                type);
GtkButton        *wharf_test_ui_find_button           (gpointer             widget,
                                                       const char          *label);
GtkButton        *wharf_test_ui_get_button            (gpointer             widget,
                                                       const char          *label);
gpointer          wharf_test_ui_find_row              (gpointer             widget,
                                                       GType                type,
                                                       const char          *title);
gpointer          wharf_test_ui_get_row               (gpointer             widget,
                                                       GType                type,
                                                       const char          *title);
GtkLabel         *wharf_test_ui_find_visible_label    (gpointer             widget,
                                                       const char          *text);
void              wharf_test_ui_click                 (GtkButton           *button);
void              wharf_test_ui_save_screenshot       (GtkWidget           *widget,
                                                       const char          *name);
char             *wharf_test_ui_read_clipboard        (GtkWidget           *widget);

/* Registries, files and transfers */

void              wharf_test_ui_store_set             (WharfRegistryStore  *store,
                                                       const char * const  *addresses);
char             *wharf_test_ui_run_ok                (const char * const  *argv);
void              wharf_test_ui_remove_tree           (const char          *path);
WharfClient      *wharf_test_ui_client_for            (WharfTestRegistry   *reg);
char             *wharf_test_ui_config_digest         (WharfTestRegistry   *reg,
                                                       const char          *repository,
                                                       const char          *tag);
void              wharf_test_ui_assert_item_done      (WharfTransferItem   *item);

/* A plain registry holding the one registry of the store, and a folder, for a dialog. */
typedef struct
{
  WharfTestRegistry    *reg;
  char                 *tmp;
  GSettings            *settings;
  WharfRegistryStore   *store;
  WharfTransferManager *manager;
  WharfRegistry        *registry;
} WharfTestUiFixture;

GSettings        *wharf_test_ui_fresh_settings        (void);
void              wharf_test_ui_fixture_set_up        (WharfTestUiFixture  *f,
                                                       const char          *tmp_template);
void              wharf_test_ui_fixture_tear_down     (WharfTestUiFixture  *f);

G_END_DECLS
