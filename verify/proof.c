/* SPDX-License-Identifier: Apache-2.0
 *
 * Disclosure proofs, the writing side: log proofs and archive proofs
 * (`casefile disclose`). Checking them is verify/proof_check.c.
 *
 * A log proof holds the checkpoint's canonical head and head_sig (not the
 * whole checkpoint line with its block list: the minimum necessary), and
 * per line its exact bytes (base64; a "text" copy for people when the bytes
 * are UTF-8, checked to match) and its RFC 6962 audit path. To build the
 * paths without every leaf in memory, the tree is served from the roots of
 * all 256-line blocks (recomputed from the log, not taken from the seal)
 * plus the leaves of the few blocks that hold a disclosed line or the
 * tree's ragged right edge. An archive proof holds the chosen members'
 * bytes with the signed SHA256SUMS and its signature, taken from an archive
 * verified first and read again as it was verified.
 *
 * A proof names its log by the log id inside the signed checkpoint head,
 * and its archive by the SHA-256 of the signed SHA256SUMS it carries; it
 * holds no unsigned name that a reader could take for the truth.
 *
 * Must never: write a proof that does not verify (each is checked before
 * the file is written).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/merkle.h"
#include "casefile/sums.h"
#include "casefile/utf8.h"
#include "proof.h"
#include "proof_int.h"
#include "seal.h"

#define B ((uint64_t)1 << SEAL_BLOCK_LEVEL)

/* ---- small helpers ------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int proof_parse_lines(struct cf_ctx *ctx, const char *spec, uint64_t **out,
		      size_t *n)
{
	uint64_t *v = NULL;
	size_t cnt = 0, cap = 0, k;
	const char *p = spec;

	*out = NULL;
	*n = 0;
	while (*p) {
		char *e;
		unsigned long long a, b;
		if (!isdigit((unsigned char)*p))
			goto bad;
		a = strtoull(p, &e, 10);
		b = a;
		if (*e == '-') {
			if (!isdigit((unsigned char)e[1]))
				goto bad;
			b = strtoull(e + 1, &e, 10);
		}
		if (a == 0 || b < a || (*e && *e != ',') || (*e == ',' && !e[1]))
			goto bad;
		if (b - a >= PROOF_MAX_ITEMS || cnt + (b - a + 1) > PROOF_MAX_ITEMS) {
			free(v);
			return cf_set_error(ctx, 0, "--lines names more than %d lines",
					    PROOF_MAX_ITEMS);
		}
		while (cnt + (b - a + 1) > cap) {
			uint64_t *g;
			cap = cap ? 2 * cap : 64;
			if (!(g = cf_realloc(v, cap * sizeof *v))) {
				free(v);
				return cf_set_nomem(ctx, "--lines");
			}
			v = g;
		}
		for (unsigned long long i = a; i <= b; i++)
			v[cnt++] = i;
		p = *e ? e + 1 : e;
	}
	if (!cnt)
		goto bad;
	qsort(v, cnt, sizeof *v, cmp_u64);
	for (k = 1, *n = 1; k < cnt; k++)
		if (v[k] != v[*n - 1])
			v[(*n)++] = v[k];
	*out = v;
	return CF_OK;
bad:
	free(v);
	return cf_set_error(ctx, 0, "bad --lines '%s': want numbers and ranges "
			    "such as 12,40-45 (lines count from 1)", spec);
}

char *proof_b64(const uint8_t *p, size_t n)
{
	char *s = cf_malloc(4 * ((n + 2) / 3) + 1);

	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

static int write_json(struct cf_ctx *ctx, const cJSON *j, const char *out);

/* ---- the tree served from block roots plus a few blocks' leaves -------------- */

struct tree_src {
	uint8_t (*broot)[32];    /* every complete block's root */
	uint64_t *bend;          /* offset after each complete block */
	uint64_t nb;
	uint64_t *bidx;          /* blocks whose leaves are loaded */
	uint8_t (**bleaf)[32];
	uint64_t *bcount;        /* leaves in each loaded block */
	size_t nload;
	cf_merkle_hasher *h;
};

static int keep_block(void *arg, uint64_t index, const uint8_t root[32],
		      uint64_t end_off)
{
	struct tree_src *t = arg;

	if (index >= t->nb)
		return -1;
	memcpy(t->broot[index], root, 32);
	t->bend[index] = end_off;
	return 0;
}

