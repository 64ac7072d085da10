// Domain vocabulary shared by the venue adapters and the engine: venues, sides and inline symbols.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace kimp::model {

enum class Venue : std::uint8_t { kUpbit, kBybit };

// "upbit" / "bybit", as written in logs, configs and database rows.
std::string_view to_string(Venue venue);

enum class Side : std::uint8_t { kBuy, kSell };

std::string_view to_string(Side side);

// A venue's instrument name held inline ("KRW-BTC", "BTCUSDT", "1000000BABYDOGEUSDT"), so market events
// stay trivially copyable and parsing a message never allocates for it.
class Symbol {
 public:
  static constexpr std::size_t kCapacity = 31;

  constexpr Symbol() = default;
  // Errors: kInvalidArgument when `text` is empty, longer than kCapacity, or holds a byte outside
  // [0-9A-Za-z._-] (a symbol is also used in file names and client order ids).
  static Result<Symbol> create(std::string_view text);

  [[nodiscard]] constexpr std::string_view view() const { return {chars_.data(), size_}; }
  [[nodiscard]] constexpr bool empty() const { return size_ == 0; }

  friend constexpr bool operator==(const Symbol& left, const Symbol& right) {
    return left.view() == right.view();
  }
  friend constexpr auto operator<=>(const Symbol& left, const Symbol& right) {
    return left.view() <=> right.view();
  }

 private:
  std::array<char, kCapacity> chars_{};
  std::uint8_t size_ = 0;
};

}  // namespace kimp::model
