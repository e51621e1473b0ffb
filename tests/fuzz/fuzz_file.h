/* SPDX-License-Identifier: Apache-2.0
 *
 * For fuzz targets whose entry point reads a file by path (custody logs,
 * seals, proofs, incident files): puts the input in an anonymous memory
 * file and hands out its /proc/self/fd path, so nothing touches the disk
 * and no file is left behind. Header-only: each target is one program.
 */
#ifndef CASEFILE_FUZZ_FILE_H
#define CASEFILE_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a new memory file; *fd is closed by the caller. Returns
 * 0 with path filled, or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, int *fd,
			    char path[64])
{
	size_t off = 0;

	*fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (*fd < 0)
		return -1;
	while (off < size) {
		ssize_t w = write(*fd, data + off, size - off);
		if (w <= 0) {
			close(*fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(path, 64, "/proc/self/fd/%d", *fd);
	return 0;
}

#endif