static int tree_subtree(void *arg, uint64_t start, unsigned level,
			uint8_t out[32])
{
	struct tree_src *t = arg;
	struct cf_merkle_array a;

	a.h = t->h;
	if (level >= SEAL_BLOCK_LEVEL) {
		a.leaf = (const uint8_t(*)[32])t->broot;
		a.n = t->nb;
		return cf_merkle_array_subtree(&a, start >> SEAL_BLOCK_LEVEL,
					       level - SEAL_BLOCK_LEVEL, out);
	}
	for (size_t k = 0; k < t->nload; k++)
		if (t->bidx[k] == start >> SEAL_BLOCK_LEVEL) {
			a.leaf = (const uint8_t(*)[32])t->bleaf[k];
			a.n = t->bcount[k];
			return cf_merkle_array_subtree(&a, start & (B - 1), level, out);
		}
	return -1;
}

/* Loads the leaves of block b (count lines) and the bytes of the wanted
 * lines in it into texts (indexed like lines). */
static int load_block(struct cf_ctx *ctx, const char *log, struct tree_src *t,
		      uint64_t b, uint64_t count, const uint64_t *lines,
		      size_t nlines, struct cf_buf *texts)
{
	uint64_t off = b ? t->bend[b - 1] : 0;
	char *line = NULL;
	size_t cap = 0, w = 0, k = t->nload;
	ssize_t len;
	FILE *f = NULL;
	int rc = CF_FAILED;

	if (!(t->bleaf[k] = cf_malloc(B * 32)))
		return cf_set_nomem(ctx, log);
	t->bidx[k] = b;
	t->bcount[k] = 0;
	t->nload++;
	while (w < nlines && (lines[w] - 1) / B < b)
		w++;
	if (!(f = fopen(log, "re")) || fseeko(f, (off_t)off, SEEK_SET)) {
		cf_set_error(ctx, errno, "cannot read '%s'", log);
		goto out;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t ln = b * B + i + 1;
		if ((len = getline(&line, &cap, f)) <= 0 || line[len - 1] != '\n') {
			cf_set_error(ctx, 0, "'%s' changed while being read", log);
			goto out;
		}
		if (cf_merkle_leaf(t->h, line, (size_t)len - 1, t->bleaf[k][i])) {
			cf_set_error(ctx, 0, "SHA-256 failed");
			goto out;
		}
		t->bcount[k]++;
		if (w < nlines && lines[w] == ln) {
			if (cf_buf_append(&texts[w], line, (size_t)len - 1)) {
				cf_set_nomem(ctx, log);
				goto out;
			}
			w++;
		}
	}
	rc = CF_OK;
out:
	if (f)
		fclose(f);
	free(line);
	return rc;
}

/* ---- writing a log proof ------------------------------------------------- */

static cJSON *head_json(const struct seal_cp *cp)
{
	char hx[CF_SHA256_HEX], sig[2 * CF_ED25519_SIG_LEN + 1];
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);

	cf_hex(cp->log_id, SEAL_LOG_ID_LEN, hx);
	cf_jb_str(&jb, j, "log_id", hx);
	cf_hex(cp->root, 32, hx);
	cf_jb_int(&jb, j, "n", (int64_t)cp->n);
	cf_jb_int(&jb, j, "size", (int64_t)cp->size);
	cf_jb_int(&jb, j, "bytes", (int64_t)cp->bytes);
	cf_jb_str(&jb, j, "root", hx);
	cf_jb_time(&jb, j, "time", cp->time_us);
	cf_hex(cp->prev, 32, hx);
	cf_hex(cp->head_sig, sizeof cp->head_sig, sig);
	cf_jb_str(&jb, j, "prev", hx);
	cf_jb_str(&jb, j, "signer", cp->signer);
	cf_jb_str(&jb, j, "head_sig", sig);
	return cf_jb_finish(&jb);
}

