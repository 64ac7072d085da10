// The table from Bybit retCodes and HTTP statuses to kimp error codes, and the rate-limit header parse.
#include "venues/bybit/error.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "core/text.hpp"
#include "venues/bybit/parse_fields.hpp"

namespace kimp::venues::bybit {
namespace {

struct RetCodeRule {
  std::int64_t ret_code;
  ErrorCode code;
};

// error.mdx codes the engine can meet on linear trading, account and market endpoints; the header
// comment of bybit_error() gives the reasoning per group.
constexpr std::array kRetCodeRules{
    RetCodeRule{-2015, ErrorCode::kUnauthenticated},
    RetCodeRule{-1, ErrorCode::kUnavailable},
    RetCodeRule{429, ErrorCode::kResourceExhausted},
    RetCodeRule{10000, ErrorCode::kUnavailable},
    RetCodeRule{10001, ErrorCode::kInvalidArgument},
    RetCodeRule{kBybitRetTimestampOutOfWindow, ErrorCode::kUnavailable},
    RetCodeRule{10003, ErrorCode::kUnauthenticated},
    RetCodeRule{10004, ErrorCode::kUnauthenticated},
    RetCodeRule{10005, ErrorCode::kUnauthenticated},
    RetCodeRule{kBybitRetRateLimited, ErrorCode::kResourceExhausted},
    RetCodeRule{10007, ErrorCode::kUnauthenticated},
    RetCodeRule{10008, ErrorCode::kFailedPrecondition},
    RetCodeRule{10009, ErrorCode::kUnauthenticated},
    RetCodeRule{10010, ErrorCode::kUnauthenticated},
    RetCodeRule{10016, ErrorCode::kUnavailable},
    RetCodeRule{10017, ErrorCode::kInvalidArgument},
    RetCodeRule{10018, ErrorCode::kResourceExhausted},
    RetCodeRule{10019, ErrorCode::kUnavailable},
    RetCodeRule{10024, ErrorCode::kFailedPrecondition},
    RetCodeRule{10027, ErrorCode::kFailedPrecondition},
    RetCodeRule{10028, ErrorCode::kFailedPrecondition},
    RetCodeRule{10029, ErrorCode::kInvalidArgument},
    RetCodeRule{10429, ErrorCode::kResourceExhausted},
    RetCodeRule{20003, ErrorCode::kResourceExhausted},
    RetCodeRule{33004, ErrorCode::kUnauthenticated},
    RetCodeRule{kBybitRetOrderNotExists, ErrorCode::kFailedPrecondition},
    RetCodeRule{110003, ErrorCode::kInvalidArgument},
    RetCodeRule{110004, ErrorCode::kFailedPrecondition},
    RetCodeRule{110006, ErrorCode::kFailedPrecondition},
    RetCodeRule{110007, ErrorCode::kFailedPrecondition},
    RetCodeRule{110008, ErrorCode::kFailedPrecondition},
    RetCodeRule{110010, ErrorCode::kFailedPrecondition},
    RetCodeRule{110011, ErrorCode::kFailedPrecondition},
    RetCodeRule{110012, ErrorCode::kFailedPrecondition},
    RetCodeRule{110013, ErrorCode::kFailedPrecondition},
    RetCodeRule{110014, ErrorCode::kFailedPrecondition},
    RetCodeRule{110017, ErrorCode::kInvalidArgument},
    RetCodeRule{110020, ErrorCode::kFailedPrecondition},
    RetCodeRule{110021, ErrorCode::kFailedPrecondition},
    RetCodeRule{kBybitRetPositionModeNotModified, ErrorCode::kFailedPrecondition},
    RetCodeRule{kBybitRetMarginModeNotModified, ErrorCode::kFailedPrecondition},
    RetCodeRule{kBybitRetLeverageNotModified, ErrorCode::kFailedPrecondition},
    RetCodeRule{110044, ErrorCode::kFailedPrecondition},
    RetCodeRule{110045, ErrorCode::kFailedPrecondition},
    RetCodeRule{110052, ErrorCode::kFailedPrecondition},
    RetCodeRule{kBybitRetDuplicateOrderLinkId, ErrorCode::kFailedPrecondition},
    RetCodeRule{110073, ErrorCode::kFailedPrecondition},
    RetCodeRule{110090, ErrorCode::kFailedPrecondition},
    RetCodeRule{110094, ErrorCode::kInvalidArgument},
    RetCodeRule{170130, ErrorCode::kInvalidArgument},
    RetCodeRule{170131, ErrorCode::kFailedPrecondition},
    RetCodeRule{170213, ErrorCode::kFailedPrecondition},
    RetCodeRule{3400045, ErrorCode::kFailedPrecondition},
};

constexpr unsigned kHttpBadRequest = 400;
constexpr unsigned kHttpUnauthorized = 401;
constexpr unsigned kHttpForbidden = 403;
constexpr unsigned kHttpNotFound = 404;
constexpr unsigned kHttpTooManyRequests = 429;
constexpr unsigned kHttpServerErrorFirst = 500;

// The code an HTTP status alone implies, or nullopt for a status that says nothing more than retCode.
std::optional<ErrorCode> http_status_code(unsigned status) {
  switch (status) {
    case kHttpBadRequest:
    case kHttpNotFound: return ErrorCode::kInvalidArgument;
    case kHttpUnauthorized: return ErrorCode::kUnauthenticated;
    // error.mdx: 403 is the IP rate limit (or a refused region, which a retry after backoff also reports).
    case kHttpForbidden:
    case kHttpTooManyRequests: return ErrorCode::kResourceExhausted;
    default: break;
  }
  if (status >= kHttpServerErrorFirst) {
    return ErrorCode::kUnavailable;
  }
  return std::nullopt;
}

ErrorCode ret_code_code(std::int64_t ret_code) {
  const auto* rule = std::find_if(kRetCodeRules.begin(), kRetCodeRules.end(),
                                  [ret_code](const RetCodeRule& r) { return r.ret_code == ret_code; });
  return rule != kRetCodeRules.end() ? rule->code : ErrorCode::kFailedPrecondition;
}

bool has_ret_code(const Error& error, std::initializer_list<std::int64_t> codes) {
  const auto code = bybit_ret_code(error);
  return code && std::find(codes.begin(), codes.end(), *code) != codes.end();
}

Result<std::int64_t> non_negative(std::string_view text, std::string_view header) {
  KIMP_TRY_ASSIGN(const std::int64_t value, parse_int64(text, header));
  if (value < 0) {
    return make_error(ErrorCode::kInvalidArgument, std::string(header) + ": negative " + quote_input(text));
  }
  return value;
}

}  // namespace

Error bybit_error(unsigned http_status, std::int64_t ret_code, std::string_view ret_msg) {
  ErrorCode code = ret_code_code(ret_code);
  if (ret_code == kBybitRetOk) {
    code = http_status_code(http_status).value_or(ErrorCode::kUnavailable);
  }
  std::string message = "Bybit retCode " + std::to_string(ret_code);
  if (http_status != 0) {
    message += " (HTTP " + std::to_string(http_status) + ")";
  }
  message += ": " + quote_input(ret_msg);
  return Error{code, std::to_string(ret_code), std::move(message)};
}

Error bybit_http_error(unsigned http_status, std::string_view body) {
  return Error{
      http_status_code(http_status).value_or(ErrorCode::kUnavailable),
      {},
      "Bybit HTTP " + std::to_string(http_status) + " without a Bybit envelope: " + quote_input(body)};
}

std::optional<std::int64_t> bybit_ret_code(const Error& error) {
  auto code = parse_int64(error.venue_code, "retCode");
  return code ? std::optional<std::int64_t>(*code) : std::nullopt;
}

bool is_not_modified(const Error& error) {
  return has_ret_code(error, {kBybitRetLeverageNotModified, kBybitRetMarginModeNotModified,
                              kBybitRetPositionModeNotModified});
}

bool is_order_not_found(const Error& error) {
  return has_ret_code(error, {kBybitRetOrderNotExists, 170213});
}

bool is_duplicate_order_link_id(const Error& error) {
  return has_ret_code(error, {kBybitRetDuplicateOrderLinkId});
}

Result<std::optional<BybitRateLimitStatus>> parse_rate_limit_headers(std::string_view limit,
                                                                     std::string_view status,
                                                                     std::string_view reset_timestamp_ms) {
  if (limit.empty() && status.empty() && reset_timestamp_ms.empty()) {
    return std::nullopt;
  }
  BybitRateLimitStatus parsed;
  KIMP_TRY_ASSIGN(parsed.limit, non_negative(limit, "X-Bapi-Limit"));
  KIMP_TRY_ASSIGN(parsed.remaining, non_negative(status, "X-Bapi-Limit-Status"));
  KIMP_TRY_ASSIGN(const std::int64_t reset_ms,
                  non_negative(reset_timestamp_ms, "X-Bapi-Limit-Reset-Timestamp"));
  auto reset_at = Timestamp::from_ms(reset_ms);
  if (!reset_at) {
    return make_error(ErrorCode::kInvalidArgument,
                      "X-Bapi-Limit-Reset-Timestamp: out of range " + quote_input(reset_timestamp_ms));
  }
  parsed.reset_at = *reset_at;
  return std::optional<BybitRateLimitStatus>(parsed);
}

}  // namespace kimp::venues::bybit
