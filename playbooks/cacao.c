/* SPDX-License-Identifier: Apache-2.0
 *
 * OASIS CACAO 2.0 export and import.
 *
 * Export maps our steps onto CACAO workflow steps: action, run, notify and
 * deadline steps become `action` steps with one `manual` command (a person
 * does the work; a run step's command is the casefile command line),
 * decisions become `if-condition`, parallel groups become `parallel` whose
 * members each end at their own `end` step, as CACAO requires, plus the
 * `start` and final `end`. Owners become `individual` agents named after
 * the role. What CACAO has no property for (kind, checklist, evidence,
 * deadline, audience, the argv) travels in a step extension declared in
 * extension_definitions, so that import gives back the same playbook.
 * Identifiers are version-5 UUIDs of the playbook and step ids, so two
 * exports of one playbook name their steps alike.
 *
 * Import accepts start, end, action, if-condition and parallel steps; an
 * action without our extension becomes a manual action whose checklist is
 * its commands. Anything else is refused with the step named.
 */
#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "playbook.h"

/* Namespace of casefile's name-based identifiers. */
static const unsigned char ns_casefile[16] = {
	0x3b, 0x5e, 0x0c, 0x1a, 0x7d, 0x42, 0x4f, 0x19,
	0x9a, 0x61, 0x2e, 0x8c, 0x55, 0xd3, 0x07, 0xb4,
};

#define EXT_ID "extension-definition--0c1f6a2e-59d4-5b8e-8f3a-6d2b9e4c7a10"

/* type--UUIDv5(ns, a "/" b) into out (>= 80 bytes). */
static int ident(char *out, size_t n, const char *type, const char *a, const char *b)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) &&
		 EVP_DigestUpdate(c, ns_casefile, sizeof ns_casefile) &&
		 EVP_DigestUpdate(c, a, strlen(a)) && EVP_DigestUpdate(c, "/", 1) &&
		 EVP_DigestUpdate(c, b, strlen(b)) && EVP_DigestFinal_ex(c, md, &mdlen);

	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	snprintf(out, n,
		 "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 type, md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
		 md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
	return 0;
}

/* CACAO timestamps carry exactly three fractional digits. */
static void stamp(int64_t us, char out[CF_TIME_STR])
{
	cf_time_format(us - us % 1000, out);
	/* "....ss.uuuuuuZ" -> "....ss.uuuZ" */
	size_t n = strlen(out);
	out[n - 4] = 'Z';
	out[n - 3] = '\0';
}

static const char *step_type(const struct pb_step *s)
{
	return s->kind == PB_DECISION ? "if-condition" : s->kind == PB_PARALLEL ? "parallel"
										 : "action";
}

static int step_ident(const struct pb_playbook *pb, const char *id, char *out, size_t n)
{
	size_t i;

	if (!id || !strcmp(id, PB_END))
		return ident(out, n, "end", pb->id, PB_END);
	if ((i = pb_find(pb, id)) == PB_NONE)
		return -1;
	return ident(out, n, step_type(&pb->steps[i]), pb->id, id);
}

static int add_list(cJSON *o, const char *k, char *const *v, size_t n)
{
	cJSON *a;

	if (!n)
		return 0;
	if (!(a = cJSON_AddArrayToObject(o, k)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return -1;
		}
	}
	return 0;
}