static int add_line(struct cf_ctx *ctx, cJSON *arr, uint64_t ln,
		    const struct cf_buf *text, uint8_t proof[][32], size_t np)
{
	cJSON *o = cJSON_CreateObject(), *pa;
	char hx[CF_SHA256_HEX], *enc;
	const uint8_t *d = (const uint8_t *)(text->data ? text->data : "");

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return cf_set_nomem(ctx, "proof");
	}
	if (!(enc = proof_b64(d, text->len)))
		return cf_set_nomem(ctx, "proof");
	if (cf_json_add_int(o, "line", (int64_t)ln) ||
	    cf_json_add_str(o, "data_b64", enc) ||
	    (cf_utf8_printable((const char *)d, text->len) &&
	     cf_json_add_str(o, "text", (const char *)d)) ||
	    !(pa = cJSON_AddArrayToObject(o, "proof"))) {
		free(enc);
		return cf_set_nomem(ctx, "proof");
	}
	free(enc);
	for (size_t i = 0; i < np; i++) {
		cJSON *s;
		cf_hex(proof[i], 32, hx);
		if (!(s = cJSON_CreateString(hx)) || !cJSON_AddItemToArray(pa, s)) {
			cJSON_Delete(s);
			return cf_set_nomem(ctx, "proof");
		}
	}
	return CF_OK;
}

int proof_write_log(struct cf_ctx *ctx, const char *log, const char *seal,
		    cf_key *const *trusted, size_t ntrusted,
		    const uint64_t *lines, size_t nlines, const char *out)
{
	struct seal_report rep = {0};
	struct seal_cp *cps = NULL, *cp;
	struct tree_src t = {0};
	struct cf_merkle_frontier f;
	struct cf_buf *texts = NULL;
	seal_scanner *sc = NULL;
	uint8_t proof[CF_MERKLE_MAX_PROOF][32], root[32], leaf[32];
	struct stat st;
	size_t m = 0, np;
	uint64_t done;
	struct cf_jb jb;
	cJSON *j = NULL, *arr;
	char id[SEAL_LOG_ID_HEX];
	int fd = -1, rc = CF_FAILED;

	if (seal_read(ctx, seal, trusted, ntrusted, &cps, &m, &rep) != CF_OK)
		return CF_FAILED;
	if (rep.nproblems || !m) {
		cf_set_error(ctx, 0, "%s: %s", seal,
			     rep.nproblems ? rep.problems[0].detail
					   : "no checkpoint signed by a trusted key");
		goto out;
	}
	cp = &cps[m - 1];
	if (!cp->has_id) {
		cf_set_error(ctx, 0, "%s: the latest checkpoint carries no log id (a "
			     "seal made before log ids); run 'casefile seal' on '%s' "
			     "once to add it, then disclose", seal, log);
		goto out;
	}
	if (lines[nlines - 1] > cp->size) {
		cf_set_error(ctx, 0, "line %" PRIu64 " is not sealed yet (the latest "
			     "checkpoint covers %" PRIu64 " lines); run 'casefile "
			     "seal' first", lines[nlines - 1], cp->size);
		goto out;
	}
	t.nb = cp->size >> SEAL_BLOCK_LEVEL;
	if (!(t.h = cf_merkle_hasher_new(ctx)))
		goto out;
	if (!(t.broot = cf_malloc((t.nb + 1) * 32)) ||
	    !(t.bend = cf_malloc((t.nb + 1) * sizeof *t.bend)) ||
	    !(t.bidx = cf_calloc(nlines + 1, sizeof *t.bidx)) ||
	    !(t.bleaf = cf_calloc(nlines + 1, sizeof *t.bleaf)) ||
	    !(t.bcount = cf_calloc(nlines + 1, sizeof *t.bcount)) ||
	    !(texts = cf_calloc(nlines, sizeof *texts))) {
		cf_set_nomem(ctx, log);
		goto out;
	}
	fd = open(log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		cf_set_error(ctx, errno, "cannot open '%s'", log);
		goto out;
	}
	/* Recompute the sealed part: a proof is only written for a log that
	 * still matches its latest checkpoint. */
	cf_merkle_frontier_init(&f, SEAL_BLOCK_LEVEL);
	if (!(sc = seal_scanner_new(ctx, fd, log, 0, (uint64_t)st.st_size)) ||
	    seal_scan(sc, ctx, &f, cp->size, keep_block, &t, &done) != CF_OK)
		goto out;
	if (done != cp->size || cf_merkle_frontier_root(&f, t.h, root) ||
	    memcmp(root, cp->root, 32)) {
		cf_set_error(ctx, 0, "'%s' does not match checkpoint %" PRIu64 " of "
			     "'%s'; run 'casefile verify --log'", log, cp->n, seal);
		goto out;
	}
	for (size_t i = 0; i < nlines; i++) {
		uint64_t b = (lines[i] - 1) / B;
		if (t.nload && t.bidx[t.nload - 1] == b)
			continue;
		if (load_block(ctx, log, &t, b,
			       b < t.nb ? B : cp->size - b * B, lines, nlines,
			       texts) != CF_OK)
			goto out;
	}
	if (cp->size % B && !(t.nload && t.bidx[t.nload - 1] == t.nb)) {
		struct cf_buf none;
		cf_buf_init(&none);
		if (load_block(ctx, log, &t, t.nb, cp->size % B, NULL, 0, &none) !=
		    CF_OK)
			goto out;
	}
	cf_hex(cp->log_id, SEAL_LOG_ID_LEN, id);
	j = cf_jb_init(&jb);
	cf_jb_str(&jb, j, "format", PROOF_FORMAT);
	cf_jb_str(&jb, j, "kind", "log");
	cf_jb_str(&jb, j, "log_id", id);
	cf_jb_made(&jb, j, "checkpoint", head_json(cp));
	arr = cf_jb_array(&jb, j, "lines");
	if (jb.err) {
		cf_set_nomem(ctx, "proof");
		goto out;
	}
	for (size_t i = 0; i < nlines; i++) {
		struct cf_ctx sub;
		if (cf_merkle_inclusion_proof(ctx, t.h, tree_subtree, &t, lines[i] - 1,
					      cp->size, proof, &np) != CF_OK)
			goto out;
		cf_ctx_init(&sub);
		if (cf_merkle_leaf(t.h, texts[i].data ? texts[i].data : "",
				   texts[i].len, leaf) ||
		    cf_merkle_verify_inclusion(&sub, t.h, lines[i] - 1, cp->size, leaf,
					       32, (const uint8_t(*)[32])proof, np,
					       cp->root, 32) != CF_OK) {
			cf_set_error(ctx, 0, "proof of line %" PRIu64 " does not verify: "
				     "%s", lines[i], cf_errmsg(&sub));
			goto out;
		}
		if (add_line(ctx, arr, lines[i], &texts[i], proof, np) != CF_OK)
			goto out;
	}
	rc = write_json(ctx, j, out);
out:
	cJSON_Delete(j);
	seal_scanner_free(sc);
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < t.nload; i++)
		free(t.bleaf[i]);
	for (size_t i = 0; texts && i < nlines; i++)
		cf_buf_release(&texts[i]);
	free(texts);
	free(t.bleaf);
	free(t.bidx);
	free(t.bcount);
	free(t.broot);
	free(t.bend);
	cf_merkle_hasher_free(t.h);
	seal_cps_free(cps, m);
	seal_report_release(&rep);
	return rc;
}

