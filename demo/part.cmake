# SPDX-License-Identifier: Apache-2.0
#
# demo/: the synthetic environment generator and `casefile demo` (SPEC
# section 9). The generator is a library so that its unit tests drive it
# directly; the MLflow schema it builds stores from ships as data.
find_package(ZLIB REQUIRED)
add_library(cf_demo STATIC
  demo/gen_ehr.c demo/gen_host.c demo/gen_model.c demo/gen_rng.c
  demo/gen_run.c demo/gen_sink.c demo/gen_truth.c demo/gen_world.c)
target_include_directories(cf_demo PUBLIC demo)
target_link_libraries(cf_demo PUBLIC ZLIB::ZLIB)
casefile_part(cf_demo COMMANDS demo/cmd_demo.c DATA demo/schemas schemas)
