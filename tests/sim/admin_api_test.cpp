// Tests of the admin API and FX quotes: accounts in, ledger out, clock skew seen by signed requests,
// fault rules replaced and cleared at run time, disconnects, premium jumps, and the FX source down or
// frozen.
#include "sim/server/admin_api.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bybit_api_harness.hpp"
#include "sim/server/fx_api.hpp"

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;

class AdminApiTest : public BybitApiHarness {
 protected:
  void SetUp() override {
    BybitApiHarness::SetUp();
    admin_ = std::make_unique<AdminApi>(*exchange_);
    fx_ = std::make_unique<FxApi>(*exchange_);
  }

  json::value admin(HttpMethod method, std::string path, std::string body, unsigned expected_status) {
    HttpRequest request;
    request.method = method;
    request.path = std::move(path);
    request.body = std::move(body);
    const auto response = admin_->handle(request);
    EXPECT_EQ(response.status, expected_status) << response.body;
    return json::parse(response.body);
  }

  HttpResponse fx_quote() {
    HttpRequest request;
    request.path = "/v1/forex/recent";
    request.query = "codes=FRX.KRWUSD";
    return fx_->handle(request);
  }

  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<FxApi> fx_;
};

constexpr const char* kBob = R"({"name":"bob","upbit_access_key":"bob-a","upbit_secret_key":"bob-s",
  "bybit_api_key":"bob-k","bybit_api_secret":"bob-x","krw":"5000000","usdt":"250.5","coins":{"ETH":"1.25"}})";

TEST_F(AdminApiTest, CreatedAccount_AppearsInTheLedgerWithExactBalancesAndItsKeysWork) {
  EXPECT_EQ(admin(HttpMethod::kPost, "/accounts", kBob, 201).at("name").as_string(), "bob");
  const auto ledger = admin(HttpMethod::kGet, "/ledger", "", 200);
  const auto& accounts = ledger.at("accounts").as_array();
  ASSERT_EQ(accounts.size(), 2U);
  const auto& bob = accounts[1];
  EXPECT_EQ(bob.at("id").as_string(), "bob");
  EXPECT_EQ(bob.at("bybit").at("wallet").at("wallet_balance").as_string(), "250.5");
  const auto& balances = bob.at("upbit").at("balances").as_array();
  ASSERT_EQ(balances.size(), 2U);
  EXPECT_EQ(balances[0].at("currency").as_string(), "ETH");
  EXPECT_EQ(balances[0].at("balance").as_string(), "1.25");
  EXPECT_EQ(balances[1].at("balance").as_string(), "5000000");
  ASSERT_NE(exchange_->bybit_key("bob-k"), nullptr);
  EXPECT_EQ(exchange_->bybit_key("bob-k")->account_id, "bob");
}

