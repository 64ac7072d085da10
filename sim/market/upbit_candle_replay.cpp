// CSV candle loading and interpolation for the replayed Upbit mid price.
#include "sim/market/upbit_candle_replay.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string_view>

#include <fmt/format.h>

#include "core/text.hpp"

namespace kimp::sim {
namespace {

// Splits a CSV row into fields; Upbit's candle files quote nothing.
std::vector<std::string_view> split(std::string_view row) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = row.find(',', start);
    fields.push_back(
        row.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) {
      return fields;
    }
    start = comma + 1;
  }
}

Result<double> parse_price(std::string_view text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value > 0.0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("candle price {} is not a positive number", quote_input(text)));
  }
  return value;
}

}  // namespace

Result<UpbitCandleReplay> UpbitCandleReplay::load(const std::string& path, Duration interval) {
  std::ifstream in(path);
  if (!in) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("cannot read candle file {}", path));
  }
  UpbitCandleReplay replay;
  replay.interval_ = interval;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    const auto fields = split(line);
    if (fields.size() != 6 || fields[0].size() != 19) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("candle row {} does not have 6 fields", quote_input(line)));
    }
    std::string iso(fields[0]);
    iso[10] = 'T';
    Row row;
    KIMP_TRY_ASSIGN(row.open_time, Timestamp::parse_iso8601_local(iso, std::chrono::minutes(0)));
    KIMP_TRY_ASSIGN(row.open, parse_price(fields[1]));
    KIMP_TRY_ASSIGN(row.close, parse_price(fields[4]));
    if (!replay.candles_.empty() && row.open_time <= replay.candles_.back().open_time) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("candle {} is not after the previous one", quote_input(fields[0])));
    }
    replay.candles_.push_back(row);
  }
  if (replay.candles_.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("candle file {} has no candles", path));
  }
  return replay;
}

double UpbitCandleReplay::mid_at(Timestamp at) const {
  const auto after = std::upper_bound(candles_.begin(), candles_.end(), at,
                                      [](Timestamp t, const Row& row) { return t < row.open_time; });
  if (after == candles_.begin()) {
    return candles_.front().open;
  }
  const Row& row = *(after - 1);
  const Duration into = at - row.open_time;
  if (into >= interval_) {
    return row.close;
  }
  const double fraction = static_cast<double>(into.count()) / static_cast<double>(interval_.count());
  return row.open + (row.close - row.open) * fraction;
}

}  // namespace kimp::sim
