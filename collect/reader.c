/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading one source file exactly once: open, fstat, read while hashing,
 * type with libmagic, fstat again.
 *
 * Forensic rules kept here: the file is opened O_RDONLY|O_NOFOLLOW|
 * O_NOATIME (without O_NOATIME when the kernel refuses it to a non-owner,
 * EPERM), so a source is never written, a symlink never followed and access
 * times left alone where the kernel allows; a change of size, mtime or ctime
 * between the two fstat calls, or a length that differs from the first
 * fstat, flags the item as changed during reading; a read error is recorded
 * with its offset and the bytes before it are kept. A file is read up to
 * its size at the first fstat (to its end when that size is 0, as in /proc).
 *
 * The archive's pax header needs the SHA-256 before the data, and each byte
 * is read from the source only once, so the bytes read are kept: in memory
 * up to mem_max (4 MiB by default), beyond that in an unlinked spool file
 * in the output's folder, copied into the archive after the header. Memory
 * stays bounded whatever the file size. A sparse file (fewer blocks than
 * bytes) has its whole aligned 4 KiB blocks of zeros recorded as holes,
 * which the spool never holds and the writer stores as a pax sparse
 * member. libmagic types the first block already read (at most 64 KiB of
 * it) instead of opening the file again.
 * Typing runs on a thread of its own, overlapping the reading, hashing and
 * archiving of this item and the next ones (the collector holds back the
 * items.jsonl entries until their type is known, collector.c): the first
 * block is copied into one of CF_TYPE_SLOTS buffers and typed there. Every
 * libmagic call, on that thread or on the collecting one (cf_reader_magic),
 * holds magic_mu: libmagic 5.44 writes a global variable inside
 * magic_buffer() (helgrind), so two calls must never run at once.
 *
 * Typing costs one full libmagic pass per item, not two. The full pass
 * (soft magic: thousands of rules, regular expressions over text) is what
 * costs; the description is taken with it. libmagic's checks other than
 * soft magic (empty, JSON, CSV, tar, CDF, text encodings, "data") cost a
 * few per cent of it, so they are asked again without soft magic
 * (MAGIC_NO_CHECK_SOFT). When that description is the full one, no soft
 * rule printed anything, and the MIME type is the one those checks give
 * (soft rules are tested alike whatever is printed, so none would have
 * matched in MIME mode either); otherwise a soft rule typed the item and a
 * full MIME pass is made, as before. The result is the two full calls'
 * (tests/unit/test_collect_magic.c compares them on every fixture). One
 * handle serves every call, its flags changed between calls: each handle
 * holds its own copy of the magic database (megabytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "reader.h"
#include "writer.h"

#define BLOCK (256 * 1024)
#define MAGIC_BYTES (64 * 1024)
#define HOLE_GRAIN 4096        /* holes are whole aligned blocks of zeros */
#define HOLES_MAX 4096         /* holes kept per file; beyond, zeros are data */

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

struct cf_reader {
	uint8_t *block;
	uint8_t *mem;
	size_t mem_max;
	cf_sha256 *h;
	magic_t magic;
	char *dir;
	struct cf_extent *holes; /* HOLES_MAX */
	/* the typing thread */
	pthread_mutex_t magic_mu;  /* held by every libmagic call */
	pthread_mutex_t mu;        /* the slots */
	pthread_cond_t cv_job, cv_done;
	pthread_t thread;
	int started, stop;
	uint64_t seq;
	struct slot {
		uint8_t *buf;
		size_t len;
		int state;
		uint64_t seq;      /* typed in the order queued */
		struct cf_item res; /* mime and desc */
	} slot[CF_TYPE_SLOTS];
};

#define MAGIC_FLAGS MAGIC_ERROR

static magic_t magic_cookie(void)
{
	size_t max = MAGIC_BYTES;
	magic_t m = magic_open(MAGIC_FLAGS);

	if (!m)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
	return m;
}

static void *typist(void *ud);

int cf_reader_new(struct cf_ctx *ctx, const char *spool_dir, size_t mem_max,
		  cf_reader **out)
{
	cf_reader *r = cf_calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return cf_set_nomem(ctx, "reader");
	pthread_mutex_init(&r->magic_mu, NULL);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv_job, NULL);
	pthread_cond_init(&r->cv_done, NULL);
	r->mem_max = mem_max;
	if (!(r->block = cf_malloc(BLOCK)) || !(r->mem = cf_malloc(mem_max ? mem_max : 1)) ||
	    !(r->holes = cf_malloc(HOLES_MAX * sizeof *r->holes)) ||
	    !(r->dir = cf_strdup(spool_dir))) {
		cf_reader_free(r);
		return cf_set_nomem(ctx, "reader");
	}
	if (!(r->h = cf_sha256_new(ctx))) {
		cf_reader_free(r);
		return CF_FATAL;
	}
	/* Without a magic database items get an empty type, not a failure:
	 * the evidence itself does not depend on it. */
	r->magic = magic_cookie();
	for (int i = 0; i < CF_TYPE_SLOTS; i++)
		if (!(r->slot[i].buf = cf_malloc(MAGIC_BYTES))) {
			cf_reader_free(r);
			return cf_set_nomem(ctx, "reader");
		}
	/* Without the thread every item is typed on the calling one. */
	if (r->magic && pthread_create(&r->thread, NULL, typist, r) == 0)
		r->started = 1;
	*out = r;
	return CF_OK;
}

