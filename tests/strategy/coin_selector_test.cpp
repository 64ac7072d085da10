// CoinSelector tests: the venue intersection, turnover filter and ranking, top_n, and refresh diffs with
// coins that must be kept.
#include "strategy/coin_selector.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kimp::strategy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr std::int64_t kBillion = 1'000'000'000;

model::Symbol symbol(std::string_view text) {
  return *model::Symbol::create(text);
}

Decimal decimal(std::string_view text) {
  return *Decimal::parse(text);
}

model::Instrument instrument(model::Venue venue, std::string_view text, std::string base, std::string quote,
                             bool trading = true) {
  model::Instrument made;
  made.venue = venue;
  made.symbol = symbol(text);
  made.base = std::move(base);
  made.quote = std::move(quote);
  made.trading = trading;
  return made;
}

// A builder of listings in which `usd_krw` is 1,000 so Bybit USDT turnovers read directly in thousands of
// KRW.
class Listings {
 public:
  Listings() { listings_.usd_krw = decimal("1000"); }

  // A coin on both venues with its 24 h turnovers: Upbit in KRW, Bybit in USDT.
  Listings& both(const std::string& coin, std::int64_t upbit_krw, std::string_view bybit_usdt) {
    upbit(coin, upbit_krw);
    bybit(coin, bybit_usdt);
    return *this;
  }
  Listings& upbit(const std::string& coin, std::int64_t turnover_krw) {
    const std::string market = "KRW-" + coin;
    listings_.upbit.push_back(instrument(model::Venue::kUpbit, market, coin, "KRW"));
    model::Ticker ticker;
    ticker.venue = model::Venue::kUpbit;
    ticker.symbol = symbol(market);
    ticker.turnover_24h_krw = turnover_krw;
    listings_.upbit_tickers.push_back(ticker);
    return *this;
  }
  Listings& bybit(const std::string& coin, std::string_view turnover_usdt) {
    const std::string name = coin + "USDT";
    listings_.bybit.push_back(instrument(model::Venue::kBybit, name, coin, "USDT"));
    model::Ticker ticker;
    ticker.venue = model::Venue::kBybit;
    ticker.symbol = symbol(name);
    ticker.turnover_24h = decimal(turnover_usdt);
    listings_.bybit_tickers.push_back(ticker);
    return *this;
  }
  Listings& usd_krw(std::string_view rate) {
    listings_.usd_krw = decimal(rate);
    return *this;
  }
  [[nodiscard]] const VenueListings& get() const { return listings_; }
  VenueListings& edit() { return listings_; }

 private:
  VenueListings listings_;
};

config::StrategyConfig explicit_coins(std::vector<std::string> coins) {
  config::StrategyConfig config;
  config.coins = std::move(coins);
  return config;
}

config::StrategyConfig auto_selection(std::int32_t top_n, std::int64_t min_turnover_krw,
                                      std::vector<std::string> coins = {}) {
  config::StrategyConfig config;
  config.coins = std::move(coins);
  config.coin_selection.enabled = true;
  config.coin_selection.top_n = top_n;
  config.coin_selection.min_turnover_24h_krw = min_turnover_krw;
  return config;
}

std::vector<std::string> names(const std::vector<ListedCoin>& coins) {
  std::vector<std::string> out;
  out.reserve(coins.size());
  for (const ListedCoin& coin : coins) {
    out.push_back(coin.coin);
  }
  return out;
}

// --- listed_on_both -----------------------------------------------------------------------------------

