/* SPDX-License-Identifier: Apache-2.0
 *
 * Seal files: writing and reading signed checkpoints (format in
 * man/casefile-seal.5), and `seal` itself.
 *
 * A checkpoint line is
 *   {"log_id","n","size","bytes","root","time","prev","block_lines",
 *    "blocks","frontier","signer","head_sig","sig"}
 * where sig signs the line without its "sig" member (as custody entries do)
 * and head_sig signs the canonical head
 *   {"log_id":"..","n":N,"size":S,"bytes":B,"root":"..","time":"..",
 *    "prev":"..","signer":".."}
 * so that a disclosure proof can carry a signed (log, size, root) without
 * the block list. The log id, drawn at the first seal, names the log in
 * every checkpoint: a proof cannot be passed off as another log's. Seals
 * written before log ids lack the member; they still verify, their id is
 * derived from their first checkpoint (seal_log_id), and the next seal
 * writes it into a new checkpoint. The frontier lets the next seal continue the tree from the
 * new lines alone: re-hashing a ten-million-line log on every --follow tick
 * would cost seconds each time, storing 64 hashes at most costs nothing.
 *
 * Must never: write to the log; rewrite an existing checkpoint.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "casefile/lines.h"
#include "casefile/time.h"
#include "seal.h"

static const char *const cp_keys[] = {
	"n", "size", "bytes", "root", "time", "prev", "block_lines", "blocks",
	"frontier", "signer", "head_sig", "sig",
};
#define NCPKEYS (sizeof cp_keys / sizeof cp_keys[0])

void seal_cps_free(struct seal_cp *cps, size_t n)
{
	for (size_t i = 0; cps && i < n; i++)
		free(cps[i].blocks);
	free(cps);
}

static int popcount64(uint64_t v)
{
	return __builtin_popcountll(v);
}

void seal_log_id(const struct seal_cp *first, uint8_t out[SEAL_LOG_ID_LEN])
{
	memcpy(out, first->has_id ? first->log_id : first->hash, SEAL_LOG_ID_LEN);
}

/* The canonical head text that head_sig signs. */
int seal_head_text(struct cf_buf *b, const struct seal_cp *cp)
{
	char root[CF_SHA256_HEX], prev[CF_SHA256_HEX], t[CF_TIME_STR];
	char id[SEAL_LOG_ID_HEX];

	cf_hex(cp->root, CF_MERKLE_HASH, root);
	cf_hex(cp->prev, CF_MERKLE_HASH, prev);
	cf_hex(cp->log_id, SEAL_LOG_ID_LEN, id);
	cf_buf_reset(b);
	if (cp->has_id && cf_buf_printf(b, "{\"log_id\":\"%s\",", id))
		return -1;
	return cf_buf_printf(b,
			     "%s\"n\":%" PRIu64 ",\"size\":%" PRIu64 ",\"bytes\":%" PRIu64
			     ",\"root\":\"%s\",\"time\":\"%s\",\"prev\":\"%s\","
			     "\"signer\":\"%s\"}",
			     cp->has_id ? "" : "{", cp->n, cp->size, cp->bytes, root,
			     cf_time_format(cp->time_us, t), prev, cp->signer);
}

/* ---- parsing ------------------------------------------------------------- */

int seal_json_u64(const cJSON *j, const char *k, uint64_t *v)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, k);

	if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
	    it->valuedouble > 9007199254740991.0 ||
	    it->valuedouble != (double)(uint64_t)it->valuedouble)
		return -1;
	*v = (uint64_t)it->valuedouble;
	return 0;
}

static int get_hash(const cJSON *j, const char *k, uint8_t out[32])
{
	const char *s = cf_json_str(j, k, NULL);

	return s && strlen(s) == 64 && !cf_unhex(s, 64, out, 32) ? 0 : -1;
}

/* Fills the frontier from its JSON array (highest level first). */
static int parse_frontier(const cJSON *arr, struct seal_cp *cp)
{
	const cJSON *it = arr ? arr->child : NULL;
	int l;

	cf_merkle_frontier_init(&cp->fr, (int)cp->block_level);
	cp->fr.size = cp->size;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != popcount64(cp->size))
		return -1;
	for (l = CF_MERKLE_MAX_LEVELS - 1; l >= 0; l--) {
		const char *s;
		if (!(cp->size & ((uint64_t)1 << l)))
			continue;
		s = cJSON_IsString(it) ? it->valuestring : "";
		if (strlen(s) != 64 || cf_unhex(s, 64, cp->fr.node[l], 32))
			return -1;
		it = it->next;
	}
	return 0;
}

