// Upbit JWT verification, query hashing of requests, and nonce memory.
#include "sim/auth/upbit_auth.hpp"

#include <optional>
#include <vector>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/pct_string_view.hpp>

#include "core/text.hpp"
#include "sim/auth/digest.hpp"

namespace kimp::sim {
namespace {

constexpr std::uint16_t kUnauthorized = 401;

UpbitError refuse(std::string name, std::string message) {
  return UpbitError{kUnauthorized, std::move(name), std::move(message)};
}

// Upbit's own wording (exchange.yaml, responses.Unauthorized) where the spec gives it.
UpbitError no_authorization_token() {
  return refuse("no_authorization_token", "인증 토큰이 존재하지 않습니다.");
}
UpbitError jwt_verification() {
  return refuse("jwt_verification", "잘못된 API 키입니다.");
}
UpbitError invalid_access_key() {
  return refuse("invalid_access_key", "잘못된 엑세스 키입니다.");
}
UpbitError expired_access_key() {
  return refuse("expired_access_key", "API 키가 만료되었습니다.");
}
UpbitError invalid_query_payload() {
  return refuse("invalid_query_payload", "Jwt의 query를 검증하는데 실패하였습니다.");
}
UpbitError nonce_used() {
  return refuse("nonce_used", "이미 요청한 nonce값이 다시 사용되었습니다.");
}

// Collects a flat JSON object's members as text while parsing, so numbers keep the digits the client
// wrote (a parsed double would turn "0.010" into "0.01").
class JsonParameterHandler {
 public:
  // Boost.JSON's handler concept fixes these names; the body size is already bounded by the HTTP server.
  // NOLINTBEGIN(readability-identifier-naming)
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  // NOLINTEND(readability-identifier-naming)

  std::vector<std::pair<std::string, std::optional<std::string>>> params;  // once the document ended
  std::string failure;

  bool on_document_begin(boost::system::error_code& /*ec*/) { return true; }
  bool on_document_end(boost::system::error_code& /*ec*/) { return true; }

  bool on_object_begin(boost::system::error_code& ec) {
    if (depth_ != 0) {
      return fail(ec, "a member is an object");
    }
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    --depth_;
    return true;
  }
  bool on_array_begin(boost::system::error_code& ec) {
    if (depth_ != 1) {
      return fail(ec, depth_ == 0 ? "the body is not an object" : "a member is a nested array");
    }
    ++depth_;
    // Array members are rendered key[]=value; a key already written "uuids[]" keeps its one suffix.
    if (!key_.ends_with("[]")) {
      key_ += "[]";
    }
    return true;
  }
  bool on_array_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    --depth_;
    return true;
  }

  bool on_key_part(boost::json::string_view part, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    pending_ += part;
    return true;
  }
  bool on_key(boost::json::string_view part, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    pending_ += part;
    key_ = std::move(pending_);
    pending_.clear();
    return true;
  }

  bool on_string_part(boost::json::string_view part, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    pending_ += part;
    return true;
  }
  bool on_string(boost::json::string_view part, std::size_t /*n*/, boost::system::error_code& ec) {
    pending_ += part;
    return emit_pending(ec);
  }
  bool on_number_part(boost::json::string_view part, boost::system::error_code& /*ec*/) {
    pending_ += part;
    return true;
  }
  bool on_int64(std::int64_t /*value*/, boost::json::string_view part, boost::system::error_code& ec) {
    pending_ += part;
    return emit_pending(ec);
  }
  bool on_uint64(std::uint64_t /*value*/, boost::json::string_view part, boost::system::error_code& ec) {
    pending_ += part;
    return emit_pending(ec);
  }
  bool on_double(double /*value*/, boost::json::string_view part, boost::system::error_code& ec) {
    pending_ += part;
    return emit_pending(ec);
  }
  bool on_bool(bool value, boost::system::error_code& ec) {
    pending_ = value ? "true" : "false";
    return emit_pending(ec);
  }
  bool on_null(boost::system::error_code& ec) { return emit(ec, std::nullopt); }
  bool on_comment_part(boost::json::string_view /*part*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_comment(boost::json::string_view /*part*/, boost::system::error_code& /*ec*/) { return true; }

 private:
  bool emit_pending(boost::system::error_code& ec) {
    std::string value = std::move(pending_);
    pending_.clear();
    return emit(ec, std::move(value));
  }
  bool emit(boost::system::error_code& ec, std::optional<std::string> value) {
    if (depth_ == 0) {
      return fail(ec, "the body is not an object");
    }
    params.emplace_back(key_, std::move(value));
    return true;
  }

