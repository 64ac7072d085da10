// Tests of Upbit JWT verification with tokens computed once outside the project from fixed inputs.
#include "sim/auth/upbit_auth.hpp"

#include <gtest/gtest.h>

#include "sim/auth/digest.hpp"

namespace kimp::sim {
namespace {

constexpr std::string_view kAccessKey = "sim-access-1";
constexpr std::string_view kSecret = "sim-upbit-secret-1";
constexpr std::string_view kQuery = "market=KRW-BTC&states[]=wait&states[]=watch";
// printf '%s' "$kQuery" | openssl dgst -sha512
constexpr std::string_view kQueryHash =
    "c01bbcb80094d2225c90eda65128baf7ef800471fbdeb76579856d1532cd263060e41ede9c52bfc926a0b46c4b7797a61e4327cd"
    "a59d236f"
    "829cde4c875dfe77";
constexpr std::string_view kOrderBody =
    R"({"market":"KRW-BTC","side":"bid","volume":0.010,"price":"100000000","ord_type":"limit"})";
// SHA-512 hex of "market=KRW-BTC&side=bid&volume=0.010&price=100000000&ord_type=limit".
constexpr std::string_view kOrderBodyHash =
    "2a2d4aaa3fda5079d9381490d49c8a43f7a1539e1b69f119636c89f1c42565acbcd61f330fef27d2eda52a701d0a497836fadbd2"
    "3593d48a"
    "f55c83d6dd4f3dbe";

// Tokens made with Python's hmac/hashlib/base64 (compact JSON, header {"alg":..,"typ":"JWT"}) and secret
// kSecret.
constexpr std::string_view kHs256Plain =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhY2Nlc3Nfa2V5Ijoic2ltLWFjY2Vzcy0xIiwibm9uY2UiOiJub25jZS1oczI1Ni1wbGFpbiJ9."
    "nTnBrkqJsflQ-suyn-w0v-kXyF1dHGVIparm33pYiq0";
constexpr std::string_view kHs512Plain =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJhY2Nlc3Nfa2V5Ijoic2ltLWFjY2Vzcy0xIiwibm9uY2UiOiJub25jZS1oczUxMi1wbGFpbiJ9."
    "MD6vHiGNLZmhgVzgV4zfKJIWCwEY-bvDot5g_TDbdksIy_-AMIwcI8407VB8ZvASmpIRE0QgeW8bw5Ua3Bt_eA";
constexpr std::string_view kHs256Query =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhY2Nlc3Nfa2V5Ijoic2ltLWFjY2Vzcy0xIiwibm9uY2UiOiJub25jZS1oczI1Ni1xdWVyeSIsInF1ZXJ5X2hhc2giOiJjMDFiYmNi"
    "ODAwOTRk"
    "MjIyNWM5MGVkYTY1MTI4YmFmN2VmODAwNDcxZmJkZWI3NjU3OTg1NmQxNTMyY2QyNjMwNjBlNDFlZGU5YzUyYmZjOTI2YTBiNDZjNGI3"
    "Nzk3YTYx"
    "ZTQzMjdjZGE1OWQyMzZmODI5Y2RlNGM4NzVkZmU3NyIsInF1ZXJ5X2hhc2hfYWxnIjoiU0hBNTEyIn0."
    "DPYXuGBaJVLLo82SmPfyZcoQbCmqLsVejwyzkvCSUts";
constexpr std::string_view kHs512Query =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJhY2Nlc3Nfa2V5Ijoic2ltLWFjY2Vzcy0xIiwibm9uY2UiOiJub25jZS1oczUxMi1xdWVyeSIsInF1ZXJ5X2hhc2giOiJjMDFiYmNi"
    "ODAwOTRk"
    "MjIyNWM5MGVkYTY1MTI4YmFmN2VmODAwNDcxZmJkZWI3NjU3OTg1NmQxNTMyY2QyNjMwNjBlNDFlZGU5YzUyYmZjOTI2YTBiNDZjNGI3"
    "Nzk3YTYx"
    "ZTQzMjdjZGE1OWQyMzZmODI5Y2RlNGM4NzVkZmU3NyIsInF1ZXJ5X2hhc2hfYWxnIjoiU0hBNTEyIn0."
    "BULO5R0aUedf4zfV0VbeHxW4NSilYzoUY-sLHkHT1qeaTk8PmzNflpj6PhJhl8Jg95r0QsQTxK45xMjdekn47w";
constexpr std::string_view kHs512Body =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJhY2Nlc3Nfa2V5Ijoic2ltLWFjY2Vzcy0xIiwibm9uY2UiOiJub25jZS1oczUxMi1ib2R5IiwicXVlcnlfaGFzaCI6IjJhMmQ0YWFh"
    "M2ZkYTUw"
    "NzlkOTM4MTQ5MGQ0OWM4YTQzZjdhMTUzOWUxYjY5ZjExOTYzNmM4OWYxYzQyNTY1YWNiY2Q2MWYzMzBmZWYyN2QyZWRhNTJhNzAxZDBh"
    "NDk3ODM2"
    "ZmFkYmQyMzU5M2Q0OGFmNTVjODNkNmRkNGYzZGJlIn0."
    "wf6drr8XkQgPrCCvr3O6iJhFKweZ-UvPnCyMFRfy_WJdpBXg7-ZzbnuBEuEGk1wU_JAZ4As63R33HzgcRJDBxQ";

const Timestamp kNow = Timestamp::from_ns(1'750'000'000'000'000'000);

// A compact JWS over the given header and payload JSON, HMAC-signed with `secret`.
std::string make_token(std::string_view header, std::string_view payload, DigestAlgorithm algorithm,
                       std::string_view secret) {
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  return signing_input + "." + base64url_encode(hmac(algorithm, secret, signing_input));
}

std::string bearer(std::string_view token) {
  return "Bearer " + std::string(token);
}

class UpbitAuth : public ::testing::Test {
 protected:
  tl::expected<UpbitAuthorized, UpbitError> authenticate(std::string_view token, std::string_view query = "",
                                                         std::string_view body = "") {
    const std::string authorization = bearer(token);
    return authenticator_.authenticate(
        UpbitSignedRequest{authorization, body.empty() ? "" : "application/json; charset=utf-8", query, body},
        kNow);
  }

