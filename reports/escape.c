/* SPDX-License-Identifier: Apache-2.0
 *
 * Escaping for HTML, SVG and Markdown, and the template filler (CSV
 * fields are written by the core writer, casefile/csv.h).
 *
 * Escaping happens where a value meets a format, never earlier: the report
 * model (JSON) holds raw values and each renderer escapes for its own
 * output. The Markdown escaper is deliberately broad (all ASCII
 * punctuation that CommonMark gives meaning to), because cmark renders the
 * narrative sections to HTML and an unescaped "<" or "[" in a patient id
 * must not become markup or a link. The template filler does plain
 * substitution only: no logic, no loops, nothing a value could trigger.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"

int cf_esc_html(struct cf_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				rep = "\xef\xbf\xbd";
		}
		if (rep ? cf_buf_puts(b, rep) : cf_buf_putc(b, (char)c))
			return -1;
	}
	return 0;
}

int cf_esc_put(struct cf_buf *b, cf_esc_fn esc, const cJSON *obj, ...)
{
	va_list ap;
	const char *s;
	char num[64];
	int key = 0;

	va_start(ap, obj);
	while ((s = va_arg(ap, const char *))) {
		const cJSON *v = key ? cJSON_GetObjectItemCaseSensitive(obj, s) : NULL;

		if (key)
			esc(b, cJSON_IsNumber(v) ? cf_json_text(v, num) : cf_json_str(obj, s, ""));
		else
			cf_buf_puts(b, s);
		key = !key;
	}
	va_end(ap);
	return cf_buf_error(b) ? -1 : 0;
}

/* 1 when s opens with something CommonMark reads as a block marker at the
 * start of a line: a heading, list item, quote, rule or ordered-list number. */
static size_t block_marker(const char *s)
{
	size_t i = 0;

	if (*s && strchr("#-+=>|~*_", *s))
		return 1;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return i && (s[i] == '.' || s[i] == ')') ? i + 1 : 0;
}

int cf_esc_md(struct cf_buf *b, const char *s)
{
	/* Inline markup: code, emphasis, links, images, autolinks, raw HTML
	 * and entities. Other punctuation has no meaning mid-line. */
	static const char special[] = "\\`*_[]<>!&|";
	size_t lead;

	if (!s)
		return 0;
	lead = block_marker(s);
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;

		if (c == '\r' || c == '\n' || c == '\t')
			r = cf_buf_putc(b, ' ');
		else if (c < 0x20 || c == 0x7f)
			r = cf_buf_puts(b, "\xef\xbf\xbd");
		else if (strchr(special, c) || i + 1 == lead)
			r = cf_buf_putc(b, '\\') || cf_buf_putc(b, (char)c);
		else
			r = cf_buf_putc(b, (char)c);
		if (r)
			return -1;
	}
	return 0;
}

const char *cf_json_text(const cJSON *v, char buf[64])
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(buf, 64, "%lld", (long long)v->valuedouble);
		else
			snprintf(buf, 64, "%g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "yes" : "no";
	return "";
}

int cf_report_add(cJSON *obj, const char *key, cJSON *item)
{
	if (item && (key ? cJSON_AddItemToObject(obj, key, item)
			 : cJSON_AddItemToArray(obj, item)))
		return 0;
	cJSON_Delete(item);
	return -1;
}

/* The value at a dotted path ("entity.contact.phone"), or NULL. */
static const cJSON *lookup(const cJSON *vars, const char *name, size_t len)
{
	const cJSON *cur = vars;
	char key[128];

	while (len && cur) {
		const char *dot = memchr(name, '.', len);
		size_t n = dot ? (size_t)(dot - name) : len;

		if (n == 0 || n >= sizeof key)
			return NULL;
		memcpy(key, name, n);
		key[n] = 0;
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		name += n + (dot ? 1 : 0);
		len -= n + (dot ? 1 : 0);
	}
	return cur;
}

static int put_value(struct cf_buf *out, const cJSON *v, cf_esc_fn esc)
{
	char num[64];

	if (cJSON_IsString(v))
		return esc(out, v->valuestring);
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof num, "%.17g", v->valuedouble);
		return esc(out, num);
	}
	if (cJSON_IsBool(v))
		return esc(out, cJSON_IsTrue(v) ? "true" : "false");
	return 0; /* null: nothing */
}

static int line_of(const char *tpl, const char *p)
{
	int line = 1;

	for (; tpl < p; tpl++)
		line += *tpl == '\n';
	return line;
}

int cf_tpl_fill(struct cf_ctx *ctx, struct cf_buf *out, const char *what,
		const char *tpl, const cJSON *vars, cf_esc_fn esc)
{
	const char *p = tpl, *open, *close, *a, *z;
	const cJSON *v;

	while ((open = strstr(p, "{{"))) {
		if (cf_buf_append(out, p, (size_t)(open - p)))
			return cf_set_nomem(ctx, what);
		if (!(close = strstr(open + 2, "}}")))
			return cf_set_error(ctx, 0, "%s:%d: '{{' without '}}'",
					    what, line_of(tpl, open));
		for (a = open + 2; *a == ' '; a++)
			;
		for (z = close; z > a && z[-1] == ' '; z--)
			;
		v = lookup(vars, a, (size_t)(z - a));
		if (!v || cJSON_IsObject(v) || cJSON_IsArray(v))
			return cf_set_error(ctx, 0, "%s:%d: no value for {{%.*s}}",
					    what, line_of(tpl, open),
					    (int)(z - a), a);
		if (put_value(out, v, esc))
			return cf_set_nomem(ctx, what);
		p = close + 2;
	}
	if (cf_buf_puts(out, p))
		return cf_set_nomem(ctx, what);
	return CF_OK;
}
