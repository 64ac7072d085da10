// Tests of the shipped scenarios: every file loads and builds an emulator, and each holds the faults its
// header comment promises.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "config/problem.hpp"
#include "core/clock.hpp"
#include "sim/config/sim_config.hpp"
#include "sim/server/exchange.hpp"

namespace kimp::sim {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(KIMP_SOURCE_DIR) / "sim" / "scenarios";
const Timestamp kStart = Timestamp::from_ns(1'786'000'000'000'000'000);

SimConfig load(const std::string& name) {
  const SimConfigResult result = load_sim_config(kScenarios / (name + ".toml"));
  EXPECT_TRUE(result) << config::render_problems(result.error());
  return result ? *result : SimConfig{};
}

const HttpFaultRule* http_rule(const FaultConfig& faults, FaultVenue venue, std::string_view endpoint) {
  const auto found = std::find_if(faults.http.begin(), faults.http.end(), [&](const HttpFaultRule& rule) {
    return rule.venue == venue && rule.endpoint == endpoint;
  });
  return found == faults.http.end() ? nullptr : &*found;
}

const WsFaultRule* ws_rule(const FaultConfig& faults, FaultVenue venue) {
  const auto found = std::find_if(faults.websocket.begin(), faults.websocket.end(),
                                  [&](const WsFaultRule& rule) { return rule.venue == venue; });
  return found == faults.websocket.end() ? nullptr : &*found;
}

std::set<OrderOutcome> outcomes(const FaultConfig& faults, FaultVenue venue) {
  std::set<OrderOutcome> found;
  for (const OrderFaultRule& rule : faults.orders) {
    if (rule.venue == venue) {
      found.insert(rule.outcome);
    }
  }
  return found;
}

bool modest(double rate) {
  return rate > 0.0 && rate <= 0.1;
}

TEST(Scenarios, EveryFile_LoadsWithoutProblemsAndBuildsAnEmulator) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".toml") {
      continue;
    }
    names.insert(entry.path().stem().string());
    const SimConfigResult result = load_sim_config(entry.path());
    ASSERT_TRUE(result) << config::render_problems(result.error());
    SimClock clock(kStart);
    const auto exchange = Exchange::create(*result, clock);
    ASSERT_TRUE(exchange.has_value()) << entry.path() << ": " << exchange.error();
  }
  EXPECT_EQ(names, (std::set<std::string>{"default", "calm", "demo", "volatile", "flaky_network",
                                          "one_leg_failures", "exchange_outage", "rate_limit_storm"}));
}

TEST(Scenarios, NamedScenarios_PickFreePortsAndTradeWithTheDefaultDemoAccount) {
  const SimConfig reference = load("default");
  for (const std::string name :
       {"calm", "volatile", "flaky_network", "one_leg_failures", "exchange_outage", "rate_limit_storm"}) {
    const SimConfig scenario = load(name);
    EXPECT_EQ(scenario.server, (ServerConfig{"127.0.0.1", 0, 0, 0, 0})) << name;
    EXPECT_EQ(scenario.accounts, reference.accounts) << name;
    EXPECT_EQ(scenario.fees, reference.fees) << name;
    EXPECT_EQ(scenario.rate_limits, reference.rate_limits) << name;
  }
}

TEST(Scenarios, Demo_ServesThePortsOfConfigDemoWithAFastRevertingPremiumAndNoFaults) {
  const SimConfig demo = load("demo");
  EXPECT_EQ(demo.server, (ServerConfig{"127.0.0.1", 18101, 18102, 18103, 18104}));
  EXPECT_EQ(demo.market.premium_half_life, std::chrono::seconds{20});
  EXPECT_GT(demo.market.premium_daily_sigma_pct, SimMarketConfig{}.premium_daily_sigma_pct);
  EXPECT_EQ(demo.faults, FaultConfig{});
  EXPECT_EQ(demo.accounts, load("default").accounts);
}

TEST(Scenarios, Calm_IsTheDefaultMarketWithoutFaults) {
  const SimConfig calm = load("calm");
  EXPECT_EQ(calm.market, SimMarketConfig{});
  EXPECT_EQ(calm.faults, FaultConfig{});
}

TEST(Scenarios, Volatile_HasAWiderPremiumAndJumpsBothWaysAppliedWhenDue) {
  const SimConfig scenario = load("volatile");
  EXPECT_GT(scenario.market.premium_daily_sigma_pct, SimMarketConfig{}.premium_daily_sigma_pct);
  const auto& jumps = scenario.faults.market.premium_jumps;
  EXPECT_TRUE(std::any_of(jumps.begin(), jumps.end(),
                          [](const PremiumJump& jump) { return jump.pct.is_positive(); }));
  EXPECT_TRUE(std::any_of(jumps.begin(), jumps.end(),
                          [](const PremiumJump& jump) { return jump.pct.is_negative(); }));
  EXPECT_TRUE(scenario.faults.http.empty() && scenario.faults.orders.empty() &&
              scenario.faults.websocket.empty());

  SimClock clock(kStart);
  auto exchange = Exchange::create(scenario, clock).value();
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(59)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 0U);
  ASSERT_TRUE(clock.advance_by(std::chrono::seconds(200)).has_value());
  ASSERT_TRUE(exchange->sync().has_value());
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 2U);
  EXPECT_EQ(exchange->faults().count(FaultVenue::kUpbit, "premium_jump", "ETH"), 0U);
}

