/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharfctl-transfer.c: wharfctl cp (with docker-push-style progress), rm and
 * tag. */

#define G_LOG_DOMAIN "wharfctl"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "wharf-delete.h"
#include "wharf-transfer.h"
#include "wharfctl-private.h"
#include "wharfctl-transfer.h"

#define REDRAW_INTERVAL_MS 200
#define BAR_WIDTH          24

/* Transports wharfctl does not speak, so that "dir:/tmp/x" is not taken for
 * a registry reference. */
static const char * const foreign_transports[] = {
  "dir:", "docker-daemon:", "containers-storage:", "ostree:", "sif:", "tarball:", NULL
};

static WharfImageLocation *
parse_location (const char  *text,
                GError     **error)
{
  g_autofree char *with_transport = NULL;

  if (strstr (text, "://") != NULL
      || g_str_has_prefix (text, "oci:")
      || g_str_has_prefix (text, "oci-archive:")
      || g_str_has_prefix (text, "docker-archive:"))
    return wharf_image_location_parse (text, error);

  for (guint i = 0; foreign_transports[i] != NULL; i++)
    {
      if (g_str_has_prefix (text, foreign_transports[i]))
        {
          g_set_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_REFERENCE,
                       _("wharfctl does not read or write “%s” locations: use docker://, "
                         "oci:, oci-archive: or docker-archive:."), foreign_transports[i]);
          return NULL;
        }
    }

  /* A bare reference is a registry, as with docker push and pull. */
  with_transport = g_strconcat ("docker://", text, NULL);
  return wharf_image_location_parse (with_transport, error);
}

typedef struct
{
  WharfTransfer *transfer;
  GMainLoop     *loop;
  GCancellable  *cancellable;
  GError        *error;
  gboolean       tty;
  gboolean       quiet;
  guint          lines_drawn;
  gint64         started;
  GHashTable    *reported;  /* WharfBlobProgress* already printed (pipe mode) */
} CopyRun;

static const char *
state_word (WharfBlobState state)
{
  switch (state)
    {
    case WHARF_BLOB_STATE_WAITING:
      return _("waiting");
    case WHARF_BLOB_STATE_CHECKING:
      return _("checking");
    case WHARF_BLOB_STATE_SKIPPED:
      return _("skipped");
    case WHARF_BLOB_STATE_MOUNTED:
      return _("mounted");
    case WHARF_BLOB_STATE_TRANSFERRING:
      return _("copying");
    case WHARF_BLOB_STATE_VERIFYING:
      return _("verifying");
    case WHARF_BLOB_STATE_DONE:
      return _("done");
    case WHARF_BLOB_STATE_FAILED:
      return _("failed");
    default:
      return "?";
    }
}

static gboolean
state_is_finished (WharfBlobState state)
{
  return state == WHARF_BLOB_STATE_SKIPPED || state == WHARF_BLOB_STATE_MOUNTED
         || state == WHARF_BLOB_STATE_DONE;
}

/* "sha256:0123456789ab" */
static char *
short_name (const char *digest)
{
  const char *colon = digest != NULL ? strchr (digest, ':') : NULL;

  if (colon == NULL)
    return g_strdup (digest != NULL ? digest : "?");

  return g_strdup_printf ("%.*s%.12s", (int) (colon - digest + 1), digest, colon + 1);
}

static void
print_finished_line (WharfBlobProgress *progress)
{
  g_autofree char *name = short_name (wharf_blob_progress_get_digest (progress));
  gint64 total = wharf_blob_progress_get_total (progress);
  g_autofree char *size = total >= 0 ? g_format_size (total) : g_strdup ("?");

  wharfctl_print ("%s %s %s %s\n", name, wharf_blob_progress_get_kind (progress), size,
                  state_word (wharf_blob_progress_get_state (progress)));
  wharfctl_flush ();
}

