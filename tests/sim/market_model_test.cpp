// Tests of the synthetic market model: book shape and grids, determinism, premium reversion and jumps,
// statistics.
#include "sim/market/market_model.hpp"

#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-08-09T05:00:00Z
constexpr Timestamp kStart = Timestamp::from_ns(1'786'251'600'000'000'000);

MarketModel make_model(std::uint64_t seed, MarketConfig config = {}) {
  config.seed = seed;
  config.start = kStart;
  auto model = MarketModel::create(std::move(config));
  EXPECT_TRUE(model) << model.error().describe();
  return std::move(model).value();
}

bool on_step(Decimal value, Decimal step) {
  return value.round_to_step(step, RoundingMode::kDown).value() == value;
}

void expect_well_formed(const MarketModel& model, Venue venue, const std::string& symbol) {
  SCOPED_TRACE(symbol);
  const OrderBook* book = model.book(venue, symbol);
  ASSERT_NE(book, nullptr);
  const std::size_t min_levels = venue == Venue::kUpbit ? 30U : 50U;
  ASSERT_EQ(book->bids.size(), min_levels);
  ASSERT_EQ(book->asks.size(), min_levels);
  EXPECT_LT(book->bids.front().price, book->asks.front().price);
  EXPECT_EQ(book->ts_event, model.now());
  EXPECT_EQ(book->update_id, model.step_count() + 1);
  const BybitInstrument* rules = venue == Venue::kBybit ? model.instruments().find(symbol) : nullptr;
  const auto tick = [&](Decimal price) {
    return rules != nullptr ? rules->tick_size : upbit_tick_size(symbol, price);
  };
  const Decimal lot = rules != nullptr ? rules->qty_step : kUpbitQtyStep;
  for (std::size_t i = 0; i < min_levels; ++i) {
    for (const BookLevel& level : {book->bids[i], book->asks[i]}) {
      EXPECT_TRUE(on_step(level.price, tick(level.price))) << level.price;
      EXPECT_TRUE(level.quantity.is_positive());
      EXPECT_TRUE(on_step(level.quantity, lot)) << level.quantity;
    }
    if (i > 0) {
      EXPECT_LT(book->bids[i].price, book->bids[i - 1].price);
      EXPECT_GT(book->asks[i].price, book->asks[i - 1].price);
    }
  }
}

// FNV-1a over the text of `count` book updates (each book of each step, in symbol order).
std::uint64_t path_hash(std::uint64_t seed, std::size_t count) {
  MarketModel model = make_model(seed);
  std::uint64_t hash = 14'695'981'039'346'656'037ULL;
  const auto feed = [&](const std::string& text) {
    for (const char c : text) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1'099'511'628'211ULL;
    }
  };
  std::size_t updates = 0;
  while (updates < count) {
    EXPECT_TRUE(model.advance_to(model.now() + milliseconds(100)));
    for (const Venue venue : {Venue::kUpbit, Venue::kBybit}) {
      for (const std::string& symbol : model.symbols(venue)) {
        if (updates == count) {
          break;
        }
        const OrderBook& book = *model.book(venue, symbol);
        feed(fmt::format("{}|{}|{}|", symbol, book.update_id, book.ts_event.ns()));
        for (const BookLevel& level : book.bids) {
          feed(fmt::format("b{}@{};", level.quantity, level.price));
        }
        for (const BookLevel& level : book.asks) {
          feed(fmt::format("a{}@{};", level.quantity, level.price));
        }
        ++updates;
      }
    }
  }
  return hash;
}

