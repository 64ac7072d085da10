# Public stream tests: parsing of recorded payloads, malformed frames, the capture through the books,
# and the allocation count of the book path (its own binary: it replaces the global operator new).
kimp_test(bybit_stream_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/book_capture_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/stream_malformed_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/stream_parse_test.cpp
  DEPS kimp_venue_bybit_wire kimp_market Boost::json
)

# Not under the sanitizers: they own operator new themselves, and replacing it there mismatches the
# allocations of shared libraries. `make test` builds and runs the "allocation" label in the Release tree.
if(NOT KIMP_SANITIZE)
  kimp_test(bybit_book_alloc_tests
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/book_alloc_test.cpp
    DEPS kimp_venue_bybit_wire kimp_market
    LABELS allocation
  )
  target_include_directories(bybit_book_alloc_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
endif()
