/* SPDX-License-Identifier: Apache-2.0
 *
 * The commands of the dispatch table in src/main.c. Each lives in its part
 * (collect/, verify/, ...) or, for commands of the core (key), in src/, and
 * takes argv with argv[0] = the command's name. A command returns a process
 * exit status (SPEC section 0) and is the only code that prints.
 */
#ifndef CASEFILE_COMMANDS_H
#define CASEFILE_COMMANDS_H

int cmd_add(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_playbook(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
