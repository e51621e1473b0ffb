/* SPDX-License-Identifier: Apache-2.0
 *
 * The verdict on an evidence archive (SPEC section 4): the problems found,
 * the checks on what the streaming pass of src/archive_verify.c
 * remembered, the result as JSON, and the links between the archives of a
 * chain.
 *
 * The pass only hashes and remembers (about 100 bytes a member); once it
 * has seen SHA256SUMS and its signature, which come last, this file
 * compares: every listed digest against the member's, the required members
 * present, collection.json's fields, the signature against the trusted
 * keys (signer.pub only names an untrusted signer), and the headers'
 * mode bits against items.jsonl. Every problem is kept with a kind, the
 * member concerned and one sentence, at most once per kind and member and
 * at most MAX_PROBLEMS in all, so that one altered byte does not bury the
 * report. It is apart from the pass because it reads no archive: only the
 * records, the small members held whole and other results.
 *
 * It must never trust what the archive says about who signed it.
 */
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/sums.h"
#include "archive_verify_int.h"

#define MAX_PROBLEMS 1000

/* ---- problems ----------------------------------------------------------- */

int cf_verify_int_problem(struct cf_verify_result *r, const char *kind,
			  const char *member, const char *fmt, ...)
{
	struct cf_problem *p;
	char detail[1200];
	va_list ap;

	r->ok = 0;
	for (size_t i = 0; i < r->nproblems; i++)
		if (!strcmp(r->problems[i].kind, kind) &&
		    ((!member && !r->problems[i].member) ||
		     (member && r->problems[i].member &&
		      !strcmp(member, r->problems[i].member))))
			return 0;
	if (r->nproblems == MAX_PROBLEMS) {
		kind = "too-many-problems";
		member = NULL;
		snprintf(detail, sizeof detail,
			 "more than %d problems; the rest are not listed",
			 MAX_PROBLEMS);
	} else if (r->nproblems > MAX_PROBLEMS) {
		return 0;
	} else {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
	}
	p = cf_realloc(r->problems, (r->nproblems + 1) * sizeof *p);
	if (!p)
		return -1;
	r->problems = p;
	p = &r->problems[r->nproblems];
	p->kind = cf_strdup(kind);
	/* a hostile name may be a megabyte: keep what identifies it */
	p->member = member ? cf_strndup(member, CF_PATH_MAX) : NULL;
	p->detail = cf_strdup(detail);
	if (!p->kind || !p->detail || (member && !p->member)) {
		free(p->kind);
		free(p->member);
		free(p->detail);
		return -1;
	}
	r->nproblems++;
	return 0;
}

int cf_verify_add_problem(struct cf_verify_result *r, const char *kind,
			  const char *member, const char *detail)
{
	return cf_verify_int_problem(r, kind, member, "%s", detail);
}

void cf_verify_result_free(struct cf_verify_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].kind);
		free(r->problems[i].member);
		free(r->problems[i].detail);
	}
	free(r->problems);
	for (size_t i = 0; i < r->nseen; i++)
		free(r->seen[i].name);
	free(r->seen);
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	free(r->items);
	cJSON_Delete(r->collection);
	free(r);
}

/* ---- the result as JSON ------------------------------------------------ */

cJSON *cf_verify_result_json(const struct cf_verify_result *r)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *a, *o;

	cf_jb_str(&jb, j, "path", r->path);
	cf_jb_bool(&jb, j, "ok", r->ok);
	cf_jb_str(&jb, j, "signer", r->signer[0] ? r->signer : NULL);
	cf_jb_str(&jb, j, "sha256sums", r->sums_hex[0] ? r->sums_hex : NULL);
	a = cf_jb_array(&jb, j, "problems");
	for (size_t i = 0; i < r->nproblems && !jb.err; i++) {
		o = cf_jb_object(&jb, a, NULL);
		cf_jb_str(&jb, o, "kind", r->problems[i].kind);
		cf_jb_str(&jb, o, "member", r->problems[i].member);
		cf_jb_str(&jb, o, "detail", r->problems[i].detail);
	}
	return cf_jb_finish(&jb);
}

