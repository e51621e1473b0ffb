/* SPDX-License-Identifier: Apache-2.0
 *
 * systemd journal files (*.journal, *.journal~ from /var/log/journal and
 * /run/log/journal), read with libsystemd's sd-journal API from the
 * member's verified bytes: never from the live system, never from the
 * original file.
 *
 * The bytes are copied into a private file (at most TL_JOURNAL_MAX bytes;
 * a larger member is a reject) in memory: in /dev/shm (tmpfs), or under
 * $TMPDIR when it is set. sd-journal (libsystemd 252) refuses a file
 * without a name (a memfd or an O_TMPFILE file: "Identifier removed"), so
 * the copy, made without a name where the file system allows it, gets one
 * in a private 0700 folder for the instant of sd_journal_open_files_fd()
 * and loses it right after: nothing stays behind, whatever happens next.
 *
 * Each entry is one event: its realtime stamp (UTC), _HOSTNAME, and in the
 * attributes the boot id, unit (_SYSTEMD_UNIT), program (SYSLOG_IDENTIFIER,
 * else _COMM), pid, transport, priority, uid, the entry's __CURSOR and
 * sequence number. Messages of programs casefile knows (sshd, sudo, su,
 * logind, the kernel...) are interpreted as their syslog lines are
 * (tl_program_interpret). The evidence pointer of an entry: `line` is its
 * sequence number (the cursor's "i=", what `journalctl --file F -o
 * verbose` shows; unique in a file, kept when a damaged entry before it
 * is skipped), `offset` the byte offset of its entry object in the file,
 * found by walking the file's objects (0 when the walk cannot find it: a
 * damaged or reordered file).
 *
 * Damage is read around, never hidden: a truncated file (shorter than its
 * header says; a copy taken while journald wrote, a cut disk image) is
 * read up to the cut, by shrinking the arena size and tail object in the
 * header of the private copy (the evidence is not changed), and recorded
 * as a reject; entries that sd-journal cannot read are rejects with its
 * error; when it stops before the number of entries the header counts,
 * that is a reject too. The entries before the damage are kept.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "tl.h"

/* Largest journal file read: journald's own files are at most 128 MiB
 * (SystemMaxFileSize's default cap) and the shipped profile collects up
 * to 512 MiB; the copy lives in memory (tmpfs). */
#define TL_JOURNAL_MAX (4ULL << 30)

/* The file format (systemd's docs/JOURNAL_FILE_FORMAT.md): the header
 * fields read here, at their offsets, and the object header. */
#define J_SIGNATURE "LPKSHHRH"
#define J_HEADER_SIZE 88          /* le64 */
#define J_ARENA_SIZE 96           /* le64 */
#define J_TAIL_OBJECT 136         /* le64 */
#define J_N_ENTRIES 152           /* le64 */
#define J_HEADER_MIN 208          /* the smallest header sd-journal takes */
#define J_OBJECT_HEADER 16        /* type u8, flags u8, reserved[6], size le64 */
#define J_OBJECT_ENTRY 3
#define J_OBJECT_MIN_TYPE 1       /* data */
#define J_OBJECT_MAX_TYPE 7       /* tag */
#define J_OBJECT_FLAGS 7          /* compressed with xz, lz4 or zstd */
#define J_ENTRY_SEQNUM 16         /* le64, in an entry object */
#define J_ENTRY_MIN 64            /* entry object without items */
/* Steps (an object, or 8 bytes of damage) taken to find one entry's
 * offset: an entry's data objects precede it, one per new field value. */
#define J_HOPS 1024

struct journal_state {
	int fd;              /* the private copy, or -1 */
	char *dir;           /* its private folder (heap), or NULL */
	char *name;          /* its name while it has one (heap), or NULL */
	uint64_t size;       /* bytes copied */
	int over;            /* more than TL_JOURNAL_MAX bytes: not copied */
	const unsigned char *map; /* read-only map of the copy (object walk) */
	uint64_t walk;       /* next object to look at for entry offsets */
};

