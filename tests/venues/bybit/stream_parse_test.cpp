// Tests of BybitPublicParser on recorded payloads: exact values from the fixtures and the capture.
#include "venues/bybit/parse_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>

#include "stream_fixtures.hpp"

namespace kimp::venues::bybit {
namespace {

using testing::capture;
using testing::fixture_part;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

template <class T>
const T& as(const Result<BybitPublicMessage>& message) {
  if (!message) {
    throw std::runtime_error(message.error().describe());
  }
  return std::get<T>(*message);
}

TEST(BybitParse, LinearTickerFixture_CarriesEveryEngineField) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto message = parser.parse(fixture_part("Linear_Ticker.txt", '='));
  const auto& ticker = as<model::Ticker>(message);
  EXPECT_EQ(parser.last_kind(), BybitMessageKind::kTicker);
  EXPECT_EQ(ticker.venue, model::Venue::kBybit);
  EXPECT_EQ(ticker.symbol.view(), "BTCUSDT");
  EXPECT_EQ(ticker.ts_event, ms(1673272861686));
  EXPECT_EQ(ticker.ts_recv, Timestamp());
  EXPECT_EQ(ticker.last_price, dec("17216.00"));
  EXPECT_EQ(ticker.bid_price, dec("17215.50"));
  EXPECT_EQ(ticker.ask_price, dec("17216.00"));
  EXPECT_EQ(ticker.mark_price, dec("17217.33"));
  EXPECT_EQ(ticker.index_price, dec("17227.36"));
  EXPECT_EQ(ticker.funding_rate, dec("-0.000212"));
  EXPECT_EQ(ticker.next_funding_time, ms(1673280000000));
  EXPECT_EQ(ticker.volume_24h, dec("91705.276"));
  EXPECT_EQ(ticker.turnover_24h, dec("1570383121.943499"));
  EXPECT_FALSE(ticker.turnover_24h_krw);
}

TEST(BybitParse, SpotTickerFixture_HasOnlySpotFields) {
  BybitPublicParser parser(BybitCategory::kSpot);
  const auto message = parser.parse(fixture_part("Spot_Ticker.txt", '='));
  const auto& ticker = as<model::Ticker>(message);
  EXPECT_EQ(ticker.symbol.view(), "BTCUSDT");
  EXPECT_EQ(ticker.ts_event, ms(1673853746003));
  EXPECT_EQ(ticker.last_price, dec("21109.77"));
  EXPECT_EQ(ticker.volume_24h, dec("6780.866843"));
  EXPECT_EQ(ticker.turnover_24h, dec("141946527.22907118"));
  EXPECT_FALSE(ticker.bid_price);
  EXPECT_FALSE(ticker.ask_price);
  EXPECT_FALSE(ticker.mark_price);
  EXPECT_FALSE(ticker.index_price);  // usdIndexPrice is a USD index, not the contract's index price
  EXPECT_FALSE(ticker.funding_rate);
  EXPECT_FALSE(ticker.next_funding_time);
}

TEST(BybitParse, LinearTradesFixture_GivesOneTakerBuy) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto message = parser.parse(fixture_part("Linear_Trades.txt", '='));
  const auto& batch = as<BybitTradeBatch>(message);
  EXPECT_EQ(parser.last_kind(), BybitMessageKind::kTrade);
  EXPECT_EQ(batch.symbol.view(), "BTCUSDT");
  EXPECT_EQ(batch.ts_event, ms(1672304486868));
  ASSERT_EQ(batch.trades.size(), 1U);
  const model::Trade& trade = batch.trades[0];
  EXPECT_EQ(trade.venue, model::Venue::kBybit);
  EXPECT_EQ(trade.symbol.view(), "BTCUSDT");
  EXPECT_EQ(trade.ts_event, ms(1672304486865));
  EXPECT_EQ(trade.price, dec("16578.50"));
  EXPECT_EQ(trade.qty, dec("0.001"));
  EXPECT_EQ(trade.taker_side, model::Side::kBuy);
  EXPECT_EQ(trade.sequence, 0U);
}

