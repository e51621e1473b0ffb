/* SPDX-License-Identifier: Apache-2.0
 *
 * The web server of `casefile view` (view/http.c): started on an address
 * and port, answering from its own thread until stopped.
 */
#ifndef CASEFILE_VIEW_HTTP_H
#define CASEFILE_VIEW_HTTP_H

#include "view.h"

#define VIEW_TOKEN_BYTES 16 /* 128 random bits, printed as 32 hex digits */
#define VIEW_NASSETS 3

struct view_server;

/* Loads the page's files, makes a random token and listens on listen (an
 * IPv4 or IPv6 address) and port (0: any free one). src is copied; what it
 * points to must outlive the server. Returns CF_OK with *out, or CF_FAILED
 * with the message on ctx (bad address, port taken, files missing). */
int view_server_start(struct cf_ctx *ctx, const struct view_src *src,
		      const char *listen, unsigned port,
		      struct view_server **out);
/* The port listened on (the one chosen when 0 was asked). */
unsigned view_server_port(const struct view_server *s);
/* The token every request must carry (32 lowercase hex digits). */
const char *view_server_token(const struct view_server *s);
/* Stops answering (requests in progress finish) and frees; NULL: no-op. */
void view_server_stop(struct view_server *s);

#endif
