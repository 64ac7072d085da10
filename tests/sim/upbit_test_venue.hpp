// A test Upbit venue: an Exchange on a SimClock, its UpbitApi, and a client that signs requests with JWTs
// computed here (OpenSSL HMAC via sim/auth/digest.hpp), never through the verifier under test.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "sim/auth/digest.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/upbit_api.hpp"

namespace kimp::sim::testing {

inline constexpr std::string_view kAccessKey = "upbit-access-alice";
inline constexpr std::string_view kSecretKey = "upbit-secret-alice";

inline Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

// A failure while building the venue is a broken test input, not an outcome under test.
inline void must(const Status& status) {
  if (!status) {
    throw std::runtime_error(status.error().describe());
  }
}

class UpbitTestVenue {
 public:
  // Alice holds 1,000,000,000 KRW and no coins; the market has run two minutes so candles and tickers
  // exist.
  UpbitTestVenue() : clock_(Timestamp::parse_iso8601("2025-07-04T05:00:00Z").value()) {
    SimConfig config;
    AccountConfig alice;
    alice.name = "alice";
    alice.upbit_access_key = std::string(kAccessKey);
    alice.upbit_secret_key = std::string(kSecretKey);
    alice.bybit_api_key = "bybit-key-alice";
    alice.bybit_api_secret = "bybit-secret-alice";
    alice.krw = dec("1000000000");
    config.accounts.push_back(alice);
    exchange_ = Exchange::create(config, clock_).value();
    api_ = UpbitApi::create(*exchange_, clock_).value();
    must(clock_.advance_by(std::chrono::minutes(2)));
    must(exchange_->sync());
  }

  [[nodiscard]] SimClock& clock() { return clock_; }
  [[nodiscard]] Exchange& exchange() { return *exchange_; }
  [[nodiscard]] UpbitApi& api() { return *api_; }
  // Destroys the API before the exchange and the clock, as a shutting-down server does.
  void drop_api() { api_.reset(); }

  // An unsigned quotation request.
  HttpResponse get(std::string path, std::string query = "") {
    HttpRequest request;
    request.path = std::move(path);
    request.query = std::move(query);
    return api_->handle(request);
  }

  // A JWT (HS512) for Upbit's rule: access_key, a fresh nonce, and the SHA-512 of `hashed` when not empty.
  std::string token(std::string_view hashed, std::string_view secret = kSecretKey) {
    boost::json::object claims{{"access_key", kAccessKey}, {"nonce", fmt::format("nonce-{}", ++nonce_)}};
    if (!hashed.empty()) {
      claims["query_hash"] = to_hex(digest(DigestAlgorithm::kSha512, hashed));
      claims["query_hash_alg"] = "SHA512";
    }
    const std::string input = base64url_encode(R"({"alg":"HS512","typ":"JWT"})") + "." +
                              base64url_encode(boost::json::serialize(claims));
    return input + "." + base64url_encode(hmac(DigestAlgorithm::kSha512, secret, input));
  }

  // A signed request whose query (or, for a body, `hashed` = the body as key=value text) is hashed.
  HttpResponse signed_request(HttpMethod method, std::string path, std::string query, std::string body = "",
                              std::string_view hashed = {}) {
    HttpRequest request;
    request.method = method;
    request.path = std::move(path);
    request.headers.emplace_back("Authorization", "Bearer " + token(body.empty() ? query : hashed));
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    }
    request.query = std::move(query);
    request.body = std::move(body);
    return api_->handle(request);
  }

  HttpResponse signed_get(std::string path, std::string query = "") {
    return signed_request(HttpMethod::kGet, std::move(path), std::move(query));
  }

  // POST /v1/orders with a JSON body of string members, signed over their key=value text.
  HttpResponse post_order(const std::vector<std::pair<std::string, std::string>>& members) {
    boost::json::object body;
    std::string hashed;
    for (const auto& [key, value] : members) {
      body[key] = value;
      hashed.append(hashed.empty() ? "" : "&").append(key).append("=").append(value);
    }
    return signed_request(HttpMethod::kPost, "/v1/orders", "", boost::json::serialize(body), hashed);
  }

 private:
  SimClock clock_;
  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<UpbitApi> api_;
  int nonce_ = 0;
};

inline boost::json::value body_of(const HttpResponse& response) {
  return boost::json::parse(response.body);
}

// The Remaining-Req header, or "" when absent.
inline std::string remaining_req(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "Remaining-Req") {
      return value;
    }
  }
  return "";
}

}  // namespace kimp::sim::testing
