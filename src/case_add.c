/* SPDX-License-Identifier: Apache-2.0
 *
 * Taking an evidence archive into a case (SPEC section 5, `casefile add`):
 * copy it to evidence/NAME.partial, verify the copy (so that what is kept is
 * what was checked, whatever happens to the source afterwards), rename it
 * into place, and append an "add" custody entry naming the archive's
 * sha256sums digest and the file's own SHA-256. An archive that fails
 * verification is not kept; the refusal is itself recorded ("add-refused").
 * Adding an archive already present with identical bytes succeeds and is
 * recorded, so that a run killed between the rename and the custody entry
 * can simply be repeated.
 *
 * Must never: write to the source archive, replace an archive already in
 * the case, or leave a file under its final name that was not verified.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/archive.h"
#include "casefile/atomic.h"
#include "casefile/case.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/keyring.h"
#include "casefile/path.h"

/* Copies src into the open partial file, hashing what it writes: the
 * file's SHA-256 (for the custody entry) without reading it again. */
static int copy_into(struct cf_ctx *ctx, const char *src, struct cf_atomic *a,
		     uint8_t digest[CF_SHA256_LEN])
{
	char buf[1 << 16];
	ssize_t r;
	int fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = CF_FAILED;
	cf_sha256 *h;

	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open '%s'", src);
	if (!(h = cf_sha256_new(ctx)))
		goto out;
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cf_set_error(ctx, errno, "cannot read '%s'", src);
			goto out;
		}
		if (cf_sha256_update(h, ctx, buf, (size_t)r) != CF_OK ||
		    cf_atomic_write(ctx, a, buf, (size_t)r) != CF_OK)
			goto out;
	}
	rc = cf_sha256_final(h, ctx, digest);
out:
	cf_sha256_free(h);
	close(fd);
	return rc;
}

/* 1 when dest exists with the same bytes as src; hex gets their SHA-256. */
static int same_file(const char *src, const char *dest, char hex[CF_SHA256_HEX])
{
	uint8_t a[CF_SHA256_LEN], b[CF_SHA256_LEN];
	uint64_t na, nb;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if (cf_sha256_file(&ctx, dest, b, &nb) != CF_OK ||
	    cf_sha256_file(&ctx, src, a, &na) != CF_OK || na != nb ||
	    memcmp(a, b, sizeof a))
		return 0;
	cf_hex(b, sizeof b, hex);
	return 1;
}

/* Copies, verifies and commits (or refuses) archive as dest; out->status
 * and out->verify tell. */
static int add_new(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		   const cf_keyring *trusted, const char *archive,
		   const char *name, struct cf_case_add_result *out)
{
	struct cf_atomic a = {-1, NULL, NULL, 0};
	uint8_t fdg[CF_SHA256_LEN];
	char fhex[CF_SHA256_HEX], note[512];
	struct cf_verify_result *res;

	if (cf_atomic_begin(ctx, &a, out->dest, 0440, CF_ATOMIC_NO_REPLACE) != CF_OK) {
		cf_error_prefix(ctx, "already in the case or cannot be added");
		return CF_FAILED;
	}
	/* The copy is verified through the file descriptor it was written
	 * with: what is committed is exactly what was verified. */
	if (copy_into(ctx, archive, &a, fdg) != CF_OK)
		goto fail;
	if (lseek(a.fd, 0, SEEK_SET) != 0) {
		cf_set_error(ctx, errno, "cannot read back '%s'", a.tmp);
		goto fail;
	}
	if (cf_archive_verify(ctx, a.tmp,
		&(struct cf_verify_opts){
			.trusted = cf_keyring_keys(trusted),
			.ntrusted = cf_keyring_count(trusted),
			.flags = CF_VERIFY_OPEN_FD,
			.fd = a.fd}, &out->verify) != CF_OK)
		goto fail;
	res = out->verify;
	if (!res->ok) {
		cf_atomic_abort(&a);
		out->status = CF_CASE_ADD_REFUSED;
		snprintf(note, sizeof note, "refused %s: %zu problem(s), first: %s",
			 name, res->nproblems,
			 res->nproblems ? res->problems[0].kind : "unknown");
		return cf_custody_append(ctx, c, key, "add-refused",
					 res->sums_hex[0] ? res->sums_hex : NULL,
					 note);
	}
	if (cf_atomic_commit(ctx, &a) != CF_OK)
		goto fail;
	snprintf(note, sizeof note, "%s/%s (%llu members, signer %s)",
		 CF_CASE_EVIDENCE, name, (unsigned long long)res->members,
		 res->signer);
	/* The file's own SHA-256 too (hashed as it was copied): verify
	 * --custody checks evidence/ against it (missing, extra, replaced). */
	cf_hex(fdg, sizeof fdg, fhex);
	out->status = CF_CASE_ADD_ADDED;
	return cf_custody_append_file(ctx, c, key, "add", res->sums_hex, name,
				      fhex, note);
fail:
	cf_atomic_abort(&a);
	return CF_FAILED;
}

int cf_case_add(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		const cf_keyring *trusted, const char *archive,
		struct cf_case_add_result *out)
{
	const char *name = strrchr(archive, '/') ? strrchr(archive, '/') + 1
						 : archive;
	char fhex[CF_SHA256_HEX], *evdir;

	memset(out, 0, sizeof *out);
	if (cf_path_check_member(ctx, name) != CF_OK)
		return CF_FAILED;
	evdir = cf_path_join(cf_case_dir(c), CF_CASE_EVIDENCE);
	if (!evdir || !(out->dest = cf_path_join(evdir, name))) {
		free(evdir);
		return cf_set_nomem(ctx, "path");
	}
	free(evdir);
	if (!same_file(archive, out->dest, fhex))
		return add_new(ctx, c, key, trusted, archive, name, out);
	/* A re-run after an interruption between the rename and the custody
	 * entry, or a repeat: record it (with the file, so that evidence/
	 * matches the log again), keep the one copy. */
	out->status = CF_CASE_ADD_ALREADY;
	return cf_custody_append_file(ctx, c, key, "add", NULL, name, fhex,
				      "already in the case, identical");
}

void cf_case_add_result_release(struct cf_case_add_result *r)
{
	if (!r)
		return;
	cf_verify_result_free(r->verify);
	free(r->dest);
	memset(r, 0, sizeof *r);
}
