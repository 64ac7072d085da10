// Tests of the emulator's shared state: configured accounts, catching up with time, funding at its hour,
// stream speed, and the market faults (clock skew, frozen FX, scheduled premium jumps).
#include "sim/server/exchange.hpp"

#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

SimConfig config_with_account() {
  SimConfig config;
  AccountConfig account;
  account.name = "alice";
  account.upbit_access_key = "upbit-access-alice";
  account.upbit_secret_key = "upbit-secret-alice";
  account.bybit_api_key = "bybit-key-alice";
  account.bybit_api_secret = "bybit-secret-alice";
  account.krw = dec("100000000");
  account.usdt = dec("10000");
  account.coins["BTC"] = dec("0.5");
  config.accounts.push_back(account);
  return config;
}

// One minute before the 08:00 UTC funding settlement.
const Timestamp kStart = Timestamp::parse_iso8601("2026-08-09T07:59:00Z").value();

TEST(Exchange, ConfiguredAccount_HasItsKeysAndStartingBalances) {
  SimClock clock(kStart);
  auto exchange = Exchange::create(config_with_account(), clock).value();
  const ApiKey* upbit = exchange->upbit_key("upbit-access-alice");
  ASSERT_NE(upbit, nullptr);
  EXPECT_EQ(upbit->account_id, "alice");
  EXPECT_EQ(upbit->secret, "upbit-secret-alice");
  ASSERT_NE(exchange->bybit_key("bybit-key-alice"), nullptr);
  EXPECT_EQ(exchange->bybit_key("unknown"), nullptr);
  EXPECT_EQ(exchange->ledger().usdt_wallet("alice").value().wallet_balance, dec("10000"));
  const auto balances = exchange->ledger().upbit_balances("alice").value();
  ASSERT_EQ(balances.size(), 2U);
  EXPECT_EQ(balances[0].currency, "BTC");
  EXPECT_EQ(balances[0].balance, dec("0.5"));
  EXPECT_EQ(balances[1].currency, "KRW");
  EXPECT_EQ(balances[1].balance, dec("100000000"));
}

TEST(Exchange, DuplicateKeys_AreRefusedWithoutCreatingTheAccount) {
  SimClock clock(kStart);
  auto exchange = Exchange::create(config_with_account(), clock).value();
  AccountConfig copy = config_with_account().accounts[0];
  copy.name = "bob";
  const auto added = exchange->add_account(copy);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(exchange->ledger().account_ids(), std::vector<std::string>{"alice"});
}

TEST(Exchange, Sync_FollowsTheClockAndSkewOnlyMovesServerTime) {
  SimClock clock(kStart);
  auto exchange = Exchange::create(config_with_account(), clock).value();
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(5)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->market().now(), kStart + std::chrono::seconds(5));
  exchange->set_skew(std::chrono::seconds(-30));
  EXPECT_EQ(exchange->now(), kStart + std::chrono::seconds(5) - std::chrono::seconds(30));
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->market().now(), kStart + std::chrono::seconds(5));
}

TEST(Exchange, ShortHeldOverTheFundingHour_IsSettledAtThatHourWithTheAnnouncedRate) {
  SimClock clock(kStart);
  auto exchange = Exchange::create(config_with_account(), clock).value();
  ASSERT_TRUE(exchange->sync().has_value());
  const auto announced = exchange->market().funding("BTCUSDT").value();
  ASSERT_EQ(announced.next_funding_time, Timestamp::parse_iso8601("2026-08-09T08:00:00Z").value());
  LinearOrderRequest sell;
  sell.symbol = "BTCUSDT";
  sell.side = LinearSide::kSell;
  sell.qty = dec("0.01");
  const auto* book = exchange->market().book(Venue::kBybit, "BTCUSDT");
  ASSERT_TRUE(exchange->ledger().place_linear_order("alice", sell, *book, exchange->now()).has_value());

  ASSERT_TRUE(clock.advance_by(std::chrono::minutes(2)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());

  const auto snapshot = exchange->ledger().snapshot().value();
  ASSERT_EQ(snapshot.accounts.size(), 1U);
  const auto& payments = snapshot.accounts[0].funding_payments;
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].ts_event, announced.next_funding_time);
  EXPECT_EQ(payments[0].funding_rate, announced.funding_rate);
  EXPECT_EQ(payments[0].size, dec("0.01"));
  const auto expected = dec("0.01").mul(payments[0].mark_price).value().mul(announced.funding_rate).value();
  EXPECT_EQ(payments[0].amount, announced.funding_rate.is_positive() ? expected : expected.negate().value());
  EXPECT_EQ(exchange->market().funding("BTCUSDT").value().next_funding_time,
            Timestamp::parse_iso8601("2026-08-09T16:00:00Z").value());
}