TEST(ListedOnBoth, MatchesByBaseCoin_SortedWithSymbolsAndTurnovers) {
  Listings listings;
  listings.both("XRP", 300 * kBillion, "200000000").both("BTC", 500 * kBillion, "4000000000");
  listings.upbit("ONLYUPBIT", kBillion).bybit("ONLYBYBIT", "1000");

  const std::vector<ListedCoin> coins = listed_on_both(listings.get());

  ASSERT_EQ(coins.size(), 2U);
  EXPECT_EQ(coins[0], (ListedCoin{.coin = "BTC",
                                  .upbit_market = symbol("KRW-BTC"),
                                  .bybit_symbol = symbol("BTCUSDT"),
                                  .upbit_turnover_24h_krw = 500 * kBillion,
                                  .bybit_turnover_24h_krw = 4'000'000'000'000}));
  EXPECT_EQ(coins[1].coin, "XRP");
  EXPECT_EQ(coins[1].bybit_turnover_24h_krw, 200 * kBillion);
}

TEST(ListedOnBoth, UpbitBtcAndUsdtMarketsAreNotKrw_Ignored) {
  Listings listings;
  listings.bybit("ETH", "1000").bybit("SOL", "1000");
  listings.edit().upbit.push_back(instrument(model::Venue::kUpbit, "BTC-ETH", "ETH", "BTC"));
  listings.edit().upbit.push_back(instrument(model::Venue::kUpbit, "USDT-SOL", "SOL", "USDT"));

  EXPECT_THAT(listed_on_both(listings.get()), IsEmpty());
}

TEST(ListedOnBoth, NonTradingInstrumentOnEitherVenue_Ignored) {
  Listings listings;
  listings.both("ETH", kBillion, "1000").both("SOL", kBillion, "1000").both("ADA", kBillion, "1000");
  listings.edit().upbit[0].trading = false;  // ETH halted on Upbit
  listings.edit().bybit[1].trading = false;  // SOL halted on Bybit

  EXPECT_THAT(names(listed_on_both(listings.get())), ElementsAre("ADA"));
}

TEST(ListedOnBoth, BybitNonUsdtAndDatedFutures_Ignored) {
  Listings listings;
  listings.upbit("BTC", kBillion).upbit("ETH", kBillion).upbit("SOL", kBillion);
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "BTCPERP", "BTC", "USDC"));
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "ETHUSDT-26DEC25", "ETH", "USDT"));
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "SOLUSDT", "SOL", "USDT"));

  EXPECT_THAT(names(listed_on_both(listings.get())), ElementsAre("SOL"));
}

TEST(ListedOnBoth, MissingTicker_TurnoverZero) {
  Listings listings;
  listings.edit().upbit.push_back(instrument(model::Venue::kUpbit, "KRW-BTC", "BTC", "KRW"));
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "BTCUSDT", "BTC", "USDT"));

  const std::vector<ListedCoin> coins = listed_on_both(listings.get());

  ASSERT_EQ(coins.size(), 1U);
  EXPECT_EQ(coins[0].upbit_turnover_24h_krw, 0);
  EXPECT_EQ(coins[0].bybit_turnover_24h_krw, 0);
}

TEST(ListedOnBoth, BigBybitTurnoverTimesRate_ExactBeyondDecimalRange) {
  // 90 billion USDT (near Decimal's top) at 1,400.5 KRW: 126,045 trillion KRW, far past Decimal's range.
  Listings listings;
  listings.usd_krw("1400.5").both("BTC", std::numeric_limits<std::int64_t>::max(), "90000000000.5");

  const std::vector<ListedCoin> coins = listed_on_both(listings.get());

  ASSERT_EQ(coins.size(), 1U);
  EXPECT_EQ(coins[0].bybit_turnover_24h_krw, 126'045'000'000'700);  // 700.25 rounded down
  EXPECT_EQ(coins[0].upbit_turnover_24h_krw, std::numeric_limits<std::int64_t>::max());
}

TEST(ListedOnBoth, TurnoverBeyondInt64_Saturates) {
  // The largest Decimal times a rate of a billion is about 9.2e19 KRW, past INT64_MAX (9.2e18).
  Listings listings;
  listings.usd_krw("1000000000").upbit("BTC", kBillion);
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "BTCUSDT", "BTC", "USDT"));
  model::Ticker ticker;
  ticker.symbol = symbol("BTCUSDT");
  ticker.turnover_24h = Decimal::from_units(std::numeric_limits<std::int64_t>::max());
  listings.edit().bybit_tickers.push_back(ticker);

  const std::vector<ListedCoin> coins = listed_on_both(listings.get());

  ASSERT_EQ(coins.size(), 1U);
  EXPECT_EQ(coins[0].bybit_turnover_24h_krw, std::numeric_limits<std::int64_t>::max());
}