void cf_reader_free(cf_reader *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->mu);
		r->stop = 1;
		pthread_cond_signal(&r->cv_job);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
	}
	pthread_mutex_destroy(&r->magic_mu);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv_job);
	pthread_cond_destroy(&r->cv_done);
	for (int i = 0; i < CF_TYPE_SLOTS; i++)
		free(r->slot[i].buf);
	if (r->magic)
		magic_close(r->magic);
	cf_sha256_free(r->h);
	free(r->holes);
	free(r->block);
	if (r->mem)
		cf_free_secret(r->mem, r->mem_max); /* may hold PHI */
	free(r->dir);
	free(r);
}

/* libmagic's answer for p with flags, "" when it has none. */
static const char *magic_as(magic_t m, int flags, const void *p, size_t n)
{
	const char *s;

	if (magic_setflags(m, MAGIC_FLAGS | flags) < 0)
		return "";
	s = magic_buffer(m, p, n);
	return s ? s : "";
}

static void type_now(cf_reader *r, const void *p, size_t n, struct cf_item *it)
{
	const char *s;

	it->mime[0] = it->desc[0] = '\0';
	if (!r->magic)
		return;
	if (n > MAGIC_BYTES)
		n = MAGIC_BYTES;
	/* libmagic's answer lives in the handle until the next call */
	snprintf(it->desc, sizeof it->desc, "%s", magic_as(r->magic, MAGIC_NONE, p, n));
	s = magic_as(r->magic, MAGIC_NONE | MAGIC_NO_CHECK_SOFT, p, n);
	if (!strcmp(s, it->desc))
		s = magic_as(r->magic, MAGIC_MIME_TYPE | MAGIC_NO_CHECK_SOFT, p, n);
	else
		s = magic_as(r->magic, MAGIC_MIME_TYPE, p, n);
	snprintf(it->mime, sizeof it->mime, "%s", s);
}

void cf_reader_magic(cf_reader *r, const void *p, size_t n, struct cf_item *it)
{
	pthread_mutex_lock(&r->magic_mu);
	type_now(r, p, n, it);
	pthread_mutex_unlock(&r->magic_mu);
}

