# Public stream parsing: orderbook, publicTrade, tickers and kline frames and op replies.
target_sources(kimp_venue_bybit_wire PRIVATE ${CMAKE_CURRENT_LIST_DIR}/parse_stream.cpp)