int seal_parse_cp(struct cf_ctx *ctx, const char *line, size_t len,
		  cf_key *const *trusted, size_t ntrusted, struct seal_cp *cp,
		  char kind[32])
{
	uint8_t sig[CF_ED25519_SIG_LEN], hsig[CF_ED25519_SIG_LEN], r[32];
	const cJSON *it;
	const char *s;
	struct cf_buf hb;
	char *msg = NULL;
	cJSON *j = NULL;
	uint64_t bl;
	size_t i = 0, mlen, hexlen;
	const cf_key *k;
	cf_merkle_hasher *h = NULL;
	int rc = CF_FAILED;

	memset(cp, 0, sizeof *cp);
	cf_buf_init(&hb);
	strcpy(kind, "bad-checkpoint");
	if (cf_json_parse(ctx, line, len, &j) != CF_OK)
		goto out;
	it = cJSON_IsObject(j) ? j->child : NULL;
	if (it && !strcmp(it->string, "log_id")) {
		/* Lowercase hex only: the head rebuilt from the bytes must be
		 * the text that was signed. */
		s = cJSON_IsString(it) ? it->valuestring : "";
		if (strlen(s) != 2 * SEAL_LOG_ID_LEN ||
		    strspn(s, "0123456789abcdef") != 2 * SEAL_LOG_ID_LEN ||
		    cf_unhex(s, 2 * SEAL_LOG_ID_LEN, cp->log_id, SEAL_LOG_ID_LEN)) {
			cf_set_error(ctx, 0, "log_id is not 32 lowercase hex digits");
			goto out;
		}
		cp->has_id = 1;
		it = it->next;
	}
	for (; it; it = it->next, i++)
		if (i >= NCPKEYS || strcmp(it->string, cp_keys[i]))
			break;
	if (i != NCPKEYS || it) {
		cf_set_error(ctx, 0, "not a checkpoint: members missing, extra or "
			     "out of order");
		goto out;
	}
	if (seal_json_u64(j, "n", &cp->n) || cp->n == 0 || seal_json_u64(j, "size", &cp->size) ||
	    seal_json_u64(j, "bytes", &cp->bytes) || get_hash(j, "root", cp->root) ||
	    get_hash(j, "prev", cp->prev) || seal_json_u64(j, "block_lines", &bl) ||
	    bl != (1u << SEAL_BLOCK_LEVEL) ||
	    cf_time_parse(cf_json_str(j, "time", ""), -1, &cp->time_us, NULL) ||
	    !(s = cf_json_str(j, "signer", NULL)) || strlen(s) >= CF_FINGERPRINT_LEN ||
	    !cf_json_str(j, "blocks", NULL) ||
	    strlen(cf_json_str(j, "head_sig", "")) != 2 * CF_ED25519_SIG_LEN ||
	    cf_unhex(cf_json_str(j, "head_sig", ""), 2 * CF_ED25519_SIG_LEN, hsig,
		     sizeof hsig)) {
		cf_set_error(ctx, 0, "a checkpoint member has a wrong value");
		goto out;
	}
	strcpy(cp->signer, s);
	memcpy(cp->head_sig, hsig, sizeof hsig);
	cp->block_level = SEAL_BLOCK_LEVEL;
	/* Signatures first: nothing else of a forged line deserves belief. */
	if (!(k = cf_key_find(trusted, ntrusted, cp->signer))) {
		strcpy(kind, "untrusted-signer");
		cf_set_error(ctx, 0, "signed by %s, which is not a trusted key",
			     cp->signer);
		goto out;
	}
	if (!(msg = cf_malloc(len + 2))) {
		rc = cf_set_nomem(ctx, "checkpoint");
		goto out;
	}
	if (!(mlen = cf_custody_signed_part(line, len, msg, sig)) ||
	    cf_key_verify(ctx, k, msg, mlen, sig, sizeof sig) != CF_OK ||
	    seal_head_text(&hb, cp) ||
	    cf_key_verify(ctx, k, hb.data, hb.len, hsig, sizeof hsig) != CF_OK) {
		strcpy(kind, "forged-checkpoint");
		cf_set_error(ctx, 0, "signature does not verify with %s", cp->signer);
		goto out;
	}
	s = cf_json_str(j, "blocks", "");
	hexlen = strlen(s);
	if (hexlen % 64) {
		cf_set_error(ctx, 0, "blocks is not a list of hashes");
		goto out;
	}
	cp->nblocks = hexlen / 64;
	if (cp->nblocks &&
	    (!(cp->blocks = cf_malloc(cp->nblocks * sizeof *cp->blocks)) ||
	     cf_unhex(s, hexlen, (uint8_t *)cp->blocks, hexlen / 2))) {
		cf_set_error(ctx, 0, "blocks is not a list of hashes");
		goto out;
	}
	if (parse_frontier(cJSON_GetObjectItemCaseSensitive(j, "frontier"), cp)) {
		cf_set_error(ctx, 0, "frontier does not match size");
		goto out;
	}
	if (!(h = cf_merkle_hasher_new(ctx)) ||
	    cf_merkle_frontier_root(&cp->fr, h, r) || memcmp(r, cp->root, 32)) {
		cf_set_error(ctx, 0, "frontier does not lead to the root");
		goto out;
	}
	if (cf_sha256_buf(ctx, line, len, cp->hash) != CF_OK)
		goto out;
	kind[0] = '\0';
	rc = CF_OK;
out:
	if (rc != CF_OK) {
		free(cp->blocks);
		cp->blocks = NULL;
	}
	cf_merkle_hasher_free(h);
	cf_buf_release(&hb);
	free(msg);
	cJSON_Delete(j);
	return rc;
}