/* The typing thread: the oldest queued slot, until told to stop. */
static void *typist(void *ud)
{
	cf_reader *r = ud;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct slot *s = NULL;

		for (int i = 0; i < CF_TYPE_SLOTS; i++)
			if (r->slot[i].state == SLOT_QUEUED &&
			    (!s || r->slot[i].seq < s->seq))
				s = &r->slot[i];
		if (!s && r->stop)
			break;
		if (!s) {
			pthread_cond_wait(&r->cv_job, &r->mu);
			continue;
		}
		pthread_mutex_unlock(&r->mu);
		cf_reader_magic(r, s->buf, s->len, &s->res);
		pthread_mutex_lock(&r->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&r->cv_done);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int cf_reader_type_start(cf_reader *r, const void *p, size_t n)
{
	int i;

	if (!r->started)
		return -1;
	if (n > MAGIC_BYTES)
		n = MAGIC_BYTES;
	pthread_mutex_lock(&r->mu);
	for (i = 0; i < CF_TYPE_SLOTS && r->slot[i].state != SLOT_FREE; i++)
		;
	if (i < CF_TYPE_SLOTS) {
		/* only this thread writes a free slot; the typist waits */
		memcpy(r->slot[i].buf, p, n);
		r->slot[i].len = n;
		r->slot[i].seq = r->seq++;
		r->slot[i].state = SLOT_QUEUED;
		pthread_cond_signal(&r->cv_job);
	}
	pthread_mutex_unlock(&r->mu);
	return i < CF_TYPE_SLOTS ? i : -1;
}

void cf_reader_type_wait(cf_reader *r, int slot, char mime[128], char desc[256])
{
	struct slot *s = &r->slot[slot];

	pthread_mutex_lock(&r->mu);
	while (s->state != SLOT_DONE)
		pthread_cond_wait(&r->cv_done, &r->mu);
	if (mime)
		memcpy(mime, s->res.mime, sizeof s->res.mime);
	if (desc)
		memcpy(desc, s->res.desc, sizeof s->res.desc);
	s->state = SLOT_FREE;
	pthread_mutex_unlock(&r->mu);
}

void cf_reader_done(cf_reader *r, struct cf_item *it)
{
	if (it->type_slot >= 0)
		cf_reader_type_wait(r, it->type_slot, NULL, NULL);
	it->type_slot = -1;
	if (it->spool_fd >= 0)
		close(it->spool_fd);
	it->spool_fd = -1;
	it->mem = NULL;
}

static void set_err(struct cf_item *it, int e, uint64_t off, const char *what)
{
	if (it->err)
		return;
	it->err = e ? e : EIO;
	it->err_offset = off;
	snprintf(it->errtext, sizeof it->errtext, "%s: %s", what, strerror(it->err));
}

static int open_source(int dirfd, const char *path)
{
	int base = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd = openat(dirfd, path, base | O_NOATIME);

	/* O_NOATIME is only for the owner (or CAP_FOWNER). */
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, path, base);
	return fd;
}

/* Moves what is in memory to a new spool; further blocks go there. */
static int start_spool(cf_reader *r, struct cf_ctx *ctx, struct cf_item *it)
{
	if ((it->spool_fd = cf_spool_open(ctx, r->dir)) < 0)
		return CF_FATAL;
	if (it->size && cf_write_all(it->spool_fd, r->mem, (size_t)it->size) < 0)
		return cf_set_fatal(ctx, errno, "cannot write a temporary file in '%s'",
				    r->dir);
	return CF_OK;
}

/* Writes n bytes at p to the spool at offset off. */
static int spool_at(cf_reader *r, struct cf_ctx *ctx, struct cf_item *it,
		    const uint8_t *p, size_t n, uint64_t off)
{
	if (lseek(it->spool_fd, (off_t)off, SEEK_SET) < 0 ||
	    cf_write_all(it->spool_fd, p, n) < 0)
		return cf_set_fatal(ctx, errno, "cannot write a temporary file in '%s'",
				    r->dir);
	return CF_OK;
}

/* Makes the grain at off a hole: extends the last hole or starts one. 0
 * when the holes are all taken (the grain is then data). */
static int add_hole(cf_reader *r, struct cf_item *it, uint64_t off)
{
	struct cf_extent *last = it->nholes ? &r->holes[it->nholes - 1] : NULL;

	if (last && last->off + last->len == off) {
		last->len += HOLE_GRAIN;
		return 1;
	}
	if (it->nholes == HOLES_MAX)
		return 0;
	r->holes[it->nholes].off = off;
	r->holes[it->nholes].len = HOLE_GRAIN;
	it->nholes++;
	return 1;
}

/* A block of a sparse source read at off: its aligned grains of zeros
 * become holes, the rest goes to the spool at its offset when spool is
 * set (a hole is never written there). */
static int sparse_block(cf_reader *r, struct cf_ctx *ctx, struct cf_item *it,
			const uint8_t *p, size_t n, uint64_t off, int spool)
{
	size_t run = 0, i = 0;
	int rc;

	it->holes = r->holes;
	while (i < n) {
		size_t g = n - i < HOLE_GRAIN ? n - i : HOLE_GRAIN;
		if (g == HOLE_GRAIN && (off + i) % HOLE_GRAIN == 0 && !p[i] &&
		    !memcmp(p + i, p + i + 1, HOLE_GRAIN - 1) && add_hole(r, it, off + i)) {
			if (spool && i > run &&
			    (rc = spool_at(r, ctx, it, p + run, i - run, off + run)) != CF_OK)
				return rc;
			run = i + g;
		}
		i += g;
	}
	if (spool && n > run)
		return spool_at(r, ctx, it, p + run, n - run, off + run);
	return CF_OK;
}

