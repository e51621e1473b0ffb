/* SPDX-License-Identifier: Apache-2.0
 *
 * The raw line behind an event (`/api/event/ID/raw`, man/casefile-view.1),
 * read from its evidence archive, never from anything but the bytes that
 * were verified: an examiner shown a line as evidence must be able to rely
 * on it being what the signed archive holds.
 *
 * The archive is found where the store's archive record says it was built
 * from, else in the case's evidence folder under the same file name. It is
 * verified once per server (signature by a trusted key, every member's
 * hash, SHA256SUMS) and must be the archive the event names (same
 * sha256sums digest); the verified file stays open and every later read
 * goes through cf_archive_reopen(), which refuses a member whose bytes no
 * longer hash to what was verified. The line is taken from its member at
 * the byte offset the store gives, the member is then read to its end, and
 * only when its hash matches are the bytes answered. When anything fails
 * (no trusted key, archive missing, not verifying, another archive, a
 * compressed member whose offsets are those of the decompressed text) the
 * answer says why and carries no bytes. This file never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/utf8.h"
#include "view.h"

struct view_verified {
	struct cf_verify_result *vr;
	char *path;
};

struct view_archives {
	struct view_verified v[VIEW_ARCHIVES_MAX];
	size_t n;
};

struct view_archives *view_archives_new(void)
{
	return cf_calloc(1, sizeof(struct view_archives));
}

void view_archives_free(struct view_archives *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		cf_verify_result_free(c->v[i].vr);
		free(c->v[i].path);
	}
	free(c);
}

static int is_regular(const char *p)
{
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Verifies the archive at path: the verification when it passes and is
 * the archive named by digest, else NULL with why. */
static struct cf_verify_result *verify_one(const struct view_src *src,
					   const char *path, const char *digest,
					   struct cf_buf *why)
{
	struct cf_verify_result *vr = NULL;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if (cf_archive_verify(&ctx, path, &(struct cf_verify_opts){
				      .trusted = src->trusted,
				      .ntrusted = src->ntrusted,
				      .flags = CF_VERIFY_KEEP_FD}, &vr) != CF_OK) {
		cf_buf_printf(why, "%s; ", cf_errmsg(&ctx));
		return NULL;
	}
	if (!vr->ok) {
		const struct cf_problem *p = vr->nproblems ? &vr->problems[0] : NULL;
		cf_buf_printf(why, "'%s' does not verify (%s%s%s); ", path,
			      p ? p->kind : "failed", p && p->member ? " " : "",
			      p && p->member ? p->member : "");
	} else if (strcmp(vr->sums_hex, digest)) {
		cf_buf_printf(why, "'%s' is another archive (sha256sums digest "
			      "%s); ", path, vr->sums_hex);
	} else {
		return vr;
	}
	cf_verify_result_free(vr);
	return NULL;
}

/* The verification of the archive named by digest: from the cache, else
 * found and verified now (and cached); NULL with why. */
static struct view_verified *find_verified(const struct view_src *src,
					   const char *digest,
					   const char *store_path,
					   struct cf_buf *why)
{
	struct view_archives *c = src->archives;
	char *cand[2] = {NULL, NULL};
	struct view_verified *out = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].vr->sums_hex, digest))
			return &c->v[i];
	if (store_path && *store_path)
		cand[0] = cf_strdup(store_path);
	if (src->case_dir && store_path && *store_path) {
		const char *base = strrchr(store_path, '/');
		char *ev = cf_path_join(src->case_dir, "evidence");

		cand[1] = ev ? cf_path_join(ev, base ? base + 1 : store_path) : NULL;
		free(ev);
	}
	for (int i = 0; i < 2 && !out; i++) {
		struct cf_verify_result *vr;

		if (!cand[i] || (i == 1 && cand[0] && !strcmp(cand[0], cand[1])))
			continue;
		if (!is_regular(cand[i])) {
			cf_buf_printf(why, "'%s' is not there; ", cand[i]);
			continue;
		}
		if (!(vr = verify_one(src, cand[i], digest, why)))
			continue;
		if (c->n == VIEW_ARCHIVES_MAX) { /* the oldest goes */
			cf_verify_result_free(c->v[0].vr);
			free(c->v[0].path);
			memmove(&c->v[0], &c->v[1], (c->n - 1) * sizeof c->v[0]);
			c->n--;
		}
		c->v[c->n].vr = vr;
		c->v[c->n].path = cand[i];
		cand[i] = NULL;
		out = &c->v[c->n++];
	}
	if (!out && !why->len)
		cf_buf_puts(why, "the store records no file for this archive; ");
	free(cand[0]);
	free(cand[1]);
	return out;
}

/* Whether the member's offsets are those of decompressed text. */
static int compressed(const char *member)
{
	static const char *const ext[] = {".gz", ".bz2", ".xz", ".zst", ".zstd"};
	size_t n = strlen(member);

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t k = strlen(ext[i]);
		if (n > k && !strcmp(member + n - k, ext[i]))
			return 1;
	}
	return 0;
}

/* Reads the line at offset of member (1-based number line) into out,
 * at most VIEW_RAW_MAX bytes (*truncated set beyond), once the whole
 * member hashed to the bytes verified. CF_OK, or CF_FAILED with why. */
