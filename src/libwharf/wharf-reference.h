/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-reference.h: image references by the distribution/reference grammar. */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WHARF_DOCKER_HUB_DOMAIN   "docker.io"
#define WHARF_DOCKER_HUB_API_HOST "registry-1.docker.io"

#define WHARF_TYPE_REFERENCE (wharf_reference_get_type ())

/**
 * WharfReference:
 * @domain: "docker.io", "localhost:5000", "ghcr.io"… always set after parsing
 * @path: repository path inside the registry, "library/alpine"
 * @tag: (nullable): the tag; NULL when not given (see wharf_reference_get_tag_or_latest())
 * @digest: (nullable): "sha256:…" when given
 *
 * An immutable, normalised reference. A boxed type.
 */
typedef struct
{
  char *domain;
  char *path;
  char *tag;
  char *digest;
} WharfReference;

GType           wharf_reference_get_type          (void) G_GNUC_CONST;

/* Parses and normalises "[domain/]path[:tag][@digest]": a first component is
 * a domain only if it has '.' or ':', is "localhost", or has upper case;
 * otherwise docker.io, with "library/" for single-component names. Upper case
 * in the path, a bad tag or digest, or more than 255 characters of
 * domain/path give WHARF_ERROR_INVALID_REFERENCE with a sentence saying what
 * is wrong. */
WharfReference *wharf_reference_parse             (const char            *text,
                                                   GError               **error);
/* Same as wharf_reference_parse() but interprets the text relative to a
 * registry: "foo/bar:1" with domain "localhost:5000" gives
 * localhost:5000/foo/bar:1 even though "foo" is not a domain. */
WharfReference *wharf_reference_parse_in_domain   (const char            *text,
                                                   const char            *domain,
                                                   GError               **error);
WharfReference *wharf_reference_new               (const char            *domain,
                                                   const char            *path,
                                                   const char            *tag,
                                                   const char            *digest);
WharfReference *wharf_reference_copy              (const WharfReference  *ref);
void            wharf_reference_free              (WharfReference        *ref);

/* "domain/path[:tag][@digest]", always with the domain. */
char           *wharf_reference_to_string         (const WharfReference  *ref);
/* As people write it: no "docker.io/", no "library/" ("alpine:3.19"). */
char           *wharf_reference_to_familiar       (const WharfReference  *ref);
/* "domain/path" */
char           *wharf_reference_get_repository    (const WharfReference  *ref);
/* The digest if set, else the tag, else "latest": what goes in /manifests/<…>. */
const char     *wharf_reference_get_api_reference (const WharfReference  *ref);
const char     *wharf_reference_get_tag_or_latest (const WharfReference  *ref);
/* "registry-1.docker.io" for docker.io, the domain otherwise. */
const char     *wharf_reference_get_api_host      (const WharfReference  *ref);

gboolean        wharf_reference_validate_path     (const char            *path,
                                                   GError               **error);
gboolean        wharf_reference_validate_tag      (const char            *tag,
                                                   GError               **error);
/* TRUE if a first path component would be read as a domain. */
gboolean        wharf_reference_component_is_domain (const char          *component,
                                                     gsize                len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfReference, wharf_reference_free)

G_END_DECLS
