/* SPDX-License-Identifier: Apache-2.0
 *
 * What the breach report's renderers share (render.h, render_int.h): the
 * section table that orders the HTML and Markdown documents, the values
 * the narrative templates may use, the template filling, and the SVG chart
 * of accesses over time by actor.
 *
 * The formats are in render_html.c, render_md.c and render_csv.c. Every
 * value is escaped where it is written (escape.h). Output goes to a cf_buf
 * whose first failure is sticky: the appends here are plain calls and the
 * buffer is checked once at the end of the chart and of each section. The
 * per-actor summary and the template values are built the same way, with
 * the core's sticky JSON builder (struct cf_jb), checked once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/strset.h"
#include "casefile/time.h"
#include "escape.h"
#include "model.h"
#include "render.h"
#include "render_int.h"

#define get cf_rget
#define str cf_rstr

/* ---- the sections ----------------------------------------------------------- */

#define ROW(id, title, html_title, page, fn) \
	{id, title, html_title, page, cf_report_html_##fn, cf_report_md_##fn, 0}
/* a section written once for both formats (render_markup.c) */
#define BOTH(id, title, html_title, page, fn) \
	{id, title, html_title, page, cf_report_##fn, cf_report_##fn, 0}
#define APPENDIX(id, title, html, md) {id, title, NULL, 1, html, md, 1}
const struct cf_report_section cf_report_sections[] = {
	ROW("summary", "Executive summary", NULL, 0, summary),
	ROW("timeline", "Timeline", NULL, 0, timeline),
	ROW("affected", "Affected individuals", NULL, 1, affected),
	BOTH("counting", "Who is counted and how they are reached", NULL, 0, counting),
	ROW("risk", "Risk assessment (45 CFR 164.402(2))", NULL, 0, risk),
	BOTH("determination", "Breach determination (45 CFR 164.402)", NULL, 0, determination),
	ROW("obligations", "Obligations and due dates", NULL, 0, obligations),
	BOTH("states", "State notices (to confirm)", NULL, 0, states),
	ROW("notice", "Draft notice to individuals",
	    "Draft notice to individuals (45 CFR 164.404(c))", 1, notice),
	ROW("media", "Draft notice to the media",
	    "Draft notice to the media (45 CFR 164.406)", 0, media),
	ROW("hhs", "HHS breach portal fields", NULL, 1, hhs),
	BOTH("safety", "Patient-safety review (model malfunction)", NULL, 0, safety),
	BOTH("ai", "AI models involved: lineage, cohorts, overrides", NULL, 0, ai),
	ROW("models", "Model decisions affected", NULL, 0, models),
	BOTH("findings", "Findings that named the suspects", NULL, 0, findings),
	ROW("evidence", "Evidence inventory", NULL, 0, evidence),
	ROW("custody", "Custody summary", NULL, 0, custody),
	ROW("confirm", "Fields a person must confirm", NULL, 0, confirm),
	BOTH("signoff", "Sign-off (45 CFR 164.530(j))", NULL, 0, signoff),
	/* The appendices: the long lists the body summarises. A new body row
	 * goes above this line, a new appendix below it. */
	APPENDIX("all-accesses", "Successful accesses counted, in full",
		 cf_report_app_accesses, cf_report_app_accesses),
	APPENDIX("all-failed", "Failed attempts, in full", cf_report_app_failed,
		 cf_report_app_failed),
	APPENDIX("all-affected", "Affected individuals, in full",
		 cf_report_html_app_patients, cf_report_md_app_patients),
	{NULL, NULL, NULL, 0, NULL, NULL, 0},
};
#undef ROW
#undef BOTH
#undef APPENDIX

void cf_report_section_label(const struct cf_report_section *s, char *out,
			     size_t size)
{
	int n = 0;

	for (const struct cf_report_section *p = cf_report_sections; p != s; p++)
		n += p->appendix == s->appendix;
	if (s->appendix)
		snprintf(out, size, "Appendix %c", 'A' + n % 26);
	else
		snprintf(out, size, "%d", n + 1);
}

/* ---- the accesses per actor ------------------------------------------------ */

static int by_count(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int64_t cx = cf_json_int(x, "accesses", 0), cy = cf_json_int(y, "accesses", 0);

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(cf_json_str(x, "actor", ""), cf_json_str(y, "actor", ""));
}

/* Counts value (when not empty) once for the group g of kind ('p' the
 * patients, 'i' the source addresses) in seen, a set of "group kind value"
 * keys: a hash set, as a cJSON object's lookups are a scan and an actor
 * may reach thousands of patients. The addresses are also kept in order
 * in g's "i", to name the first few. 0, or -1 on no memory. */
static int count_once(struct cf_strset *seen, cJSON *g, char kind,
		      const char *value)
{
	char head[40];
	struct cf_buf key;
	int r;

	if (!*value)
		return 0;
	snprintf(head, sizeof head, "%p%c", (void *)g, kind);
	cf_buf_init(&key);
	cf_buf_puts(&key, head);
	cf_buf_puts(&key, value);
	r = cf_buf_error(&key) ? -1 : cf_strset_add(seen, key.data);
	cf_buf_release(&key);
	if (r)
		return r < 0 ? -1 : 0;
	if (kind == 'p') {
		cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "np");
		cJSON_SetNumberValue(n, n->valuedouble + 1);
		return 0;
	}
	return cJSON_AddTrueToObject(cJSON_GetObjectItemCaseSensitive(g, "i"),
				     value) ? 0 : -1;
}

cJSON *cf_report_by_actor(const cJSON *accesses)
{
	struct cf_jb jb = CF_JB_INIT;
	struct cf_strset seen = {0};
	cJSON *groups = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *g;
	const cJSON *a;

	if (!groups || !arr)
		jb.err = -1;
	cJSON_ArrayForEach(a, accesses) {
		const char *who = cf_json_str(a, "actor", "unknown"), *ts = str(a, "ts");
		cJSON *o = cJSON_GetObjectItemCaseSensitive(groups, who);

		if (jb.err)
			break;
		if (!o) {
			o = cf_jb_object(&jb, groups, who);
			cf_jb_int(&jb, o, "n", 0);
			cf_jb_int(&jb, o, "np", 0);
			cf_jb_object(&jb, o, "i");
			cf_jb_str(&jb, o, "first", ts);
			cf_jb_str(&jb, o, "last", ts);
			if (jb.err)
				break;
		}
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "n"),
				     cf_json_int(o, "n", 0) + 1);
		if (count_once(&seen, o, 'p', str(a, "patient")) < 0 ||
		    count_once(&seen, o, 'i', str(a, "src_ip")) < 0)
			jb.err = -1;
		/* set in place (cJSON_SetValuestring reports a failed copy; a
		 * replaced item would lose its name on a failed one) */
		if (*ts && strcmp(ts, str(o, "first")) < 0 &&
		    !cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(o, "first"), ts))
			jb.err = -1;
		if (strcmp(ts, str(o, "last")) > 0 &&
		    !cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(o, "last"), ts))
			jb.err = -1;
	}
	cf_strset_release(&seen);
	cJSON_ArrayForEach(g, groups) {
		cJSON *o = cf_jb_object(&jb, arr, NULL), *ip;
		struct cf_buf b;
		int k = 0, nip = cJSON_GetArraySize(get(g, "i"));

		cf_buf_init(&b);
		cJSON_ArrayForEach(ip, get(g, "i")) {
			if (k == 4) {
				cf_buf_printf(&b, " and %d more", nip - 4);
				break;
			}
			cf_buf_printf(&b, "%s%s", k++ ? ", " : "", ip->string);
		}
		if (cf_buf_error(&b))
			jb.err = -1;
		cf_jb_str(&jb, o, "actor", g->string);
		cf_jb_int(&jb, o, "accesses", cf_json_int(g, "n", 0));
		cf_jb_int(&jb, o, "patients", cf_json_int(g, "np", 0));
		cf_jb_str(&jb, o, "src_ips", b.len ? b.data : NULL);
		cf_jb_str(&jb, o, "first", str(g, "first"));
		cf_jb_str(&jb, o, "last", str(g, "last"));
		cf_buf_release(&b);
	}
	if (!jb.err && cf_report_sort_array(arr, by_count))
		jb.err = -1;
	cJSON_Delete(groups);
	if (!jb.err)
		return arr;
	cJSON_Delete(arr);
	return NULL;
}

