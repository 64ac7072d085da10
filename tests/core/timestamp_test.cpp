// Tests of Timestamp: epoch conversions, ISO-8601 text both ways, exchange time strings, arithmetic.
#include "core/timestamp.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kimp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

Timestamp at_seconds(std::int64_t unix_seconds) {
  return Timestamp::from_seconds(unix_seconds).value();
}

Timestamp parsed(std::string_view text) {
  const auto result = Timestamp::parse_iso8601(text);
  EXPECT_TRUE(result.has_value()) << text << ": " << result.error();
  return result.value_or(Timestamp{});
}

TEST(Timestamp, DefaultIsTheEpochInOneInt64) {
  EXPECT_EQ(sizeof(Timestamp), sizeof(std::int64_t));
  EXPECT_EQ(Timestamp{}.ns(), 0);
}

TEST(Timestamp, FromMs_BybitMilliseconds_RoundTripsExactly) {
  for (const std::int64_t ms :
       {std::int64_t{1672364262444}, std::int64_t{1709199771584}, std::int64_t{0}, std::int64_t{-1}}) {
    const Timestamp at = Timestamp::from_ms(ms).value();
    EXPECT_EQ(at.ns(), ms * 1'000'000);
    EXPECT_EQ(at.ms(), ms);
  }
}

TEST(Timestamp, FromSeconds_RoundTripsExactly) {
  const Timestamp at = Timestamp::from_seconds(1688639403).value();
  EXPECT_EQ(at.ns(), 1688639403 * kNanosPerSecond);
  EXPECT_EQ(at.seconds(), 1688639403);
  EXPECT_EQ(at.ms(), std::int64_t{1688639403000});
}

TEST(Timestamp, FromNs_BybitServerTime_TruncatesToMsAndSecondsTowardThePast) {
  // Bybit /v5/market/time: timeSecond "1688639403", timeNano "1688639403423213947".
  const Timestamp at = Timestamp::from_ns(1688639403423213947);
  EXPECT_EQ(at.seconds(), 1688639403);
  EXPECT_EQ(at.ms(), std::int64_t{1688639403423});
  const Timestamp before_epoch = Timestamp::from_ns(-1);
  EXPECT_EQ(before_epoch.ms(), -1);
  EXPECT_EQ(before_epoch.seconds(), -1);
}