// --- select_coins -------------------------------------------------------------------------------------

TEST(SelectCoins, ExplicitCoins_KeptInConfiguredOrderRegardlessOfTurnover) {
  Listings listings;
  listings.both("BTC", 500 * kBillion, "1000000").both("ETH", 0, "0").both("XRP", kBillion, "1");

  const auto selection = select_coins(explicit_coins({"XRP", "BTC", "ETH"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("XRP", "BTC", "ETH"));
  EXPECT_THAT(selection->excluded, IsEmpty());
}

TEST(SelectCoins, ExplicitCoinNotOnBothVenues_ExcludedWithVenueReason) {
  Listings listings;
  listings.both("BTC", kBillion, "1").upbit("DOGE", kBillion).both("SOL", kBillion, "1");
  listings.edit().upbit.back().trading = false;  // SOL halted on Upbit

  const auto selection = select_coins(explicit_coins({"DOGE", "BTC", "NONE", "SOL"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("BTC"));
  EXPECT_THAT(selection->excluded, ElementsAre(Pair("DOGE", "not listed on bybit"),
                                               Pair("NONE", "not listed on upbit, not listed on bybit"),
                                               Pair("SOL", "not trading on upbit")));
}

TEST(SelectCoins, SelectionDisabled_OtherCoinsOnBothExcludedAsNotConfigured) {
  Listings listings;
  listings.both("BTC", 500 * kBillion, "1000000000").both("ETH", 400 * kBillion, "1000000000");

  const auto selection = select_coins(explicit_coins({"ETH"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("ETH"));
  EXPECT_THAT(selection->excluded,
              ElementsAre(Pair("BTC", "not in strategy.coins and coin_selection is disabled")));
}

TEST(SelectCoins, TurnoverMinimum_AppliedOnEachVenueSeparately) {
  // Minimum 10 billion KRW; Bybit USDT × 1,000 is KRW.
  Listings listings;
  listings
      .both("BOTH", 20 * kBillion, "20000000")         // 20 bn on each: passes
      .both("LOWUPBIT", 9 * kBillion, "50000000")      // Upbit short
      .both("LOWBYBIT", 50 * kBillion, "9999999.999")  // Bybit 9,999,999,999 KRW: one short
      .both("EXACT", 10 * kBillion, "10000000");       // exactly the minimum passes

  const auto selection = select_coins(auto_selection(10, 10 * kBillion), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("BOTH", "EXACT"));
  EXPECT_THAT(selection->excluded,
              ElementsAre(Pair("LOWBYBIT", "24 h turnover 9999999999 KRW below 10000000000 on bybit"),
                          Pair("LOWUPBIT", "24 h turnover 9000000000 KRW below 10000000000 on upbit")));
}

TEST(SelectCoins, CoinWithoutTicker_FailsMinimumButExplicitStillKept) {
  Listings listings;
  listings.both("BTC", 50 * kBillion, "50000000");
  listings.edit().upbit.push_back(instrument(model::Venue::kUpbit, "KRW-ETH", "ETH", "KRW"));
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "ETHUSDT", "ETH", "USDT"));
  listings.edit().upbit.push_back(instrument(model::Venue::kUpbit, "KRW-XRP", "XRP", "KRW"));
  listings.edit().bybit.push_back(instrument(model::Venue::kBybit, "XRPUSDT", "XRP", "USDT"));

  const auto selection = select_coins(auto_selection(10, kBillion, {"XRP"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("XRP", "BTC"));
  ASSERT_EQ(selection->excluded.size(), 1U);
  EXPECT_EQ(selection->excluded[0].first, "ETH");
  EXPECT_THAT(selection->excluded[0].second, HasSubstr("24 h turnover 0 KRW below 1000000000 on upbit"));
  EXPECT_THAT(selection->excluded[0].second, HasSubstr("on bybit"));
}

TEST(SelectCoins, BlacklistedCoin_ExcludedEvenWithTopTurnover) {
  Listings listings;
  listings.both("BTC", 500 * kBillion, "500000000").both("ETH", 100 * kBillion, "100000000");
  config::StrategyConfig config = auto_selection(10, kBillion);
  config.coin_selection.blacklist = {"BTC"};

  const auto selection = select_coins(config, listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("ETH"));
  EXPECT_THAT(selection->excluded, ElementsAre(Pair("BTC", "blacklisted")));
}

TEST(SelectCoins, BlacklistedExplicitCoin_ExcludedDefensively) {
  Listings listings;
  listings.both("BTC", kBillion, "1").both("ETH", kBillion, "1");
  config::StrategyConfig config = explicit_coins({"BTC", "ETH"});
  config.coin_selection.blacklist = {"ETH"};

  const auto selection = select_coins(config, listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("BTC"));
  EXPECT_THAT(selection->excluded, ElementsAre(Pair("ETH", "blacklisted")));
}

TEST(SelectCoins, RankedByLowerVenueTurnover_TiesByCoin_CutAtTopN) {
  // Ranking turnover min(upbit, bybit): AAA 30, BBB 20 (Upbit 90 does not help), CCC 20, DDD 40, EEE 10.
  Listings listings;
  listings.both("EEE", 10 * kBillion, "90000000")
      .both("CCC", 20 * kBillion, "20000000")
      .both("BBB", 90 * kBillion, "20000000")
      .both("DDD", 40 * kBillion, "40000000")
      .both("AAA", 30 * kBillion, "30000000");

  const auto selection = select_coins(auto_selection(3, kBillion), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("DDD", "AAA", "BBB"));
  EXPECT_THAT(selection->excluded,
              ElementsAre(Pair("CCC", "beyond top_n 3 (24 h turnover 20000000000 KRW)"),
                          Pair("EEE", "beyond top_n 3 (24 h turnover 10000000000 KRW)")));
}

TEST(SelectCoins, ExplicitCoinsCountTowardTopN_ComeFirst) {
  Listings listings;
  listings.both("BTC", 90 * kBillion, "90000000")
      .both("ETH", 80 * kBillion, "80000000")
      .both("LOW", 2 * kBillion, "2000000");

  const auto selection = select_coins(auto_selection(2, kBillion, {"LOW"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("LOW", "BTC"));
  EXPECT_THAT(selection->excluded, ElementsAre(Pair("ETH", HasSubstr("beyond top_n 2"))));
}

TEST(SelectCoins, ExplicitCoinsBeyondTopN_AllKeptNoneAdded) {
  Listings listings;
  listings.both("BTC", 90 * kBillion, "90000000")
      .both("ETH", kBillion, "1")
      .both("XRP", kBillion, "1")
      .both("SOL", kBillion, "1");

  const auto selection = select_coins(auto_selection(2, kBillion, {"SOL", "ETH", "XRP"}), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  EXPECT_THAT(names(selection->coins), ElementsAre("SOL", "ETH", "XRP"));
  EXPECT_THAT(selection->excluded, ElementsAre(Pair("BTC", HasSubstr("beyond top_n 2"))));
}

TEST(SelectCoins, NothingListedOnBoth_FailedPreconditionWithCounts) {
  Listings listings;
  listings.upbit("BTC", kBillion).upbit("ETH", kBillion).bybit("SOL", "1");

  const auto selection = select_coins(auto_selection(10, kBillion), listings.get());

  ASSERT_FALSE(selection.has_value());
  EXPECT_EQ(selection.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(selection.error().message,
            "no coin to monitor: none is listed on both venues (upbit: 2 trading KRW markets among 2 "
            "instruments, bybit: 1 trading USDT perpetuals among 1 instruments)");
}

TEST(SelectCoins, EverythingFiltered_FailedPreconditionWithCounts) {
  Listings listings;
  listings.both("BTC", 500 * kBillion, "500000000").both("ETH", kBillion, "1").both("XRP", kBillion, "1");
  config::StrategyConfig config = auto_selection(10, 10 * kBillion, {"DOGE"});
  config.coin_selection.blacklist = {"BTC"};

  const auto selection = select_coins(config, listings.get());

  ASSERT_FALSE(selection.has_value());
  EXPECT_EQ(selection.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(selection.error().message,
            "no coin to monitor: all 3 coins listed on both venues were left out (1 blacklisted, 2 below the "
            "24 h turnover minimum of 10000000000 KRW); 1 of the 1 coins in strategy.coins are not listed on "
            "both venues");
}

TEST(SelectCoins, NonPositiveRateWithSelectionEnabled_InvalidArgument) {
  Listings listings;
  listings.both("BTC", 500 * kBillion, "500000000").usd_krw("0");

  const auto enabled = select_coins(auto_selection(10, kBillion), listings.get());
  const auto disabled = select_coins(explicit_coins({"BTC"}), listings.get());

  ASSERT_FALSE(enabled.has_value());
  EXPECT_EQ(enabled.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(enabled.error().message, HasSubstr("usd_krw 0 is not positive"));
  // Without selection the rate is not needed: explicit coins are chosen whatever their turnover.
  ASSERT_TRUE(disabled.has_value()) << disabled.error();
  EXPECT_THAT(names(disabled->coins), ElementsAre("BTC"));
}

TEST(SelectCoins, BigTurnovers_RankedWithoutOverflowOrError) {
  // 90 billion USDT at 1,500 KRW is 1.35e14 KRW, and Upbit turnover near INT64_MAX.
  Listings listings;
  listings.usd_krw("1500")
      .both("BTC", std::numeric_limits<std::int64_t>::max(), "90000000000")
      .both("ETH", std::numeric_limits<std::int64_t>::max(), "80000000000");

  const auto selection = select_coins(auto_selection(1, 100 * kBillion), listings.get());

  ASSERT_TRUE(selection.has_value()) << selection.error();
  ASSERT_THAT(names(selection->coins), ElementsAre("BTC"));
  EXPECT_EQ(selection->coins[0].bybit_turnover_24h_krw, 135'000'000'000'000);
}

// --- CoinSelector -------------------------------------------------------------------------------------

TEST(CoinSelector, FirstRefresh_AddsEverySelectedCoin) {
  Listings listings;
  listings.both("BTC", 90 * kBillion, "90000000").both("ETH", 80 * kBillion, "80000000");
  CoinSelector selector(auto_selection(10, kBillion));

  const auto change = selector.refresh(listings.get());

  ASSERT_TRUE(change.has_value()) << change.error();
  EXPECT_THAT(names(change->added), ElementsAre("BTC", "ETH"));
  EXPECT_THAT(change->removed, IsEmpty());
  EXPECT_THAT(names(selector.current()), ElementsAre("BTC", "ETH"));
}

TEST(CoinSelector, Refresh_ReportsAddedAndRemovedCoins) {
  CoinSelector selector(auto_selection(2, kBillion));
  Listings before;
  before.both("BTC", 90 * kBillion, "90000000").both("ETH", 80 * kBillion, "80000000");
  ASSERT_TRUE(selector.refresh(before.get()).has_value());

  Listings after;  // ETH's turnover collapses and XRP overtakes it
  after.both("BTC", 90 * kBillion, "90000000")
      .both("ETH", 10 * kBillion, "10000000")
      .both("XRP", 70 * kBillion, "70000000");
  const auto change = selector.refresh(after.get());

  ASSERT_TRUE(change.has_value()) << change.error();
  EXPECT_THAT(names(change->added), ElementsAre("XRP"));
  EXPECT_THAT(change->removed, ElementsAre("ETH"));
  EXPECT_THAT(change->kept, IsEmpty());
  EXPECT_THAT(names(selector.current()), ElementsAre("BTC", "XRP"));
  EXPECT_THAT(selector.excluded(), ElementsAre(Pair("ETH", HasSubstr("beyond top_n 2"))));
}

TEST(CoinSelector, SameSelectionWithNewTurnovers_EmptyChangeButFreshData) {
  CoinSelector selector(auto_selection(2, kBillion));
  Listings before;
  before.both("BTC", 90 * kBillion, "90000000");
  ASSERT_TRUE(selector.refresh(before.get()).has_value());

  Listings after;
  after.both("BTC", 60 * kBillion, "90000000");
  const auto change = selector.refresh(after.get());

  ASSERT_TRUE(change.has_value()) << change.error();
  EXPECT_TRUE(change->empty());
  ASSERT_EQ(selector.current().size(), 1U);
  EXPECT_EQ(selector.current()[0].upbit_turnover_24h_krw, 60 * kBillion);
}

TEST(CoinSelector, KeptCoin_NotRemovedWhenSelectionDropsIt) {
  CoinSelector selector(auto_selection(2, kBillion));
  Listings before;
  before.both("BTC", 90 * kBillion, "90000000").both("ETH", 80 * kBillion, "80000000");
  ASSERT_TRUE(selector.refresh(before.get()).has_value());

  Listings after;  // ETH falls below the minimum and is then delisted from Bybit altogether
  after.both("BTC", 90 * kBillion, "90000000").both("XRP", 70 * kBillion, "70000000").upbit("ETH", 1);
  const std::vector<std::string> keep = {"ETH"};
  const auto change = selector.refresh(after.get(), keep);

  ASSERT_TRUE(change.has_value()) << change.error();
  EXPECT_THAT(names(change->added), ElementsAre("XRP"));
  EXPECT_THAT(change->removed, IsEmpty());
  EXPECT_THAT(change->kept, ElementsAre("ETH"));
  ASSERT_THAT(names(selector.current()), ElementsAre("BTC", "XRP", "ETH"));
  // Bybit no longer lists it, so it stays monitored with the entry it had.
  EXPECT_EQ(selector.current()[2].bybit_symbol, symbol("ETHUSDT"));
  EXPECT_EQ(selector.current()[2].upbit_turnover_24h_krw, 80 * kBillion);
}

TEST(CoinSelector, KeptCoinNotYetMonitored_AddedWhenListedOnBoth) {
  // At start-up an open position is found on a coin the selection would not pick.
  Listings listings;
  listings.both("BTC", 90 * kBillion, "90000000").both("ETH", 2 * kBillion, "2000000");
  CoinSelector selector(auto_selection(1, kBillion));
  const std::vector<std::string> keep = {"ETH", "GONE"};

  const auto change = selector.refresh(listings.get(), keep);

  ASSERT_TRUE(change.has_value()) << change.error();
  EXPECT_THAT(names(change->added), ElementsAre("BTC", "ETH"));
  EXPECT_THAT(change->kept, ElementsAre("ETH"));
  EXPECT_THAT(names(selector.current()), ElementsAre("BTC", "ETH"));
}

TEST(CoinSelector, FailedRefresh_KeepsPreviousSelection) {
  CoinSelector selector(auto_selection(2, kBillion));
  Listings before;
  before.both("BTC", 90 * kBillion, "90000000").both("ETH", 80 * kBillion, "80000000");
  ASSERT_TRUE(selector.refresh(before.get()).has_value());
  const std::vector<ListedCoin> previous = selector.current();

  Listings empty;  // both instrument fetches came back empty
  const auto failed = selector.refresh(empty.get());
  Listings no_rate;
  no_rate.both("XRP", 70 * kBillion, "70000000").usd_krw("-1");
  const auto invalid = selector.refresh(no_rate.get());

  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(selector.current(), previous);
}

}  // namespace
}  // namespace kimp::strategy
