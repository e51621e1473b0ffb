# SPDX-License-Identifier: Apache-2.0
#
# reports/: the breach notification package and the chain-of-custody
# report (SPEC section 8). cmark renders the narrative Markdown to HTML;
# libxlsxwriter writes the affected-individuals workbook.
pkg_check_modules(CMARK REQUIRED IMPORTED_TARGET libcmark)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
add_library(cf_reports STATIC
  reports/custody_report.c reports/dbscope.c reports/drill_report.c reports/escape.c reports/incident.c
  reports/model.c reports/model_counting.c reports/model_notices.c reports/model_rules.c reports/model_risk.c reports/model_safety.c reports/model_ai.c reports/model_exposure.c reports/render.c reports/render_counting.c reports/render_markup.c reports/render_csv.c reports/render_html.c
  reports/render_md.c reports/render_rules.c reports/render_safety.c reports/render_ai.c reports/rules.c reports/xlsx.c
  reports/model_findings.c reports/render_findings.c reports/hhs_worksheet.c
  reports/hhs_log.c reports/mailing.c reports/report_inputs.c
  reports/states.c reports/model_states.c reports/render_states.c)
target_include_directories(cf_reports PUBLIC ${CMAKE_SOURCE_DIR}/reports)
# libcsv (no pkg-config file) splits a roster row back for the mailing list.
find_library(CSV_LIBRARY csv REQUIRED)
target_link_libraries(cf_reports PUBLIC PkgConfig::CMARK PkgConfig::XLSXWRITER
  ${CSV_LIBRARY})
casefile_part(cf_reports
  COMMANDS reports/cmd_report.c reports/cmd_report_filing.c
  DATA reports/templates templates reports/states states)