int cf_report_verified_only(const cJSON *model)
{
	return !strcmp(cf_json_str(get(model, "evidence_status"), "state", ""),
		       "verified");
}

void cf_report_more_rows(struct cf_buf *out, const cJSON *arr, int shown,
			 const char *where, int html)
{
	int total = cJSON_GetArraySize(arr);

	if (total > shown)
		cf_buf_printf(out, html ? "<p class=\"note\">%d more rows in %s.</p>\n"
					: "\n%d more rows in %s.\n", total - shown, where);
}

int cf_report_check(const struct cf_render *r)
{
	return cf_buf_error(r->out) ? cf_set_nomem(r->ctx, r->what) : CF_OK;
}

/* ---- template values ------------------------------------------------------ */

static int64_t day_of_str(const char *s)
{
	int64_t us;

	int64_t sec;

	if (!s || cf_time_parse(s, -1, &us, NULL))
		return -1;
	sec = us / CF_US_PER_SEC - (us % CF_US_PER_SEC < 0);
	return sec / 86400 - (sec % 86400 < 0);
}

static void put_long_date(struct cf_jb *jb, cJSON *v, const char *key,
			  const char *iso_or_time)
{
	char d[32];
	int64_t day = day_of_str(iso_or_time);
	int y;
	unsigned m, dd;

	if (day < 0 && iso_or_time && sscanf(iso_or_time, "%4d-%2u-%2u", &y, &m, &dd) == 3)
		day = cf_days_from_civil(y, m, dd);
	cf_jb_str(jb, v, key, day < 0 ? "(date to be confirmed)" : cf_report_long_date(day, d));
}

