/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile add [-C DIR] ARCHIVE`: take an evidence archive into a case
 * (SPEC section 5): copy it to evidence/ as evidence/NAME.partial, verify
 * the copy (so that what is kept is what was checked, whatever happens to
 * the source afterwards), rename it into place, and append an "add" custody
 * entry naming the archive's sha256sums digest. An archive that fails
 * verification is not kept; the refusal is itself recorded ("add-refused").
 * Adding an archive already present with identical bytes succeeds and is
 * recorded, so that a run killed between the rename and the custody entry
 * can simply be repeated.
 *
 * Must never: write to ARCHIVE, replace an archive already in the case, or
 * leave a file under its final name that was not verified.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/atomic.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "casefile/path.h"
#include "casefile/signkey.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile add [-C DIR] [--key KEY] [--passphrase-file FILE]\n"
	"                    [--trust PUB...] [--json] ARCHIVE\n"
	"\n"
	"  Verifies ARCHIVE, copies it into the case's evidence/ folder and appends\n"
	"  an \"add\" custody entry with its sha256sums digest.\n"
	"\n"
	"  -C DIR                  the case folder (default: the case around the\n"
	"                          current folder)\n"
	"  --key KEY               signing key for the custody entry (default:\n"
	"                          $CASEFILE_KEY, then the key recorded at init)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key\n"
	"                          (default: $CASEFILE_PASSPHRASE_FILE)\n"
	"  --trust PUB             public key trusted to have signed the archive\n"
	"                          (repeatable; default: the signing key)\n"
	"  --json                  print one JSON object on stdout\n";

enum { OPT_KEY = 256, OPT_PASS, OPT_TRUST, OPT_JSON };

static const struct option options[] = {
	{"help", no_argument, NULL, 'h'},
	{"json", no_argument, NULL, OPT_JSON},
	{"key", required_argument, NULL, OPT_KEY},
	{"passphrase-file", required_argument, NULL, OPT_PASS},
	{"trust", required_argument, NULL, OPT_TRUST},
	{NULL, 0, NULL, 0},
};

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

static void print_problems(const struct cf_verify_result *r)
{
	for (size_t i = 0; i < r->nproblems; i++)
		cf_cli_error("%s: %s%s%s: %s", r->path, r->problems[i].kind,
			     r->problems[i].member ? " " : "",
			     r->problems[i].member ? r->problems[i].member : "",
			     r->problems[i].detail);
}

int cmd_add(int argc, char **argv)
{
	const char *dir = NULL, *keyopt = NULL, *pass = NULL, *name;
	char **trustv = NULL, *dest = NULL, *evdir = NULL, note[512];
	char fhex[CF_SHA256_HEX];
	uint8_t fdg[CF_SHA256_LEN];
	struct cf_atomic a = {-1, NULL, NULL, 0};
	struct cf_verify_result *res = NULL;
	struct cf_ctx ctx;
	cf_keyring *trusted = NULL;
	cf_key *key = NULL;
	cf_case *c = NULL;
	size_t ntrust = 0;
	int json = 0, ch, rc = CF_EXIT_RUNTIME;

	if (!(trustv = cf_calloc((size_t)argc + 1, sizeof *trustv))) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hC:", options, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			free(trustv);
			return CF_EXIT_OK;
		case 'C': dir = optarg; break;
		case OPT_KEY: keyopt = optarg; break;
		case OPT_PASS: pass = optarg; break;
		case OPT_TRUST: trustv[ntrust++] = optarg; break;
		case OPT_JSON: json = 1; break;
		default:
			free(trustv);
			return cf_cli_bad_option(argv);
		}
	}
	if (optind != argc - 1) {
		free(trustv);
		return cf_cli_usage("give exactly one ARCHIVE");
	}
	cf_ctx_init(&ctx);
	name = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1
					  : argv[optind];
	if (cf_path_check_member(&ctx, name) != CF_OK ||
	    cf_case_open(&ctx, dir, &c) != CF_OK ||
	    !(key = cf_signkey_load(&ctx, keyopt, pass, cf_case_key_path(c), NULL)))
		goto fail;
	/* The archive's signer: a --trust key, else the signing key. */
	if (!(trusted = cf_keyring_new(&ctx)))
		goto fail;
	for (size_t i = 0; i < ntrust; i++)
		if (cf_keyring_add_file(&ctx, trusted, trustv[i]) != CF_OK)
			goto fail;
	if (!ntrust && cf_keyring_add_key(&ctx, trusted, key) != CF_OK)
		goto fail;
	if (!(evdir = cf_path_join(cf_case_dir(c), CF_CASE_EVIDENCE)) ||
	    !(dest = cf_path_join(evdir, name))) {
		cf_set_nomem(&ctx, "path");
		goto fail;
	}
	if (same_file(argv[optind], dest, fhex)) {
		/* A re-run after an interruption between the rename and the
		 * custody entry, or a repeat: record it (with the file, so
		 * that evidence/ matches the log again), keep the one copy. */
		if (cf_custody_append_file(&ctx, c, key, "add", NULL, name, fhex,
					   "already in the case, identical") != CF_OK)
			goto fail;
		printf("%s is already in the case (identical)\n", dest);
		rc = CF_EXIT_OK;
		goto out;
	}
	if (cf_atomic_begin(&ctx, &a, dest, 0440, CF_ATOMIC_NO_REPLACE) != CF_OK) {
		cf_error_prefix(&ctx, "already in the case or cannot be added");
		goto fail;
	}
	/* The copy is verified through the file descriptor it was written
	 * with: what is committed is exactly what was verified. */
	if (copy_into(&ctx, argv[optind], &a, fdg) != CF_OK)
		goto fail;
	if (lseek(a.fd, 0, SEEK_SET) != 0) {
		cf_set_error(&ctx, errno, "cannot read back '%s'", a.tmp);
		goto fail;
	}
	if (cf_archive_verify(&ctx, a.tmp,
		&(struct cf_verify_opts){
			.trusted = cf_keyring_keys(trusted),
			.ntrusted = cf_keyring_count(trusted),
			.flags = CF_VERIFY_OPEN_FD,
			.fd = a.fd}, &res) != CF_OK)
		goto fail;
	if (!res->ok) {
		cf_atomic_abort(&a);
		print_problems(res);
		snprintf(note, sizeof note, "refused %s: %zu problem(s), first: %s",
			 name, res->nproblems,
			 res->nproblems ? res->problems[0].kind : "unknown");
		if (cf_custody_append(&ctx, c, key, "add-refused",
				      res->sums_hex[0] ? res->sums_hex : NULL,
				      note) != CF_OK)
			goto fail;
		printf("%s: FAILED verification, not added\n", argv[optind]);
		rc = CF_EXIT_EVIDENCE;
		goto out;
	}
	if (cf_atomic_commit(&ctx, &a) != CF_OK)
		goto fail;
	snprintf(note, sizeof note, "%s/%s (%llu members, signer %s)",
		 CF_CASE_EVIDENCE, name, (unsigned long long)res->members,
		 res->signer);
	/* The file's own SHA-256 too (hashed as it was copied): verify
	 * --custody checks evidence/ against it (missing, extra, replaced). */
	cf_hex(fdg, sizeof fdg, fhex);
	if (cf_custody_append_file(&ctx, c, key, "add", res->sums_hex, name, fhex,
				   note) != CF_OK)
		goto fail;
	if (json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_str(j, "added", dest) ||
		    cf_json_add_str(j, "sha256sums", res->sums_hex) ||
		    cf_json_add_str(j, "signer", res->signer) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK) {
			cJSON_Delete(j);
			goto fail;
		}
		cJSON_Delete(j);
	} else {
		printf("added %s: sha256sums %s, signer %s\n", dest, res->sums_hex,
		       res->signer);
	}
	rc = CF_EXIT_OK;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	cf_atomic_abort(&a);
out:
	cf_verify_result_free(res);
	cf_keyring_free(trusted);
	cf_key_free(key);
	cf_case_free(c);
	free(trustv);
	free(evdir);
	free(dest);
	return rc;
}
