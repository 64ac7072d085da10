// Tests of injected order outcomes in the emulated Upbit and Bybit REST APIs: what the client gets, what
// later lookups get and when, what the ledger holds, and what the fault counts say.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "bybit_api_harness.hpp"
#include "sim/market/instruments.hpp"
#include "upbit_test_venue.hpp"

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr std::string_view kMarket = "KRW-BTC";
constexpr std::string_view kSymbol = "BTCUSDT";
constexpr Decimal kStartKrw = Decimal::from_units(1'000'000'000 * Decimal::kUnitsPerOne);
constexpr Decimal kStartUsdt = Decimal::from_units(10'000 * Decimal::kUnitsPerOne);

OrderFaultRule rule_for(FaultVenue venue, OrderOutcome outcome) {
  OrderFaultRule rule;
  rule.venue = venue;
  rule.symbol = std::string(venue == FaultVenue::kUpbit ? kMarket : kSymbol);
  rule.outcome = outcome;
  rule.rate = 1.0;
  return rule;
}

FaultConfig only(const OrderFaultRule& rule) {
  FaultConfig config;
  config.orders.push_back(rule);
  return config;
}

// Every outcome at rate 0, for every symbol of both venues.
FaultConfig all_at_rate_zero() {
  FaultConfig config;
  for (const FaultVenue venue : {FaultVenue::kUpbit, FaultVenue::kBybit}) {
    for (const OrderOutcome outcome :
         {OrderOutcome::kReject, OrderOutcome::kNoFill, OrderOutcome::kPartialFill, OrderOutcome::kInvisible,
          OrderOutcome::kCancelRace, OrderOutcome::kLateFill}) {
      OrderFaultRule rule = rule_for(venue, outcome);
      rule.symbol = "*";
      rule.rate = 0.0;
      rule.reject_code = venue == FaultVenue::kUpbit ? "insufficient_funds_bid" : "110007";
      rule.invisible_for = seconds(5);
      rule.late_by = seconds(5);
      config.orders.push_back(rule);
    }
  }
  return config;
}

std::uint64_t fault_count(Exchange& exchange, FaultVenue venue, OrderOutcome outcome) {
  return exchange.faults().count(venue, std::string("order_").append(to_string(outcome)),
                                 venue == FaultVenue::kUpbit ? kMarket : kSymbol);
}

std::string text(const json::value& value, std::string_view key) {
  return std::string(value.as_object().at(key).as_string());
}

Decimal dec_at(const json::value& value, std::string_view key) {
  return dec(value.as_object().at(key).as_string());
}

// 90 % of `price`, down to a multiple of `tick`: a buy there rests through every clock move of a test.
Decimal far_below(Decimal price, Decimal tick) {
  return price.mul(dec("0.9")).value().round_to_step(tick, RoundingMode::kDown).value();
}

// ---- Upbit ----

class UpbitOrderFaultsTest : public ::testing::Test {
 protected:
  void inject(const OrderFaultRule& rule) { venue_.exchange().faults().configure(only(rule)); }
  static OrderFaultRule rule(OrderOutcome outcome) { return rule_for(FaultVenue::kUpbit, outcome); }
  std::uint64_t count(OrderOutcome outcome) {
    return fault_count(venue_.exchange(), FaultVenue::kUpbit, outcome);
  }

  [[nodiscard]] const OrderBook& book() { return *venue_.exchange().market().book(Venue::kUpbit, kMarket); }
  [[nodiscard]] std::string resting_price() {
    const Decimal bid = book().bids.back().price;
    return far_below(bid, upbit_tick_size(kMarket, bid)).to_string();
  }
  [[nodiscard]] Ledger& ledger() { return venue_.exchange().ledger(); }
  [[nodiscard]] UpbitBalance balance(std::string_view currency) {
    const auto balances = ledger().upbit_balances("alice").value();
    for (const auto& balance : balances) {
      if (balance.currency == currency) {
        return balance;
      }
    }
    return UpbitBalance{.currency = std::string(currency)};
  }

  HttpResponse limit_bid(const std::string& price, std::string_view volume, std::string_view identifier,
                         std::string_view time_in_force = "") {
    std::vector<std::pair<std::string, std::string>> members{{"market", std::string(kMarket)},
                                                             {"side", "bid"},
                                                             {"volume", std::string(volume)},
                                                             {"price", price},
                                                             {"ord_type", "limit"},
                                                             {"identifier", std::string(identifier)}};
    if (!time_in_force.empty()) {
      members.emplace_back("time_in_force", time_in_force);
    }
    return venue_.post_order(members);
  }
  HttpResponse price_bid(std::string_view krw, std::string_view identifier) {
    return venue_.post_order({{"market", std::string(kMarket)},
                              {"side", "bid"},
                              {"price", std::string(krw)},
                              {"ord_type", "price"},
                              {"identifier", std::string(identifier)}});
  }
  HttpResponse lookup(const std::string& query) { return venue_.signed_get("/v1/order", query); }
  HttpResponse cancel(const std::string& query) {
    return venue_.signed_request(HttpMethod::kDelete, "/v1/order", query);
  }
  // The uuids GET /v1/orders/open (or /closed) lists for the market.
  std::vector<std::string> listed(std::string_view path) {
    const auto answer = venue_.signed_get(std::string(path), "market=KRW-BTC");
    EXPECT_EQ(answer.status, 200U) << answer.body;
    std::vector<std::string> uuids;
    const auto orders = body_of(answer);
    for (const auto& order : orders.as_array()) {
      uuids.push_back(text(order, "uuid"));
    }
    return uuids;
  }

  UpbitTestVenue venue_;
};

TEST_F(UpbitOrderFaultsTest, Reject_AnswersUpbitsStatusAndMessage_AndLeavesTheLedgerAlone) {
  OrderFaultRule reject = rule(OrderOutcome::kReject);
  reject.reject_code = "insufficient_funds_bid";
  inject(reject);
  const LedgerSnapshot before = ledger().snapshot().value();

  const auto answer = limit_bid(resting_price(), "0.001", "rej-1");
  EXPECT_EQ(answer.status, 400U);
  EXPECT_EQ(
      body_of(answer),
      json::parse(
          R"({"error":{"name":"insufficient_funds_bid","message":"매수/매도 가능 잔고가 부족합니다."}})"));
  EXPECT_EQ(lookup("identifier=rej-1").status, 404U);

  reject.reject_code = "market_offline";
  inject(reject);
  const auto offline = limit_bid(resting_price(), "0.001", "rej-2");
  EXPECT_EQ(offline.status, 403U);
  EXPECT_EQ(text(body_of(offline).at("error"), "name"), "market_offline");

  EXPECT_EQ(ledger().snapshot().value(), before);
  EXPECT_EQ(count(OrderOutcome::kReject), 2U);
}

TEST_F(UpbitOrderFaultsTest, NoFill_IocAndPriceOrdersEndCancelledUnfilled_LimitRests) {
  inject(rule(OrderOutcome::kNoFill));
  const std::string best_ask = book().asks.front().price.to_string();

  const auto ioc = body_of(limit_bid(best_ask, "0.001", "nf-ioc", "ioc"));
  EXPECT_EQ(text(ioc, "state"), "cancel");
  EXPECT_EQ(text(ioc, "executed_volume"), "0");
  EXPECT_EQ(text(ioc, "locked"), "0");
  EXPECT_EQ(ioc.at("trades_count").as_int64(), 0);

  const auto spend = body_of(price_bid("100000", "nf-price"));
  EXPECT_EQ(text(spend, "state"), "cancel");
  EXPECT_EQ(text(spend, "executed_funds"), "0");

  const auto rests = limit_bid(best_ask, "0.001", "nf-limit");
  ASSERT_EQ(rests.status, 201U) << rests.body;
  const auto limit = body_of(rests);
  EXPECT_EQ(text(limit, "state"), "wait");
  EXPECT_EQ(text(limit, "remaining_volume"), "0.001");
  EXPECT_EQ(listed("/v1/orders/open"), std::vector<std::string>{text(limit, "uuid")});

  // Nothing traded: the only KRW not free is what the resting order holds.
  EXPECT_TRUE(ledger().snapshot().value().accounts.at(0).upbit_trades.empty());
  EXPECT_EQ(balance("KRW").locked, dec_at(limit, "locked"));
  EXPECT_EQ(balance("KRW").balance.add(balance("KRW").locked).value(), kStartKrw);
  EXPECT_EQ(balance("BTC").balance, Decimal());
  EXPECT_EQ(count(OrderOutcome::kNoFill), 3U);
}

TEST_F(UpbitOrderFaultsTest, PartialFill_FillsAtMostTheRatio_IocRemainderCancelled_LimitRemainderRests) {
  OrderFaultRule partial = rule(OrderOutcome::kPartialFill);
  partial.fill_ratio = 0.5;
  inject(partial);
  const BookLevel best_ask = book().asks.front();
  ASSERT_GE(best_ask.quantity, dec("0.001"));

  // The whole 0.002 would fill at the best ask; the cut book offers half of it there.
  const auto ioc = body_of(limit_bid(book().asks.back().price.to_string(), "0.002", "pf-ioc", "ioc"));
  EXPECT_EQ(text(ioc, "state"), "cancel");
  EXPECT_EQ(text(ioc, "executed_volume"), "0.001");
  EXPECT_EQ(text(ioc, "remaining_volume"), "0.001");
  EXPECT_EQ(dec_at(ioc, "executed_funds"), best_ask.price.mul(dec("0.001")).value());

  // A price order: half the KRW amount, in whole 10^-8 BTC at the best ask.
  ASSERT_GE(best_ask.price.mul(best_ask.quantity).value(), dec("500000"));
  const Decimal bought = dec("500000").div(best_ask.price, RoundingMode::kDown).value();
  const auto spend = body_of(price_bid("1000000", "pf-price"));
  EXPECT_EQ(text(spend, "state"), "cancel");
  EXPECT_EQ(dec_at(spend, "executed_volume"), bought);
  EXPECT_EQ(dec_at(spend, "executed_funds"), best_ask.price.mul(bought).value());
  EXPECT_LE(dec_at(spend, "executed_funds"), dec("500000"));

  const auto limit = body_of(limit_bid(best_ask.price.to_string(), "0.002", "pf-limit"));
  EXPECT_EQ(text(limit, "state"), "wait");
  EXPECT_EQ(text(limit, "executed_volume"), "0.001");
  EXPECT_EQ(listed("/v1/orders/open"), std::vector<std::string>{text(limit, "uuid")});

  // The ledger holds what the answers said: three partial fills, paid from the KRW balance.
  const auto trades = ledger().snapshot().value().accounts.at(0).upbit_trades;
  ASSERT_EQ(trades.size(), 3U);
  Decimal spent;
  Decimal fees;
  for (const auto& answer : {ioc, spend, limit}) {
    spent = spent.add(dec_at(answer, "executed_funds")).value();
    fees = fees.add(dec_at(answer, "paid_fee")).value();
  }
  EXPECT_EQ(balance("BTC").balance, dec("0.002").add(bought).value());
  EXPECT_EQ(balance("KRW").locked, dec_at(limit, "locked"));
  EXPECT_EQ(balance("KRW").balance,
            kStartKrw.sub(spent).value().sub(fees).value().sub(dec_at(limit, "locked")).value());
  EXPECT_EQ(count(OrderOutcome::kPartialFill), 3U);
}

TEST_F(UpbitOrderFaultsTest, Invisible_LookupsAnswerNotFoundUntilTheTimeHasPassed) {
  OrderFaultRule invisible = rule(OrderOutcome::kInvisible);
  invisible.invisible_for = seconds(2);
  inject(invisible);
  const auto unknown = lookup("uuid=00000000-0000-4000-8000-000000000000");
  ASSERT_EQ(unknown.status, 404U);

  const auto placed = limit_bid(resting_price(), "0.001", "inv-rest");
  ASSERT_EQ(placed.status, 201U) << placed.body;
  const std::string resting = text(body_of(placed), "uuid");
  const auto filled = body_of(limit_bid(book().asks.front().price.to_string(), "0.001", "inv-ioc", "ioc"));
  const std::string done = text(filled, "uuid");
  EXPECT_EQ(text(filled, "executed_volume"), "0.001");

  const auto hidden_checks = [&] {
    for (const std::string& query : {"uuid=" + resting, std::string("identifier=inv-rest"), "uuid=" + done}) {
      const auto answer = lookup(query);
      EXPECT_EQ(answer.status, 404U) << query;
      EXPECT_EQ(answer.body, unknown.body) << query;
    }
    EXPECT_TRUE(listed("/v1/orders/open").empty());
    EXPECT_TRUE(listed("/v1/orders/closed").empty());
  };
  hidden_checks();
  // The ledger has both orders from the start: the resting one holds KRW, the other has bought.
  EXPECT_EQ(ledger().upbit_open_orders("alice", std::string(kMarket)).value().at(0).uuid, resting);
  EXPECT_EQ(balance("BTC").balance, dec("0.001"));

  ASSERT_TRUE(venue_.clock().advance_by(seconds(1)).has_value());
  hidden_checks();
  ASSERT_TRUE(venue_.clock().advance_by(seconds(1)).has_value());
  EXPECT_EQ(lookup("identifier=inv-rest").status, 200U);
  EXPECT_EQ(text(body_of(lookup("uuid=" + done)), "executed_volume"), "0.001");
  EXPECT_EQ(listed("/v1/orders/open"), std::vector<std::string>{resting});
  EXPECT_EQ(listed("/v1/orders/closed"), std::vector<std::string>{done});
  EXPECT_EQ(count(OrderOutcome::kInvisible), 2U);
}

TEST_F(UpbitOrderFaultsTest, CancelRace_FillsTheOrderAtItsPriceAndRefusesTheCancel) {
  inject(rule(OrderOutcome::kCancelRace));
  const std::string price = resting_price();
  const auto placed = body_of(limit_bid(price, "0.001", "race-1"));
  ASSERT_EQ(text(placed, "state"), "wait");
  EXPECT_EQ(count(OrderOutcome::kCancelRace), 0U);  // placement never draws it

  const std::string uuid = text(placed, "uuid");
  const auto refused = cancel("uuid=" + uuid);
  EXPECT_EQ(refused.status, 400U);
  EXPECT_EQ(text(body_of(refused).at("error"), "name"), "validation_error");
  EXPECT_EQ(text(body_of(refused).at("error"), "message"), "order " + uuid + " is done, not waiting");
  EXPECT_EQ(count(OrderOutcome::kCancelRace), 1U);

  const auto order = body_of(lookup("identifier=race-1"));
  EXPECT_EQ(text(order, "state"), "done");
  EXPECT_EQ(text(order, "executed_volume"), "0.001");
  const auto& trades = order.at("trades").as_array();
  ASSERT_EQ(trades.size(), 1U);
  EXPECT_EQ(text(trades[0], "price"), price);
  EXPECT_EQ(text(trades[0], "volume"), "0.001");

  const Decimal funds = dec(price).mul(dec("0.001")).value();
  const Decimal fee = funds.mul(dec("0.0005")).value();
  EXPECT_TRUE(ledger().snapshot().value().accounts.at(0).upbit_trades.at(0).maker);
  EXPECT_EQ(balance("BTC").balance, dec("0.001"));
  EXPECT_EQ(balance("KRW").locked, Decimal());
  EXPECT_EQ(balance("KRW").balance, kStartKrw.sub(funds).value().sub(fee).value());
}

TEST_F(UpbitOrderFaultsTest, LateFill_NeverAnswers_ThenPlacesTheOrderAgainstTheLaterBook) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const Timestamp sent_at = venue_.clock().now();

  const auto answer = price_bid("100000", "late-1");
  EXPECT_EQ(answer.delivery, HttpResponse::Delivery::kNeverAnswer);
  EXPECT_EQ(lookup("identifier=late-1").status, 404U);
  ASSERT_TRUE(venue_.clock().advance_by(seconds(2)).has_value());
  EXPECT_EQ(lookup("identifier=late-1").status, 404U);
  EXPECT_TRUE(ledger().snapshot().value().accounts.at(0).upbit_orders.empty());
  EXPECT_EQ(balance("KRW").balance, kStartKrw);

  ASSERT_TRUE(venue_.clock().advance_by(seconds(1)).has_value());
  const auto found = lookup("identifier=late-1");
  ASSERT_EQ(found.status, 200U) << found.body;
  const auto order = body_of(found);
  const auto& trade = order.at("trades").as_array().at(0);
  EXPECT_EQ(text(trade, "created_at"), "2025-07-04T14:02:03.000+09:00");
  EXPECT_EQ(dec_at(trade, "price"), book().asks.front().price);
  EXPECT_EQ(ledger().upbit_order("alice", OrderRef{"", "late-1"}).value().created_at, sent_at + seconds(3));
  EXPECT_EQ(balance("KRW").balance,
            kStartKrw.sub(dec_at(order, "executed_funds")).value().sub(dec_at(order, "paid_fee")).value());
  EXPECT_EQ(count(OrderOutcome::kLateFill), 1U);
}

TEST_F(UpbitOrderFaultsTest, LateFill_RefusalIsAnsweredAtOnceAndNothingIsPlacedLater) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const std::size_t timers = venue_.clock().pending();

  // Alice holds no BTC to sell.
  const auto answer = venue_.post_order(
      {{"market", std::string(kMarket)}, {"side", "ask"}, {"volume", "0.01"}, {"ord_type", "market"}});
  EXPECT_EQ(answer.delivery, HttpResponse::Delivery::kAnswer);
  EXPECT_EQ(answer.status, 400U);
  EXPECT_EQ(text(body_of(answer).at("error"), "name"), "insufficient_funds_ask");
  EXPECT_EQ(venue_.clock().pending(), timers);
  ASSERT_TRUE(venue_.clock().advance_by(seconds(5)).has_value());
  EXPECT_TRUE(ledger().snapshot().value().accounts.at(0).upbit_orders.empty());
}