TEST(Exchange, StartOffTheStepGrid_SettlesEachFundingHourExactlyOnceAndKeepsGoing) {
  // Real clocks never start on the model's 100 ms grid relative to the funding hour.
  SimClock clock(kStart + std::chrono::milliseconds(37));
  auto exchange = Exchange::create(config_with_account(), clock).value();
  ASSERT_TRUE(clock.advance_by(std::chrono::minutes(2)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  ASSERT_EQ(exchange->funding_history().size(), 5U);  // one per coin at 08:00
  for (const auto& record : exchange->funding_history()) {
    EXPECT_EQ(record.funding_time, Timestamp::parse_iso8601("2026-08-09T08:00:00Z").value());
  }
  ASSERT_TRUE(clock.advance_by(std::chrono::minutes(1)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->funding_history().size(), 5U);
  EXPECT_EQ(exchange->market().now(), kStart + std::chrono::milliseconds(37) + std::chrono::minutes(3));
}

TEST(Exchange, StreamSpeed_MakesTheBooksChangeThatManyTimesAsOften) {
  SimClock clock(kStart);
  SimConfig config = config_with_account();
  config.streams.speed = 4;
  auto exchange = Exchange::create(config, clock).value();
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(1)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->market().step_count(), 40U);  // 100 ms steps divided by 4
}

TEST(Exchange, ConfiguredClockSkew_MovesServerTimeFromTheStartAndIsCountedOncePerVenue) {
  SimClock clock(kStart);
  SimConfig config = config_with_account();
  config.faults.market.clock_skew = std::chrono::milliseconds(-1500);
  auto exchange = Exchange::create(config, clock).value();
  EXPECT_EQ(exchange->now(), kStart - std::chrono::milliseconds(1500));
  for (const FaultVenue venue : {FaultVenue::kUpbit, FaultVenue::kBybit, FaultVenue::kFx}) {
    EXPECT_EQ(exchange->faults().count(venue, "clock_skew", "*"), 1U);
  }
  // Rules that keep the skew leave a skew set by hand alone and count nothing.
  exchange->set_skew(std::chrono::seconds(7));
  FaultConfig same = config.faults;
  same.seed = 8;
  ASSERT_TRUE(exchange->configure_faults(same).has_value());
  EXPECT_EQ(exchange->skew(), std::chrono::seconds(7));
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "clock_skew", "*"), 1U);
  ASSERT_TRUE(exchange->configure_faults(FaultConfig{}).has_value());
  EXPECT_EQ(exchange->skew(), Duration{});
}

TEST(Exchange, FrozenFx_KeepsTheQuoteOfTheMomentItFrozeUntilThawed) {
  SimClock clock(kStart);
  auto exchange = Exchange::create(config_with_account(), clock).value();
  EXPECT_FALSE(exchange->frozen_fx().has_value());
  FaultConfig frozen;
  frozen.market.fx_frozen = true;
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(3)).has_value());
  ASSERT_TRUE(exchange->configure_faults(frozen).has_value());
  const FxQuote quote{exchange->market().usd_krw(), kStart + std::chrono::seconds(3)};
  ASSERT_TRUE(exchange->frozen_fx().has_value());
  EXPECT_EQ(exchange->frozen_fx()->usd_krw, quote.usd_krw);
  EXPECT_EQ(exchange->frozen_fx()->at, quote.at);
  ASSERT_TRUE(clock.advance_by(std::chrono::minutes(5)).has_value());
  frozen.seed = 3;  // new rules that keep the freeze keep the frozen quote
  ASSERT_TRUE(exchange->configure_faults(frozen).has_value());
  EXPECT_EQ(exchange->frozen_fx()->at, quote.at);
  ASSERT_TRUE(exchange->configure_faults(FaultConfig{}).has_value());
  EXPECT_FALSE(exchange->frozen_fx().has_value());
}

TEST(Exchange, ScheduledPremiumJump_FillsARestingOrderItCrossesOnceWhenDue) {
  SimClock clock(kStart);
  SimConfig config = config_with_account();
  config.faults.market.premium_jumps.push_back({"BTC", dec("5"), std::chrono::seconds(2)});
  auto exchange = Exchange::create(config, clock).value();
  // A sell 2 % above the best ask rests: only a jump reaches it in seconds.
  const Decimal ask = exchange->market().book(Venue::kUpbit, "KRW-BTC")->asks.front().price;
  const Decimal target = ask.mul(dec("1.02")).value();
  UpbitOrderRequest sell;
  sell.market = "KRW-BTC";
  sell.side = UpbitSide::kAsk;
  sell.price = target.round_to_step(upbit_tick_size("KRW-BTC", target), RoundingMode::kDown).value();
  sell.volume = dec("0.01");
  const auto placed =
      exchange->ledger()
          .place_upbit_order("alice", sell, *exchange->market().book(Venue::kUpbit, "KRW-BTC"),
                             exchange->now())
          .value();
  const OrderRef ref{placed.uuid, ""};
  const auto state = [&] { return exchange->ledger().upbit_order("alice", ref).value().state; };

  ASSERT_TRUE(clock.advance_by(std::chrono::milliseconds(1900)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(state(), UpbitOrderState::kWait);
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 0U);
  ASSERT_TRUE(clock.advance_by(std::chrono::milliseconds(200)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(state(), UpbitOrderState::kDone);
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(5)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 1U);
}

}  // namespace
}  // namespace kimp::sim
