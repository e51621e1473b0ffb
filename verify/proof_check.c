/* SPDX-License-Identifier: Apache-2.0
 *
 * Disclosure proofs, the checking side: `casefile verify --proof` on a log
 * proof or an archive proof, and the report of what was proven. Writing
 * them is verify/proof.c.
 *
 * A log proof is checked line by line: each line's bytes hashed as an RFC
 * 6962 leaf, its audit path up to the root of the checkpoint head, whose
 * signature a trusted key must verify. An archive proof is checked member
 * by member against the SHA256SUMS it carries, whose signature a trusted
 * key must verify. The verifier refuses every key it does not check
 * (unknown, duplicated, out of order, of the wrong type), since cJSON would
 * silently read the first of two duplicates while another reader takes the
 * last, and it hands back the proven bytes themselves, so that what is
 * shown is what was checked.
 *
 * Must never: accept a "text" that differs from the bytes, or accept a
 * proof whose log id or sha256sums digest is not the signed one.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "casefile/alloc.h"
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
#include "proof_int.h"
#include "seal.h"

/* ---- base64 ------------------------------------------------------------- */

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
static void add_bytes(struct cf_jb *jb, cJSON *o, const struct proof_item *it)
{
	char *enc;

	if (!memchr(it->data, 0, it->len) &&
	    cf_utf8_invalid((const char *)it->data, it->len) < 0) {
		cf_jb_str(jb, o, "text", (const char *)it->data);
		return;
	}
	if (!(enc = jb->err ? NULL : proof_b64(it->data, it->len))) {
		jb->err = -1;
		return;
	}
	cf_jb_str(jb, o, "data_b64", enc);
	free(enc);
}

int proof_report_json(const struct proof_report *rep, cJSON *j)
{
	int log = !strcmp(rep->kind, "log");
	struct cf_jb jb = CF_JB_INIT;
	cJSON *arr, *o;

	if (log)
		cf_jb_str(&jb, j, "log_id", rep->log_id[0] ? rep->log_id : NULL);
	else
		cf_jb_str(&jb, j, "sha256sums", rep->sums_hex[0] ? rep->sums_hex : NULL);
	arr = cf_jb_array(&jb, j, log ? "lines" : "members");
	for (size_t i = 0; i < rep->items && !jb.err; i++) {
		const struct proof_item *it = &rep->item[i];
		char hx[CF_SHA256_HEX];

		o = cf_jb_object(&jb, arr, NULL);
		cf_hex(it->sha256, CF_SHA256_LEN, hx);
		if (log) {
			cf_jb_int(&jb, o, "n", (int64_t)it->line);
		} else {
			cf_jb_str(&jb, o, "name", it->name);
			cf_jb_str(&jb, o, "sha256", hx);
			cf_jb_int(&jb, o, "size", (int64_t)it->len);
		}
		add_bytes(&jb, o, it);
	}
	return jb.err;
}
