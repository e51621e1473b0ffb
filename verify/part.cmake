# SPDX-License-Identifier: Apache-2.0
#
# verify/: `casefile verify` and the case, seal and disclose commands
# (SPEC sections 4 and 5). The archive reader and verifier live in the core
# (src/archive*.c) because timeline and the case commands read archives
# too. Sealed logs and proofs are modules of this part (cf_verify); trusted
# keys come from the core's keyring.
find_package(Threads REQUIRED)
add_library(cf_verify STATIC verify/scan.c verify/seal.c verify/seal_verify.c
  verify/proof.c verify/proof_check.c)
target_include_directories(cf_verify PUBLIC verify)
target_link_libraries(cf_verify PUBLIC Threads::Threads)
# verify and its modes, and the case, seal and disclose commands.
casefile_part(cf_verify
  COMMANDS verify/cmd_verify.c verify/cmd_seal.c verify/verify_log.c
  verify/verify_modes.c verify/cmd_init.c verify/verify_custody.c
  verify/verify_proof.c verify/cmd_disclose.c verify/cmd_add.c)
