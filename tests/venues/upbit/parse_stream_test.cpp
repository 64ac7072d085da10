// Tests of the Upbit stream parser on recorded DEFAULT and SIMPLE frames and malformed input.
#include "venues/upbit/parse_stream.hpp"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <variant>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "venues/upbit/fixtures.hpp"

namespace kimp::venues::upbit {
namespace {

using testing::simple_capture_frames;
using testing::to_simple_keys;
using testing::ws_fixture_message;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

model::BookLevel level(std::string_view price, std::string_view qty) {
  return model::BookLevel{dec(price), dec(qty)};
}

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

template <class T>
T expect_message(UpbitStreamParser& parser, std::string_view frame) {
  auto message = parser.parse(frame);
  if (!message) {
    ADD_FAILURE() << message.error() << " for " << frame.substr(0, 200);
    return T{};
  }
  if (!std::holds_alternative<T>(*message)) {
    ADD_FAILURE() << "other message type (index " << message->index() << ") for " << frame.substr(0, 200);
    return T{};
  }
  return std::get<T>(*message);
}

std::vector<model::BookLevel> levels(std::span<const model::BookLevel> span) {
  return {span.begin(), span.end()};
}

TEST(UpbitStream, DefaultOrderbookFixture_GivesSnapshotBestFirst) {
  UpbitStreamParser parser;
  const auto book = expect_message<model::BookUpdate>(parser, ws_fixture_message("OrderBook.txt"));
  EXPECT_EQ(book.venue, model::Venue::kUpbit);
  EXPECT_EQ(book.symbol.view(), "KRW-ETH");
  EXPECT_EQ(book.action, model::BookAction::kSnapshot);
  EXPECT_EQ(book.ts_event, ms(1'746'601'573'804));
  EXPECT_EQ(book.ts_recv, Timestamp());
  EXPECT_EQ(book.depth, 5U);
  EXPECT_EQ(levels(book.bids),
            (std::vector<model::BookLevel>{level("137001000", "0.03656812"), level("137000000", "0.33543284"),
                                           level("136999000", "0.00104379"), level("136980000", "0.32709281"),
                                           level("136978000", "0.00875219")}));
  EXPECT_EQ(levels(book.asks),
            (std::vector<model::BookLevel>{level("137002000", "0.10623869"), level("137023000", "0.06144079"),
                                           level("137050000", "0.0055433"), level("137052000", "0.00452071"),
                                           level("137053000", "0.12781487")}));
}

TEST(UpbitStream, DefaultTradeFixture_GivesTradeWithExponentVolume) {
  UpbitStreamParser parser;
  const auto trade = expect_message<model::Trade>(parser, ws_fixture_message("Trades.txt"));
  EXPECT_EQ(trade.venue, model::Venue::kUpbit);
  EXPECT_EQ(trade.symbol.view(), "KRW-ETH");
  EXPECT_EQ(trade.ts_event, ms(1'696'585'056'846));
  EXPECT_EQ(trade.price, dec("37625"));
  EXPECT_EQ(trade.qty, dec("0.00008428"));  // sent as 8.428e-05
  EXPECT_EQ(trade.taker_side, model::Side::kSell);
  EXPECT_EQ(trade.sequence, 1'696'585'056'846'000U);
}

TEST(UpbitStream, DefaultTickerFixture_GivesLastPriceVolumeAndWholeKrwTurnover) {
  UpbitStreamParser parser;
  const auto ticker = expect_message<model::Ticker>(parser, ws_fixture_message("Tickers.txt"));
  EXPECT_EQ(ticker.symbol.view(), "KRW-ETH");
  EXPECT_EQ(ticker.ts_event, ms(1'693'383'690'031));
  EXPECT_EQ(ticker.last_price, dec("36929"));
  EXPECT_EQ(ticker.volume_24h, dec("0.22569412"));
  EXPECT_EQ(ticker.turnover_24h_krw, 8320);  // 8320.40577449
  EXPECT_EQ(ticker.bid_price, std::nullopt);
  EXPECT_EQ(ticker.funding_rate, std::nullopt);
}

TEST(UpbitStream, CandleFixture_RefusedAsUnsupportedTypeAndCounted) {
  UpbitStreamParser parser;
  const auto message = parser.parse(ws_fixture_message("Kline.txt"));
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(message.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(message.error().message, R"(Upbit stream frame of unsupported type "candle.1m")");
  EXPECT_EQ(parser.stats().malformed[static_cast<std::size_t>(UpbitStreamKind::kOther)], 1U);
}

void expect_same_book(const model::BookUpdate& left, const model::BookUpdate& right) {
  EXPECT_EQ(left.venue, right.venue);
  EXPECT_EQ(left.symbol, right.symbol);
  EXPECT_EQ(left.action, right.action);
  EXPECT_EQ(left.ts_event, right.ts_event);
  EXPECT_EQ(left.depth, right.depth);
  EXPECT_EQ(levels(left.bids), levels(right.bids));
  EXPECT_EQ(levels(left.asks), levels(right.asks));
}

TEST(UpbitStream, DefaultAndSimpleOrderbook_GiveIdenticalBooks) {
  const std::string frame = ws_fixture_message("OrderBook.txt");
  const std::string simple = to_simple_keys(frame, {"OrderbookMessage", "OrderbookUnit"});
  ASSERT_NE(simple.find(R"("obu":)"), std::string::npos) << simple;
  ASSERT_EQ(simple.find("orderbook_units"), std::string::npos) << simple;
  UpbitStreamParser default_parser;
  UpbitStreamParser simple_parser;
  const auto from_default = expect_message<model::BookUpdate>(default_parser, frame);
  const auto from_simple = expect_message<model::BookUpdate>(simple_parser, simple);
  expect_same_book(from_default, from_simple);
  EXPECT_EQ(from_simple.bids.size(), 5U);
}

TEST(UpbitStream, DefaultAndSimpleTrade_GiveIdenticalTrades) {
  const std::string frame = ws_fixture_message("Trades.txt");
  UpbitStreamParser parser;
  const auto from_default = expect_message<model::Trade>(parser, frame);
  const auto from_simple = expect_message<model::Trade>(parser, to_simple_keys(frame, {"TradeMessage"}));
  EXPECT_EQ(from_simple.symbol, from_default.symbol);
  EXPECT_EQ(from_simple.ts_event, from_default.ts_event);
  EXPECT_EQ(from_simple.price, from_default.price);
  EXPECT_EQ(from_simple.qty, from_default.qty);
  EXPECT_EQ(from_simple.taker_side, from_default.taker_side);
  EXPECT_EQ(from_simple.sequence, from_default.sequence);
}

TEST(UpbitStream, DefaultAndSimpleTicker_GiveIdenticalTickers) {
  const std::string frame = ws_fixture_message("Tickers.txt");
  UpbitStreamParser parser;
  const auto from_default = expect_message<model::Ticker>(parser, frame);
  const auto from_simple = expect_message<model::Ticker>(parser, to_simple_keys(frame, {"TickerMessage"}));
  EXPECT_EQ(from_simple.symbol, from_default.symbol);
  EXPECT_EQ(from_simple.ts_event, from_default.ts_event);
  EXPECT_EQ(from_simple.last_price, from_default.last_price);
  EXPECT_EQ(from_simple.volume_24h, from_default.volume_24h);
  EXPECT_EQ(from_simple.turnover_24h_krw, from_default.turnover_24h_krw);
}

TEST(UpbitStream, SimpleCapture_EveryFrameParsesToOrderedBooksAndTrades) {
  const std::vector<std::string> frames = simple_capture_frames();
  ASSERT_EQ(frames.size(), 449U);
  UpbitStreamParser parser;
  std::size_t books = 0;
  std::size_t trades = 0;
  for (const std::string& frame : frames) {
    auto message = parser.parse(frame);
    ASSERT_TRUE(message.has_value()) << message.error() << " for " << frame;
    if (const auto* book = std::get_if<model::BookUpdate>(&*message)) {
      ++books;
      EXPECT_EQ(book->depth, 15U) << frame;
      EXPECT_TRUE(std::is_sorted(book->bids.begin(), book->bids.end(), [](auto a, auto b) {
        return a.price > b.price;
      })) << frame;
      EXPECT_TRUE(std::is_sorted(book->asks.begin(), book->asks.end(), [](auto a, auto b) {
        return a.price < b.price;
      })) << frame;
      if (!book->bids.empty() && !book->asks.empty()) {
        EXPECT_LT(book->bids.front().price, book->asks.front().price) << frame;
      }
    } else if (std::holds_alternative<model::Trade>(*message)) {
      ++trades;
    } else {
      ADD_FAILURE() << "unexpected message for " << frame;
    }
  }
  EXPECT_EQ(books, 145U);
  EXPECT_EQ(trades, 304U);
  EXPECT_EQ(parser.stats().parsed[static_cast<std::size_t>(UpbitStreamKind::kOrderbook)], 145U);
  EXPECT_EQ(parser.stats().parsed[static_cast<std::size_t>(UpbitStreamKind::kTrade)], 304U);
  EXPECT_EQ(parser.stats().malformed, (std::array<std::uint64_t, kUpbitStreamKinds>{}));
}

TEST(UpbitStream, SimpleCaptureFirstFrames_ExactValues) {
  const std::vector<std::string> frames = simple_capture_frames();
  UpbitStreamParser parser;
  const auto trade = expect_message<model::Trade>(parser, frames.at(0));
  EXPECT_EQ(trade.symbol.view(), "KRW-LAMB");
  EXPECT_EQ(trade.ts_event, ms(1'618'678'262'000));
  EXPECT_EQ(trade.price, dec("127"));
  EXPECT_EQ(trade.qty, dec("46.48838371"));
  EXPECT_EQ(trade.taker_side, model::Side::kBuy);
  EXPECT_EQ(trade.sequence, 1'618'678'262'000'003U);

  const auto first_book = std::find_if(frames.begin(), frames.end(), [](const std::string& frame) {
    return frame.starts_with(R"({"ty":"orderbook","cd":"KRW-LAMB","tms":1618678262640)");
  });
  ASSERT_NE(first_book, frames.end());
  const auto book = expect_message<model::BookUpdate>(parser, *first_book);
  EXPECT_EQ(book.symbol.view(), "KRW-LAMB");
  EXPECT_EQ(book.ts_event, ms(1'618'678'262'640));
  ASSERT_EQ(book.bids.size(), 15U);
  ASSERT_EQ(book.asks.size(), 15U);
  EXPECT_EQ(book.bids[0], level("126", "688682.44561413"));
  EXPECT_EQ(book.asks[0], level("127", "280460.37885666"));
  EXPECT_EQ(book.bids[14], level("112", "446759.1304656"));
  EXPECT_EQ(book.asks[14], level("141", "1185868.7185461"));
}

TEST(UpbitStream, SimpleCaptureSmallBtcPrices_ParsedFromExponentText) {
  // BTC-market prices are written like 9.9E-7 in the capture.
  UpbitStreamParser parser;
  const auto book = expect_message<model::BookUpdate>(
      parser, R"({"ty":"orderbook","cd":"BTC-AQT","tms":1,"obu":[{"ap":1.0E-6,"bp":9.9E-7,"as":5,"bs":6}]})");
  ASSERT_EQ(book.bids.size(), 1U);
  EXPECT_EQ(book.bids[0], level("0.00000099", "6"));
  EXPECT_EQ(book.asks[0], level("0.000001", "5"));
}

TEST(UpbitStream, StatusUp_GivesStatus) {
  UpbitStreamParser parser;
  EXPECT_EQ(expect_message<UpbitStreamStatus>(parser, R"({"status":"UP"})"), (UpbitStreamStatus{true}));
  EXPECT_EQ(expect_message<UpbitStreamStatus>(parser, R"({"status":"DOWN"})"), (UpbitStreamStatus{false}));
}

TEST(UpbitStream, ErrorFrames_ReturnedAsVenueErrors) {
  UpbitStreamParser parser;
  const auto wrong = parser.parse(R"({"error":{"name":"WRONG_FORMAT","message":"bad request"}})");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error(),
            (Error{ErrorCode::kInvalidArgument, "WRONG_FORMAT", "Upbit stream error: bad request"}));
  const auto auth = parser.parse(R"({"error":{"name":"INVALID_AUTH","message":"no token"}})");
  ASSERT_FALSE(auth.has_value());
  EXPECT_EQ(auth.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth.error().venue_code, "INVALID_AUTH");
  EXPECT_EQ(parser.stats().venue_errors, 2U);
  EXPECT_EQ(parser.stats().malformed, (std::array<std::uint64_t, kUpbitStreamKinds>{}));
}

TEST(UpbitStream, EveryTruncationOfABook_RefusedWithoutCrash) {
  const std::string frame = ws_fixture_message("OrderBook.txt");
  const std::size_t end = frame.rfind('}');
  UpbitStreamParser parser;
  for (std::size_t length = 0; length < end + 1; ++length) {
    const auto message = parser.parse(std::string_view(frame).substr(0, length));
    ASSERT_FALSE(message.has_value()) << length;
    EXPECT_EQ(message.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(parser.parse(std::string_view(frame).substr(0, end + 1)).has_value());
}

struct Malformed {
  std::string_view frame;
  std::string_view message;  // a part the error message must contain
  // GoogleTest looks this name up to print a parameter.
  // NOLINTNEXTLINE(readability-identifier-naming)
  friend void PrintTo(const Malformed& malformed, std::ostream* out) { *out << malformed.frame; }
};

class UpbitStreamMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(UpbitStreamMalformed, Refused_WithClearInvalidArgument) {
  UpbitStreamParser parser;
  const auto message = parser.parse(GetParam().frame);
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(message.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(message.error().venue_code, "");
  EXPECT_NE(message.error().message.find(GetParam().message), std::string::npos) << message.error().message;
  std::uint64_t malformed = 0;
  for (const auto count : parser.stats().malformed) {
    malformed += count;
  }
  EXPECT_EQ(malformed, 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Frames, UpbitStreamMalformed,
    ::testing::Values(
        Malformed{"", "not valid JSON"}, Malformed{"PING", "not valid JSON"},
        Malformed{"[]", "not valid JSON"}, Malformed{"null", "not valid JSON"},
        Malformed{R"({"ty":"orderbook"} x)", "not valid JSON"},
        Malformed{R"({"status":"UP"} 5)", "not valid JSON"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":"abc","tv":1,"ab":"BID","sid":1})",
                  R"(field tp is not an exact decimal: "abc")"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":true,"tv":1,"ab":"BID","sid":1})",
                  "field tp is not a number"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":0.123456789,"tv":1,"ab":"BID","sid":1})",
                  "0.123456789"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":1e300,"tv":1,"ab":"BID","sid":1})", "1e300"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":1,"tv":1,"ab":"XYZ","sid":1})",
                  R"(neither ASK nor BID: "XYZ")"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":1,"tp":1,"tv":1,"ab":"BID","sid":-1})",
                  "field sid is not an unsigned integer"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","tp":1,"tv":1,"ab":"BID","sid":1})",
                  "trade has no trade_timestamp (ttms)"},
        Malformed{R"({"ty":"trade","cd":"KRW-BTC","ttms":"soon","tp":1,"tv":1,"ab":"BID","sid":1})",
                  "field ttms is not integer milliseconds"},
        Malformed{R"({"ty":"orderbook","cd":"KRW-BTC","tms":1})", "orderbook has no orderbook_units (obu)"},
        Malformed{R"({"ty":"orderbook","cd":"KRW-BTC","obu":[]})", "orderbook has no timestamp (tms)"},
        Malformed{R"({"ty":"orderbook","cd":"KRW-BTC","tms":1,"obu":{}})", "orderbook_units"},
        Malformed{R"({"ty":"orderbook","cd":"KRW-BTC","tms":1,"obu":[{"ap":1,"bp":1,"as":1}]})",
                  "orderbook unit has no bid_size (bs)"},
        Malformed{R"({"ty":"orderbook","cd":5,"tms":1,"obu":[]})", "field cd is not a string"},
        Malformed{R"({"ty":"orderbook","cd":"KRW BTC","tms":1,"obu":[]})", "KRW BTC"},
        Malformed{R"({"ty":"orderbook","tms":1,"obu":[]})", "has no code (cd)"},
        Malformed{R"({"ty":"orderbook","cd":"KRW-BTC","timestamp":1,"obu":[]})", "mixes DEFAULT and SIMPLE"},
        Malformed{R"({"type":"orderbook","code":"KRW-BTC","timestamp":1,"orderbook_units":[{"ap":1}]})",
                  "mixes DEFAULT and SIMPLE"},
        Malformed{R"({"ty":"myOrder","cd":"KRW-BTC"})", R"(unsupported type "myOrder")"},
        Malformed{R"({"cd":"KRW-BTC"})", "has no type (ty)"},
        Malformed{R"({"ty":"ticker","cd":"KRW-BTC","tms":1,"tp":1,"atp24h":-5})",
                  "not a non-negative number"},
        Malformed{R"({"ty":"ticker","cd":"KRW-BTC","tms":1,"tp":1,"atp24h":1e30})", "below 2^63"},
        // Upbit writes volumes with at most 8 fractional digits; one with more is not taken inexactly.
        Malformed{R"({"ty":"ticker","cd":"KRW-BTC","tms":1,"tp":1,"atv24h":3.0730662402493127E0})", "atv24h"},
        Malformed{R"({"ty":"ticker","cd":"KRW-BTC","tms":1})", "ticker has no trade_price (tp)"}));

TEST(UpbitStream, MalformedFrames_LoggedOncePerKindAndAllCounted) {
  std::ostringstream out;
  log::init(log::Format::kHuman, spdlog::level::info,
            std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true));
  UpbitStreamParser parser;
  const std::string bad_book = R"({"ty":"orderbook","cd":"KRW-BTC","tms":1,"obu":[{"ap":"x"}]})";
  EXPECT_FALSE(parser.parse(bad_book).has_value());
  EXPECT_FALSE(parser.parse(bad_book).has_value());
  EXPECT_FALSE(parser.parse(R"({"ty":"trade"})").has_value());
  EXPECT_FALSE(parser.parse(R"({"ty":"trade"})").has_value());
  EXPECT_FALSE(parser.parse(R"({"ty":"trade"})").has_value());
  log::init(log::Format::kHuman, spdlog::level::info);
  EXPECT_EQ(parser.stats().malformed[static_cast<std::size_t>(UpbitStreamKind::kOrderbook)], 2U);
  EXPECT_EQ(parser.stats().malformed[static_cast<std::size_t>(UpbitStreamKind::kTrade)], 3U);
  const std::string logged = out.str();
  EXPECT_EQ(std::count(logged.begin(), logged.end(), '\n'), 2) << logged;
  EXPECT_NE(logged.find("kind=orderbook"), std::string::npos) << logged;
  EXPECT_NE(logged.find("kind=trade"), std::string::npos) << logged;
  EXPECT_NE(logged.find("KRW-BTC"), std::string::npos) << logged;  // the frame's first bytes
}

}  // namespace
}  // namespace kimp::venues::upbit
