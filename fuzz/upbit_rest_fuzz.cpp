// Fuzz target: one Upbit REST body through every response parser, with a success and an error status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "venues/upbit/parse_rest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace upbit = kimp::venues::upbit;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const unsigned status : {200U, 400U}) {
    (void)upbit::parse_accounts(status, body);
    (void)upbit::parse_order_chance(status, body);
    (void)upbit::parse_order(status, body);
    (void)upbit::parse_orderbook(status, body);
    (void)upbit::parse_tickers(status, body);
    (void)upbit::parse_markets(status, body);
    (void)upbit::parse_trade_ticks(status, body);
    (void)upbit::parse_orderbook_instruments(status, body);
  }
  return 0;
}
