// Market-data events the venue parsers produce: fixed-point, trivially copyable, no heap per message.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "model/types.hpp"

namespace kimp::model {

// One price level. In a delta a zero quantity removes the level.
struct BookLevel {
  Decimal price;
  Decimal qty;
  friend constexpr bool operator==(BookLevel, BookLevel) = default;
};

enum class BookAction : std::uint8_t {
  kSnapshot,  // replaces the whole book
  kDelta,     // sets or removes the levels it names
};

// One order-book message. `bids` (best first) and `asks` (best first) point into the parser's reusable
// buffers: they stay valid only until that parser parses its next message.
struct BookUpdate {
  Venue venue = Venue::kBybit;
  Symbol symbol;
  BookAction action = BookAction::kSnapshot;
  Timestamp ts_event;           // the venue's matching-engine time (Bybit `cts`, Upbit `timestamp`)
  Timestamp ts_recv;            // set by the feed when the frame arrived; parsers leave it zero
  std::uint64_t update_id = 0;  // Bybit `u`: +1 per message, 1 after a service restart; Upbit: 0
  std::uint64_t sequence = 0;   // Bybit `seq`; Upbit: 0
  std::uint32_t depth = 0;      // levels per side the stream promises (Bybit topic depth, Upbit unit count)
  std::span<const BookLevel> bids;
  std::span<const BookLevel> asks;
};

// The same message: every field equal and the same levels in the same order (what the spans hold, not
// where they point).
inline bool same_content(const BookUpdate& left, const BookUpdate& right) {
  return left.venue == right.venue && left.symbol == right.symbol && left.action == right.action &&
         left.ts_event == right.ts_event && left.ts_recv == right.ts_recv &&
         left.update_id == right.update_id && left.sequence == right.sequence && left.depth == right.depth &&
         std::ranges::equal(left.bids, right.bids) && std::ranges::equal(left.asks, right.asks);
}

struct Trade {
  Venue venue = Venue::kBybit;
  Symbol symbol;
  Timestamp ts_event;
  Timestamp ts_recv;
  Decimal price;
  Decimal qty;
  Side taker_side = Side::kBuy;  // the aggressor
  std::uint64_t sequence = 0;    // Upbit `sequential_id`; Bybit 0 (its trade ids are UUIDs)
};

// Ticker fields. Bybit pushes linear tickers as deltas naming only what changed, so every field is
// optional; a parser fills those the message carries.
struct Ticker {
  Venue venue = Venue::kBybit;
  Symbol symbol;
  Timestamp ts_event;
  Timestamp ts_recv;
  std::optional<Decimal> last_price;
  std::optional<Decimal> bid_price;
  std::optional<Decimal> ask_price;
  std::optional<Decimal> mark_price;
  std::optional<Decimal> index_price;
  std::optional<Decimal> funding_rate;  // the rate of the next payment, as a fraction (0.0001 = 0.01 %)
  std::optional<Timestamp> next_funding_time;  // when that payment is settled
  std::optional<Decimal> volume_24h;           // base units
  std::optional<Decimal> turnover_24h;         // quote units (USDT on Bybit linear)
  // Upbit's 24 h KRW turnover reaches 10^12 and does not fit a Decimal (about 9.2e10 at 10^-8):
  // it is carried in whole KRW.
  std::optional<std::int64_t> turnover_24h_krw;
};

static_assert(std::is_trivially_copyable_v<BookLevel>);
static_assert(std::is_trivially_copyable_v<BookUpdate>);
static_assert(std::is_trivially_copyable_v<Trade>);
static_assert(std::is_trivially_copyable_v<Ticker>);

}  // namespace kimp::model