TEST(Scenarios, FlakyNetwork_SlowsAndBreaksSomeRequestsAndEveryKindOfStreamFault) {
  const FaultConfig faults = load("flaky_network").faults;
  for (const FaultVenue venue : {FaultVenue::kUpbit, FaultVenue::kBybit}) {
    const HttpFaultRule* rest = http_rule(faults, venue, "*");
    ASSERT_NE(rest, nullptr) << to_string(venue);
    EXPECT_GT(rest->latency.count(), 0);
    EXPECT_GT(rest->jitter.count(), 0);
    EXPECT_TRUE(modest(rest->timeout_rate) && modest(rest->reset_rate) && modest(rest->server_error_rate));
    const WsFaultRule* stream = ws_rule(faults, venue);
    ASSERT_NE(stream, nullptr) << to_string(venue);
    EXPECT_EQ(stream->stream, "*");
    EXPECT_TRUE(modest(stream->drop_rate) && modest(stream->duplicate_rate) && modest(stream->reorder_rate) &&
                modest(stream->malformed_rate));
    EXPECT_GT(stream->stall_for.count(), 0);
    EXPECT_GT(stream->disconnect_every.count(), 0);
  }
  EXPECT_TRUE(faults.orders.empty());
}

TEST(Scenarios, OneLegFailures_HasEveryOrderOutcomeAtModestRatesAndNoNetworkFaults) {
  const FaultConfig faults = load("one_leg_failures").faults;
  EXPECT_EQ(
      outcomes(faults, FaultVenue::kBybit),
      (std::set<OrderOutcome>{OrderOutcome::kReject, OrderOutcome::kNoFill, OrderOutcome::kPartialFill,
                              OrderOutcome::kInvisible, OrderOutcome::kCancelRace, OrderOutcome::kLateFill}));
  EXPECT_TRUE(outcomes(faults, FaultVenue::kUpbit).contains(OrderOutcome::kReject));
  EXPECT_TRUE(outcomes(faults, FaultVenue::kUpbit).contains(OrderOutcome::kPartialFill));
  for (const FaultVenue venue : {FaultVenue::kUpbit, FaultVenue::kBybit}) {
    double placement_rates = 0.0;
    for (const OrderFaultRule& rule : faults.orders) {
      EXPECT_TRUE(modest(rule.rate)) << to_string(rule.outcome);
      if (rule.venue == venue && rule.outcome != OrderOutcome::kCancelRace) {
        placement_rates += rule.rate;
      }
    }
    // Most orders must still go through untouched.
    EXPECT_LT(placement_rates, 0.25) << to_string(venue);
  }
  EXPECT_TRUE(faults.http.empty() && faults.websocket.empty());
}

TEST(Scenarios, ExchangeOutage_TakesDownBybitAndTheFxSourceButNotUpbit) {
  const FaultConfig faults = load("exchange_outage").faults;
  const HttpFaultRule* bybit = http_rule(faults, FaultVenue::kBybit, "*");
  ASSERT_NE(bybit, nullptr);
  EXPECT_GE(bybit->server_error_rate + bybit->timeout_rate, 0.8);
  EXPECT_EQ(http_rule(faults, FaultVenue::kUpbit, "*"), nullptr);
  const WsFaultRule* stream = ws_rule(faults, FaultVenue::kBybit);
  ASSERT_NE(stream, nullptr);
  EXPECT_GT(stream->disconnect_every.count(), 0);
  EXPECT_EQ(ws_rule(faults, FaultVenue::kUpbit), nullptr);
  EXPECT_TRUE(faults.market.fx_down);
}

TEST(Scenarios, RateLimitStorm_RefusesMostOrderRequestsOfBothVenuesAsOverTheLimitOnly) {
  const FaultConfig faults = load("rate_limit_storm").faults;
  for (const auto& [venue, path] :
       {std::pair(FaultVenue::kUpbit, "/v1/orders"), std::pair(FaultVenue::kBybit, "/v5/order/create")}) {
    const HttpFaultRule* rule = http_rule(faults, venue, path);
    ASSERT_NE(rule, nullptr) << path;
    EXPECT_GE(rule->rate_limit_rate, 0.5) << path;
    EXPECT_LT(rule->rate_limit_rate, 1.0) << path;
  }
  for (const HttpFaultRule& rule : faults.http) {
    EXPECT_EQ(rule.timeout_rate + rule.reset_rate + rule.server_error_rate, 0.0) << rule.endpoint;
    EXPECT_GT(rule.rate_limit_rate, 0.0) << rule.endpoint;
  }
}

}  // namespace
}  // namespace kimp::sim