/* ---- checks after the pass ---------------------------------------------- */

static const char *const required[] = {
	CF_MEMBER_COLLECTION, CF_MEMBER_ITEMS, CF_MEMBER_LOG,
	CF_MEMBER_SIGNER,     CF_MEMBER_SUMS,  CF_MEMBER_SIG,
};

static int check_sums(struct pass *p, const struct cf_sums *s)
{
	struct cf_verify_result *res = p->res;
	char a[CF_SHA256_HEX], b[CF_SHA256_HEX];
	long maxseen = -1;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct rec *r = cf_verify_int_find(p, s->v[i].name);
		if (!r) {
			if (cf_verify_int_problem(res, "missing-member", s->v[i].name,
						  "listed in SHA256SUMS line %zu, absent "
						  "from the archive",
						  s->v[i].line) < 0)
				return -1;
			continue;
		}
		if (r->sums >= 0) {
			if (cf_verify_int_problem(res, "bad-manifest", CF_MEMBER_SUMS,
						  "lists '%s' twice (lines %zu and %zu)",
						  r->name, s->v[r->sums].line,
						  s->v[i].line) < 0)
				return -1;
			continue;
		}
		r->sums = (long)i;
		if (!r->hashed)
			continue;
		if (memcmp(r->digest, s->v[i].digest, CF_SHA256_LEN)) {
			cf_hex(r->digest, CF_SHA256_LEN, a);
			cf_hex(s->v[i].digest, CF_SHA256_LEN, b);
			if (cf_verify_int_problem(res, "hash-mismatch", r->name,
						  "content SHA-256 %s differs from "
						  "SHA256SUMS line %zu (%s)",
						  a, s->v[i].line, b) < 0)
				return -1;
		}
		if (r->item && memcmp(r->item_sha, s->v[i].digest,
				      CF_SHA256_LEN)) {
			cf_hex(r->item_sha, CF_SHA256_LEN, a);
			cf_hex(s->v[i].digest, CF_SHA256_LEN, b);
			if (cf_verify_int_problem(res, "inconsistent-metadata", r->name,
						  "items.jsonl gives sha256 %s, "
						  "SHA256SUMS %s",
						  a, b) < 0)
				return -1;
		}
	}
	for (i = 0; i < p->n; i++) {
		struct rec *r = &p->v[i];
		if (r->sums < 0) {
			if (r->unsafe || !strcmp(r->name, CF_MEMBER_SUMS) ||
			    !strcmp(r->name, CF_MEMBER_SIG))
				continue;
			if (cf_verify_int_problem(res, "added-member", r->name,
						  "in the archive but not listed in "
						  "SHA256SUMS") < 0)
				return -1;
			continue;
		}
		if (r->sums < maxseen &&
		    cf_verify_int_problem(res, "reordered-member", r->name,
					  "comes after members that SHA256SUMS lists "
					  "later (line %zu)",
					  s->v[r->sums].line) < 0)
			return -1;
		if (r->sums > maxseen)
			maxseen = r->sums;
	}
	return 0;
}