static int read_line(struct view_verified *v, const char *member,
		     uint64_t line, uint64_t offset, struct cf_buf *out,
		     int *truncated, struct cf_buf *why)
{
	uint8_t digest[CF_SHA256_LEN];
	uint64_t pos = 0, newlines = 0;
	struct cf_member m;
	struct cf_ctx ctx;
	cf_archive *a = NULL;
	int r, found = 0, done = 0, rc = CF_FAILED;
	const void *p;
	long got;

	cf_ctx_init(&ctx);
	if (cf_archive_reopen(&ctx, v->vr, &a) != CF_OK) {
		cf_buf_printf(why, "%s", cf_errmsg(&ctx));
		return CF_FAILED;
	}
	while ((r = cf_archive_next(a, &ctx, &m)) == CF_OK || r == CF_WARN)
		if (r == CF_OK && !strcmp(m.name, member)) {
			found = 1;
			break;
		}
	if (!found) {
		if (r == CF_EOF)
			cf_buf_printf(why, "'%s' has no member '%s'", v->path, member);
		else
			cf_buf_printf(why, "%s", cf_errmsg(&ctx));
		goto out;
	}
	while ((got = cf_archive_read_block(a, &ctx, &p)) > 0) {
		const char *b = p;
		size_t n = (size_t)got, i = 0;

		/* the lines before it: the store's line number must agree */
		for (; i < n && pos + i < offset; i++)
			newlines += b[i] == '\n';
		for (; i < n && !done; i++) {
			if (b[i] == '\n' || out->len == VIEW_RAW_MAX) {
				*truncated = b[i] != '\n';
				done = 1;
				break;
			}
			cf_buf_putc(out, b[i]);
		}
		pos += n;
	}
	if (got < 0) {
		cf_buf_printf(why, "%s", cf_errmsg(&ctx));
		goto out;
	}
	/* the member's bytes against the verified ones (all read by now) */
	if (cf_archive_member_digest(a, &ctx, digest) != CF_OK) {
		cf_buf_printf(why, "%s", cf_errmsg(&ctx));
		goto out;
	}
	if (offset >= pos) {
		cf_buf_printf(why, "member '%s' has %llu bytes: no line at byte %llu",
			      member, (unsigned long long)pos,
			      (unsigned long long)offset);
		goto out;
	}
	if (line && newlines != line - 1) {
		cf_buf_printf(why, "byte %llu of member '%s' is on line %llu, not "
			      "on line %llu as the store says",
			      (unsigned long long)offset, member,
			      (unsigned long long)newlines + 1,
			      (unsigned long long)line);
		goto out;
	}
	if (out->err) {
		cf_buf_puts(why, "out of memory");
		goto out;
	}
	/* a line ending CR LF: the CR is the line ending's */
	if (!*truncated && out->len && out->data[out->len - 1] == '\r')
		out->len--;
	rc = CF_OK;
out:
	cf_archive_close(a);
	return rc;
}

/* The line as JSON text: valid UTF-8 as it is (NUL aside), else with '%'
 * and each byte that is not UTF-8 (and NUL) written as %XX. */
static char *as_text(const char *s, size_t n, int *escaped)
{
	struct cf_buf b;
	size_t i = 0, k;

	*escaped = cf_utf8_invalid(s, n) >= 0 || memchr(s, '\0', n) != NULL;
	cf_buf_init(&b);
	cf_buf_reserve(&b, n + 1);
	while (i < n) {
		k = cf_utf8_char(s + i, n - i);
		if (*escaped && (!k || s[i] == '\0' || s[i] == '%')) {
			cf_buf_printf(&b, "%%%02X", (unsigned char)s[i]);
			i++;
			continue;
		}
		cf_buf_append(&b, s + i, k ? k : 1);
		i += k ? k : 1;
	}
	cf_buf_putc(&b, '\0');
	return cf_buf_detach(&b);
}

int view_raw(const struct view_src *src, const char *digest,
	     const char *store_path, const char *member, uint64_t line,
	     uint64_t offset, struct cf_jb *jb, cJSON *obj)
{
	struct cf_buf why, raw;
	struct view_verified *v = NULL;
	int truncated = 0, escaped = 0;
	char *text = NULL;

	cf_buf_init(&why);
	cf_buf_init(&raw);
	if (!src->ntrusted || !src->archives)
		cf_buf_puts(&why, "no trusted key to verify the archive with: "
			    "start view with --trust PUB, or inside the case");
	else if (!digest || !member || !*member)
		cf_buf_puts(&why, "the event names no archive member");
	else if (!line)
		cf_buf_puts(&why, "the event is not a line of its member");
	else if (compressed(member))
		cf_buf_printf(&why, "member '%s' is compressed: its lines are "
			      "not read here", member);
	else if ((v = find_verified(src, digest, store_path, &why)) &&
		 read_line(v, member, line, offset, &raw, &truncated, &why) == CF_OK)
		text = as_text(raw.data ? raw.data : "", raw.len, &escaped);
	cf_jb_bool(jb, obj, "available", text != NULL);
	if (v)
		cf_jb_str(jb, obj, "archive_file", v->path);
	if (text) {
		cf_jb_str(jb, obj, "signer", v->vr->signer);
		cf_jb_str(jb, obj, "raw", text);
		cf_jb_bool(jb, obj, "truncated", truncated);
		cf_jb_bool(jb, obj, "escaped", escaped);
	} else {
		/* the causes found, without the last "; " */
		if (why.len >= 2 && !strcmp(why.data + why.len - 2, "; "))
			why.len -= 2;
		cf_buf_putc(&why, '\0');
		cf_jb_str(jb, obj, "reason", why.err ? "out of memory" : why.data);
	}
	free(text);
	cf_buf_release(&why);
	cf_buf_release(&raw);
	return jb->err ? CF_FATAL : CF_OK;
}