TEST_F(UpbitOrderFaultsTest, LateFill_PendingPlacementIsDroppedWithTheApi) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const std::size_t timers = venue_.clock().pending();
  EXPECT_EQ(price_bid("100000", "late-gone").delivery, HttpResponse::Delivery::kNeverAnswer);
  EXPECT_EQ(venue_.clock().pending(), timers + 1);

  venue_.drop_api();
  EXPECT_EQ(venue_.clock().pending(), timers);
  ASSERT_TRUE(venue_.clock().advance_by(seconds(5)).has_value());
  ASSERT_TRUE(venue_.exchange().sync().has_value());
  EXPECT_TRUE(ledger().snapshot().value().accounts.at(0).upbit_orders.empty());
}

TEST_F(UpbitOrderFaultsTest, RateZero_NeverFires) {
  venue_.exchange().faults().configure(all_at_rate_zero());
  const auto filled = body_of(limit_bid(book().asks.front().price.to_string(), "0.001", "z-1", "ioc"));
  EXPECT_EQ(text(filled, "executed_volume"), "0.001");
  const auto resting = body_of(limit_bid(resting_price(), "0.001", "z-2"));
  EXPECT_EQ(lookup("identifier=z-2").status, 200U);
  const auto cancelled = cancel("uuid=" + text(resting, "uuid"));
  EXPECT_EQ(cancelled.status, 200U) << cancelled.body;
  EXPECT_EQ(text(body_of(cancelled), "state"), "cancel");
  EXPECT_EQ(venue_.exchange().faults().counts_json().at("counts").as_array().size(), 0U);
}

