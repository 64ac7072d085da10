# The Bybit REST client and stream feeds against the `kimp venue-sim` process over loopback.
kimp_test(bybit_emulator_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/emulator_feed_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/emulator_rest_test.cpp
  DEPS kimp_venue_bybit Boost::json
)
target_include_directories(bybit_emulator_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_compile_definitions(bybit_emulator_tests PRIVATE KIMP_CLI_PATH="$<TARGET_FILE:kimp>")
add_dependencies(bybit_emulator_tests kimp)