  // The error name a refused token gets, or "accepted".
  std::string outcome(std::string_view token, std::string_view query = "", std::string_view body = "") {
    const auto result = authenticate(token, query, body);
    return result ? std::string("accepted") : result.error().name;
  }

  ApiKey key_{"acct-upbit-1", std::string(kSecret), std::nullopt};
  UpbitAuthenticator authenticator_{
      [this](std::string_view id) { return id == kAccessKey ? &key_ : nullptr; }};
};

TEST_F(UpbitAuth, LiteralTokens_MatchTokensBuiltFromTheirParts) {
  EXPECT_EQ(make_token(R"({"alg":"HS256","typ":"JWT"})",
                       R"({"access_key":"sim-access-1","nonce":"nonce-hs256-plain"})",
                       DigestAlgorithm::kSha256, kSecret),
            kHs256Plain);
  EXPECT_EQ(make_token(R"({"alg":"HS512","typ":"JWT"})",
                       R"({"access_key":"sim-access-1","nonce":"nonce-hs512-plain"})",
                       DigestAlgorithm::kSha512, kSecret),
            kHs512Plain);
  EXPECT_EQ(to_hex(digest(DigestAlgorithm::kSha512, kQuery)), kQueryHash);
}

TEST_F(UpbitAuth, Hs256WithoutParameters_Accepted) {
  const auto result = authenticate(kHs256Plain);
  ASSERT_TRUE(result.has_value()) << result.error().name;
  EXPECT_EQ(result->caller, (Authenticated{"acct-upbit-1", "sim-access-1"}));
}

TEST_F(UpbitAuth, Hs512WithoutParameters_Accepted) {
  EXPECT_EQ(outcome(kHs512Plain), "accepted");
}

TEST_F(UpbitAuth, Hs256WithQueryHashOfQuery_Accepted) {
  EXPECT_EQ(outcome(kHs256Query, kQuery), "accepted");
}

TEST_F(UpbitAuth, Hs512WithQueryHashOfQuery_Accepted) {
  EXPECT_EQ(outcome(kHs512Query, kQuery), "accepted");
}

TEST_F(UpbitAuth, QuerySentPercentEncoded_MatchesHashOfUnencodedQuery) {
  EXPECT_EQ(outcome(kHs512Query, "market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch"), "accepted");
}

TEST_F(UpbitAuth, JsonBodyHashedAsQueryStringKeepingNumberText_Accepted) {
  EXPECT_EQ(outcome(kHs512Body, "", kOrderBody), "accepted");
}

TEST_F(UpbitAuth, JsonBodyInAnotherOrder_RejectedInvalidQueryPayload) {
  EXPECT_EQ(
      outcome(kHs512Body, "",
              R"({"side":"bid","market":"KRW-BTC","volume":0.010,"price":"100000000","ord_type":"limit"})"),
      "invalid_query_payload");
}

TEST_F(UpbitAuth, JsonBody_ParametersReturnedAsTheHashCoveredThem) {
  const auto result = authenticate(kHs512Body, "", kOrderBody);
  ASSERT_TRUE(result.has_value()) << result.error().name;
  EXPECT_EQ(result->parameters.get("volume"), "0.010");
  EXPECT_EQ(result->parameters.get("price"), "100000000");
  EXPECT_EQ(result->parameters.query_string(),
            "market=KRW-BTC&side=bid&volume=0.010&price=100000000&ord_type=limit");
}

TEST_F(UpbitAuth, QueryHashWithParametersAlsoInTheBody_RejectedInvalidQueryPayload) {
  EXPECT_EQ(outcome(kHs512Query, kQuery, kOrderBody), "invalid_query_payload");
}

TEST_F(UpbitAuth, QueryParameters_ReturnedDecoded) {
  const auto result = authenticate(kHs512Query, "market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch");
  ASSERT_TRUE(result.has_value()) << result.error().name;
  EXPECT_EQ(result->parameters.get("market"), "KRW-BTC");
  EXPECT_EQ(result->parameters.all("states[]"), (std::vector<std::string>{"wait", "watch"}));
}

TEST_F(UpbitAuth, FormBody_HashedAsSent) {
  const std::string form = "market=KRW-BTC&side=bid&volume=0.010&price=100000000&ord_type=limit";
  const std::string authorization = bearer(kHs512Body);
  const auto result = authenticator_.authenticate(
      UpbitSignedRequest{authorization, "application/x-www-form-urlencoded", "", form}, kNow);
  EXPECT_TRUE(result.has_value());
}

TEST_F(UpbitAuth, ParametersWithoutQueryHash_RejectedInvalidQueryPayload) {
  EXPECT_EQ(outcome(kHs512Plain, kQuery), "invalid_query_payload");
  EXPECT_EQ(outcome(kHs256Plain, "", kOrderBody), "invalid_query_payload");
}

TEST_F(UpbitAuth, QueryHashOfDifferentQuery_RejectedInvalidQueryPayload) {
  EXPECT_EQ(outcome(kHs512Query, "market=KRW-ETH&states[]=wait&states[]=watch"), "invalid_query_payload");
}

TEST_F(UpbitAuth, QueryHashAlgOtherThanSha512_RejectedInvalidQueryPayload) {
  const std::string payload = R"({"access_key":"sim-access-1","nonce":"n-alg","query_hash":")" +
                              std::string(kQueryHash) + R"(","query_hash_alg":"SHA256"})";
  EXPECT_EQ(outcome(make_token(R"({"alg":"HS512"})", payload, DigestAlgorithm::kSha512, kSecret), kQuery),
            "invalid_query_payload");
}

