// Upbit request signing: JWT bearer tokens (HS512 or HS256) with a UUIDv4 nonce and a SHA-512 query hash.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kimp::venues::upbit {

enum class UpbitJwtAlgorithm : std::uint8_t { kHs512, kHs256 };

// The compact JWT Upbit expects for one request: header {"alg":"HS512","typ":"JWT"} (or HS256), payload
// {"access_key":..,"nonce":..} and, when `query_string` is non-empty, "query_hash" (hex SHA-512 of exactly
// `query_string`) and "query_hash_alg":"SHA512". Deterministic, so fixed vectors can test it.
// Errors: kInternal when OpenSSL fails to compute a digest.
Result<std::string> upbit_jwt(std::string_view access_key, std::string_view secret, std::string_view nonce,
                              std::string_view query_string, UpbitJwtAlgorithm algorithm);

// One API key pair. Each authorization() draws a fresh nonce, so one instance serves one key on one thread.
// The secret is registered for log redaction on construction and is never printed by this class.
class UpbitCredential {
 public:
  // Nonces come from a generator seeded by std::random_device.
  UpbitCredential(std::string access_key, std::string secret);
  // Nonces come from a generator seeded with `nonce_seed`: the same seed gives the same nonces (tests).
  UpbitCredential(std::string access_key, std::string secret, std::uint64_t nonce_seed);

  // "Bearer <jwt>" for a request whose parameters are `query_string` (empty when it has none): the query
  // exactly as sent for GET/DELETE, or UpbitParams::query_string() of a POST body.
  // Errors: as upbit_jwt.
  Result<std::string> authorization(std::string_view query_string,
                                    UpbitJwtAlgorithm algorithm = UpbitJwtAlgorithm::kHs512);

  [[nodiscard]] const std::string& access_key() const { return access_key_; }

  // A random UUIDv4 in its canonical lowercase text ("1b4e28ba-2fa1-41d2-883f-0016d3cca427").
  std::string next_nonce();

 private:
  std::string access_key_;
  std::string secret_;
  std::mt19937_64 random_;
};

}  // namespace kimp::venues::upbit
