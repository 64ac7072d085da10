# Signing, errors, request builders, REST and private-stream parsing of the Bybit adapter.
target_sources(kimp_venue_bybit_wire
  PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/credential.cpp
    ${CMAKE_CURRENT_LIST_DIR}/error.cpp
    ${CMAKE_CURRENT_LIST_DIR}/parse_fields.cpp
    ${CMAKE_CURRENT_LIST_DIR}/parse_private.cpp
    ${CMAKE_CURRENT_LIST_DIR}/parse_rest.cpp
    ${CMAKE_CURRENT_LIST_DIR}/request.cpp
)
