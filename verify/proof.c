/* SPDX-License-Identifier: Apache-2.0
 *
 * Disclosure proofs: writing log proofs and checking proofs of both kinds.
 *
 * A log proof holds the checkpoint's canonical head and head_sig (not the
 * whole checkpoint line with its block list: the minimum necessary), and
 * per line its exact bytes (base64; a "text" copy for people when the bytes
 * are UTF-8, checked to match) and its RFC 6962 audit path. To build the
 * paths without every leaf in memory, the tree is served from the roots of
 * all 256-line blocks (recomputed from the log, not taken from the seal)
 * plus the leaves of the few blocks that hold a disclosed line or the
 * tree's ragged right edge.
 *
 * A proof names its log by the log id inside the signed checkpoint head,
 * and its archive by the SHA-256 of the signed SHA256SUMS it carries; it
 * holds no unsigned name that a reader could take for the truth. The
 * verifier refuses every key it does not check (unknown, duplicated, out
 * of order, of the wrong type), since cJSON would silently read the first
 * of two duplicates while another reader takes the last, and it hands back
 * the proven bytes themselves, so that what is shown is what was checked.
 *
 * Must never: write a proof that does not verify (each is checked before
 * the file is written), accept a "text" that differs from the bytes, or
 * accept a proof whose log id or sha256sums digest is not the signed one.
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
#include "casefile/keyring.h"
#include "casefile/merkle.h"
#include "casefile/sums.h"
#include "casefile/time.h"
#include "casefile/utf8.h"
#include "proof.h"
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

static char *b64(const uint8_t *p, size_t n)
{
	char *s = cf_malloc(4 * ((n + 2) / 3) + 1);

	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

/* Decodes base64 into a heap buffer; -1 when it is not base64. */
static int unb64(const char *s, uint8_t **out, size_t *n)
{
	size_t l = strlen(s);
	int r, pad;

	*out = NULL;
	if (l % 4 || l > (size_t)1 << 30)
		return -1;
	if (!(*out = cf_malloc(l / 4 * 3 + 1)))
		return -1;
	if (!l) {
		*n = 0;
		return 0;
	}
	r = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)l);
	pad = (s[l - 1] == '=') + (s[l - 2] == '=');
	if (r < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*n = (size_t)r - (size_t)pad;
	return 0;
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
	cJSON *j = cJSON_CreateObject();

	if (!j)
		return NULL;
	cf_hex(cp->log_id, SEAL_LOG_ID_LEN, hx);
	if (cf_json_add_str(j, "log_id", hx))
		goto fail;
	cf_hex(cp->root, 32, hx);
	if (cf_json_add_int(j, "n", (int64_t)cp->n) ||
	    cf_json_add_int(j, "size", (int64_t)cp->size) ||
	    cf_json_add_int(j, "bytes", (int64_t)cp->bytes) ||
	    cf_json_add_str(j, "root", hx) ||
	    cf_json_add_time(j, "time", cp->time_us))
		goto fail;
	cf_hex(cp->prev, 32, hx);
	cf_hex(cp->head_sig, sizeof cp->head_sig, sig);
	if (cf_json_add_str(j, "prev", hx) || cf_json_add_str(j, "signer", cp->signer) ||
	    cf_json_add_str(j, "head_sig", sig))
		goto fail;
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
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
	if (!(enc = b64(d, text->len)))
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
	if (!(j = cJSON_CreateObject()) || cf_json_add_str(j, "format", PROOF_FORMAT) ||
	    cf_json_add_str(j, "kind", "log") || cf_json_add_str(j, "log_id", id) ||
	    !cJSON_AddItemToObject(j, "checkpoint", head_json(cp)) ||
	    !(arr = cJSON_AddArrayToObject(j, "lines"))) {
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
		    !(enc = b64((const uint8_t *)(data.data ? data.data : ""), data.len)) ||
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
	if (!(enc = b64((const uint8_t *)(sums.data ? sums.data : ""), sums.len)) ||
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

/* ---- verification -------------------------------------------------------- */

static int fail(struct proof_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct proof_report *r, const char *fmt, ...)
{
	va_list ap;

	r->ok = 0;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return CF_OK;
}

/* The members a proof object has, in this order (man/casefile-seal.5). */
struct key_spec {
	const char *name;
	int type;       /* cJSON_String, cJSON_Number, cJSON_Array, cJSON_Object */
	int optional;
};

#define NKEYS(a) (sizeof (a) / sizeof (a)[0])
static const struct key_spec log_keys[] = {
	{"format", cJSON_String, 0}, {"kind", cJSON_String, 0},
	{"log_id", cJSON_String, 0}, {"checkpoint", cJSON_Object, 0},
	{"lines", cJSON_Array, 0},
};
static const struct key_spec head_keys[] = {
	{"log_id", cJSON_String, 0}, {"n", cJSON_Number, 0},
	{"size", cJSON_Number, 0}, {"bytes", cJSON_Number, 0},
	{"root", cJSON_String, 0}, {"time", cJSON_String, 0},
	{"prev", cJSON_String, 0}, {"signer", cJSON_String, 0},
	{"head_sig", cJSON_String, 0},
};
static const struct key_spec line_keys[] = {
	{"line", cJSON_Number, 0}, {"data_b64", cJSON_String, 0},
	{"text", cJSON_String, 1}, {"proof", cJSON_Array, 0},
};
static const struct key_spec archive_keys[] = {
	{"format", cJSON_String, 0}, {"kind", cJSON_String, 0},
	{"sha256sums_digest", cJSON_String, 0}, {"signer", cJSON_String, 0},
	{"members", cJSON_Array, 0}, {"sha256sums_b64", cJSON_String, 0},
	{"sha256sums_sig", cJSON_String, 0},
};
static const struct key_spec member_keys[] = {
	{"name", cJSON_String, 0}, {"data_b64", cJSON_String, 0},
};

static const char *type_name(int type)
{
	return type == cJSON_String ? "a string" : type == cJSON_Number ? "a number"
	       : type == cJSON_Array ? "an array" : "an object";
}

/* 0 when o is an object whose members are those of spec: each known, once,
 * in order, of its type, none required missing. Else -1 with r failed,
 * naming where (the object) and the key. Every object of a proof goes
 * through here, so a duplicate key cannot hide anywhere. */
static int check_keys(const cJSON *o, const char *where,
		      const struct key_spec *spec, size_t n,
		      struct proof_report *r)
{
	unsigned seen = 0;
	size_t last = 0;

	if (!cJSON_IsObject(o)) {
		fail(r, "%s is not a JSON object", where);
		return -1;
	}
	for (const cJSON *it = o->child; it; it = it->next) {
		const char *key = it->string ? it->string : "";
		size_t k;
		for (k = 0; k < n && strcmp(key, spec[k].name); k++)
			;
		if (k == n)
			fail(r, "%s: unknown key \"%s\"", where, key);
		else if (seen & 1u << k)
			fail(r, "%s: duplicate key \"%s\"", where, key);
		else if (seen && k < last)
			fail(r, "%s: key \"%s\" is out of order", where, key);
		else if ((it->type & 0xff) != spec[k].type)
			fail(r, "%s: \"%s\" is not %s", where, key,
			     type_name(spec[k].type));
		else {
			seen |= 1u << k;
			last = k;
			continue;
		}
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if (!spec[k].optional && !(seen & 1u << k)) {
			fail(r, "%s: key \"%s\" is missing", where, spec[k].name);
			return -1;
		}
	return 0;
}

static int hex_field(const cJSON *o, const char *k, uint8_t *out, size_t n)
{
	const char *s = cf_json_str(o, k, "");

	return strlen(s) == 2 * n && !cf_unhex(s, 2 * n, out, n) ? 0 : -1;
}

/* Lowercase hex of exactly n bytes (as casefile writes and signs it). */
static int lower_hex(const char *s, size_t n)
{
	return strlen(s) == 2 * n && strspn(s, "0123456789abcdef") == 2 * n;
}

/* Appends a proven item to r (data: heap, NUL-terminated, taken over). */
static int keep_item(struct proof_report *r, uint64_t line, const char *name,
		     const uint8_t sha[CF_SHA256_LEN], uint8_t *data, size_t len)
{
	struct proof_item *g = cf_realloc(r->item, (r->items + 1) * sizeof *g);

	if (!g) {
		free(data);
		return -1;
	}
	r->item = g;
	g += r->items;
	memset(g, 0, sizeof *g);
	if (name && !(g->name = cf_strdup(name))) {
		free(data);
		return -1;
	}
	g->line = line;
	if (sha)
		memcpy(g->sha256, sha, CF_SHA256_LEN);
	data[len] = '\0';
	g->data = data;
	g->len = len;
	r->items++;
	return 0;
}

static int verify_log_proof(const cJSON *j, cf_key *const *trusted,
			    size_t ntrusted, struct proof_report *r)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "checkpoint");
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines"), *it;
	struct seal_cp cp;
	struct cf_buf hb;
	struct cf_ctx sub;
	const cf_key *k;
	const char *s, *id;
	cf_merkle_hasher *h = NULL;
	uint64_t prev_ln = 0;
	size_t entry = 0;
	int rc = CF_OK;

	memset(&cp, 0, sizeof cp);
	cf_buf_init(&hb);
	cf_ctx_init(&sub);
	if (check_keys(j, "the proof", log_keys, NKEYS(log_keys), r) ||
	    check_keys(c, "the checkpoint", head_keys, NKEYS(head_keys), r))
		return CF_OK;
	id = cf_json_str(c, "log_id", "");
	if (!lower_hex(id, SEAL_LOG_ID_LEN) ||
	    cf_unhex(id, 2 * SEAL_LOG_ID_LEN, cp.log_id, SEAL_LOG_ID_LEN) ||
	    seal_json_u64(c, "n", &cp.n) ||
	    seal_json_u64(c, "size", &cp.size) || seal_json_u64(c, "bytes", &cp.bytes) ||
	    hex_field(c, "root", cp.root, 32) || hex_field(c, "prev", cp.prev, 32) ||
	    hex_field(c, "head_sig", cp.head_sig, 64) ||
	    cf_time_parse(cf_json_str(c, "time", ""), -1, &cp.time_us, NULL) ||
	    !(s = cf_json_str(c, "signer", NULL)) || strlen(s) >= sizeof cp.signer)
		return fail(r, "the checkpoint is malformed");
	cp.has_id = 1;
	strcpy(cp.signer, s);
	snprintf(r->signer, sizeof r->signer, "%s", s);
	if (!(k = cf_key_find(trusted, ntrusted, s)))
		return fail(r, "the checkpoint is signed by %s, which is not a "
			    "trusted key", s);
	if (seal_head_text(&hb, &cp) ||
	    cf_key_verify(&sub, k, hb.data, hb.len, cp.head_sig, 64) != CF_OK) {
		cf_buf_release(&hb);
		return fail(r, "the checkpoint's signature does not verify with %s "
			    "(forged or altered checkpoint)", s);
	}
	cf_buf_release(&hb);
	/* The log is the one the signed head names, whatever the label says. */
	if (strcmp(cf_json_str(j, "log_id", ""), id))
		return fail(r, "the proof says log %s but its signed checkpoint "
			    "is of log %s (relabelled proof)",
			    cf_json_str(j, "log_id", ""), id);
	snprintf(r->log_id, sizeof r->log_id, "%s", id);
	if (!cJSON_GetArraySize(lines))
		return fail(r, "the proof lists no lines");
	if (!(h = cf_merkle_hasher_new(&sub)))
		return CF_FAILED;
	cJSON_ArrayForEach(it, lines) {
		uint8_t proof[CF_MERKLE_MAX_PROOF][32], leaf[32], *data = NULL;
		const cJSON *pa = cJSON_GetObjectItemCaseSensitive(it, "proof"), *p;
		const char *text;
		char where[48];
		uint64_t ln = 0;
		size_t np = 0, dn = 0;
		int bad = 0;

		snprintf(where, sizeof where, "line entry %zu", ++entry);
		if (check_keys(it, where, line_keys, NKEYS(line_keys), r))
			goto out;
		text = cf_json_str(it, "text", NULL);
		if (seal_json_u64(it, "line", &ln) || ln == 0 ||
		    unb64(cf_json_str(it, "data_b64", "-"), &data, &dn)) {
			free(data);
			fail(r, "line entry %zu is malformed", entry);
			goto out;
		}
		if (ln <= prev_ln) {
			free(data);
			fail(r, "line %" PRIu64 " comes after line %" PRIu64 ": each "
			     "line is listed once, in order", ln, prev_ln);
			goto out;
		}
		prev_ln = ln;
		cJSON_ArrayForEach(p, pa) {
			if (np >= CF_MERKLE_MAX_PROOF || !cJSON_IsString(p) ||
			    strlen(p->valuestring) != 64 ||
			    cf_unhex(p->valuestring, 64, proof[np], 32)) {
				bad = 1;
				break;
			}
			np++;
		}
		if (bad) {
			free(data);
			fail(r, "line %" PRIu64 ": the proof is malformed", ln);
			goto out;
		}
		if (text && (strlen(text) != dn || memcmp(text, data, dn))) {
			free(data);
			fail(r, "line %" PRIu64 ": \"text\" differs from the proven "
			     "bytes", ln);
			goto out;
		}
		/* "text" is what a person reads: only where it shows exactly
		 * the bytes (no overlong form, surrogate or control character
		 * that a terminal or viewer would render as something else) */
		if (text && !cf_utf8_printable(text, dn)) {
			free(data);
			fail(r, "line %" PRIu64 ": \"text\" is not printable UTF-8 "
			     "(the bytes belong in data_b64 alone)", ln);
			goto out;
		}
		if (cf_merkle_leaf(h, data, dn, leaf) ||
		    cf_merkle_verify_inclusion(&sub, h, ln - 1, cp.size, leaf, 32,
					       (const uint8_t(*)[32])proof, np,
					       cp.root, 32) != CF_OK) {
			free(data);
			fail(r, "line %" PRIu64 " is not proven by checkpoint %" PRIu64
			     ": %s", ln, cp.n, cf_errmsg(&sub));
			goto out;
		}
		if (keep_item(r, ln, NULL, NULL, data, dn)) {
			rc = CF_FAILED;
			goto out;
		}
	}
	r->ok = 1;
	{
		char t[CF_TIME_STR];
		snprintf(r->detail, sizeof r->detail,
			 "%zu line(s) of log %s proven against checkpoint %" PRIu64
			 " (%" PRIu64 " lines, %s)", r->items, r->log_id, cp.n,
			 cp.size, cf_time_format(cp.time_us, t));
	}
out:
	cf_merkle_hasher_free(h);
	return rc;
}

static int verify_archive_proof(const cJSON *j, cf_key *const *trusted,
				size_t ntrusted, struct proof_report *r)
{
	const cJSON *members = cJSON_GetObjectItemCaseSensitive(j, "members"), *it;
	uint8_t *sums = NULL, *seen = NULL, sig[CF_ED25519_SIG_LEN], d[32];
	char hx[CF_SHA256_HEX];
	const char *digest = cf_json_str(j, "sha256sums_digest", "");
	struct cf_sums list;
	struct cf_ctx sub;
	const cf_key *k;
	size_t sn = 0, entry = 0;
	const char *fp = cf_json_str(j, "signer", NULL);
	int rc = CF_OK;

	cf_sums_init(&list);
	cf_ctx_init(&sub);
	if (check_keys(j, "the proof", archive_keys, NKEYS(archive_keys), r))
		return CF_OK;
	if (unb64(cf_json_str(j, "sha256sums_b64", "-"), &sums, &sn) ||
	    hex_field(j, "sha256sums_sig", sig, sizeof sig) || !fp ||
	    !lower_hex(digest, CF_SHA256_LEN)) {
		free(sums);
		return fail(r, "the proof's SHA256SUMS, digest, signature or signer "
			    "is malformed");
	}
	snprintf(r->signer, sizeof r->signer, "%s", fp);
	if (!(k = cf_key_find(trusted, ntrusted, fp))) {
		free(sums);
		return fail(r, "SHA256SUMS is signed by %s, which is not a trusted key",
			    fp);
	}
	if (cf_key_verify(&sub, k, sums, sn, sig, sizeof sig) != CF_OK) {
		free(sums);
		return fail(r, "the signature over SHA256SUMS does not verify with %s",
			    fp);
	}
	/* The archive is the one whose SHA256SUMS is signed, whatever the
	 * label says. */
	if (cf_sha256_buf(&sub, sums, sn, d) != CF_OK) {
		free(sums);
		return CF_FAILED;
	}
	cf_hex(d, sizeof d, hx);
	if (strcmp(digest, hx)) {
		free(sums);
		return fail(r, "the proof says sha256sums_digest %s but the signed "
			    "SHA256SUMS it carries has SHA-256 %s (relabelled proof)",
			    digest, hx);
	}
	snprintf(r->sums_hex, sizeof r->sums_hex, "%s", hx);
	if (cf_sums_parse(&sub, (const char *)sums, sn, &list) != CF_OK) {
		free(sums);
		return fail(r, "%s", cf_errmsg(&sub));
	}
	free(sums);
	if (!cJSON_GetArraySize(members)) {
		fail(r, "the proof lists no members");
		goto out;
	}
	if (!(seen = cf_calloc(list.n + 1, 1))) {
		rc = CF_FAILED;
		goto out;
	}
	cJSON_ArrayForEach(it, members) {
		const char *name;
		char where[48];
		uint8_t *data = NULL;
		size_t dn;
		long idx;

		snprintf(where, sizeof where, "member entry %zu", ++entry);
		if (check_keys(it, where, member_keys, NKEYS(member_keys), r))
			goto out;
		name = cf_json_str(it, "name", "");
		if (unb64(cf_json_str(it, "data_b64", "-"), &data, &dn)) {
			fail(r, "member entry %zu is malformed", entry);
			goto out;
		}
		if ((idx = cf_sums_find(&list, name)) < 0) {
			free(data);
			fail(r, "member '%s' is not listed in SHA256SUMS", name);
			goto out;
		}
		if (seen[idx]++) {
			free(data);
			fail(r, "member '%s' is listed twice", name);
			goto out;
		}
		if (cf_sha256_buf(&sub, data, dn, d) != CF_OK ||
		    memcmp(d, list.v[idx].digest, 32)) {
			free(data);
			fail(r, "member '%s': its bytes do not match SHA256SUMS", name);
			goto out;
		}
		if (keep_item(r, 0, name, d, data, dn)) {
			rc = CF_FAILED;
			goto out;
		}
	}
	r->ok = 1;
	snprintf(r->detail, sizeof r->detail,
		 "%zu member(s) of the archive whose SHA256SUMS has SHA-256 %s, "
		 "proven by its signature", r->items, r->sums_hex);
out:
	free(seen);
	cf_sums_release(&list);
	return rc;
}

int proof_verify(struct cf_ctx *ctx, const char *path, cf_key *const *trusted,
		 size_t ntrusted, struct proof_report *rep)
{
	cJSON *j = NULL;
	const char *kind, *format;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (cf_json_parse_file(ctx, path, PROOF_MAX_FILE, &j) != CF_OK)
		return CF_FAILED;
	kind = cf_json_str(j, "kind", "");
	format = cf_json_str(j, "format", "");
	if (!strcmp(kind, "log") || !strcmp(kind, "archive"))
		snprintf(rep->kind, sizeof rep->kind, "%s", kind);
	if (!cJSON_IsObject(j))
		rc = fail(rep, "not a proof: not a JSON object");
	else if (!strcmp(format, PROOF_FORMAT_V1))
		rc = fail(rep, "a %s proof, from before proofs named their log or "
			  "archive by what is signed: ask for a new proof "
			  "(casefile disclose writes %s)", PROOF_FORMAT_V1,
			  PROOF_FORMAT);
	else if (strcmp(format, PROOF_FORMAT))
		rc = fail(rep, "not a %s file", PROOF_FORMAT);
	else if (!strcmp(kind, "log"))
		rc = verify_log_proof(j, trusted, ntrusted, rep);
	else if (!strcmp(kind, "archive"))
		rc = verify_archive_proof(j, trusted, ntrusted, rep);
	else
		rc = fail(rep, "unknown proof kind '%s'", kind);
	cJSON_Delete(j);
	if (rc != CF_OK)
		cf_set_nomem(ctx, path);
	return rc;
}

void proof_report_release(struct proof_report *rep)
{
	for (size_t i = 0; rep->item && i < rep->items; i++) {
		free(rep->item[i].name);
		free(rep->item[i].data);
	}
	free(rep->item);
	rep->item = NULL;
	rep->items = 0;
}

/* The bytes as "text" when they are UTF-8 without NUL, else "data_b64". */
static int add_bytes(cJSON *o, const struct proof_item *it)
{
	char *enc;
	int rc;

	if (!memchr(it->data, 0, it->len) &&
	    cf_utf8_invalid((const char *)it->data, it->len) < 0)
		return cf_json_add_str(o, "text", (const char *)it->data);
	if (!(enc = b64(it->data, it->len)))
		return -1;
	rc = cf_json_add_str(o, "data_b64", enc);
	free(enc);
	return rc;
}

int proof_report_json(const struct proof_report *rep, cJSON *j)
{
	int log = !strcmp(rep->kind, "log");
	cJSON *arr;

	if (log ? cf_json_add_str(j, "log_id", rep->log_id[0] ? rep->log_id : NULL)
		: cf_json_add_str(j, "sha256sums",
				  rep->sums_hex[0] ? rep->sums_hex : NULL))
		return -1;
	if (!(arr = cJSON_AddArrayToObject(j, log ? "lines" : "members")))
		return -1;
	for (size_t i = 0; i < rep->items; i++) {
		const struct proof_item *it = &rep->item[i];
		char hx[CF_SHA256_HEX];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return -1;
		}
		cf_hex(it->sha256, CF_SHA256_LEN, hx);
		if (log ? cf_json_add_int(o, "n", (int64_t)it->line)
			: (cf_json_add_str(o, "name", it->name) ||
			   cf_json_add_str(o, "sha256", hx) ||
			   cf_json_add_int(o, "size", (int64_t)it->len)))
			return -1;
		if (add_bytes(o, it))
			return -1;
	}
	return 0;
}