static void
progress_state_cb (WharfBlobProgress *progress,
                   GParamSpec        *pspec,
                   CopyRun           *run)
{
  if (run->quiet || run->tty)
    return;

  if (state_is_finished (wharf_blob_progress_get_state (progress))
      && g_hash_table_add (run->reported, progress))
    print_finished_line (progress);
}

static void
blobs_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  CopyRun    *run)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (model, i);

      g_signal_connect (progress, "notify::state", G_CALLBACK (progress_state_cb), run);
      progress_state_cb (progress, NULL, run);
    }
}

static void
terminal_size (guint *columns,
               guint *rows)
{
  struct winsize size = { 0, };

  *columns = 80;
  *rows = 24;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    {
      *columns = size.ws_col;
      *rows = size.ws_row > 2 ? size.ws_row : 24;
    }
}

static void
append_bar (GString *line,
            gint64   done,
            gint64   total)
{
  guint filled = 0;

  if (total > 0)
    filled = (guint) MIN (BAR_WIDTH, (done * BAR_WIDTH) / total);

  g_string_append_c (line, '[');
  for (guint i = 0; i < BAR_WIDTH; i++)
    {
      if (i < filled)
        g_string_append_c (line, '=');
      else if (i == filled && total > 0 && done < total)
        g_string_append_c (line, '>');
      else
        g_string_append_c (line, ' ');
    }
  g_string_append_c (line, ']');
}

static void
emit_line (CopyRun *run,
           GString *line,
           guint    columns)
{
  /* A wrapped line would break the cursor arithmetic of the next redraw. */
  if (line->len >= columns)
    g_string_truncate (line, columns - 1);

  wharfctl_print ("\033[2K%s\n", line->str);
  run->lines_drawn++;
}

static void
redraw (CopyRun *run)
{
  GListModel *blobs = wharf_transfer_get_blobs (run->transfer);
  guint n_items = g_list_model_get_n_items (blobs);
  gint64 done = wharf_transfer_get_bytes_done (run->transfer);
  gint64 total = wharf_transfer_get_bytes_total (run->transfer);
  double elapsed = (g_get_monotonic_time () - run->started) / (double) G_USEC_PER_SEC;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (total);
  guint columns, rows, room, n_finished = 0, hidden = 0;

  terminal_size (&columns, &rows);

  if (run->lines_drawn > 0)
    wharfctl_print ("\033[%uA\r", run->lines_drawn);
  run->lines_drawn = 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (blobs, i);

      if (state_is_finished (wharf_blob_progress_get_state (progress)))
        n_finished++;
    }

  /* Past the screen's height the cursor can not go back up: finished
   * lines make room for the running ones then. */
  room = rows - 2;
  if (n_items > room)
    hidden = MIN (n_finished, n_items - room + 1);

  if (hidden > 0)
    {
      g_string_printf (line, _("%u finished"), hidden);
      emit_line (run, line, columns);
    }

  for (guint i = 0, skipped = 0; i < n_items; i++)
    {
      g_autoptr(WharfBlobProgress) progress = g_list_model_get_item (blobs, i);
      WharfBlobState state = wharf_blob_progress_get_state (progress);
      g_autofree char *name = short_name (wharf_blob_progress_get_digest (progress));
      gint64 blob_total = wharf_blob_progress_get_total (progress);
      gint64 blob_done = wharf_blob_progress_get_done (progress);
      g_autofree char *blob_done_text = g_format_size (blob_done);
      g_autofree char *blob_total_text = blob_total >= 0 ? g_format_size (blob_total)
                                                         : g_strdup ("?");

      if (skipped < hidden && state_is_finished (state))
        {
          skipped++;
          continue;
        }

      g_string_printf (line, "%s %-8s ", name, wharf_blob_progress_get_kind (progress));
      if (state == WHARF_BLOB_STATE_TRANSFERRING || state == WHARF_BLOB_STATE_VERIFYING)
        {
          append_bar (line, blob_done, blob_total);
          g_string_append_printf (line, " %s / %s ", blob_done_text, blob_total_text);
        }
      else if (state_is_finished (state))
        g_string_append_printf (line, "%s ", blob_total_text);
      g_string_append (line, state_word (state));
      emit_line (run, line, columns);
    }

  g_string_printf (line, "%-28s ", _("Total"));
  append_bar (line, done, total);
  g_string_append_printf (line, " %s / %s", done_text, total_text);
  if (elapsed > 0.5 && done > 0)
    {
      double speed = done / elapsed;
      g_autofree char *speed_text = g_format_size ((guint64) speed);

      g_string_append_printf (line, "  %s/s", speed_text);
      if (total > done)
        {
          guint eta = (guint) ((total - done) / speed);

          g_string_append_printf (line, _("  ETA %u:%02u"), eta / 60, eta % 60);
        }
    }
  emit_line (run, line, columns);

  wharfctl_flush ();
}

