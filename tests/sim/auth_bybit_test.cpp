// Tests of Bybit v5 request verification against signatures computed by hand from guide.mdx's rule.
#include "sim/auth/bybit_auth.hpp"

#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

constexpr std::int64_t kRequestMs = 1'658'384'314'791;
constexpr std::string_view kQuery = "category=linear&symbol=BTCUSDT";
constexpr std::string_view kBody =
    R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.001"})";
// printf '%s' '1658384314791sim-bybit-key-15000category=linear&symbol=BTCUSDT' |
//   openssl dgst -sha256 -hmac sim-bybit-secret-1
constexpr std::string_view kGetSign = "af5f470b34a1e05bb1a741746cd7df175800c70c214dfc47fffe83ba77d35f60";
// The same over '1658384314791sim-bybit-key-15000' + kBody.
constexpr std::string_view kPostSign = "9aa06389a4c4e3c3c0aa4b7f6a2b4cc1fefb8c1f7fb7049623e14a5af917c8f5";
// The same over '1658384314791sim-bybit-key-110000' + kQuery (recv_window 10000).
constexpr std::string_view kGetSignWindow10000 =
    "ca0b6a44b7a49da7735bca6491f6c89a98e5f5311b2ef40a6b2239369df6ffe1";

Timestamp at_ms(std::int64_t ms) {
  return Timestamp::from_ns(ms * 1'000'000);
}

class BybitAuth : public ::testing::Test {
 protected:
  static BybitSignedRequest signed_get() {
    BybitSignedRequest request;
    request.is_get = true;
    request.api_key = "sim-bybit-key-1";
    request.timestamp = "1658384314791";
    request.recv_window = "5000";
    request.sign = kGetSign;
    request.query = kQuery;
    return request;
  }

  tl::expected<Authenticated, BybitError> verify(const BybitSignedRequest& request, std::int64_t server_ms) {
    return verify_bybit_request(request, at_ms(server_ms), lookup_);
  }

  ApiKey key_{"acct-bybit-1", "sim-bybit-secret-1", std::nullopt};
  ApiKeyLookup lookup_ = [this](std::string_view id) { return id == "sim-bybit-key-1" ? &key_ : nullptr; };
};

TEST_F(BybitAuth, GetSignedOverQueryString_Accepted) {
  const auto result = verify(signed_get(), kRequestMs + 200);
  ASSERT_TRUE(result.has_value()) << result.error().ret_msg;
  EXPECT_EQ(*result, (Authenticated{"acct-bybit-1", "sim-bybit-key-1"}));
}

TEST_F(BybitAuth, PostSignedOverRawBody_Accepted) {
  BybitSignedRequest request = signed_get();
  request.is_get = false;
  request.query = "";
  request.body = kBody;
  request.sign = kPostSign;
  request.sign_type = "2";
  const auto result = verify(request, kRequestMs);
  ASSERT_TRUE(result.has_value()) << result.error().ret_msg;
  EXPECT_EQ(result->account_id, "acct-bybit-1");
}

TEST_F(BybitAuth, PostBodyReformatted_RejectedAsBadSign) {
  BybitSignedRequest request = signed_get();
  request.is_get = false;
  request.body =
      R"({"category": "linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.001"})";
  request.sign = kPostSign;
  const auto result = verify(request, kRequestMs);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().ret_code, 10004);
}

TEST_F(BybitAuth, BadSign_Rejected10004WithOriginString) {
  BybitSignedRequest request = signed_get();
  request.sign = "0f5f470b34a1e05bb1a741746cd7df175800c70c214dfc47fffe83ba77d35f60";
  const auto result = verify(request, kRequestMs);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(
      result.error(),
      (BybitError{
          200, 10004,
          "error sign! origin_string[1658384314791sim-bybit-key-15000category=linear&symbol=BTCUSDT]"}));
}

TEST_F(BybitAuth, UppercaseHexSign_Rejected) {
  BybitSignedRequest request = signed_get();
  const std::string upper = "AF5F470B34A1E05BB1A741746CD7DF175800C70C214DFC47FFFE83BA77D35F60";
  request.sign = upper;
  EXPECT_EQ(verify(request, kRequestMs).error().ret_code, 10004);
}

TEST_F(BybitAuth, SignTypeOtherThanHmac_Rejected) {
  BybitSignedRequest request = signed_get();
  request.sign_type = "1";
  EXPECT_EQ(verify(request, kRequestMs).error().ret_code, 10004);
}

