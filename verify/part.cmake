# SPDX-License-Identifier: Apache-2.0
#
# verify/: the `casefile verify` command. The archive reader and verifier
# live in the core (src/archive.c, src/archive_verify.c) because timeline
# and the case commands read archives too; this part is the command.
list(APPEND CASEFILE_CMD_SOURCES verify/cmd_verify.c)