/* ---- writing an archive proof ---------------------------------------------- */

/* Reads the current member whole into b (at most max bytes). */
static int read_member(struct cf_ctx *ctx, cf_archive *a, const char *name,
		       uint64_t max, struct cf_buf *b)
{
	char buf[1 << 16];
	long r;

	cf_buf_reset(b);
	while ((r = cf_archive_read(a, ctx, buf, sizeof buf)) > 0) {
		if (b->len + (size_t)r > max)
			return cf_set_error(ctx, 0, "member '%s' is larger than %llu "
					    "bytes", name, (unsigned long long)max);
		if (cf_buf_append(b, buf, (size_t)r))
			return cf_set_nomem(ctx, name);
	}
	return r < 0 ? CF_FAILED : CF_OK;
}

/* Writes j, pretty-printed with a final newline, atomically to out. */
static int write_json(struct cf_ctx *ctx, const cJSON *j, const char *out)
{
	char *txt = cJSON_Print(j), *nl;
	size_t l;
	int rc;

	if (!txt)
		return cf_set_nomem(ctx, "proof");
	l = strlen(txt);
	if (!(nl = cf_realloc(txt, l + 2))) {
		free(txt);
		return cf_set_nomem(ctx, "proof");
	}
	nl[l] = '\n';
	nl[l + 1] = '\0';
	rc = cf_write_file_atomic(ctx, out, nl, l + 1, 0644, 0);
	free(nl);
	return rc;
}