static int check_collection(struct pass *p)
{
	struct cf_verify_result *res = p->res;
	struct cf_ctx ctx;
	const cJSON *prev, *seq;
	const char *hex;

	if (!cf_verify_int_find(p, CF_MEMBER_COLLECTION) ||
	    !cf_verify_int_find(p, CF_MEMBER_COLLECTION)->hashed)
		return 0;
	cf_ctx_init(&ctx);
	if (cf_json_parse(&ctx, p->collection.data ? p->collection.data : "",
			  p->collection.len, &res->collection) != CF_OK &&
	    ctx.err == ENOMEM)
		return -1;
	if (!cJSON_IsObject(res->collection)) {
		cJSON_Delete(res->collection);
		res->collection = NULL;
		/* valid JSON of another type leaves no parse error to quote */
		return cf_verify_int_problem(res, "inconsistent-metadata",
					     CF_MEMBER_COLLECTION, "not a JSON object%s%s",
					     ctx.msg[0] ? ": " : "", ctx.msg);
	}
	if (cf_json_int(res->collection, "format", 0) != CF_EVIDENCE_FORMAT &&
	    cf_verify_int_problem(res, "inconsistent-metadata", CF_MEMBER_COLLECTION,
				  "format is not %d", CF_EVIDENCE_FORMAT) < 0)
		return -1;
	seq = cJSON_GetObjectItemCaseSensitive(res->collection, "sequence");
	if ((!cJSON_IsNumber(seq) || seq->valuedouble < 1 ||
	     seq->valuedouble != (double)(int64_t)seq->valuedouble) &&
	    cf_verify_int_problem(res, "inconsistent-metadata", CF_MEMBER_COLLECTION,
				  "sequence is not a positive integer") < 0)
		return -1;
	prev = cJSON_GetObjectItemCaseSensitive(res->collection, "previous");
	if (!prev || cJSON_IsNull(prev))
		return 0;
	hex = cf_json_str(prev, "sha256sums", "");
	if (!cJSON_IsObject(prev) || strlen(hex) != 64 ||
	    cf_unhex(hex, 64, (uint8_t[CF_SHA256_LEN]){0}, CF_SHA256_LEN) < 0 ||
	    cf_json_int(prev, "sequence", 0) < 1)
		return cf_verify_int_problem(res, "inconsistent-metadata",
					     CF_MEMBER_COLLECTION,
					     "previous is neither null nor "
					     "{\"sha256sums\": hex, \"sequence\": n}");
	return 0;
}

/* Reads a PEM public key from memory, for naming an untrusted signer. */
static cf_key *signer_key(struct cf_ctx *ctx, const struct cf_buf *b)
{
	BIO *bio;
	EVP_PKEY *pk = NULL;
	uint8_t raw[CF_ED25519_PUB_LEN];
	size_t len = sizeof raw;
	cf_key *k = NULL;
	unsigned long refused = cf_alloc_failures();

	if (!b->len)
		return NULL;
	if (!(bio = BIO_new_mem_buf(b->data, (int)b->len))) {
		cf_set_nomem(ctx, "reading signer.pub");
		return NULL;
	}
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pk && cf_alloc_failures() != refused) {
		cf_set_nomem(ctx, "reading signer.pub");
		return NULL;
	}
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519 &&
	    EVP_PKEY_get_raw_public_key(pk, raw, &len) == 1 &&
	    len == sizeof raw)
		k = cf_key_from_raw_public(ctx, raw);
	EVP_PKEY_free(pk);
	return k;
}

