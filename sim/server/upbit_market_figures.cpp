// Figures Upbit's REST quotation endpoints and its WebSocket both report.
#include "sim/server/upbit_market_figures.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <fmt/format.h>

#include "sim/market/instruments.hpp"
#include "sim/server/exact_json.hpp"

namespace kimp::sim {

Timestamp floor_to(Timestamp at, Duration step) {
  const std::int64_t ns = at.ns();
  const std::int64_t width = step.count();
  const std::int64_t floored = ns >= 0 ? ns / width * width : -((-ns + width - 1) / width) * width;
  return Timestamp::from_ns(floored);
}

std::string iso_seconds(Timestamp at) {
  return at.to_iso8601().substr(0, 19);
}
std::string compact_date(const std::string& iso) {
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}
std::string compact_time(const std::string& iso) {
  return iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2);
}

DayStats day_stats(const std::vector<Candle>& candles, Timestamp now) {
  DayStats stats;
  if (candles.empty()) {
    return stats;
  }
  const Timestamp midnight = floor_to(now, std::chrono::hours(24));
  stats.prev_close = candles.front().open;
  bool in_day = false;
  for (const Candle& candle : candles) {
    if (stats.year_high == nullptr || candle.high > stats.year_high->high) {
      stats.year_high = &candle;
    }
    if (stats.year_low == nullptr || candle.low < stats.year_low->low) {
      stats.year_low = &candle;
    }
    if (candle.open_time < midnight) {
      stats.prev_close = candle.close;
      continue;
    }
    if (!in_day) {
      in_day = true;
      stats.open = candle.open;
      stats.high = candle.high;
      stats.low = candle.low;
    }
    stats.high = std::max(stats.high, candle.high);
    stats.low = std::min(stats.low, candle.low);
    stats.volume += candle.volume;
    stats.turnover += candle.turnover;
    (candle.close >= candle.open ? stats.bid_volume : stats.ask_volume) += candle.volume;
  }
  if (!in_day) {
    stats.open = stats.high = stats.low = candles.back().close;
  }
  stats.last_volume = candles.back().volume;
  return stats;
}

Result<std::vector<Candle>> all_candles(const MarketModel& market, std::string_view symbol) {
  return market.candles(Venue::kUpbit, symbol, std::numeric_limits<std::size_t>::max());
}

// Upbit's sequential_id of each trade of a tape (oldest first): the millisecond times 10^4 plus a
std::vector<std::int64_t> sequential_ids(const std::vector<UpbitTrade>& trades) {
  std::vector<std::int64_t> ids;
  ids.reserve(trades.size());
  for (std::size_t i = 0; i < trades.size(); ++i) {
    const std::int64_t ms = trades[i].created_at.ms();
    const bool same_ms = i > 0 && trades[i - 1].created_at.ms() == ms;
    ids.push_back(same_ms ? ids.back() + 1 : ms * 10'000);
  }
  return ids;
}

bool buyer_aggressor(const UpbitTrade& trade) {
  return (trade.side == UpbitSide::kBid) != trade.maker;
}

Result<std::vector<BookLevel>> grouped(const std::vector<BookLevel>& levels, Decimal level,
                                       RoundingMode mode) {
  if (level.is_zero()) {
    return levels;
  }
  std::vector<BookLevel> out;
  for (const BookLevel& book_level : levels) {
    KIMP_TRY_ASSIGN(const Decimal price, book_level.price.round_to_step(level, mode));
    if (!out.empty() && out.back().price == price) {
      KIMP_TRY_ASSIGN(out.back().quantity, out.back().quantity.add(book_level.quantity));
    } else {
      out.push_back(BookLevel{price, book_level.quantity});
    }
  }
  return out;
}

Decimal book_tick(std::string_view market, const OrderBook& book) {
  const Decimal reference =
      book.bids.empty() ? (book.asks.empty() ? Decimal() : book.asks.front().price) : book.bids.front().price;
  return upbit_tick_size(market, reference);
}

std::vector<Decimal> supported_levels(Decimal tick) {
  constexpr int kGroupingDecades = 5;
  std::vector<Decimal> levels{Decimal()};
  Decimal level = tick;
  for (int decade = 0; decade < kGroupingDecades; ++decade) {
    auto next = level.mul(Decimal::from_units(10 * Decimal::kUnitsPerOne));
    if (!next) {
      break;
    }
    level = *next;
    levels.push_back(level);
  }
  return levels;
}

boost::json::value volume_number(double volume) {
  // A model volume is finite, non-negative and far below Decimal's range, so its 8-digit text parses.
  return exact_number(Decimal::parse(fmt::format("{:.8f}", volume)).value());
}

std::string_view change_direction(Decimal signed_change) {
  return signed_change.is_zero() ? "EVEN" : (signed_change.is_positive() ? "RISE" : "FALL");
}

}  // namespace kimp::sim
