/* SPDX-License-Identifier: Apache-2.0
 *
 * What fuzz_meta_collection.c and fuzz_meta_items.c share: an evidence
 * archive, built in memory, that is valid in every respect but one member
 * (collection.json or items.jsonl), which is the fuzz input; then the
 * verifier and the chain check on it.
 *
 * fuzz_archive.c reaches the verifier's metadata checks only through a
 * whole fuzzed tar, where almost every mutation breaks a header, a digest
 * or the signature first. Here the other members are fixed and right: one
 * evidence member, the collector's log, signer.pub, a SHA256SUMS with the
 * true digests of all five (the fuzzed member's included) and its
 * signature by a key generated once and trusted, each member with its pax
 * digest, in collect's order and with collect's pax settings. So every
 * input gets to check_collection(), item_line(), check_sums() and
 * cf_archive_verify_chain().
 *
 * Checked beyond memory errors, undefined behaviour, leaks and hangs: the
 * verifier always runs to a verdict; the only problems it may report are
 * about the fuzzed member (a digest, order or signature problem would be a
 * verifier bug, since those are right); the verdict is "no problem"
 * exactly when there is none; items.jsonl kept for the timeline is the
 * member byte for byte. Before the first input, the fixed archive with the
 * collector's own collection.json and items.jsonl must verify: without that
 * self-check the target could silently exercise nothing but early failures.
 * The archive lives in a memfd: fuzzing never writes to disk.
 * Header-only: each target is one program.
 */
#ifndef CASEFILE_FUZZ_META_H
#define CASEFILE_FUZZ_META_H

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/sign.h"
#include "casefile/sums.h"

enum fuzz_meta_which { FUZZ_META_COLLECTION, FUZZ_META_ITEMS };

/* The members before SHA256SUMS, in the evidence format's order. */
enum { FM_COLLECTION, FM_EVIDENCE, FM_ITEMS, FM_LOG, FM_SIGNER, FM_N };

#define FUZZ_META_EVIDENCE "evidence/paths/var/log/auth.log"
/* sha256sums digest of the archive that the fixed collection.json follows
 * in fuzz_meta_chain() (the seed collection-second names it) */
#define FUZZ_META_PREVIOUS \
	"fa77f965366b4be89491a17c94bc3f96e6a5bcfe96dece4632d8b9ee2cfe3acf"

struct fuzz_meta_state {
	cf_key *key;
	char *pem;                /* signer.pub */
	char items[512];          /* the fixed items.jsonl */
	const char *data[FM_N];
	size_t len[FM_N];
};

static inline void fuzz_meta_fail(const char *what, struct cf_ctx *ctx)
{
	fprintf(stderr, "fuzz_meta: %s: %s\n", what, ctx ? cf_errmsg(ctx) : "");
	abort();
}

/* One member with its pax digest, as collect/writer.c writes it. */
static inline void fuzz_meta_member(struct archive *a, const char *name,
				    const void *p, size_t n,
				    const uint8_t sha[CF_SHA256_LEN])
{
	struct archive_entry *e = archive_entry_new();
	char hex[CF_SHA256_HEX];

	if (!e)
		abort();
	cf_hex(sha, CF_SHA256_LEN, hex);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, 1772359500, 0);
	archive_entry_xattr_add_entry(e, CF_XATTR_SHA256, hex, 64);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (n && archive_write_data(a, p, n) != (la_ssize_t)n)) {
		fprintf(stderr, "fuzz_meta: %s: %s\n", name,
			archive_error_string(a));
		abort();
	}
	archive_entry_free(e);
}

/* Writes the archive of the members v[] (lengths n[]) to fd: the members,
 * then SHA256SUMS listing them and its signature. */
