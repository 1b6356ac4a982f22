/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf-digest.h: content digests, validated by the OCI grammar, hashed fast. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Validates "algorithm:encoded" by the OCI grammar; sha256 needs 64 and
 * sha512 128 lowercase hex digits. Other registered-looking algorithms are
 * accepted by grammar only. */
gboolean     wharf_digest_validate        (const char    *digest,
                                           GError       **error);

/* "sha256:…" of the data, lowercase hex. */
char        *wharf_digest_compute         (const char    *algorithm,
                                           const void    *data,
                                           gsize          len);
char        *wharf_digest_compute_bytes   (GBytes        *bytes);

/* The encoded part after the ':' ("e3b0…"), or NULL if there is no ':'. */
const char  *wharf_digest_get_encoded     (const char    *digest);

/* The first 12 hex digits, as people read digests ("e3b0c44298fc"). */
char        *wharf_digest_shorten         (const char    *digest);

/**
 * WharfHasher:
 *
 * A streaming hasher on OpenSSL's EVP (SHA-NI where the CPU has it): GLib's
 * GChecksum is three times slower and would bound every transfer.
 */
typedef struct _WharfHasher WharfHasher;

/* algorithm: "sha256" or "sha512"; NULL if unsupported. */
WharfHasher *wharf_hasher_new             (const char    *algorithm);
/* A hasher for the algorithm of an expected digest ("sha256:…"). */
WharfHasher *wharf_hasher_new_for_digest  (const char    *digest,
                                           GError       **error);
void         wharf_hasher_update          (WharfHasher   *hasher,
                                           const void    *data,
                                           gsize          len);
/* "algorithm:hex". The hasher can not be updated afterwards. */
char        *wharf_hasher_finish          (WharfHasher   *hasher);
void         wharf_hasher_free            (WharfHasher   *hasher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WharfHasher, wharf_hasher_free)

/* Compares the digest of data with expected; on mismatch a
 * WHARF_ERROR_DIGEST_MISMATCH naming what (e.g. "manifest of foo:latest"). */
gboolean     wharf_digest_verify          (const char    *expected,
                                           const void    *data,
                                           gsize          len,
                                           const char    *what,
                                           GError       **error);

G_END_DECLS
