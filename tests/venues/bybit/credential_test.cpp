// Tests of Bybit request signing: fixed reference digests, and the emulator's verifier accepting them.
#include "venues/bybit/credential.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sim/auth/bybit_auth.hpp"
#include "sim/auth/digest.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr std::int64_t kRequestMs = 1'658'384'314'791;
constexpr std::string_view kQuery = "category=linear&symbol=BTCUSDT";
constexpr std::string_view kBody =
    R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.001"})";
// The reference digests of tests/sim/auth_bybit_test.cpp, computed with
// printf '%s' '1658384314791sim-bybit-key-15000category=linear&symbol=BTCUSDT' |
//   openssl dgst -sha256 -hmac sim-bybit-secret-1
constexpr std::string_view kGetSign = "af5f470b34a1e05bb1a741746cd7df175800c70c214dfc47fffe83ba77d35f60";
// The same over '1658384314791sim-bybit-key-15000' + kBody.
constexpr std::string_view kPostSign = "9aa06389a4c4e3c3c0aa4b7f6a2b4cc1fefb8c1f7fb7049623e14a5af917c8f5";
// The same over '1658384314791sim-bybit-key-110000' + kQuery.
constexpr std::string_view kGetSignWindow10000 =
    "ca0b6a44b7a49da7735bca6491f6c89a98e5f5311b2ef40a6b2239369df6ffe1";
// printf '%s' 'GET/realtime1662350400000' | openssl dgst -sha256 -hmac sim-bybit-secret-1
constexpr std::string_view kWsSign = "f9c9e8c6760dc55b7ae5c5745623531f1862f37da61fe1691c81722db0e61741";

BybitCredential credential() {
  return BybitCredential::create("sim-bybit-key-1", config::SecretString("sim-bybit-secret-1")).value();
}

TEST(BybitCredential, SignRest_GetQuery_MatchesReferenceDigest) {
  EXPECT_EQ(credential().sign_rest(kRequestMs, 5'000, kQuery), kGetSign);
}

TEST(BybitCredential, SignRest_PostBody_MatchesReferenceDigest) {
  EXPECT_EQ(credential().sign_rest(kRequestMs, 5'000, kBody), kPostSign);
}

TEST(BybitCredential, SignRest_RecvWindowIsPartOfSignedText) {
  EXPECT_EQ(credential().sign_rest(kRequestMs, 10'000, kQuery), kGetSignWindow10000);
}

TEST(BybitCredential, SignRest_EmptyPayload_SignsPrefixOnly) {
  EXPECT_EQ(credential().sign_rest(kRequestMs, 5'000, ""),
            "ca77dc571d1a03c7bbb4b7a64e9b9ff7392aff84b26f218352010eccf1b93ca8");
}

TEST(BybitCredential, RestHeaders_CarryKeyTimeWindowSignAndHmacType) {
  const auto headers = credential().rest_headers(kRequestMs, 5'000, kQuery);
  EXPECT_EQ(headers[0], (BybitHeader{"X-BAPI-API-KEY", "sim-bybit-key-1"}));
  EXPECT_EQ(headers[1], (BybitHeader{"X-BAPI-TIMESTAMP", "1658384314791"}));
  EXPECT_EQ(headers[2], (BybitHeader{"X-BAPI-RECV-WINDOW", "5000"}));
  EXPECT_EQ(headers[3], (BybitHeader{"X-BAPI-SIGN", std::string(kGetSign)}));
  EXPECT_EQ(headers[4], (BybitHeader{"X-BAPI-SIGN-TYPE", "2"}));
}

TEST(BybitCredential, WsAuthFrame_IsExactLoginFrame) {
  EXPECT_EQ(credential().ws_auth_frame(1'662'350'400'000),
            fmt::format(R"({{"op":"auth","args":["sim-bybit-key-1",1662350400000,"{}"]}})", kWsSign));
}

TEST(BybitCredential, Create_RejectsEmptyOrUnsafeKeyAndEmptySecret) {
  EXPECT_EQ(BybitCredential::create("", config::SecretString("s")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(BybitCredential::create("key\"x", config::SecretString("s")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(BybitCredential::create("key x", config::SecretString("s")).error().code,
            ErrorCode::kInvalidArgument);
  const auto no_secret = BybitCredential::create("key", config::SecretString(""));
  ASSERT_FALSE(no_secret.has_value());
  EXPECT_EQ(no_secret.error().message, "Bybit API secret is empty");
}

TEST(BybitCredential, CreateErrors_NeverContainTheSecret) {
  const auto bad = BybitCredential::create("bad key", config::SecretString("top-secret-value"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.find("top-secret-value"), std::string::npos);
}

// ---- the emulator's verification (sim/auth) accepts what the adapter signs ----

class BybitCredentialEmulator : public ::testing::Test {
 protected:
  sim::BybitSignedRequest request(bool is_get, std::string_view payload) {
    headers_ = credential().rest_headers(kRequestMs, 5'000, payload);
    sim::BybitSignedRequest signed_request;
    signed_request.is_get = is_get;
    signed_request.api_key = headers_[0].value;
    signed_request.timestamp = headers_[1].value;
    signed_request.recv_window = headers_[2].value;
    signed_request.sign = headers_[3].value;
    signed_request.sign_type = headers_[4].value;
    (is_get ? signed_request.query : signed_request.body) = payload;
    return signed_request;
  }

  sim::ApiKey key_{"acct-bybit-1", "sim-bybit-secret-1", std::nullopt};
  sim::ApiKeyLookup lookup_ = [this](std::string_view id) {
    return id == "sim-bybit-key-1" ? &key_ : nullptr;
  };
  std::array<BybitHeader, 5> headers_;
};

TEST_F(BybitCredentialEmulator, SignedGet_Accepted) {
  const auto verdict =
      sim::verify_bybit_request(request(true, kQuery), Timestamp::from_ms(kRequestMs + 100).value(), lookup_);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().ret_msg;
  EXPECT_EQ(verdict->account_id, "acct-bybit-1");
}

TEST_F(BybitCredentialEmulator, SignedPost_Accepted) {
  const auto verdict =
      sim::verify_bybit_request(request(false, kBody), Timestamp::from_ms(kRequestMs).value(), lookup_);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().ret_msg;
}

TEST_F(BybitCredentialEmulator, BodyChangedAfterSigning_Rejected10004) {
  auto tampered = request(false, kBody);
  const std::string other = R"({"category":"linear","symbol":"ETHUSDT"})";
  tampered.body = other;
  const auto verdict = sim::verify_bybit_request(tampered, Timestamp::from_ms(kRequestMs).value(), lookup_);
  ASSERT_FALSE(verdict.has_value());
  EXPECT_EQ(verdict.error().ret_code, 10004);
}

TEST(BybitCredentialEmulatorWs, AuthFrameSignature_IsEmulatorsExpectedDigest) {
  const std::string frame = credential().ws_auth_frame(1'700'000'000'000);
  const std::string expected = sim::to_hex(
      sim::hmac(sim::DigestAlgorithm::kSha256, "sim-bybit-secret-1", "GET/realtime1700000000000"));
  EXPECT_NE(frame.find("\"" + expected + "\""), std::string::npos) << frame;
}

}  // namespace
}  // namespace kimp::venues::bybit
