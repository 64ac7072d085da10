// Timestamp: a point in time as int64 Unix nanoseconds, with epoch and ISO-8601 conversions.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.hpp"

namespace kimp {

// A span of time. Nanoseconds, like Timestamp, so the two combine without rounding.
using Duration = std::chrono::nanoseconds;

// Korea Standard Time has no daylight saving, so Upbit's `*_kst` fields are always UTC+09:00.
inline constexpr std::chrono::minutes kKstUtcOffset{9 * 60};

// A point in time: nanoseconds since 1970-01-01T00:00:00Z, which covers 1677-09-21 to 2262-04-11.
//
// Fields holding a Timestamp follow one naming convention:
//   ts_event  when the exchange says the event happened (taken from its payload);
//   ts_recv   when our process received it (Clock::now() on arrival).
// `ts_recv - ts_event` is feed latency plus clock skew, so only compare like with like.
//
// Arithmetic does not check for overflow: every instant the engine meets lies well inside the range.
class Timestamp {
 public:
  constexpr Timestamp() = default;  // the Unix epoch

  static constexpr Timestamp from_ns(std::int64_t ns) { return Timestamp(ns); }
  // Errors: kInvalidArgument when the instant lies outside the representable range.
  static Result<Timestamp> from_ms(std::int64_t ms);
  static Result<Timestamp> from_seconds(std::int64_t seconds);

  [[nodiscard]] constexpr std::int64_t ns() const { return ns_; }
  // Whole milliseconds / seconds, rounded toward the past, so one nanosecond before the epoch is -1 ms.
  [[nodiscard]] std::int64_t ms() const;
  [[nodiscard]] std::int64_t seconds() const;

  // UTC text such as "2026-08-09T12:34:56.123Z". Fractional digits: always at least 3 (milliseconds,
  // which keeps log columns aligned), widened to 6 or 9 only when needed to show the exact value, so
  // parse_iso8601(to_iso8601()) gives back the same Timestamp.
  [[nodiscard]] std::string to_iso8601() const;

  // Parses "YYYY-MM-DDTHH:MM:SS[.f]" followed by "Z" or a UTC offset "+HH:MM" / "-HH:MM", with 0 to 9
  // fractional digits: "2025-12-26T08:00:00Z" (Bybit), "2025-08-24T21:00:00+09:00" (Upbit, KST).
  // Errors: kInvalidArgument, with a message quoting the text, when it is malformed, names no such
  // date or time of day (leap seconds included), has no zone, or lies outside the representable range.
  static Result<Timestamp> parse_iso8601(std::string_view text);
  // Parses zone-less "YYYY-MM-DDTHH:MM:SS[.f]" whose zone is known from the field it came from:
  // Upbit's `candle_date_time_utc` with an offset of zero, `candle_date_time_kst` with kKstUtcOffset.
  // Errors: as parse_iso8601; text that carries its own zone is refused, since it would contradict
  // (or silently agree with) `utc_offset`.
  static Result<Timestamp> parse_iso8601_local(std::string_view text, std::chrono::minutes utc_offset);

  constexpr Timestamp& operator+=(Duration delta) {
    ns_ += delta.count();
    return *this;
  }
  constexpr Timestamp& operator-=(Duration delta) {
    ns_ -= delta.count();
    return *this;
  }
  friend constexpr Timestamp operator+(Timestamp at, Duration delta) { return at += delta; }
  friend constexpr Timestamp operator+(Duration delta, Timestamp at) { return at += delta; }
  friend constexpr Timestamp operator-(Timestamp at, Duration delta) { return at -= delta; }
  friend constexpr Duration operator-(Timestamp later, Timestamp earlier) {
    return Duration(later.ns_ - earlier.ns_);
  }

  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;
  friend constexpr bool operator==(Timestamp, Timestamp) = default;

 private:
  constexpr explicit Timestamp(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// Market events embed Timestamps and are copied by value on the hot path.
static_assert(std::is_trivially_copyable_v<Timestamp>);

// Writes to_iso8601().
std::ostream& operator<<(std::ostream& out, Timestamp at);

}  // namespace kimp
