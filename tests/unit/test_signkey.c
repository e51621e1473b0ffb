/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of src/signkey.c: the option wins over $CASEFILE_KEY, which
 * wins over the case's key; with none the error says how to name one; an
 * encrypted key needs its passphrase file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/signkey.h"

static char dir[] = "/tmp/cf-signkey-XXXXXX";
static char a[64], b[64], c[64], enc[64], passf[64];

static void make_key(const char *prefix, const char *pass, char *out)
{
	struct cf_ctx ctx;
	cf_key *k;

	cf_ctx_init(&ctx);
	assert_non_null(k = cf_key_generate(&ctx));
	assert_int_equal(cf_key_save(&ctx, k, prefix, pass, 1), CF_OK);
	cf_key_free(k);
	snprintf(out, 64, "%s.key", prefix);
}

static int setup(void **state)
{
	char p[64];
	FILE *f;

	(void)state;
	cf_core_init();
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof p, "%s/a", dir); make_key(p, NULL, a);
	snprintf(p, sizeof p, "%s/b", dir); make_key(p, NULL, b);
	snprintf(p, sizeof p, "%s/c", dir); make_key(p, NULL, c);
	snprintf(p, sizeof p, "%s/e", dir); make_key(p, "s3cret", enc);
	snprintf(passf, sizeof passf, "%s/pass", dir);
	assert_non_null(f = fopen(passf, "w"));
	fputs("s3cret\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void order_option_env_case(void **state)
{
	struct cf_ctx ctx;
	const char *used;
	cf_key *k;

	(void)state;
	cf_ctx_init(&ctx);
	unsetenv("CASEFILE_PASSPHRASE_FILE");
	setenv("CASEFILE_KEY", b, 1);
	assert_non_null(k = cf_signkey_load(&ctx, a, NULL, c, &used));
	assert_string_equal(used, a);
	cf_key_free(k);
	assert_non_null(k = cf_signkey_load(&ctx, "", NULL, c, &used));
	assert_string_equal(used, b);
	cf_key_free(k);
	unsetenv("CASEFILE_KEY");
	assert_non_null(k = cf_signkey_load(&ctx, NULL, NULL, c, &used));
	assert_string_equal(used, c);
	cf_key_free(k);
}

static void none_named_says_how(void **state)
{
	struct cf_ctx ctx;
	const char *used = "x";

	(void)state;
	cf_ctx_init(&ctx);
	unsetenv("CASEFILE_KEY");
	assert_null(cf_signkey_load(&ctx, NULL, NULL, NULL, &used));
	assert_null(used);
	assert_non_null(strstr(cf_errmsg(&ctx), "no signing key"));
}

static void encrypted_key_needs_passphrase(void **state)
{
	struct cf_ctx ctx;
	const char *used;
	cf_key *k;

	(void)state;
	cf_ctx_init(&ctx);
	unsetenv("CASEFILE_KEY");
	unsetenv("CASEFILE_PASSPHRASE_FILE");
	assert_null(cf_signkey_load(&ctx, enc, NULL, NULL, &used));
	assert_string_equal(used, enc);
	assert_non_null(k = cf_signkey_load(&ctx, enc, passf, NULL, NULL));
	cf_key_free(k);
	setenv("CASEFILE_PASSPHRASE_FILE", passf, 1);
	assert_non_null(k = cf_signkey_load(&ctx, enc, NULL, NULL, NULL));
	cf_key_free(k);
	unsetenv("CASEFILE_PASSPHRASE_FILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_option_env_case),
		cmocka_unit_test(none_named_says_how),
		cmocka_unit_test(encrypted_key_needs_passphrase),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
