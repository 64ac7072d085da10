// Upbit JWT construction on OpenSSL's HMAC and SHA-512, with base64url and UUIDv4 nonces.
#include "venues/upbit/credential.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/logging.hpp"

namespace kimp::venues::upbit {
namespace {

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHexDigits = "0123456789abcdef";

// RFC 4648 §5 without padding, as JWS compact serialisation requires.
std::string base64url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto byte = [&bytes](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned triple = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kBase64UrlAlphabet[(triple >> 18U) & 0x3FU];
    out += kBase64UrlAlphabet[(triple >> 12U) & 0x3FU];
    out += kBase64UrlAlphabet[(triple >> 6U) & 0x3FU];
    out += kBase64UrlAlphabet[triple & 0x3FU];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    const unsigned pair = (byte(i) << 16U) | (rest == 2 ? byte(i + 1) << 8U : 0U);
    out += kBase64UrlAlphabet[(pair >> 18U) & 0x3FU];
    out += kBase64UrlAlphabet[(pair >> 12U) & 0x3FU];
    if (rest == 2) {
      out += kBase64UrlAlphabet[(pair >> 6U) & 0x3FU];
    }
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto value = static_cast<unsigned char>(c);
    out += kHexDigits[value >> 4U];
    out += kHexDigits[value & 0x0FU];
  }
  return out;
}

Result<std::string> sha512_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha512(), nullptr) != 1) {
    return make_error(ErrorCode::kInternal, "OpenSSL SHA-512 failed");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

Result<std::string> hmac(UpbitJwtAlgorithm algorithm, std::string_view secret, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  const EVP_MD* md = algorithm == UpbitJwtAlgorithm::kHs512 ? EVP_sha512() : EVP_sha256();
  if (HMAC(md, secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &length) == nullptr) {
    return make_error(ErrorCode::kInternal, "OpenSSL HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

// `text` as the inside of a JSON string. Access keys and nonces are plain ASCII, but a key read from a
// file must not be able to break the token's JSON.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

Result<std::string> upbit_jwt(std::string_view access_key, std::string_view secret, std::string_view nonce,
                              std::string_view query_string, UpbitJwtAlgorithm algorithm) {
  const std::string_view header = algorithm == UpbitJwtAlgorithm::kHs512 ? R"({"alg":"HS512","typ":"JWT"})"
                                                                         : R"({"alg":"HS256","typ":"JWT"})";
  std::string payload = R"({"access_key":)";
  append_json_string(payload, access_key);
  payload += R"(,"nonce":)";
  append_json_string(payload, nonce);
  if (!query_string.empty()) {
    KIMP_TRY_ASSIGN(const std::string query_hash, sha512_hex(query_string));
    payload += R"(,"query_hash":")";
    payload += query_hash;
    payload += R"(","query_hash_alg":"SHA512")";
  }
  payload += '}';
  std::string token = base64url(header);
  token += '.';
  token += base64url(payload);
  KIMP_TRY_ASSIGN(const std::string signature, hmac(algorithm, secret, token));
  token += '.';
  token += base64url(signature);
  return token;
}

UpbitCredential::UpbitCredential(std::string access_key, std::string secret)
    : UpbitCredential(std::move(access_key), std::move(secret), std::random_device{}()) {}

UpbitCredential::UpbitCredential(std::string access_key, std::string secret, std::uint64_t nonce_seed)
    : access_key_(std::move(access_key)), secret_(std::move(secret)), random_(nonce_seed) {
  log::add_redaction(secret_);
}

Result<std::string> UpbitCredential::authorization(std::string_view query_string,
                                                   UpbitJwtAlgorithm algorithm) {
  const std::string nonce = next_nonce();
  KIMP_TRY_ASSIGN(std::string token, upbit_jwt(access_key_, secret_, nonce, query_string, algorithm));
  return "Bearer " + token;
}

std::string UpbitCredential::next_nonce() {
  std::uint64_t high = random_();
  std::uint64_t low = random_();
  // RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10xx in the top bits of byte 8.
  high = (high & ~0xF000ULL) | 0x4000ULL;
  low = (low & ~(0xC0ULL << 56U)) | (0x80ULL << 56U);
  const std::string hex = fmt::format("{:016x}{:016x}", high, low);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

}  // namespace kimp::venues::upbit