static gboolean
redraw_cb (gpointer user_data)
{
  redraw (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  CopyRun *run = user_data;

  /* The engine removes upload sessions and temp files on its way out. */
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
transfer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CopyRun *run = user_data;

  wharf_transfer_run_finish (WHARF_TRANSFER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static WharfClient *
client_for (const WharfImageLocation  *location,
            WharfClient               *other,
            GError                   **error)
{
  if (location->transport != WHARF_TRANSPORT_DOCKER)
    return NULL;

  /* One client per registry: one connection pool and one token cache. */
  if (other != NULL
      && g_strcmp0 (wharf_endpoint_get_domain (wharf_client_get_endpoint (other)),
                    location->reference->domain) == 0)
    return g_object_ref (other);

  return wharfctl_client_new_for_reference (location->reference, error);
}

int
wharfctl_cmd_cp (int    argc,
                 char **argv)
{
  static int jobs = 4;
  static gboolean all;
  static char *platform_text;
  static char *compress_text;
  static gboolean quiet;
  static const GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Copy N blobs at once (default 4)"), N_("N") },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      N_("Keep every platform of a multi-platform image"), NULL },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform_text,
      N_("Copy only the image for this platform (os/arch[/variant])"), N_("PLATFORM") },
    { "compress", 0, 0, G_OPTION_ARG_STRING, &compress_text,
      N_("Compress uncompressed layers going to a registry with gzip (default) or zstd"),
      N_("FORMAT") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { NULL }
  };
  g_autoptr(WharfImageLocation) source = NULL;
  g_autoptr(WharfImageLocation) destination = NULL;
  g_autoptr(WharfClient) source_client = NULL;
  g_autoptr(WharfClient) destination_client = NULL;
  g_autoptr(WharfPlatform) platform = NULL;
  g_autoptr(WharfTransfer) transfer = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GHashTable) reported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *destination_text = NULL;
  CopyRun run = { 0, };
  guint redraw_id = 0;
  guint sigint_id, sigterm_id;

  if (!wharfctl_parse_options ("cp", _("SOURCE DESTINATION"),
                               N_("Copies an image between registries (docker://HOST/REPO:TAG, "
                                  "or just HOST/REPO:TAG), OCI layouts (oci:DIR[:TAG]), OCI "
                                  "archives (oci-archive:FILE[:TAG]) and docker save archives "
                                  "(docker-archive:FILE[:NAME:TAG])."),
                               NULL, entries, 2, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  if (jobs < 1 || jobs > 32)
    return wharfctl_usage_error ("cp", _("--jobs takes a number from 1 to 32."));

  if (all && platform_text != NULL)
    return wharfctl_usage_error ("cp", _("--all and --platform exclude each other."));

  if (compress_text != NULL && g_strcmp0 (compress_text, "gzip") != 0
      && g_strcmp0 (compress_text, "zstd") != 0)
    return wharfctl_usage_error ("cp", _("--compress takes gzip or zstd, not “%s”."),
                                 compress_text);

  if (platform_text != NULL)
    {
      platform = wharf_platform_parse (platform_text, &error);
      if (platform == NULL)
        return wharfctl_usage_error ("cp", "%s", error->message);
    }

  source = parse_location (argv[1], &error);
  if (source == NULL)
    return wharfctl_fail ("cp", error);

  destination = parse_location (argv[2], &error);
  if (destination == NULL)
    return wharfctl_fail ("cp", error);

  source_client = client_for (source, NULL, &error);
  if (source_client == NULL && error != NULL)
    return wharfctl_fail ("cp", error);

  destination_client = client_for (destination, source_client, &error);
  if (destination_client == NULL && error != NULL)
    return wharfctl_fail ("cp", error);

  transfer = wharf_transfer_new (source, destination);
  if (source_client != NULL)
    wharf_transfer_set_source_client (transfer, source_client);
  if (destination_client != NULL)
    wharf_transfer_set_destination_client (transfer, destination_client);
  wharf_transfer_set_jobs (transfer, jobs);
  if (all)
    wharf_transfer_set_all_platforms (transfer, TRUE);
  if (platform != NULL)
    wharf_transfer_set_platform (transfer, platform);
  if (g_strcmp0 (compress_text, "zstd") == 0)
    wharf_transfer_set_compression (transfer, WHARF_COMPRESSION_ZSTD);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  reported = g_hash_table_new (NULL, NULL);

  run.transfer = transfer;
  run.loop = loop;
  run.cancellable = cancellable;
  run.quiet = quiet;
  run.tty = !quiet && isatty (STDOUT_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  run.started = g_get_monotonic_time ();
  run.reported = reported;

  g_signal_connect (wharf_transfer_get_blobs (transfer), "items-changed",
                    G_CALLBACK (blobs_changed_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &run);
  if (run.tty)
    redraw_id = g_timeout_add (REDRAW_INTERVAL_MS, redraw_cb, &run);

  wharf_transfer_run_async (transfer, cancellable, transfer_done_cb, &run);
  g_main_loop_run (loop);

  g_clear_handle_id (&redraw_id, g_source_remove);
  g_clear_handle_id (&sigint_id, g_source_remove);
  g_clear_handle_id (&sigterm_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (wharf_transfer_get_blobs (transfer), &run);
  for (guint i = 0; i < g_list_model_get_n_items (wharf_transfer_get_blobs (transfer)); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (wharf_transfer_get_blobs (transfer), i);

      g_signal_handlers_disconnect_by_data (item, &run);
    }

  if (run.tty)
    redraw (&run);

  if (run.error != NULL)
    {
      g_autoptr(GError) failure = g_steal_pointer (&run.error);

      if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr ("wharfctl: %s\n", _("Cancelled; nothing was left half-written."));
          return WHARFCTL_EXIT_FAILED;
        }

      return wharfctl_client_fail ("cp", destination_client != NULL ? destination_client
                                                                     : source_client,
                                   failure);
    }

  if (!quiet)
    {
      destination_text = wharf_image_location_to_string (destination);
      wharfctl_print (_("Copied to %s, digest %s\n"), destination_text,
                      wharf_transfer_get_digest (transfer));
    }

  return WHARFCTL_EXIT_OK;
}

static void
print_deletion (const WharfReference *ref,
                WharfDeletion        *deletion,
                gboolean              show_digests)
{
  for (guint i = 0; i < deletion->manifests->len; i++)
    {
      const WharfDeletedManifest *manifest = g_ptr_array_index (deletion->manifests, i);

      for (guint j = 0; manifest->tags != NULL && manifest->tags[j] != NULL; j++)
        wharfctl_print (_("Untagged: %s/%s:%s\n"), ref->domain, manifest->repository,
                        manifest->tags[j]);
      if (show_digests)
        wharfctl_print (_("Deleted: %s\n"), manifest->digest);
    }
}

int
wharfctl_cmd_rm (int    argc,
                 char **argv)
{
  static gboolean whole_repository;
  static const GOptionEntry entries[] = {
    { "repo", 0, 0, G_OPTION_ARG_NONE, &whole_repository,
      N_("Delete every manifest of the repository"), NULL },
    { NULL }
  };
  g_autoptr(WharfReference) ref = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(WharfDeletion) deletion = NULL;
  g_autoptr(GError) error = NULL;

  if (!wharfctl_parse_options ("rm", _("REPOSITORY:TAG | REPOSITORY@DIGEST | --repo REPOSITORY"),
                               N_("Deletes a tag (other tags on the same image stay), a "
                                  "manifest with every tag on it, or with --repo every "
                                  "manifest of a repository. Space is freed by the registry’s "
                                  "garbage collection."),
                               NULL, entries, 1, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  ref = wharf_reference_parse (argv[1], &error);
  if (ref == NULL)
    return wharfctl_fail ("rm", error);

  if (whole_repository && (ref->tag != NULL || ref->digest != NULL))
    return wharfctl_usage_error ("rm", _("--repo takes a repository without a tag or digest."));

  if (!whole_repository && ref->tag == NULL && ref->digest == NULL)
    return wharfctl_usage_error ("rm", _("Name a tag (REPOSITORY:TAG) or a digest "
                                         "(REPOSITORY@DIGEST), or add --repo to delete the "
                                         "whole repository."));

  client = wharfctl_client_new_for_reference (ref, &error);
  if (client == NULL)
    return wharfctl_fail ("rm", error);

  if (whole_repository)
    deletion = wharf_client_delete_repository_sync (client, ref->path, NULL, &error);
  else if (ref->digest != NULL)
    deletion = wharf_client_delete_manifest_sync (client, ref->path, ref->digest, NULL, &error);
  else
    deletion = wharf_client_delete_tag_sync (client, ref->path, ref->tag, NULL, &error);

  if (deletion == NULL)
    return wharfctl_client_fail ("rm", client, error);

  print_deletion (ref, deletion, ref->tag == NULL);
  return WHARFCTL_EXIT_OK;
}

int
wharfctl_cmd_tag (int    argc,
                  char **argv)
{
  g_autoptr(WharfReference) source = NULL;
  g_autoptr(WharfReference) target = NULL;
  g_autoptr(WharfClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *target_text = NULL;

  if (!wharfctl_parse_options ("tag", _("SOURCE NEW-TAG"),
                               N_("Puts the manifest of SOURCE under NEW-TAG: a tag of the same "
                                  "repository, or REPOSITORY:TAG in the same registry (the "
                                  "blobs are mounted there, not copied)."),
                               NULL, NULL, 2, &argc, &argv))
    return WHARFCTL_EXIT_USAGE;

  source = wharf_reference_parse (argv[1], &error);
  if (source == NULL)
    return wharfctl_fail ("tag", error);

  if (wharf_reference_validate_tag (argv[2], NULL))
    target = wharf_reference_new (source->domain, source->path, argv[2], NULL);
  else
    {
      target = wharf_reference_parse_in_domain (argv[2], source->domain, &error);
      if (target == NULL)
        return wharfctl_fail ("tag", error);

      if (g_strcmp0 (target->domain, source->domain) != 0)
        return wharfctl_usage_error ("tag",
                                     _("“%s” is in another registry than “%s”: copy it "
                                       "with wharfctl cp instead."),
                                     argv[2], argv[1]);

      if (target->tag == NULL || target->digest != NULL)
        return wharfctl_usage_error ("tag", _("“%s” names no tag to put the image under."),
                                     argv[2]);
    }

  client = wharfctl_client_new_for_reference (source, &error);
  if (client == NULL)
    return wharfctl_fail ("tag", error);

  digest = wharf_client_tag_sync (client, source->path, wharf_reference_get_api_reference (source),
                                  target->path, target->tag, NULL, &error);
  if (digest == NULL)
    return wharfctl_client_fail ("tag", client, error);

  target_text = wharf_reference_to_string (target);
  wharfctl_print (_("Tagged %s (%s)\n"), target_text, digest);
  return WHARFCTL_EXIT_OK;
}