/* ---- reading a whole seal ------------------------------------------------ */

void seal_add_problem(struct seal_report *rep, const char *kind,
			uint64_t from, uint64_t to, uint64_t cp,
			const char *fmt, ...)
{
	struct seal_problem *p;
	va_list ap;

	p = cf_realloc(rep->problems, (rep->nproblems + 1) * sizeof *p);
	if (!p)
		return; /* the verdict (ok = 0) stands even without the text */
	rep->problems = p;
	p += rep->nproblems++;
	memset(p, 0, sizeof *p);
	snprintf(p->kind, sizeof p->kind, "%s", kind);
	p->from = from;
	p->to = to;
	p->checkpoint = cp;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof p->detail, fmt, ap);
	va_end(ap);
	rep->ok = 0;
}
/* Chain checks between consecutive checkpoints; "" when fine. */
static const char *chain_kind(const struct seal_cp *cps, size_t m, size_t k,
			      char *why, size_t wn)
{
	const struct seal_cp *c = &cps[k], *p = k ? &cps[k - 1] : NULL;
	uint64_t want = p ? p->n + 1 : 1;
	static const uint8_t zero[32];
	uint8_t id[SEAL_LOG_ID_LEN];
	char hx[SEAL_LOG_ID_HEX];

	if (c->n == want && !memcmp(c->prev, p ? p->hash : zero, 32)) {
		/* One log id throughout; once written, never dropped. */
		seal_log_id(&cps[0], id);
		cf_hex(id, sizeof id, hx);
		if (p && !c->has_id && p->has_id) {
			snprintf(why, wn, "checkpoint %" PRIu64 " carries no log id "
				 "after one that did (log %s)", c->n, hx);
			return "broken-chain";
		}
		if (p && c->has_id && memcmp(c->log_id, id, sizeof id)) {
			char other[SEAL_LOG_ID_HEX];
			cf_hex(c->log_id, sizeof id, other);
			snprintf(why, wn, "checkpoint %" PRIu64 " names log %s, the "
				 "seal is log %s", c->n, other, hx);
			return "broken-chain";
		}
		if (p && (c->size < p->size || c->bytes < p->bytes ||
			  c->time_us < p->time_us)) {
			snprintf(why, wn, "checkpoint %" PRIu64 " goes back (size %"
				 PRIu64 " after %" PRIu64 ")", c->n, c->size, p->size);
			return "rolled-back-checkpoint";
		}
		if ((c->size >> SEAL_BLOCK_LEVEL) - (p ? p->size >> SEAL_BLOCK_LEVEL : 0) !=
		    c->nblocks) {
			snprintf(why, wn, "checkpoint %" PRIu64 " lists %zu blocks, "
				 "its sizes imply another number", c->n, c->nblocks);
			return "bad-checkpoint";
		}
		return "";
	}
	for (size_t i = 0; i < k; i++)
		if (cps[i].n == c->n) {
			snprintf(why, wn, "checkpoint %" PRIu64 " appears again after "
				 "checkpoint %" PRIu64 ": the seal was rolled back",
				 c->n, p ? p->n : 0);
			return "rolled-back-checkpoint";
		}
	if (c->n != want)
		for (size_t i = k + 1; i < m; i++)
			if (cps[i].n == want) {
				snprintf(why, wn, "checkpoint %" PRIu64 " comes where %"
					 PRIu64 " belongs: checkpoints reordered",
					 c->n, want);
				return "reordered-checkpoints";
			}
	if (c->n > want)
		snprintf(why, wn, "checkpoint(s) %" PRIu64 " to %" PRIu64 " are "
			 "missing before checkpoint %" PRIu64, want, c->n - 1, c->n);
	else
		snprintf(why, wn, "checkpoint %" PRIu64 " is not chained to the "
			 "one before it (prev differs): a checkpoint was removed, "
			 "replaced or inserted", c->n);
	return "broken-chain";
}

