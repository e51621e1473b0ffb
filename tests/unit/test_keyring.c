/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of src/keyring.c, the one trusted keyring (SPEC section 1):
 * --trust files are public keys and a private key file is refused; the
 * user's signing key is trusted by its public half only; the deprecated
 * --key PUB is told apart from a private --key by the file's label, before
 * any private key is parsed (an encrypted one needs no passphrase here);
 * lookups by fingerprint; out of memory fails cleanly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/keyring.h"
#include "testutil.h"

static char *dir, *apub, *akey, *bpub, *enckey, *junk;

static int setup(void **state)
{
	struct cf_ctx ctx;
	char *p;
	cf_key *k;

	(void)state;
	tu_init();
	dir = tu_tempdir();
	cf_ctx_init(&ctx);
	const char *names[] = {"a", "b", "e"};
	for (int i = 0; i < 3; i++) {
		p = tu_path(dir, names[i]);
		assert_non_null(k = cf_key_generate(&ctx));
		assert_int_equal(cf_key_save(&ctx, k, p, i == 2 ? "pw" : NULL, 1),
				 CF_OK);
		cf_key_free(k);
		free(p);
	}
	apub = tu_path(dir, "a.pub");
	akey = tu_path(dir, "a.key");
	bpub = tu_path(dir, "b.pub");
	enckey = tu_path(dir, "e.key");
	junk = tu_path(dir, "junk");
	tu_write_file(junk, "not a key\n", 10, 0644);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_faults_off();
	free(apub);
	free(akey);
	free(bpub);
	free(enckey);
	free(junk);
	tu_rmtree(dir);
	return 0;
}

static void fingerprint(const cf_key *k, char fp[CF_FINGERPRINT_LEN])
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_key_fingerprint(&ctx, k, fp), CF_OK);
}

static void trust_files(void **state)
{
	char fa[CF_FINGERPRINT_LEN], fb[CF_FINGERPRINT_LEN];
	struct cf_ctx ctx;
	cf_keyring *kr;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(kr = cf_keyring_new(&ctx));
	assert_int_equal(cf_keyring_count(kr), 0);
	assert_int_equal(cf_keyring_add_file(&ctx, kr, apub), CF_OK);
	assert_int_equal(cf_keyring_add_file(&ctx, kr, bpub), CF_OK);
	assert_int_equal(cf_keyring_count(kr), 2);
	fingerprint(cf_keyring_keys(kr)[0], fa);
	fingerprint(cf_keyring_keys(kr)[1], fb);
	assert_ptr_equal(cf_key_find(cf_keyring_keys(kr), 2, fb),
			 cf_keyring_keys(kr)[1]);
	assert_null(cf_key_find(cf_keyring_keys(kr), 1, fb));
	assert_null(cf_key_find(cf_keyring_keys(kr), 2, NULL));
	assert_null(cf_key_find(cf_keyring_keys(kr), 2, "SHA256:00"));

	/* A private key is never a trusted key, and nothing is added. */
	assert_int_equal(cf_keyring_add_file(&ctx, kr, akey), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), "is a private key"));
	assert_non_null(strstr(cf_errmsg(&ctx), akey));
	assert_int_equal(cf_keyring_add_file(&ctx, kr, enckey), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), "is a private key"));
	assert_int_not_equal(cf_keyring_add_file(&ctx, kr, junk), CF_OK);
	assert_int_not_equal(cf_keyring_add_file(&ctx, kr, "/nonexistent/k.pub"),
			     CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "/nonexistent/k.pub"));
	assert_int_equal(cf_keyring_count(kr), 2);
	cf_keyring_free(kr);
	cf_keyring_free(NULL);
}

