// Names and retry rules of the error codes.
#include "core/error.hpp"

namespace kimp {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "kInvalidArgument";
    case ErrorCode::kFailedPrecondition: return "kFailedPrecondition";
    case ErrorCode::kUnauthenticated: return "kUnauthenticated";
    case ErrorCode::kResourceExhausted: return "kResourceExhausted";
    case ErrorCode::kUnavailable: return "kUnavailable";
    case ErrorCode::kDeadlineExceeded: return "kDeadlineExceeded";
    case ErrorCode::kInternal: return "kInternal";
  }
  return "kUnknown";
}

bool retryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kResourceExhausted: return true;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kDeadlineExceeded:
    case ErrorCode::kInternal: return false;
  }
  return false;
}

std::string Error::describe() const {
  std::string text(to_string(code));
  if (!venue_code.empty()) {
    text += " [" + venue_code + "]";
  }
  text += ": " + message;
  return text;
}

std::ostream& operator<<(std::ostream& out, const Error& error) {
  return out << error.describe();
}

}  // namespace kimp