// ---- Bybit ----

class BybitOrderFaultsTest : public BybitApiHarness {
 protected:
  void inject(const OrderFaultRule& rule) { exchange_->faults().configure(only(rule)); }
  static OrderFaultRule rule(OrderOutcome outcome) { return rule_for(FaultVenue::kBybit, outcome); }
  std::uint64_t count(OrderOutcome outcome) { return fault_count(*exchange_, FaultVenue::kBybit, outcome); }

  [[nodiscard]] Decimal resting_price() const {
    const Decimal tick = exchange_->market().instruments().find(kSymbol)->tick_size;
    return far_below(book(kSymbol).bids.back().price, tick);
  }
  [[nodiscard]] Ledger& ledger() { return exchange_->ledger(); }

  static std::string order_body(std::string_view side, std::string_view type, std::string_view qty,
                                std::string_view link_id, std::string_view price = "") {
    json::object body{{"category", "linear"}, {"symbol", kSymbol}, {"side", side},
                      {"orderType", type},    {"qty", qty},        {"orderLinkId", link_id}};
    if (!price.empty()) {
      body["price"] = price;
      body["timeInForce"] = "GTC";
    }
    return json::serialize(body);
  }
  json::value create(const std::string& body) { return call(signed_post("/v5/order/create", body)); }
  // The `list` of a private GET.
  json::array list(std::string path, std::string query) {
    const auto answer = call(signed_get(std::move(path), std::move(query)));
    EXPECT_EQ(answer.at("retCode").as_int64(), 0) << last_.body;
    return answer.at("result").at("list").as_array();
  }
  std::vector<LinearOrder> ledger_orders() {
    return ledger().linear_order_history(std::string(kAccount), "").value();
  }
};

