/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify --trust PUB --custody [DIR|FILE]`: checks a case's custody
 * log (SPEC section 5) and names the first bad entry. Given a case folder
 * (the default), cf_custody_verify_case() also checks that the log belongs
 * to this case (entry 1 is the init of this case.json, every entry names
 * its id) and compares every file of evidence/ with the add entries:
 * missing, extra and replaced files are named. Given a FILE, only the log
 * itself is checked. Exit 0 intact, 1 an entry or a file is bad, 3 the log
 * cannot be read. Removing entries from the end of a log leaves a shorter
 * valid chain, so the last entry's digest is printed: recorded elsewhere
 * (a report, a ticket), it pins the log's length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --trust PUB [--trust PUB...] --custody [DIR|FILE] [--json]\n"
	"\n"
	"  Checks the custody log of the case in DIR (default: the case around the\n"
	"  current folder), or the custody log FILE: entry 1 is the case's init,\n"
	"  every entry parses and names the case, seq increases by one, prev\n"
	"  chains to the entry before, and each signature verifies with a trusted\n"
	"  key. For a case, also: case.json is the one init recorded, and every\n"
	"  file of evidence/ matches its add entry (missing, extra, replaced).\n";

/* The case folder or custody log named by arg (heap); *is_file tells. */
static char *target(struct cf_ctx *ctx, const char *arg, int *is_file)
{
	struct stat st;
	cf_case *c = NULL;
	char *p;

	*is_file = arg && stat(arg, &st) == 0 && S_ISREG(st.st_mode);
	if (*is_file)
		return cf_strdup(arg);
	if (cf_case_open(ctx, arg, &c) != CF_OK)
		return NULL;
	p = cf_strdup(cf_case_dir(c));
	cf_case_free(c);
	return p;
}

static int print_json(struct cf_ctx *ctx, const char *path,
		      const struct cf_custody_report *r, int ok)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *a, *o;
	int rc = CF_FAILED;

	cf_jb_bool(&jb, j, "ok", ok);
	cf_jb_str(&jb, j, "path", path);
	cf_jb_str(&jb, j, "case", r->case_id[0] ? r->case_id : NULL);
	cf_jb_int(&jb, j, "entries", (int64_t)r->entries);
	cf_jb_str(&jb, j, "head", r->entries ? r->head : NULL);
	cf_jb_int(&jb, j, "first_bad", (int64_t)r->first_bad);
	cf_jb_str(&jb, j, "kind", r->first_bad ? r->kind : NULL);
	cf_jb_str(&jb, j, "detail", r->first_bad ? r->detail : NULL);
	cf_jb_int(&jb, j, "unbound", (int64_t)r->unbound);
	cf_jb_bool(&jb, j, "evidence_checked", r->evidence_checked);
	a = cf_jb_array(&jb, j, "files");
	for (size_t i = 0; i < r->nfiles && !jb.err; i++) {
		o = cf_jb_object(&jb, a, NULL);
		cf_jb_str(&jb, o, "file", r->files[i].name);
		cf_jb_str(&jb, o, "kind", r->files[i].kind);
		cf_jb_int(&jb, o, "entry", (int64_t)r->files[i].entry);
		cf_jb_str(&jb, o, "detail", r->files[i].detail);
	}
	if ((j = cf_jb_finish(&jb)))
		rc = cf_json_emit(ctx, stdout, j);
	cJSON_Delete(j);
	return rc;
}

static void print_text(const char *path, const char *what,
		       const struct cf_custody_report *r)
{
	char t1[CF_TIME_STR], t2[CF_TIME_STR];

	if (r->first_bad) {
		cf_cli_error("%s: entry %llu: %s: %s", what,
			     (unsigned long long)r->first_bad, r->kind, r->detail);
		printf("%s: ", what);
		cf_cli_put_tone(stdout, CF_TONE_FAIL, "FAILED");
		printf(" at entry %llu (%llu entries before it are intact)\n",
		       (unsigned long long)r->first_bad,
		       (unsigned long long)r->entries);
		return;
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		cf_cli_error("%s/%s/%s: %s: %s", path, CF_CASE_EVIDENCE,
			     r->files[i].name, r->files[i].kind, r->files[i].detail);
		printf("%s/%s/%s: ", path, CF_CASE_EVIDENCE, r->files[i].name);
		cf_cli_put_tone(stdout, CF_TONE_FAIL, "FAILED");
		printf(": %s\n", r->files[i].kind);
	}
	if (r->unbound)
		cf_cli_error("warning: %s: entries 1-%llu predate case binding (they "
			     "name no case id and no evidence file digest): the log "
			     "is bound to case.json through entry 1 only%s", what,
			     (unsigned long long)r->unbound,
			     r->evidence_checked ? "" : ", and evidence/ is not checked");
	if (!r->nfiles) {
		printf("%s: ", what);
		cf_cli_put_tone(stdout, CF_TONE_OK, "OK");
		printf(", %llu entries from %s to %s, last entry SHA-256 %s%s\n",
		       (unsigned long long)r->entries,
		       cf_time_format(r->first_us, t1), cf_time_format(r->last_us, t2),
		       r->head, r->unbound ? " (predates case binding)" : "");
	}
}

int verify_custody_main(int argc, char **argv)
{
	struct cf_custody_report r;
	struct vm_args a;
	struct cf_ctx ctx;
	char *path = NULL, *what = NULL;
	cf_keyring *kr = NULL;
	int rc, is_file = 0, ok;

	memset(&r, 0, sizeof r);
	if ((rc = vm_start(argc, argv, usage_text, VM_CUSTODY, 1,
			   "give --trust PUB, --custody and at most one DIR or FILE",
			   &a, &ctx, &kr)) >= 0)
		goto out;
	rc = CF_EXIT_RUNTIME;
	if (!(path = target(&ctx, a.first_operand < argc ? argv[a.first_operand]
							 : NULL, &is_file)) ||
	    (is_file ? cf_custody_verify(&ctx, path, cf_keyring_keys(kr),
					 cf_keyring_count(kr), &r)
		     : cf_custody_verify_case(&ctx, path, cf_keyring_keys(kr),
					      cf_keyring_count(kr), &r)) != CF_OK ||
	    !(what = is_file ? cf_strdup(path) : cf_path_join(path, CF_CUSTODY_FILE))) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	ok = r.first_bad == 0 && r.nfiles == 0;
	if (a.json) {
		if (print_json(&ctx, what, &r, ok) != CF_OK) {
			cf_cli_error("cannot print the result");
			goto out;
		}
	} else {
		print_text(path, what, &r);
	}
	rc = ok ? CF_EXIT_OK : CF_EXIT_EVIDENCE;
out:
	cf_custody_report_release(&r);
	cf_keyring_free(kr);
	vm_release(&a);
	free(path);
	free(what);
	return rc;
}