int seal_read(struct cf_ctx *ctx, const char *seal_path, cf_key *const *trusted,
	      size_t ntrusted, struct seal_cp **out, size_t *nout,
	      struct seal_report *rep)
{
	struct cf_buf b;
	struct seal_cp *cps = NULL;
	size_t m = 0, cap = 0, valid;
	char *p, *end, kind[32], why[256];
	uint64_t line = 0;
	int rc = CF_FAILED;

	*out = NULL;
	*nout = 0;
	cf_buf_init(&b);
	if (cf_buf_read_file(ctx, &b, seal_path, SEAL_MAX_FILE) != CF_OK)
		goto out;
	p = b.data ? b.data : "";
	end = p + b.len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct cf_ctx sub;
		line++;
		if (!nl) {
			/* A write cut short by a crash: it never was a
			 * checkpoint; reported, not counted, not tampering. */
			rep->torn_seal = 1;
			break;
		}
		if (m == cap) {
			struct seal_cp *g;
			cap = cap ? 2 * cap : 16;
			if (!(g = cf_realloc(cps, cap * sizeof *g))) {
				rc = cf_set_nomem(ctx, seal_path);
				goto out;
			}
			cps = g;
		}
		cf_ctx_init(&sub);
		if (seal_parse_cp(&sub, p, (size_t)(nl - p), trusted, ntrusted,
				  &cps[m], kind) != CF_OK) {
			seal_add_problem(rep, kind, 0, 0, line, "%s line %" PRIu64 ": %s",
				    seal_path, line, cf_errmsg(&sub));
			break;
		}
		cps[m++].line = line;
		p = nl + 1;
	}
	for (valid = 0; valid < m; valid++) {
		const char *k = chain_kind(cps, m, valid, why, sizeof why);
		if (*k) {
			seal_add_problem(rep, k, 0, 0, cps[valid].line, "%s line %" PRIu64
				    ": %s", seal_path, cps[valid].line, why);
			break;
		}
	}
	for (size_t i = valid; i < m; i++)
		free(cps[i].blocks);
	if (valid) {
		uint8_t id[SEAL_LOG_ID_LEN];
		seal_log_id(&cps[0], id);
		cf_hex(id, sizeof id, rep->log_id);
		rep->log_id_derived = !cps[0].has_id;
	}
	*out = cps;
	*nout = valid;
	cps = NULL;
	rc = CF_OK;
out:
	if (cps)
		seal_cps_free(cps, m);
	cf_buf_release(&b);
	return rc;
}

/* ---- sealing ------------------------------------------------------------- */

struct collect {
	struct cf_buf hex;   /* block roots completed by this run */
};

static int collect_block(void *arg, uint64_t index, const uint8_t root[32],
			 uint64_t end_off)
{
	struct collect *c = arg;
	char h[CF_SHA256_HEX];

	(void)index;
	(void)end_off;
	cf_hex(root, 32, h);
	return cf_buf_append(&c->hex, h, 64) ? -1 : 0;
}