TEST_F(BybitOrderFaultsTest, Reject_AnswersTheRetCodeWithBybitsText_AndLeavesTheLedgerAlone) {
  OrderFaultRule reject = rule(OrderOutcome::kReject);
  reject.reject_code = "110007";
  inject(reject);
  const LedgerSnapshot before = ledger().snapshot().value();

  const auto answer = create(order_body("Buy", "Market", "0.001", "rej-1"));
  EXPECT_EQ(answer.at("retCode").as_int64(), 110007);
  EXPECT_EQ(answer.at("retMsg").as_string(), "ab not enough for new order");
  EXPECT_EQ(answer.at("result"), json::object{});

  reject.reject_code = "110072";
  inject(reject);
  const auto duplicate = create(order_body("Buy", "Market", "0.001", "rej-2"));
  EXPECT_EQ(duplicate.at("retCode").as_int64(), 110072);
  EXPECT_EQ(duplicate.at("retMsg").as_string(), "OrderLinkedID is duplicate");

  EXPECT_TRUE(list("/v5/order/history", "category=linear").empty());
  EXPECT_EQ(ledger().snapshot().value(), before);
  EXPECT_EQ(count(OrderOutcome::kReject), 2U);
}

TEST_F(BybitOrderFaultsTest, NoFill_MarketOrderEndsCancelledUnfilled_LimitRests) {
  inject(rule(OrderOutcome::kNoFill));
  ASSERT_EQ(create(order_body("Buy", "Market", "0.001", "nf-m")).at("retCode").as_int64(), 0) << last_.body;
  const Decimal ask = book(kSymbol).asks.front().price;
  ASSERT_EQ(create(order_body("Buy", "Limit", "0.001", "nf-l", ask.to_string())).at("retCode").as_int64(), 0)
      << last_.body;

  const auto market = list("/v5/order/history", "category=linear&orderLinkId=nf-m").at(0);
  EXPECT_EQ(text(market, "orderStatus"), "Cancelled");
  EXPECT_EQ(text(market, "cumExecQty"), "0");
  const auto open = list("/v5/order/realtime", "category=linear&symbol=BTCUSDT");
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(text(open.at(0), "orderLinkId"), "nf-l");
  EXPECT_EQ(text(open.at(0), "orderStatus"), "New");
  EXPECT_TRUE(list("/v5/execution/list", "category=linear").empty());

  const auto wallet = ledger().usdt_wallet(std::string(kAccount)).value();
  EXPECT_EQ(wallet.wallet_balance, kStartUsdt);
  EXPECT_EQ(wallet.total_position_im, Decimal());
  EXPECT_TRUE(wallet.total_order_im.is_positive());
  EXPECT_EQ(count(OrderOutcome::kNoFill), 2U);
}

