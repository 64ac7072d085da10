// Epoch conversions of Timestamp, and ISO-8601 formatting and parsing on the C++20 calendar.
#include "core/timestamp.hpp"

#include <cstddef>
#include <optional>

#include <fmt/format.h>

#include "core/text.hpp"

namespace kimp {
namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr int kMaxFractionDigits = 9;

Result<Timestamp> scale_to_ns(std::int64_t count, std::int64_t nanos_per_unit, std::string_view unit) {
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(count, nanos_per_unit, &ns)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{} {} since the epoch is outside the representable range", count, unit));
  }
  return Timestamp::from_ns(ns);
}

tl::unexpected<Error> invalid(std::string_view text, std::string_view reason) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("invalid ISO-8601 timestamp {}: {}", quote_input(text), reason));
}

// Walks the fixed layout of ISO-8601 text left to right; nothing is consumed by a failed read.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  // Exactly `count` decimal digits as a number.
  std::optional<int> digits(std::size_t count) {
    if (text_.size() - pos_ < count) {
      return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }

  bool skip(char expected) {
    if (pos_ < text_.size() && text_[pos_] == expected) {
      ++pos_;
      return true;
    }
    return false;
  }

  [[nodiscard]] bool done() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// "YYYY-MM-DDTHH:MM:SS[.f]" read as if it were UTC, before any offset is applied.
struct LocalTime {
  std::chrono::sys_seconds seconds;
  std::int64_t nanos = 0;  // the fraction, [0, 1e9)
};

Result<LocalTime> read_local_time(Reader& reader, std::string_view text) {
  std::optional<int> year;
  std::optional<int> month;
  std::optional<int> day;
  std::optional<int> hour;
  std::optional<int> minute;
  std::optional<int> second;
  const bool shaped = (year = reader.digits(4)) && reader.skip('-') && (month = reader.digits(2)) &&
                      reader.skip('-') && (day = reader.digits(2)) && reader.skip('T') &&
                      (hour = reader.digits(2)) && reader.skip(':') && (minute = reader.digits(2)) &&
                      reader.skip(':') && (second = reader.digits(2));
  if (!shaped) {
    return invalid(text, "expected YYYY-MM-DDTHH:MM:SS");
  }
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) {
    return invalid(text, "no such date");
  }
  if (*hour > 23 || *minute > 59 || *second > 59) {
    return invalid(text, "no such time of day");
  }
  LocalTime local;
  local.seconds = std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
                  std::chrono::seconds{*second};
  if (reader.skip('.')) {
    int count = 0;
    while (const auto digit = reader.digits(1)) {
      if (++count > kMaxFractionDigits) {
        return invalid(text, "more than 9 fractional digits");
      }
      local.nanos = local.nanos * 10 + *digit;
    }
    if (count == 0) {
      return invalid(text, "no digits after '.'");
    }
    for (; count < kMaxFractionDigits; ++count) {
      local.nanos *= 10;
    }
  }
  return local;
}

// "Z" or "+HH:MM" / "-HH:MM": how far the local time is ahead of UTC.
Result<std::chrono::minutes> read_zone(Reader& reader, std::string_view text) {
  if (reader.skip('Z')) {
    return std::chrono::minutes{0};
  }
  int sign = 0;
  if (reader.skip('+')) {
    sign = 1;
  } else if (reader.skip('-')) {
    sign = -1;
  } else {
    return invalid(text, "expected 'Z' or a UTC offset such as +09:00 after the time");
  }
  std::optional<int> hours;
  std::optional<int> minutes;
  if (!(hours = reader.digits(2)) || !reader.skip(':') || !(minutes = reader.digits(2))) {
    return invalid(text, "expected a UTC offset such as +09:00");
  }
  if (*hours > 23 || *minutes > 59) {
    return invalid(text, "no such UTC offset");
  }
  return std::chrono::minutes{sign * (*hours * 60 + *minutes)};
}

Result<Timestamp> to_timestamp(const LocalTime& local, std::chrono::minutes utc_offset,
                               std::string_view text) {
  std::int64_t seconds = (local.seconds - utc_offset).time_since_epoch().count();
  std::int64_t nanos = local.nanos;
  // Before the epoch, borrow one second first so the earliest representable second does not overflow
  // while it is being scaled.
  if (seconds < 0 && nanos > 0) {
    ++seconds;
    nanos -= kNanosPerSecond;
  }
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &ns) || __builtin_add_overflow(ns, nanos, &ns)) {
    return invalid(text, "outside the representable range (1677-09-21 to 2262-04-11)");
  }
  return Timestamp::from_ns(ns);
}

}  // namespace

Result<Timestamp> Timestamp::from_ms(std::int64_t ms) {
  return scale_to_ns(ms, kNanosPerMilli, "ms");
}

Result<Timestamp> Timestamp::from_seconds(std::int64_t seconds) {
  return scale_to_ns(seconds, kNanosPerSecond, "s");
}

std::int64_t Timestamp::ms() const {
  return std::chrono::floor<std::chrono::milliseconds>(Duration{ns_}).count();
}

std::int64_t Timestamp::seconds() const {
  return std::chrono::floor<std::chrono::seconds>(Duration{ns_}).count();
}

std::string Timestamp::to_iso8601() const {
  // Calendar math on whole seconds: nanosecond day arithmetic would overflow near the range ends.
  const std::chrono::sys_seconds at{std::chrono::seconds{seconds()}};
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{at - day};
  const std::int64_t fraction = (ns_ % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond;
  int digits = 3;
  std::int64_t shown = fraction / kNanosPerMilli;
  if (fraction % 1'000 != 0) {
    digits = 9;
    shown = fraction;
  } else if (fraction % kNanosPerMilli != 0) {
    digits = 6;
    shown = fraction / 1'000;
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:0{}}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(), shown, digits);
}

Result<Timestamp> Timestamp::parse_iso8601(std::string_view text) {
  Reader reader(text);
  KIMP_TRY_ASSIGN(const LocalTime local, read_local_time(reader, text));
  KIMP_TRY_ASSIGN(const std::chrono::minutes utc_offset, read_zone(reader, text));
  if (!reader.done()) {
    return invalid(text, "unexpected text after the zone");
  }
  return to_timestamp(local, utc_offset, text);
}

Result<Timestamp> Timestamp::parse_iso8601_local(std::string_view text, std::chrono::minutes utc_offset) {
  Reader reader(text);
  KIMP_TRY_ASSIGN(const LocalTime local, read_local_time(reader, text));
  if (!reader.done()) {
    return invalid(text, "expected nothing after the time (this field carries no zone)");
  }
  return to_timestamp(local, utc_offset, text);
}

std::ostream& operator<<(std::ostream& out, Timestamp at) {
  return out << at.to_iso8601();
}

}  // namespace kimp
