// Spellings of the domain enums and the Symbol character rule.
#include "model/types.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace kimp::model {

std::string_view to_string(Venue venue) {
  switch (venue) {
    case Venue::kUpbit: return "upbit";
    case Venue::kBybit: return "bybit";
  }
  return "unknown";
}

std::string_view to_string(Side side) {
  return side == Side::kBuy ? "buy" : "sell";
}

Result<Symbol> Symbol::create(std::string_view text) {
  const auto allowed = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
           c == '_' || c == '-';
  };
  if (text.empty() || text.size() > kCapacity || !std::all_of(text.begin(), text.end(), allowed)) {
    return make_error(ErrorCode::kInvalidArgument, "invalid symbol " + quote_input(text));
  }
  Symbol symbol;
  std::copy(text.begin(), text.end(), symbol.chars_.begin());
  symbol.size_ = static_cast<std::uint8_t>(text.size());
  return symbol;
}

}  // namespace kimp::model
