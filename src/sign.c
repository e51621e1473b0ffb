/* SPDX-License-Identifier: Apache-2.0
 *
 * Ed25519 keys over OpenSSL 3 EVP (see include/casefile/sign.h).
 *
 * Formats are the standard ones (PKCS#8 and SubjectPublicKeyInfo PEM) so that
 * anyone can check a signature with `openssl pkeyutl -verify -rawin` without
 * casefile. A private key file is opened without following symlinks, and its
 * mode is checked on the open descriptor (no race between check and read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/sign.h"

#define KEY_FILE_MAX (64 * 1024)

struct cf_key {
	EVP_PKEY *pkey;
	int has_private;
};

/* OpenSSL's reason for the last failure, or a fallback. */
static const char *ossl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : fallback;
}

static cf_key *wrap(struct cf_ctx *ctx, EVP_PKEY *pkey, int priv)
{
	cf_key *k = cf_calloc(1, sizeof *k);

	if (!k) {
		EVP_PKEY_free(pkey);
		cf_set_nomem(ctx, "key");
		return NULL;
	}
	k->pkey = pkey;
	k->has_private = priv;
	return k;
}

cf_key *cf_key_generate(struct cf_ctx *ctx)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (!pkey) {
		cf_set_fatal(ctx, 0, "cannot generate Ed25519 key: %s",
			     ossl_reason("OpenSSL error"));
		ERR_clear_error();
		return NULL;
	}
	return wrap(ctx, pkey, 1);
}

void cf_key_free(cf_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int cf_key_has_private(const cf_key *k)
{
	return k && k->has_private;
}

/* PEM of the key into a heap buffer (wiped by the caller for private). */
static int key_pem(struct cf_ctx *ctx, const cf_key *k, int priv,
		   const char *pass, struct cf_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int ok, rc = CF_OK;

	if (!bio)
		return cf_set_nomem(ctx, "key PEM");
	if (!priv)
		ok = PEM_write_bio_PUBKEY(bio, k->pkey);
	else if (pass)
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, EVP_aes_256_cbc(),
						   pass, (int)strlen(pass), NULL,
						   NULL);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0,
						   NULL, NULL);
	if (!ok) {
		rc = cf_set_fatal(ctx, 0, "cannot encode key: %s",
				  ossl_reason("OpenSSL error"));
		ERR_clear_error();
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n < 0 || cf_buf_append(out, data, (size_t)n) < 0)
		rc = cf_set_nomem(ctx, "key PEM");
out:
	BIO_free_all(bio); /* a mem BIO is cleared on free */
	return rc;
}

int cf_key_public_pem(struct cf_ctx *ctx, const cf_key *k, char **pem)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	rc = key_pem(ctx, k, 0, NULL, &b);
	if (rc == CF_OK && !(*pem = cf_buf_detach(&b)))
		rc = cf_set_nomem(ctx, "key PEM");
	cf_buf_release(&b);
	return rc;
}

static char *with_suffix(const char *prefix, const char *suffix)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *s = cf_malloc(a + b + 1);

	if (s) {
		memcpy(s, prefix, a);
		memcpy(s + a, suffix, b + 1);
	}
	return s;
}

int cf_key_save(struct cf_ctx *ctx, const cf_key *k, const char *prefix,
		const char *passphrase, int force)
{
	struct cf_buf priv, pub;
	char *kpath = NULL, *ppath = NULL;
	int flags = force ? 0 : CF_ATOMIC_NO_REPLACE;
	int rc = CF_FAILED;

	cf_buf_init(&priv);
	cf_buf_init(&pub);
	if (!k->has_private)
		return cf_set_error(ctx, 0, "key has no private half to save");
	kpath = with_suffix(prefix, ".key");
	ppath = with_suffix(prefix, ".pub");
	if (!kpath || !ppath) {
		rc = cf_set_nomem(ctx, prefix);
		goto out;
	}
	if (!force) {
		struct stat st;
		if (lstat(kpath, &st) == 0 || lstat(ppath, &st) == 0) {
			rc = cf_set_error(ctx, 0,
					  "'%s' already exists (use --force to replace it)",
					  lstat(kpath, &st) == 0 ? kpath : ppath);
			goto out;
		}
	}
	if ((rc = key_pem(ctx, k, 1, passphrase, &priv)) != CF_OK ||
	    (rc = key_pem(ctx, k, 0, NULL, &pub)) != CF_OK)
		goto out;
	rc = cf_write_file_atomic(ctx, kpath, priv.data, priv.len, 0600, flags);
	if (rc == CF_OK)
		rc = cf_write_file_atomic(ctx, ppath, pub.data, pub.len, 0644,
					  flags);
	if (rc != CF_OK)
		unlink(kpath);
out:
	cf_buf_release_secret(&priv);
	cf_buf_release(&pub);
	free(kpath);
	free(ppath);
	return rc;
}