TEST(BybitParse, SubscribeAckFixture_IsControlWithIds) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto message = parser.parse(fixture_part("Linear_Trades.txt", '<'));
  const auto& control = as<BybitStreamControl>(message);
  EXPECT_EQ(parser.last_kind(), BybitMessageKind::kControl);
  EXPECT_EQ(control.op, BybitStreamOp::kSubscribe);
  EXPECT_TRUE(control.success);
  EXPECT_EQ(control.ret_msg, "");
  EXPECT_EQ(control.conn_id, "3cd84cb1-4d06-4a05-930a-2efe5fc70f0f");
  EXPECT_EQ(control.req_id, "|1|");
}

TEST(BybitParse, PongsOfBothShapes_AreControl) {
  BybitPublicParser parser(BybitCategory::kSpot);
  const auto spot = parser.parse(
      R"({"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"})");
  EXPECT_EQ(as<BybitStreamControl>(spot).op, BybitStreamOp::kPing);
  EXPECT_EQ(as<BybitStreamControl>(spot).ret_msg, "pong");
  const auto other =
      parser.parse(R"({"req_id":"test","op":"pong","args":["1675418560633"],"conn_id":"cfcb"})");
  EXPECT_EQ(as<BybitStreamControl>(other).op, BybitStreamOp::kPong);
  EXPECT_TRUE(as<BybitStreamControl>(other).success);
  EXPECT_EQ(as<BybitStreamControl>(other).req_id, "test");
  const auto refused = parser.parse(
      R"({"success":false,"ret_msg":"error:handler not found,topic:orderbook.7.X","conn_id":"c","op":"subscribe"})");
  EXPECT_FALSE(as<BybitStreamControl>(refused).success);
  EXPECT_EQ(as<BybitStreamControl>(refused).ret_msg, "error:handler not found,topic:orderbook.7.X");
}

TEST(BybitParse, CaptureFirstLinearBtcDelta_HasExactLevelsAndIds) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const std::string_view needle = R"({"topic":"orderbook.200.BTCUSDT","type":"delta")";
  for (const auto& frame : capture().frames) {
    if (frame.connection != 0 || !frame.data.starts_with(needle)) {
      continue;
    }
    const auto message = parser.parse(frame.data);
    const auto& book = as<model::BookUpdate>(message);
    EXPECT_EQ(book.venue, model::Venue::kBybit);
    EXPECT_EQ(book.symbol.view(), "BTCUSDT");
    EXPECT_EQ(book.action, model::BookAction::kDelta);
    EXPECT_EQ(book.update_id, 15076953U);
    EXPECT_EQ(book.sequence, 753843913870U);
    EXPECT_EQ(book.depth, 200U);
    EXPECT_EQ(book.ts_event, ms(1786310818129));  // cts, not ts (…130)
    ASSERT_EQ(book.bids.size(), 6U);
    ASSERT_EQ(book.asks.size(), 16U);
    EXPECT_EQ(book.bids[0], (model::BookLevel{dec("65095.30"), dec("0.005")}));
    EXPECT_EQ(book.bids[2], (model::BookLevel{dec("65093.10"), dec("0")}));
    EXPECT_EQ(book.bids[5], (model::BookLevel{dec("65088.40"), dec("0.445")}));
    EXPECT_EQ(book.asks[0], (model::BookLevel{dec("65116.60"), dec("0")}));
    EXPECT_EQ(book.asks[15], (model::BookLevel{dec("65146.70"), dec("0")}));
    return;
  }
  FAIL() << "no linear BTCUSDT delta in the capture";
}

