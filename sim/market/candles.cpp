// Minute-candle aggregation with a bounded history.
#include "sim/market/candles.hpp"

#include <algorithm>

namespace kimp::sim {
namespace {

constexpr std::int64_t kMinuteNs = 60'000'000'000;

Timestamp minute_start(Timestamp at) {
  const std::int64_t ns = at.ns();
  const std::int64_t rem = ((ns % kMinuteNs) + kMinuteNs) % kMinuteNs;
  return Timestamp::from_ns(ns - rem);
}

}  // namespace

void CandleSeries::record(Timestamp at, Decimal price, double volume) {
  const Timestamp minute = minute_start(at);
  if (candles_.empty() || candles_.back().open_time != minute) {
    candles_.push_back(Candle{minute, price, price, price, price, 0.0, 0.0});
    if (candles_.size() > capacity_) {
      candles_.pop_front();
    }
  }
  Candle& candle = candles_.back();
  candle.high = std::max(candle.high, price);
  candle.low = std::min(candle.low, price);
  candle.close = price;
  candle.volume += volume;
  candle.turnover += volume * price.to_double();
}

std::optional<RollingStats> CandleSeries::rolling(Timestamp now, Duration window) const {
  const Timestamp window_start = now - window;
  std::optional<RollingStats> stats;
  for (const Candle& candle : candles_) {
    if (candle.open_time <= window_start) {
      continue;
    }
    if (!stats) {
      stats = RollingStats{candle.open, candle.high, candle.low, 0.0, 0.0};
    }
    stats->high = std::max(stats->high, candle.high);
    stats->low = std::min(stats->low, candle.low);
    stats->volume += candle.volume;
    stats->turnover += candle.turnover;
  }
  return stats;
}

}  // namespace kimp::sim
