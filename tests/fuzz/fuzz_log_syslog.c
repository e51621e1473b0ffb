/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the syslog parser on its own (tl_syslog): RFC 3164
 * with year inference, RFC 5424, rsyslog's RFC 3339 variants, and the
 * OpenSSH interpreter (tl_sshd_interpret), which is reached only through
 * syslog lines whose program is sshd.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_syslog, data, size);
}