TEST(BybitParse, CaptureSpotSnapshot_TsBeforeTypeAndUnpaddedNumbers) {
  BybitPublicParser parser(BybitCategory::kSpot);
  for (const auto& frame : capture().frames) {
    if (frame.connection != 1 || !frame.data.starts_with(R"({"topic":"orderbook.200.BTCUSDT","ts")")) {
      continue;
    }
    const auto message = parser.parse(frame.data);
    const auto& book = as<model::BookUpdate>(message);
    EXPECT_EQ(book.action, model::BookAction::kSnapshot);
    EXPECT_EQ(book.update_id, 62505424U);
    EXPECT_EQ(book.sequence, 112488545843U);
    EXPECT_EQ(book.ts_event, ms(1786310816512));
    ASSERT_EQ(book.bids.size(), 200U);
    ASSERT_EQ(book.asks.size(), 200U);
    EXPECT_EQ(book.bids[0], (model::BookLevel{dec("65140.4"), dec("0.885797")}));
    EXPECT_EQ(book.bids[1], (model::BookLevel{dec("65140"), dec("0.014")}));
    EXPECT_EQ(book.asks[199], (model::BookLevel{dec("65239.1"), dec("0.123013")}));
    return;
  }
  FAIL() << "no spot BTCUSDT snapshot in the capture";
}

TEST(BybitParse, CaptureKline_GivesTheOpenBar) {
  BybitPublicParser parser(BybitCategory::kLinear);
  for (const auto& frame : capture().frames) {
    if (!frame.data.starts_with(R"({"topic":"kline.1.BTCUSDT")")) {
      continue;
    }
    const auto message = parser.parse(frame.data);
    const auto& batch = as<BybitKlineBatch>(message);
    EXPECT_EQ(batch.symbol.view(), "BTCUSDT");
    EXPECT_EQ(batch.interval, "1");
    ASSERT_EQ(batch.bars.size(), 1U);
    const BybitKline& bar = batch.bars[0];
    EXPECT_EQ(bar.start, ms(1786310760000));
    EXPECT_EQ(bar.end, ms(1786310819999));
    EXPECT_EQ(bar.open, dec("65119.9"));
    EXPECT_EQ(bar.close, dec("65114.3"));
    EXPECT_EQ(bar.high, dec("65119.9"));
    EXPECT_EQ(bar.low, dec("65114.2"));
    EXPECT_EQ(bar.volume, dec("1.576"));
    EXPECT_EQ(bar.turnover, dec("102627.995"));
    EXPECT_FALSE(bar.confirm);
    EXPECT_EQ(bar.ts_event, ms(1786310818440));
    return;
  }
  FAIL() << "no kline in the capture";
}

TEST(BybitParse, CaptureLinearTickerDelta_CarriesOnlyChangedFields) {
  BybitPublicParser parser(BybitCategory::kLinear);
  for (const auto& frame : capture().frames) {
    if (!frame.data.starts_with(R"({"topic":"tickers.BTCUSDT","type":"delta")")) {
      continue;
    }
    const auto message = parser.parse(frame.data);
    const auto& ticker = as<model::Ticker>(message);
    EXPECT_EQ(ticker.bid_price, dec("65114.20"));
    EXPECT_EQ(ticker.ask_price, dec("65114.30"));
    EXPECT_EQ(ticker.ts_event, ms(1786310817883));
    EXPECT_FALSE(ticker.last_price);
    EXPECT_FALSE(ticker.mark_price);
    EXPECT_FALSE(ticker.funding_rate);
    return;
  }
  FAIL() << "no ticker delta in the capture";
}

TEST(BybitParse, EveryCaptureFrame_ParsesAsItsKind) {
  std::map<BybitMessageKind, std::size_t> kinds;
  BybitPublicParser linear(BybitCategory::kLinear);
  BybitPublicParser spot(BybitCategory::kSpot);
  for (const auto& frame : capture().frames) {
    BybitPublicParser& parser = frame.connection == 0 ? linear : spot;
    const auto message = parser.parse(frame.data);
    ASSERT_TRUE(message) << message.error().describe();
    ++kinds[parser.last_kind()];
  }
  EXPECT_EQ(kinds[BybitMessageKind::kOrderbook], 2148U);  // 6 snapshots + 2,142 deltas
  EXPECT_EQ(kinds[BybitMessageKind::kTicker], 839U);
  EXPECT_EQ(kinds[BybitMessageKind::kTrade], 120U);
  EXPECT_EQ(kinds[BybitMessageKind::kKline], 96U);
  EXPECT_EQ(kinds[BybitMessageKind::kControl], 24U);
  EXPECT_EQ(kinds[BybitMessageKind::kUnknown], 0U);
}