/* Builds, signs and formats a checkpoint line (with its newline). */
static int format_cp(struct cf_ctx *ctx, const cf_key *key,
		     const struct seal_cp *cp, const char *blocks_hex,
		     struct cf_buf *line)
{
	char hx[CF_SHA256_HEX], sighex[2 * CF_ED25519_SIG_LEN + 1];
	char t[CF_TIME_STR], *msg = NULL;
	uint8_t sig[CF_ED25519_SIG_LEN];
	struct cf_buf hb;
	struct cf_jb jb;
	cJSON *j = NULL, *fr;
	int rc = CF_FAILED;

	cf_buf_init(&hb);
	if (seal_head_text(&hb, cp)) {
		rc = cf_set_nomem(ctx, "checkpoint");
		goto out;
	}
	if (cf_key_sign(ctx, key, hb.data, hb.len, sig) != CF_OK)
		goto out;
	cf_hex(sig, sizeof sig, sighex);
	cf_hex(cp->log_id, SEAL_LOG_ID_LEN, hx);
	j = cf_jb_init(&jb);
	if (cp->has_id)
		cf_jb_str(&jb, j, "log_id", hx);
	cf_jb_int(&jb, j, "n", (int64_t)cp->n);
	cf_jb_int(&jb, j, "size", (int64_t)cp->size);
	cf_jb_int(&jb, j, "bytes", (int64_t)cp->bytes);
	cf_hex(cp->root, 32, hx);
	cf_jb_str(&jb, j, "root", hx);
	cf_jb_str(&jb, j, "time", cf_time_format(cp->time_us, t));
	cf_hex(cp->prev, 32, hx);
	cf_jb_str(&jb, j, "prev", hx);
	cf_jb_int(&jb, j, "block_lines", 1 << SEAL_BLOCK_LEVEL);
	cf_jb_str(&jb, j, "blocks", blocks_hex);
	fr = cf_jb_array(&jb, j, "frontier");
	for (int l = CF_MERKLE_MAX_LEVELS - 1; l >= 0 && !jb.err; l--) {
		cJSON *s;
		if (!(cp->size & ((uint64_t)1 << l)))
			continue;
		cf_hex(cp->fr.node[l], 32, hx);
		if (!(s = cJSON_CreateString(hx)) || !cJSON_AddItemToArray(fr, s)) {
			cJSON_Delete(s);
			jb.err = -1;
		}
	}
	cf_jb_str(&jb, j, "signer", cp->signer);
	cf_jb_str(&jb, j, "head_sig", sighex);
	if (jb.err || !(msg = cJSON_PrintUnformatted(j)))
		goto nomem;
	if (cf_key_sign(ctx, key, msg, strlen(msg), sig) != CF_OK)
		goto out;
	cf_hex(sig, sizeof sig, sighex);
	msg[strlen(msg) - 1] = '\0';
	cf_buf_reset(line);
	if (cf_buf_printf(line, "%s,\"sig\":\"%s\"}\n", msg, sighex))
		goto nomem;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "checkpoint");
out:
	free(msg);
	cJSON_Delete(j);
	cf_buf_release(&hb);
	return rc;
}

/* The seal's last checkpoint (signed by key) into last, or size 0 when the
 * seal is empty. Cuts off a torn last line left by a crash. */
static int load_last(struct cf_ctx *ctx, int sfd, const char *seal_path,
		     const cf_key *key, struct seal_cp *last, int *repaired)
{
	struct stat st;
	struct cf_buf b;
	off_t complete;
	char kind[32];
	cf_key *pub = (cf_key *)key;
	int rc = CF_FAILED;

	memset(last, 0, sizeof *last);
	cf_merkle_frontier_init(&last->fr, SEAL_BLOCK_LEVEL);
	cf_buf_init(&b);
	if (fstat(sfd, &st) < 0)
		return cf_set_error(ctx, errno, "cannot stat '%s'", seal_path);
	if (cf_complete_length(ctx, sfd, st.st_size, seal_path, &complete) != CF_OK)
		return CF_FAILED;
	if (complete != st.st_size) {
		if (ftruncate(sfd, complete) < 0 || cf_fsync(sfd) < 0)
			return cf_set_error(ctx, errno, "cannot cut the torn last "
					    "line of '%s'", seal_path);
		*repaired = 1;
	}
	if (complete == 0)
		return CF_OK;
	if (cf_last_line(ctx, sfd, complete, SEAL_MAX_FILE, seal_path, &b, NULL) !=
	    CF_OK)
		goto out;
	if (seal_parse_cp(ctx, b.data, b.len, &pub, 1, last, kind) != CF_OK) {
		cf_error_prefix(ctx, "last checkpoint of '%s' (%s; extend a seal "
				"with the key that made it)", seal_path, kind);
		goto out;
	}
	rc = CF_OK;
out:
	cf_buf_release(&b);
	return rc;
}