static int export_step(const struct pb_playbook *pb, size_t i, cJSON *wf, cJSON *agents)
{
	const struct pb_step *s = &pb->steps[i];
	char id[96], ref[96], agent[96], endid[96];
	const char *role = s->owner ? s->owner : pb->roles[0];
	cJSON *st, *ext, *e;

	if (step_ident(pb, s->id, id, sizeof id) ||
	    !(st = cJSON_AddObjectToObject(wf, id)) ||
	    cf_json_add_str(st, "type", step_type(s)) || cf_json_add_str(st, "name", s->title) ||
	    (s->description && cf_json_add_str(st, "description", s->description)))
		return -1;
	if (s->kind == PB_DECISION) {
		const char *c = s->condition ? s->condition : s->question;
		if (cf_json_add_str(st, "condition", c) ||
		    step_ident(pb, s->on_true, ref, sizeof ref) || cf_json_add_str(st, "on_true", ref) ||
		    step_ident(pb, s->on_false, ref, sizeof ref) || cf_json_add_str(st, "on_false", ref) ||
		    step_ident(pb, PB_END, ref, sizeof ref) || cf_json_add_str(st, "on_completion", ref))
			return -1;
	} else if (s->kind == PB_PARALLEL) {
		cJSON *ns = cJSON_AddArrayToObject(st, "next_steps");
		if (!ns)
			return -1;
		for (size_t c = 0; c < s->nchildren; c++) {
			cJSON *r;
			if (step_ident(pb, pb->steps[s->children[c]].id, ref, sizeof ref) ||
			    !(r = cJSON_CreateString(ref)) || !cJSON_AddItemToArray(ns, r))
				return -1;
		}
	} else {
		struct cf_buf cmd;
		cJSON *cmds = cJSON_AddArrayToObject(st, "commands"), *c1;
		int bad;
		cf_buf_init(&cmd);
		if (s->kind == PB_RUN) {
			cf_buf_puts(&cmd, "casefile");
			for (size_t k = 0; k < s->argc; k++)
				cf_buf_printf(&cmd, " %s", s->argv[k]);
		} else
			cf_buf_puts(&cmd, s->title ? s->title : "");
		bad = cf_buf_error(&cmd) ||
		      ident(agent, sizeof agent, "individual", pb->id, role) || !cmds ||
		      !(c1 = cJSON_CreateObject()) || !cJSON_AddItemToArray(cmds, c1) ||
		      cf_json_add_str(c1, "type", "manual") ||
		      cf_json_add_str(c1, "command", cmd.data ? cmd.data : "") ||
		      cf_json_add_str(st, "agent", agent);
		cf_buf_release(&cmd);
		if (bad)
			return -1;
		if (!cJSON_GetObjectItemCaseSensitive(agents, agent)) {
			cJSON *a = cJSON_AddObjectToObject(agents, agent);
			if (!a || cf_json_add_str(a, "type", "individual") ||
			    cf_json_add_str(a, "name", role))
				return -1;
		}
	}
	if (s->kind != PB_DECISION) {
		const char *next = s->parent != PB_NONE ? NULL : pb_successor(pb, i, 0);
		if (s->parent != PB_NONE) {
			/* each branch of a parallel step ends at its own end step */
			if (ident(endid, sizeof endid, "end", pb->id, s->id) ||
			    !(e = cJSON_AddObjectToObject(wf, endid)) ||
			    cf_json_add_str(e, "type", "end") ||
			    cf_json_add_str(st, "on_completion", endid))
				return -1;
		} else if (step_ident(pb, next, ref, sizeof ref) ||
			   cf_json_add_str(st, "on_completion", ref))
			return -1;
	}
	if (!(e = cJSON_AddObjectToObject(st, "step_extensions")) ||
	    !(ext = cJSON_AddObjectToObject(e, EXT_ID)) || cf_json_add_str(ext, "id", s->id) ||
	    cf_json_add_str(ext, "kind", pb_kind_name(s->kind)) ||
	    (s->owner && cf_json_add_str(ext, "owner", s->owner)) ||
	    (s->deadline && cf_json_add_str(ext, "deadline", s->deadline)) ||
	    add_list(ext, "checklist", s->checklist, s->nchecklist) ||
	    add_list(ext, "evidence", s->evidence, s->nevidence) ||
	    add_list(ext, "run", s->argv, s->argc) ||
	    (s->save && cf_json_add_str(ext, "save", s->save)) ||
	    (s->question && cf_json_add_str(ext, "question", s->question)) ||
	    (s->condition && cf_json_add_str(ext, "condition", s->condition)) ||
	    (s->audience && cf_json_add_str(ext, "audience", s->audience)) ||
	    (s->template_name && cf_json_add_str(ext, "template", s->template_name)))
		return -1;
	return 0;
}

