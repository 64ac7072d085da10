// Tests of BybitPublicParser on malformed frames: each is a kInvalidArgument naming the problem, never a
// crash, and the parser keeps working afterwards.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "stream_fixtures.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr std::string_view kDelta =
    R"({"topic":"orderbook.200.BTCUSDT","type":"delta","ts":1786310818130,"data":{"s":"BTCUSDT",)"
    R"("b":[["65095.30","0.005"]],"a":[["65116.60","0"]],"u":15076953,"seq":753843913870},"cts":1786310818129})";

// The delta with `from` replaced by `to` (which must occur in it).
std::string edited(std::string_view from, std::string_view to) {
  std::string text(kDelta);
  const std::size_t at = text.find(from);
  if (at == std::string::npos) {
    throw std::logic_error("edit target not in the frame");
  }
  return text.replace(at, from.size(), to);
}

struct Case {
  std::string name;
  std::string frame;
  std::string message_part;  // must appear in the error message
};

class BybitMalformed : public ::testing::TestWithParam<Case> {};

TEST_P(BybitMalformed, IsInvalidArgumentNamingTheProblem_AndParserRecovers) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto result = parser.parse(GetParam().frame);
  ASSERT_FALSE(result) << GetParam().name;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find(GetParam().message_part), std::string::npos)
      << result.error().message;
  const auto good = parser.parse(kDelta);
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(std::get<model::BookUpdate>(*good).bids.size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Frames, BybitMalformed,
    ::testing::Values(
        Case{"Empty", "", "empty frame"}, Case{"Whitespace", "   ", "not JSON"},
        Case{"Truncated", std::string(kDelta.substr(0, 120)), "bybit"},
        Case{"TruncatedInsideString", std::string(kDelta.substr(0, 15)), "not JSON"},
        Case{"NotAnObject", "[1,2]", "not a JSON object"},
        Case{"TrailingContent", std::string(kDelta) + "{}", "trailing content"},
        Case{"PriceAsNumber", edited(R"("65095.30")", "65095.30"), "level price is not a decimal string"},
        Case{"QtyAsNull", edited(R"("0.005")", "null"), "level size is not a decimal string"},
        Case{"TooManyDecimals", edited(R"("0.005")", R"("0.000000001")"), "not exact"},
        Case{"HugeNumber", edited(R"("65095.30")", R"("99999999999999999999")"), "out of range"},
        Case{"NotANumber", edited(R"("65095.30")", R"("65,095.30")"), "not a decimal number"},
        Case{"ExponentOverflow", edited(R"("0.005")", R"("1e999999999999")"), "out of range"},
        Case{"NegativeZeroLength", edited(R"("0.005")", R"("")"), "level size"},
        Case{"EscapedDigits", edited(R"("0.005")", R"("0.00\u0035")"), "level size is not a decimal string"},
        Case{"LevelWithThreeElements", edited(R"(["65095.30","0.005"])", R"(["65095.30","0.005","1"])"),
             "3 elements"},
        Case{"LevelWithOneElement", edited(R"(["65095.30","0.005"])", R"(["65095.30"])"), "1 elements"},
        Case{"LevelNotArray", edited(R"(["65095.30","0.005"])", R"({"p":"1"})"), "not a [price, size]"},
        Case{"SideNotArray", edited(R"("b":[["65095.30","0.005"]])", R"("b":{})"),
             "book side is not an array"},
        Case{"MissingUpdateId", edited(R"("u":15076953,)", ""), "needs s, b, a, u and seq"},
        Case{"MissingAsks", edited(R"(,"a":[["65116.60","0"]])", ""), "needs s, b, a, u and seq"},
        Case{"UpdateIdNegative", edited("15076953", "-1"), "u is not an unsigned integer"},
        Case{"UpdateIdString", edited("15076953", R"("15076953")"), "u is not an unsigned integer"},
        Case{"OtherSymbolInData", edited(R"("s":"BTCUSDT")", R"("s":"ETHUSDT")"), "not the topic's symbol"},
        Case{"LongerSymbolInData", edited(R"("s":"BTCUSDT")", R"("s":"BTCUSDTX")"), "not the topic's symbol"},
        Case{"UpdateIdLeadingZero", edited("15076953", "015076953"), "u is not an unsigned integer"},
        Case{"PriceWithTrailingSpace", edited(R"("65095.30")", R"("65095.30 ")"), "level price"},
        Case{"UnknownTopic", edited("orderbook.200.BTCUSDT", "allLiquidation.BTCUSDT"), "unknown topic"},
        Case{"TopicWithoutSymbol", edited("orderbook.200.BTCUSDT", "orderbook.200."), "no valid symbol"},
        Case{"TopicBadDepth", edited("orderbook.200.BTCUSDT", "orderbook.x.BTCUSDT"), "unknown topic"},
        Case{"TopicNotString", edited(R"("orderbook.200.BTCUSDT")", "7"), "topic is not a string"},
        Case{"UnknownType", edited(R"("delta")", R"("partial")"), "type is not snapshot or delta"},
        Case{"MissingTs", edited(R"("ts":1786310818130,)", ""), "missing ts"},
        Case{"MissingData", R"({"topic":"orderbook.200.BTCUSDT","type":"delta","ts":1})", "missing data"},
        Case{"DataNotObject", R"({"topic":"orderbook.200.BTCUSDT","type":"delta","ts":1,"data":[]})",
             "data is not an object"},
        Case{"NeitherTopicNorOp", R"({"hello":1})", "neither a topic nor an op"},
        Case{"AckWithoutSuccess", R"({"op":"subscribe","conn_id":"x"})", "reply without success"},
        Case{"SuccessNotBool", R"({"op":"subscribe","success":"yes"})", "success is not a boolean"},
        Case{
            "TradeBadSide",
            R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"B","v":"1","p":"1"}]})",
            "S is not Buy or Sell"},
        Case{
            "TradeMissingPrice",
            R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1"}]})",
            "trade needs"},
        Case{
            "TradeZeroPrice",
            R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1","p":"0"}]})",
            "must be positive"},
        Case{"TickerWrongSymbol",
             R"({"topic":"tickers.BTCUSDT","type":"delta","ts":1,"data":{"symbol":"ETHUSDT"}})",
             "not the topic's symbol"},
        Case{"TickerPriceNumber",
             R"({"topic":"tickers.BTCUSDT","type":"delta","ts":1,"data":{"symbol":"BTCUSDT","lastPrice":1}})",
             "lastPrice is not a decimal string"},
        Case{
            "TickerFundingTimeText",
            R"({"topic":"tickers.BTCUSDT","type":"delta","ts":1,"data":{"symbol":"BTCUSDT","nextFundingTime":"soon"}})",
            "nextFundingTime is not milliseconds"},
        Case{
            "KlineMissingClose",
            R"({"topic":"kline.1.BTCUSDT","type":"snapshot","ts":1,"data":[{"start":1,"end":2,"open":"1"}]})",
            "kline needs"},
        Case{"TimeOutOfRange", edited("1786310818129", "18446744073709551615"), "cts is not a time"}),
    [](const ::testing::TestParamInfo<Case>& test_case) { return test_case.param.name; });