/* The id of a seal whose checkpoints predate log ids (seal_log_id of its
 * first checkpoint, which must be checkpoint 1 signed by key). */
static int old_seal_id(struct cf_ctx *ctx, int sfd, const char *seal_path,
		       const cf_key *key, uint8_t id[SEAL_LOG_ID_LEN])
{
	struct seal_cp first;
	struct cf_buf b;
	char buf[1 << 16], *nl = NULL, kind[32];
	cf_key *pub = (cf_key *)key;
	off_t off = 0;
	ssize_t r;
	int rc = CF_FAILED;

	cf_buf_init(&b);
	while (!nl) {
		if ((r = pread(sfd, buf, sizeof buf, off)) <= 0) {
			cf_set_error(ctx, r < 0 ? errno : 0, "cannot read the first "
				     "checkpoint of '%s'", seal_path);
			goto out;
		}
		nl = memchr(buf, '\n', (size_t)r);
		if (cf_buf_append(&b, buf, nl ? (size_t)(nl - buf) : (size_t)r)) {
			cf_set_nomem(ctx, seal_path);
			goto out;
		}
		off += r;
		if (b.len > SEAL_MAX_FILE) {
			cf_set_error(ctx, 0, "'%s': the first checkpoint is too long",
				     seal_path);
			goto out;
		}
	}
	if (seal_parse_cp(ctx, b.data, b.len, &pub, 1, &first, kind) != CF_OK) {
		cf_error_prefix(ctx, "first checkpoint of '%s' (%s)", seal_path, kind);
		goto out;
	}
	free(first.blocks);
	if (first.n != 1 || first.has_id) {
		cf_set_error(ctx, 0, "'%s': the first checkpoint is not checkpoint 1 "
			     "of a seal; run 'casefile verify --log'", seal_path);
		goto out;
	}
	seal_log_id(&first, id);
	rc = CF_OK;
out:
	cf_buf_release(&b);
	return rc;
}

static char *default_seal_path(const char *log_path)
{
	size_t n = strlen(log_path);
	char *p = cf_malloc(n + sizeof SEAL_SUFFIX);

	if (p) {
		memcpy(p, log_path, n);
		memcpy(p + n, SEAL_SUFFIX, sizeof SEAL_SUFFIX);
	}
	return p;
}

int seal_log(struct cf_ctx *ctx, const char *log_path, const char *seal_path,
	     const cf_key *key, cf_progress *progress,
	     struct seal_result *res)
{
	struct seal_cp last, cp;
	struct collect col;
	struct cf_buf line;
	struct stat st;
	seal_scanner *sc = NULL;
	char *own = NULL;
	uint64_t done;
	cf_merkle_hasher *h = NULL;
	int lfd = -1, sfd = -1, rc = CF_FAILED;
	char c;

