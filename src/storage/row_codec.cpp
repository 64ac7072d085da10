// Canonical text cells of the storage column types, and their parsing back.
#include "storage/row_codec.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

namespace kimp::storage {
namespace {

constexpr std::int64_t kNanosPerMicro = 1000;

tl::unexpected<Error> bad_cell(std::string_view column, std::string_view text, std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("column {}: \"{}\" is not {}", column, text, what));
}

Status require_value(const Cell& cell, std::string_view column) {
  if (!cell) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("column {}: NULL where a value is required", column));
  }
  return ok();
}

}  // namespace

Cell to_cell(std::int64_t value) {
  return std::to_string(value);
}

Cell to_cell(const std::string& value) {
  return value;
}

Cell to_cell(Decimal value) {
  return value.to_string();
}

Cell to_cell(Timestamp value) {
  const std::int64_t ns = value.ns();
  const std::int64_t remainder = ((ns % kNanosPerMicro) + kNanosPerMicro) % kNanosPerMicro;
  // Always six fractional digits, so that text order (SQLite's ORDER BY) is time order.
  std::string text = Timestamp::from_ns(ns - remainder).to_iso8601();
  constexpr std::size_t kMillisForm = sizeof("2026-02-14T08:40:18.931Z") - 1;
  if (text.size() == kMillisForm) {
    text.insert(text.size() - 1, "000");
  }
  return text;
}

Cell to_cell(double value) {
  if (!std::isfinite(value)) {
    return std::nullopt;
  }
  return fmt::format("{}", value);
}

Status from_cell(const Cell& cell, std::string_view column, std::int64_t& out) {
  KIMP_TRY(require_value(cell, column));
  const std::string& text = *cell;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return bad_cell(column, text, "an integer");
  }
  return ok();
}

Status from_cell(const Cell& cell, std::string_view column, std::string& out) {
  KIMP_TRY(require_value(cell, column));
  out = *cell;
  return ok();
}

Status from_cell(const Cell& cell, std::string_view column, Decimal& out) {
  KIMP_TRY(require_value(cell, column));
  Result<Decimal> parsed = Decimal::parse(*cell);
  if (!parsed) {
    return bad_cell(column, *cell, "an exact decimal");
  }
  out = *parsed;
  return ok();
}

Status from_cell(const Cell& cell, std::string_view column, Timestamp& out) {
  KIMP_TRY(require_value(cell, column));
  // PostgreSQL (DateStyle ISO, TimeZone UTC) writes "2026-02-14 08:40:18.931+00".
  std::string text = *cell;
  if (text.size() > 10 && text[10] == ' ') {
    text[10] = 'T';
  }
  if (text.ends_with("+00")) {
    text.replace(text.size() - 3, 3, "Z");
  }
  Result<Timestamp> parsed = Timestamp::parse_iso8601(text);
  if (!parsed) {
    return bad_cell(column, *cell, "an ISO-8601 UTC time");
  }
  out = *parsed;
  return ok();
}

Status from_cell(const Cell& cell, std::string_view column, double& out) {
  if (!cell) {
    out = std::nan("");
    return ok();
  }
  const std::string& text = *cell;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return bad_cell(column, text, "a number");
  }
  return ok();
}

}  // namespace kimp::storage