TEST(BybitMalformed, OversizedFrame_IsRefusedBeforeParsing) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const std::string huge(BybitPublicParser::kMaxFrameBytes + 1, ' ');
  const auto result = parser.parse(huge);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("exceeds the"), std::string::npos);
}

TEST(BybitMalformed, ErrorQuotesOffendingTextBounded) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto result = parser.parse(edited(R"("0.005")", R"("0.000000001")"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "bybit orderbook.200.BTCUSDT: level size: more than 8 fractional digits, not exact: "
            "\"0.000000001\": \"0.000000001\"");
}

// A truncated, spliced delta that once left the parser reading past its buffer while quoting a token: on
// a parser that had read a larger frame before, simdjson reported a token running beyond the frame.
TEST(BybitMalformed, SplicedDeltaFoundByTheFuzzer_IsAnErrorNotAnOverread) {
  const std::string frame =
      "{\"topic\":\"orderbook.200.BTCUSDT\",\"type\":\"delta\",\"ts\":1786310828829,\"data\":{\"s\":"
      "\"BTCUSDT\""
      ",\"b\":[[\"65114.20\",\"8.057\"],[\"65110.00\",\"0.002\"],[\"65106.10\",\"0\"],[\"65100.80\",\"0."
      "002\"],[\""
      "6510\":{\"s\":\"BTCUSDT\",\"b\":[[\"65114.20\",\"8.057\"],[\"65110.00\",\"0.002\"],[\"65106.10\","
      "\"0\"],[\"6"
      "5100.80\",\"0.002\"],[\"65100.10\",\"0.010\"],[\"65095.70\",\"0\"],[\"65086.40\",\"0.002\"],[\"65086."
      "20\""
      ",\"0.002\"Y],\"a\":[[\"65117.80\",\"0\"],[\"65119.80\",\"0.644\"],[\"65120.\"04,\"0.002\"],[\"65122."
      "90\",\""
      "0\"]],\"u\":0.10\",\"0.010,\"0\"],[\"65119.80\",\"0.644\"[\"65122.90\",\"0\"]],\"u\":\x1c"
      "5077052,\"seq\":75384"
      "4185884},\"cts\":1786310828826}";
  BybitPublicParser parser(BybitCategory::kLinear);
  for (const auto& earlier : testing::capture().frames) {
    (void)parser.parse(earlier.data);
  }
  const auto result = parser.parse(frame);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(parser.parse(kDelta).has_value()) << "the parser keeps working";
}

