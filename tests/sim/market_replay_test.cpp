// Tests of replay mode: Bybit books from the recorded capture and the Upbit mid from recorded candles.
#include <string>

#include <gtest/gtest.h>

#include "sim/market/bybit_replay.hpp"
#include "sim/market/market_model.hpp"
#include "sim/market/upbit_candle_replay.hpp"

namespace kimp::sim {
namespace {

constexpr const char* kCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
constexpr const char* kCandles =
    KIMP_SOURCE_DIR "/../shared/data/candles/upbit_KRW-BTC_5m_2025-05-28_2025-08-23.csv";

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

std::string top(const OrderBook& book) {
  return book.bids.front().quantity.to_string() + "@" + book.bids.front().price.to_string() + " / " +
         book.asks.front().quantity.to_string() + "@" + book.asks.front().price.to_string();
}

TEST(BybitCaptureReplay, LoadsTheLinearOrderbooksOfTheCapture) {
  const auto replay = BybitCaptureReplay::load(kCapture);
  ASSERT_TRUE(replay) << replay.error().describe();
  EXPECT_EQ(replay->symbols(), (std::vector<std::string>{"BTCUSDT", "DOGEUSDT", "ETHUSDT", "SOLUSDT"}));
  EXPECT_EQ(replay->first_event(), ms(1'786'310'817'680));
  EXPECT_EQ(replay->book("BTCUSDT"), nullptr);
}

TEST(BybitCaptureReplay, ReproducesTheRecordedTopOfBook) {
  auto replay = BybitCaptureReplay::load(kCapture).value();
  // The tickers message at this time reported bid1Price 65114.20, bid1Size 6.124.
  EXPECT_TRUE(replay.advance_to(ms(1'786'310'818'484)));
  const OrderBook* btc = replay.book("BTCUSDT");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->bids.front().price.to_string(), "65114.2");
  EXPECT_EQ(btc->bids.front().quantity.to_string(), "6.124");

  EXPECT_TRUE(replay.advance_to(ms(1'786'310'839'228)));
  btc = replay.book("BTCUSDT");
  EXPECT_EQ(top(*btc), "7.519@65114.2 / 6.618@65114.3");
  EXPECT_EQ(btc->update_id, 15'077'152U);
  EXPECT_EQ(btc->ts_event, ms(1'786'310'839'228));
  EXPECT_EQ(btc->bids.size(), 200U);
  EXPECT_EQ(btc->asks.size(), 200U);
  EXPECT_EQ(top(*replay.book("ETHUSDT")), "48.52@1922.54 / 35.96@1922.55");
  EXPECT_EQ(top(*replay.book("SOLUSDT")), "1201.7@77.3 / 767.5@77.31");
  EXPECT_EQ(top(*replay.book("DOGEUSDT")), "229645@0.07053 / 16595@0.07054");
  EXPECT_FALSE(replay.advance_to(ms(1'786'310'839'228)));

  EXPECT_TRUE(replay.advance_to(ms(1'786'310'900'000)));
  EXPECT_EQ(top(*replay.book("BTCUSDT")), "5.974@65114.2 / 9.06@65114.3");
  EXPECT_EQ(replay.book("BTCUSDT")->update_id, 15'077'365U);
}

TEST(BybitCaptureReplay, ReplayedBooks_AreSortedAndUncrossed) {
  auto replay = BybitCaptureReplay::load(kCapture).value();
  replay.advance_to(replay.last_event());
  for (const std::string& symbol : replay.symbols()) {
    const OrderBook& book = *replay.book(symbol);
    EXPECT_LT(book.bids.front().price, book.asks.front().price) << symbol;
    for (std::size_t i = 1; i < book.bids.size(); ++i) {
      EXPECT_LT(book.bids[i].price, book.bids[i - 1].price) << symbol;
    }
    for (std::size_t i = 1; i < book.asks.size(); ++i) {
      EXPECT_GT(book.asks[i].price, book.asks[i - 1].price) << symbol;
    }
  }
}

TEST(BybitCaptureReplay, UnreadableFile_IsAFailedPrecondition) {
  const auto replay = BybitCaptureReplay::load("/nonexistent.jsonl");
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kFailedPrecondition);
}

TEST(UpbitCandleReplay, MidMovesLinearlyFromOpenToCloseWithinACandle) {
  const auto candles = UpbitCandleReplay::load(kCandles, std::chrono::minutes(5));
  ASSERT_TRUE(candles) << candles.error().describe();
  EXPECT_EQ(candles->size(), 5'200U);
  const Timestamp first = Timestamp::parse_iso8601("2025-05-28T18:10:00Z").value();
  EXPECT_EQ(candles->first_open(), first);
  // 2025-05-28 18:10:00 opened at 150,362,000 and closed at 150,389,000.
  EXPECT_DOUBLE_EQ(candles->mid_at(first), 150'362'000.0);
  EXPECT_DOUBLE_EQ(candles->mid_at(first + std::chrono::seconds(150)), 150'375'500.0);
  EXPECT_DOUBLE_EQ(candles->mid_at(first - std::chrono::hours(1)), 150'362'000.0);
}

TEST(MarketModel, ReplayMode_ServesRecordedBybitBooksAndCandleDrivenUpbitBtc) {
  MarketConfig config;
  config.replay.bybit_capture = kCapture;
  config.replay.upbit_candles = kCandles;
  config.replay.upbit_candles_at_start = Timestamp::parse_iso8601("2025-05-28T18:10:00Z").value();
  auto created = MarketModel::create(config);
  ASSERT_TRUE(created) << created.error().describe();
  MarketModel& model = *created;
  EXPECT_EQ(model.now(), ms(1'786'310'817'680));
  ASSERT_TRUE(model.advance_to(ms(1'786'310'839'228)));
  EXPECT_EQ(top(*model.book(Venue::kBybit, "BTCUSDT")), "7.519@65114.2 / 6.618@65114.3");
  // XRP is not in the capture, so its Bybit book stays synthetic.
  EXPECT_EQ(model.book(Venue::kBybit, "XRPUSDT")->bids.size(), 50U);
  const OrderBook& upbit = *model.book(Venue::kUpbit, "KRW-BTC");
  EXPECT_EQ(upbit.bids.size(), 30U);
  // 21.5 s into the first candle: 150,362,000 + 27,000 × 21.5 / 300, floored to the 1,000 KRW grid.
  EXPECT_EQ(upbit.bids.front().price.to_string(), "150363000");
  EXPECT_EQ(upbit.asks.front().price.to_string(), "150364000");
  const double eth_premium = *model.premium("ETH");
  const OrderBook& upbit_eth = *model.book(Venue::kUpbit, "KRW-ETH");
  const double implied =
      upbit_eth.bids.front().price.to_double() / (1922.545 * model.usd_krw().to_double()) - 1.0;
  EXPECT_NEAR(implied, eth_premium, 0.001);
}

}  // namespace
}  // namespace kimp::sim
