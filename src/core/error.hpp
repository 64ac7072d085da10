// Error values for the trading path: a code that tells the caller what it may do next, plus context.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace kimp {

// What went wrong, phrased as what the caller may do about it.
enum class ErrorCode : std::uint8_t {
  kInvalidArgument,     // the request itself is wrong; never retry it unchanged
  kFailedPrecondition,  // the system is not in a state that allows this; retry only after it changes
  kUnauthenticated,     // credentials missing, wrong or expired; retrying will not help
  kResourceExhausted,   // rate-limited or out of quota: back off, then retry
  kUnavailable,         // transient failure (connection reset, 5xx): retry this call
  kDeadlineExceeded,    // no answer in time: the outcome is unknown, look it up before acting again
  kInternal,            // a bug or a broken invariant
};

std::string_view to_string(ErrorCode code);

// True when repeating the same call is safe and may succeed (after a backoff for
// kResourceExhausted). kDeadlineExceeded is not retryable: an order may have been accepted.
bool retryable(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string venue_code;  // the exchange's own code ("10006", "insufficient_funds"), empty if none
  std::string message;

  [[nodiscard]] bool retryable() const { return kimp::retryable(code); }
  // "kUnavailable: connection reset" or "kResourceExhausted [10006]: too many visits".
  [[nodiscard]] std::string describe() const;

  bool operator==(const Error&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Error& error);

}  // namespace kimp
