// Upbit request authentication: JWT bearer tokens (HS256/HS512), access keys, nonces and query hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/auth/api_key.hpp"

namespace kimp::sim {

// An Upbit refusal as it goes on the wire: the HTTP status and `{"error":{"name":..,"message":..}}`.
struct UpbitError {
  std::uint16_t http_status = 0;
  std::string name;  // "jwt_verification", "nonce_used", ...
  std::string message;

  [[nodiscard]] std::string to_json() const;
  bool operator==(const UpbitError&) const = default;
};

// The parts of an HTTP request Upbit's authentication reads, exactly as received. Absent headers are empty.
struct UpbitSignedRequest {
  std::string_view authorization;  // "Bearer <jwt>"
  std::string_view content_type;
  std::string_view query;  // the raw text after '?'
  std::string_view body;
};

// A request's parameters as its handler reads them, in the order sent (repeated keys such as states[]
// kept): from the query string (percent-decoded) or from the body. The authenticator produces them from
// the same text the query hash covered, so a handler can only read parameters the token signed.
class UpbitParameters {
 public:
  // Errors: kInvalidArgument when the text is not a well-formed query string.
  static Result<UpbitParameters> from_query(std::string_view query);
  // A flat JSON object: strings unescaped, numbers exactly as written, an array as one key[] per element
  // ({"uuids":["a","b"]} gives uuids[]=a, uuids[]=b), null kept as a member without a value. An empty
  // body or {} has none. Errors: kInvalidArgument when the body is not a JSON object, or a member is an
  // object or a nested array.
  static Result<UpbitParameters> from_json(std::string_view body);

  // The first value of `key`; nullopt when absent or null (a JSON null counts as not sent).
  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
  // Every non-null value of `key`, in order.
  [[nodiscard]] std::vector<std::string> all(std::string_view key) const;
  [[nodiscard]] bool empty() const { return params_.empty(); }
  // The text Upbit's clients hash for these parameters: key=value joined by '&', neither
  // percent-encoded, null written "null".
  [[nodiscard]] std::string query_string() const;

 private:
  // Keys with their values; nullopt for a JSON null.
  std::vector<std::pair<std::string, std::optional<std::string>>> params_;
};

// UpbitParameters::from_json(body) as the query string clients hash ({"uuids":["a","b"]} gives
// "uuids[]=a&uuids[]=b"). Errors: as UpbitParameters::from_json.
Result<std::string> upbit_query_string_from_json(std::string_view body);

// A verified request: who it acts for and the parameters its token covered.
struct UpbitAuthorized {
  Authenticated caller;
  UpbitParameters parameters;
};

// Remembers the nonces each access key has used. Upbit tokens carry no time, so a nonce can only be
// forgotten by count: each key keeps its `capacity` most recent nonces (at Upbit's 30 requests/s,
// the default covers about an hour).
class NonceRegistry {
 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;

  explicit NonceRegistry(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Records `nonce` for `key_id`; false when that key already used it (within its remembered window).
  bool record(std::string_view key_id, std::string_view nonce);

 private:
  struct Recent {
    std::deque<std::string> order;  // oldest first, for eviction
    std::unordered_set<std::string> members;
  };

  std::size_t capacity_;
  std::unordered_map<std::string, Recent> by_key_;
};

// Verifies requests the way Upbit does. Keeps nonce state, so one instance serves one Upbit endpoint;
// not thread-safe (the emulator calls it from its single server thread).
class UpbitAuthenticator {
 public:
  explicit UpbitAuthenticator(ApiKeyLookup lookup,
                              std::size_t nonces_per_key = NonceRegistry::kDefaultCapacity)
      : lookup_(std::move(lookup)), nonces_(nonces_per_key) {}

  // The account the request's token authorises at server time `now`, or Upbit's 401 refusal:
  //   no_authorization_token  no Authorization header;
  //   jwt_verification        not "Bearer <jwt>", a malformed token, an algorithm other than HS256/HS512,
  //                           or a signature that the access key's secret did not make;
  //   invalid_access_key      no access_key claim, or one no account holds;
  //   expired_access_key      the key expired at or before `now`;
  //   invalid_query_payload   no string nonce; parameters sent without query_hash; a query_hash_alg
  //                           other than SHA512; a query_hash that is not the SHA-512 of the request's
  //                           parameters (the raw query, or its percent-decoded form, or for a body
  //                           the text upbit_query_string_from_json gives); parameters both in the
  //                           query and in the body (one hash cannot cover both); a malformed query
  //                           or form body; a JSON body that is not a flat object;
  //   nonce_used              the access key used this nonce before.
  // A nonce is recorded only when everything else passed, so a refused request does not burn it.
  // On success the parameters are the request's, parsed once, for the handler to read.
  tl::expected<UpbitAuthorized, UpbitError> authenticate(const UpbitSignedRequest& request, Timestamp now);

 private:
  ApiKeyLookup lookup_;
  NonceRegistry nonces_;
};

}  // namespace kimp::sim