TEST_F(BybitOrderFaultsTest, PartialFill_FillsAtMostTheRatioInWholeLots) {
  OrderFaultRule partial = rule(OrderOutcome::kPartialFill);
  partial.fill_ratio = 0.5;
  inject(partial);
  const std::string far_ask = book(kSymbol).asks.back().price.to_string();

  ASSERT_EQ(create(order_body("Buy", "Market", "0.01", "pf-m")).at("retCode").as_int64(), 0) << last_.body;
  // Half of 0.003 is 0.0015: the lot step of 0.001 leaves 0.001.
  ASSERT_EQ(create(order_body("Buy", "Market", "0.003", "pf-lot")).at("retCode").as_int64(), 0) << last_.body;
  ASSERT_EQ(create(order_body("Buy", "Limit", "0.01", "pf-l", far_ask)).at("retCode").as_int64(), 0)
      << last_.body;

  const auto market = list("/v5/order/history", "category=linear&orderLinkId=pf-m").at(0);
  EXPECT_EQ(text(market, "orderStatus"), "Cancelled");
  EXPECT_EQ(text(market, "cumExecQty"), "0.005");
  EXPECT_EQ(text(list("/v5/order/history", "category=linear&orderLinkId=pf-lot").at(0), "cumExecQty"),
            "0.001");
  const auto limit = list("/v5/order/realtime", "category=linear&orderLinkId=pf-l").at(0);
  EXPECT_EQ(text(limit, "orderStatus"), "PartiallyFilled");
  EXPECT_EQ(text(limit, "cumExecQty"), "0.005");
  EXPECT_EQ(text(limit, "leavesQty"), "0.005");

  Decimal executed;
  for (const auto& fill : list("/v5/execution/list", "category=linear")) {
    executed = executed.add(dec(fill.at("execQty").as_string())).value();
  }
  EXPECT_EQ(executed, dec("0.011"));
  const auto positions = ledger().linear_positions(std::string(kAccount)).value();
  ASSERT_EQ(positions.size(), 1U);
  EXPECT_EQ(positions[0].size, dec("0.011"));
  EXPECT_EQ(count(OrderOutcome::kPartialFill), 3U);
}

