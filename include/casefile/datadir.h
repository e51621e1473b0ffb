/* SPDX-License-Identifier: Apache-2.0
 *
 * Finding the data casefile ships (profiles, playbooks, scenarios, report
 * templates) whether it runs installed or from a build tree.
 *
 * Data sits beside the code that reads it in the source tree
 * (collect/profiles, playbooks/library, ...) and is installed under
 * DATADIR/casefile/<kind>/. Look-up order: $CASEFILE_DATA/<kind>, the
 * installed folder relative to the running binary (../share/casefile),
 * the configured install prefix, then the source tree the binary was built
 * from. The first folder that exists wins.
 */
#ifndef CASEFILE_DATADIR_H
#define CASEFILE_DATADIR_H

struct cf_ctx;

/* kind: "profiles", "playbooks", "scenarios", "templates", "states" (the
 * State notification rules), "schemas",
 * "sigma" (the detection rule pack).
 * Returns the folder as a heap string, or NULL with ctx set when none
 * exists. */
char *cf_data_dir(struct cf_ctx *ctx, const char *kind);
/* The file `name` inside cf_data_dir(kind); NULL with ctx set if absent. */
char *cf_data_file(struct cf_ctx *ctx, const char *kind, const char *name);

#endif
