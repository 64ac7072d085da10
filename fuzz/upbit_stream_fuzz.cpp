// Fuzz target: Upbit stream frames (DEFAULT and SIMPLE) through the parser and into an order book.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "market/order_book.hpp"
#include "venues/upbit/parse_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kimp::venues::upbit::UpbitStreamParser parser;
  static kimp::market::OrderBook book(kimp::model::Venue::kUpbit, *kimp::model::Symbol::create("KRW-BTC"),
                                      64);
  const auto message = parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (message) {
    if (const auto* update = std::get_if<kimp::model::BookUpdate>(&*message)) {
      (void)book.apply(*update);
    }
  }
  return 0;
}