TEST_F(BybitOrderFaultsTest, Invisible_ListsLeaveTheOrderOutUntilTheTimeHasPassed) {
  OrderFaultRule invisible = rule(OrderOutcome::kInvisible);
  invisible.invisible_for = seconds(2);
  inject(invisible);
  const auto placed = create(order_body("Buy", "Market", "0.001", "inv-m"));
  ASSERT_EQ(placed.at("retCode").as_int64(), 0) << last_.body;
  const std::string order_id = text(placed.at("result"), "orderId");
  ASSERT_EQ(create(order_body("Buy", "Limit", "0.001", "inv-l", resting_price().to_string()))
                .at("retCode")
                .as_int64(),
            0);

  const auto hidden_checks = [&] {
    EXPECT_TRUE(list("/v5/order/realtime", "category=linear&orderLinkId=inv-l").empty());
    EXPECT_TRUE(list("/v5/order/realtime", "category=linear&orderId=" + order_id).empty());
    EXPECT_TRUE(list("/v5/order/realtime", "category=linear&symbol=BTCUSDT").empty());
    EXPECT_TRUE(list("/v5/order/history", "category=linear").empty());
    EXPECT_TRUE(list("/v5/execution/list", "category=linear&orderId=" + order_id).empty());
  };
  hidden_checks();
  // The ledger holds both from the start: the position is open and the limit order holds margin.
  EXPECT_EQ(ledger_orders().size(), 2U);
  EXPECT_EQ(ledger().linear_positions(std::string(kAccount)).value().at(0).size, dec("0.001"));

  ASSERT_TRUE(clock_.advance_by(seconds(1)).has_value());
  hidden_checks();
  ASSERT_TRUE(clock_.advance_by(seconds(1)).has_value());
  EXPECT_EQ(list("/v5/order/history", "category=linear").size(), 2U);
  EXPECT_EQ(text(list("/v5/order/realtime", "category=linear&symbol=BTCUSDT").at(0), "orderLinkId"), "inv-l");
  EXPECT_EQ(text(list("/v5/execution/list", "category=linear").at(0), "orderId"), order_id);
  EXPECT_EQ(count(OrderOutcome::kInvisible), 2U);
}

