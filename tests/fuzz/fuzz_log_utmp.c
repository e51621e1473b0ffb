/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the login record parser on its own (tl_utmp):
 * wtmp, btmp and lastlog records, the pairing of logouts with logins, and
 * records cut across blocks.
 *
 * The first byte c chooses the member: its description is fuzz_tl_meta(c)
 * and its name, by (c >> 3) & 3, is a wtmp ('@'..'G'), a btmp ('H'..'O'),
 * a lastlog ('0'..'7') or a name that tells nothing ('8'..'?', read as
 * wtmp, as a member detected by its record shape is). The rest is the
 * member, parsed twice: in one block, then in blocks of 1 + c % 97 bytes
 * so that records straddle them; the sink of fuzz_timeline.h checks every
 * result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

struct fuzz_chunks {
	const uint8_t *p;
	size_t n, pos, step;
};

static long fuzz_read_chunks(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct fuzz_chunks *c = arg;
	size_t k = c->n - c->pos;

	(void)ctx;
	if (k > c->step)
		k = c->step;
	if (k > n)
		k = n;
	memcpy(buf, c->p + c->pos, k);
	c->pos += k;
	return (long)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"evidence/auth-logs/var/log/wtmp", "evidence/auth-logs/var/log/btmp.1",
		"evidence/auth-logs/var/log/lastlog", "evidence/files/tmp/records.bin"};
	struct tl_sink s = {fuzz_tl_on_event, fuzz_tl_on_reject,
			    fuzz_tl_on_patient, NULL};
	struct fuzz_chunks ch;
	struct tl_meta m;
	struct tl_run r;
	struct cf_ctx ctx;

	if (!size)
		return 0;
	m = *fuzz_tl_meta(data[0]);
	m.member = names[(data[0] >> 3) & 3];
	fuzz_tl_run(&tl_utmp, &m, data + 1, size - 1);
	ch = (struct fuzz_chunks){data + 1, size - 1, 0, 1 + data[0] % 97u};
	cf_ctx_init(&ctx);
	if (tl_run_init(&r, &tl_utmp, &m, &s, &ctx) != CF_OK)
		return 0;
	tl_run_stream(&r, NULL, 0, fuzz_read_chunks, &ch);
	tl_run_release(&r);
	return 0;
}
