/* SPDX-License-Identifier: Apache-2.0
 *
 * Process-wide initialisation of the core and the library version report
 * printed by `casefile --version` and recorded in every collection.json.
 */
#include <locale.h>
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
#include "casefile/sign.h"

static void *cjson_malloc(size_t n)
{
	return cf_malloc(n);
}

void cf_core_init(void)
{
	static int done;
	cJSON_Hooks hooks = {cjson_malloc, free};

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

void cf_version_string(char *buf, size_t n)
{
	int mv = magic_version();

	snprintf(buf, n,
		 "casefile %s (%s, %s, SQLite %s, libmagic %d.%02d, cJSON %s, "
		 "libfyaml %s)",
		 CASEFILE_VERSION, archive_version_string(),
		 OpenSSL_version(OPENSSL_VERSION), sqlite3_libversion(), mv / 100,
		 mv % 100, cJSON_Version(), fy_library_version());
}