int proof_write_archive(struct cf_ctx *ctx, const char *archive,
			cf_key *const *trusted, size_t ntrusted,
			char *const *members, size_t nmembers, const char *out)
{
	struct cf_verify_result *res = NULL;
	struct cf_member m;
	struct cf_buf sums, sig, data;
	cf_archive *a = NULL;
	cJSON *j = NULL, *arr;
	uint8_t *found = NULL;
	char *enc = NULL, sighex[2 * CF_ED25519_SIG_LEN + 1];
	int r, rc = CF_FAILED;

	cf_buf_init(&sums);
	cf_buf_init(&sig);
	cf_buf_init(&data);
	if (cf_archive_verify(ctx, archive,
		&(struct cf_verify_opts){
			.trusted = trusted,
			.ntrusted = ntrusted,
			.flags = CF_VERIFY_KEEP_FD}, &res) != CF_OK)
		return CF_FAILED;
	if (!res->ok) {
		cf_set_error(ctx, 0, "'%s' does not verify (%s%s%s); run 'casefile "
			     "verify'", archive, res->problems[0].kind,
			     res->problems[0].member ? " " : "",
			     res->problems[0].member ? res->problems[0].member : "");
		goto out;
	}
	if (!(found = cf_calloc(nmembers, 1)) || !(j = cJSON_CreateObject()) ||
	    cf_json_add_str(j, "format", PROOF_FORMAT) ||
	    cf_json_add_str(j, "kind", "archive") ||
	    cf_json_add_str(j, "sha256sums_digest", res->sums_hex) ||
	    cf_json_add_str(j, "signer", res->signer) ||
	    !(arr = cJSON_CreateArray())) {
		cf_set_nomem(ctx, "proof");
		goto out;
	}
	/* The very file verified, each member bound to the bytes verified:
	 * what the proof discloses is what was checked. */
	if (cf_archive_reopen(ctx, res, &a) != CF_OK) {
		cJSON_Delete(arr);
		goto out;
	}
	while ((r = cf_archive_next(a, ctx, &m)) == CF_OK) {
		size_t k;
		if (!strcmp(m.name, CF_SUMS_NAME) || !strcmp(m.name, CF_SUMS_SIG_NAME)) {
			if (read_member(ctx, a, m.name, PROOF_MAX_MEMBER,
					!strcmp(m.name, CF_SUMS_NAME) ? &sums : &sig) != CF_OK)
				break;
			continue;
		}
		for (k = 0; k < nmembers && strcmp(members[k], m.name); k++)
			;
		if (k == nmembers || found[k])
			continue;
		found[k] = 1;
		if (read_member(ctx, a, m.name, PROOF_MAX_MEMBER, &data) != CF_OK)
			break;
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			o = NULL;
		}
		if (!o || cf_json_add_str(o, "name", m.name) ||
		    !(enc = proof_b64((const uint8_t *)(data.data ? data.data : ""), data.len)) ||
		    cf_json_add_str(o, "data_b64", enc)) {
			cf_set_nomem(ctx, "proof");
			r = CF_FATAL;
			break;
		}
		free(enc);
		enc = NULL;
	}
	if (!cJSON_AddItemToObject(j, "members", arr)) {
		cJSON_Delete(arr);
		cf_set_nomem(ctx, "proof");
		goto out;
	}
	if (r != CF_EOF)
		goto out;
	for (size_t k = 0; k < nmembers; k++)
		if (!found[k]) {
			cf_set_error(ctx, 0, "'%s' has no member '%s'", archive,
				     members[k]);
			goto out;
		}
	if (sig.len != CF_ED25519_SIG_LEN) {
		cf_set_error(ctx, 0, "'%s': %s is not a 64-byte signature", archive,
			     CF_SUMS_SIG_NAME);
		goto out;
	}
	cf_hex((const uint8_t *)sig.data, CF_ED25519_SIG_LEN, sighex);
	if (!(enc = proof_b64((const uint8_t *)(sums.data ? sums.data : ""), sums.len)) ||
	    cf_json_add_str(j, "sha256sums_b64", enc) ||
	    cf_json_add_str(j, "sha256sums_sig", sighex)) {
		cf_set_nomem(ctx, "proof");
		goto out;
	}
	rc = write_json(ctx, j, out);
out:
	free(enc);
	free(found);
	cJSON_Delete(j);
	cf_archive_close(a);
	cf_verify_result_free(res);
	cf_buf_release(&sums);
	cf_buf_release(&sig);
	cf_buf_release(&data);
	return rc;
}
