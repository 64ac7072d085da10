// Figures Upbit's REST quotation endpoints and its WebSocket both report, computed once so they agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/ledger/types.hpp"
#include "sim/market/market_model.hpp"

namespace kimp::sim {

// `at` rounded down to a multiple of `step` since the epoch (also before it).
Timestamp floor_to(Timestamp at, Duration step);
// "yyyy-MM-ddTHH:mm:ss" of an instant already shifted to the wanted zone.
std::string iso_seconds(Timestamp at);
// "20250624" and "045653" of an iso_seconds text.
std::string compact_date(const std::string& iso);
std::string compact_time(const std::string& iso);

// A volume of the model (a double) as Upbit writes its 24 h volumes: an exact decimal number with at
// most 8 fractional digits ("3.07306624", never "3.0730662402493127E0"), rounded to the nearest 10^-8.
boost::json::value volume_number(double volume);

// "RISE", "FALL" or "EVEN": Upbit's `change` for a signed change from the previous close.
std::string_view change_direction(Decimal signed_change);

// The day (UTC 00:00 onwards) and year statistics of Upbit's ticker and trades, from the model's minute
// candles (its history may be shorter than a day; then its oldest candle stands in for the past). The
// model records no aggressor per trade, so a minute that closed at or above its open counts as bought.
struct DayStats {
  Decimal prev_close;
  Decimal open;
  Decimal high;
  Decimal low;
  double volume = 0.0;
  double turnover = 0.0;
  double bid_volume = 0.0;
  double ask_volume = 0.0;
  double last_volume = 0.0;
  const Candle* year_high = nullptr;  // points into the candles given to day_stats
  const Candle* year_low = nullptr;
};
DayStats day_stats(const std::vector<Candle>& candles, Timestamp now);

// Every minute candle the model holds for Upbit's `symbol`, oldest first.
Result<std::vector<Candle>> all_candles(const MarketModel& market, std::string_view symbol);

// Upbit's sequential_id of each trade of a tape (oldest first): the millisecond times 10^4 plus a
// counter within that millisecond.
std::vector<std::int64_t> sequential_ids(const std::vector<UpbitTrade>& trades);
// Whether the buyer took liquidity: a resting order filled later was the maker, so the aggressor took
// the other side.
bool buyer_aggressor(const UpbitTrade& trade);

// Book levels merged onto multiples of `level` (bids down, asks up); unchanged for level 0.
Result<std::vector<BookLevel>> grouped(const std::vector<BookLevel>& levels, Decimal level,
                                       RoundingMode mode);
// The tick of `market` at the book's best price (best bid, else best ask).
Decimal book_tick(std::string_view market, const OrderBook& book);
// "0" and the tick times 10, 100, ... 10^5 that fit in a Decimal: the grouping levels a market supports.
std::vector<Decimal> supported_levels(Decimal tick);

}  // namespace kimp::sim
