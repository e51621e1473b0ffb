/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify`: dispatch between its modes. --log, --proof and
 * --custody (SPEC section 5) go to verify_log.c, verify_proof.c and
 * verify_custody.c; archive verification (SPEC section 4) is its own mode.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/cli.h"
#include "casefile/error.h"
#include "commands.h"
#include "verify_modes.h"

int cmd_verify(int argc, char **argv)
{
	int (*fn)(int, char **);

	if (verify_mode_select(argc, argv, &fn))
		return fn(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs("usage: casefile verify --key PUB --log LOG [--seal FILE] [--json]\n"
		      "       casefile verify --key PUB --proof PROOF.json [--json]\n"
		      "       casefile verify --key PUB --custody [DIR|FILE] [--json]\n",
		      stdout);
		return CF_EXIT_OK;
	}
	return cf_cli_usage("give --log, --proof or --custody");
}
