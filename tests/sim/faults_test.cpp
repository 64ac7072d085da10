// Tests of fault injection: rule matching, seeded draws and their counts, WebSocket stalls, the counts
// report, and the [faults] schema read from TOML and written back.
#include "sim/server/faults.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/problem.hpp"
#include "sim/config/sim_config.hpp"

namespace kimp::sim {
namespace {

using std::chrono::milliseconds;
using Action = HttpVerdict::Action;

const std::vector<std::string> kCoins{"BTC", "ETH", "SOL", "XRP", "DOGE"};
const Timestamp kOpened = Timestamp::from_ns(1'786'000'000'000'000'000);

HttpFaultRule http_rule(FaultVenue venue, std::string endpoint) {
  HttpFaultRule rule;
  rule.venue = venue;
  rule.endpoint = std::move(endpoint);
  return rule;
}

WsFaultRule ws_rule(FaultVenue venue, std::string stream) {
  WsFaultRule rule;
  rule.venue = venue;
  rule.stream = std::move(stream);
  return rule;
}

std::size_t occurrences(std::string_view text, std::string_view word) {
  std::size_t count = 0;
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    ++count;
  }
  return count;
}

std::string problems_of(std::string_view text) {
  const FaultConfigResult result = parse_fault_config(text, "faults.toml", kCoins);
  return result ? std::string("(no problems)") : config::render_problems(result.error());
}

TEST(FaultInjectorHttp, RuleNamingThePath_WinsOverAnEarlierWildcardOfTheSameVenue) {
  FaultConfig config;
  config.http.push_back(http_rule(FaultVenue::kBybit, "*"));
  config.http.back().server_error_rate = 1.0;
  config.http.push_back(http_rule(FaultVenue::kBybit, "/v5/order/create"));
  config.http.back().rate_limit_rate = 1.0;
  config.http.push_back(http_rule(FaultVenue::kBybit, "*"));
  config.http.back().timeout_rate = 1.0;
  FaultInjector faults(config);

  EXPECT_EQ(faults.on_request(FaultVenue::kBybit, "/v5/order/create").action, Action::kRateLimit);
  EXPECT_EQ(faults.on_request(FaultVenue::kBybit, "/v5/market/time").action, Action::kServerError);
  EXPECT_EQ(faults.on_request(FaultVenue::kUpbit, "/v5/order/create").action, Action::kServe);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "rate_limit", "/v5/order/create"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "server_error", "/v5/market/time"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "timeout", "/v5/market/time"), 0U);
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "rate_limit", "/v5/order/create"), 0U);
}

TEST(FaultInjectorHttp, RatesOfZeroNeverHitAndOneAlwaysDoesInTheDocumentedOrder) {
  FaultConfig config;
  config.http.push_back(http_rule(FaultVenue::kUpbit, "/v1/orders"));
  config.http.back().reset_rate = 1.0;
  config.http.back().server_error_rate = 1.0;
  config.http.push_back(http_rule(FaultVenue::kUpbit, "/v1/accounts"));
  FaultInjector faults(config);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(faults.on_request(FaultVenue::kUpbit, "/v1/orders").action, Action::kReset);
    ASSERT_EQ(faults.on_request(FaultVenue::kUpbit, "/v1/accounts").action, Action::kServe);
  }
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "reset", "/v1/orders"), 1000U);
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "server_error", "/v1/orders"), 0U);
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "latency", "/v1/accounts"), 0U);
}