static int check_signature(struct pass *p, cf_key *const *trusted,
			   size_t ntrusted)
{
	struct cf_verify_result *res = p->res;
	struct rec *sums = cf_verify_int_find(p, CF_MEMBER_SUMS);
	struct rec *sig = cf_verify_int_find(p, CF_MEMBER_SIG);
	struct cf_ctx ctx;
	char fp[CF_FINGERPRINT_LEN];
	cf_key *k;
	int ok, rc;

	if (!sums || !sums->hashed || !sig || !sig->hashed)
		return 0; /* reported as missing */
	cf_ctx_init(&ctx);
	if (p->sig.len != CF_ED25519_SIG_LEN)
		return cf_verify_int_problem(res, "bad-signature", CF_MEMBER_SIG,
					     "is %zu bytes, not a %d-byte Ed25519 signature",
					     p->sig.len, CF_ED25519_SIG_LEN);
	for (size_t i = 0; i < ntrusted; i++) {
		rc = cf_key_verify(&ctx, trusted[i],
				   p->sums.data ? p->sums.data : "", p->sums.len,
				   (const uint8_t *)p->sig.data, p->sig.len);
		if (rc == CF_OK)
			return cf_key_fingerprint(&ctx, trusted[i], res->signer) ==
					       CF_OK
				       ? 0
				       : -1;
		if (rc == CF_FATAL)
			return -1; /* could not check: no verdict */
	}
	k = signer_key(&ctx, &p->signer);
	if (!k && ctx.code == CF_FATAL)
		return -1;
	rc = k ? cf_key_verify(&ctx, k, p->sums.data ? p->sums.data : "",
			       p->sums.len, (const uint8_t *)p->sig.data,
			       p->sig.len)
	       : CF_FAILED;
	ok = rc == CF_OK && cf_key_fingerprint(&ctx, k, fp) == CF_OK;
	cf_key_free(k);
	if (rc == CF_FATAL || (rc == CF_OK && !ok))
		return -1;
	if (ok)
		return cf_verify_int_problem(res, "untrusted-signer", CF_MEMBER_SIG,
					     "signed by %s (casefile/signer.pub), which is "
					     "not a trusted key",
					     fp);
	return cf_verify_int_problem(res, "bad-signature", CF_MEMBER_SIG,
				     "no trusted key verifies the signature of SHA256SUMS");
}

int cf_verify_int_after_pass(struct pass *p, cf_key *const *trusted,
			     size_t ntrusted)
{
	struct cf_verify_result *res = p->res;
	struct rec *sr = cf_verify_int_find(p, CF_MEMBER_SUMS);
	struct cf_sums s;
	struct cf_ctx ctx;
	int rc = 0;

	cf_sums_init(&s);
	cf_ctx_init(&ctx);
	/* After a broken stream the absent members are its consequence. */
	for (size_t i = 0; !p->broken && i < sizeof required / sizeof required[0];
	     i++)
		if (!cf_verify_int_find(p, required[i]) &&
		    cf_verify_int_problem(res, "missing-member", required[i],
					  "required by the evidence format, absent") < 0)
			goto nomem;
	if (sr && sr->hashed) {
		cf_hex(sr->digest, CF_SHA256_LEN, res->sums_hex);
		if (cf_sums_parse(&ctx, p->sums.data ? p->sums.data : "",
				  p->sums.len, &s) != CF_OK) {
			if (ctx.code == CF_FATAL)
				goto nomem;
			if (cf_verify_int_problem(res, "bad-manifest", CF_MEMBER_SUMS, "%s",
						  cf_errmsg(&ctx)) < 0)
				goto nomem;
		} else if (check_sums(p, &s) < 0) {
			goto nomem;
		}
	}
	if (check_collection(p) < 0 || check_signature(p, trusted, ntrusted) < 0)
		goto nomem;
	for (size_t i = 0; i < p->n; i++)
		if ((p->v[i].mode & 07000) && !p->v[i].stat &&
		    cf_verify_int_problem(res, "unexpected-header", p->v[i].name,
					  "mode %04o sets setuid, setgid or sticky bits "
					  "that items.jsonl does not record",
					  p->v[i].mode) < 0)
			goto nomem;
	if (p->seen_items && cf_verify_int_find(p, CF_MEMBER_ITEMS)->hashed)
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].regular && !p->v[i].item &&
			    !strncmp(p->v[i].name, CF_EVIDENCE_PREFIX,
				     strlen(CF_EVIDENCE_PREFIX)) &&
			    cf_verify_int_problem(res, "inconsistent-metadata", p->v[i].name,
						  "not described in items.jsonl") < 0)
				goto nomem;
	goto out;
nomem:
	rc = -1;
out:
	cf_sums_release(&s);
	return rc;
}

/* ---- chains ------------------------------------------------------------- */

