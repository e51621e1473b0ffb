# SPDX-License-Identifier: Apache-2.0
#
# collect/: `casefile collect` (SPEC sections 2 and 3) - profiles, the
# evidence-archive writer and the sources. Shipped profiles are installed
# to share/casefile/profiles, where cf_data_dir("profiles") finds them.
# What each file is for: collect/README.md.
add_library(cf_collect STATIC
  collect/collect.c collect/collector.c collect/items.c collect/previous.c
  collect/profile.c collect/reader.c collect/sources.c collect/system.c
  collect/walk.c collect/writer.c)
target_include_directories(cf_collect PUBLIC ${CMAKE_SOURCE_DIR})
casefile_part(cf_collect COMMANDS collect/cmd_collect.c
              DATA collect/profiles profiles)
list(APPEND CASEFILE_PART_UNIT_TESTS collect_profile collect_writer)
