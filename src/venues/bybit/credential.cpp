// HMAC-SHA256 signatures for Bybit REST requests and the private-stream login, on OpenSSL's one-shot HMAC().
#include "venues/bybit/credential.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace kimp::venues::bybit {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

bool header_safe(char c) {
  return c > ' ' && c < '\x7f' && c != '"' && c != '\\';
}

}  // namespace

Result<BybitCredential> BybitCredential::create(std::string api_key, config::SecretString api_secret) {
  if (api_key.empty() || !std::all_of(api_key.begin(), api_key.end(), header_safe)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit API key must be non-empty printable ASCII without quotes or backslashes");
  }
  if (api_secret.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "Bybit API secret is empty");
  }
  return BybitCredential(std::move(api_key), std::move(api_secret));
}

std::string BybitCredential::hmac_hex(std::string_view text) const {
  const std::string& secret = api_secret_.reveal();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // The secret is never empty (create() refuses it), so HMAC() gets a real key pointer.
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data(),
           &length) == nullptr) {
    // Only an OpenSSL that cannot run SHA-256 at all fails here: a broken installation, not an input.
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  std::string hex;
  hex.reserve(2 * std::size_t{length});
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHexDigits[digest[i] >> 4U];
    hex += kHexDigits[digest[i] & 0x0fU];
  }
  return hex;
}

std::string BybitCredential::sign_rest(std::int64_t timestamp_ms, std::int64_t recv_window_ms,
                                       std::string_view payload) const {
  std::string text = std::to_string(timestamp_ms);
  text += api_key_;
  text += std::to_string(recv_window_ms);
  text += payload;
  return hmac_hex(text);
}

std::array<BybitHeader, 5> BybitCredential::rest_headers(std::int64_t timestamp_ms,
                                                         std::int64_t recv_window_ms,
                                                         std::string_view payload) const {
  return {BybitHeader{"X-BAPI-API-KEY", api_key_},
          BybitHeader{"X-BAPI-TIMESTAMP", std::to_string(timestamp_ms)},
          BybitHeader{"X-BAPI-RECV-WINDOW", std::to_string(recv_window_ms)},
          BybitHeader{"X-BAPI-SIGN", sign_rest(timestamp_ms, recv_window_ms, payload)},
          BybitHeader{"X-BAPI-SIGN-TYPE", "2"}};
}

std::string BybitCredential::ws_auth_frame(std::int64_t expires_ms) const {
  const std::string expires = std::to_string(expires_ms);
  return R"({"op":"auth","args":[")" + api_key_ + "\"," + expires + ",\"" +
         hmac_hex("GET/realtime" + expires) + "\"]}";
}

}  // namespace kimp::venues::bybit
