// Candle and daily-rate CSV readers with FILE:LINE errors.
#include "market/candle_file.hpp"

#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <string_view>

#include <fmt/format.h>

namespace kimp::market {
namespace {

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) {
      return fields;
    }
    start = comma + 1;
  }
}

// Calls `row` for every line after the header; stops at the first error, naming FILE:LINE.
Status read_rows(const std::string& path, std::string_view header,
                 const std::function<Status(const std::vector<std::string_view>&)>& row) {
  std::ifstream file(path);
  if (!file) {
    return make_error(ErrorCode::kUnavailable, fmt::format("{}: cannot open the file", path));
  }
  std::string line;
  std::size_t number = 0;
  while (std::getline(file, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (number == 1) {
      if (line != header) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("{}:1: expected the header \"{}\", found \"{}\"", path, header, line));
      }
      continue;
    }
    if (line.empty()) {
      continue;
    }
    const Status status = row(split(line));
    if (!status) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}:{}: {}", path, number, status.error().message));
    }
  }
  if (file.bad()) {
    return make_error(ErrorCode::kUnavailable, fmt::format("{}: read failed after line {}", path, number));
  }
  if (number == 0) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: the file is empty", path));
  }
  return ok();
}

Result<Decimal> positive_price(std::string_view text, std::string_view column) {
  Result<Decimal> price = Decimal::parse(text);
  if (!price) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{} \"{}\": {}", column, text, price.error().message));
  }
  if (!price->is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{} must be positive, got {}", column, text));
  }
  return price;
}

// Checks every price column and returns the close (the column at `close_index`).
Result<Decimal> checked_close(const std::vector<std::string_view>& fields, std::size_t first,
                              std::size_t close_index) {
  static constexpr std::array<std::string_view, 4> kColumns = {"open", "high", "low", "close"};
  Decimal close;
  for (std::size_t i = first; i < first + kColumns.size(); ++i) {
    KIMP_TRY_ASSIGN(const Decimal price, positive_price(fields[i], kColumns[i - first]));
    if (i == close_index) {
      close = price;
    }
  }
  return close;
}

Status check_order(Timestamp at, Timestamp previous, bool first) {
  if (!first && at <= previous) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{} is not after the previous row's {}",
                                                               at.to_iso8601(), previous.to_iso8601()));
  }
  return ok();
}

}  // namespace

Result<std::vector<Candle>> read_candles(const std::string& path) {
  std::vector<Candle> candles;
  const auto row = [&](const std::vector<std::string_view>& fields) -> Status {
    if (fields.size() != 6) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("expected 6 fields, found {}", fields.size()));
    }
    std::string iso(fields[0]);
    if (iso.size() > 10 && iso[10] == ' ') {
      iso[10] = 'T';
    }
    KIMP_TRY_ASSIGN(const Timestamp open_time, Timestamp::parse_iso8601_local(iso, std::chrono::minutes(0)));
    KIMP_TRY(
        check_order(open_time, candles.empty() ? Timestamp{} : candles.back().open_time, candles.empty()));
    KIMP_TRY_ASSIGN(const Decimal close, checked_close(fields, 1, 4));
    candles.push_back({open_time, close});
    return ok();
  };
  KIMP_TRY(read_rows(path, "timestamp,open,high,low,close,volume", row));
  return candles;
}

Result<std::vector<DailyRate>> read_daily_rates(const std::string& path) {
  std::vector<DailyRate> rates;
  const auto row = [&](const std::vector<std::string_view>& fields) -> Status {
    if (fields.size() != 5) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("expected 5 fields, found {}", fields.size()));
    }
    KIMP_TRY_ASSIGN(
        const Timestamp date,
        Timestamp::parse_iso8601_local(fmt::format("{}T00:00:00", fields[0]), std::chrono::minutes(0)));
    KIMP_TRY(check_order(date, rates.empty() ? Timestamp{} : rates.back().date, rates.empty()));
    KIMP_TRY_ASSIGN(const Decimal close, checked_close(fields, 1, 4));
    rates.push_back({date, close});
    return ok();
  };
  KIMP_TRY(read_rows(path, "date,open,high,low,close", row));
  return rates;
}

}  // namespace kimp::market
