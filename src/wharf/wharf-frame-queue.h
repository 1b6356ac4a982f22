/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-frame-queue.h: widgets to see to in the main-loop turn after the next frame. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8's list and column views keep widgets for up to 200 rows, most out
 * of view, and map each new one until its first layout hides it if it is
 * out of view. So whether a row is in view (mapped) is known only after the
 * next frame; and work for rows out of view is best left until after the
 * frame that shows those in view.
 *
 * A queue calls @func for each widget added, once however often it was
 * added, in the main-loop turn after the next frame painted: the widget
 * added last first. A widget not yet realized is not added (it has no frame
 * clock): see to it when it is mapped. */
typedef void (*WharfFrameQueueFunc) (GtkWidget *widget,
                                     gpointer   user_data);

typedef struct _WharfFrameQueue WharfFrameQueue;

WharfFrameQueue *wharf_frame_queue_new  (WharfFrameQueueFunc func,
                                         gpointer            user_data);
void             wharf_frame_queue_add  (WharfFrameQueue    *queue,
                                         GtkWidget          *widget);
/* Drops what is queued; @func is not called again. */
void             wharf_frame_queue_free (WharfFrameQueue    *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfFrameQueue, wharf_frame_queue_free)

G_END_DECLS
