// Tests of Upbit error mapping (one case per table row) and Remaining-Req parsing.
#include "venues/upbit/error.hpp"

#include <gtest/gtest.h>

namespace kimp::venues::upbit {
namespace {

std::string body(std::string_view name) {
  return R"({"error":{"name":")" + std::string(name) + R"(","message":"msg"}})";
}

struct Row {
  unsigned status;
  std::string_view name;
  ErrorCode code;
};

class UpbitErrorTable : public ::testing::TestWithParam<Row> {};

TEST_P(UpbitErrorTable, NameAndStatus_MapToCodeWithNameAsVenueCode) {
  const Row row = GetParam();
  const Error error = upbit_error(row.status, body(row.name));
  EXPECT_EQ(error.code, row.code) << row.status << " " << row.name;
  EXPECT_EQ(error.venue_code, row.name);
  EXPECT_NE(error.message.find(std::string(row.name) + ": msg"), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(Rows, UpbitErrorTable,
                         ::testing::Values(Row{429, "too_many_requests", ErrorCode::kResourceExhausted},
                                           Row{418, "too_many_requests", ErrorCode::kResourceExhausted},
                                           Row{401, "jwt_verification", ErrorCode::kUnauthenticated},
                                           Row{401, "invalid_query_payload", ErrorCode::kUnauthenticated},
                                           Row{401, "expired_access_key", ErrorCode::kUnauthenticated},
                                           Row{401, "nonce_used", ErrorCode::kUnauthenticated},
                                           Row{401, "no_authorization_token", ErrorCode::kUnauthenticated},
                                           Row{401, "invalid_access_key", ErrorCode::kUnauthenticated},
                                           Row{401, "no_authorization_ip", ErrorCode::kUnauthenticated},
                                           Row{401, "out_of_scope", ErrorCode::kUnauthenticated},
                                           Row{400, "insufficient_funds_bid", ErrorCode::kFailedPrecondition},
                                           Row{400, "insufficient_funds_ask", ErrorCode::kFailedPrecondition},
                                           Row{400, "under_min_total_bid", ErrorCode::kInvalidArgument},
                                           Row{400, "under_min_total_ask", ErrorCode::kInvalidArgument},
                                           Row{400, "validation_error", ErrorCode::kInvalidArgument},
                                           Row{400, "invalid_parameter", ErrorCode::kInvalidArgument},
                                           Row{400, "create_bid_error", ErrorCode::kInvalidArgument},
                                           Row{400, "create_ask_error", ErrorCode::kInvalidArgument},
                                           Row{404, "order_not_found", ErrorCode::kFailedPrecondition},
                                           Row{403, "market_offline", ErrorCode::kFailedPrecondition},
                                           Row{500, "server_error", ErrorCode::kUnavailable},
                                           Row{503, "anything", ErrorCode::kUnavailable},
                                           Row{401, "some_new_auth_error", ErrorCode::kUnauthenticated},
                                           Row{400, "some_new_error", ErrorCode::kInvalidArgument}));

TEST(UpbitError, NotRetryableRows_AreNotRetryable) {
  EXPECT_FALSE(upbit_error(400, body("insufficient_funds_bid")).retryable());
  EXPECT_FALSE(upbit_error(400, body("under_min_total_ask")).retryable());
  EXPECT_TRUE(upbit_error(429, body("too_many_requests")).retryable());
  EXPECT_TRUE(upbit_error(502, "").retryable());
}

TEST(UpbitError, Teapot_SaysTheIpIsBanned) {
  const Error error = upbit_error(418, "");
  EXPECT_EQ(error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(error.venue_code, "");
  EXPECT_NE(error.message.find("banned this IP"), std::string::npos) << error.message;
}

TEST(UpbitError, NonJsonBody_MapsByStatusQuotingTheBody) {
  const Error error = upbit_error(429, "Too many API requests.");
  EXPECT_EQ(error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(error.message, R"(Upbit rate limit exceeded (HTTP 429): "Too many API requests.")");
  EXPECT_EQ(upbit_error(404, "<html>").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(upbit_error(302, "").code, ErrorCode::kInternal);
}

TEST(UpbitError, QuotationErrorWithNumericName_KeepsStatusAsVenueCode) {
  const Error error = upbit_error(404, R"({"error":{"name":404,"message":"Code not found"}})");
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.venue_code, "404");
  EXPECT_EQ(error.message, "Upbit refused the request (HTTP 404): 404: Code not found");
}

TEST(UpbitError, EmulatorRefusal_KeepsKoreanMessage) {
  const Error error = upbit_error(
      400, R"({"error":{"name":"insufficient_funds_bid","message":"매수/매도 가능 잔고가 부족합니다."}})");
  EXPECT_EQ(error.code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(error.venue_code, "insufficient_funds_bid");
  EXPECT_EQ(
      error.message,
      "Upbit refused the request (HTTP 400): insufficient_funds_bid: 매수/매도 가능 잔고가 부족합니다.");
}

TEST(UpbitRemainingReq, DocumentedHeader_GivesGroupAndSec) {
  EXPECT_EQ(parse_remaining_req("group=default; min=1800; sec=29").value(),
            (UpbitRemainingReq{"default", 29}));
}

TEST(UpbitRemainingReq, WithoutMinAndWithoutSpaces_Parsed) {
  EXPECT_EQ(parse_remaining_req("group=order;sec=7").value(), (UpbitRemainingReq{"order", 7}));
  EXPECT_EQ(parse_remaining_req("sec=0; group=market").value(), (UpbitRemainingReq{"market", 0}));
}

TEST(UpbitRemainingReq, MalformedHeaders_RefusedQuotingTheHeader) {
  for (const std::string_view header : {"", "group=default", "sec=3", "group=default; sec=",
                                        "group=default; sec=-1", "group=default; sec=2x", "group=; sec=3"}) {
    const auto parsed = parse_remaining_req(header);
    ASSERT_FALSE(parsed.has_value()) << header;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("Remaining-Req"), std::string::npos);
  }
}

}  // namespace
}  // namespace kimp::venues::upbit
