// Bybit v5 signature and receive-window checks, answering with Bybit's retCode/retMsg.
#include "sim/auth/bybit_auth.hpp"

#include <optional>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "sim/auth/digest.hpp"
#include "sim/auth/integer_text.hpp"

namespace kimp::sim {
namespace {

constexpr std::uint16_t kOk = 200;
constexpr std::uint16_t kUnauthorized = 401;
// guide.mdx: a timestamp is accepted up to (not including) 1000 ms ahead of the server's clock.
constexpr std::int64_t kMaxAheadMs = 1'000;

}  // namespace

std::string BybitError::to_json(Timestamp server_time) const {
  return boost::json::serialize(boost::json::object{{"retCode", ret_code},
                                                    {"retMsg", ret_msg},
                                                    {"result", boost::json::object{}},
                                                    {"retExtInfo", boost::json::object{}},
                                                    {"time", server_time.ms()}});
}

tl::expected<Authenticated, BybitError> verify_bybit_request(const BybitSignedRequest& request,
                                                             Timestamp server_time,
                                                             const ApiKeyLookup& lookup) {
  const std::int64_t server_ms = server_time.ms();
  const std::string origin = fmt::format("{}{}{}{}", request.timestamp, request.api_key, request.recv_window,
                                         request.is_get ? request.query : request.body);
  const auto key_invalid = [](std::uint16_t status) {
    return tl::unexpected(BybitError{status, 10003, "API key is invalid."});
  };
  const auto time_invalid = [&](std::uint16_t status, std::int64_t window) {
    return tl::unexpected(
        BybitError{status, 10002,
                   fmt::format("invalid request, please check your server timestamp or recv_window param. "
                               "req_timestamp[{}],server_timestamp[{}],recv_window[{}]",
                               request.timestamp, server_ms, window)});
  };
  const auto sign_invalid = [&](std::uint16_t status) {
    return tl::unexpected(BybitError{status, 10004, "error sign! origin_string[" + origin + "]"});
  };

  if (request.api_key.empty()) {
    return key_invalid(kUnauthorized);
  }
  std::int64_t window = kBybitDefaultRecvWindowMs;
  if (!request.recv_window.empty()) {
    const auto parsed = parse_integer(request.recv_window);
    if (!parsed || *parsed <= 0) {
      return tl::unexpected(BybitError{kOk, 10001, "Request parameter error."});
    }
    window = *parsed;
  }
  if (request.timestamp.empty()) {
    return time_invalid(kUnauthorized, window);
  }
  if (request.sign.empty()) {
    return sign_invalid(kUnauthorized);
  }
  const auto timestamp = parse_integer(request.timestamp);
  // Compared as differences (both sides non-negative) so an absurd recv_window cannot overflow a bound.
  if (!timestamp || *timestamp < 0 || server_ms - *timestamp > window ||
      *timestamp - server_ms >= kMaxAheadMs) {
    return time_invalid(kOk, window);
  }
  const ApiKey* key = lookup(request.api_key);
  if (key == nullptr) {
    return key_invalid(kOk);
  }
  if (key->expires_at && server_time >= *key->expires_at) {
    return tl::unexpected(BybitError{kOk, 33004, "Your api key has expired."});
  }
  if (!request.sign_type.empty() && request.sign_type != "2") {
    return sign_invalid(kOk);
  }
  if (!constant_time_equal(request.sign, to_hex(hmac(DigestAlgorithm::kSha256, key->secret, origin)))) {
    return sign_invalid(kOk);
  }
  return Authenticated{key->account_id, std::string(request.api_key)};
}

}  // namespace kimp::sim