  bool fail(boost::system::error_code& ec, std::string reason) {
    failure = std::move(reason);
    ec = boost::json::error::syntax;
    return false;
  }

  int depth_ = 0;
  std::string key_;
  std::string pending_;
};

// The texts a client may have hashed for the request's parameters; `exact` is empty when it has none.
struct ParameterText {
  std::string exact;
  std::optional<std::string> unescaped;  // the percent-decoded form, when it differs
};

ParameterText with_unescaped(std::string_view raw) {
  ParameterText text{std::string(raw), std::nullopt};
  // Upbit's guide hashes the query before percent-encoding, while some clients send it encoded
  // (states%5B%5D=wait): accept either spelling of the same parameters.
  const auto escaped = boost::urls::make_pct_string_view(raw);
  if (escaped) {
    std::string decoded = escaped->decode();
    if (decoded != raw) {
      text.unescaped = std::move(decoded);
    }
  }
  return text;
}

// The request's parameters, parsed once, with the texts its query hash may cover.
struct SignedParameters {
  UpbitParameters parameters;
  ParameterText text;
};

tl::expected<SignedParameters, UpbitError> signed_parameters(const UpbitSignedRequest& request) {
  // A handler reads one source; a hash over the query must not vouch for a body, nor the reverse.
  if (!request.query.empty() && !request.body.empty()) {
    return tl::unexpected(invalid_query_payload());
  }
  const bool form = boost::algorithm::istarts_with(request.content_type, "application/x-www-form-urlencoded");
  // Upbit stopped accepting form bodies in 2022 (exchange.yaml), but their hash rule is the query rule.
  if (!request.query.empty() || form) {
    const std::string_view raw = request.query.empty() ? request.body : request.query;
    auto parameters = UpbitParameters::from_query(raw);
    if (!parameters) {
      return tl::unexpected(invalid_query_payload());
    }
    return SignedParameters{std::move(*parameters), with_unescaped(raw)};
  }
  auto parameters = UpbitParameters::from_json(request.body);
  if (!parameters) {
    return tl::unexpected(invalid_query_payload());
  }
  std::string text = parameters->query_string();
  return SignedParameters{std::move(*parameters), ParameterText{std::move(text), std::nullopt}};
}

// A base64url JWT segment holding a JSON object, or nullopt.
std::optional<boost::json::object> decode_segment(std::string_view segment) {
  const auto text = base64url_decode(segment);
  if (!text) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  return std::move(value.as_object());
}

// The member `name` when it is a string, or nullopt.
std::optional<std::string_view> string_member(const boost::json::object& object, std::string_view name) {
  const auto* member = object.if_contains(name);
  if (member == nullptr || !member->is_string()) {
    return std::nullopt;
  }
  return std::string_view(member->get_string());
}

struct Jwt {
  std::string_view signing_input;  // "header.payload", what the signature covers
  std::string signature;
  DigestAlgorithm algorithm = DigestAlgorithm::kSha512;
  boost::json::object claims;
};

// Splits and decodes a compact JWS; nullopt for anything but three non-empty base64url segments with a
// JSON header naming HS256 or HS512 and a JSON object payload ("none" and RS256 are refused here).
std::optional<Jwt> parse_jwt(std::string_view token) {
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  if (first_dot == std::string_view::npos || second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto header = decode_segment(token.substr(0, first_dot));
  auto claims = decode_segment(token.substr(first_dot + 1, second_dot - first_dot - 1));
  auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header || !claims || !signature || signature->empty()) {
    return std::nullopt;
  }
  const auto alg = string_member(*header, "alg");
  if (!alg || (*alg != "HS256" && *alg != "HS512")) {
    return std::nullopt;
  }
  return Jwt{token.substr(0, second_dot), std::move(*signature),
             *alg == "HS256" ? DigestAlgorithm::kSha256 : DigestAlgorithm::kSha512, std::move(*claims)};
}

bool hash_matches(std::string_view query_hash, const ParameterText& parameters) {
  const auto matches = [&](std::string_view text) {
    return constant_time_equal(query_hash, to_hex(digest(DigestAlgorithm::kSha512, text)));
  };
  return matches(parameters.exact) || (parameters.unescaped && matches(*parameters.unescaped));
}

}  // namespace

std::string UpbitError::to_json() const {
  return boost::json::serialize(
      boost::json::object{{"error", boost::json::object{{"name", name}, {"message", message}}}});
}

