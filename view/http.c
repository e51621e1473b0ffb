/* SPDX-License-Identifier: Apache-2.0
 *
 * The web server of `casefile view`: Debian's libmicrohttpd parses HTTP
 * (no hand-written parser here), with one internal thread that answers
 * every request in turn, so the store's one connection is only ever used
 * by that thread.
 *
 * Every request must carry the token printed in the URL (`token=`): a
 * request without it, or with another, gets 403 before its path is even
 * looked at, so that another local user or a web page in the examiner's
 * browser (which cannot read the URL) learns nothing, not even which paths
 * exist. Only GET and HEAD are answered. Every answer carries a strict
 * Content-Security-Policy (scripts and styles from this server only, no
 * inline script, nothing fetched elsewhere), nosniff, no referrer (the
 * token is in the URL) and no caching. The page's files (view/assets/,
 * installed as DATA/casefile/view) are read once at start and served from
 * memory. This file never prints.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "http.h"
#include "view.h"

#define ASSET_MAX (4u << 20) /* a shipped file larger than this is not ours */

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self'; connect-src 'self'; base-uri 'none'; "
	"form-action 'self'; frame-ancestors 'none'";

/* The page's files: served at "/" + name ("/" is index.html). */
static const struct {
	const char *name, *type;
} asset_names[VIEW_NASSETS] = {
	{"index.html", "text/html; charset=utf-8"},
	{"view.js", "text/javascript; charset=utf-8"},
	{"view.css", "text/css; charset=utf-8"},
};

struct view_server {
	struct MHD_Daemon *d;
	struct view_src src;
	char token[2 * VIEW_TOKEN_BYTES + 1];
	struct cf_buf asset[VIEW_NASSETS];
	unsigned port;
};

/* ---- the page's files ----------------------------------------------------- */

/* Reads the assets; index.html gets the token where it says "@TOKEN@" (the
 * links to the script and the style sheet, which must carry it too). */
static int load_assets(struct cf_ctx *ctx, struct view_server *s)
{
	char *dir = cf_data_dir(ctx, "view"), *path, *at;
	struct cf_buf *b;
	int rc = CF_OK;

	if (!dir)
		return CF_FAILED;
	for (size_t i = 0; i < VIEW_NASSETS && rc == CF_OK; i++) {
		b = &s->asset[i];
		if (!(path = cf_path_join(dir, asset_names[i].name))) {
			rc = cf_set_nomem(ctx, "loading the page");
			break;
		}
		rc = cf_buf_read_file(ctx, b, path, ASSET_MAX);
		free(path);
		if (rc == CF_OK && cf_buf_putc(b, '\0'))
			rc = cf_set_nomem(ctx, "loading the page");
		b->len = rc == CF_OK ? b->len - 1 : 0;
		while (rc == CF_OK && i == 0 && (at = strstr(b->data, "@TOKEN@"))) {
			struct cf_buf nb;
			size_t pre = (size_t)(at - b->data);

			cf_buf_init(&nb);
			if (cf_buf_append(&nb, b->data, pre) ||
			    cf_buf_puts(&nb, s->token) ||
			    cf_buf_puts(&nb, at + 7) || cf_buf_putc(&nb, '\0')) {
				cf_buf_release(&nb);
				rc = cf_set_nomem(ctx, "loading the page");
				break;
			}
			nb.len--;
			cf_buf_release(b);
			*b = nb;
		}
	}
	free(dir);
	return rc;
}

/* ---- answering ------------------------------------------------------------ */

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status,
			      const char *type, const void *body, size_t len,
			      enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, "Content-Type", type) != MHD_YES ||
	    MHD_add_response_header(r, "Content-Security-Policy", csp) != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(r, "Referrer-Policy", "no-referrer") != MHD_YES ||
	    MHD_add_response_header(r, "X-Frame-Options", "DENY") != MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", "no-store") != MHD_YES) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status,
				   const char *msg)
{
	return answer(c, status, "text/plain; charset=utf-8", msg, strlen(msg),
		      MHD_RESPMEM_PERSISTENT);
}

static const char *get_param(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_GET_ARGUMENT_KIND, name);
}

/* The token, compared in constant time. */
static int token_ok(const struct view_server *s, struct MHD_Connection *c)
{
	const char *t = get_param(c, "token");
	size_t n = strlen(s->token);

	return t && strlen(t) == n && CRYPTO_memcmp(t, s->token, n) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct view_server *s = cls;
	char *body = NULL;
	int status;

	(void)version;
	(void)upload;
	(void)req;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "only GET and HEAD\n");
	if (*upload_size)
		return answer_text(c, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (!token_ok(s, c))
		return answer_text(c, MHD_HTTP_FORBIDDEN,
				   "forbidden: the URL's token is missing or wrong\n");
	if (!strncmp(url, "/api/", 5)) {
		enum MHD_Result ret;

		if (view_api(&s->src, url + 5, get_param, c, &body, &status) !=
		    CF_OK)
			return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					   "out of memory\n");
		ret = answer(c, (unsigned)status, "application/json", body,
			     strlen(body), MHD_RESPMEM_MUST_FREE);
		if (ret != MHD_YES)
			free(body);
		return ret;
	}
	for (size_t i = 0; i < VIEW_NASSETS; i++)
		if ((i == 0 && !strcmp(url, "/")) ||
		    (url[0] == '/' && !strcmp(url + 1, asset_names[i].name)))
			return answer(c, MHD_HTTP_OK, asset_names[i].type,
				      s->asset[i].data, s->asset[i].len,
				      MHD_RESPMEM_PERSISTENT);
	return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* ---- the server ----------------------------------------------------------- */

int view_server_start(struct cf_ctx *ctx, const struct view_src *src,
		      const char *listen, unsigned port,
		      struct view_server **out)
{
	struct view_server *s;
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	unsigned char raw[VIEW_TOKEN_BYTES];
	const union MHD_DaemonInfo *info;

	*out = NULL;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, listen, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, listen, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		return cf_set_error(ctx, 0, "'%s' is not an IPv4 or IPv6 address",
				    listen);
	}
	if (!(s = cf_calloc(1, sizeof *s)))
		return cf_set_nomem(ctx, "starting the server");
	for (size_t i = 0; i < VIEW_NASSETS; i++)
		cf_buf_init(&s->asset[i]);
	s->src = *src;
	if (RAND_bytes(raw, sizeof raw) != 1) {
		view_server_stop(s);
		return cf_set_error(ctx, 0, "no random token: OpenSSL's RAND_bytes failed");
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(s->token + 2 * i, 3, "%02x", raw[i]);
	if (load_assets(ctx, s) != CF_OK) {
		view_server_stop(s);
		return CF_FAILED;
	}
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, 64u,
				MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				MHD_OPTION_END);
	if (!s->d) {
		view_server_stop(s);
		return cf_set_error(ctx, 0, "cannot listen on %s port %u", listen,
				    port);
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	*out = s;
	return CF_OK;
}

unsigned view_server_port(const struct view_server *s)
{
	return s->port;
}

const char *view_server_token(const struct view_server *s)
{
	return s->token;
}

void view_server_stop(struct view_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	for (size_t i = 0; i < VIEW_NASSETS; i++)
		cf_buf_release(&s->asset[i]);
	OPENSSL_cleanse(s->token, sizeof s->token);
	free(s);
}
