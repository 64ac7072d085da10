// Bybit v5 request signing: HMAC-SHA256 of REST requests (X-BAPI-* headers) and the private-stream auth
// frame.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "config/secret_string.hpp"
#include "core/result.hpp"

namespace kimp::venues::bybit {

// One HTTP header to add to a request.
struct BybitHeader {
  std::string_view name;
  std::string value;
  bool operator==(const BybitHeader&) const = default;
};

// An API key and its secret. The secret stays in memory only, inside a SecretString, so every printout
// of it (fmt, GoogleTest) shows a mask; this class never writes it anywhere.
class BybitCredential {
 public:
  // Errors: kInvalidArgument when the key is empty or holds a byte outside printable ASCII or a quote or
  // backslash (it travels in a header and inside a JSON string), or when the secret is empty.
  static Result<BybitCredential> create(std::string api_key, config::SecretString api_secret);

  [[nodiscard]] const std::string& api_key() const { return api_key_; }

  // Lowercase hex HMAC-SHA256, keyed with the secret, of timestamp + api_key + recv_window + payload, with
  // both numbers in decimal; `payload` is the query string of a GET or the exact JSON body of a POST, byte
  // for byte as sent (guide.mdx).
  [[nodiscard]] std::string sign_rest(std::int64_t timestamp_ms, std::int64_t recv_window_ms,
                                      std::string_view payload) const;

  // X-BAPI-API-KEY, X-BAPI-TIMESTAMP, X-BAPI-RECV-WINDOW, X-BAPI-SIGN (sign_rest of the same values) and
  // X-BAPI-SIGN-TYPE "2" (HMAC-SHA256).
  [[nodiscard]] std::array<BybitHeader, 5> rest_headers(std::int64_t timestamp_ms,
                                                        std::int64_t recv_window_ms,
                                                        std::string_view payload) const;

  // The private-stream login frame {"op":"auth","args":["<key>",<expires_ms>,"<sign>"]}, where sign is the
  // hex HMAC-SHA256 of "GET/realtime" + expires_ms. `expires_ms` must lie in the future at Bybit's clock.
  [[nodiscard]] std::string ws_auth_frame(std::int64_t expires_ms) const;

 private:
  BybitCredential(std::string api_key, config::SecretString api_secret)
      : api_key_(std::move(api_key)), api_secret_(std::move(api_secret)) {}

  [[nodiscard]] std::string hmac_hex(std::string_view text) const;

  std::string api_key_;
  config::SecretString api_secret_;
};

}  // namespace kimp::venues::bybit