static int j_start(struct tl_run *r)
{
	struct journal_state *st = r->state;

	st->fd = -1;
	return CF_OK;
}

/* Takes the copy's name away, and its folder. */
static void unname(struct journal_state *st)
{
	if (st->name)
		unlink(st->name);
	free(st->name);
	st->name = NULL;
	if (st->dir)
		rmdir(st->dir);
	free(st->dir);
	st->dir = NULL;
}

static void j_free(struct tl_run *r)
{
	struct journal_state *st = r->state;

	if (st->map)
		munmap((void *)st->map, st->size);
	if (st->fd >= 0)
		close(st->fd);
	unname(st);
}

/* The private copy: a file without a name (O_TMPFILE) in a new 0700
 * folder of $TMPDIR, else /dev/shm, else /tmp; a named one where the file
 * system has no O_TMPFILE. */
static int make_copy(struct tl_run *r, struct journal_state *st)
{
	const char *base = getenv("TMPDIR");
	size_t n;

	if (!base || !*base)
		base = access("/dev/shm", W_OK | X_OK) ? "/tmp" : "/dev/shm";
	n = strlen(base) + sizeof "/casefile-journal-XXXXXX/copy.journal";
	if (!(st->dir = cf_malloc(n)) || !(st->name = cf_malloc(n)))
		return cf_set_nomem(r->ctx, "journal");
	snprintf(st->dir, n, "%s/casefile-journal-XXXXXX", base);
	if (!mkdtemp(st->dir)) {
		free(st->dir);
		st->dir = NULL;
		free(st->name);
		st->name = NULL;
		return cf_set_error(r->ctx, errno, "journal: cannot make a private "
				    "folder in %s for the copy", base);
	}
	snprintf(st->name, n, "%s/copy.journal", st->dir);
	if ((st->fd = open(st->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0) {
		free(st->name);
		st->name = NULL;
		return CF_OK;
	}
	if ((st->fd = open(st->name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC |
			   O_NOFOLLOW, 0600)) >= 0)
		return CF_OK;
	free(st->name);
	st->name = NULL;
	return cf_set_error(r->ctx, errno, "journal: cannot make a copy in %s",
			    st->dir);
}

static int j_bytes(struct tl_run *r, const void *p, size_t n, uint64_t off)
{
	struct journal_state *st = r->state;
	int rc;

	(void)off;
	if (st->over || !n)
		return CF_OK;
	if (n > TL_JOURNAL_MAX - st->size) {
		/* the rest is not copied, what was is let go; end() rejects */
		st->over = 1;
		if (st->fd >= 0 && ftruncate(st->fd, 0))
			return cf_set_error(r->ctx, errno, "journal: copy");
		return CF_OK;
	}
	if (st->fd < 0 && (rc = make_copy(r, st)) != CF_OK)
		return rc;
	if (cf_write_all(st->fd, p, n))
		return cf_set_error(r->ctx, errno, "journal: cannot copy %zu bytes "
				    "into %s (TMPDIR chooses where)", n, st->dir);
	st->size += n;
	return CF_OK;
}

/* Gives the copy a name for sd-journal's sake (it refuses an unlinked
 * file), when it has none. */
static int name_copy(struct tl_run *r, struct journal_state *st)
{
	char proc[64];
	size_t n;

	if (st->name)
		return CF_OK;
	n = strlen(st->dir) + sizeof "/copy.journal";
	if (!(st->name = cf_malloc(n)))
		return cf_set_nomem(r->ctx, "journal");
	snprintf(st->name, n, "%s/copy.journal", st->dir);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", st->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, st->name, AT_SYMLINK_FOLLOW)) {
		free(st->name);
		st->name = NULL;
		return cf_set_error(r->ctx, errno, "journal: cannot name the copy "
				    "in %s", st->dir);
	}
	return CF_OK;
}

/* sd-journal's error, in words that fit a copy no longer named: an access
 * beyond the end makes it look at the file again, and it then says the
 * file was removed. */
static const char *j_strerror(int rc)
{
	return rc == -EIDRM ? "an object lies beyond the end of the file"
			    : strerror(-rc);
}

static uint64_t le64_at(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return le64toh(v);
}

/* The object at o: its padded size, or 0 when no whole object with a
 * plausible header (a known type, compression flags, zero reserved bytes)
 * starts there. */
static uint64_t object_at(const unsigned char *m, uint64_t size, uint64_t o,
			  unsigned *type, uint64_t *osize)
{
	static const unsigned char zero[6];
	uint64_t sz;

	if (!o || o % 8 || o > size || size - o < J_OBJECT_HEADER ||
	    m[o] < J_OBJECT_MIN_TYPE || m[o] > J_OBJECT_MAX_TYPE ||
	    m[o + 1] > J_OBJECT_FLAGS || memcmp(m + o + 2, zero, sizeof zero))
		return 0;
	sz = le64_at(m + o + 8);
	if (sz < J_OBJECT_HEADER || sz > size - o)
		return 0;
	*type = m[o];
	*osize = sz;
	return (sz + 7) & ~(uint64_t)7;
}

/* Byte offset of the entry object with this sequence number, looked for
 * forward from the last one found; 0 when not within J_HOPS steps. Where
 * no whole object starts (damage), the walk steps on by 8 bytes (objects
 * are 8-byte aligned) until one does. */
static uint64_t entry_offset(struct journal_state *st, uint64_t seqnum)
{
	uint64_t o = st->walk, step, sz;
	unsigned type;

	if (!st->map || !o)
		return 0;
	for (int hop = 0; hop < J_HOPS && o < st->size; hop++) {
		if (!(step = object_at(st->map, st->size, o, &type, &sz))) {
			o += 8;
			continue;
		}
		if (type == J_OBJECT_ENTRY && sz >= J_ENTRY_MIN &&
		    le64_at(st->map + o + J_ENTRY_SEQNUM) == seqnum) {
			st->walk = o + step;
			return o;
		}
		o += step;
	}
	return 0;
}

/* A file shorter than its header says (header size + arena size) is what
 * a copy of a file being written, or a cut, looks like; sd-journal refuses
 * it (ENODATA). The copy's header is made to say what is there: the arena
 * ends at the last whole object, which becomes the tail object. Returns
 * CF_OK (a reject recorded when it was truncated), or an error. */
static int mend_truncated(struct tl_run *r, struct journal_state *st)
{
	unsigned char h[J_N_ENTRIES];
	uint64_t hsize, arena, tail, o, last = 0, step, sz, v;
	unsigned type;
	const unsigned char *m;

	if (st->size < sizeof h || pread(st->fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, J_SIGNATURE, 8))
		return CF_OK; /* sd-journal says what is wrong */
	hsize = le64_at(h + J_HEADER_SIZE);
	arena = le64_at(h + J_ARENA_SIZE);
	tail = le64_at(h + J_TAIL_OBJECT);
	if (hsize < J_HEADER_MIN || hsize >= st->size || hsize % 8 ||
	    (arena <= st->size - hsize && tail <= st->size))
		return CF_OK;
	m = mmap(NULL, st->size, PROT_READ, MAP_SHARED, st->fd, 0);
	if (m == MAP_FAILED)
		return cf_set_error(r->ctx, errno, "journal: cannot map the copy");
	for (o = hsize; (step = object_at(m, st->size, o, &type, &sz)); o += step)
		last = o;
	munmap((void *)m, st->size);
	if (tl_reject(r, 0, 0, "journal: truncated: the header counts %llu bytes, "
		      "%llu are present; entries read up to the cut",
		      (unsigned long long)(hsize > UINT64_MAX - arena ? UINT64_MAX
								    : hsize + arena),
		      (unsigned long long)st->size))
		return CF_FAILED;
	v = htole64((st->size - hsize) & ~(uint64_t)7);
	if (pwrite(st->fd, &v, 8, J_ARENA_SIZE) != 8)
		return cf_set_error(r->ctx, errno, "journal: cannot mend the copy");
	if (tail > st->size || (last && tail > last)) {
		v = htole64(last);
		if (pwrite(st->fd, &v, 8, J_TAIL_OBJECT) != 8)
			return cf_set_error(r->ctx, errno,
					    "journal: cannot mend the copy");
	}
	return CF_OK;
}

/* The value of FIELD in the current entry (without "FIELD="): 1 found,
 * 0 absent, <0 an error of sd-journal. */
static int field(sd_journal *j, const char *name, const char **v, size_t *n)
{
	const void *d;
	size_t len, k = strlen(name);
	int rc = sd_journal_get_data(j, name, &d, &len);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (len <= k || memcmp(d, name, k) || ((const char *)d)[k] != '=')
		return -EBADMSG;
	*v = (const char *)d + k + 1;
	*n = len - k - 1;
	return 1;
}

/* Sequence number from a cursor's "i=<hex>". */
static int cursor_seqnum(const char *c, uint64_t *seq)
{
	const char *i = strstr(c, ";i=");
	char *end;

	if (!i)
		return 0;
	errno = 0;
	*seq = strtoull(i + 3, &end, 16);
	return !errno && end > i + 3 && (*end == ';' || !*end);
}

/* One entry: an event, or a reject naming what sd-journal said. Its line
 * is its sequence number (0 when the cursor does not give it). */
static int one_entry(struct tl_run *r, sd_journal *j, uint64_t idx)
{
	static const char *const names[] = {
		"MESSAGE", "_HOSTNAME", "SYSLOG_IDENTIFIER", "_COMM", "_PID",
		"_SYSTEMD_UNIT", "_TRANSPORT", "PRIORITY", "_UID",
	};
	static const char *const attrs[] = {
		NULL, NULL, NULL, NULL, "pid", "unit", "transport", "priority", "uid",
	};
	enum { MSG, HOST, IDENT, COMM, PID, UNIT, TRANSPORT, PRIO, UID, NF };
	const char *v[NF] = {0};
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	struct journal_state *st = r->state;
	char *cursor = NULL;
	uint64_t rt, mono, seq = 0, off = 0;
	sd_id128_t boot;
	char bootid[SD_ID128_STRING_MAX];
	const char *prog;
	int rc, binary = 0;

	tl_event_reset(r);
	r->lines++;
	if (sd_journal_get_cursor(j, &cursor) >= 0 && cursor) {
		if (cursor_seqnum(cursor, &seq)) {
			tl_attr_int(r, "seqnum", (int64_t)(seq & INT64_MAX));
			off = entry_offset(st, seq);
		}
		tl_attr_str(r, "cursor", cursor, (size_t)-1);
		free(cursor);
	}
	if ((rc = sd_journal_get_realtime_usec(j, &rt)) < 0)
		return tl_reject(r, seq, off, "journal: entry %llu (seqnum %llu): no "
				 "time stamp: %s", (unsigned long long)idx,
				 (unsigned long long)seq, j_strerror(rc));
	if (rt > INT64_MAX)
		return tl_reject(r, seq, off, "journal: entry %llu (seqnum %llu): "
				 "time stamp out of range", (unsigned long long)idx,
				 (unsigned long long)seq);
	/* a field's bytes stay valid only until the next one is read: each
	 * is copied (sanitised) at once */
	for (int f = 0; f < NF; f++) {
		const char *raw;
		size_t len;

		if ((rc = field(j, names[f], &raw, &len)) < 0)
			return tl_reject(r, seq, off, "journal: entry %llu (seqnum "
					 "%llu): field %s: %s", (unsigned long long)idx,
					 (unsigned long long)seq, names[f],
					 j_strerror(rc));
		if (!rc)
			continue;
		/* binary MESSAGE fields (the export format allows them) are
		 * sanitised and marked */
		if (f == MSG && !tl_utf8_ok(raw, len))
			binary = 1;
		v[f] = tl_str(r, raw, len);
	}
	ev.ts_us = (int64_t)rt;
	tl_attr_tz(r, 0);
	if (!rt)
		tl_attr_bool(r, "time_unknown", 1); /* no realtime stamp */
	if (sd_journal_get_monotonic_usec(j, &mono, &boot) >= 0 &&
	    sd_id128_to_string(boot, bootid))
		tl_attr_str(r, "boot_id", bootid, (size_t)-1);
	ev.host = v[HOST];
	prog = v[IDENT] && *v[IDENT] ? v[IDENT] : v[COMM];
	if (prog)
		tl_attr_str(r, "program", prog, (size_t)-1);
	for (int f = PID; f < NF; f++)
		if (v[f])
			tl_attr_str(r, attrs[f], v[f], (size_t)-1);
	if (binary)
		tl_attr_bool(r, "message_binary", 1);
	ev.message = v[MSG];
	if (prog && v[MSG])
		tl_program_interpret(r, &ev, prog, strlen(prog), v[MSG],
				     strlen(v[MSG]));
	return tl_emit(r, &ev, seq, off);
}

static int j_end(struct tl_run *r)
{
	struct journal_state *st = r->state;
	sd_journal *j = NULL;
	uint64_t idx = 0, counted = 0;
	unsigned char h[J_N_ENTRIES + 8];
	int fd, rc;

	if (st->over)
		return tl_reject(r, 0, 0, "journal: larger than %llu bytes: not read",
				 (unsigned long long)TL_JOURNAL_MAX);
	if (st->fd < 0)
		return tl_reject(r, 0, 0, "journal: empty file");
	if ((rc = mend_truncated(r, st)) != CF_OK)
		return rc;
	if (pread(st->fd, h, sizeof h, 0) == (ssize_t)sizeof h) {
		uint64_t hs = le64_at(h + J_HEADER_SIZE);

		counted = le64_at(h + J_N_ENTRIES);
		st->walk = hs < st->size ? (hs + 7) & ~(uint64_t)7 : 0;
	}
	st->map = mmap(NULL, st->size, PROT_READ, MAP_SHARED, st->fd, 0);
	if (st->map == MAP_FAILED)
		st->map = NULL; /* entries get offset 0 */
	if ((rc = name_copy(r, st)) != CF_OK)
		return rc;
	fd = st->fd;
	rc = sd_journal_open_files_fd(&j, &fd, 1, 0);
	unname(st);
	if (rc < 0) {
		if (rc == -ENOMEM)
			return cf_set_error(r->ctx, ENOMEM, "journal: opening");
		return tl_reject(r, 0, 0, "journal: not a readable journal file: "
				 "sd-journal says: %s", j_strerror(rc));
	}
	while ((rc = sd_journal_next(j)) > 0) {
		if ((rc = one_entry(r, j, ++idx)) != CF_OK)
			goto out;
	}
	if (rc < 0) {
		rc = tl_reject(r, 0, 0, "journal: reading stopped after %llu "
			       "entries: sd-journal says: %s",
			       (unsigned long long)idx, j_strerror(rc));
	} else if (idx < counted) {
		/* sd-journal skips an entry it cannot read, and drops the file
		 * from its view at a broken entry array, without an error */
		rc = tl_reject(r, 0, 0, "journal: damaged: the header counts %llu "
			       "entries, sd-journal could read %llu (the others "
			       "are unreadable; their sequence numbers are missing "
			       "from the lines)", (unsigned long long)counted,
			       (unsigned long long)idx);
	}
out:
	sd_journal_close(j);
	return rc;
}

const struct tl_parser tl_journal = {
	.name = "journal",
	.state_size = sizeof(struct journal_state),
	.start = j_start,
	.bytes = j_bytes,
	.end = j_end,
	.free = j_free,
};