Result<UpbitParameters> UpbitParameters::from_query(std::string_view query) {
  UpbitParameters out;
  // Split by hand rather than with boost::urls::parse_query: Upbit's clients send `states[]=wait` with
  // the brackets unencoded, which RFC 3986 does not allow in a query.
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto equals = pair.find('=');
    const auto key = boost::urls::make_pct_string_view(pair.substr(0, equals));
    const auto value = boost::urls::make_pct_string_view(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    if (!key || !value) {
      return make_error(ErrorCode::kInvalidArgument,
                        "malformed percent-encoding in the query string " + quote_input(pair));
    }
    out.params_.emplace_back(key->decode(), value->decode());
  }
  return out;
}

Result<UpbitParameters> UpbitParameters::from_json(std::string_view body) {
  UpbitParameters out;
  if (body.empty()) {
    return out;
  }
  boost::json::basic_parser<JsonParameterHandler> parser(boost::json::parse_options{});
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && used != body.size()) {
    ec = boost::json::error::extra_data;
  }
  if (ec) {
    const std::string& reason = parser.handler().failure;
    return make_error(ErrorCode::kInvalidArgument,
                      "request body " + quote_input(body) + ": " + (reason.empty() ? ec.message() : reason));
  }
  out.params_ = std::move(parser.handler().params);
  return out;
}

std::optional<std::string> UpbitParameters::get(std::string_view key) const {
  for (const auto& [name, value] : params_) {
    if (name == key) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> UpbitParameters::all(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [name, value] : params_) {
    if (name == key && value) {
      values.push_back(*value);
    }
  }
  return values;
}

std::string UpbitParameters::query_string() const {
  std::string out;
  for (const auto& [key, value] : params_) {
    if (!out.empty()) {
      out += '&';
    }
    out.append(key).append("=").append(value.value_or("null"));
  }
  return out;
}

Result<std::string> upbit_query_string_from_json(std::string_view body) {
  return UpbitParameters::from_json(body).map(
      [](const UpbitParameters& parameters) { return parameters.query_string(); });
}

bool NonceRegistry::record(std::string_view key_id, std::string_view nonce) {
  Recent& recent = by_key_[std::string(key_id)];
  if (!recent.members.emplace(nonce).second) {
    return false;
  }
  recent.order.emplace_back(nonce);
  if (recent.order.size() > capacity_) {
    recent.members.erase(recent.order.front());
    recent.order.pop_front();
  }
  return true;
}

tl::expected<UpbitAuthorized, UpbitError> UpbitAuthenticator::authenticate(const UpbitSignedRequest& request,
                                                                           Timestamp now) {
  if (request.authorization.empty()) {
    return tl::unexpected(no_authorization_token());
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (!boost::algorithm::istarts_with(request.authorization, kScheme)) {
    return tl::unexpected(jwt_verification());
  }
  auto jwt = parse_jwt(request.authorization.substr(kScheme.size()));
  if (!jwt) {
    return tl::unexpected(jwt_verification());
  }
  const auto access_key = string_member(jwt->claims, "access_key");
  const ApiKey* key = access_key ? lookup_(*access_key) : nullptr;
  if (key == nullptr) {
    return tl::unexpected(invalid_access_key());
  }
  if (!constant_time_equal(jwt->signature, hmac(jwt->algorithm, key->secret, jwt->signing_input))) {
    return tl::unexpected(jwt_verification());
  }
  if (key->expires_at && now >= *key->expires_at) {
    return tl::unexpected(expired_access_key());
  }
  const auto nonce = string_member(jwt->claims, "nonce");
  if (!nonce || nonce->empty()) {
    return tl::unexpected(invalid_query_payload());
  }
  auto parameters = signed_parameters(request);
  if (!parameters) {
    return tl::unexpected(std::move(parameters).error());
  }
  const auto query_hash = string_member(jwt->claims, "query_hash");
  if (query_hash) {
    const auto* alg = jwt->claims.if_contains("query_hash_alg");
    const bool sha512 = alg == nullptr || (alg->is_string() && alg->get_string() == "SHA512");
    if (!sha512 || !hash_matches(*query_hash, parameters->text)) {
      return tl::unexpected(invalid_query_payload());
    }
  } else if (!parameters->text.exact.empty() || jwt->claims.contains("query_hash")) {
    return tl::unexpected(invalid_query_payload());
  }
  if (!nonces_.record(*access_key, *nonce)) {
    return tl::unexpected(nonce_used());
  }
  return UpbitAuthorized{Authenticated{key->account_id, std::string(*access_key)},
                         std::move(parameters->parameters)};
}

}  // namespace kimp::sim
