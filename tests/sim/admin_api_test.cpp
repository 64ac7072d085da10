// Tests of the admin API and FX quotes: accounts in, ledger out, clock skew seen by signed requests.
#include "sim/server/admin_api.hpp"

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

  std::unique_ptr<AdminApi> admin_;
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

}  // namespace
}  // namespace kimp::sim::testing
