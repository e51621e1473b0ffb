# SPDX-License-Identifier: Apache-2.0
#
# Fuzz targets: every tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput.
# In every build each target is linked with replay.c, a main() that feeds it
# each file of tests/fuzz/corpus/<name>/ (seeds and the regression files of
# fixed crashes), and runs as the ctest fuzz/<name> (label "fuzz"). With
# -DCASEFILE_FUZZ=ON and clang, each is also built as a libFuzzer binary
# build/tests/fuzz_<name> for real fuzzing (tests/fuzz/README.md).
set(FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${FUZZ_DIR}/fuzz_*.c)

foreach(src ${FUZZ_SOURCES})
  get_filename_component(base ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name ${base})

  add_executable(replay_${name} ${src} ${FUZZ_DIR}/replay.c)
  target_include_directories(replay_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(replay_${name} PRIVATE cfcore ${CASEFILE_PART_LIBS})
  add_test(NAME fuzz/${name}
    COMMAND replay_${name} ${FUZZ_DIR}/corpus/${name})
  set_tests_properties(fuzz/${name} PROPERTIES LABELS fuzz TIMEOUT 120)

  if(CASEFILE_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "CASEFILE_FUZZ=ON needs clang (CC=clang)")
    endif()
    add_executable(${base} ${src})
    target_include_directories(${base} PRIVATE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${base} PRIVATE cfcore ${CASEFILE_PART_LIBS})
    target_link_options(${base} PRIVATE -fsanitize=fuzzer)
  endif()
endforeach()