TEST(FaultInjectorHttp, SeededRateOfThreeTenths_LandsNearItAndEqualsTheCountAndRepeatsPerSeed) {
  FaultConfig config;
  config.seed = 2024;
  config.http.push_back(http_rule(FaultVenue::kBybit, "*"));
  config.http.back().timeout_rate = 0.3;
  FaultInjector faults(config);
  FaultInjector twin(config);
  std::uint64_t timeouts = 0;
  for (int i = 0; i < 10'000; ++i) {
    const Action action = faults.on_request(FaultVenue::kBybit, "/v5/position/list").action;
    ASSERT_EQ(twin.on_request(FaultVenue::kBybit, "/v5/position/list").action, action) << "draw " << i;
    timeouts += action == Action::kTimeout ? 1 : 0;
  }
  // The standard deviation of the count is about 46: ±300 is six and a half of them.
  EXPECT_GT(timeouts, 2'700U);
  EXPECT_LT(timeouts, 3'300U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "timeout", "/v5/position/list"), timeouts);
}

TEST(FaultInjectorHttp, LatencyAndJitter_DelayServedAndRefusedAnswersButNotTimeouts) {
  FaultConfig config;
  config.http.push_back(http_rule(FaultVenue::kFx, "*"));
  config.http.back().latency = milliseconds(40);
  config.http.back().jitter = milliseconds(10);
  config.http.push_back(http_rule(FaultVenue::kFx, "/dead"));
  config.http.back().latency = milliseconds(40);
  config.http.back().timeout_rate = 1.0;
  FaultInjector faults(config);
  for (int i = 0; i < 200; ++i) {
    const HttpVerdict verdict = faults.on_request(FaultVenue::kFx, "/v1/forex/recent");
    ASSERT_EQ(verdict.action, Action::kServe);
    ASSERT_GE(verdict.delay, milliseconds(40));
    ASSERT_LT(verdict.delay, milliseconds(50));
  }
  const HttpVerdict dead = faults.on_request(FaultVenue::kFx, "/dead");
  EXPECT_EQ(dead.action, Action::kTimeout);
  EXPECT_EQ(dead.delay, Duration{});
  EXPECT_EQ(faults.count(FaultVenue::kFx, "latency", "/v1/forex/recent"), 200U);
  EXPECT_EQ(faults.count(FaultVenue::kFx, "latency", "/dead"), 0U);
}

TEST(FaultInjectorOrders, FirstRuleOfTheAskedOutcomesForTheSymbolOrWildcard_IsCountedBySymbol) {
  FaultConfig config;
  OrderFaultRule cancel_race;
  cancel_race.venue = FaultVenue::kBybit;
  cancel_race.outcome = OrderOutcome::kCancelRace;
  config.orders.push_back(cancel_race);
  OrderFaultRule reject_eth;
  reject_eth.venue = FaultVenue::kBybit;
  reject_eth.symbol = "ETHUSDT";
  reject_eth.reject_code = "110007";
  config.orders.push_back(reject_eth);
  OrderFaultRule no_fill;
  no_fill.venue = FaultVenue::kBybit;
  no_fill.outcome = OrderOutcome::kNoFill;
  config.orders.push_back(no_fill);
  FaultInjector faults(config);
  constexpr std::array kPlacement{OrderOutcome::kReject, OrderOutcome::kNoFill, OrderOutcome::kPartialFill,
                                  OrderOutcome::kInvisible, OrderOutcome::kLateFill};
  constexpr std::array kCancel{OrderOutcome::kCancelRace};

  const OrderFaultRule* eth = faults.on_order(FaultVenue::kBybit, "ETHUSDT", kPlacement);
  ASSERT_NE(eth, nullptr);
  EXPECT_EQ(eth->reject_code, "110007");
  const OrderFaultRule* btc = faults.on_order(FaultVenue::kBybit, "BTCUSDT", kPlacement);
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->outcome, OrderOutcome::kNoFill);
  const OrderFaultRule* cancel = faults.on_order(FaultVenue::kBybit, "BTCUSDT", kCancel);
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(cancel->outcome, OrderOutcome::kCancelRace);
  EXPECT_EQ(faults.on_order(FaultVenue::kUpbit, "KRW-BTC", kPlacement), nullptr);

  EXPECT_EQ(faults.count(FaultVenue::kBybit, "order_reject", "ETHUSDT"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "order_no_fill", "BTCUSDT"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "order_cancel_race", "BTCUSDT"), 1U);
}

TEST(FaultInjectorWs, RuleNamingTheStream_WinsOverTheWildcard) {
  FaultConfig config;
  config.websocket.push_back(ws_rule(FaultVenue::kBybit, "*"));
  config.websocket.push_back(ws_rule(FaultVenue::kBybit, "private"));
  FaultInjector faults(config);
  EXPECT_EQ(faults.ws_rule(FaultVenue::kBybit, "private"), &faults.config().websocket[1]);
  EXPECT_EQ(faults.ws_rule(FaultVenue::kBybit, "public.spot"), &faults.config().websocket[0]);
  EXPECT_EQ(faults.ws_rule(FaultVenue::kUpbit, "websocket"), nullptr);
}

TEST(FaultInjectorWs, DeltasSufferEveryFaultSnapshotsOnlyMalformingAndControlNone) {
  FaultConfig config;
  config.websocket.push_back(ws_rule(FaultVenue::kUpbit, "websocket"));
  config.websocket.back().duplicate_rate = 1.0;
  config.websocket.push_back(ws_rule(FaultVenue::kBybit, "public.linear"));
  config.websocket.back().malformed_rate = 1.0;
  config.websocket.push_back(ws_rule(FaultVenue::kBybit, "public.spot"));
  config.websocket.back().reorder_rate = 1.0;
  FaultInjector faults(config);
  WsFaultState session{kOpened};
  const Timestamp now = kOpened + milliseconds(5);

  EXPECT_EQ(faults.on_ws_message(FaultVenue::kUpbit, "websocket", session, now, WsMessageKind::kDelta),
            WsAction::kDuplicate);
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kUpbit, "websocket", session, now, WsMessageKind::kSnapshot),
            WsAction::kSend);
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kBybit, "public.linear", session, now, WsMessageKind::kSnapshot),
            WsAction::kMalformed);
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kBybit, "public.linear", session, now, WsMessageKind::kControl),
            WsAction::kSend);
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kBybit, "public.spot", session, now, WsMessageKind::kDelta),
            WsAction::kHold);
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kBybit, "private", session, now, WsMessageKind::kDelta),
            WsAction::kSend);
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "ws_duplicate", "websocket"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "ws_malformed", "public.linear"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "ws_reorder", "public.spot"), 1U);
}

