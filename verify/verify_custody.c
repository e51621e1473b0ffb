/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify --key PUB --custody [DIR|FILE]`: checks a case's custody
 * log (SPEC section 5) with cf_custody_verify() and names the first bad
 * entry. Exit 0 intact, 1 an entry is bad, 3 the log cannot be read.
 * Removing entries from the end of a log leaves a shorter valid chain, so
 * the last entry's digest is printed: recorded elsewhere (a report, a
 * ticket), it pins the log's length.
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
#include "keys.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --key PUB [--key PUB...] --custody [DIR|FILE] [--json]\n"
	"\n"
	"  Checks the custody log of the case in DIR (default: the case around the\n"
	"  current folder), or the custody log FILE: every entry parses, seq\n"
	"  increases by one, prev chains to the entry before, and each signature\n"
	"  verifies with a trusted key.\n";


/* The custody log named by arg (a case folder or a file), or the current
 * case's. Heap string. */
static char *log_path(struct cf_ctx *ctx, const char *arg)
{
	struct stat st;
	cf_case *c = NULL;
	char *p;

	if (arg && stat(arg, &st) == 0 && S_ISREG(st.st_mode))
		return cf_strdup(arg);
	if (cf_case_open(ctx, arg, &c) != CF_OK)
		return NULL;
	p = cf_path_join(cf_case_dir(c), CF_CUSTODY_FILE);
	cf_case_free(c);
	return p;
}

int verify_custody_main(int argc, char **argv)
{
	struct cf_custody_report r;
	struct vm_args a;
	struct cf_ctx ctx;
	char *path = NULL, t1[CF_TIME_STR], t2[CF_TIME_STR];
	cf_key **keys = NULL;
	int rc;

	if ((rc = vm_parse(argc, argv, usage_text, &a)) >= 0)
		goto out;
	if (argc - a.first_operand > 1 || !a.nkeys || a.log || a.proof) {
		rc = cf_cli_usage("give --key PUB, --custody and at most one DIR or FILE");
		goto out;
	}
	rc = CF_EXIT_RUNTIME;
	cf_ctx_init(&ctx);
	if (!(path = log_path(&ctx, a.first_operand < argc ? argv[a.first_operand]
							   : NULL)) ||
	    keys_load_trusted(&ctx, a.keys, a.nkeys, &keys) != CF_OK ||
	    cf_custody_verify(&ctx, path, keys, a.nkeys, &r) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (a.json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_bool(j, "ok", r.first_bad == 0) ||
		    cf_json_add_str(j, "path", path) ||
		    cf_json_add_int(j, "entries", (int64_t)r.entries) ||
		    cf_json_add_str(j, "head", r.entries ? r.head : NULL) ||
		    cf_json_add_int(j, "first_bad", (int64_t)r.first_bad) ||
		    cf_json_add_str(j, "kind", r.first_bad ? r.kind : NULL) ||
		    cf_json_add_str(j, "detail", r.first_bad ? r.detail : NULL) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK) {
			cJSON_Delete(j);
			cf_cli_error("cannot print the result");
			goto out;
		}
		cJSON_Delete(j);
	} else if (r.first_bad) {
		cf_cli_error("%s: entry %llu: %s: %s", path,
			     (unsigned long long)r.first_bad, r.kind, r.detail);
		printf("%s: FAILED at entry %llu (%llu entries before it are intact)\n",
		       path, (unsigned long long)r.first_bad,
		       (unsigned long long)r.entries);
	} else {
		printf("%s: OK, %llu entries from %s to %s, last entry SHA-256 %s\n",
		       path, (unsigned long long)r.entries,
		       r.entries ? cf_time_format(r.first_us, t1) : "-",
		       r.entries ? cf_time_format(r.last_us, t2) : "-",
		       r.entries ? r.head : "-");
	}
	rc = r.first_bad ? CF_EXIT_EVIDENCE : CF_EXIT_OK;
out:
	keys_free(keys, a.nkeys);
	vm_release(&a);
	free(path);
	return rc;
}
