/* SPDX-License-Identifier: Apache-2.0
 *
 * The evidence-archive writer (writer.c, SPEC section 2): a pax tar archive
 * (zstd, gzip or no compression) written to OUT.partial and renamed to OUT
 * at cf_ewriter_finish(). Each member carries its content SHA-256 as the
 * SCHILY.xattr.user.casefile.sha256 pax keyword and is listed in
 * SHA256SUMS, which finish() appends and signs. Its own header so that the
 * reader, the collector and the unit tests use the writer without the rest
 * of the part; it never reads a source.
 */
#ifndef CASEFILE_COLLECT_WRITER_H
#define CASEFILE_COLLECT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "casefile/hash.h"
#include "casefile/sign.h"

struct cf_ctx;

typedef struct cf_ewriter cf_ewriter;

enum cf_compress { CF_COMPRESS_ZSTD = 0, CF_COMPRESS_GZIP, CF_COMPRESS_NONE };

/* A run of bytes: offset and length. */
struct cf_extent {
	uint64_t off, len;
};

struct cf_member_meta {
	const char *name;     /* member name (checked with cf_path_check_member) */
	int64_t mtime_s;      /* original mtime */
	long mtime_ns;
	mode_t mode;          /* permission bits */
	int64_t uid, gid;
	const char *uname, *gname; /* may be NULL */
	/* Holes of a sparse file: runs of zeros stored as a pax sparse
	 * member (GNU sparse format 1.0), in order, within the size. */
	const struct cf_extent *holes;
	size_t nholes;
};

int cf_ewriter_open(struct cf_ctx *ctx, const char *out, enum cf_compress c,
		    cf_ewriter **w);
/* Adds a member whose bytes are in memory. */
int cf_ewriter_add_mem(cf_ewriter *w, struct cf_ctx *ctx,
		       const struct cf_member_meta *m, const void *data,
		       size_t len, const uint8_t sha[CF_SHA256_LEN]);
/* Adds a member whose len bytes are read from fd at offset 0 (a spool). */
int cf_ewriter_add_fd(cf_ewriter *w, struct cf_ctx *ctx,
		      const struct cf_member_meta *m, int fd, uint64_t len,
		      const uint8_t sha[CF_SHA256_LEN]);
/* Adds SHA256SUMS and SHA256SUMS.sig, closes the stream, fsyncs and renames
 * OUT.partial to OUT. sums_hex gets the SHA-256 of SHA256SUMS. */
int cf_ewriter_finish(cf_ewriter *w, struct cf_ctx *ctx, const cf_key *key,
		      char sums_hex[CF_SHA256_HEX]);
/* Unlinks OUT.partial and frees; also frees after a finish. NULL is a no-op. */
void cf_ewriter_free(cf_ewriter *w);
/* Folder of the output, where spools are made. */
const char *cf_ewriter_dir(const cf_ewriter *w);
/* Uncompressed member bytes written so far. */
uint64_t cf_ewriter_bytes(const cf_ewriter *w);

/* An unlinked temporary file in dir (O_TMPFILE, or mkstemp + unlink when the
 * file system lacks it), read-write, mode 0600. -1 with ctx set. */
int cf_spool_open(struct cf_ctx *ctx, const char *dir);

#endif