TEST(FaultInjectorWs, StallsSilenceEverythingAndCountOncePerWindow) {
  FaultConfig config;
  config.websocket.push_back(ws_rule(FaultVenue::kBybit, "public.linear"));
  config.websocket.back().stall_every = milliseconds(1000);
  config.websocket.back().stall_for = milliseconds(200);
  FaultInjector faults(config);
  WsFaultState session{kOpened};
  const auto at = [&](std::int64_t ms, WsMessageKind kind = WsMessageKind::kDelta) {
    return faults.on_ws_message(FaultVenue::kBybit, "public.linear", session, kOpened + milliseconds(ms),
                                kind);
  };

  EXPECT_EQ(at(100), WsAction::kSend);  // the first window never stalls
  EXPECT_EQ(at(1000), WsAction::kDrop);
  EXPECT_EQ(at(1100, WsMessageKind::kControl), WsAction::kDrop);
  EXPECT_EQ(at(1199, WsMessageKind::kSnapshot), WsAction::kDrop);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "ws_stall", "public.linear"), 1U);
  EXPECT_EQ(at(1200), WsAction::kSend);
  EXPECT_EQ(at(2050), WsAction::kDrop);
  EXPECT_EQ(at(2150), WsAction::kDrop);
  EXPECT_EQ(faults.count(FaultVenue::kBybit, "ws_stall", "public.linear"), 2U);
  // A second session keeps its own windows.
  WsFaultState later{kOpened + milliseconds(500)};
  EXPECT_EQ(faults.on_ws_message(FaultVenue::kBybit, "public.linear", later, kOpened + milliseconds(1100),
                                 WsMessageKind::kDelta),
            WsAction::kSend);
}