int pb_cacao_export(struct cf_ctx *ctx, const struct pb_playbook *pb,
		    int64_t now, cJSON **out)
{
	char id[96], start[96], first[96], endid[96], who[96], ts[CF_TIME_STR];
	cJSON *j, *wf, *agents, *ext, *e, *labels;

	*out = NULL;
	stamp(now, ts);
	if (ident(id, sizeof id, "playbook", pb->id, "") ||
	    ident(start, sizeof start, "start", pb->id, "start") ||
	    ident(endid, sizeof endid, "end", pb->id, PB_END) ||
	    ident(who, sizeof who, "identity", "casefile", "casefile") ||
	    step_ident(pb, pb->steps[pb->first].id, first, sizeof first))
		return cf_set_error(ctx, 0, "cannot make CACAO identifiers");
	if (!(j = cJSON_CreateObject()) || cf_json_add_str(j, "type", "playbook") ||
	    cf_json_add_str(j, "spec_version", "cacao-2.0") || cf_json_add_str(j, "id", id) ||
	    cf_json_add_str(j, "name", pb->title) ||
	    (pb->description && cf_json_add_str(j, "description", pb->description)) ||
	    !(labels = cJSON_AddArrayToObject(j, "industry_sectors")) ||
	    !cJSON_AddItemToArray(labels, cJSON_CreateString("healthcare")) ||
	    !(labels = cJSON_AddArrayToObject(j, "labels")) ||
	    !cJSON_AddItemToArray(labels, cJSON_CreateString("hipaa")) ||
	    !cJSON_AddItemToArray(labels, cJSON_CreateString(pb->id)) ||
	    cf_json_add_str(j, "created_by", who) || cf_json_add_str(j, "created", ts) ||
	    cf_json_add_str(j, "modified", ts) || cf_json_add_str(j, "workflow_start", start) ||
	    !(wf = cJSON_AddObjectToObject(j, "workflow")) ||
	    !(e = cJSON_AddObjectToObject(wf, start)) || cf_json_add_str(e, "type", "start") ||
	    cf_json_add_str(e, "on_completion", first) ||
	    !(e = cJSON_AddObjectToObject(wf, endid)) || cf_json_add_str(e, "type", "end") ||
	    !(agents = cJSON_AddObjectToObject(j, "agent_definitions")))
		goto nomem;
	for (size_t i = 0; i < pb->nsteps; i++)
		if (export_step(pb, i, wf, agents))
			goto nomem;
	if (!(e = cJSON_AddObjectToObject(j, "extension_definitions")) ||
	    !(ext = cJSON_AddObjectToObject(e, EXT_ID)) ||
	    cf_json_add_str(ext, "type", "extension-definition") ||
	    cf_json_add_str(ext, "name", "casefile playbook step") ||
	    cf_json_add_str(ext, "description",
			    "The casefile playbook step (kind, owner role, checklist, evidence, "
			    "casefile command line, deadline after discovery, notice audience), "
			    "documented in casefile-playbook(5)") ||
	    cf_json_add_str(ext, "created_by", who) ||
	    cf_json_add_str(ext, "schema", "https://casefile.invalid/man/casefile-playbook.5") ||
	    cf_json_add_str(ext, "version", "1.0") ||
	    !(e = cJSON_AddObjectToObject(j, "playbook_extensions")) ||
	    !(ext = cJSON_AddObjectToObject(e, EXT_ID)) || cf_json_add_str(ext, "id", pb->id) ||
	    add_list(ext, "roles", pb->roles, pb->nroles))
		goto nomem;
	if (pb->nvars) {
		cJSON *v = cJSON_AddObjectToObject(ext, "vars");
		if (!v)
			goto nomem;
		for (size_t i = 0; i < pb->nvars; i++)
			if (cf_json_add_str(v, pb->var_names[i], pb->var_values[i]))
				goto nomem;
	}
	*out = j;
	return CF_OK;
nomem:
	cJSON_Delete(j);
	return cf_set_nomem(ctx, "CACAO export");
}

/* ==== import ============================================================ */

struct imp {
	struct cf_ctx *ctx;
	const cJSON *wf, *agents;
	struct pb_playbook *pb;
	size_t cap;
};

static char *dup_or_null(const char *s)
{
	return s ? cf_strdup(s) : NULL;
}

static char **list_of(const cJSON *a, size_t *n)
{
	const cJSON *e;
	char **v;
	size_t k = 0;

	*n = 0;
	if (!cJSON_IsArray(a) || !cJSON_GetArraySize(a))
		return NULL;
	if (!(v = cf_calloc((size_t)cJSON_GetArraySize(a), sizeof *v)))
		return NULL;
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && (v[k] = cf_strdup(e->valuestring)))
			k++;
	*n = k;
	return v;
}

/* Our id for a CACAO step: the extension's, else a slug of its name,
 * else its identifier. */
static char *our_id(const char *cid, const cJSON *st)
{
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(st, "step_extensions"), EXT_ID);
	const char *name = cf_json_str(st, "name", NULL);
	char slug[64];
	size_t k = 0;

	if (cf_json_str(ext, "id", NULL))
		return cf_strdup(cf_json_str(ext, "id", NULL));
	if (!name)
		return cf_strdup(cid);
	for (const char *p = name; *p && k < sizeof slug - 1; p++) {
		if (isalnum((unsigned char)*p))
			slug[k++] = (char)tolower((unsigned char)*p);
		else if (k && slug[k - 1] != '-')
			slug[k++] = '-';
	}
	while (k && slug[k - 1] == '-')
		k--;
	slug[k] = '\0';
	return cf_strdup(k ? slug : cid);
}

static size_t find_cid(struct imp *I, const char **cids, const char *cid)
{
	for (size_t i = 0; i < I->pb->nsteps; i++)
		if (!strcmp(cids[i], cid))
			return i;
	return PB_NONE;
}

/* The id a CACAO reference becomes: a step's id, or "end" (no reference
 * at all is the end too, even when the workflow has a step named ""). */
static char *ref_of(struct imp *I, const char *cid)
{
	const cJSON *st = cid ? cJSON_GetObjectItemCaseSensitive(I->wf, cid) : NULL;

	if (!st || !strcmp(cf_json_str(st, "type", ""), "end"))
		return cf_strdup(PB_END);
	return our_id(cid, st);
}

static int import_step(struct imp *I, const char *cid, const cJSON *st, size_t parent,
		       const char ***cids)
{
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(st, "step_extensions"), EXT_ID);
	const char *type = cf_json_str(st, "type", "");
	const char *kind = cf_json_str(ext, "kind", NULL);
	struct pb_playbook *pb = I->pb;
	struct pb_step *s;
	size_t i;

	if (pb->nsteps == I->cap) {
		size_t cap = I->cap ? I->cap * 2 : 16;
		struct pb_step *ns = cf_realloc(pb->steps, cap * sizeof *ns);
		const char **nc;
		if (!ns)
			return cf_set_nomem(I->ctx, "import");
		pb->steps = ns;
		if (!(nc = cf_realloc(*cids, cap * sizeof *nc)))
			return cf_set_nomem(I->ctx, "import");
		*cids = nc;
		I->cap = cap;
	}
	i = pb->nsteps++;
	s = &pb->steps[i];
	memset(s, 0, sizeof *s);
	(*cids)[i] = cid;
	s->parent = parent;
	s->deadline_us = -1;
	s->id = our_id(cid, st);
	s->title = dup_or_null(cf_json_str(st, "name", s->id));
	s->description = dup_or_null(cf_json_str(st, "description", NULL));
	if (!strcmp(type, "if-condition")) {
		s->kind = PB_DECISION;
		s->condition = dup_or_null(cf_json_str(ext, "condition", NULL));
		s->question = dup_or_null(cf_json_str(ext, "question", NULL));
		if (!s->condition && !s->question)
			s->question = dup_or_null(cf_json_str(st, "condition", "?"));
		s->on_true = ref_of(I, cf_json_str(st, "on_true", NULL));
		s->on_false = ref_of(I, cf_json_str(st, "on_false", NULL));
	} else if (!strcmp(type, "parallel")) {
		s->kind = PB_PARALLEL;
	} else if (!strcmp(type, "action")) {
		s->kind = PB_ACTION;
		for (int k = 0; kind && k < PB_KINDS; k++)
			if (!strcmp(kind, pb_kind_name((enum pb_kind)k)))
				s->kind = (enum pb_kind)k;
		s->argv = list_of(cJSON_GetObjectItemCaseSensitive(ext, "run"), &s->argc);
		s->save = dup_or_null(cf_json_str(ext, "save", NULL));
		s->audience = dup_or_null(cf_json_str(ext, "audience", NULL));
		s->template_name = dup_or_null(cf_json_str(ext, "template", NULL));
		s->evidence = list_of(cJSON_GetObjectItemCaseSensitive(ext, "evidence"),
				      &s->nevidence);
		if (ext)
			s->checklist = list_of(cJSON_GetObjectItemCaseSensitive(ext, "checklist"),
					       &s->nchecklist);
		else { /* a foreign playbook: its commands are the checklist */
			const cJSON *c;
			size_t n = 0;
			s->checklist = cf_calloc((size_t)cJSON_GetArraySize(
				cJSON_GetObjectItemCaseSensitive(st, "commands")) + 1, sizeof(char *));
			cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "commands"))
				if (s->checklist && cf_json_str(c, "command", NULL))
					s->checklist[n++] = cf_strdup(cf_json_str(c, "command", ""));
			s->nchecklist = n;
		}
	} else
		return cf_set_error(I->ctx, 0,
				    "CACAO step '%s' has type '%s', which casefile playbooks do not support (start, end, action, if-condition, parallel)",
				    cid, type);
	s->deadline = dup_or_null(cf_json_str(ext, "deadline", NULL));
	if (s->deadline && cf_duration_parse(s->deadline, &s->deadline_us))
		return cf_set_error(I->ctx, 0, "CACAO step '%s': bad deadline '%s'", cid,
				    s->deadline);
	s->owner = dup_or_null(cf_json_str(ext, "owner", NULL));
	if (!s->owner && s->kind != PB_DECISION && s->kind != PB_PARALLEL) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(I->agents,
								  cf_json_str(st, "agent", ""));
		s->owner = dup_or_null(cf_json_str(a, "name", NULL));
	}
	if (s->kind == PB_DECISION && s->question && !s->owner && pb->nroles)
		s->owner = cf_strdup(pb->roles[0]);
	if (!s->id || !s->title)
		return cf_set_nomem(I->ctx, "import");
	return CF_OK;
}

int pb_cacao_import(struct cf_ctx *ctx, const cJSON *cacao,
		    struct pb_playbook **out)
{
	struct imp I = {ctx, NULL, NULL, NULL, 0};
	const cJSON *pext, *start, *st;
	const char **cids = NULL, **queue = NULL;
	size_t nq = 0, qcap, head = 0;
	int rc = CF_FAILED;

	*out = NULL;
	if (strcmp(cf_json_str(cacao, "type", ""), "playbook") ||
	    strcmp(cf_json_str(cacao, "spec_version", ""), "cacao-2.0"))
		return cf_set_error(ctx, 0, "not a CACAO 2.0 playbook (type and spec_version)");
	I.wf = cJSON_GetObjectItemCaseSensitive(cacao, "workflow");
	I.agents = cJSON_GetObjectItemCaseSensitive(cacao, "agent_definitions");
	start = cJSON_GetObjectItemCaseSensitive(I.wf, cf_json_str(cacao, "workflow_start", ""));
	if (!cJSON_IsObject(I.wf) || !start || strcmp(cf_json_str(start, "type", ""), "start"))
		return cf_set_error(ctx, 0, "CACAO playbook: workflow_start names no start step");
	if (!(I.pb = cf_calloc(1, sizeof *I.pb)))
		return cf_set_nomem(ctx, "import");
	pext = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cacao, "playbook_extensions"), EXT_ID);
	I.pb->first = 0;
	I.pb->path = cf_strdup("(CACAO import)");
	/* our id when we exported it, else a slug of the name (or the CACAO
	 * id): it names the playbook's state folder, so it must be present */
	I.pb->id = cf_json_str(pext, "id", NULL) ? cf_strdup(cf_json_str(pext, "id", NULL))
		   : our_id(cf_json_str(cacao, "id", "imported-playbook"), cacao);
	I.pb->title = dup_or_null(cf_json_str(cacao, "name", NULL));
	I.pb->description = dup_or_null(cf_json_str(cacao, "description", NULL));
	I.pb->roles = list_of(cJSON_GetObjectItemCaseSensitive(pext, "roles"), &I.pb->nroles);
	if (!I.pb->roles) { /* foreign playbook: its agents are the roles */
		const cJSON *a;
		size_t n = 0;
		I.pb->roles = cf_calloc((size_t)cJSON_GetArraySize(I.agents) + 1, sizeof(char *));
		cJSON_ArrayForEach(a, I.agents)
			if (I.pb->roles && cf_json_str(a, "name", NULL))
				I.pb->roles[n++] = cf_strdup(cf_json_str(a, "name", ""));
		I.pb->nroles = n;
	}
	{
		const cJSON *vars = cJSON_GetObjectItemCaseSensitive(pext, "vars"), *v;
		size_t n = (size_t)cJSON_GetArraySize(vars), k = 0;
		if (n && (!(I.pb->var_names = cf_calloc(n, sizeof(char *))) ||
			  !(I.pb->var_values = cf_calloc(n, sizeof(char *))))) {
			rc = cf_set_nomem(ctx, "import");
			goto out;
		}
		cJSON_ArrayForEach(v, vars) {
			if (!cJSON_IsString(v))
				continue;
			if (!(I.pb->var_names[k] = cf_strdup(v->string)) ||
			    !(I.pb->var_values[k] = cf_strdup(v->valuestring))) {
				free(I.pb->var_names[k]);
				I.pb->var_names[k] = NULL;
				rc = cf_set_nomem(ctx, "import");
				goto out;
			}
			I.pb->nvars = ++k;
		}
	}
	qcap = 3 * (size_t)cJSON_GetArraySize(I.wf) + 1;
	if (!I.pb->path || !I.pb->id || !(queue = cf_calloc(qcap, sizeof *queue))) {
		rc = cf_set_nomem(ctx, "import");
		goto out;
	}
	/* Breadth-first from the start, so the file lists steps in the order
	 * they are reached; members of parallel groups follow their group. */
	queue[nq++] = cf_json_str(start, "on_completion", "");
	while (head < nq) {
		const char *cid = queue[head++];
		size_t at;
		const cJSON *nxt;
		const char *refs[3];

		st = cJSON_GetObjectItemCaseSensitive(I.wf, cid);
		if (!st) {
			rc = cf_set_error(ctx, 0, "CACAO playbook: reference to unknown step '%s'", cid);
			goto out;
		}
		if (!strcmp(cf_json_str(st, "type", ""), "end") || find_cid(&I, cids, cid) != PB_NONE)
			continue;
		at = I.pb->nsteps;
		if (import_step(&I, cid, st, PB_NONE, &cids) != CF_OK)
			goto out;
		if (I.pb->steps[at].kind == PB_PARALLEL) {
			const cJSON *ns = cJSON_GetObjectItemCaseSensitive(st, "next_steps"), *c;
			size_t k = 0, *kids = cf_calloc((size_t)cJSON_GetArraySize(ns) + 1, sizeof *kids);
			if (!kids) {
				rc = cf_set_nomem(ctx, "import");
				goto out;
			}
			cJSON_ArrayForEach(c, ns) {
				const cJSON *cs;
				if (!cJSON_IsString(c) || !(cs = cJSON_GetObjectItemCaseSensitive(I.wf, c->valuestring))) {
					free(kids);
					rc = cf_set_error(ctx, 0, "CACAO step '%s': bad next_steps", cid);
					goto out;
				}
				kids[k++] = I.pb->nsteps;
				if (import_step(&I, c->valuestring, cs, at, &cids) != CF_OK) {
					free(kids);
					goto out;
				}
			}
			I.pb->steps[at].children = kids;
			I.pb->steps[at].nchildren = k;
		}
		refs[0] = cf_json_str(st, "on_completion", cf_json_str(st, "on_success", NULL));
		refs[1] = cf_json_str(st, "on_true", NULL);
		refs[2] = cf_json_str(st, "on_false", NULL);
		if (I.pb->steps[at].kind == PB_DECISION)
			refs[0] = NULL; /* our decisions continue through their branches */
		else if (!(I.pb->steps[at].next = ref_of(&I, refs[0]))) {
			rc = cf_set_nomem(ctx, "import");
			goto out;
		}
		for (int r = 0; r < 3; r++) {
			nxt = refs[r] ? cJSON_GetObjectItemCaseSensitive(I.wf, refs[r]) : NULL;
			if (nxt && nq < qcap)
				queue[nq++] = refs[r];
		}
	}
	if (!I.pb->nsteps) {
		rc = cf_set_error(ctx, 0, "CACAO playbook has no steps");
		goto out;
	}
	*out = I.pb;
	I.pb = NULL;
	rc = CF_OK;
out:
	pb_free(I.pb);
	free(cids);
	free(queue);
	return rc;
}
