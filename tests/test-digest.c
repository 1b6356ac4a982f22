/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-digest.c: digest grammar, hashing checked against FIPS 180-2 and GChecksum. */

#include "config.h"

#include <string.h>

#include "wharf-digest.h"
#include "wharf-error.h"

#define EMPTY_SHA256 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA256   "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* An independent implementation to compare with. */
static char *
gchecksum_digest (GChecksumType  type,
                  const void    *data,
                  gsize          len)
{
  g_autofree char *hex = g_compute_checksum_for_data (type, data, len);

  return g_strconcat (type == G_CHECKSUM_SHA512 ? "sha512:" : "sha256:", hex, NULL);
}

static void
test_digest_vectors (void)
{
  static const struct
  {
    const char *algorithm;
    const char *input;
    const char *expected;
  } vectors[] = {
    /* FIPS 180-2, appendix B and C */
    { "sha256", "", EMPTY_SHA256 },
    { "sha256", "abc", ABC_SHA256 },
    { "sha256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "sha512", "abc",
      "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
    { "sha512", "",
      "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *digest = wharf_digest_compute (vectors[i].algorithm, vectors[i].input,
                                                      strlen (vectors[i].input));

      g_assert_cmpstr (digest, ==, vectors[i].expected);
      g_assert_true (wharf_digest_validate (digest, NULL));
    }
}

static void
test_digest_million_a (void)
{
  g_autoptr(WharfHasher) hasher = wharf_hasher_new ("sha256");
  g_autofree char *digest = NULL;
  char block[1000];

  /* FIPS 180-2 C.3: one million 'a', fed in uneven pieces. */
  memset (block, 'a', sizeof block);
  for (guint i = 0; i < 1000; i++)
    {
      wharf_hasher_update (hasher, block, 333);
      wharf_hasher_update (hasher, block, 0);
      wharf_hasher_update (hasher, block, 667);
    }
  digest = wharf_hasher_finish (hasher);
  g_assert_cmpstr (digest, ==,
                   "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
test_digest_matches_gchecksum (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240301);

  for (guint round = 0; round < 20; round++)
    {
      gsize len = g_rand_int_range (rand, 0, 100000);
      g_autofree guchar *data = g_malloc (len + 1);
      g_autofree char *expected256 = NULL;
      g_autofree char *expected512 = NULL;
      g_autofree char *got256 = NULL;
      g_autofree char *got512 = NULL;
      g_autofree char *streamed = NULL;
      g_autoptr(WharfHasher) hasher = wharf_hasher_new ("sha256");
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *from_bytes = NULL;
      gsize offset = 0;

      for (gsize i = 0; i < len; i++)
        data[i] = g_rand_int (rand) & 0xff;

      expected256 = gchecksum_digest (G_CHECKSUM_SHA256, data, len);
      expected512 = gchecksum_digest (G_CHECKSUM_SHA512, data, len);
      got256 = wharf_digest_compute ("sha256", data, len);
      got512 = wharf_digest_compute ("sha512", data, len);
      g_assert_cmpstr (got256, ==, expected256);
      g_assert_cmpstr (got512, ==, expected512);

      while (offset < len)
        {
          gsize chunk = g_rand_int_range (rand, 1, 9000);

          chunk = MIN (chunk, len - offset);

          wharf_hasher_update (hasher, data + offset, chunk);
          offset += chunk;
        }
      streamed = wharf_hasher_finish (hasher);
      g_assert_cmpstr (streamed, ==, expected256);

      bytes = g_bytes_new (data, len);
      from_bytes = wharf_digest_compute_bytes (bytes);
      g_assert_cmpstr (from_bytes, ==, expected256);
    }
}

static void
test_digest_fixture_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "oci-manifest.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);

  expected = gchecksum_digest (G_CHECKSUM_SHA256, contents, len);
  digest = wharf_digest_compute ("sha256", contents, len);
  g_assert_cmpstr (digest, ==, expected);
}

static void
test_digest_validate (void)
{
  static const struct
  {
    const char *digest;
    gboolean    valid;
  } cases[] = {
    { EMPTY_SHA256, TRUE },
    { "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", TRUE },
    /* other algorithms are checked by grammar only */
    { "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", TRUE },
    { "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", TRUE },
    { "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", TRUE },
    { "a.b-c_d+e:x=", TRUE },
    { NULL, FALSE },
    { "", FALSE },
    { "sha256", FALSE },
    { "sha256:", FALSE },
    { ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FALSE },
    /* upper case hex is not allowed for sha256 */
    { "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", FALSE },
    { "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FALSE },
    { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", FALSE },
    { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", FALSE },
    { "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FALSE },
    { "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FALSE },
    { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ", FALSE },
    { "sha256::e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FALSE },
    { "sha-:abc", FALSE },
    { "+sha:abc", FALSE },
    { "sha..256:abc", FALSE },
    { "foo:a b", FALSE },
    { "foo:abc/def", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = wharf_digest_validate (cases[i].digest, &error);

      g_test_message ("digest %s", cases[i].digest ? cases[i].digest : "(null)");
      if (cases[i].valid)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
          g_assert_nonnull (error->message);
          g_assert_cmpuint (strlen (error->message), >, 10);
        }
    }
}

static void
test_digest_messages (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wharf_digest_validate ("sha256:abc", &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
  g_assert_nonnull (strstr (error->message, "“sha256:abc”"));
  g_assert_nonnull (strstr (error->message, "64"));
  g_clear_error (&error);

  g_assert_false (wharf_digest_validate (
    "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", &error));
  g_assert_nonnull (strstr (error->message, "lowercase"));
}

static void
test_digest_helpers (void)
{
  g_autofree char *shortened = wharf_digest_shorten (EMPTY_SHA256);
  g_autofree char *shortened_bare = wharf_digest_shorten ("abc");

  g_assert_cmpstr (wharf_digest_get_encoded (EMPTY_SHA256), ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_null (wharf_digest_get_encoded ("nocolon"));
  g_assert_null (wharf_digest_get_encoded (NULL));
  g_assert_cmpstr (shortened, ==, "e3b0c44298fc");
  g_assert_cmpstr (shortened_bare, ==, "abc");
}

static void
test_digest_hasher_new (void)
{
  g_autoptr(WharfHasher) sha256 = NULL;
  g_autoptr(WharfHasher) sha512 = NULL;
  g_autoptr(WharfHasher) unknown = NULL;
  g_autoptr(WharfHasher) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;

  g_assert_null (wharf_hasher_new ("md5"));
  g_assert_null (wharf_hasher_new ("SHA256"));

  sha512 = wharf_hasher_new_for_digest (
    "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", &error);
  g_assert_no_error (error);
  g_assert_nonnull (sha512);
  digest = wharf_hasher_finish (sha512);
  g_assert_true (g_str_has_prefix (digest, "sha512:"));
  g_assert_cmpuint (strlen (digest), ==, strlen ("sha512:") + 128);

  sha256 = wharf_hasher_new_for_digest (ABC_SHA256, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sha256);

  unknown = wharf_hasher_new_for_digest ("blake3:abcdef", &error);
  g_assert_null (unknown);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
  g_assert_nonnull (strstr (error->message, "blake3"));
  g_clear_error (&error);

  bad = wharf_hasher_new_for_digest ("sha256:xyz", &error);
  g_assert_null (bad);
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
}

static void
test_digest_verify (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wharf_digest_verify (ABC_SHA256, "abc", 3, "manifest of foo:1", &error));
  g_assert_no_error (error);

  g_assert_true (wharf_digest_verify (EMPTY_SHA256, NULL, 0, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (wharf_digest_verify (ABC_SHA256, "abd", 3, "manifest of foo:1", &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, "manifest of foo:1"));
  g_assert_nonnull (strstr (error->message, "sha256:ba7816bf8f01"));
  g_clear_error (&error);

  g_assert_false (wharf_digest_verify (ABC_SHA256, "abc", 2, NULL, &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_DIGEST_MISMATCH);
  g_clear_error (&error);

  g_assert_false (wharf_digest_verify ("sha256:ABC", "abc", 3, "blob", &error));
  g_assert_error (error, WHARF_ERROR, WHARF_ERROR_INVALID_DIGEST);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/digest/vectors", test_digest_vectors);
  g_test_add_func ("/digest/million-a", test_digest_million_a);
  g_test_add_func ("/digest/matches-gchecksum", test_digest_matches_gchecksum);
  g_test_add_func ("/digest/fixture-file", test_digest_fixture_file);
  g_test_add_func ("/digest/validate", test_digest_validate);
  g_test_add_func ("/digest/messages", test_digest_messages);
  g_test_add_func ("/digest/helpers", test_digest_helpers);
  g_test_add_func ("/digest/hasher-new", test_digest_hasher_new);
  g_test_add_func ("/digest/verify", test_digest_verify);

  return g_test_run ();
}