TEST_F(AdminApiTest, BadOrDuplicateAccounts_AreRefusedAndNothingIsCreated) {
  EXPECT_EQ(admin(HttpMethod::kPost, "/accounts", "not json", 400).at("error").as_string(),
            "the body must be a JSON object");
  EXPECT_EQ(admin(HttpMethod::kPost, "/accounts", R"({"name":"carol"})", 400).at("error").as_string(),
            "upbit_access_key must be a non-empty string");
  const std::string fractional_double = R"({"name":"dave","upbit_access_key":"d-a","upbit_secret_key":"d-s",
    "bybit_api_key":"d-k","bybit_api_secret":"d-x","usdt":0.1})";
  EXPECT_EQ(admin(HttpMethod::kPost, "/accounts", fractional_double, 400).at("error").as_string(),
            "usdt must be a decimal string such as \"0.5\"");
  // Fails only after the account would exist: the KRW deposits overflow together.
  const std::string overflowing = R"({"name":"bob","upbit_access_key":"bob-a","upbit_secret_key":"bob-s",
    "bybit_api_key":"bob-k","bybit_api_secret":"bob-x","krw":"92233720368","coins":{"KRW":"92233720368"}})";
  admin(HttpMethod::kPost, "/accounts", overflowing, 400);
  EXPECT_EQ(exchange_->ledger().account_ids(), std::vector<std::string>{"alice"});
  admin(HttpMethod::kPost, "/accounts", kBob, 201);
  admin(HttpMethod::kPost, "/accounts", kBob, 409);
  EXPECT_EQ(exchange_->ledger().account_ids(), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(AdminApiTest, ClockSkew_MovesServerTimeSoARequestSignedWithTheRealTimeIsStale) {
  const auto real_ms = exchange_->now().ms();
  const auto clock = admin(HttpMethod::kPost, "/clock", R"({"skew_ms":-30000})", 200);
  EXPECT_EQ(clock.at("skew_ms").as_int64(), -30000);
  EXPECT_EQ(clock.at("server_time_ms").as_int64(), real_ms - 30000);
  auto request = unsigned_get("/v5/account/wallet-balance", "accountType=UNIFIED");
  const auto timestamp = std::to_string(real_ms);
  add_auth(request, timestamp, sign(timestamp, request.query));
  EXPECT_EQ(call(request).at("retCode").as_int64(), 10002);
  admin(HttpMethod::kPost, "/clock", R"({"skew_ms":"soon"})", 400);
  admin(HttpMethod::kPost, "/clock", R"({"skew_ms":9223372036854775807})", 400);
  admin(HttpMethod::kPost, "/clock", R"({"skew_ms":-9000000000000})", 400);
  EXPECT_EQ(admin(HttpMethod::kGet, "/clock", "", 200).at("skew_ms").as_int64(), -30000);
}

TEST_F(AdminApiTest, Reset_ForgetsOrdersAndRuntimeAccountsButKeepsConfiguredOnes) {
  admin(HttpMethod::kPost, "/accounts", kBob, 201);
  ASSERT_EQ(
      call(
          signed_post(
              "/v5/order/create",
              R"({"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.001"})"))
          .at("retCode")
          .as_int64(),
      0);
  admin(HttpMethod::kPost, "/reset", "", 200);
  const auto ledger = admin(HttpMethod::kGet, "/ledger", "", 200);
  ASSERT_EQ(ledger.at("accounts").as_array().size(), 1U);
  const auto& alice = ledger.at("accounts").at(0);
  EXPECT_TRUE(alice.at("bybit").at("orders").as_array().empty());
  EXPECT_EQ(alice.at("bybit").at("wallet").at("wallet_balance").as_string(), "10000");
  EXPECT_EQ(exchange_->bybit_key("bob-k"), nullptr);
  admin(HttpMethod::kGet, "/nowhere", "", 404);
}

TEST_F(AdminApiTest, FxQuote_IsTheModelsUsdKrwInDunamuShape) {
  FxApi fx(*exchange_);
  HttpRequest request;
  request.path = "/v1/forex/recent";
  request.query = "codes=FRX.KRWUSD";
  const auto response = fx.handle(request);
  ASSERT_EQ(response.status, 200U);
  const auto quote = json::parse(response.body).at(0);
  EXPECT_EQ(quote.at("code").as_string(), "FRX.KRWUSD");
  const auto rate = exchange_->market().usd_krw().to_string();
  EXPECT_NE(response.body.find("\"basePrice\":" + rate + ","), std::string::npos) << response.body;
  EXPECT_EQ(quote.at("timestamp").as_int64(), exchange_->now().ms());
  request.query = "codes=FRX.KRWJPY";
  EXPECT_EQ(fx.handle(request).body, "[]");
}

TEST_F(AdminApiTest, GetFaults_ShowsNoRulesUnderTheScenarioKeysAndNoCounts) {
  const auto faults = admin(HttpMethod::kGet, "/faults", "", 200);
  EXPECT_EQ(json::serialize(faults),
            R"({"config":{"http":[],"market":{"clock_skew_ms":0,"fx_down":false,"fx_frozen":false,)"
            R"("premium_jumps":[]},"orders":[],"seed":7,"websocket":[]},"seed":7,"counts":[]})");
}

constexpr const char* kRules = R"({"seed":12,
  "http":[{"venue":"bybit","endpoint":"/v5/order/create","rate_limit_rate":1},
          {"venue":"upbit","latency_ms":20,"timeout_rate":0.3}],
  "orders":[{"venue":"upbit","symbol":"KRW-BTC","outcome":"reject","rate":0.5,
             "reject_code":"insufficient_funds_bid"}],
  "websocket":[{"venue":"bybit","stream":"public.linear","disconnect_every_s":30}],
  "market":{"clock_skew_ms":-2500,"premium_jumps":[{"coin":"ETH","pct":0.1,"after_s":3600}]}})";