TEST(Timestamp, FromMs_OutsideRange_IsInvalidArgument) {
  const auto too_late = Timestamp::from_ms(std::int64_t{9'300'000'000'000});
  ASSERT_FALSE(too_late.has_value());
  EXPECT_EQ(too_late.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_late.error().message, "9300000000000 ms since the epoch is outside the representable range");
  const auto too_early = Timestamp::from_seconds(std::int64_t{-9'300'000'000});
  ASSERT_FALSE(too_early.has_value());
  EXPECT_EQ(too_early.error().message, "-9300000000 s since the epoch is outside the representable range");
}

TEST(Timestamp, ToIso8601_ShowsMillisecondsThenWidensOnlyWhenNeeded) {
  EXPECT_EQ(Timestamp{}.to_iso8601(), "1970-01-01T00:00:00.000Z");
  const Timestamp whole = at_seconds(1766736000);
  EXPECT_EQ(whole.to_iso8601(), "2025-12-26T08:00:00.000Z");
  EXPECT_EQ(Timestamp::from_ms(1672364262444).value().to_iso8601(), "2022-12-30T01:37:42.444Z");
  EXPECT_EQ((whole + std::chrono::microseconds{123456}).to_iso8601(), "2025-12-26T08:00:00.123456Z");
  EXPECT_EQ((whole + std::chrono::microseconds{1}).to_iso8601(), "2025-12-26T08:00:00.000001Z");
  EXPECT_EQ((whole + std::chrono::nanoseconds{123456789}).to_iso8601(), "2025-12-26T08:00:00.123456789Z");
  EXPECT_EQ((whole + std::chrono::nanoseconds{1}).to_iso8601(), "2025-12-26T08:00:00.000000001Z");
}

TEST(Timestamp, ToIso8601_BeforeEpochAndAtRangeEnds) {
  EXPECT_EQ(Timestamp::from_ns(-1).to_iso8601(), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(Timestamp::from_ns(std::numeric_limits<std::int64_t>::min()).to_iso8601(),
            "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(Timestamp::from_ns(std::numeric_limits<std::int64_t>::max()).to_iso8601(),
            "2262-04-11T23:47:16.854775807Z");
}

TEST(Timestamp, Iso8601_RoundTripsEveryValueAcrossTheRange) {
  std::mt19937_64 rng(20260809);
  std::uniform_int_distribution<std::int64_t> any_ns(std::numeric_limits<std::int64_t>::min(),
                                                     std::numeric_limits<std::int64_t>::max());
  std::vector<Timestamp> samples = {Timestamp::from_ns(std::numeric_limits<std::int64_t>::min()),
                                    Timestamp::from_ns(std::numeric_limits<std::int64_t>::max()),
                                    Timestamp::from_ns(-1), Timestamp{}};
  for (int i = 0; i < 100'000; ++i) {
    const std::int64_t ns = any_ns(rng);
    samples.push_back(Timestamp::from_ns(ns));
    samples.push_back(Timestamp::from_ns(ns - ns % 1'000'000));  // millisecond precision, as Bybit sends
  }
  for (const Timestamp at : samples) {
    const auto back = Timestamp::parse_iso8601(at.to_iso8601());
    ASSERT_TRUE(back.has_value()) << at.ns() << ": " << back.error();
    ASSERT_EQ(back->ns(), at.ns()) << at.to_iso8601();
  }
}

TEST(Timestamp, ParseIso8601_ExchangeTimeStrings) {
  EXPECT_EQ(parsed("2025-12-26T08:00:00Z"), at_seconds(1766736000));       // Bybit deliveryTime
  EXPECT_EQ(parsed("2025-06-24T04:56:53Z"), at_seconds(1750741013));       // Upbit quotation `to`
  EXPECT_EQ(parsed("2026-07-01T09:00:00+09:00"), at_seconds(1782864000));  // Upbit expire_at (KST)
  EXPECT_EQ(parsed("2025-08-24T21:00:00+09:00"), at_seconds(1756036800));  // Upbit created_at (KST)
  EXPECT_EQ(parsed("2025-08-24T21:00:00+09:00"), parsed("2025-08-24T12:00:00Z"));
  EXPECT_EQ(parsed("2024-02-29T12:00:00-05:30"), at_seconds(1709227800));
  EXPECT_EQ(parsed("2024-02-29T12:00:00-00:00"), parsed("2024-02-29T12:00:00Z"));
}

TEST(Timestamp, ParseIso8601_FractionOfZeroToNineDigits) {
  const Timestamp whole = parsed("2025-01-02T04:28:05Z");
  EXPECT_EQ(whole, at_seconds(1735792085));
  const std::string digits = "123456789";
  std::int64_t expected_nanos = 0;
  std::int64_t scale = 100'000'000;
  for (std::size_t count = 1; count <= digits.size(); ++count) {
    expected_nanos += (digits[count - 1] - '0') * scale;
    scale /= 10;
    const std::string text = "2025-01-02T04:28:05." + digits.substr(0, count) + "Z";
    EXPECT_EQ(parsed(text) - whole, std::chrono::nanoseconds{expected_nanos}) << text;
  }
  EXPECT_EQ(parsed("2025-01-02T13:28:05.824+09:00"), Timestamp::from_ms(1735792085824).value());
}

TEST(Timestamp, ParseIso8601Local_UpbitCandleTimesInUtcAndKstAgree) {
  // One candle of the recorded Upbit fixture: its UTC and KST fields and its ms `timestamp`.
  const auto utc = Timestamp::parse_iso8601_local("2025-01-02T04:28:05", minutes{0});
  const auto kst = Timestamp::parse_iso8601_local("2025-01-02T13:28:05", kKstUtcOffset);
  ASSERT_TRUE(utc.has_value());
  ASSERT_TRUE(kst.has_value());
  EXPECT_EQ(*utc, *kst);
  EXPECT_EQ(utc->seconds(), Timestamp::from_ms(1735792085824).value().seconds());

  const auto utc_midnight = Timestamp::parse_iso8601_local("2025-06-30T23:59:59", minutes{0});
  const auto kst_morning = Timestamp::parse_iso8601_local("2025-07-01T08:59:59", kKstUtcOffset);
  ASSERT_TRUE(utc_midnight.has_value());
  ASSERT_TRUE(kst_morning.has_value());
  EXPECT_EQ(*utc_midnight, at_seconds(1751327999));
  EXPECT_EQ(*kst_morning, at_seconds(1751327999));
}

TEST(Timestamp, ParseIso8601Local_TextWithItsOwnZone_IsRefused) {
  const auto result = Timestamp::parse_iso8601_local("2025-01-02T04:28:05Z", minutes{0});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      result.error().message,
      "invalid ISO-8601 timestamp \"2025-01-02T04:28:05Z\": expected nothing after the time (this field "
      "carries no zone)");
}

TEST(Timestamp, ParseIso8601_MalformedText_NamesTextAndReason) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-1-02T04:28:05Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-01-02 04:28:05Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-01-02T04:28Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"+025-01-02T04:28:05Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-02-29T00:00:00Z", "no such date"},
      {"2025-13-01T00:00:00Z", "no such date"},
      {"2025-01-00T00:00:00Z", "no such date"},
      {"2025-01-02T24:00:00Z", "no such time of day"},
      {"2025-01-02T23:60:00Z", "no such time of day"},
      {"2016-12-31T23:59:60Z", "no such time of day"},
      {"2025-01-02T04:28:05.Z", "no digits after '.'"},
      {"2025-01-02T04:28:05.1234567891Z", "more than 9 fractional digits"},
      {"2025-01-02T04:28:05", "expected 'Z' or a UTC offset such as +09:00 after the time"},
      {"2025-01-02T04:28:05z", "expected 'Z' or a UTC offset such as +09:00 after the time"},
      {"2025-01-02T04:28:05+0900", "expected a UTC offset such as +09:00"},
      {"2025-01-02T04:28:05+9:00", "expected a UTC offset such as +09:00"},
      {"2025-01-02T04:28:05+24:00", "no such UTC offset"},
      {"2025-01-02T04:28:05+09:60", "no such UTC offset"},
      {"2025-01-02T04:28:05Z ", "unexpected text after the zone"},
      {"2025-01-02T04:28:05+09:00Z", "unexpected text after the zone"},
      {"2262-04-12T00:00:00Z", "outside the representable range (1677-09-21 to 2262-04-11)"},
      {"1677-09-21T00:12:43.145224191Z", "outside the representable range (1677-09-21 to 2262-04-11)"},
  };
  for (const auto& [text, reason] : cases) {
    const auto result = Timestamp::parse_iso8601(text);
    ASSERT_FALSE(result.has_value()) << text;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_EQ(result.error().message,
              "invalid ISO-8601 timestamp \"" + std::string(text) + "\": " + std::string(reason));
  }
}

