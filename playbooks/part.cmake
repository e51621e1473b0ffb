# SPDX-License-Identifier: Apache-2.0
#
# Playbooks and drills (SPEC section 7): the format, validator, engine,
# CACAO exchange and drills in cf_playbooks; the commands `playbook` and
# `drill`; the shipped playbooks, notice templates and drill scenarios.
add_library(cf_playbooks STATIC
  playbooks/playbook.c playbooks/expr.c playbooks/clocks.c
  playbooks/engine.c playbooks/engine_state.c
  playbooks/engine_steps.c playbooks/library.c playbooks/cacao.c playbooks/drill.c
  playbooks/drill_scenario.c playbooks/drill_report.c playbooks/case_status.c)
target_include_directories(cf_playbooks PUBLIC ${CMAKE_SOURCE_DIR}/playbooks)
casefile_part(cf_playbooks
  COMMANDS playbooks/cmd_playbook.c playbooks/cmd_drill.c playbooks/cmd_status.c
  DATA playbooks/library playbooks playbooks/scenarios scenarios)