TEST_F(BybitOrderFaultsTest, CancelRace_FillsTheOrderAsMakerAtItsPriceAndRefuses110001) {
  inject(rule(OrderOutcome::kCancelRace));
  const Decimal price = resting_price();
  ASSERT_EQ(create(order_body("Buy", "Limit", "0.002", "race-1", price.to_string())).at("retCode").as_int64(),
            0)
      << last_.body;
  EXPECT_EQ(count(OrderOutcome::kCancelRace), 0U);  // placement never draws it

  const auto refused = call(
      signed_post("/v5/order/cancel", R"({"category":"linear","symbol":"BTCUSDT","orderLinkId":"race-1"})"));
  EXPECT_EQ(refused.at("retCode").as_int64(), 110001);
  EXPECT_EQ(refused.at("retMsg").as_string(), "order not exists or too late to cancel");
  EXPECT_EQ(count(OrderOutcome::kCancelRace), 1U);

  const auto order = list("/v5/order/history", "category=linear&orderLinkId=race-1").at(0);
  EXPECT_EQ(text(order, "orderStatus"), "Filled");
  EXPECT_EQ(text(order, "cumExecQty"), "0.002");
  EXPECT_EQ(dec(order.at("avgPrice").as_string()), price);
  const auto fill = list("/v5/execution/list", "category=linear").at(0);
  EXPECT_TRUE(fill.at("isMaker").as_bool());
  EXPECT_EQ(dec(fill.at("execPrice").as_string()), price);
  const Decimal fee = price.mul(dec("0.002")).value().mul(dec("0.0002")).value();
  EXPECT_EQ(dec(fill.at("execFee").as_string()), fee);

  const auto position = ledger().linear_positions(std::string(kAccount)).value().at(0);
  EXPECT_EQ(position.side, LinearSide::kBuy);
  EXPECT_EQ(position.size, dec("0.002"));
  EXPECT_EQ(ledger().usdt_wallet(std::string(kAccount)).value().wallet_balance, kStartUsdt.sub(fee).value());
}

