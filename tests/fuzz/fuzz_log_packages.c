/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the Debian package log parsers on their own
 * (timeline/packages.c): dpkg.log lines, apt history.log stanzas with
 * their package lists, apt term.log stanzas. Each input goes through all
 * three, since a member of one kind may well be handed to another parser.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tl_parser(&tl_dpkg_log, data, size);
	fuzz_tl_parser(&tl_apt_history, data, size);
	return fuzz_tl_parser(&tl_apt_term, data, size);
}
