/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the systemd journal parser on its own (tl_journal):
 * the bytes of a journal file, copied to a memfd and read with sd-journal,
 * the mending of a truncated copy's header, the walk over the file's
 * objects that finds each entry's offset, and the program interpreters
 * (sshd...) reached through SYSLOG_IDENTIFIER.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 * The seeds are journal files written by systemd-journal-remote, cut after
 * their last object (tests/fuzz/corpus/SOURCES.md).
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_journal, data, size);
}
