// Test harness for the emulated Bybit API: an exchange on a SimClock, one funded account, signed requests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "sim/auth/digest.hpp"
#include "sim/server/bybit_api.hpp"
#include "sim/server/exchange.hpp"

namespace kimp::sim::testing {

inline constexpr std::string_view kApiKey = "bybit-test-key";
inline constexpr std::string_view kApiSecret = "bybit-test-secret";
inline constexpr std::string_view kAccount = "alice";
inline constexpr std::string_view kRecvWindow = "5000";

class BybitApiHarness : public ::testing::Test {
 protected:
  void SetUp() override {
    SimConfig config;
    AccountConfig account;
    account.name = kAccount;
    account.upbit_access_key = "upbit-test-access";
    account.upbit_secret_key = "upbit-test-secret";
    account.bybit_api_key = kApiKey;
    account.bybit_api_secret = kApiSecret;
    account.usdt = Decimal::from_units(10'000 * Decimal::kUnitsPerOne);
    config.accounts.push_back(account);
    auto exchange = Exchange::create(config, clock_);
    ASSERT_TRUE(exchange.has_value()) << exchange.error();
    exchange_ = std::move(*exchange);
    api_ = std::make_unique<BybitApi>(*exchange_);
  }

  // The X-BAPI-SIGN of a request: lowercase hex HMAC-SHA256 of timestamp + key + recv_window + payload,
  // the rule of the Bybit guide.
  [[nodiscard]] static std::string sign(std::string_view timestamp, std::string_view payload,
                                        std::string_view secret = kApiSecret) {
    return to_hex(hmac(
        DigestAlgorithm::kSha256, secret,
        std::string(timestamp) + std::string(kApiKey) + std::string(kRecvWindow) + std::string(payload)));
  }

  [[nodiscard]] std::string now_ms() const { return std::to_string(exchange_->now().ms()); }

  [[nodiscard]] static HttpRequest unsigned_get(std::string path, std::string query) {
    HttpRequest request;
    request.method = HttpMethod::kGet;
    request.path = std::move(path);
    request.query = std::move(query);
    return request;
  }

  [[nodiscard]] HttpRequest signed_get(std::string path, std::string query) const {
    auto request = unsigned_get(std::move(path), std::move(query));
    add_auth(request, now_ms(), sign(now_ms(), request.query));
    return request;
  }

  [[nodiscard]] HttpRequest signed_post(std::string path, std::string body) const {
    HttpRequest request;
    request.method = HttpMethod::kPost;
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers.emplace_back("Content-Type", "application/json");
    add_auth(request, now_ms(), sign(now_ms(), request.body));
    return request;
  }

  static void add_auth(HttpRequest& request, const std::string& timestamp, const std::string& signature) {
    request.headers.emplace_back("X-BAPI-API-KEY", kApiKey);
    request.headers.emplace_back("X-BAPI-TIMESTAMP", timestamp);
    request.headers.emplace_back("X-BAPI-RECV-WINDOW", kRecvWindow);
    request.headers.emplace_back("X-BAPI-SIGN", signature);
  }

  // Sends `request` and parses the JSON answer, failing the test when it is not JSON.
  boost::json::value call(const HttpRequest& request, unsigned expected_status = 200) {
    last_ = api_->handle(request);
    EXPECT_EQ(last_.status, expected_status) << last_.body;
    boost::system::error_code error;
    auto value = boost::json::parse(last_.body, error);
    EXPECT_FALSE(error) << last_.body;
    return value;
  }

  [[nodiscard]] const OrderBook& book(std::string_view symbol) const {
    return *exchange_->market().book(Venue::kBybit, symbol);
  }

  SimClock clock_{Timestamp::from_ns(1'786'000'000'000'000'000)};
  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<BybitApi> api_;
  HttpResponse last_;
};

}  // namespace kimp::sim::testing