TEST_F(UpbitAuth, ReusedNonce_RejectedNonceUsed) {
  EXPECT_EQ(outcome(kHs512Plain), "accepted");
  const auto again = authenticate(kHs512Plain);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error(), (UpbitError{401, "nonce_used", "이미 요청한 nonce값이 다시 사용되었습니다."}));
}

TEST_F(UpbitAuth, RefusedRequest_DoesNotBurnItsNonce) {
  EXPECT_EQ(outcome(kHs512Query, "market=KRW-ETH"), "invalid_query_payload");
  EXPECT_EQ(outcome(kHs512Query, kQuery), "accepted");
}

TEST_F(UpbitAuth, MissingNonce_RejectedInvalidQueryPayload) {
  EXPECT_EQ(outcome(make_token(R"({"alg":"HS256"})", R"({"access_key":"sim-access-1"})",
                               DigestAlgorithm::kSha256, kSecret)),
            "invalid_query_payload");
}

TEST_F(UpbitAuth, WrongSecret_RejectedJwtVerification) {
  const std::string token = make_token(R"({"alg":"HS256","typ":"JWT"})",
                                       R"({"access_key":"sim-access-1","nonce":"n-wrong-secret"})",
                                       DigestAlgorithm::kSha256, "not-the-secret");
  const auto result = authenticate(token);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), (UpbitError{401, "jwt_verification", "잘못된 API 키입니다."}));
}

