# SPDX-License-Identifier: Apache-2.0
#
# view/: `casefile view` (SPEC section 6), the timeline, findings and
# evidence served to a browser. libmicrohttpd (Debian libmicrohttpd-dev)
# is the web server; the page (HTML, CSS, JavaScript, no network fetches)
# ships as data and is served from memory.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
add_library(cf_view STATIC view/api.c view/http.c view/raw.c)
target_include_directories(cf_view PUBLIC ${CMAKE_SOURCE_DIR}/view)
target_link_libraries(cf_view PUBLIC PkgConfig::MHD)
casefile_part(cf_view COMMANDS view/cmd_view.c DATA view/assets view)
