# Signing, request builders, error mapping, REST and private-stream parsing, and the emulator accepting
# what the adapter signs (the emulator's verifier and its Bybit API are linked in-process, no network).
kimp_test(bybit_account_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/credential_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/error_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/private_parse_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rest_emulator_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rest_parse_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rest_request_test.cpp
  DEPS kimp_venue_bybit_wire kimp_sim_auth kimp_sim_server
)
target_include_directories(bybit_account_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
