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
/* "casefile 0.1.0 (libarchive 3.6.2, OpenSSL 3.0.x, SQLite 3.40.1,
 * libmagic 5.44, cJSON 1.7.15, libfyaml 0.7.12)" into buf. */
void cf_version_string(char *buf, size_t n);

#endif
