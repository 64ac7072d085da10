// Fuzz target: Bybit public-stream frames through the parser and into an order book, as the feed does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "market/order_book.hpp"
#include "venues/bybit/parse_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kimp::venues::bybit::BybitPublicParser parser(kimp::venues::bybit::BybitCategory::kLinear);
  static kimp::market::OrderBook book(kimp::model::Venue::kBybit, *kimp::model::Symbol::create("BTCUSDT"),
                                      256);
  const auto message = parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (message) {
    if (const auto* update = std::get_if<kimp::model::BookUpdate>(&*message)) {
      (void)book.apply(*update);
    }
  }
  return 0;
}
