// Minute candles of one instrument and the rolling statistics (24 h open/high/low/volume) derived from them.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::sim {

// One minute of trading. Volume and turnover are doubles: KRW turnover of a busy market exceeds
// Decimal's range (~9.2e10), and they are statistics, never balances.
struct Candle {
  Timestamp open_time;  // the start of the minute, UTC
  Decimal open;
  Decimal high;
  Decimal low;
  Decimal close;
  double volume = 0.0;    // base coin
  double turnover = 0.0;  // quote currency (KRW or USDT)

  bool operator==(const Candle&) const = default;
};

// Open, high, low and summed volume over a window of candles.
struct RollingStats {
  Decimal open;
  Decimal high;
  Decimal low;
  double volume = 0.0;
  double turnover = 0.0;
};

class CandleSeries {
 public:
  // Keeps the last `capacity` minutes (at least one).
  explicit CandleSeries(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // A trade of `volume` at `price` at time `at`; times must not go backwards.
  void record(Timestamp at, Decimal price, double volume);

  // Oldest first; the newest may still be in progress.
  [[nodiscard]] const std::deque<Candle>& candles() const { return candles_; }

  // Statistics of the candles that opened after `now - window` (the newest included);
  // nullopt before the first trade.
  [[nodiscard]] std::optional<RollingStats> rolling(Timestamp now, Duration window) const;

 private:
  std::size_t capacity_;
  std::deque<Candle> candles_;
};

}  // namespace kimp::sim