TEST(Timestamp, ParseIso8601_LeapDayAndRangeEndsAreAccepted) {
  EXPECT_EQ(parsed("2024-02-29T00:00:00Z"), at_seconds(1709164800));
  EXPECT_EQ(parsed("1677-09-21T00:12:43.145224192Z").ns(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parsed("2262-04-11T23:47:16.854775807Z").ns(), std::numeric_limits<std::int64_t>::max());
}

TEST(Timestamp, Arithmetic_DurationsAndDifferences) {
  const Timestamp start = at_seconds(1766736000);
  const Timestamp later = start + milliseconds{1500};
  EXPECT_EQ(later.ns() - start.ns(), 1'500'000'000);
  EXPECT_EQ(later - start, milliseconds{1500});
  EXPECT_EQ(start - later, milliseconds{-1500});
  EXPECT_EQ(later - milliseconds{1500}, start);
  EXPECT_EQ(hours{1} + start, start + minutes{60});
  Timestamp moving = start;
  moving += seconds{2};
  moving -= milliseconds{500};
  EXPECT_EQ(moving, later);
  EXPECT_LT(start, later);
  EXPECT_GT(later, start);
  EXPECT_NE(start, later);
  EXPECT_LE(start, start);
}

TEST(Timestamp, StreamsAsIso8601) {
  std::ostringstream out;
  out << Timestamp::from_ms(1672364262444).value();
  EXPECT_EQ(out.str(), "2022-12-30T01:37:42.444Z");
}

}  // namespace
}  // namespace kimp
