// Upbit error bodies and statuses mapped to error codes by one table; Remaining-Req parsing.
#include "venues/upbit/error.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/text.hpp"
#include "venues/upbit/json_fields.hpp"

namespace kimp::venues::upbit {
namespace {

struct NameRule {
  std::string_view name;
  ErrorCode code;
};

// Upbit's REST error names (its published list of error codes and exchange.yaml's examples).
constexpr std::array<NameRule, 20> kNameRules{{
    {"no_authorization_token", ErrorCode::kUnauthenticated},
    {"jwt_verification", ErrorCode::kUnauthenticated},
    {"invalid_query_payload", ErrorCode::kUnauthenticated},
    {"expired_access_key", ErrorCode::kUnauthenticated},
    {"nonce_used", ErrorCode::kUnauthenticated},
    {"invalid_access_key", ErrorCode::kUnauthenticated},
    {"no_authorization_ip", ErrorCode::kUnauthenticated},
    {"out_of_scope", ErrorCode::kUnauthenticated},
    {"insufficient_funds_bid", ErrorCode::kFailedPrecondition},
    {"insufficient_funds_ask", ErrorCode::kFailedPrecondition},
    {"order_not_found", ErrorCode::kFailedPrecondition},
    {"market_offline", ErrorCode::kFailedPrecondition},
    {"under_min_total_bid", ErrorCode::kInvalidArgument},
    {"under_min_total_ask", ErrorCode::kInvalidArgument},
    {"validation_error", ErrorCode::kInvalidArgument},
    {"invalid_parameter", ErrorCode::kInvalidArgument},
    {"create_bid_error", ErrorCode::kInvalidArgument},
    {"create_ask_error", ErrorCode::kInvalidArgument},
    {"too_many_requests", ErrorCode::kResourceExhausted},
    {"server_error", ErrorCode::kUnavailable},
}};

constexpr unsigned kUnauthorized = 401;
constexpr unsigned kForbidden = 403;
constexpr unsigned kTeapot = 418;
constexpr unsigned kTooManyRequests = 429;

struct UpbitErrorBody {
  std::string name;
  std::string message;
};

// {"error":{"name":..,"message":..}}; the name may be a string or (quotation API) a number.
std::optional<UpbitErrorBody> parse_error_body(std::string_view body) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object error;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc["error"].get_object().get(error) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  UpbitErrorBody parsed;
  for (auto field_result : error) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (key == "name") {
      auto text = detail::number_text(field.value(), "error.name");
      if (!text) {
        return std::nullopt;
      }
      parsed.name = *text;
    } else if (key == "message") {
      auto text = detail::string_value(field.value(), "error.message");
      if (!text) {
        return std::nullopt;
      }
      parsed.message = *text;
    }
  }
  if (parsed.name.empty()) {
    return std::nullopt;
  }
  return parsed;
}

// Transport-level statuses decide before any name: they say how to pace, whatever the body names.
std::optional<Error> by_status_first(unsigned status, std::string venue_code, const std::string& detail) {
  if (status == kTooManyRequests) {
    return Error{ErrorCode::kResourceExhausted, std::move(venue_code),
                 fmt::format("Upbit rate limit exceeded (HTTP 429): {}", detail)};
  }
  if (status == kTeapot) {
    return Error{ErrorCode::kResourceExhausted, std::move(venue_code),
                 fmt::format("Upbit banned this IP for a while after repeated rate-limit violations (HTTP "
                             "418); send nothing until the ban ends: {}",
                             detail)};
  }
  if (status >= 500 && status < 600) {
    return Error{ErrorCode::kUnavailable, std::move(venue_code),
                 fmt::format("Upbit server error (HTTP {}): {}", status, detail)};
  }
  return std::nullopt;
}

ErrorCode by_status(unsigned status) {
  if (status == kUnauthorized || status == kForbidden) {
    return ErrorCode::kUnauthenticated;
  }
  if (status >= 400 && status < 500) {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kInternal;
}

}  // namespace

Error upbit_error(unsigned http_status, std::string_view body) {
  const std::optional<UpbitErrorBody> parsed = parse_error_body(body);
  std::string venue_code = parsed ? parsed->name : std::string();
  const std::string detail =
      parsed ? fmt::format("{}: {}", parsed->name, parsed->message) : quote_input(body);
  if (auto error = by_status_first(http_status, venue_code, detail)) {
    return *std::move(error);
  }
  ErrorCode code = by_status(http_status);
  if (parsed) {
    for (const NameRule& rule : kNameRules) {
      if (rule.name == parsed->name) {
        code = rule.code;
        break;
      }
    }
  }
  return Error{code, std::move(venue_code),
               fmt::format("Upbit refused the request (HTTP {}): {}", http_status, detail)};
}

Result<UpbitRemainingReq> parse_remaining_req(std::string_view header) {
  UpbitRemainingReq parsed;
  bool has_sec = false;
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!part.empty() && part.front() == ' ') {
      part.remove_prefix(1);
    }
    while (!part.empty() && part.back() == ' ') {
      part.remove_suffix(1);
    }
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const std::string_view key = part.substr(0, equals);
    const std::string_view value = part.substr(equals + 1);
    if (key == "group") {
      parsed.group = value;
    } else if (key == "sec") {
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed.sec);
      has_sec = ec == std::errc() && ptr == value.data() + value.size() && parsed.sec >= 0;
    }
  }
  if (parsed.group.empty() || !has_sec) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Upbit Remaining-Req header needs group=NAME and sec=N: " + quote_input(header));
  }
  return parsed;
}

}  // namespace kimp::venues::upbit
