/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for member-name checks and path helpers (src/path.c). Member
 * names come from archives: each refusal below is a way to write or read
 * outside the place a member belongs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "testutil.h"

static void member_ok(const char *name)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if (cf_path_check_member(&ctx, name) != CF_OK)
		fail_msg("'%s' refused: %s", name, ctx.msg);
}

static void member_bad(const char *name, const char *want)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if (cf_path_check_member(&ctx, name) != CF_FAILED)
		fail_msg("'%s' accepted", name);
	if (!strstr(ctx.msg, want))
		fail_msg("'%s': message '%s' lacks '%s'", name, ctx.msg, want);
}

static void test_members_accepted(void **state)
{
	(void)state;
	member_ok("SHA256SUMS");
	member_ok("casefile/collection.json");
	member_ok("evidence/files/var/log/auth.log.2.gz");
	member_ok("a/..b/c..");
	member_ok("a/.hidden/...");
	member_ok("caf\xc3\xa9/\xe2\x82\xac");  /* UTF-8 is fine */
	member_ok("with space/and-dash_");
}

static void test_members_refused(void **state)
{
	(void)state;
	member_bad("", "empty member name");
	member_bad("/etc/passwd", "absolute member name");
	member_bad("..", "has a '..' component");
	member_bad("../x", "has a '..' component");
	member_bad("a/../../x", "has a '..' component");
	member_bad("a/..", "has a '..' component");
	member_bad(".", "has a '.' component");
	member_bad("./a", "has a '.' component");
	member_bad("a/./b", "has a '.' component");
	member_bad("a//b", "empty component");
	member_bad("a/", "ends with '/'");
	member_bad("a/b/", "ends with '/'");
	member_bad("a\nb", "control character at byte 1");
	member_bad("a\tb", "control character at byte 1");
	member_bad("ab\x1b[2J", "control character at byte 2");
	member_bad("a\x7f", "control character at byte 1");
	member_bad("a\\..\\b", "backslash");
	member_bad("C:\\x", "backslash");
	/* Not UTF-8: a stray continuation byte, a truncated sequence, an
	 * overlong '/' (0xc0 0xaf, which once smuggled "../" past checks), a
	 * UTF-16 surrogate. */
	member_bad("a\xff", "not valid UTF-8 (byte 0xff at 1)");
	member_bad("evidence/x/\xe2\x82", "not valid UTF-8 (byte 0xe2 at 11)");
	member_bad("a\xc0\xaf" "b", "not valid UTF-8 (byte 0xc0 at 1)");
	member_bad("\xed\xa0\x80", "not valid UTF-8 (byte 0xed at 0)");
}

static void test_member_limits(void **state)
{
	char *s = malloc(CF_PATH_MAX + 2);
	char deep[CF_PATH_DEPTH * 2 + 3];

	(void)state;
	assert_non_null(s);
	memset(s, 'a', CF_PATH_MAX);
	s[CF_PATH_MAX] = '\0';
	/* One component of 4096 bytes is within the length limit. */
	member_ok(s);
	s[CF_PATH_MAX] = 'a';
	s[CF_PATH_MAX + 1] = '\0';
	member_bad(s, "longer than 4096 bytes");
	free(s);
	for (int i = 0; i < CF_PATH_DEPTH; i++) {
		deep[2 * i] = 'd';
		deep[2 * i + 1] = '/';
	}
	deep[2 * CF_PATH_DEPTH - 1] = '\0'; /* 64 components */
	member_ok(deep);
	deep[2 * CF_PATH_DEPTH - 1] = '/';
	deep[2 * CF_PATH_DEPTH] = 'e';
	deep[2 * CF_PATH_DEPTH + 1] = '\0'; /* 65 */
	member_bad(deep, "deeper than 64 components");
}

static void norm(const char *in, const char *want)
{
	struct cf_ctx ctx;
	char *out = NULL;

	cf_ctx_init(&ctx);
	if (cf_path_normalise(&ctx, in, &out) != CF_OK)
		fail_msg("normalise '%s': %s", in, ctx.msg);
	if (strcmp(out, want))
		fail_msg("normalise '%s' gave '%s', expected '%s'", in, out, want);
	free(out);
}

static void norm_bad(const char *in)
{
	struct cf_ctx ctx;
	char *out = NULL;

	cf_ctx_init(&ctx);
	if (cf_path_normalise(&ctx, in, &out) != CF_FAILED)
		fail_msg("normalise '%s' accepted as '%s'", in, out);
	assert_null(out);
	assert_non_null(strstr(ctx.msg, "climbs above its start"));
}

static void test_normalise(void **state)
{
	struct cf_ctx ctx;
	char *out = NULL;

	(void)state;
	norm("/", "/");
	norm("//", "/");
	norm("/a/./b//c/", "/a/b/c");
	norm("/a/b/../c", "/a/c");
	norm("/a/..", "/");
	norm("a/b/..", "a");
	norm("a/..", ".");
	norm("", ".");
	norm(".", ".");
	norm("./././", ".");
	norm("a/b/c/../../d", "a/d");
	norm("...", "...");
	norm("/a/../b/../c", "/c");
	norm_bad("..");
	norm_bad("/..");
	norm_bad("a/../..");
	norm_bad("/a/b/../../../etc");
	cf_ctx_init(&ctx);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_path_normalise(&ctx, "/a/b", &out), CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 2, 0);
	assert_int_equal(cf_path_normalise(&ctx, "/a/b", &out), CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
}

static void join(const char *a, const char *b, const char *want)
{
	char *s = cf_path_join(a, b);

	assert_non_null(s);
	if (strcmp(s, want))
		fail_msg("join('%s','%s') gave '%s', expected '%s'", a, b, s, want);
	free(s);
}

static void test_join(void **state)
{
	(void)state;
	join("a", "b", "a/b");
	join("a/", "b", "a/b");
	join("a///", "//b", "a/b");
	join("/", "b", "/b");
	join("/", "/", "/");
	join("", "b", "b");
	join("a", "", "a/");
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_null(cf_path_join("a", "b"));
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
}

/* mkdir -p: every missing folder made, existing ones kept, a file in the
 * way refused with the name of the folder that could not be made. */
static void test_mkdirs(void **state)
{
	char *dir = tu_tempdir(), *deep = tu_path(dir, "a/b//c/"), *file;
	struct cf_ctx ctx;
	mode_t mask;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_path_mkdirs(&ctx, deep, 0750), CF_OK);
	free(deep);
	deep = tu_path(dir, "a/b/c");
	mask = umask(0);
	umask(mask);
	assert_int_equal(tu_mode(deep), (int)(0750 & ~mask));
	assert_int_equal(cf_path_mkdirs(&ctx, deep, 0750), CF_OK); /* again */
	file = tu_path(dir, "a/f");
	tu_write_file(file, "x", 1, 0600);
	assert_int_equal(cf_path_mkdirs(&ctx, file, 0750), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "/a/f'"));
	free(file);
	file = tu_path(dir, "a/f/g/h");
	assert_int_equal(cf_path_mkdirs(&ctx, file, 0750), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "/a/f/g'"));
	assert_int_equal(cf_path_mkdirs(&ctx, "", 0750), CF_FAILED);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_path_mkdirs(&ctx, deep, 0750), CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	free(file);
	free(deep);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_accepted),
		cmocka_unit_test(test_members_refused),
		cmocka_unit_test(test_member_limits),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_mkdirs),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