static void join_into(struct cf_jb *jb, cJSON *v, const char *key,
		      const cJSON *arr, const char *field, const char *empty)
{
	struct cf_buf b;
	const cJSON *e;
	int n = cJSON_GetArraySize(arr), i = 0;
	char tmp[64];

	cf_buf_init(&b);
	cJSON_ArrayForEach(e, arr) {
		if (i)
			cf_buf_puts(&b, i == n - 1 ? (n > 2 ? ", and " : " and ") : ", ");
		cf_buf_puts(&b, field ? cf_json_text(get(e, field), tmp) : cf_json_text(e, tmp));
		i++;
	}
	if (cf_buf_error(&b))
		jb->err = -1;
	cf_jb_str(jb, v, key, b.len ? b.data : empty);
	cf_buf_release(&b);
}

/* A field of the HHS portal section: its dates are the covered entity's
 * local calendar days (model_notices.c), which the letters print too. */
static const char *portal_value(const cJSON *model, const char *field)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, get(model, "hhs_portal"))
		if (!strcmp(str(e, "field"), field))
			return cf_json_str(e, "value", NULL);
	return NULL;
}

cJSON *cf_report_vars(const cJSON *model)
{
	/* the covered entity's contact points, or what the letter says until
	 * they are known */
	static const char *const contact[][2] = {
		{"phone", "(toll-free number to be added)"},
		{"email", "(e-mail address to be added)"},
		{"web", "(web site to be added)"},
		{"postal", "(postal address to be added)"},
	};
	/* the letter's claims, stated or "[To confirm: ...]" (model_risk.c) */
	static const char *const claim[] = {"phone_line", "access_blocked",
		"law_enforcement", "prevention", "credit_monitoring"};
	const cJSON *inc = get(model, "incident"), *ce = get(inc, "covered_entity");
	const cJSON *con = get(ce, "contact"), *ob = get(model, "obligations");
	const cJSON *nn = get(get(model, "determination"), "no_notice");
	struct cf_jb jb;
	cJSON *v = cf_jb_init(&jb);
	char num[32];

	snprintf(num, sizeof num, "%lld",
		 (long long)cf_json_int(get(get(model, "affected"), "count"), "value", 0));
	cf_jb_str(&jb, v, "entity_name", str(ce, "name"));
	for (size_t i = 0; i < sizeof contact / sizeof contact[0]; i++)
		cf_jb_str(&jb, v, contact[i][0], cf_json_str(con, contact[i][0], contact[i][1]));
	cf_jb_str(&jb, v, "incident_id", str(inc, "id"));
	cf_jb_str(&jb, v, "incident_title", str(inc, "title"));
	cf_jb_str(&jb, v, "affected", num);
	put_long_date(&jb, v, "discovered", str(ob, "discovered"));
	put_long_date(&jb, v, "breach_from", portal_value(model, "Breach start date"));
	put_long_date(&jb, v, "breach_to", portal_value(model, "Breach end date"));
	put_long_date(&jb, v, "individual_due", str(get(ob, "individual_notice"), "due"));
	put_long_date(&jb, v, "hhs_due", str(get(ob, "hhs_notice"), "due"));
	join_into(&jb, v, "phi_list", get(model, "phi_categories"), "category",
		  "information about your health care (to be confirmed)");
	join_into(&jb, v, "media_states", get(get(ob, "media_notice"), "states"), "state",
		  "(no State with more than 500 residents affected)");
	join_into(&jb, v, "model_list", get(get(inc, "suspects"), "models"), NULL, "none");
	cf_jb_str(&jb, v, "hhs_text", str(get(ob, "hhs_notice"), "text"));
	cf_jb_str(&jb, v, "no_notice_reason", str(nn, "reason"));
	cf_jb_str(&jb, v, "no_notice_rule", str(nn, "rule"));
	cf_jb_str(&jb, v, "no_notice_head",
		  cf_json_str(nn, "head", "No breach notification is owed"));
	cf_jb_str(&jb, v, "no_notice_effect",
		  cf_json_str(nn, "effect",
			      "No notice to individuals, to the Secretary of HHS "
			      "or to the media is due, and no notification "
			      "deadline applies."));
	cf_jb_str(&jb, v, "substitute_text", str(get(ob, "substitute_notice"), "text"));
	/* what an AI tool did with the data, when one was involved
	 * (model_ai.c); nothing otherwise */
	cf_jb_str(&jb, v, "ai_paragraph", str(get(model, "ai"), "letter_paragraph"));
	for (size_t i = 0; i < sizeof claim / sizeof claim[0]; i++)
		cf_jb_str(&jb, v, claim[i], str(get(model, "letter"), claim[i]));
	return cf_jb_finish(&jb);
}

