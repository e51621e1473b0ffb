/* SPDX-License-Identifier: Apache-2.0
 *
 * Process-wide initialisation of the core and the one list of library
 * versions, which `casefile --version` prints and every collection.json
 * records.
 */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <cjson/cJSON.h>
#include <libfyaml.h>
#include <magic.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "casefile/alloc.h"
#include "casefile/core.h"
#include "casefile/json.h"
#include "casefile/sign.h"

void cf_core_init(void)
{
	static int done;
	cJSON_Hooks hooks = {cf_json_hook_malloc, cf_json_hook_free};

	if (done)
		return;
	done = 1;
	/* Member names, pax headers and every file casefile writes are UTF-8.
	 * libarchive converts names between UTF-8 and the character set of
	 * the locale, which is ASCII until a program sets one: without this a
	 * file named "café.log" could be neither collected nor verified. Only
	 * the character type is set, to UTF-8 whatever the user's locale. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	/* Must precede every other OpenSSL call to take effect. */
	cf_fault_hook_openssl();
	cJSON_InitHooks(&hooks);
	cf_fault_from_env();
	if (cf_fault_armed()) {
		/* Under injected faults, OpenSSL starts its providers and
		 * builds its algorithm tables before counting starts: OpenSSL
		 * 3.0 leaks parts of those tables when one of its own
		 * allocations fails on the way, which no caller can free, and
		 * a fault there tests OpenSSL rather than casefile. */
		cf_fault_pause(1);
		cf_crypto_warm_up();
		cf_fault_hook_sqlite();
		cf_fault_pause(0);
	}
}

/* libarchive 3.6's archive_version_details() builds its answer in a static
 * string it initialises anew on every call, losing the previous one: ask
 * once per process. */
static char la_details[256];
static pthread_once_t la_once = PTHREAD_ONCE_INIT;

static void la_details_once(void)
{
	snprintf(la_details, sizeof la_details, "%s", archive_version_details());
}

void cf_lib_versions(struct cf_lib_version lib[CF_NLIBS])
{
	int mv = magic_version();
	char magic[16];

	snprintf(magic, sizeof magic, "%d.%02d", mv / 100, mv % 100);
	lib[0].key = "libarchive";
	pthread_once(&la_once, la_details_once);
	snprintf(lib[0].full, sizeof lib[0].full, "%s", la_details);
	snprintf(lib[0].brief, sizeof lib[0].brief, "%s", archive_version_string());
	lib[1].key = "openssl";
	snprintf(lib[1].full, sizeof lib[1].full, "%s", OpenSSL_version(OPENSSL_VERSION));
	snprintf(lib[1].brief, sizeof lib[1].brief, "%s", lib[1].full);
	lib[2].key = "sqlite";
	snprintf(lib[2].full, sizeof lib[2].full, "%s", sqlite3_libversion());
	snprintf(lib[2].brief, sizeof lib[2].brief, "SQLite %s", lib[2].full);
	lib[3].key = "libmagic";
	snprintf(lib[3].full, sizeof lib[3].full, "%s", magic);
	snprintf(lib[3].brief, sizeof lib[3].brief, "libmagic %s", magic);
	lib[4].key = "cjson";
	snprintf(lib[4].full, sizeof lib[4].full, "%s", cJSON_Version());
	snprintf(lib[4].brief, sizeof lib[4].brief, "cJSON %s", lib[4].full);
	lib[5].key = "libfyaml";
	snprintf(lib[5].full, sizeof lib[5].full, "%s", fy_library_version());
	snprintf(lib[5].brief, sizeof lib[5].brief, "libfyaml %s", lib[5].full);
}

void cf_version_string(char *buf, size_t n)
{
	struct cf_lib_version lib[CF_NLIBS];
	size_t len;

	cf_lib_versions(lib);
	len = (size_t)snprintf(buf, n, "casefile %s (", CASEFILE_VERSION);
	for (int i = 0; i < CF_NLIBS && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					lib[i].brief, i + 1 < CF_NLIBS ? ", " : ")");
}

cJSON *cf_tool_json(void)
{
	struct cf_lib_version lib[CF_NLIBS];
	cJSON *t = cJSON_CreateObject(), *l;

	cf_lib_versions(lib);
	if (!t || cf_json_add_str(t, "name", "casefile") ||
	    cf_json_add_str(t, "version", CASEFILE_VERSION) ||
	    !(l = cJSON_AddObjectToObject(t, "libraries")))
		goto fail;
	for (int i = 0; i < CF_NLIBS; i++)
		if (cf_json_add_str(l, lib[i].key, lib[i].full))
			goto fail;
	return t;
fail:
	cJSON_Delete(t);
	return NULL;
}