/* Reads a key file into b; for private keys checks owner-only mode. */
static int read_key_file(struct cf_ctx *ctx, const char *path, int priv,
			 struct cf_buf *b)
{
	struct stat st;
	char chunk[4096];
	int fd, rc = CF_OK;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open key '%s'", path);
	if (fstat(fd, &st) < 0) {
		rc = cf_set_error(ctx, errno, "cannot stat key '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cf_set_error(ctx, 0, "key '%s' is not a regular file", path);
		goto out;
	}
	if (priv && (st.st_mode & 077)) {
		rc = cf_set_error(ctx, 0,
				  "private key '%s' is accessible by others (mode %04o); "
				  "run 'chmod 600 %s'",
				  path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cf_set_error(ctx, errno, "cannot read key '%s'", path);
			break;
		}
		if (r == 0)
			break;
		if (b->len + (size_t)r > KEY_FILE_MAX) {
			rc = cf_set_error(ctx, 0, "key '%s' is too large", path);
			break;
		}
		if (cf_buf_append(b, chunk, (size_t)r) < 0) {
			rc = cf_set_nomem(ctx, path);
			break;
		}
	}
out:
	OPENSSL_cleanse(chunk, sizeof chunk);
	close(fd);
	return rc;
}

static int is_ed25519(EVP_PKEY *p)
{
	return p && EVP_PKEY_is_a(p, "ED25519");
}

/* A key read from path as a handle, refusing anything but Ed25519 (the
 * key is freed then). */
static cf_key *wrap_ed25519(struct cf_ctx *ctx, const char *path, EVP_PKEY *pkey,
			    int priv)
{
	if (!is_ed25519(pkey)) {
		cf_set_error(ctx, 0, "'%s' is not an Ed25519 key", path);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return wrap(ctx, pkey, priv);
}

/* Passphrase callback for PEM_read: refuses to prompt. */
static int no_prompt(char *buf, int size, int rw, void *u)
{
	const char *pass = u;
	int n;

	(void)rw;
	if (!pass)
		return -1;
	n = (int)strlen(pass);
	if (n > size)
		return -1;
	memcpy(buf, pass, (size_t)n);
	return n;
}

/* Why a private key's PEM text did not parse, on ctx. */
static void private_pem_error(struct cf_ctx *ctx, const char *path,
			      const char *pem, const char *passphrase)
{
	int encrypted = pem && strstr(pem, "ENCRYPTED") != NULL;

	if (encrypted && !passphrase)
		cf_set_error(ctx, 0,
			     "private key '%s' is encrypted: give --passphrase-file",
			     path);
	else if (encrypted)
		cf_set_error(ctx, 0,
			     "cannot decrypt private key '%s': wrong passphrase",
			     path);
	else
		cf_set_error(ctx, 0, "'%s' is not a PEM private key: %s", path,
			     ossl_reason("unreadable"));
}

/* The Ed25519 key in the PEM text pem (len bytes) read from path: the
 * private key (decrypted with passphrase when given) when priv, else the
 * public key. NULL with ctx set on failure. */
static cf_key *parse_pem(struct cf_ctx *ctx, const char *path, const char *pem,
			 size_t len, int priv, const char *passphrase)
{
	EVP_PKEY *pkey;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	cf_key *k = NULL;

	if (!bio) {
		cf_set_nomem(ctx, path);
		return NULL;
	}
	pkey = priv ? PEM_read_bio_PrivateKey(bio, NULL, no_prompt,
					      (void *)passphrase)
		    : PEM_read_bio_PUBKEY(bio, NULL, no_prompt, NULL);
	if (pkey) {
		k = wrap_ed25519(ctx, path, pkey, priv);
	} else {
		if (priv)
			private_pem_error(ctx, path, pem, passphrase);
		else
			cf_set_error(ctx, 0, "'%s' is not a PEM public key: %s",
				     path, ossl_reason("unreadable"));
		ERR_clear_error();
	}
	BIO_free(bio);
	return k;
}

cf_key *cf_key_load_private(struct cf_ctx *ctx, const char *path,
			    const char *passphrase)
{
	struct cf_buf b;
	cf_key *k = NULL;

	cf_buf_init(&b);
	if (read_key_file(ctx, path, 1, &b) == CF_OK)
		k = parse_pem(ctx, path, b.data, b.len, 1, passphrase);
	cf_buf_release_secret(&b);
	return k;
}

/* A private key file's PEM label ("-----BEGIN PRIVATE KEY-----", also
 * "ENCRYPTED PRIVATE KEY"): judged before anything is parsed. */
static int holds_private(const struct cf_buf *b)
{
	return b->data && strstr(b->data, "PRIVATE KEY") != NULL;
}

int cf_key_file_kind(struct cf_ctx *ctx, const char *path)
{
	struct cf_buf b;
	int kind;

	cf_buf_init(&b);
	if (read_key_file(ctx, path, 0, &b) != CF_OK) {
		cf_buf_release_secret(&b);
		return CF_FAILED;
	}
	kind = holds_private(&b) ? CF_KEY_FILE_PRIVATE : CF_KEY_FILE_PUBLIC;
	cf_buf_release_secret(&b);
	return kind;
}

/* cf_key_load_public (private_ok) and cf_key_load_trusted. */
static cf_key *load_public(struct cf_ctx *ctx, const char *path, int private_ok)
{
	struct cf_buf b;
	cf_key *k;

	cf_buf_init(&b);
	if (read_key_file(ctx, path, 0, &b) != CF_OK) {
		cf_buf_release(&b);
		return NULL;
	}
	if (holds_private(&b) && !private_ok) {
		cf_set_error(ctx, 0, "'%s' is a private key, not a trusted public "
				     "key: name its public half (PREFIX.pub)", path);
		cf_buf_release_secret(&b);
		return NULL;
	}
	if (holds_private(&b)) {
		/* A private key given where a public one is expected: use
		 * its public half, but only from an owner-only file. */
		cf_buf_release_secret(&b);
		cf_key *priv = cf_key_load_private(ctx, path, NULL);
		if (priv)
			priv->has_private = 0;
		return priv;
	}
	k = parse_pem(ctx, path, b.data ? b.data : "", b.len, 0, NULL);
	cf_buf_release(&b);
	return k;
}

cf_key *cf_key_load_public(struct cf_ctx *ctx, const char *path)
{
	return load_public(ctx, path, 1);
}

cf_key *cf_key_load_trusted(struct cf_ctx *ctx, const char *path)
{
	return load_public(ctx, path, 0);
}

cf_key *cf_key_from_raw_public(struct cf_ctx *ctx, const uint8_t pub[32])
{
	unsigned long refused = cf_alloc_failures();
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL,
							pub, 32);

	if (!pkey && cf_alloc_failures() != refused) {
		ERR_clear_error();
		cf_set_nomem(ctx, "reading a raw public key");
		return NULL;
	}
	if (!pkey) {
		cf_set_error(ctx, 0, "invalid Ed25519 public key: %s",
			     ossl_reason("rejected"));
		ERR_clear_error();
		return NULL;
	}
	return wrap(ctx, pkey, 0);
}

int cf_passphrase_read(struct cf_ctx *ctx, const char *path, char **out)
{
	struct cf_buf b;
	size_t n;
	int rc;

	cf_buf_init(&b);
	rc = cf_buf_read_file(ctx, &b, path, 4096);
	if (rc != CF_OK) {
		cf_buf_release_secret(&b);
		return rc;
	}
	n = strcspn(b.data ? b.data : "", "\r\n");
	if (n == 0) {
		cf_buf_release_secret(&b);
		return cf_set_error(ctx, 0, "passphrase file '%s' is empty", path);
	}
	*out = cf_strndup(b.data, n);
	cf_buf_release_secret(&b);
	if (!*out)
		return cf_set_nomem(ctx, path);
	return CF_OK;
}

int cf_key_sign(struct cf_ctx *ctx, const cf_key *k, const void *msg,
		size_t len, uint8_t sig[CF_ED25519_SIG_LEN])
{
	EVP_MD_CTX *m;
	size_t siglen = CF_ED25519_SIG_LEN;
	int rc = CF_OK;

	if (!k->has_private)
		return cf_set_error(ctx, 0, "cannot sign with a public key");
	if (!(m = EVP_MD_CTX_new()))
		return cf_set_nomem(ctx, "sign");
	if (!EVP_DigestSignInit_ex(m, NULL, NULL, NULL, NULL, k->pkey, NULL) ||
	    !EVP_DigestSign(m, sig, &siglen, msg, len) ||
	    siglen != CF_ED25519_SIG_LEN) {
		rc = cf_set_fatal(ctx, 0, "Ed25519 signing failed: %s",
				  ossl_reason("OpenSSL error"));
		ERR_clear_error();
	}
	EVP_MD_CTX_free(m);
	return rc;
}

int cf_key_verify(struct cf_ctx *ctx, const cf_key *k, const void *msg,
		  size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *m;
	unsigned long refused = cf_alloc_failures();
	int rc = CF_OK;

	if (siglen != CF_ED25519_SIG_LEN)
		return cf_set_error(ctx, 0, "signature is %zu bytes, not 64", siglen);
	if (!(m = EVP_MD_CTX_new()))
		return cf_set_nomem(ctx, "verify");
	if (!EVP_DigestVerifyInit_ex(m, NULL, NULL, NULL, NULL, k->pkey, NULL)) {
		rc = cf_set_fatal(ctx, cf_alloc_failures() != refused ? ENOMEM : 0,
				  "Ed25519 verify init failed");
	} else if (EVP_DigestVerify(m, sig, siglen, msg, len) != 1) {
		/* OpenSSL answers 0 both for a bad signature and when it ran
		 * out of memory on the way; only the first is a verdict */
		if (cf_alloc_failures() != refused)
			rc = cf_set_nomem(ctx, "verifying a signature");
		else
			rc = cf_set_error(ctx, 0, "signature does not verify");
	}
	ERR_clear_error();
	EVP_MD_CTX_free(m);
	return rc;
}

int cf_key_raw_public(struct cf_ctx *ctx, const cf_key *k,
		      uint8_t out[CF_ED25519_PUB_LEN])
{
	size_t len = CF_ED25519_PUB_LEN;
	unsigned long refused = cf_alloc_failures();

	if (!EVP_PKEY_get_raw_public_key(k->pkey, out, &len) ||
	    len != CF_ED25519_PUB_LEN) {
		ERR_clear_error();
		/* OpenSSL fails the same way when it ran out of memory */
		if (cf_alloc_failures() != refused)
			return cf_set_nomem(ctx, "reading a raw public key");
		return cf_set_fatal(ctx, 0, "cannot read raw public key");
	}
	return CF_OK;
}

int cf_key_fingerprint(struct cf_ctx *ctx, const cf_key *k,
		       char out[CF_FINGERPRINT_LEN])
{
	uint8_t raw[CF_ED25519_PUB_LEN], d[CF_SHA256_LEN];
	int rc;

	if ((rc = cf_key_raw_public(ctx, k, raw)) != CF_OK ||
	    (rc = cf_sha256_buf(ctx, raw, sizeof raw, d)) != CF_OK)
		return rc;
	memcpy(out, "SHA256:", 7);
	cf_hex(d, sizeof d, out + 7);
	return CF_OK;
}

void cf_crypto_warm_up(void)
{
	static const char pass[] = "warm-up";
	struct cf_ctx ctx;
	struct cf_buf b;
	cf_key *k;
	uint8_t sig[CF_ED25519_SIG_LEN], md[CF_SHA256_LEN];
	BIO *bio;
	EVP_PKEY *p;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	cf_sha256_buf(&ctx, pass, sizeof pass, md);
	if (!(k = cf_key_generate(&ctx)))
		return;
	cf_key_sign(&ctx, k, md, sizeof md, sig);
	cf_key_verify(&ctx, k, md, sizeof md, sig, sizeof sig);
	for (int i = 0; i < 3; i++) {
		b.len = 0;
		if (key_pem(&ctx, k, i > 0, i == 2 ? pass : NULL, &b) != CF_OK ||
		    !(bio = BIO_new_mem_buf(b.data, (int)b.len)))
			continue;
		p = i ? PEM_read_bio_PrivateKey(bio, NULL, no_prompt, (void *)pass)
		      : PEM_read_bio_PUBKEY(bio, NULL, no_prompt, NULL);
		EVP_PKEY_free(p);
		BIO_free(bio);
	}
	cf_buf_release(&b);
	cf_key_free(k);
	ERR_clear_error();
}