TEST_F(BybitOrderFaultsTest, LateFill_NeverAnswers_ThenPlacesTheOrderAgainstTheLaterBook) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const Timestamp sent_at = clock_.now();

  const auto answer =
      api_->handle(signed_post("/v5/order/create", order_body("Buy", "Market", "0.001", "late-1")));
  EXPECT_EQ(answer.delivery, HttpResponse::Delivery::kNeverAnswer);
  EXPECT_TRUE(list("/v5/order/realtime", "category=linear&orderLinkId=late-1").empty());
  ASSERT_TRUE(clock_.advance_by(seconds(2)).has_value());
  EXPECT_TRUE(list("/v5/order/history", "category=linear&orderLinkId=late-1").empty());
  EXPECT_TRUE(ledger_orders().empty());

  ASSERT_TRUE(clock_.advance_by(seconds(1)).has_value());
  const auto order = list("/v5/order/history", "category=linear&orderLinkId=late-1").at(0);
  EXPECT_EQ(text(order, "orderStatus"), "Filled");
  EXPECT_EQ(text(order, "createdTime"), std::to_string((sent_at + seconds(3)).ms()));
  const auto fill = list("/v5/execution/list", "category=linear").at(0);
  EXPECT_EQ(dec(fill.at("execPrice").as_string()), book(kSymbol).asks.front().price);
  EXPECT_EQ(text(fill, "execTime"), std::to_string((sent_at + seconds(3)).ms()));
  EXPECT_EQ(ledger().linear_positions(std::string(kAccount)).value().at(0).size, dec("0.001"));
  EXPECT_EQ(count(OrderOutcome::kLateFill), 1U);
}

TEST_F(BybitOrderFaultsTest, LateFill_RefusalIsAnsweredAtOnceAndNothingIsPlacedLater) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const std::size_t timers = clock_.pending();
  const auto answer = create(order_body("Buy", "Market", "5", "late-big"));
  EXPECT_EQ(answer.at("retCode").as_int64(), 110007);
  EXPECT_EQ(clock_.pending(), timers);
  ASSERT_TRUE(clock_.advance_by(seconds(5)).has_value());
  ASSERT_TRUE(exchange_->sync().has_value());
  EXPECT_TRUE(ledger_orders().empty());
}

TEST_F(BybitOrderFaultsTest, LateFill_PendingPlacementIsDroppedWithTheApi) {
  OrderFaultRule late = rule(OrderOutcome::kLateFill);
  late.late_by = seconds(3);
  inject(late);
  const std::size_t timers = clock_.pending();
  const auto answer =
      api_->handle(signed_post("/v5/order/create", order_body("Buy", "Market", "0.001", "gone")));
  EXPECT_EQ(answer.delivery, HttpResponse::Delivery::kNeverAnswer);
  EXPECT_EQ(clock_.pending(), timers + 1);

  api_.reset();
  EXPECT_EQ(clock_.pending(), timers);
  ASSERT_TRUE(clock_.advance_by(seconds(5)).has_value());
  ASSERT_TRUE(exchange_->sync().has_value());
  EXPECT_TRUE(ledger_orders().empty());
}

TEST_F(BybitOrderFaultsTest, RateZero_NeverFires) {
  exchange_->faults().configure(all_at_rate_zero());
  ASSERT_EQ(create(order_body("Buy", "Market", "0.002", "z-1")).at("retCode").as_int64(), 0) << last_.body;
  EXPECT_EQ(text(list("/v5/order/history", "category=linear&orderLinkId=z-1").at(0), "cumExecQty"), "0.002");
  ASSERT_EQ(create(order_body("Buy", "Limit", "0.001", "z-2", resting_price().to_string()))
                .at("retCode")
                .as_int64(),
            0);
  const auto cancelled = call(
      signed_post("/v5/order/cancel", R"({"category":"linear","symbol":"BTCUSDT","orderLinkId":"z-2"})"));
  EXPECT_EQ(cancelled.at("retCode").as_int64(), 0) << last_.body;
  EXPECT_EQ(exchange_->faults().counts_json().at("counts").as_array().size(), 0U);
}

}  // namespace
}  // namespace kimp::sim::testing