int cf_reader_read(cf_reader *r, struct cf_ctx *ctx, int dirfd,
		   const char *path, int64_t max_size, struct cf_item *it,
		   cf_progress *progress)
{
	struct stat after;
	uint64_t limit;
	int fd, rc = CF_OK, typed = 0, sparse;

	memset(it, 0, sizeof *it);
	it->spool_fd = -1;
	it->type_slot = -1;
	if ((fd = open_source(dirfd, path)) < 0) {
		set_err(it, errno, 0, "open");
		return CF_OK;
	}
	if (fstat(fd, &it->st) < 0) {
		set_err(it, errno, 0, "fstat");
		goto out;
	}
	it->have_stat = 1;
	if (!S_ISREG(it->st.st_mode)) {
		set_err(it, EINVAL, 0, "not a regular file");
		goto out;
	}
	it->hash_only = max_size > 0 && it->st.st_size > max_size;
	/* Fewer blocks than bytes: it has holes (GNU tar's test) */
	sparse = !it->hash_only && (uint64_t)it->st.st_blocks * 512 < (uint64_t)it->st.st_size;
	if (!it->hash_only && (uint64_t)it->st.st_size > r->mem_max &&
	    (rc = start_spool(r, ctx, it)) != CF_OK)
		goto out;
	if ((rc = cf_sha256_reset(r->h, ctx)) != CF_OK)
		goto out;
	limit = (uint64_t)it->st.st_size;
	for (;;) {
		int in_mem = !it->hash_only && it->spool_fd < 0 && it->size < r->mem_max;
		uint8_t *dst = in_mem ? r->mem + it->size : r->block;
		size_t want = in_mem ? r->mem_max - (size_t)it->size : BLOCK;
		ssize_t n;

		if (want > BLOCK)
			want = BLOCK;
		/* Up to the size at open: a log that keeps growing cannot
		 * make the read endless, and the member is the file as it was
		 * when opened (growth sets `changed`). Files that report size 0
		 * (/proc) are read to their end. */
		if (limit && limit - it->size < want)
			want = (size_t)(limit - it->size);
		if (limit && want == 0)
			break;
		n = read(fd, dst, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(it, errno, it->size, "read");
			break;
		}
		if (!typed) {
			/* An empty file, or the first block read: typed on
			 * the typing thread, or here when it has no slot. */
			if ((it->type_slot = cf_reader_type_start(r, dst, (size_t)n)) < 0)
				cf_reader_magic(r, dst, (size_t)n, it);
			typed = 1;
		}
		if (n == 0)
			break;
		if ((rc = cf_sha256_update(r->h, ctx, dst, (size_t)n)) != CF_OK)
			goto out;
		if (!in_mem && !it->hash_only && it->spool_fd < 0 &&
		    (rc = start_spool(r, ctx, it)) != CF_OK)
			goto out;
		if (sparse) {
			if ((rc = sparse_block(r, ctx, it, dst, (size_t)n, it->size,
					       !in_mem)) != CF_OK)
				goto out;
		} else if (!in_mem && !it->hash_only) {
			if (cf_write_all(it->spool_fd, dst, (size_t)n) < 0) {
				rc = cf_set_fatal(ctx, errno,
						  "cannot write a temporary file in '%s'", r->dir);
				goto out;
			}
		}
		it->size += (uint64_t)n;
		cf_progress_add(progress, (uint64_t)n, 0);
	}
	if ((rc = cf_sha256_final(r->h, ctx, it->sha)) != CF_OK)
		goto out;
	it->hashed = 1;
	if (fstat(fd, &after) < 0)
		set_err(it, errno, it->size, "fstat");
	else if (after.st_size != it->st.st_size ||
		 after.st_mtim.tv_sec != it->st.st_mtim.tv_sec ||
		 after.st_mtim.tv_nsec != it->st.st_mtim.tv_nsec ||
		 after.st_ctim.tv_sec != it->st.st_ctim.tv_sec ||
		 after.st_ctim.tv_nsec != it->st.st_ctim.tv_nsec ||
		 (!it->err && it->size != (uint64_t)it->st.st_size))
		it->changed = 1;
	if (!it->hash_only && it->spool_fd < 0)
		it->mem = r->mem;
out:
	close(fd);
	if (rc != CF_OK)
		cf_reader_done(r, it);
	return rc;
}