static int same_archive(const struct cf_verify_result *a,
			const struct cf_verify_result *b)
{
	return a->sums_hex[0] && !strcmp(a->sums_hex, b->sums_hex);
}

static const char *prev_hex(const struct cf_verify_result *r)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(r->collection,
							  "previous");
	return cJSON_IsObject(p) ? cf_json_str(p, "sha256sums", NULL) : NULL;
}

static int is_first(const struct cf_verify_result *r)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->collection,
							     "previous"));
}

/* Checks res[i]'s link against the others. -1 on no memory. */
static int chain_one(struct cf_verify_result **res, size_t n, size_t i)
{
	struct cf_verify_result *r = res[i];
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(r->collection,
							     "previous");
	const char *hex = prev_hex(r);
	int64_t seq = cf_json_int(r->collection, "sequence", 0), pseq;
	size_t j;

	for (j = 0; j < i; j++) {
		/* two archives (not the same one given twice) that claim the
		 * same predecessor, or that both start the chain */
		const char *h2;
		if (!res[j] || !res[j]->collection || same_archive(res[j], r))
			continue;
		h2 = prev_hex(res[j]);
		if ((hex && h2 && !strcmp(hex, h2)) ||
		    (is_first(r) && is_first(res[j]))) {
			if (cf_verify_int_problem(r, "chain-fork", CF_MEMBER_COLLECTION,
						  "%s and %s both follow %s%s",
						  res[j]->path, r->path,
						  hex ? "the archive with sha256sums " : "",
						  hex ? hex : "nothing (two first archives)") < 0 ||
			    cf_verify_int_problem(res[j], "chain-fork", CF_MEMBER_COLLECTION,
						  "%s and %s both follow %s%s",
						  res[j]->path, r->path,
						  hex ? "the archive with sha256sums " : "",
						  hex ? hex : "nothing (two first archives)") < 0)
				return -1;
		}
	}
	if (!hex) {
		if (cJSON_IsNull(prev) && seq != 1)
			return cf_verify_int_problem(r, "chain-gap", CF_MEMBER_COLLECTION,
						     "has no previous archive but sequence "
						     "%lld; a chain starts at 1",
						     (long long)seq);
		return 0;
	}
	pseq = cf_json_int(prev, "sequence", 0);
	if (pseq != seq - 1 &&
	    cf_verify_int_problem(r, "chain-gap", CF_MEMBER_COLLECTION,
				  "sequence %lld claims to follow sequence %lld",
				  (long long)seq, (long long)pseq) < 0)
		return -1;
	for (j = 0; j < n; j++)
		if (res[j] && !strcmp(res[j]->sums_hex, hex))
			break;
	if (j == n)
		return cf_verify_int_problem(r, "chain-missing", CF_MEMBER_COLLECTION,
					     "its previous archive (sha256sums %s, sequence "
					     "%lld) was not given",
					     hex, (long long)pseq);
	if (j == i)
		return cf_verify_int_problem(r, "chain-gap", CF_MEMBER_COLLECTION,
					     "names itself as its previous archive");
	if (res[j]->collection &&
	    cf_json_int(res[j]->collection, "sequence", 0) != pseq)
		return cf_verify_int_problem(r, "chain-gap", CF_MEMBER_COLLECTION,
					     "its previous archive %s has sequence %lld, "
					     "not %lld",
					     res[j]->path,
					     (long long)cf_json_int(res[j]->collection,
								    "sequence", 0),
					     (long long)pseq);
	return 0;
}

int cf_archive_verify_chain(struct cf_ctx *ctx, struct cf_verify_result **res,
			    size_t n)
{
	if (n < 2)
		return CF_OK;
	for (size_t i = 0; i < n; i++) {
		if (!res[i] || !res[i]->collection)
			continue;
		if (chain_one(res, n, i) < 0)
			return cf_set_nomem(ctx, "checking the chain");
	}
	return CF_OK;
}
