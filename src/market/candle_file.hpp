// Reading recorded candle files (../shared/data/candles/*.csv): OHLCV candles and daily FX closes.
#pragma once

#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::market {

// One candle: its open time (UTC) and close. The other columns are checked but not kept.
struct Candle {
  Timestamp open_time{};
  Decimal close{};
  bool operator==(const Candle&) const = default;
};

// One day's closing rate.
struct DailyRate {
  Timestamp date{};  // 00:00 UTC of the day
  Decimal close{};
  bool operator==(const DailyRate&) const = default;
};

// Reads "timestamp,open,high,low,close,volume" rows ("2025-05-28 18:10:00,150362000.0,...", times in
// UTC), in strictly increasing time order. Prices are read exactly as written; a volume too large for a
// Decimal is accepted (only prices are kept).
// Errors: kUnavailable when the file cannot be read; kInvalidArgument naming FILE:LINE for a wrong
// header, a row without six fields, a time or price that does not parse, a price that is not positive, or
// a time not after the previous row's.
Result<std::vector<Candle>> read_candles(const std::string& path);

// Reads "date,open,high,low,close" rows ("2025-07-31,1393.18,1398.87,1385.79,1392.47"), dates strictly
// increasing.
// Errors: as read_candles.
Result<std::vector<DailyRate>> read_daily_rates(const std::string& path);

}  // namespace kimp::market
