// An Upbit KRW mid-price path replayed from a recorded candle file (timestamp,open,high,low,close,volume).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::sim {

class UpbitCandleReplay {
 public:
  // Reads a CSV of candles of length `interval` whose timestamps are UTC "YYYY-MM-DD HH:MM:SS" candle
  // starts in ascending order. Errors: kFailedPrecondition when the file cannot be read or has no
  // candles; kInvalidArgument for a malformed row or a timestamp not after the previous one.
  static Result<UpbitCandleReplay> load(const std::string& path, Duration interval);

  [[nodiscard]] Timestamp first_open() const { return candles_.front().open_time; }
  [[nodiscard]] std::size_t size() const { return candles_.size(); }

  // The mid at `at`: moving linearly from the open to the close of the candle that covers `at`; in a
  // gap or after the last candle, the last close before `at`; before the first candle, its open.
  [[nodiscard]] double mid_at(Timestamp at) const;

 private:
  struct Row {
    Timestamp open_time;
    double open = 0.0;
    double close = 0.0;
  };
  Duration interval_{};
  std::vector<Row> candles_;
};

}  // namespace kimp::sim