TEST_F(UpbitAuth, AlgNone_RejectedJwtVerification) {
  const std::string header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = base64url_encode(R"({"access_key":"sim-access-1","nonce":"n-none"})");
  EXPECT_EQ(outcome(header + "." + payload + "."), "jwt_verification");
  // Even with a valid HMAC attached, "none" is not an algorithm Upbit accepts.
  const std::string signing_input = header + "." + payload;
  EXPECT_EQ(
      outcome(signing_input + "." + base64url_encode(hmac(DigestAlgorithm::kSha256, kSecret, signing_input))),
      "jwt_verification");
}

TEST_F(UpbitAuth, Rs256AndHs384_RejectedJwtVerification) {
  const std::string payload = R"({"access_key":"sim-access-1","nonce":"n-alg-confusion"})";
  EXPECT_EQ(outcome(make_token(R"({"alg":"RS256","typ":"JWT"})", payload, DigestAlgorithm::kSha256, kSecret)),
            "jwt_verification");
  EXPECT_EQ(outcome(make_token(R"({"alg":"HS384","typ":"JWT"})", payload, DigestAlgorithm::kSha512, kSecret)),
            "jwt_verification");
}

TEST_F(UpbitAuth, Hs512HeaderOverHs256Signature_RejectedJwtVerification) {
  EXPECT_EQ(
      outcome(make_token(R"({"alg":"HS512","typ":"JWT"})", R"({"access_key":"sim-access-1","nonce":"n-mix"})",
                         DigestAlgorithm::kSha256, kSecret)),
      "jwt_verification");
}

TEST_F(UpbitAuth, TamperedPayload_RejectedJwtVerification) {
  // kHs256Plain's header and signature around a payload naming another nonce.
  const std::string token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
                            base64url_encode(R"({"access_key":"sim-access-1","nonce":"nonce-hs256-other"})") +
                            ".nTnBrkqJsflQ-suyn-w0v-kXyF1dHGVIparm33pYiq0";
  EXPECT_EQ(outcome(token), "jwt_verification");
}

TEST_F(UpbitAuth, SignatureWithFlippedUnusedBits_RejectedJwtVerification) {
  // The last base64url character of a 32-byte HMAC carries two unused bits: '0' -> '1' decodes alike.
  std::string token(kHs256Plain);
  ASSERT_EQ(token.back(), '0');
  token.back() = '1';
  EXPECT_EQ(outcome(token), "jwt_verification");
}

TEST_F(UpbitAuth, MalformedTokens_RejectedJwtVerification) {
  EXPECT_EQ(outcome("not-a-jwt"), "jwt_verification");
  EXPECT_EQ(outcome(std::string(kHs256Plain) + ".extra"), "jwt_verification");
  EXPECT_EQ(outcome(make_token("[1,2]", R"({"access_key":"sim-access-1","nonce":"n"})",
                               DigestAlgorithm::kSha256, kSecret)),
            "jwt_verification");
  EXPECT_EQ(outcome(make_token(R"({"alg":256})", R"({"access_key":"sim-access-1","nonce":"n"})",
                               DigestAlgorithm::kSha256, kSecret)),
            "jwt_verification");
}

TEST_F(UpbitAuth, UnknownOrMissingAccessKey_RejectedInvalidAccessKey) {
  const std::string unknown =
      make_token(R"({"alg":"HS256"})", R"({"access_key":"nobody","nonce":"n-unknown"})",
                 DigestAlgorithm::kSha256, kSecret);
  const auto result = authenticate(unknown);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), (UpbitError{401, "invalid_access_key", "잘못된 엑세스 키입니다."}));
  EXPECT_EQ(
      outcome(make_token(R"({"alg":"HS256"})", R"({"nonce":"n-none"})", DigestAlgorithm::kSha256, kSecret)),
      "invalid_access_key");
}

