// Bybit v5 refusals mapped to kimp error codes, and the parse of the rate-limit response headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/result.hpp"
#include "venues/bybit/models.hpp"

namespace kimp::venues::bybit {

// Bybit retCodes the callers act on by name.
inline constexpr std::int64_t kBybitRetOk = 0;
inline constexpr std::int64_t kBybitRetRateLimited = 10006;
inline constexpr std::int64_t kBybitRetTimestampOutOfWindow = 10002;
inline constexpr std::int64_t kBybitRetOrderNotExists = 110001;
inline constexpr std::int64_t kBybitRetPositionModeNotModified = 110025;
inline constexpr std::int64_t kBybitRetMarginModeNotModified = 110026;
inline constexpr std::int64_t kBybitRetLeverageNotModified = 110043;
inline constexpr std::int64_t kBybitRetDuplicateOrderLinkId = 110072;

// The Error for a Bybit answer that is not a success: HTTP status `http_status` (0 when unknown) and the
// envelope's retCode / retMsg. venue_code is the retCode as text; the message names both numbers and
// quotes retMsg (bounded). The code follows 0011 §1-5 — rate limits and transient server trouble are
// retryable, credentials, missing funds and bad parameters are not:
//   kResourceExhausted  10006, 10018, 10429, 20003, retCode 429; HTTP 429 and 403 (IP rate limit)
//   kUnavailable        10000 (server timeout), 10016, 10019, HTTP 5xx; and 10002 / -1 (timestamp outside
//                       recv_window): the request never reached matching, so it may be repeated once the
//                       clock offset has been measured again
//   kUnauthenticated    10003, 10004, 10005, 10007, 10009, 10010, 33004, -2015; HTTP 401
//   kInvalidArgument    10001, 10017, 10029, 110003, 110017, 110094, 170130; HTTP 400, 404
//   kFailedPrecondition insufficient balance or margin (110004, 110006, 110007, 110012, 110014, 110044,
//                       110045, 110052, 170131), order not found / already closed (110001, 110008, 110010,
//                       170213), not modified (110025, 110026, 110043), duplicate orderLinkId (110072),
//                       account or position limits (10008, 10024, 10027, 10028, 110011, 110013, 110020,
//                       110021, 110073, 110090, 3400045), and every retCode not listed here: an unknown
//                       refusal is not repeated blindly.
// A retCode of 0 with a non-2xx status maps by the status alone.
Error bybit_error(unsigned http_status, std::int64_t ret_code, std::string_view ret_msg);

// The Error for a non-2xx HTTP answer whose body is not a Bybit envelope (a proxy page, an empty body).
Error bybit_http_error(unsigned http_status, std::string_view body);

// The Bybit retCode an Error carries, or nullopt when it carries none (a transport error).
std::optional<std::int64_t> bybit_ret_code(const Error& error);

// True for "nothing to change" refusals (leverage, margin mode or position mode already as asked): callers
// of set-leverage, switch-isolated and switch-mode treat them as success.
bool is_not_modified(const Error& error);

// True when the order named does not exist (110001, 170213): after a cancel, it has already ended.
bool is_order_not_found(const Error& error);

// True when an order with this orderLinkId already exists (110072): a retried create was accepted the
// first time; look the order up instead of sending it again.
bool is_duplicate_order_link_id(const Error& error);

// The rate-limit status from the header values X-Bapi-Limit, X-Bapi-Limit-Status and
// X-Bapi-Limit-Reset-Timestamp as received (an empty view for an absent header). nullopt when all three
// are absent (public endpoints send none). Errors: kInvalidArgument, quoting the text, when only some are
// present, or one is not a non-negative decimal integer, or the reset time is out of range.
Result<std::optional<BybitRateLimitStatus>> parse_rate_limit_headers(std::string_view limit,
                                                                     std::string_view status,
                                                                     std::string_view reset_timestamp_ms);

}  // namespace kimp::venues::bybit
