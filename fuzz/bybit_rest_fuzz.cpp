// Fuzz target: one Bybit REST body through every response parser, with a success and an error status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "venues/bybit/parse_rest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bybit = kimp::venues::bybit;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const unsigned status : {200U, 403U}) {
    (void)bybit::parse_server_time(status, body);
    (void)bybit::parse_instruments(status, body);
    (void)bybit::parse_orderbook(status, body);
    (void)bybit::parse_tickers(status, body);
    (void)bybit::parse_funding_history(status, body);
    (void)bybit::parse_wallet_balance(status, body);
    (void)bybit::parse_fee_rates(status, body);
    (void)bybit::parse_positions(status, body);
    (void)bybit::parse_order_ack(status, body);
    (void)bybit::parse_orders(status, body);
    (void)bybit::parse_executions(status, body);
  }
  return 0;
}