TEST_F(UpbitAuth, ExpiredAccessKey_RejectedExpiredAccessKey) {
  key_.expires_at = kNow;
  EXPECT_EQ(outcome(kHs256Plain), "expired_access_key");
}

TEST_F(UpbitAuth, MissingOrNonBearerAuthorization_Rejected) {
  const auto missing = authenticator_.authenticate(UpbitSignedRequest{}, kNow);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().name, "no_authorization_token");
  EXPECT_EQ(missing.error().http_status, 401);
  const std::string basic = "Basic " + std::string(kHs256Plain);
  EXPECT_EQ(authenticator_.authenticate(UpbitSignedRequest{basic, "", "", ""}, kNow).error().name,
            "jwt_verification");
}

TEST(UpbitError, ToJson_IsUpbitErrorBody) {
  const UpbitError error{401, "invalid_query_payload", "Jwt의 query를 검증하는데 실패하였습니다."};
  EXPECT_EQ(
      error.to_json(),
      R"({"error":{"name":"invalid_query_payload","message":"Jwt의 query를 검증하는데 실패하였습니다."}})");
}

TEST(NonceRegistry, FullKey_ForgetsItsOldestNonceOnly) {
  NonceRegistry nonces(2);
  EXPECT_TRUE(nonces.record("key", "a"));
  EXPECT_TRUE(nonces.record("key", "b"));
  EXPECT_TRUE(nonces.record("key", "c"));
  EXPECT_FALSE(nonces.record("key", "c"));
  EXPECT_FALSE(nonces.record("key", "b"));
  EXPECT_TRUE(nonces.record("key", "a"));
}

TEST(NonceRegistry, SameNonceUnderAnotherKey_Accepted) {
  NonceRegistry nonces;
  EXPECT_TRUE(nonces.record("key-1", "n"));
  EXPECT_TRUE(nonces.record("key-2", "n"));
  EXPECT_FALSE(nonces.record("key-1", "n"));
}

TEST(UpbitQueryString, FlatJsonBody_RenderedInBodyOrderUnencoded) {
  EXPECT_EQ(upbit_query_string_from_json(
                R"({"market":"KRW-BTC","identifier":"a b&c","volume":1e-3,"price":150389000.0,"ok":true})")
                .value(),
            "market=KRW-BTC&identifier=a b&c&volume=1e-3&price=150389000.0&ok=true");
}

TEST(UpbitQueryString, Arrays_RenderedAsKeyBracketsPerElement) {
  EXPECT_EQ(upbit_query_string_from_json(R"({"uuids":["u1","u2"],"states[]":["wait"]})").value(),
            "uuids[]=u1&uuids[]=u2&states[]=wait");
}

TEST(UpbitQueryString, EscapedStrings_RenderedUnescaped) {
  EXPECT_EQ(upbit_query_string_from_json(R"({"identifier":"q\"\u0041"})").value(), "identifier=q\"A");
}

TEST(UpbitParameters, JsonNull_ReadsAsAbsentButIsHashedAsNull) {
  const auto parameters =
      UpbitParameters::from_json(R"({"price":null,"time_in_force":null,"uuids":["a",null]})").value();
  EXPECT_EQ(parameters.get("price"), std::nullopt);
  EXPECT_EQ(parameters.get("time_in_force"), std::nullopt);
  EXPECT_EQ(parameters.all("uuids[]"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(parameters.query_string(), "price=null&time_in_force=null&uuids[]=a&uuids[]=null");
}

TEST(UpbitQueryString, EmptyObject_GivesEmptyText) {
  EXPECT_EQ(upbit_query_string_from_json("{}").value(), "");
}

TEST(UpbitQueryString, NonFlatOrNonObjectBodies_Refused) {
  for (const std::string_view body :
       {R"({"a":{"b":1}})", R"({"a":[[1]]})", R"(["a"])", R"("a")", "{", "{} x"}) {
    const auto result = upbit_query_string_from_json(body);
    ASSERT_FALSE(result.has_value()) << body;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(upbit_query_string_from_json(R"({"a":{"b":1}})").error().message,
            R"(request body "{\"a\":{\"b\":1}}": a member is an object)");
}

}  // namespace
}  // namespace kimp::sim
