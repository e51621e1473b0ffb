/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for the Sigma rule loader and condition parser
 * (timeline/sigma.c): rules come from anyone (a shared rule pack, a
 * colleague's folder). Loads the input as a rule file, links the
 * correlations, then feeds a few fixed events so that the compiled
 * detection (patterns, PCRE2, CIDR, condition tree) and the correlation
 * windows run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "../../timeline/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const msgs[] = {"Failed password for root from 10.0.0.1",
					   "Accepted publickey for alice", ""};
	struct sigma_set *s;
	struct cf_ctx ctx;
	size_t n;

	if (size > 65536)
		return 0;
	if (!(s = sigma_set_new()))
		return 0;
	cf_ctx_init(&ctx);
	if (sigma_load_string(s, &ctx, "fuzz.yml", (const char *)data, size) == CF_OK &&
	    sigma_link(s, &ctx) == CF_OK) {
		for (int i = 0; i < 6; i++) {
			struct cf_event e = {
				.ts_us = (int64_t)i * 30000000, .source = i % 2 ? "syslog" : "auditd",
				.message = msgs[i % 3], .actor = i % 2 ? "root" : NULL,
				.src_ip = i % 3 ? "10.0.0.1" : "2001:db8::1",
				.attrs = "{\"program\":\"sshd\",\"types\":\"SYSCALL,EXECVE\",\"a0\":\"ls\",\"pid\":7}",
			};
			if (sigma_feed(s, &ctx, &e) != CF_OK)
				break;
		}
		(void)sigma_finish(s, &ctx);
		(void)sigma_findings(s, &n);
	}
	(void)sigma_refusals(s, &n);
	sigma_set_free(s);
	return 0;
}
