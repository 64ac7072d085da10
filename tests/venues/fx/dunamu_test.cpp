// Tests of Dunamu USD/KRW quote parsing: the emulator's answer shape, exact basePrice, malformed bodies.
#include "venues/fx/dunamu.hpp"

#include <gtest/gtest.h>

namespace kimp::venues::fx {
namespace {

// The shape sim/server/fx_api.cpp answers with (Dunamu's quotation format), one quote.
constexpr std::string_view kEmulatorAnswer =
    R"json([{"code":"FRX.KRWUSD","currencyCode":"USD","currencyName":"달러","country":"미국",)json"
    R"json("name":"미국 (KRW/USD)","date":"2026-12-07","time":"03:57:37","recurrenceCount":1,)json"
    R"json("basePrice":1387.35,"openingPrice":1385.1,"highPrice":1390.2,"lowPrice":1384.05,"change":"RISE",)json"
    R"json("changePrice":2.25,"signedChangePrice":2.25,"changeRate":0.0016244314,)json"
    R"json("signedChangeRate":0.0016244314,"currencyUnit":1,"provider":"kimp-venue-sim",)json"
    R"json("timestamp":1796587057123}])json";

TEST(DunamuQuote, EmulatorAnswer_GivesExactBasePriceAndTimestamp) {
  const auto quote = parse_dunamu_quote(kEmulatorAnswer);
  ASSERT_TRUE(quote.has_value()) << quote.error();
  EXPECT_EQ(quote->usd_krw, Decimal::parse("1387.35").value());
  EXPECT_EQ(quote->ts_event, Timestamp::from_ms(1'796'587'057'123).value());
}

TEST(DunamuQuote, BasePriceWithManyDigits_KeptDigitForDigit) {
  // A double would print 1387.3499999999999.
  const auto quote = parse_dunamu_quote(R"([{"code":"FRX.KRWUSD","basePrice":1387.34999999,"timestamp":1}])");
  ASSERT_TRUE(quote.has_value()) << quote.error();
  EXPECT_EQ(quote->usd_krw.units(), 138'734'999'999);
}

TEST(DunamuQuote, OtherCodesBeforeUsd_Skipped) {
  const auto quote = parse_dunamu_quote(R"([{"code":"FRX.KRWJPY","basePrice":912.5,"timestamp":5},)"
                                        R"({"code":"FRX.KRWUSD","basePrice":1400,"timestamp":6}])");
  ASSERT_TRUE(quote.has_value()) << quote.error();
  EXPECT_EQ(quote->usd_krw, Decimal::from_integer(1400).value());
  EXPECT_EQ(quote->ts_event, Timestamp::from_ms(6).value());
}

TEST(DunamuQuote, MalformedBodies_RefusedWithInvalidArgument) {
  const std::string_view bodies[] = {
      "",
      "[]",
      "{}",
      R"({"error":"service unavailable"})",
      R"([{"code":"FRX.KRWUSD","basePrice":1387.35,"timestamp":1796587057123)",
      R"([{"code":"FRX.KRWUSD","timestamp":1}])",
      R"([{"code":"FRX.KRWUSD","basePrice":"1387.35","timestamp":1}])",
      R"([{"code":"FRX.KRWUSD","basePrice":1387.123456789,"timestamp":1}])",
      R"([{"code":"FRX.KRWUSD","basePrice":0,"timestamp":1}])",
      R"([{"code":"FRX.KRWUSD","basePrice":-5,"timestamp":1}])",
      R"([{"code":"FRX.KRWUSD","basePrice":1387.35}])",
      R"([{"code":"FRX.KRWUSD","basePrice":1387.35,"timestamp":"now"}])",
      R"([1,2])",
      R"([{"code":"FRX.KRWJPY","basePrice":912.5,"timestamp":5}])",
  };
  for (const std::string_view body : bodies) {
    const auto quote = parse_dunamu_quote(body);
    ASSERT_FALSE(quote.has_value()) << body;
    EXPECT_EQ(quote.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_TRUE(quote.error().message.starts_with("Dunamu quote ")) << quote.error().message;
  }
}

TEST(DunamuQuote, InexactBasePrice_QuotedInTheMessage) {
  const auto quote =
      parse_dunamu_quote(R"([{"code":"FRX.KRWUSD","basePrice":1387.123456789,"timestamp":1}])");
  ASSERT_FALSE(quote.has_value());
  EXPECT_EQ(quote.error().message, R"(Dunamu quote basePrice is not an exact decimal: "1387.123456789")");
}

}  // namespace
}  // namespace kimp::venues::fx
