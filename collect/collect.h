/* SPDX-License-Identifier: Apache-2.0
 *
 * The collect part: profiles, the evidence-archive writer and the sources
 * that feed it (SPEC sections 2 and 3).
 *
 * cmd_collect.c turns argv into a struct cf_collect_opts and calls
 * cf_collect_run() once. Everything below reads sources and writes only the
 * archive (and unlinked or removed temporary files beside it); nothing here
 * may ever write to, follow a symlink of, or open for writing a source.
 */
#ifndef CASEFILE_COLLECT_H
#define CASEFILE_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "casefile/hash.h"
#include "casefile/sign.h"
#include "casefile/sums.h"

struct cf_ctx;

/* ---- profiles ----------------------------------------------------------- */

enum cf_source_type {
	CF_SRC_FILES = 0,
	CF_SRC_COMMAND,
	CF_SRC_SQLITE,
	CF_SRC_MLFLOW,
	CF_SRC_SYSTEM,
};

struct cf_source {
	char *id;             /* [a-z0-9][a-z0-9._-]*, unique in the profile */
	enum cf_source_type type;
	const char *category; /* one of the CF_CAT_* strings */
	char **paths;         /* files: absolute globs; sqlite: one absolute path */
	size_t npaths;
	char **exclude;       /* fnmatch patterns (with '/': whole path) */
	size_t nexclude;
	int64_t max_size;     /* bytes; larger files are hashed only; 0 = none */
	char **argv;          /* command: argv, NULL-terminated */
	size_t nargv;
	int64_t timeout_s;    /* command: seconds before SIGKILL (default 30) */
	char *store;          /* mlflow: SQLite tracking database */
	char *artifacts;      /* mlflow: artifact root folder */
	int explicit_paths;   /* files: PATH arguments, a missing one is an item */
};

struct cf_profile {
	char *name;           /* profile name (the `profile:` key or file name) */
	char *path;           /* file it came from, NULL for PATH arguments */
	char sha256[CF_SHA256_HEX]; /* SHA-256 of the profile file bytes */
	struct cf_source *v;
	size_t n;
};

/* Loads and validates a profile file. Every error is "FILE:LINE:COL: what".
 * The caller releases *p with cf_profile_release(). */
int cf_profile_load(struct cf_ctx *ctx, const char *path, struct cf_profile *p);
/* Same for text in memory; `name` stands for the file in messages. */
int cf_profile_load_string(struct cf_ctx *ctx, const char *name,
			   const char *text, size_t len, struct cf_profile *p);
void cf_profile_release(struct cf_profile *p);
/* Resolves a profile argument: an existing path, or the id of a shipped
 * profile (file name without .yaml). Heap string. */
char *cf_profile_find(struct cf_ctx *ctx, const char *arg);
/* Lists shipped profiles as [{"id","path","description"}]. */
int cf_profile_list(struct cf_ctx *ctx, cJSON **out);
/* 1 when s is a category of SPEC section 2 (returns the static string). */
const char *cf_category_lookup(const char *s);

/* ---- the archive writer ---------------------------------------------------
 * Writes a pax tar archive (zstd, gzip or no compression) to OUT.partial and
 * renames it to OUT at cf_ewriter_finish(). Each member carries its content
 * SHA-256 as the SCHILY.xattr.user.casefile.sha256 pax keyword and is listed
 * in SHA256SUMS, which finish() appends and signs. */

typedef struct cf_ewriter cf_ewriter;

enum cf_compress { CF_COMPRESS_ZSTD = 0, CF_COMPRESS_GZIP, CF_COMPRESS_NONE };

