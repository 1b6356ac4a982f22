/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-frame-queue.c: widgets to see to in the main-loop turn after the next frame. */

#define G_LOG_DOMAIN "wharf-frame-queue"

#include "config.h"

#include "wharf-frame-queue.h"

struct _WharfFrameQueue
{
  WharfFrameQueueFunc func;
  gpointer            user_data;

  /* Waiting for the next frame, and those whose frame has been painted;
   * each widget in at most one of them (@queued). */
  GPtrArray          *before_frame;
  GPtrArray          *after_frame;
  GHashTable         *queued;

  GdkFrameClock      *clock;
  gulong              paint_handler;
  guint               idle_id;
};

/* The clock may have been disposed already (its window destroyed first),
 * which took its handlers with it. */
static void
stop_waiting_for_paint (WharfFrameQueue *queue)
{
  if (queue->paint_handler != 0 && g_signal_handler_is_connected (queue->clock,
                                                                  queue->paint_handler))
    g_signal_handler_disconnect (queue->clock, queue->paint_handler);
  queue->paint_handler = 0;
  g_clear_object (&queue->clock);
}

WharfFrameQueue *
wharf_frame_queue_new (WharfFrameQueueFunc func,
                       gpointer            user_data)
{
  WharfFrameQueue *queue = g_new0 (WharfFrameQueue, 1);

  queue->func = func;
  queue->user_data = user_data;
  queue->before_frame = g_ptr_array_new_with_free_func (g_object_unref);
  queue->after_frame = g_ptr_array_new_with_free_func (g_object_unref);
  queue->queued = g_hash_table_new (g_direct_hash, g_direct_equal);

  return queue;
}

static gboolean
after_frame_cb (gpointer user_data)
{
  WharfFrameQueue *queue = user_data;
  g_autoptr(GPtrArray) widgets = g_steal_pointer (&queue->after_frame);

  queue->idle_id = 0;
  queue->after_frame = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = widgets->len; i > 0; i--)
    {
      GtkWidget *widget = widgets->pdata[i - 1];

      g_hash_table_remove (queue->queued, widget);
      queue->func (widget, queue->user_data);
    }

  return G_SOURCE_REMOVE;
}

static void
frame_painted_cb (GdkFrameClock   *clock,
                  WharfFrameQueue *queue)
{
  stop_waiting_for_paint (queue);

  /* Seen to in the next main-loop turn, not in the frame's. */
  g_ptr_array_extend_and_steal (queue->after_frame, g_steal_pointer (&queue->before_frame));
  queue->before_frame = g_ptr_array_new_with_free_func (g_object_unref);
  if (queue->idle_id == 0)
    queue->idle_id = g_idle_add (after_frame_cb, queue);
}

void
wharf_frame_queue_add (WharfFrameQueue *queue,
                       GtkWidget       *widget)
{
  GdkFrameClock *clock;

  g_return_if_fail (queue != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL || !g_hash_table_add (queue->queued, widget))
    return;

  g_ptr_array_add (queue->before_frame, g_object_ref (widget));
  if (queue->paint_handler == 0)
    {
      queue->clock = g_object_ref (clock);
      queue->paint_handler = g_signal_connect (clock, "after-paint",
                                               G_CALLBACK (frame_painted_cb), queue);
      gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
    }
}

void
wharf_frame_queue_free (WharfFrameQueue *queue)
{
  if (queue == NULL)
    return;

  stop_waiting_for_paint (queue);
  g_clear_handle_id (&queue->idle_id, g_source_remove);
  g_clear_pointer (&queue->before_frame, g_ptr_array_unref);
  g_clear_pointer (&queue->after_frame, g_ptr_array_unref);
  g_clear_pointer (&queue->queued, g_hash_table_unref);
  g_free (queue);
}
