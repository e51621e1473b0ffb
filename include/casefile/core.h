/* SPDX-License-Identifier: Apache-2.0
 *
 * Process-wide set-up of the core and the version report.
 *
 * cf_core_init() sets the character type of the process to UTF-8 (the
 * encoding of member names and of every file casefile writes), routes
 * cJSON's and OpenSSL's allocations through the fault-injecting allocator
 * and arms faults from CASEFILE_FAULT; it is called once by main() (and by
 * tests) before anything else.
 */
#ifndef CASEFILE_CORE_H
#define CASEFILE_CORE_H

#include <stddef.h>

#define CASEFILE_VERSION "0.1.0"

void cf_core_init(void);

/* The libraries casefile is linked with, as they report themselves at run
 * time (the one list: --version and collection.json are made from it). */
#define CF_NLIBS 6
struct cf_lib_version {
	const char *key;   /* "libarchive", "openssl", "sqlite", "libmagic",
			      "cjson", "libfyaml": the name in collection.json */
	char full[256];    /* as recorded there ("libarchive 3.6.2 zlib/1.2.13
			      ..."; libmagic "5.44") */
	char brief[272];   /* as --version shows it ("libarchive 3.6.2",
			      "SQLite 3.40.1") */
};
/* Fills lib[0..CF_NLIBS) in the order above. */
void cf_lib_versions(struct cf_lib_version lib[CF_NLIBS]);
/* "casefile 0.1.0 (libarchive 3.6.2, OpenSSL 3.0.x, SQLite 3.40.1,
 * libmagic 5.44, cJSON 1.7.15, libfyaml 0.7.12)" into buf. */
void cf_version_string(char *buf, size_t n);
/* collection.json's "tool": {"name":"casefile","version":...,"libraries":
 * {KEY: FULL, ...}}; a new object (cJSON_Delete) or NULL on no memory. */
struct cJSON *cf_tool_json(void);

#endif
