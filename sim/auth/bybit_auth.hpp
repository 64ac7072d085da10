// Bybit v5 request authentication: X-BAPI-* headers, HMAC-SHA256 signature and the receive window.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/timestamp.hpp"
#include "sim/auth/api_key.hpp"

namespace kimp::sim {

// A Bybit refusal as it goes on the wire: the HTTP status and the envelope's retCode/retMsg.
struct BybitError {
  std::uint16_t http_status = 0;
  std::int32_t ret_code = 0;
  std::string ret_msg;

  // {"retCode":..,"retMsg":"..","result":{},"retExtInfo":{},"time":<server_time ms>}
  [[nodiscard]] std::string to_json(Timestamp server_time) const;
  bool operator==(const BybitError&) const = default;
};

// The parts of an HTTP request Bybit's authentication reads, exactly as received. Absent headers are empty.
struct BybitSignedRequest {
  bool is_get = false;           // GET signs the query string; every other method signs the body
  std::string_view api_key;      // X-BAPI-API-KEY
  std::string_view timestamp;    // X-BAPI-TIMESTAMP, Unix milliseconds
  std::string_view sign;         // X-BAPI-SIGN
  std::string_view recv_window;  // X-BAPI-RECV-WINDOW, milliseconds (5000 when absent)
  std::string_view sign_type;    // X-BAPI-SIGN-TYPE: absent or "2" (HMAC-SHA256)
  std::string_view query;        // the raw text after '?'
  std::string_view body;
};

// Bybit's default X-BAPI-RECV-WINDOW in milliseconds.
inline constexpr std::int64_t kBybitDefaultRecvWindowMs = 5'000;

// The account a signed request acts for at Bybit server time `server_time`, or Bybit's refusal.
// A missing API key, timestamp or sign header answers HTTP 401 (error.mdx: "Need to put authentication
// params in the request header") with the retCode that header's check gives; everything else HTTP 200:
//   10001  "Request parameter error.": X-BAPI-RECV-WINDOW is not a positive integer;
//   10002  the timestamp is not an integer or lies outside [server_time - recv_window, server_time + 1000)
//          (guide.mdx), with Bybit's text naming req_timestamp, server_timestamp and recv_window;
//   10003  "API key is invalid.": no account holds the key;
//   33004  the key expired at or before `server_time`;
//   10004  "error sign! origin_string[...]": X-BAPI-SIGN-TYPE is neither absent nor "2", or the sign is not
//          the lowercase hex HMAC-SHA256, under the key's secret, of the headers' timestamp + api_key +
//          recv_window texts (recv_window empty when absent) + (query for GET | body otherwise).
tl::expected<Authenticated, BybitError> verify_bybit_request(const BybitSignedRequest& request,
                                                             Timestamp server_time,
                                                             const ApiKeyLookup& lookup);

}  // namespace kimp::sim