struct cf_member_meta {
	const char *name;     /* member name (checked with cf_path_check_member) */
	int64_t mtime_s;      /* original mtime */
	long mtime_ns;
	mode_t mode;          /* permission bits */
	int64_t uid, gid;
	const char *uname, *gname; /* may be NULL */
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

/* ---- reading one file ---------------------------------------------------- */

/* What collecting one file found out; filled by cf_item_read(). */
struct cf_item {
	struct stat st;            /* fstat before reading */
	int have_stat;
	int changed;               /* size/mtime/ctime changed while reading */
	uint64_t size;             /* bytes read */
	uint8_t sha[CF_SHA256_LEN];
	int hashed;                /* sha is valid */
	char mime[128], desc[256]; /* libmagic, "" when unknown */
	int err;                   /* errno of the first read error, 0 if none */
	uint64_t err_offset;
	char errtext[256];         /* "open: Permission denied", ... */
	/* Content: in mem (len = size) or in spool_fd, unless hash_only. */
	const uint8_t *mem;
	int spool_fd;              /* -1 when none; owned by the reader */
	int hash_only;
};

typedef struct cf_reader cf_reader;

/* The reader owns the block buffer, the in-memory buffer for small files
 * (mem_max bytes) and the libmagic handles. */
int cf_reader_new(struct cf_ctx *ctx, const char *spool_dir, size_t mem_max,
		  cf_reader **r);
void cf_reader_free(cf_reader *r);
/* Opens path read-only without following symlinks or touching atime, reads
 * it once while hashing and typing it, and keeps its bytes (memory or spool)
 * unless its size passes max_size (0 = no limit). Read errors are recorded
 * in it (the bytes before the error are kept); only CF_FATAL (no memory,
 * spool cannot be written) is returned as failure. */
int cf_reader_read(cf_reader *r, struct cf_ctx *ctx, int dirfd,
		   const char *path, int64_t max_size, struct cf_item *it,
		   void (*tick)(void *, uint64_t), void *arg);
/* Releases the content of the last read (closes its spool). */
void cf_reader_done(cf_reader *r, struct cf_item *it);
/* Types a memory block with libmagic. */
void cf_reader_magic(cf_reader *r, const void *p, size_t n, struct cf_item *it);

/* ---- the collection ------------------------------------------------------- */

struct cf_collect_opts {
	const char *out;          /* OUT.tar.zst */
	const char *key_path;
	const char *passphrase_file;
	const char *profile;      /* id or path, or NULL */
	const char *previous;     /* previous archive or NULL */
	char **trust;             /* --trust: public keys that may have
				     signed the previous archive (besides
				     the collecting key) */
	size_t ntrust;
	const char *case_id, *examiner;
	const char *root;         /* host tree root, NULL for "/" */
	enum cf_compress compress;
	char **paths;             /* PATH arguments */
	size_t npaths;
	int progress;             /* enum cf_progress_mode */
};

struct cf_collect_summary {
	uint64_t items, bytes, unreadable, changed, skipped;
	int64_t duration_us;
	char sums_hex[CF_SHA256_HEX];
	char collection_id[40];
	uint64_t sequence;
	char out[4096];
};

/* Runs a whole collection. CF_OK when the archive was written (items may be
 * unreadable: see the summary); otherwise the archive does not exist. */
int cf_collect_run(struct cf_ctx *ctx, const struct cf_collect_opts *o,
		   struct cf_collect_summary *s);

/* Verifies the previous archive against the trusted keys in one streaming
 * pass and gives its SHA256SUMS digest and sequence. CF_FAILED when it does
 * not verify (the message names the first problem). */
int cf_previous_read(struct cf_ctx *ctx, const char *path,
		     cf_key *const *trusted, size_t ntrusted,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence);

/* ---- inside a collection (collect.c and the source modules) --------------- */

struct cf_idmap;
struct cf_collector;

/* Everything one source needs while it runs. */
struct cf_srcrun {
	struct cf_collector *c;
	const struct cf_source *src;
	struct cf_ctx *ctx;
};

/* Host path -> member name "evidence/<id>/<path without leading />" (heap). */
char *cf_member_name(const char *source_id, const char *host_path);
/* Real path of a host path under --root (heap). */
char *cf_real_path(struct cf_collector *c, const char *host_path);
/* Opens the folder of host path `dir` under the root without following any
 * symlink on the way; -1 with errno. */
int cf_open_dir_nofollow(struct cf_collector *c, const char *dir);
/* Root given with --root, or NULL for the live host. */
const char *cf_collector_root(const struct cf_collector *c);
cf_reader *cf_collector_reader(struct cf_collector *c);
cf_ewriter *cf_collector_writer(struct cf_collector *c);

/* Collects one file: `name` in folder dirfd, whose host path is host_path
 * and whose lstat is st. Symlinks and special files are recorded only.
 * category overrides the source's when not NULL. On success *itout (may be
 * NULL) gets the digest and size. CF_FATAL only when the archive failed. */
struct cf_item_result {
	int stored;
	uint64_t size;
	char sha[CF_SHA256_HEX];
};
int cf_collect_file(struct cf_srcrun *sr, int dirfd, const char *name,
		    const char *host_path, const struct stat *st,
		    const char *category, struct cf_item_result *res);
/* Collects what host path `pattern` (glob, ** allowed) matches, applying
 * the source's excludes and max_size. */
int cf_collect_glob(struct cf_srcrun *sr, const char *pattern,
		    const char *category, int (*each)(void *, const char *,
						     const struct cf_item_result *),
		    void *arg);

/* Adds a member made by casefile (command output, snapshot, lineage,
 * system facts) with its items.jsonl entry. path is the host path it
 * describes (may be NULL); kind: "command-output", "sqlite-snapshot",
 * "derived". fd >= 0 copies len bytes from fd, else data/len. extra (may be
 * NULL, taken over) adds members to the item. */
int cf_collect_generated(struct cf_srcrun *sr, const char *member_suffix,
			 const char *path, const char *kind,
			 const char *category, const struct stat *st, int fd,
			 const void *data, uint64_t len, cJSON *extra,
			 struct cf_item_result *res);
/* Records an item that could not be collected (no member). */
int cf_collect_record(struct cf_srcrun *sr, const char *path,
		      const char *category, const char *skip_reason,
		      const char *error, const struct stat *st);
/* Appends to log.jsonl: level "info", "warning" or "error". extra taken over. */
int cf_collect_log(struct cf_collector *c, const char *level, const char *event,
		   const char *source, const char *message, cJSON *extra);
/* Hashes a whole fd from offset 0 (our own temporary files). */
int cf_fd_sha256(struct cf_ctx *ctx, int fd, uint8_t out[CF_SHA256_LEN],
		 uint64_t *len);

/* Sources (sources.c, system.c). */
int cf_source_command(struct cf_srcrun *sr);
int cf_source_sqlite(struct cf_srcrun *sr);
int cf_source_mlflow(struct cf_srcrun *sr);
int cf_source_system(struct cf_srcrun *sr);
/* collection.json's "host" object. */
int cf_host_facts(struct cf_ctx *ctx, const char *root, cJSON **out);

#endif
