# SPDX-License-Identifier: Apache-2.0
#
# timeline/: `casefile timeline build|query|scope` (SPEC section 6). The
# parsers, the member reader and the builder form cf_timeline; the command
# is cmd_timeline.c. The store (src/db.c) and the scope computation
# (src/scope.c) are in the core because the breach report uses them too.
file(GLOB CF_TIMELINE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/timeline/*.c)
list(FILTER CF_TIMELINE_SOURCES EXCLUDE REGEX "/cmd_[a-z_]+\\.c$")
add_library(cf_timeline STATIC ${CF_TIMELINE_SOURCES})
# timeline/sigma: the shipped Sigma rule pack (`timeline detect` without
# --rules).
casefile_part(cf_timeline
  COMMANDS timeline/cmd_timeline.c timeline/cmd_detect.c
  DATA timeline/mappings mappings timeline/sigma sigma)
# libcsv (Debian libcsv-dev) has no pkg-config file.
find_package(Threads REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
target_link_libraries(cf_timeline PUBLIC Threads::Threads ${CSV_LIBRARY})
# The systemd journal parser reads journal files with sd-journal (Debian
# libsystemd-dev).
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
target_link_libraries(cf_timeline PUBLIC PkgConfig::LIBSYSTEMD)
# Sigma rules' `re` modifier is PCRE2 (Debian libpcre2-dev), as the Sigma
# specification asks.
pkg_check_modules(LIBPCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
target_link_libraries(cf_timeline PUBLIC PkgConfig::LIBPCRE2)
