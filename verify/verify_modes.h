/* SPDX-License-Identifier: Apache-2.0
 *
 * The modes of `casefile verify` other than archives (SPEC section 5):
 * --log (sealed logs), --proof (disclosure proofs) and --custody (a case's
 * custody log). cmd_verify.c hands the whole argv to one of them when its
 * option is present. Each returns a process exit status.
 */
#ifndef CASEFILE_VERIFY_MODES_H
#define CASEFILE_VERIFY_MODES_H

#include "casefile/error.h"
#include "casefile/keyring.h"

int verify_log_main(int argc, char **argv);
int verify_proof_main(int argc, char **argv);
int verify_custody_main(int argc, char **argv);
/* 1 when argv asks for one of these modes; *fn gets its entry point. */
int verify_mode_select(int argc, char **argv, int (**fn)(int, char **));

/* Options the three modes share; each mode then checks what it needs. */
struct vm_args {
	char **trust;        /* --trust, repeatable (points into argv) */
	char **keys;         /* --key, repeatable: see cf_cli_keyring() */
	size_t ntrust, nkeys;
	int json;            /* --json */
	int custody;         /* --custody */
	const char *log, *seal, *proof;
	int first_operand;   /* index in argv of the first non-option */
};
/* 1 when a trusted key was named (--trust or --key). */
#define VM_HAS_KEYS(a) ((a)->ntrust + (a)->nkeys > 0)
/* Parses argv; -h prints usage to stdout. Returns -1 to go on, or the exit
 * status to return (0 after --help, 2 on a bad option, 3 out of memory).
 * Release with vm_release() either way. */
int vm_parse(int argc, char **argv, const char *usage, struct vm_args *a);
/* Which mode a command is: its own option must be given (--custody is how
 * verify chose it) and no other mode's. */
enum vm_mode { VM_LOG, VM_PROOF, VM_CUSTODY };
/* The start every mode shares: vm_parse(), the mode's options checked (at
 * most max_operands operands, a trusted key named; misuse is the usage
 * message otherwise), ctx initialised and the trusted keys loaded into
 * *kr. Returns -1 to go on, or the exit status to return. */
int vm_start(int argc, char **argv, const char *usage, enum vm_mode mode,
	     int max_operands, const char *misuse, struct vm_args *a,
	     struct cf_ctx *ctx, cf_keyring **kr);
void vm_release(struct vm_args *a);

#endif
