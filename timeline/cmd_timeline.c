/* SPDX-License-Identifier: Apache-2.0 */
#include "commands.h"
int cmd_timeline(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