static void signer_public_half(void **state)
{
	char fa[CF_FINGERPRINT_LEN], fk[CF_FINGERPRINT_LEN];
	struct cf_ctx ctx;
	cf_keyring *kr;
	cf_key *priv;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(kr = cf_keyring_new(&ctx));
	assert_int_equal(cf_keyring_add_signer(&ctx, kr, akey), CF_OK);
	assert_non_null(priv = cf_key_load_private(&ctx, akey, NULL));
	assert_int_equal(cf_keyring_add_key(&ctx, kr, priv), CF_OK);
	assert_int_equal(cf_keyring_count(kr), 2);
	for (size_t i = 0; i < 2; i++) {
		const cf_key *k = cf_keyring_keys(kr)[i];
		assert_int_equal(cf_key_has_private(k), 0);
		fingerprint(k, fk);
		fingerprint(priv, fa);
		assert_string_equal(fk, fa);
	}
	cf_key_free(priv); /* the keyring holds its own copy */
	fingerprint(cf_keyring_keys(kr)[1], fk);
	assert_string_equal(fk, fa);
	cf_keyring_free(kr);
}

static void legacy_key_option(void **state)
{
	struct cf_ctx ctx;
	cf_keyring *kr;
	int pub = -1;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(kr = cf_keyring_new(&ctx));
	/* --key PUB: trusted */
	assert_int_equal(cf_keyring_add_legacy(&ctx, kr, apub, &pub), CF_OK);
	assert_int_equal(pub, 1);
	assert_int_equal(cf_keyring_count(kr), 1);
	/* --key KEY: the caller's, even encrypted (not parsed here) */
	assert_int_equal(cf_keyring_add_legacy(&ctx, kr, akey, &pub), CF_OK);
	assert_int_equal(pub, 0);
	assert_int_equal(cf_keyring_add_legacy(&ctx, kr, enckey, &pub), CF_OK);
	assert_int_equal(pub, 0);
	assert_int_equal(cf_keyring_count(kr), 1);
	/* unreadable: an error naming the file */
	assert_int_not_equal(cf_keyring_add_legacy(&ctx, kr, "/nonexistent/k",
						   &pub), CF_OK);
	assert_int_equal(pub, 0);
	assert_non_null(strstr(cf_errmsg(&ctx), "/nonexistent/k"));
	/* neither label: treated as a public key, whose loader says why not */
	assert_int_not_equal(cf_keyring_add_legacy(&ctx, kr, junk, &pub), CF_OK);
	assert_int_equal(cf_keyring_count(kr), 1);
	cf_keyring_free(kr);
}

/* Every allocation of the keyring's own work in turn fails (the key is
 * loaded beforehand: OpenSSL's PEM decoders make thousands of allocations,
 * swept in test_sign): an out-of-memory error (CF_FATAL, the message says
 * so), never another cause, a crash or a leak.
 * Five keys make the array grow once. */
static void out_of_memory(void **state)
{
	struct cf_ctx ctx;
	cf_key *k;
	int ok = 0;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(k = cf_key_load_public(&ctx, apub));
	for (unsigned long n = 1; n < 1000 && !ok; n++) {
		cf_keyring *kr;
		int rc = CF_FAILED;

		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		if ((kr = cf_keyring_new(&ctx)))
			for (int i = 0; i < 5; i++)
				if ((rc = cf_keyring_add_key(&ctx, kr, k)) != CF_OK)
					break;
		ok = cf_fault_count(CF_FAULT_ALLOC) < n; /* no fault reached */
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (ok)
			assert_int_equal(rc, CF_OK);
		if (rc == CF_OK) {
			assert_int_equal(cf_keyring_count(kr), 5);
		} else {
			/* the cause is memory, not a key that cannot be read */
			if (!strstr(ctx.msg, strerror(ENOMEM)))
				fail_msg("alloc %lu: %s", n, ctx.msg);
			assert_int_equal(ctx.code, CF_FATAL);
		}
		cf_keyring_free(kr);
	}
	assert_true(ok);
	cf_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trust_files),
		cmocka_unit_test(signer_public_half),
		cmocka_unit_test(legacy_key_option),
		cmocka_unit_test(out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