TEST(MarketModel, DefaultConfig_ListsFiveCoinsOnBothVenuesAndUsdt) {
  const MarketModel model = make_model(7);
  EXPECT_EQ(model.symbols(Venue::kUpbit),
            (std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-SOL", "KRW-XRP", "KRW-DOGE", "KRW-USDT"}));
  EXPECT_EQ(model.symbols(Venue::kBybit),
            (std::vector<std::string>{"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"}));
  EXPECT_EQ(model.book(Venue::kBybit, "KRW-BTC"), nullptr);
  EXPECT_EQ(model.book(Venue::kUpbit, "KRW-NOPE"), nullptr);
  EXPECT_EQ(model.usd_krw().to_string(), "1380");
  EXPECT_EQ(model.book(Venue::kBybit, "BTCUSDT")->bids.front().price.to_string(), "115000");
  EXPECT_EQ(model.book(Venue::kBybit, "BTCUSDT")->asks.front().price.to_string(), "115000.1");
}

TEST(MarketModel, EveryBook_HasSortedUncrossedLevelsOnTickAndLotGrids) {
  MarketModel model = make_model(11);
  for (int round = 0; round < 3; ++round) {
    for (const Venue venue : {Venue::kUpbit, Venue::kBybit}) {
      for (const std::string& symbol : model.symbols(venue)) {
        expect_well_formed(model, venue, symbol);
      }
    }
    ASSERT_TRUE(model.advance_to(model.now() + minutes(10)));
  }
}

TEST(MarketModel, UpbitBtcDepth_IsTenthsOfACoinNearTheTopAndGrowsOutward) {
  const MarketModel model = make_model(3);
  const OrderBook& book = *model.book(Venue::kUpbit, "KRW-BTC");
  const double top = book.asks.front().quantity.to_double();
  EXPECT_GT(top, 0.05);
  EXPECT_LT(top, 0.6);
  double near = 0.0;
  double far = 0.0;
  for (std::size_t i = 0; i < 10; ++i) {
    near += book.asks[i].quantity.to_double();
    far += book.asks[book.asks.size() - 1 - i].quantity.to_double();
  }
  EXPECT_GT(far, near);
  const double spread = (book.asks.front().price.to_double() - book.bids.front().price.to_double());
  EXPECT_EQ(spread, 1000.0);
}

TEST(MarketModel, SameSeed_GivesByteIdenticalFirstTenThousandBookUpdates) {
  const std::uint64_t first = path_hash(42, 10'000);
  EXPECT_EQ(first, path_hash(42, 10'000));
  EXPECT_NE(first, path_hash(43, 10'000));
}

TEST(MarketModel, OneLongAdvance_EqualsManySmallOnes) {
  MarketModel jumped = make_model(5);
  MarketModel stepped = make_model(5);
  ASSERT_TRUE(jumped.advance_to(kStart + minutes(3) + milliseconds(50)));
  for (int i = 1; i <= 1800; ++i) {
    ASSERT_TRUE(stepped.advance_to(kStart + milliseconds(100 * i + 37)));
  }
  EXPECT_EQ(jumped.now(), kStart + minutes(3));
  EXPECT_EQ(stepped.now(), jumped.now());
  EXPECT_EQ(jumped.step_count(), 1800U);
  for (const Venue venue : {Venue::kUpbit, Venue::kBybit}) {
    for (const std::string& symbol : jumped.symbols(venue)) {
      EXPECT_EQ(*jumped.book(venue, symbol), *stepped.book(venue, symbol)) << symbol;
      EXPECT_EQ(jumped.ticker(venue, symbol)->last_price, stepped.ticker(venue, symbol)->last_price);
    }
  }
  EXPECT_EQ(jumped.usd_krw(), stepped.usd_krw());
}

TEST(MarketModel, AdvanceToThePast_LeavesTheModelUnchanged) {
  MarketModel model = make_model(5);
  ASSERT_TRUE(model.advance_to(kStart + seconds(1)));
  const OrderBook before = *model.book(Venue::kUpbit, "KRW-ETH");
  ASSERT_TRUE(model.advance_to(kStart));
  EXPECT_EQ(model.now(), kStart + seconds(1));
  EXPECT_EQ(*model.book(Venue::kUpbit, "KRW-ETH"), before);
}

TEST(MarketModel, Premium_RevertsToItsMeanFromAFarStart) {
  MarketConfig config;
  config.step = seconds(1);
  config.premium.start = 0.08;
  MarketModel model = make_model(9, config);
  EXPECT_NEAR(*model.premium("BTC"), 0.08, 1e-12);
  ASSERT_TRUE(model.advance_to(kStart + hours(12)));
  // Six half-lives leave 1/64 of the initial gap; the stationary deviation is about 0.25 %.
  EXPECT_NEAR(*model.premium("BTC"), 0.02, 0.01);
  double sum = 0.0;
  int samples = 0;
  for (int minute = 1; minute <= 3 * 24 * 60; ++minute) {
    ASSERT_TRUE(model.advance_to(kStart + hours(12) + minutes(minute)));
    sum += *model.premium("BTC");
    ++samples;
  }
  EXPECT_NEAR(sum / samples, 0.02, 0.003);
  EXPECT_FALSE(model.premium("NOPE").has_value());
}

TEST(MarketModel, PremiumJump_MovesThatCoinsUpbitBookNowAndRevertsFromThere) {
  MarketConfig config;
  config.step = seconds(1);
  MarketModel model = make_model(17, config);
  ASSERT_TRUE(model.advance_to(kStart + seconds(10)));
  const double btc = *model.premium("BTC");
  const OrderBook btc_before = *model.book(Venue::kUpbit, "KRW-BTC");
  const OrderBook eth_before = *model.book(Venue::kUpbit, "KRW-ETH");
  const OrderBook perp_before = *model.book(Venue::kBybit, "BTCUSDT");

  ASSERT_TRUE(model.jump_premium("BTC", Decimal::parse("3").value()));
  EXPECT_NEAR(*model.premium("BTC"), btc + 0.03, 1e-12);
  const OrderBook& btc_after = *model.book(Venue::kUpbit, "KRW-BTC");
  EXPECT_GT(btc_after.bids.front().price, btc_before.asks.front().price);
  EXPECT_EQ(btc_after.update_id, btc_before.update_id);
  EXPECT_EQ(*model.book(Venue::kUpbit, "KRW-ETH"), eth_before);
  EXPECT_EQ(*model.book(Venue::kBybit, "BTCUSDT"), perp_before);
  expect_well_formed(model, Venue::kUpbit, "KRW-BTC");
  // The process reverts toward its mean from the jumped value: half the gap in one half-life (2 h).
  ASSERT_TRUE(model.advance_to(kStart + seconds(10) + hours(2)));
  EXPECT_NEAR(*model.premium("BTC"), 0.02 + (btc + 0.03 - 0.02) / 2, 0.01);
}

TEST(MarketModel, PremiumJump_RefusesUnknownCoinsAndPricesAtOrBelowZeroWithoutChange) {
  MarketModel model = make_model(18);
  const double eth = *model.premium("ETH");
  const auto unknown = model.jump_premium("ADA", Decimal::parse("1").value());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().message, "unknown coin \"ADA\"");
  ASSERT_TRUE(model.jump_premium("ETH", Decimal::parse("-60").value()));
  const auto below_zero = model.jump_premium("ETH", Decimal::parse("-60").value());
  ASSERT_FALSE(below_zero.has_value());
  EXPECT_EQ(below_zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NEAR(*model.premium("ETH"), eth - 0.6, 1e-12);
}

TEST(MarketModel, PremiumJump_OfACandleReplayedCoinIsRefused) {
  MarketConfig config;
  config.replay.bybit_capture = KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
  config.replay.upbit_candles =
      KIMP_SOURCE_DIR "/../shared/data/candles/upbit_KRW-BTC_5m_2025-05-28_2025-08-23.csv";
  auto model = MarketModel::create(config);
  ASSERT_TRUE(model) << model.error().describe();
  const auto replayed = model->jump_premium("BTC", Decimal::parse("2").value());
  ASSERT_FALSE(replayed.has_value());
  EXPECT_EQ(replayed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(model->jump_premium("ETH", Decimal::parse("2").value()));
}

TEST(MarketModel, UpbitPrices_FollowPerpTimesUsdKrwTimesPremium) {
  MarketModel model = make_model(21);
  ASSERT_TRUE(model.advance_to(kStart + minutes(30)));
  const auto mid = [&](Venue venue, const std::string& symbol) {
    const OrderBook& book = *model.book(venue, symbol);
    return (book.bids.front().price.to_double() + book.asks.front().price.to_double()) / 2.0;
  };
  const double fx = model.usd_krw().to_double();
  for (const std::string coin : {"BTC", "ETH", "SOL"}) {
    const double implied = mid(Venue::kUpbit, "KRW-" + coin) / (mid(Venue::kBybit, coin + "USDT") * fx) - 1.0;
    EXPECT_NEAR(implied, *model.premium(coin), 0.0005) << coin;
  }
  EXPECT_NEAR(mid(Venue::kUpbit, "KRW-USDT") / fx - 1.0, 0.01, 0.01);
  EXPECT_NEAR(fx, 1380.0, 20.0);
}

TEST(MarketModel, TickerAndCandles_StartAtTheOpeningPriceAndSummariseTheTradesSince) {
  MarketModel model = make_model(13);
  // Before the first step the opening price stands, with nothing traded yet.
  const auto before = model.ticker(Venue::kUpbit, "KRW-BTC");
  ASSERT_TRUE(before) << before.error().describe();
  EXPECT_EQ(before->last_price, model.book(Venue::kUpbit, "KRW-BTC")->bids.front().price);
  EXPECT_EQ(before->open_24h, before->last_price);
  EXPECT_EQ(before->volume_24h, 0.0);
  ASSERT_TRUE(model.advance_to(kStart + minutes(2) + seconds(30)));
  const auto ticker = model.ticker(Venue::kUpbit, "KRW-BTC");
  ASSERT_TRUE(ticker) << ticker.error().describe();
  const OrderBook& book = *model.book(Venue::kUpbit, "KRW-BTC");
  EXPECT_TRUE(ticker->last_price == book.bids.front().price || ticker->last_price == book.asks.front().price);
  EXPECT_LE(ticker->low_24h, ticker->last_price);
  EXPECT_GE(ticker->high_24h, ticker->last_price);
  EXPECT_GT(ticker->volume_24h, 0.0);
  EXPECT_NEAR(ticker->turnover_24h / ticker->volume_24h, ticker->last_price.to_double(),
              0.01 * ticker->last_price.to_double());
  const auto candles = model.candles(Venue::kUpbit, "KRW-BTC", 200);
  ASSERT_TRUE(candles);
  ASSERT_EQ(candles->size(), 3U);
  EXPECT_EQ((*candles)[0].open_time, kStart);
  EXPECT_EQ((*candles)[2].open_time, kStart + minutes(2));
  EXPECT_EQ((*candles)[2].close, ticker->last_price);
  EXPECT_EQ((*candles)[0].open, ticker->open_24h);
  double volume = 0.0;
  for (const Candle& candle : *candles) {
    EXPECT_LE(candle.low, candle.high);
    volume += candle.volume;
  }
  EXPECT_DOUBLE_EQ(volume, ticker->volume_24h);
  EXPECT_EQ(model.candles(Venue::kUpbit, "KRW-BTC", 1)->front(), (*candles)[2]);
  EXPECT_FALSE(model.candles(Venue::kBybit, "KRW-BTC", 1));
}

TEST(MarketModel, Funding_SettlesAtTheNextEightHourMarkWithASmallRate) {
  MarketConfig config;
  config.step = seconds(1);
  MarketModel model = make_model(17, config);
  ASSERT_TRUE(model.advance_to(kStart + minutes(5)));
  const auto funding = model.funding("BTCUSDT");
  ASSERT_TRUE(funding) << funding.error().describe();
  EXPECT_EQ(funding->next_funding_time.to_iso8601(), "2026-08-09T08:00:00.000Z");
  EXPECT_EQ(funding->interval_minutes, 480);
  EXPECT_LE(funding->funding_rate.abs().value(), Decimal::parse("0.005").value());
  EXPECT_TRUE(on_step(funding->mark_price, Decimal::parse("0.1").value()));
  EXPECT_TRUE(on_step(funding->index_price, Decimal::parse("0.1").value()));
  EXPECT_NEAR(funding->index_price.to_double() / funding->mark_price.to_double(), 1.0, 0.005);
  ASSERT_TRUE(model.advance_to(Timestamp::parse_iso8601("2026-08-09T16:00:00Z").value()));
  EXPECT_EQ(model.funding("BTCUSDT")->next_funding_time.to_iso8601(), "2026-08-10T00:00:00.000Z");
  const auto unknown = model.funding("KRW-BTC");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
}

TEST(MarketModel, Create_RejectsCoinsWithoutBybitInstrumentAndBadSteps) {
  MarketConfig unknown;
  unknown.coins.push_back({"PEPE", 0.00001, 0.08, 5'000.0, 20'000.0, 1.0, 1.0});
  const auto no_rules = MarketModel::create(unknown);
  ASSERT_FALSE(no_rules);
  EXPECT_EQ(no_rules.error().message, "no Bybit instrument PEPEUSDT");
  MarketConfig zero_step;
  zero_step.step = Duration(0);
  EXPECT_FALSE(MarketModel::create(zero_step));
}

}  // namespace
}  // namespace kimp::sim