TEST_F(AdminApiTest, PostFaults_ReplacesEveryRuleAndAppliesTheMarketFaultsAtOnce) {
  const auto real_ms = exchange_->now().ms();
  const auto answer = admin(HttpMethod::kPost, "/faults", kRules, 200);
  EXPECT_EQ(answer, admin(HttpMethod::kGet, "/faults", "", 200));
  HttpRequest get;
  get.path = "/faults";
  // Rates are written as the shortest decimal that reads back as the rate, not in exponent form.
  EXPECT_NE(admin_->handle(get).body.find(
                R"("http":[{"endpoint":"/v5/order/create","jitter_ms":0,"latency_ms":0,"rate_limit_rate":1,)"
                R"("reset_rate":0,"server_error_rate":0,"timeout_rate":0,"venue":"bybit"},)"
                R"({"endpoint":"*","jitter_ms":0,"latency_ms":20,"rate_limit_rate":0,"reset_rate":0,)"
                R"("server_error_rate":0,"timeout_rate":0.3,"venue":"upbit"}],)"
                R"("market":{"clock_skew_ms":-2500,"fx_down":false,"fx_frozen":false,)"
                R"("premium_jumps":[{"after_s":3600,"coin":"ETH","pct":"0.1"}]},)"
                R"("orders":[{"outcome":"reject","rate":0.5,"reject_code":"insufficient_funds_bid",)"
                R"("symbol":"KRW-BTC","venue":"upbit"}],"seed":12,)"),
            std::string::npos)
      << admin_->handle(get).body;
  EXPECT_EQ(answer.at("config").at("websocket").at(0).at("disconnect_every_ms").as_int64(), 30000);
  EXPECT_EQ(answer.at("seed").as_int64(), 12);

  const FaultConfig& active = exchange_->faults().config();
  EXPECT_EQ(active.seed, 12U);
  ASSERT_EQ(active.market.premium_jumps.size(), 1U);
  EXPECT_EQ(active.market.premium_jumps[0].pct, Decimal::parse("0.1").value());
  EXPECT_EQ(exchange_->faults().on_request(FaultVenue::kBybit, "/v5/order/create").action,
            HttpVerdict::Action::kRateLimit);
  EXPECT_EQ(exchange_->now().ms(), real_ms - 2500);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kBybit, "clock_skew", "*"), 1U);
  // The same skew again is no new fault.
  admin(HttpMethod::kPost, "/faults", kRules, 200);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kUpbit, "clock_skew", "*"), 1U);
}

