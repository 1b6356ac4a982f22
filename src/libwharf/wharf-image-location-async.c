/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-image-location-async.c: recognising a dropped file off the main thread, for the app. */

#define G_LOG_DOMAIN "wharf-transfer"

#include "config.h"

#include "wharf-transfer.h"

static void
new_for_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GFile *file = task_data;
  WharfImageLocation *location;
  GError *error = NULL;

  location = wharf_image_location_new_for_file_sync (file, cancellable, &error);
  if (location == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, location, (GDestroyNotify) wharf_image_location_free);
}

void
wharf_image_location_new_for_file_async (GFile               *file,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wharf_image_location_new_for_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, new_for_file_thread);
}

WharfImageLocation *
wharf_image_location_new_for_file_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, wharf_image_location_new_for_file_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