// The exact-form scanner and the checked path read every orderbook frame of the capture alike, and
// frames written other than Bybit's compact way (a space after each colon) alike too.
TEST(BybitParse, EveryCaptureOrderbookFrame_ReadsTheSameOnBothPaths) {
  std::array<BybitPublicParser, 2> scanning{BybitPublicParser(BybitCategory::kLinear),
                                            BybitPublicParser(BybitCategory::kSpot)};
  std::array<BybitPublicParser, 2> checked{
      BybitPublicParser(BybitCategory::kLinear, BybitBookScan::kCheckedOnly),
      BybitPublicParser(BybitCategory::kSpot, BybitBookScan::kCheckedOnly)};
  std::array<BybitPublicParser, 2> spaced{BybitPublicParser(BybitCategory::kLinear),
                                          BybitPublicParser(BybitCategory::kSpot)};
  std::size_t compared = 0;
  for (const auto& frame : capture().frames) {
    const std::size_t connection = frame.connection == 0 ? 0 : 1;
    const auto fast = scanning[connection].parse(frame.data);
    if (scanning[connection].last_kind() != BybitMessageKind::kOrderbook) {
      continue;
    }
    std::string text;
    for (std::size_t at = 0; at < frame.data.size(); ++at) {
      text += frame.data[at];
      if (frame.data[at] == ':' && at > 0 && frame.data[at - 1] == '"') {
        text += ' ';
      }
    }
    const auto& book = as<model::BookUpdate>(fast);
    EXPECT_TRUE(model::same_content(book, as<model::BookUpdate>(checked[connection].parse(frame.data))))
        << frame.data;
    EXPECT_TRUE(model::same_content(book, as<model::BookUpdate>(spaced[connection].parse(text)))) << text;
    ++compared;
  }
  EXPECT_EQ(compared, 2148U);
}

// Every prefix of a compact frame, and the frame with any one byte replaced by a character that matters
// to JSON, is read alike by the exact-form scanner and the checked path: the same error or the same
// book. The scanner must refuse whatever it cannot read exactly.
TEST(BybitParse, CompactFrameCutOrEdited_ReadsTheSameOnBothPaths) {
  const std::string frame =
      R"({"topic":"orderbook.50.ETHUSDT","type":"delta","ts":1786310818130,"data":{"s":"ETHUSDT",)"
      R"("b":[["1922.54","52.00"],["1922.5","0"]],"a":[["1923","1.25"]],"u":7,"seq":9},"cts":1786310818129})";
  BybitPublicParser scanning(BybitCategory::kLinear);
  BybitPublicParser checked(BybitCategory::kLinear, BybitBookScan::kCheckedOnly);
  std::size_t books = 0;
  const auto expect_alike = [&](const std::string& text) {
    const auto fast = scanning.parse(text);
    const auto slow = checked.parse(text);
    ASSERT_EQ(fast.has_value(), slow.has_value()) << text;
    if (!fast) {
      EXPECT_EQ(fast.error().message, slow.error().message) << text;
      return;
    }
    const auto* book = std::get_if<model::BookUpdate>(&*fast);
    const auto* expected = std::get_if<model::BookUpdate>(&*slow);
    ASSERT_TRUE(book != nullptr && expected != nullptr) << text;
    EXPECT_TRUE(model::same_content(*book, *expected)) << text;
    ++books;
  };
  for (std::size_t size = 0; size <= frame.size(); ++size) {
    expect_alike(frame.substr(0, size));
  }
  for (std::size_t at = 0; at < frame.size(); ++at) {
    for (const char replacement : std::string_view(R"(" ,:[]{}0.9\x)")) {
      std::string edited = frame;
      edited[at] = replacement;
      expect_alike(edited);
    }
  }
  EXPECT_GT(books, 100U);  // edits inside numbers and ids still make books
}

