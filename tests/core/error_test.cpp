// Tests of Error codes, their retry rules, and Result propagation with KIMP_TRY.
#include "core/result.hpp"

#include <gtest/gtest.h>

namespace kimp {
namespace {

TEST(ErrorCode, RetryableOnlyForTransientAndRateLimitedFailures) {
  EXPECT_TRUE(retryable(ErrorCode::kUnavailable));
  EXPECT_TRUE(retryable(ErrorCode::kResourceExhausted));
  EXPECT_FALSE(retryable(ErrorCode::kDeadlineExceeded));
  EXPECT_FALSE(retryable(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(retryable(ErrorCode::kFailedPrecondition));
  EXPECT_FALSE(retryable(ErrorCode::kUnauthenticated));
  EXPECT_FALSE(retryable(ErrorCode::kInternal));
}

TEST(Error, DescribeIncludesVenueCodeWhenPresent) {
  const Error error{ErrorCode::kResourceExhausted, "10006", "Too many visits"};
  EXPECT_EQ(error.describe(), "kResourceExhausted [10006]: Too many visits");
  EXPECT_TRUE(error.retryable());
  const Error plain{ErrorCode::kUnavailable, "", "connection reset"};
  EXPECT_EQ(plain.describe(), "kUnavailable: connection reset");
}

Result<int> parse_positive(int value) {
  if (value <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "not positive");
  }
  return value;
}

Result<int> doubled_positive(int value) {
  KIMP_TRY_ASSIGN(const int checked, parse_positive(value));
  return checked * 2;
}

Status check_both(int first, int second) {
  KIMP_TRY(parse_positive(first));
  KIMP_TRY(parse_positive(second));
  return ok();
}

TEST(Result, TryAssignPropagatesErrorAndPassesValue) {
  EXPECT_EQ(doubled_positive(21).value(), 42);
  const auto failed = doubled_positive(-1);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().message, "not positive");
}

TEST(Result, TryStopsAtFirstFailure) {
  EXPECT_TRUE(check_both(1, 2).has_value());
  const auto failed = check_both(1, 0);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp
