/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the Sigma loader (timeline/sigma.c, which reads rule files,
 * correlations and logsources, and timeline/sigma_detection.c, which
 * compiles a rule's detection: values, modifiers and the condition).
 */
#ifndef CASEFILE_TIMELINE_SIGMA_LOAD_H
#define CASEFILE_TIMELINE_SIGMA_LOAD_H

#include <stddef.h>

#include "sigma_int.h"

struct fy_node;

/* A rule being compiled: where refusals point. Functions return 0, 1
 * (refused: why/feature/at set) or -1 (out of memory). */
struct lp {
	struct sigma_set *set;
	const char *file;
	struct fy_node *at;     /* node the refusal names */
	char why[384], feature[96];
	struct sigma_rule *r;
};

/* Refuses the rule being compiled: the feature it names and why, at node
 * `at` (or the last one named). Returns 1. */
int sg_refuse(struct lp *p, struct fy_node *at, const char *feature,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The text of a scalar node (len set), or NULL when it is not one. */
const char *sg_scalar(struct fy_node *n, size_t *len);
/* Compiles a rule's `detection` map into p->r: 0, 1 (refused) or -1. */
int sg_compile_detection(struct lp *p, struct fy_node *det);

#endif