TEST(BybitMalformed, EveryTruncationOfACaptureSnapshot_IsAnErrorNotACrash) {
  const auto& frames = testing::capture().frames;
  const auto snapshot = std::find_if(frames.begin(), frames.end(), [](const market::CaptureFrame& frame) {
    return frame.data.starts_with(R"({"topic":"orderbook.200.SOLUSDT","type":"snapshot")");
  });
  ASSERT_NE(snapshot, frames.end());
  BybitPublicParser parser(BybitCategory::kLinear);
  std::size_t errors = 0;
  for (std::size_t length = 0; length < snapshot->data.size(); ++length) {
    const auto result = parser.parse(std::string_view(snapshot->data).substr(0, length));
    errors += result ? 0 : 1;
    if (!result) {
      EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(errors, snapshot->data.size());
  EXPECT_TRUE(parser.parse(snapshot->data));
}

TEST(BybitMalformed, RandomByteFlipsOfCaptureFrames_AreValuesOrInvalidArgument) {
  const auto& frames = testing::capture().frames;
  BybitPublicParser parser(BybitCategory::kLinear);
  std::mt19937 random(20260809);  // fixed seed: the same cases on every run
  std::size_t errors = 0;
  constexpr std::size_t kCases = 20'000;
  for (std::size_t i = 0; i < kCases; ++i) {
    std::string frame = frames[random() % frames.size()].data;
    const std::size_t flips = 1 + random() % 3;
    for (std::size_t f = 0; f < flips; ++f) {
      frame[random() % frame.size()] = static_cast<char>(random() % 256);
    }
    const auto result = parser.parse(frame);
    if (!result) {
      ++errors;
      ASSERT_EQ(result.error().code, ErrorCode::kInvalidArgument) << result.error().describe();
    }
  }
  // Most flips break something a strict parser must refuse.
  EXPECT_GT(errors, kCases / 2);
}

}  // namespace
}  // namespace kimp::venues::bybit