	memset(res, 0, sizeof *res);
	memset(&last, 0, sizeof last);
	cf_buf_init(&col.hex);
	cf_buf_init(&line);
	if (!seal_path && !(seal_path = own = default_seal_path(log_path)))
		return cf_set_nomem(ctx, log_path);
	lfd = open(log_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (lfd < 0) {
		cf_set_error(ctx, errno, "cannot open '%s'", log_path);
		goto out;
	}
	sfd = open(seal_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		   0640);
	if (sfd < 0) {
		cf_set_error(ctx, errno, "cannot open '%s'", seal_path);
		goto out;
	}
	/* One sealer at a time: a second waits, then continues this one's
	 * checkpoint. */
	if (flock(sfd, LOCK_EX) < 0) {
		cf_set_error(ctx, errno, "cannot lock '%s'", seal_path);
		goto out;
	}
	if (load_last(ctx, sfd, seal_path, key, &last, &res->repaired) != CF_OK)
		goto out;
	if (fstat(lfd, &st) < 0) {
		cf_set_error(ctx, errno, "cannot stat '%s'", log_path);
		goto out;
	}
	/* The sealed part must still end where the seal says; anything else
	 * is for `verify --log` to explain, not for us to paper over. */
	if ((uint64_t)st.st_size < last.bytes ||
	    (last.bytes && (pread(lfd, &c, 1, (off_t)last.bytes - 1) != 1 ||
			    c != '\n'))) {
		cf_set_error(ctx, 0, "'%s' no longer matches its seal (it is "
			     "shorter than the %" PRIu64 " sealed bytes, or "
			     "its sealed part changed); run 'casefile verify "
			     "--log'", log_path, last.bytes);
		goto out;
	}
	if (!(sc = seal_scanner_new(ctx, lfd, log_path, last.bytes,
				    (uint64_t)st.st_size)))
		goto out;
	seal_scanner_progress(sc, progress);
	cp = last;
	cp.blocks = NULL;
	cp.fr.watch_level = SEAL_BLOCK_LEVEL;
	if (seal_scan(sc, ctx, &cp.fr, UINT64_MAX, collect_block, &col, &done) !=
	    CF_OK)
		goto out;
	res->size = last.size;
	res->bytes = last.bytes;
	res->checkpoint = last.n;
	cf_hex(last.root, 32, res->root_hex);
	if (last.has_id)
		cf_hex(last.log_id, SEAL_LOG_ID_LEN, res->log_id);
	if (done == 0 && (!last.n || last.has_id)) {
		rc = CF_OK; /* nothing new: no checkpoint */
		goto out;
	}
	/* The log id: drawn now for a new seal, kept from the last checkpoint,
	 * or, for a seal from before log ids, derived from its first
	 * checkpoint and written (even without new lines) from now on. */
	if (!last.n) {
		if (RAND_bytes(cp.log_id, SEAL_LOG_ID_LEN) != 1) {
			cf_set_error(ctx, 0, "cannot draw random bytes for a log id");
			goto out;
		}
	} else if (!last.has_id &&
		   old_seal_id(ctx, sfd, seal_path, key, cp.log_id) != CF_OK) {
		goto out;
	}
	cp.has_id = 1;
	if (!(h = cf_merkle_hasher_new(ctx)))
		goto out;
	cp.n = last.n + 1;
	cp.size = cp.fr.size;
	cp.bytes = seal_scanner_offset(sc);
	memcpy(cp.prev, last.hash, 32);
	cp.time_us = cf_time_now();
	if (cp.time_us < last.time_us)
		cp.time_us = last.time_us; /* a clock stepped back: never go back */
	if (cf_key_fingerprint(ctx, key, cp.signer) != CF_OK)
		goto out;
	if (cf_merkle_frontier_root(&cp.fr, h, cp.root)) {
		cf_set_error(ctx, 0, "SHA-256 failed");
		goto out;
	}
	if (cf_buf_puts(&col.hex, "")) {
		cf_set_nomem(ctx, seal_path);
		goto out;
	}
	if (format_cp(ctx, key, &cp, col.hex.data ? col.hex.data : "", &line) !=
	    CF_OK)
		goto out;
	{
		off_t before = lseek(sfd, 0, SEEK_END);
		if (cf_write_all(sfd, line.data, line.len) < 0 || cf_fsync(sfd) < 0) {
			int e = errno;
			/* Leave the seal as it was: no half checkpoint. */
			if (before >= 0 && ftruncate(sfd, before) < 0) { /* best effort */ }
			cf_set_error(ctx, e, "cannot write '%s'", seal_path);
			goto out;
		}
	}
	res->new_lines = done;
	res->id_added = !last.has_id && last.n;
	res->size = cp.size;
	res->bytes = cp.bytes;
	res->checkpoint = cp.n;
	cf_hex(cp.root, 32, res->root_hex);
	cf_hex(cp.log_id, SEAL_LOG_ID_LEN, res->log_id);
	rc = CF_OK;
out:
	cf_merkle_hasher_free(h);
	seal_scanner_free(sc);
	free(last.blocks);
	cf_buf_release(&col.hex);
	cf_buf_release(&line);
	if (sfd >= 0)
		close(sfd);
	if (lfd >= 0)
		close(lfd);
	free(own);
	return rc;
}
