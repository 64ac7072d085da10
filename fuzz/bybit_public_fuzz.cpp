// Fuzz target: Bybit public-stream frames through the parser and into an order book, as the feed does;
// the exact-form book scanner must read every frame as the checked path does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "market/order_book.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace {

using kimp::venues::bybit::BybitPublicMessage;

// Both results alike: the same error, or the same message (for a book, the same levels and ids).
bool same(const kimp::Result<BybitPublicMessage>& left, const kimp::Result<BybitPublicMessage>& right) {
  if (left.has_value() != right.has_value()) {
    return false;
  }
  if (!left) {
    return left.error().message == right.error().message;
  }
  if (left->index() != right->index()) {
    return false;
  }
  const auto* book = std::get_if<kimp::model::BookUpdate>(&*left);
  return book == nullptr || kimp::model::same_content(*book, std::get<kimp::model::BookUpdate>(*right));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using kimp::venues::bybit::BybitBookScan;
  using kimp::venues::bybit::BybitCategory;
  using kimp::venues::bybit::BybitPublicParser;
  static BybitPublicParser parser(BybitCategory::kLinear);
  static BybitPublicParser checked(BybitCategory::kLinear, BybitBookScan::kCheckedOnly);
  static kimp::market::OrderBook book(kimp::model::Venue::kBybit, *kimp::model::Symbol::create("BTCUSDT"),
                                      256);
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto message = parser.parse(frame);
  if (!same(message, checked.parse(frame))) {
    __builtin_trap();
  }
  if (message) {
    if (const auto* update = std::get_if<kimp::model::BookUpdate>(&*message)) {
      (void)book.apply(*update);
    }
  }
  return 0;
}