// A frame naming a kline topic and then a new orderbook topic keeps nothing of the first, also when
// the second is read again from the parser's topic cache (found by bybit_public_fuzz).
TEST(BybitParse, KlineTopicThenOrderbookTopic_IsReadAsTheLast) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const std::string frame =
      R"({"topic":"kline.1.BTCUSDT","topic":"orderbook.50.ETHUSDT","type":"delta","ts":1786310818130,)"
      R"("data":{"s":"ETHUSDT","b":[],"a":[["1923","1.25"]],"u":7,"seq":9}})";
  for (int round = 0; round < 2; ++round) {
    const auto message = parser.parse(frame);
    const auto& book = as<model::BookUpdate>(message);
    EXPECT_EQ(book.depth, 50U);
    EXPECT_EQ(book.symbol.view(), "ETHUSDT");
  }
}

// A compact frame whose data ends without cts, or whose ts follows data, is read all the same.
TEST(BybitParse, CompactOrderbookWithoutCtsOrTsLast_IsParsed) {
  BybitPublicParser parser(BybitCategory::kSpot);
  const auto without_cts = parser.parse(
      R"({"topic":"orderbook.50.ETHUSDT","ts":1786310818130,"type":"delta","data":{"s":"ETHUSDT",)"
      R"("b":[["1922.54","52.00"],["1922.5","0"]],"a":[["1923","1.25"]],"u":7,"seq":9}})");
  const auto& book = as<model::BookUpdate>(without_cts);
  EXPECT_EQ(book.ts_event, ms(1786310818130));
  EXPECT_EQ(book.update_id, 7U);
  EXPECT_EQ(book.sequence, 9U);
  ASSERT_EQ(book.bids.size(), 2U);
  EXPECT_EQ(book.bids[1], (model::BookLevel{dec("1922.5"), dec("0")}));
  ASSERT_EQ(book.asks.size(), 1U);
  EXPECT_EQ(book.asks[0], (model::BookLevel{dec("1923"), dec("1.25")}));
  const auto ts_last = parser.parse(
      R"({"topic":"orderbook.50.ETHUSDT","type":"delta","data":{"s":"ETHUSDT","b":[],"a":[],"u":8,)"
      R"("seq":10},"cts":1786310818129,"ts":1786310818130})");
  EXPECT_EQ(as<model::BookUpdate>(ts_last).ts_event, ms(1786310818129));
}

TEST(BybitParse, DataBeforeTopic_IsStillParsed) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto message =
      parser.parse(R"({"data":{"s":"ETHUSDT","b":[["1922.54","52.00"]],"a":[],"u":7,"seq":9},"type":"delta",)"
                   R"("topic":"orderbook.50.ETHUSDT","ts":1786310818130})");
  const auto& book = as<model::BookUpdate>(message);
  EXPECT_EQ(book.symbol.view(), "ETHUSDT");
  EXPECT_EQ(book.depth, 50U);
  EXPECT_EQ(book.update_id, 7U);
  EXPECT_EQ(book.ts_event, ms(1786310818130));  // no cts: ts
  ASSERT_EQ(book.bids.size(), 1U);
  EXPECT_EQ(book.bids[0], (model::BookLevel{dec("1922.54"), dec("52")}));
  EXPECT_TRUE(book.asks.empty());
}

TEST(BybitParse, EmptyStringTickerField_LeavesItUnset) {
  BybitPublicParser parser(BybitCategory::kLinear);
  const auto message =
      parser.parse(R"({"topic":"tickers.XUSDT","type":"snapshot","data":{"symbol":"XUSDT","fundingRate":"",)"
                   R"("nextFundingTime":"","lastPrice":"1.5"},"ts":1})");
  const auto& ticker = as<model::Ticker>(message);
  EXPECT_FALSE(ticker.funding_rate);
  EXPECT_FALSE(ticker.next_funding_time);
  EXPECT_EQ(ticker.last_price, dec("1.5"));
}

}  // namespace
}  // namespace kimp::venues::bybit