static inline void fuzz_meta_write(const struct fuzz_meta_state *st, int fd,
				   const char *const v[FM_N],
				   const size_t n[FM_N])
{
	static const char *const names[FM_N] = {
		CF_MEMBER_COLLECTION, FUZZ_META_EVIDENCE, CF_MEMBER_ITEMS,
		CF_MEMBER_LOG, CF_MEMBER_SIGNER};
	uint8_t d[CF_SHA256_LEN], sig[CF_ED25519_SIG_LEN];
	struct archive *a = archive_write_new();
	struct cf_sums sums;
	struct cf_buf b;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	cf_sums_init(&sums);
	cf_buf_init(&b);
	if (!a || archive_write_set_format_pax(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "pax", "xattrheader",
					    "SCHILY") != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		abort();
	for (int i = 0; i < FM_N; i++) {
		if (cf_sha256_buf(&ctx, v[i], n[i], d) != CF_OK ||
		    cf_sums_add(&ctx, &sums, names[i], d) != CF_OK)
			fuzz_meta_fail(names[i], &ctx);
		fuzz_meta_member(a, names[i], v[i], n[i], d);
	}
	if (cf_sums_format(&ctx, &sums, &b) != CF_OK ||
	    cf_sha256_buf(&ctx, b.data, b.len, d) != CF_OK ||
	    cf_key_sign(&ctx, st->key, b.data, b.len, sig) != CF_OK)
		fuzz_meta_fail(CF_MEMBER_SUMS, &ctx);
	fuzz_meta_member(a, CF_MEMBER_SUMS, b.data, b.len, d);
	if (cf_sha256_buf(&ctx, sig, sizeof sig, d) != CF_OK)
		fuzz_meta_fail(CF_MEMBER_SIG, &ctx);
	fuzz_meta_member(a, CF_MEMBER_SIG, sig, sizeof sig, d);
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);
	cf_buf_release(&b);
	cf_sums_release(&sums);
}

/* Builds the archive with the members v[] in a memfd and verifies it,
 * keeping items.jsonl. The result is the caller's. */
static inline struct cf_verify_result *
fuzz_meta_verify(struct fuzz_meta_state *st, const char *const v[FM_N],
		 const size_t n[FM_N])
{
	struct cf_verify_result *res = NULL;
	struct cf_ctx ctx;
	char path[64];
	int fd = memfd_create("fuzz_meta", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	fuzz_meta_write(st, fd, v, n);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	cf_ctx_init(&ctx);
	/* a readable archive always gets a verdict */
	if (cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &st->key,
			.ntrusted = 1,
			.flags = CF_VERIFY_KEEP_ITEMS}, &res) != CF_OK)
		fuzz_meta_fail("verify", &ctx);
	close(fd);
	return res;
}

/* The fixed members, the key, and the self-check; once per process. */
static inline struct fuzz_meta_state *fuzz_meta_init(void)
{
	static struct fuzz_meta_state st;
	static const char collection[] =
		"{\"format\":1,\"collection_id\":\"3fc12eea-6aad-40bf-b966-"
		"ebc499b95843\",\"case_id\":\"IR-2026-001\",\"examiner\":"
		"\"J. Doe\",\"host\":{\"hostname\":\"web01\",\"timezone\":"
		"{\"name\":null,\"utc_offset\":\"+00:00\"},\"live\":false},"
		"\"started_at\":\"2026-03-01T10:05:00.000000Z\",\"previous\":"
		"null,\"sequence\":1,\"compression\":\"none\",\"root\":"
		"\"/mnt/image\"}\n";
	static const char evidence[] =
		"Mar  1 10:00:00 web01 sshd[812]: Accepted publickey for alice "
		"from 198.51.100.7 port 52100 ssh2\n";
	static const char log[] =
		"{\"time\":\"2026-03-01T10:05:00.000000Z\",\"level\":\"info\","
		"\"event\":\"started\"}\n";
	struct cf_verify_result *res;
	uint8_t d[CF_SHA256_LEN];
	char hex[CF_SHA256_HEX];
	struct cf_ctx ctx;

	if (st.key)
		return &st;
	cf_core_init();
	cf_ctx_init(&ctx);
	if (!(st.key = cf_key_generate(&ctx)) ||
	    cf_key_public_pem(&ctx, st.key, &st.pem) != CF_OK ||
	    cf_sha256_buf(&ctx, evidence, sizeof evidence - 1, d) != CF_OK)
		fuzz_meta_fail("key", &ctx);
	cf_hex(d, sizeof d, hex);
	snprintf(st.items, sizeof st.items,
		 "{\"member\":\"%s\",\"source\":\"paths\",\"category\":\"%s\","
		 "\"path\":\"/var/log/auth.log\",\"kind\":\"file\",\"size\":%zu,"
		 "\"sha256\":\"%s\"}\n",
		 FUZZ_META_EVIDENCE, CF_CAT_AUTH_LOG, sizeof evidence - 1, hex);
	st.data[FM_COLLECTION] = collection;
	st.len[FM_COLLECTION] = sizeof collection - 1;
	st.data[FM_EVIDENCE] = evidence;
	st.len[FM_EVIDENCE] = sizeof evidence - 1;
	st.data[FM_ITEMS] = st.items;
	st.len[FM_ITEMS] = strlen(st.items);
	st.data[FM_LOG] = log;
	st.len[FM_LOG] = sizeof log - 1;
	st.data[FM_SIGNER] = st.pem;
	st.len[FM_SIGNER] = strlen(st.pem);
	res = fuzz_meta_verify(&st, st.data, st.len);
	if (!res->ok) {
		fprintf(stderr, "fuzz_meta: the fixed archive does not verify: "
				"%s %s: %s\n",
			res->problems[0].kind,
			res->problems[0].member ? res->problems[0].member : "",
			res->problems[0].detail);
		abort();
	}
	cf_verify_result_free(res);
	return &st;
}

