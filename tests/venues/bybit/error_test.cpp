// Tests of the Bybit error table (one case per row), the not-modified helpers and the rate-limit headers.
#include "venues/bybit/error.hpp"

#include <gtest/gtest.h>

namespace kimp::venues::bybit {
namespace {

struct Row {
  std::int64_t ret_code;
  ErrorCode code;
};

class BybitErrorTable : public ::testing::TestWithParam<Row> {};

TEST_P(BybitErrorTable, RetCode_MapsToCodeWithRetCodeAsVenueCode) {
  const Row row = GetParam();
  const Error error = bybit_error(200, row.ret_code, "msg");
  EXPECT_EQ(error.code, row.code) << row.ret_code;
  EXPECT_EQ(error.venue_code, std::to_string(row.ret_code));
  EXPECT_EQ(bybit_ret_code(error), row.ret_code);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BybitErrorTable,
    ::testing::Values(
        Row{-2015, ErrorCode::kUnauthenticated}, Row{-1, ErrorCode::kUnavailable},
        Row{429, ErrorCode::kResourceExhausted}, Row{10000, ErrorCode::kUnavailable},
        Row{10001, ErrorCode::kInvalidArgument}, Row{10002, ErrorCode::kUnavailable},
        Row{10003, ErrorCode::kUnauthenticated}, Row{10004, ErrorCode::kUnauthenticated},
        Row{10005, ErrorCode::kUnauthenticated}, Row{10006, ErrorCode::kResourceExhausted},
        Row{10007, ErrorCode::kUnauthenticated}, Row{10008, ErrorCode::kFailedPrecondition},
        Row{10009, ErrorCode::kUnauthenticated}, Row{10010, ErrorCode::kUnauthenticated},
        Row{10016, ErrorCode::kUnavailable}, Row{10017, ErrorCode::kInvalidArgument},
        Row{10018, ErrorCode::kResourceExhausted}, Row{10019, ErrorCode::kUnavailable},
        Row{10024, ErrorCode::kFailedPrecondition}, Row{10027, ErrorCode::kFailedPrecondition},
        Row{10028, ErrorCode::kFailedPrecondition}, Row{10029, ErrorCode::kInvalidArgument},
        Row{10429, ErrorCode::kResourceExhausted}, Row{20003, ErrorCode::kResourceExhausted},
        Row{33004, ErrorCode::kUnauthenticated}, Row{110001, ErrorCode::kFailedPrecondition},
        Row{110003, ErrorCode::kInvalidArgument}, Row{110004, ErrorCode::kFailedPrecondition},
        Row{110006, ErrorCode::kFailedPrecondition}, Row{110007, ErrorCode::kFailedPrecondition},
        Row{110008, ErrorCode::kFailedPrecondition}, Row{110010, ErrorCode::kFailedPrecondition},
        Row{110011, ErrorCode::kFailedPrecondition}, Row{110012, ErrorCode::kFailedPrecondition},
        Row{110013, ErrorCode::kFailedPrecondition}, Row{110014, ErrorCode::kFailedPrecondition},
        Row{110017, ErrorCode::kInvalidArgument}, Row{110020, ErrorCode::kFailedPrecondition},
        Row{110021, ErrorCode::kFailedPrecondition}, Row{110025, ErrorCode::kFailedPrecondition},
        Row{110026, ErrorCode::kFailedPrecondition}, Row{110043, ErrorCode::kFailedPrecondition},
        Row{110044, ErrorCode::kFailedPrecondition}, Row{110045, ErrorCode::kFailedPrecondition},
        Row{110052, ErrorCode::kFailedPrecondition}, Row{110072, ErrorCode::kFailedPrecondition},
        Row{110073, ErrorCode::kFailedPrecondition}, Row{110090, ErrorCode::kFailedPrecondition},
        Row{110094, ErrorCode::kInvalidArgument}, Row{170130, ErrorCode::kInvalidArgument},
        Row{170131, ErrorCode::kFailedPrecondition}, Row{170213, ErrorCode::kFailedPrecondition},
        Row{3400045, ErrorCode::kFailedPrecondition}, Row{999999, ErrorCode::kFailedPrecondition}));

TEST(BybitError, Retryability_FollowsRateLimitTimeoutAuthFundsParamsRule) {
  EXPECT_TRUE(bybit_error(200, 10006, "Too many visits!").retryable());
  EXPECT_TRUE(bybit_error(200, 10000, "Server Timeout").retryable());
  EXPECT_TRUE(bybit_error(503, 10016, "Server error.").retryable());
  EXPECT_FALSE(bybit_error(200, 10003, "API key is invalid.").retryable());
  EXPECT_FALSE(bybit_error(200, 110007, "Available balance is insufficient").retryable());
  EXPECT_FALSE(bybit_error(200, 10001, "Request parameter error.").retryable());
}

TEST(BybitError, Message_NamesRetCodeStatusAndQuotesRetMsg) {
  const Error error = bybit_error(200, 110007, "Available balance is insufficient");
  EXPECT_EQ(error.message, "Bybit retCode 110007 (HTTP 200): \"Available balance is insufficient\"");
  EXPECT_EQ(
      error.describe(),
      "kFailedPrecondition [110007]: Bybit retCode 110007 (HTTP 200): \"Available balance is insufficient\"");
}

TEST(BybitError, HugeRetMsg_IsBoundedInMessage) {
  const Error error = bybit_error(200, 10004, std::string(10'000, 'x'));
  EXPECT_LT(error.message.size(), 100U);
}

TEST(BybitError, HttpStatusWithoutRetCode_MapsByStatus) {
  EXPECT_EQ(bybit_error(429, 0, "").code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(bybit_error(403, 0, "").code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(bybit_error(401, 0, "").code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(bybit_error(404, 0, "").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bybit_error(502, 0, "").code, ErrorCode::kUnavailable);
}

TEST(BybitError, HttpErrorWithoutEnvelope_MapsByStatusWithNoVenueCode) {
  const Error error = bybit_http_error(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_EQ(error.venue_code, "");
  EXPECT_EQ(error.message, "Bybit HTTP 502 without a Bybit envelope: \"<html>Bad Gateway</html>\"");
  EXPECT_EQ(bybit_http_error(403, "").code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(bybit_ret_code(error), std::nullopt);
}

TEST(BybitError, NotModified_TrueForLeverageMarginAndPositionModeOnly) {
  EXPECT_TRUE(is_not_modified(bybit_error(200, 110043, "Set leverage has not been modified.")));
  EXPECT_TRUE(is_not_modified(bybit_error(200, 110026, "Cross/isolated margin mode has not been modified.")));
  EXPECT_TRUE(is_not_modified(bybit_error(200, 110025, "Position mode has not been modified.")));
  EXPECT_FALSE(is_not_modified(bybit_error(200, 110007, "")));
  EXPECT_FALSE(is_not_modified(bybit_http_error(500, "")));
}

TEST(BybitError, OrderNotFoundAndDuplicateLinkId_AreRecognised) {
  EXPECT_TRUE(is_order_not_found(bybit_error(200, 110001, "Order does not exist")));
  EXPECT_TRUE(is_order_not_found(bybit_error(200, 170213, "Order does not exist.")));
  EXPECT_FALSE(is_order_not_found(bybit_error(200, 110072, "")));
  EXPECT_TRUE(is_duplicate_order_link_id(bybit_error(200, 110072, "OrderLinkedID is duplicate")));
  EXPECT_FALSE(is_duplicate_order_link_id(bybit_error(200, 110001, "")));
}

TEST(BybitRateLimitHeaders, AllThree_Parsed) {
  const auto status = parse_rate_limit_headers("10", "9", "1672738134824");
  ASSERT_TRUE(status.has_value()) << status.error();
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ(**status, (BybitRateLimitStatus{10, 9, Timestamp::from_ms(1'672'738'134'824).value()}));
}

TEST(BybitRateLimitHeaders, NoneOfThem_IsNullopt) {
  const auto status = parse_rate_limit_headers("", "", "");
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->has_value());
}

TEST(BybitRateLimitHeaders, PartialOrMalformed_AreInvalidArgument) {
  EXPECT_EQ(parse_rate_limit_headers("10", "", "1672738134824").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_rate_limit_headers("10", "9x", "1672738134824").error().message,
            "X-Bapi-Limit-Status: invalid integer \"9x\"");
  EXPECT_EQ(parse_rate_limit_headers("-1", "9", "1672738134824").error().message,
            "X-Bapi-Limit: negative \"-1\"");
  EXPECT_EQ(parse_rate_limit_headers("10", "9", "99999999999999999999").error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::venues::bybit
