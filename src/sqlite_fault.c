/* SPDX-License-Identifier: Apache-2.0
 *
 * SQLite under casefile's fault injection (include/casefile/alloc.h).
 *
 * `timeline build` does most of its allocating and all of its writing
 * inside SQLite, so "fail the Nth allocation, write or fsync" only means
 * something for it if SQLite's own calls are counted too. SQLite offers the
 * two hooks its test harness uses: a replacement allocator
 * (SQLITE_CONFIG_MALLOC) and a VFS. The allocator here puts an 8-byte size
 * header before each block and allocates through cf_malloc(); the VFS wraps
 * the default one and fails xWrite or xSync when the counter says so. Both
 * are installed only when a fault is armed, so ordinary runs use SQLite
 * unchanged.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "casefile/alloc.h"

/* ---- allocator ---------------------------------------------------------- */

static void *mem_malloc(int n)
{
	sqlite3_int64 *p;

	if (n < 0 || !(p = cf_malloc((size_t)n + sizeof *p)))
		return NULL;
	p[0] = n;
	return p + 1;
}

static void mem_free(void *v)
{
	if (v)
		free((sqlite3_int64 *)v - 1);
}

static void *mem_realloc(void *v, int n)
{
	sqlite3_int64 *p;

	if (n < 0)
		return NULL;
	if (!v)
		return mem_malloc(n);
	p = cf_realloc((sqlite3_int64 *)v - 1, (size_t)n + sizeof *p);
	if (!p)
		return NULL;
	p[0] = n;
	return p + 1;
}

static int mem_size(void *v)
{
	return v ? (int)((sqlite3_int64 *)v)[-1] : 0;
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

static int mem_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void mem_shutdown(void *app)
{
	(void)app;
}

/* ---- VFS ---------------------------------------------------------------- */

/* Our file object, followed in the same block by the real VFS's. */
struct ffile {
	sqlite3_file base;
	sqlite3_file *real;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (cf_fault_hit(CF_FAULT_WRITE))
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	if (cf_fault_hit(CF_FAULT_FSYNC))
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* Shared memory (WAL, used when a build adds to an existing database) and
 * memory mapping pass through unchanged. */
static int f_shm_map(sqlite3_file *f, int page, int size, int extend,
		     void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
	.iVersion = 3,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_file_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_check_reserved,
	.xFileControl = f_file_control,
	.xSectorSize = f_sector_size,
	.xDeviceCharacteristics = f_device_characteristics,
	.xShmMap = f_shm_map,
	.xShmLock = f_shm_lock,
	.xShmBarrier = f_shm_barrier,
	.xShmUnmap = f_shm_unmap,
	.xFetch = f_fetch,
	.xUnfetch = f_unfetch,
};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
		  int flags, int *out_flags)
{
	struct ffile *f = (struct ffile *)file;
	int rc;

	(void)vfs;
	f->real = (sqlite3_file *)(f + 1);
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	/* SQLite calls xClose after a failed xOpen if pMethods is set. The
	 * real file's methods are version 3 (the unix VFS's); one of an older
	 * version would lack the calls passed on above. */
	f->base.pMethods = f->real->pMethods ? &fault_io : NULL;
	if (f->real->pMethods && f->real->pMethods->iVersion < 3) {
		f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	return rc;
}

int cf_fault_hook_sqlite(void)
{
	static const sqlite3_mem_methods mem = {
		mem_malloc, mem_free,	  mem_realloc, mem_size,
		mem_roundup, mem_init, mem_shutdown, NULL};

	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK)
		return -1;
	if (!(real_vfs = sqlite3_vfs_find(NULL)))
		return -1;
	/* the other methods (delete, access, pathnames, time, randomness) are
	 * the real VFS's own and do not look at the VFS they are called on
	 * beyond what is copied here */
	fault_vfs = *real_vfs;
	fault_vfs.iVersion = real_vfs->iVersion;
	fault_vfs.zName = "casefile-fault";
	fault_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	fault_vfs.pNext = NULL;
	fault_vfs.xOpen = f_open;
	return sqlite3_vfs_register(&fault_vfs, 1) == SQLITE_OK ? 0 : -1;
}