TEST_F(AdminApiTest, PostFaults_WithProblems_AnswersEachAtItsKeyAndKeepsTheRules) {
  admin(HttpMethod::kPost, "/faults", kRules, 200);
  const auto refused = admin(HttpMethod::kPost, "/faults",
                             R"({"sed":1,"http":[{"venue":"bybit","timeout_rate":2}],
                                 "orders":[{"venue":"fx","outcome":"no_fill"}],
                                 "market":{"premium_jumps":[{"coin":"ADA","pct":"1"}]}})",
                             400);
  EXPECT_EQ(
      json::serialize(refused),
      R"({"error":"invalid fault configuration","problems":[)"
      R"({"key":"faults.sed","message":"unknown key; did you mean `seed`?"},)"
      R"({"key":"faults.http[0].timeout_rate","message":"must be between 0 and 1, got 2"},)"
      R"({"key":"faults.orders[0].venue","message":"must be upbit or bybit: the FX source has no orders"},)"
      R"({"key":"faults.market.premium_jumps[0].coin","message":"\"ADA\" is not in market.coins"}]})");
  EXPECT_EQ(json::serialize(admin(HttpMethod::kPost, "/faults", R"({"seed":null,"http":[]})", 400)),
            R"({"error":"invalid fault configuration","problems":[)"
            R"({"key":"faults.seed","message":"null is not a value here: leave the key out"}]})");
  EXPECT_EQ(json::serialize(admin(
                HttpMethod::kPost, "/faults",
                R"({"http":{"venue":"bybit"},"websocket":[{"venue":"bybit","drop_rate":1e400}]})", 400)),
            R"({"error":"invalid fault configuration","problems":[)"
            R"({"key":"faults.http","message":"expected array of tables, got table"},)"
            R"({"key":"faults.websocket[0].drop_rate","message":"must be a finite number"}]})");
  admin(HttpMethod::kPost, "/faults", "[1]", 400);
  EXPECT_EQ(exchange_->faults().config().seed, 12U);
  EXPECT_EQ(exchange_->faults().config().http.size(), 2U);
}

TEST_F(AdminApiTest, DeleteFaults_ClearsEveryRuleAndTheSkewButKeepsSeedAndCounts) {
  admin(HttpMethod::kPost, "/faults", kRules, 200);
  ASSERT_EQ(exchange_->faults().on_request(FaultVenue::kBybit, "/v5/order/create").action,
            HttpVerdict::Action::kRateLimit);
  const auto cleared = admin(HttpMethod::kDelete, "/faults", "", 200);
  EXPECT_EQ(cleared.at("seed").as_int64(), 12);
  EXPECT_TRUE(cleared.at("config").at("http").as_array().empty());
  EXPECT_TRUE(cleared.at("config").at("orders").as_array().empty());
  EXPECT_EQ(exchange_->skew(), Duration{});
  EXPECT_EQ(exchange_->faults().on_request(FaultVenue::kBybit, "/v5/order/create").action,
            HttpVerdict::Action::kServe);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kBybit, "rate_limit", "/v5/order/create"), 1U);
  const auto& counts = cleared.at("counts").as_array();
  EXPECT_TRUE(std::any_of(counts.begin(), counts.end(), [](const json::value& count) {
    return count.at("kind") == "rate_limit" && count.at("count") == 1;
  }));
}

TEST_F(AdminApiTest, Disconnect_ResetsTheNamedStreamThroughTheControlsAndChecksItsName) {
  std::vector<std::pair<FaultVenue, std::string>> calls;
  AdminApi controlled(*exchange_, AdminControls{[&calls](FaultVenue venue, std::string_view stream) {
    calls.emplace_back(venue, stream);
    return std::size_t{3};
  }});
  const auto call = [&controlled](std::string body, unsigned status) {
    HttpRequest request;
    request.method = HttpMethod::kPost;
    request.path = "/faults/disconnect";
    request.body = std::move(body);
    const auto response = controlled.handle(request);
    EXPECT_EQ(response.status, status) << response.body;
    return response.body;
  };
  EXPECT_EQ(call(R"({"venue":"bybit","stream":"public.linear"})", 200), R"({"disconnected":3})");
  EXPECT_EQ(call(R"({"venue":"upbit"})", 200), R"({"disconnected":3})");
  EXPECT_EQ(call(R"({"venue":"upbit","stream":"private"})", 400),
            R"({"error":"stream: upbit streams are websocket or \"*\", got \"private\""})");
  EXPECT_EQ(call(R"({"venue":"fx"})", 400), R"({"error":"stream: fx has no WebSocket streams"})");
  EXPECT_EQ(call(R"({"stream":"*"})", 400), R"({"error":"venue must be \"upbit\" or \"bybit\""})");
  EXPECT_EQ(calls, (std::vector<std::pair<FaultVenue, std::string>>{{FaultVenue::kBybit, "public.linear"},
                                                                    {FaultVenue::kUpbit, "*"}}));
  EXPECT_EQ(
      admin(HttpMethod::kPost, "/faults/disconnect", R"({"venue":"bybit"})", 501).at("error").as_string(),
      "this emulator serves no WebSocket streams");
}

