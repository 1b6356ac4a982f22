/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-details-cache.h: what the tag list shows about an image, kept on disk by digest. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WHARF_TYPE_IMAGE_SUMMARY (wharf_image_summary_get_type ())

/**
 * WharfImageSummary:
 * @digest: the manifest digest
 * @media_type: the manifest's media type
 * @size: compressed size (config + layers), -1 when unknown
 * @created: nullable
 * @platforms: short platform names ("amd64", "arm64/v8"), never NULL
 * @size_platform: nullable; for an index, the short name of the platform
 *   whose image @size and @created are of (this machine's, else the first)
 *
 * Immutable once made, reference counted, safe to share between threads.
 * Nothing in it is secret: it is what anyone allowed to pull can see.
 */
typedef struct
{
  gatomicrefcount  ref_count;
  char            *digest;
  char            *media_type;
  gint64           size;
  GDateTime       *created;
  GStrv            platforms;
  char            *size_platform;
} WharfImageSummary;

GType              wharf_image_summary_get_type  (void) G_GNUC_CONST;
WharfImageSummary *wharf_image_summary_new       (const char         *digest,
                                                  const char         *media_type,
                                                  gint64              size,
                                                  GDateTime          *created,
                                                  const char * const *platforms,
                                                  const char         *size_platform);
WharfImageSummary *wharf_image_summary_ref       (WharfImageSummary  *summary);
void               wharf_image_summary_unref     (WharfImageSummary  *summary);
/* "amd64 · arm64/v8", "" when there is none. */
char              *wharf_image_summary_dup_platforms_text (const WharfImageSummary *summary);
char              *wharf_image_summary_to_json   (const WharfImageSummary *summary);
/* NULL with G_IO_ERROR_INVALID_DATA for what is not a summary. */
WharfImageSummary *wharf_image_summary_new_from_json (const char     *json,
                                                      gssize          length,
                                                      GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfImageSummary, wharf_image_summary_unref)

#define WHARF_TYPE_DETAILS_CACHE (wharf_details_cache_get_type ())

G_DECLARE_FINAL_TYPE (WharfDetailsCache, wharf_details_cache, WHARF, DETAILS_CACHE, GObject)

/* @directory: NULL for $XDG_CACHE_HOME/wharf/details. Files are read and
 * written in worker threads; what was read once is kept in memory. */
WharfDetailsCache *wharf_details_cache_new            (const char         *directory);
/* The one the application's windows share. */
WharfDetailsCache *wharf_details_cache_get_default    (void);
const char        *wharf_details_cache_get_directory  (WharfDetailsCache  *self);

/* A summary already in memory, or NULL; never touches the disk. */
WharfImageSummary *wharf_details_cache_peek           (WharfDetailsCache  *self,
                                                       const char         *digest);

/* Returns NULL without an error when @digest is not cached. */
void               wharf_details_cache_lookup_async   (WharfDetailsCache  *self,
                                                       const char         *digest,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
WharfImageSummary *wharf_details_cache_lookup_finish  (WharfDetailsCache  *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

void               wharf_details_cache_store_async    (WharfDetailsCache  *self,
                                                       WharfImageSummary  *summary,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean           wharf_details_cache_store_finish   (WharfDetailsCache  *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

/* What the tags of a repository pointed to when it was last seen: a table
 * of tag → WharfImageSummary, holding only tags whose summary is cached.
 * An unknown repository gives an empty table. @domain is the registry's
 * ("localhost:5000"). */
void               wharf_details_cache_lookup_tags_async  (WharfDetailsCache  *self,
                                                           const char         *domain,
                                                           const char         *repository,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GHashTable        *wharf_details_cache_lookup_tags_finish (WharfDetailsCache  *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
/* @tags: tag → digest (char * → char *); replaces what was stored. */
void               wharf_details_cache_store_tags_async   (WharfDetailsCache  *self,
                                                           const char         *domain,
                                                           const char         *repository,
                                                           GHashTable         *tags,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean           wharf_details_cache_store_tags_finish  (WharfDetailsCache  *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

G_END_DECLS