TEST_F(BybitAuth, UnknownKey_Rejected10003) {
  BybitSignedRequest request = signed_get();
  request.api_key = "someone-else";
  const auto result = verify(request, kRequestMs);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), (BybitError{200, 10003, "API key is invalid."}));
}

TEST_F(BybitAuth, ExpiredKey_Rejected33004) {
  key_.expires_at = at_ms(kRequestMs);
  const auto result = verify(signed_get(), kRequestMs);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), (BybitError{200, 33004, "Your api key has expired."}));
}

TEST_F(BybitAuth, TimestampExactlyRecvWindowOld_Accepted) {
  EXPECT_TRUE(verify(signed_get(), kRequestMs + 5'000).has_value());
}

TEST_F(BybitAuth, StaleTimestamp_Rejected10002WithBybitText) {
  const auto result = verify(signed_get(), kRequestMs + 5'001);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), (BybitError{200, 10002,
                                        "invalid request, please check your server timestamp or recv_window "
                                        "param. req_timestamp[1658384314791],server_timestamp[1658384319792],"
                                        "recv_window[5000]"}));
}

TEST_F(BybitAuth, TimestampJustUnderOneSecondAhead_Accepted) {
  EXPECT_TRUE(verify(signed_get(), kRequestMs - 999).has_value());
}

TEST_F(BybitAuth, TimestampOneSecondAhead_Rejected10002) {
  const auto result = verify(signed_get(), kRequestMs - 1'000);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().ret_code, 10002);
  EXPECT_EQ(result.error().http_status, 200);
}

TEST_F(BybitAuth, WiderRecvWindow_AcceptsOlderTimestamp) {
  BybitSignedRequest request = signed_get();
  request.recv_window = "10000";
  request.sign = kGetSignWindow10000;
  EXPECT_TRUE(verify(request, kRequestMs + 9'000).has_value());
  EXPECT_EQ(verify(request, kRequestMs + 10'001).error().ret_code, 10002);
}

TEST_F(BybitAuth, AbsentRecvWindow_DefaultsTo5000AndSignsEmptyText) {
  BybitSignedRequest request = signed_get();
  request.recv_window = "";
  // printf '%s' '1658384314791sim-bybit-key-1category=linear&symbol=BTCUSDT' | openssl dgst -sha256 -hmac ...
  request.sign = "e050b6d4a911f5ed76bf852c871b260c0760f870092b57510218dbe52a485a20";
  EXPECT_TRUE(verify(request, kRequestMs + 5'000).has_value());
  EXPECT_EQ(verify(request, kRequestMs + 5'001).error().ret_code, 10002);
}

TEST_F(BybitAuth, NonNumericTimestamp_Rejected10002) {
  BybitSignedRequest request = signed_get();
  request.timestamp = "1658384314791.5";
  EXPECT_EQ(verify(request, kRequestMs).error().ret_code, 10002);
}

TEST_F(BybitAuth, InvalidRecvWindow_Rejected10001) {
  BybitSignedRequest request = signed_get();
  request.recv_window = "-5";
  EXPECT_EQ(verify(request, kRequestMs).error(), (BybitError{200, 10001, "Request parameter error."}));
}

TEST_F(BybitAuth, MissingHeaders_Rejected401WithTheHeadersCode) {
  BybitSignedRequest no_key = signed_get();
  no_key.api_key = "";
  EXPECT_EQ(verify(no_key, kRequestMs).error(), (BybitError{401, 10003, "API key is invalid."}));

  BybitSignedRequest no_timestamp = signed_get();
  no_timestamp.timestamp = "";
  const auto timestamp_error = verify(no_timestamp, kRequestMs).error();
  EXPECT_EQ(timestamp_error.http_status, 401);
  EXPECT_EQ(timestamp_error.ret_code, 10002);

  BybitSignedRequest no_sign = signed_get();
  no_sign.sign = "";
  const auto sign_error = verify(no_sign, kRequestMs).error();
  EXPECT_EQ(sign_error.http_status, 401);
  EXPECT_EQ(sign_error.ret_code, 10004);
}

TEST(BybitError, ToJson_IsBybitEnvelopeWithServerTime) {
  const BybitError error{200, 10003, "API key is invalid."};
  EXPECT_EQ(
      error.to_json(at_ms(kRequestMs)),
      R"({"retCode":10003,"retMsg":"API key is invalid.","result":{},"retExtInfo":{},"time":1658384314791})");
}

}  // namespace
}  // namespace kimp::sim