const char *cf_report_summary_tpl(const cJSON *model,
				  const struct cf_report_templates *t,
				  const char **name)
{
	if (t->no_notice && cJSON_IsObject(get(get(model, "determination"), "no_notice"))) {
		*name = CF_TPL_NO_NOTICE;
		return t->no_notice;
	}
	*name = CF_TPL_SUMMARY;
	return t->summary;
}

int cf_report_narrative(struct cf_ctx *ctx, const cJSON *model,
			const char *name, const char *tpl, struct cf_buf *out)
{
	cJSON *vars = cf_report_vars(model);
	int rc;

	if (!vars)
		return cf_set_nomem(ctx, name);
	rc = cf_tpl_fill(ctx, out, name, tpl, vars, cf_esc_md);
	cJSON_Delete(vars);
	return rc;
}

/* ---- SVG chart ------------------------------------------------------------ */

static const char *const palette[] = {"#1f5fa8", "#c2410c", "#15803d",
	"#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#475569"};
#define NPAL (sizeof palette / sizeof palette[0])
#define MAX_BINS 48

int cf_report_svg(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	static const int64_t steps[] = {3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 7 * 86400, 30 * 86400, 365 * 86400};
	const cJSON *tl = get(model, "timeline"), *acc = get(tl, "accesses");
	const cJSON *actors = get(tl, "accesses_by_actor"), *w = get(get(model, "incident"), "window");
	const cJSON *a, *act;
	int nact = cJSON_GetArraySize(actors), nbins, maxc = 1;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN, us, step = steps[0];
	unsigned *counts = NULL;
	const int W = 760, Hh = 300, L = 50, R = 70, T = 20, B = 80;
	char ts[CF_TIME_STR];

	if (!cf_time_parse(cf_json_str(w, "from", ""), -1, &us, NULL)) t0 = us;
	if (!cf_time_parse(cf_json_str(w, "to", ""), -1, &us, NULL)) t1 = us;
	cJSON_ArrayForEach(a, acc)
		if (!cf_time_parse(str(a, "ts"), -1, &us, NULL)) {
			if (us < t0) t0 = us;
			if (us > t1) t1 = us;
		}
	if (t0 == INT64_MAX || t1 < t0) {
		cf_buf_puts(out, "<p class=\"note\">No timed accesses to chart.</p>\n");
		return cf_buf_error(out) ? cf_set_nomem(ctx, "chart") : CF_OK;
	}
	t0 -= t0 % (3600 * CF_US_PER_SEC);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		step = steps[i];
		if ((t1 - t0) / (step * CF_US_PER_SEC) + 1 <= MAX_BINS)
			break;
	}
	nbins = (int)((t1 - t0) / (step * CF_US_PER_SEC) + 1);
	if (nbins > MAX_BINS)
		nbins = MAX_BINS;
	if (!(counts = calloc((size_t)nbins * (size_t)(nact ? nact : 1), sizeof *counts)))
		return cf_set_nomem(ctx, "chart");
	cJSON_ArrayForEach(a, acc) {
		int bin, ai = 0, tot = 0;

		if (cf_time_parse(str(a, "ts"), -1, &us, NULL))
			continue;
		bin = (int)((us - t0) / (step * CF_US_PER_SEC));
		if (bin >= nbins) bin = nbins - 1;
		cJSON_ArrayForEach(act, actors) {
			if (!strcmp(act->string, str(a, "actor")))
				break;
			ai++;
		}
		if (ai >= nact)
			continue;
		counts[bin * nact + ai]++;
		for (int k = 0; k < nact; k++)
			tot += (int)counts[bin * nact + k];
		if (tot > maxc)
			maxc = tot;
	}
	/* A round axis maximum so the four grid lines fall on whole counts. */
	maxc = (maxc + 3) / 4 * 4;
	cf_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
		      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" aria-label=\"", W, Hh + 20 * ((nact + 3) / 4), W, Hh + 20 * ((nact + 3) / 4));
	cf_buf_printf(out, "Accesses over time by actor, %d bins of %lld hours", nbins, (long long)(step / 3600));
	cf_buf_puts(out, "\">\n<title>Accesses over time by actor</title>\n");
	cf_buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, Hh + 20 * ((nact + 3) / 4));
	/* axes and horizontal grid */
	for (int g = 0; g <= 4; g++) {
		int y = T + (Hh - T - B) * g / 4;
		cf_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d4d4d8\" stroke-width=\"1\"/>\n", L, y, W - R, y);
		cf_buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#3f3f46\">%d</text>\n",
			      L - 6, y + 4, maxc - maxc * g / 4);
	}
	cf_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#3f3f46\"/>\n", L, Hh - B, W - R, Hh - B);
	{
		double bw = (double)(W - L - R) / nbins;
		int every = nbins > 12 ? (nbins + 11) / 12 : 1;

		for (int bin = 0; bin < nbins; bin++) {
			double y = Hh - B, x = L + bin * bw;
			int ai = 0;

			cJSON_ArrayForEach(act, actors) {
				unsigned c = counts[bin * nact + ai];
				double h = (double)(Hh - T - B) * c / maxc;

				if (c) {
					y -= h;
					cf_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
						      x + 1, y, bw > 3 ? bw - 2 : bw, h, palette[ai % NPAL]);
					cf_esc_html(out, act->string);
					cf_buf_printf(out, ": %u</title></rect>\n", c);
				}
				ai++;
			}
			if (bin % every == 0) {
				cf_time_format(t0 + bin * step * CF_US_PER_SEC, ts);
				ts[16] = 0; /* YYYY-MM-DDTHH:MM */
				ts[10] = ' ';
				cf_buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#3f3f46\" "
					      "transform=\"rotate(35 %.1f %d)\">%s</text>\n",
					      x + 2, Hh - B + 14, x + 2, Hh - B + 14, ts);
			}
		}
	}
	cf_buf_printf(out, "<text x=\"12\" y=\"%d\" font-size=\"11\" fill=\"#3f3f46\" transform=\"rotate(-90 12 %d)\" "
		      "text-anchor=\"middle\">accesses per %lld h</text>\n", (Hh - B + T) / 2, (Hh - B + T) / 2,
		      (long long)(step / 3600));
	{
		int ai = 0;

		cJSON_ArrayForEach(act, actors) {
			int x = L + (ai % 4) * 175, y = Hh + (ai / 4) * 20;

			cf_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10, palette[ai % NPAL]);
			cf_buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#18181b\">", x + 18, y);
			cf_esc_html(out, act->string);
			cf_buf_printf(out, " (%lld)</text>\n", (long long)act->valuedouble);
			ai++;
		}
	}
	cf_buf_puts(out, "</svg>\n");
	free(counts);
	return cf_buf_error(out) ? cf_set_nomem(ctx, "chart") : CF_OK;
}