TEST(FaultInjectorCounts, ConfigureReplacesTheRulesButKeepsTheCounts) {
  FaultConfig config;
  config.http.push_back(http_rule(FaultVenue::kUpbit, "*"));
  config.http.back().server_error_rate = 1.0;
  FaultInjector faults(config);
  ASSERT_EQ(faults.on_request(FaultVenue::kUpbit, "/v1/ticker").action, Action::kServerError);
  faults.record(FaultVenue::kFx, "fx_down", "*", 3);

  FaultConfig replacement;
  replacement.seed = 99;
  faults.configure(replacement);
  EXPECT_EQ(faults.config(), replacement);
  EXPECT_EQ(faults.on_request(FaultVenue::kUpbit, "/v1/ticker").action, Action::kServe);
  EXPECT_EQ(faults.count(FaultVenue::kUpbit, "server_error", "/v1/ticker"), 1U);
  EXPECT_EQ(faults.count(FaultVenue::kFx, "fx_down", "*"), 3U);
}

TEST(FaultInjectorCounts, CountsJson_IsSortedByVenueThenKindThenTarget) {
  FaultConfig config;
  config.seed = 11;
  FaultInjector faults(config);
  faults.record(FaultVenue::kFx, "fx_down", "*");
  faults.record(FaultVenue::kBybit, "ws_drop", "public.linear", 4);
  faults.record(FaultVenue::kBybit, "rate_limit", "/v5/order/create", 2);
  faults.record(FaultVenue::kUpbit, "timeout", "/v1/orders");
  faults.record(FaultVenue::kBybit, "rate_limit", "/v5/order/cancel");
  faults.record(FaultVenue::kBybit, "rate_limit", "/v5/order/create");
  EXPECT_EQ(boost::json::serialize(faults.counts_json()),
            R"({"seed":11,"counts":[)"
            R"({"venue":"upbit","kind":"timeout","target":"/v1/orders","count":1},)"
            R"({"venue":"bybit","kind":"rate_limit","target":"/v5/order/cancel","count":1},)"
            R"({"venue":"bybit","kind":"rate_limit","target":"/v5/order/create","count":3},)"
            R"({"venue":"bybit","kind":"ws_drop","target":"public.linear","count":4},)"
            R"({"venue":"fx","kind":"fx_down","target":"*","count":1}]})");
}

constexpr std::string_view kEveryFault = R"([faults]
seed = 5
[[faults.http]]
venue = "bybit"
endpoint = "/v5/order/create"
latency_ms = 20
jitter_ms = 5
timeout_rate = 0.01
reset_rate = 0.02
rate_limit_rate = 0.25
server_error_rate = 0.03
[[faults.orders]]
venue = "upbit"
symbol = "KRW-ETH"
outcome = "reject"
rate = 0.1
reject_code = "insufficient_funds_bid"
[[faults.orders]]
venue = "bybit"
outcome = "partial_fill"
fill_ratio = 0.4
[[faults.orders]]
venue = "bybit"
symbol = "BTCUSDT"
outcome = "late_fill"
late_ms = 1500
[[faults.websocket]]
venue = "bybit"
stream = "public.linear"
disconnect_every_s = 30
stall_every_ms = 10000
stall_for_ms = 2000
drop_rate = 0.05
duplicate_rate = 0.01
reorder_rate = 0.02
malformed_rate = 0.001
[faults.market]
clock_skew_ms = -1500
fx_frozen = true
[[faults.market.premium_jumps]]
coin = "BTC"
pct = -2.5
after_s = 60
)";