/* The chain check with a first archive (sequence 1, the one
 * FUZZ_META_PREVIOUS names) and the fuzzed one twice (given twice is not a
 * fork). */
static inline void fuzz_meta_chain(struct cf_verify_result *res)
{
	static const char first[] = "{\"format\":1,\"previous\":null,\"sequence\":1}";
	struct cf_verify_result *prev = calloc(1, sizeof *prev), *v[3];
	struct cf_ctx ctx;

	if (!prev || !(prev->path = strdup("first.tar")) ||
	    !(prev->collection = cJSON_Parse(first)))
		abort();
	prev->ok = 1;
	memcpy(prev->sums_hex, FUZZ_META_PREVIOUS, sizeof prev->sums_hex);
	v[0] = prev;
	v[1] = res;
	v[2] = res;
	cf_ctx_init(&ctx);
	if (cf_archive_verify_chain(&ctx, v, 3) != CF_OK)
		fuzz_meta_fail("chain", &ctx);
	cf_verify_result_free(prev);
}

/* 1 when every problem is one that the fuzzed member can cause. */
static inline int fuzz_meta_fair(const struct cf_verify_result *res,
				 enum fuzz_meta_which which)
{
	for (size_t i = 0; i < res->nproblems; i++) {
		const struct cf_problem *p = &res->problems[i];
		int meta = !strcmp(p->kind, "inconsistent-metadata") ||
			   !strcmp(p->kind, "limit") ||
			   !strcmp(p->kind, "too-many-problems");
		if ((which == FUZZ_META_COLLECTION &&
		     (!p->member || strcmp(p->member, CF_MEMBER_COLLECTION) ||
		      !(meta || !strncmp(p->kind, "chain-", 6)))) ||
		    (which == FUZZ_META_ITEMS && !meta)) {
			fprintf(stderr, "fuzz_meta: unexpected problem: %s %s: %s\n",
				p->kind, p->member ? p->member : "", p->detail);
			return 0;
		}
	}
	return 1;
}

/* A target: data is the member `which`, the others are fixed. */
static inline int fuzz_meta_run(enum fuzz_meta_which which,
				const uint8_t *data, size_t size)
{
	struct fuzz_meta_state *st = fuzz_meta_init();
	const char *v[FM_N];
	size_t n[FM_N];
	struct cf_verify_result *res;
	int slot = which == FUZZ_META_COLLECTION ? FM_COLLECTION : FM_ITEMS;

	memcpy(v, st->data, sizeof v);
	memcpy(n, st->len, sizeof n);
	v[slot] = (const char *)data;
	n[slot] = size;
	res = fuzz_meta_verify(st, v, n);
	cJSON_Delete(cf_verify_result_json(res));
	if (which == FUZZ_META_COLLECTION) /* the chain reads nothing else */
		fuzz_meta_chain(res);
	if (!fuzz_meta_fair(res, which) || res->ok != (res->nproblems == 0))
		abort();
	if (which == FUZZ_META_ITEMS &&
	    (!res->items || res->items_len != size ||
	     (size && memcmp(res->items, data, size))))
		abort();
	cf_verify_result_free(res);
	return 0;
}

#endif
