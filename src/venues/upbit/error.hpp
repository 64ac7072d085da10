// Upbit refusals as Errors (HTTP status + {"error":{"name","message"}}) and the Remaining-Req header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kimp::venues::upbit {

// The Error for a non-2xx answer, venue_code = Upbit's error name (quotation errors name their HTTP
// status: "404"). The code says what the caller may do:
//   429, 418 (IP banned for a while)                  kResourceExhausted
//   5xx                                               kUnavailable (a placement may be repeated: Upbit
//                                                     refuses a second order with the same identifier)
//   JWT and key names (jwt_verification, nonce_used,  kUnauthenticated
//   invalid_query_payload, expired_access_key, ...)
//   insufficient_funds_bid/ask                        kFailedPrecondition (the balance must change)
//   order_not_found, market_offline                   kFailedPrecondition
//   under_min_total_bid/ask, validation_error,        kInvalidArgument
//   invalid_parameter, create_bid/ask_error
//   other 401 / 403                                   kUnauthenticated
//   other 4xx                                         kInvalidArgument
//   anything else                                     kInternal
// A body that is not Upbit's error object still maps by status, quoting the body.
Error upbit_error(unsigned http_status, std::string_view body);

// Upbit's Remaining-Req header: requests left in this second for the named rate-limit group.
struct UpbitRemainingReq {
  std::string group;  // "default", "order", "market", ...
  std::int64_t sec = 0;
  bool operator==(const UpbitRemainingReq&) const = default;
};

// Parses "group=default; min=1800; sec=29" (min is deprecated and ignored; other keys are ignored too).
// Errors: kInvalidArgument, quoting the header, when group or sec is missing or sec is not a
// non-negative integer.
Result<UpbitRemainingReq> parse_remaining_req(std::string_view header);

}  // namespace kimp::venues::upbit