TEST(FaultConfigToml, EveryKey_IsReadIntoTheRulesAndWrittenBackUnchanged) {
  const FaultConfigResult result = parse_fault_config(kEveryFault, "faults.toml", kCoins);
  ASSERT_TRUE(result) << config::render_problems(result.error());
  const FaultConfig& faults = *result;
  EXPECT_EQ(faults.seed, 5U);
  ASSERT_EQ(faults.http.size(), 1U);
  EXPECT_EQ(faults.http[0].venue, FaultVenue::kBybit);
  EXPECT_EQ(faults.http[0].endpoint, "/v5/order/create");
  EXPECT_EQ(faults.http[0].latency, milliseconds(20));
  EXPECT_EQ(faults.http[0].jitter, milliseconds(5));
  EXPECT_EQ(faults.http[0].rate_limit_rate, 0.25);
  EXPECT_EQ(faults.http[0].server_error_rate, 0.03);
  ASSERT_EQ(faults.orders.size(), 3U);
  EXPECT_EQ(faults.orders[0].reject_code, "insufficient_funds_bid");
  EXPECT_EQ(faults.orders[0].rate, 0.1);
  EXPECT_EQ(faults.orders[1].symbol, "*");
  EXPECT_EQ(faults.orders[1].rate, 1.0);
  EXPECT_EQ(faults.orders[1].fill_ratio, 0.4);
  EXPECT_EQ(faults.orders[2].outcome, OrderOutcome::kLateFill);
  EXPECT_EQ(faults.orders[2].late_by, milliseconds(1500));
  ASSERT_EQ(faults.websocket.size(), 1U);
  EXPECT_EQ(faults.websocket[0].disconnect_every, std::chrono::seconds(30));
  EXPECT_EQ(faults.websocket[0].stall_for, milliseconds(2000));
  EXPECT_EQ(faults.websocket[0].malformed_rate, 0.001);
  EXPECT_EQ(faults.market.clock_skew, milliseconds(-1500));
  EXPECT_FALSE(faults.market.fx_down);
  EXPECT_TRUE(faults.market.fx_frozen);
  ASSERT_EQ(faults.market.premium_jumps.size(), 1U);
  EXPECT_EQ(faults.market.premium_jumps[0].pct, Decimal::parse("-2.5").value());
  EXPECT_EQ(faults.market.premium_jumps[0].after, std::chrono::seconds(60));

  const std::string rendered = render_fault_config(faults);
  EXPECT_NE(rendered.find("disconnect_every_ms = 30000"), std::string::npos) << rendered;
  // Each outcome's own fields only: one rule of each of reject, partial_fill and late_fill.
  EXPECT_EQ(occurrences(rendered, "reject_code"), 1U) << rendered;
  EXPECT_EQ(occurrences(rendered, "fill_ratio"), 1U) << rendered;
  EXPECT_EQ(occurrences(rendered, "late_ms"), 1U) << rendered;
  EXPECT_EQ(occurrences(rendered, "invisible_ms"), 0U) << rendered;
  const FaultConfigResult reread = parse_fault_config(rendered, "rendered.toml", kCoins);
  ASSERT_TRUE(reread) << config::render_problems(reread.error()) << rendered;
  EXPECT_EQ(*reread, faults);
}

TEST(FaultConfigToml, EmptyDocument_HasNoRulesAndRendersBackToIt) {
  const FaultConfigResult empty = parse_fault_config("", "faults.toml", kCoins);
  ASSERT_TRUE(empty) << config::render_problems(empty.error());
  EXPECT_EQ(*empty, FaultConfig{});
  const FaultConfigResult reread = parse_fault_config(render_fault_config(FaultConfig{}), "x", kCoins);
  ASSERT_TRUE(reread) << config::render_problems(reread.error());
  EXPECT_EQ(*reread, FaultConfig{});
}

TEST(FaultConfigToml, EveryProblemOfADocument_IsReportedAtOnce) {
  EXPECT_EQ(problems_of(R"([faults]
sed = 1
[[faults.http]]
venue = "upbit"
timeout_rate = 1.5
[[faults.orders]]
venue = "bybit"
outcome = "invisible"
[[faults.market.premium_jumps]]
coin = "ADA"
pct = 1
)"),
            "faults.toml:2:1: faults.sed: unknown key; did you mean `seed`?\n"
            "faults.toml:5:16: faults.http[0].timeout_rate: must be between 0 and 1, got 1.5\n"
            "faults.toml:6:1: faults.orders[0].invisible_ms: required when outcome is \"invisible\"\n"
            "faults.toml:10:8: faults.market.premium_jumps[0].coin: \"ADA\" is not in market.coins\n");
  EXPECT_EQ(problems_of("coins = 1\n"), "faults.toml:1:1: coins: unknown key\n");
}

}  // namespace
}  // namespace kimp::sim