TEST_F(AdminApiTest, PremiumJump_MovesThatCoinsPremiumNowAndIsCounted) {
  const double btc = *exchange_->market().premium("BTC");
  const double eth = *exchange_->market().premium("ETH");
  const auto* book_before = exchange_->market().book(Venue::kUpbit, "KRW-BTC");
  const Decimal best_bid = book_before->bids.front().price;
  const auto answer = admin(HttpMethod::kPost, "/market/premium-jump", R"({"coin":"BTC","pct":"-3"})", 200);
  EXPECT_EQ(answer.at("coin").as_string(), "BTC");
  EXPECT_EQ(answer.at("pct").as_string(), "-3");
  EXPECT_NEAR(*exchange_->market().premium("BTC"), btc - 0.03, 1e-9);
  EXPECT_NEAR(answer.at("premium").as_double(), btc - 0.03, 1e-9);
  EXPECT_EQ(*exchange_->market().premium("ETH"), eth);
  EXPECT_LT(exchange_->market().book(Venue::kUpbit, "KRW-BTC")->bids.front().price, best_bid);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 1U);

  admin(HttpMethod::kPost, "/market/premium-jump", R"({"coin":"ADA","pct":"1"})", 400);
  admin(HttpMethod::kPost, "/market/premium-jump", R"({"coin":"BTC"})", 400);
  admin(HttpMethod::kPost, "/market/premium-jump", R"({"coin":"BTC","pct":"100"})", 400);
  admin(HttpMethod::kPost, "/market/premium-jump", R"({"coin":"BTC","pct":0.5})", 400);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kUpbit, "premium_jump", "BTC"), 1U);
}

TEST_F(AdminApiTest, FxDown_Answers503AndCountsEveryRequestUntilCleared) {
  admin(HttpMethod::kPost, "/faults", R"({"market":{"fx_down":true}})", 200);
  for (int i = 0; i < 2; ++i) {
    const auto down = fx_quote();
    EXPECT_EQ(down.status, 503U);
    EXPECT_EQ(down.body, R"({"error":"service unavailable"})");
  }
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kFx, "fx_down", "*"), 2U);
  admin(HttpMethod::kDelete, "/faults", "", 200);
  EXPECT_EQ(fx_quote().status, 200U);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kFx, "fx_down", "*"), 2U);
}

TEST_F(AdminApiTest, FxFrozen_RepeatsTheQuoteOfTheMomentItFroze) {
  admin(HttpMethod::kPost, "/faults", R"({"market":{"fx_frozen":true}})", 200);
  const auto frozen_at = exchange_->now().ms();
  const auto first = fx_quote();
  ASSERT_EQ(first.status, 200U);
  ASSERT_TRUE(clock_.advance_by(std::chrono::minutes(10)).has_value());
  const auto later = fx_quote();
  EXPECT_EQ(later.body, first.body);
  EXPECT_EQ(json::parse(later.body).at(0).at("timestamp").as_int64(), frozen_at);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kFx, "fx_frozen", "*"), 2U);

  admin(HttpMethod::kDelete, "/faults", "", 200);
  const auto live = json::parse(fx_quote().body).at(0);
  EXPECT_EQ(live.at("timestamp").as_int64(), exchange_->now().ms());
  EXPECT_NE(live.at("timestamp").as_int64(), frozen_at);
  EXPECT_EQ(exchange_->faults().count(FaultVenue::kFx, "fx_frozen", "*"), 2U);
}

}  // namespace
}  // namespace kimp::sim::testing
