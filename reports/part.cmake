# SPDX-License-Identifier: Apache-2.0
#
# reports/: the breach notification package and the chain-of-custody
# report (SPEC section 8). cmark renders the narrative Markdown to HTML;
# libxlsxwriter writes the affected-individuals workbook.
pkg_check_modules(CMARK REQUIRED IMPORTED_TARGET libcmark)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
add_library(cf_reports STATIC
  reports/custody_report.c reports/dbscope.c reports/drill_report.c reports/escape.c reports/incident.c
  reports/model.c reports/model_counting.c reports/model_notices.c reports/model_rules.c reports/model_risk.c reports/model_safety.c reports/render.c reports/render_counting.c reports/render_csv.c reports/render_html.c
  reports/render_md.c reports/render_rules.c reports/render_safety.c reports/rules.c reports/xlsx.c
  reports/model_findings.c reports/render_findings.c reports/report_inputs.c)
target_include_directories(cf_reports PUBLIC ${CMAKE_SOURCE_DIR}/reports)
target_link_libraries(cf_reports PUBLIC cfcore PkgConfig::CMARK
  PkgConfig::XLSXWRITER)
list(APPEND CASEFILE_PART_LIBS cf_reports)
list(APPEND CASEFILE_CMD_SOURCES reports/cmd_report.c)
install(DIRECTORY reports/templates/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/casefile/templates)
