// Tests of Upbit JWT signing: fixed reference tokens, nonces, and acceptance by the emulator's checker.
#include "venues/upbit/credential.hpp"

#include <set>

#include <gtest/gtest.h>

#include "sim/auth/upbit_auth.hpp"
#include "venues/upbit/requests.hpp"

namespace kimp::venues::upbit {
namespace {

// The reference vectors of tests/sim/auth_upbit_test.cpp (made with Python's hmac/hashlib/base64).
constexpr std::string_view kAccessKey = "sim-access-1";
constexpr std::string_view kSecret = "sim-upbit-secret-1";
constexpr std::string_view kQuery = "market=KRW-BTC&states[]=wait&states[]=watch";
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

std::string jwt(std::string_view nonce, std::string_view query, UpbitJwtAlgorithm algorithm) {
  return upbit_jwt(kAccessKey, kSecret, nonce, query, algorithm).value();
}

TEST(UpbitJwt, Hs256WithoutQuery_MatchesReferenceToken) {
  EXPECT_EQ(jwt("nonce-hs256-plain", "", UpbitJwtAlgorithm::kHs256), kHs256Plain);
}

TEST(UpbitJwt, Hs512WithoutQuery_MatchesReferenceToken) {
  EXPECT_EQ(jwt("nonce-hs512-plain", "", UpbitJwtAlgorithm::kHs512), kHs512Plain);
}

TEST(UpbitJwt, Hs256WithQueryHash_MatchesReferenceToken) {
  EXPECT_EQ(jwt("nonce-hs256-query", kQuery, UpbitJwtAlgorithm::kHs256), kHs256Query);
}

TEST(UpbitJwt, Hs512WithQueryHash_MatchesReferenceToken) {
  EXPECT_EQ(jwt("nonce-hs512-query", kQuery, UpbitJwtAlgorithm::kHs512), kHs512Query);
}

TEST(UpbitJwt, QueryHashCoversExactBytes_EncodedQueryGivesAnotherToken) {
  EXPECT_NE(jwt("nonce-hs512-query", "market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch",
                UpbitJwtAlgorithm::kHs512),
            kHs512Query);
}

TEST(UpbitCredential, Authorization_IsBearerWithUuidV4Nonce) {
  UpbitCredential credential{std::string(kAccessKey), std::string(kSecret), 7};
  const std::string header = credential.authorization("").value();
  ASSERT_TRUE(header.starts_with("Bearer "));
  UpbitCredential same_seed{std::string(kAccessKey), std::string(kSecret), 7};
  const std::string nonce = same_seed.next_nonce();
  EXPECT_EQ(header.substr(7), jwt(nonce, "", UpbitJwtAlgorithm::kHs512));
  ASSERT_EQ(nonce.size(), 36U);
  EXPECT_EQ(nonce[8], '-');
  EXPECT_EQ(nonce[13], '-');
  EXPECT_EQ(nonce[14], '4');  // version
  EXPECT_EQ(nonce[18], '-');
  EXPECT_NE(std::string_view("89ab").find(nonce[19]), std::string_view::npos);  // variant
  EXPECT_EQ(nonce[23], '-');
}

TEST(UpbitCredential, Nonces_DoNotRepeat) {
  UpbitCredential credential{std::string(kAccessKey), std::string(kSecret), 11};
  std::set<std::string> nonces;
  for (int i = 0; i < 1000; ++i) {
    nonces.insert(credential.next_nonce());
  }
  EXPECT_EQ(nonces.size(), 1000U);
}

// The emulator's Upbit checker, holding kAccessKey's secret.
class UpbitCredentialOnEmulator : public ::testing::Test {
 protected:
  // The checker's verdict on `request` signed by the credential: the parameters it read, or its error name.
  std::string verdict(const UpbitRequest& request, UpbitJwtAlgorithm algorithm = UpbitJwtAlgorithm::kHs512) {
    const std::string authorization = credential_.authorization(request.signed_text, algorithm).value();
    const auto result = authenticator_.authenticate(
        sim::UpbitSignedRequest{authorization, request.body.empty() ? "" : "application/json; charset=utf-8",
                                request.query, request.body},
        kNow);
    return result ? "accepted " + result->parameters.query_string() : result.error().name;
  }

  static constexpr Timestamp kNow = Timestamp::from_ns(1'750'000'000'000'000'000);
  sim::ApiKey key_{"acct-upbit-1", std::string(kSecret), std::nullopt};
  sim::UpbitAuthenticator authenticator_{
      [this](std::string_view id) { return id == kAccessKey ? &key_ : nullptr; }};
  UpbitCredential credential_{std::string(kAccessKey), std::string(kSecret), 42};
};

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();

TEST_F(UpbitCredentialOnEmulator, AccountsWithoutParameters_Accepted) {
  EXPECT_EQ(verdict(accounts_request()), "accepted ");
  EXPECT_EQ(verdict(accounts_request(), UpbitJwtAlgorithm::kHs256), "accepted ");
}

TEST_F(UpbitCredentialOnEmulator, GetOrderQuery_AcceptedWithItsParameters) {
  EXPECT_EQ(verdict(get_order_request({"", "BTC_1700000000_1"}).value()),
            "accepted identifier=BTC_1700000000_1");
}

TEST_F(UpbitCredentialOnEmulator, CancelByUuid_Accepted) {
  EXPECT_EQ(verdict(cancel_order_request({"9ca023a5-851b-4fec-9f0a-48cd83c2eaae", ""}).value()),
            "accepted uuid=9ca023a5-851b-4fec-9f0a-48cd83c2eaae");
}

TEST_F(UpbitCredentialOnEmulator, LimitIocBody_AcceptedAsTheHashedQuery) {
  const auto request =
      limit_order_request(krw_btc, model::Side::kBuy, Decimal::parse("150000000").value(),
                          Decimal::parse("0.0123").value(), model::TimeInForce::kIoc, "BTC_1700000000_2")
          .value();
  EXPECT_EQ(verdict(request),
            "accepted market=KRW-BTC&side=bid&volume=0.0123&price=150000000&ord_type=limit&"
            "time_in_force=ioc&identifier=BTC_1700000000_2");
}

TEST_F(UpbitCredentialOnEmulator, MarketBuyAndSellBodies_Accepted) {
  EXPECT_EQ(verdict(market_buy_request(krw_btc, Decimal::parse("50000").value(), "BTC_1_3").value()),
            "accepted market=KRW-BTC&side=bid&price=50000&ord_type=price&identifier=BTC_1_3");
  EXPECT_EQ(verdict(market_sell_request(krw_btc, Decimal::parse("0.5").value(), "BTC_1_4").value()),
            "accepted market=KRW-BTC&side=ask&volume=0.5&ord_type=market&identifier=BTC_1_4");
}

TEST_F(UpbitCredentialOnEmulator, ListParameterBody_AcceptedWithBracketKeys) {
  UpbitParams params;
  const std::string uuids[] = {"u-1", "u-2"};
  ASSERT_TRUE(params.add_list("uuids", uuids).has_value());
  const UpbitRequest request{UpbitMethod::kPost, "/v1/orders/uuids",    "",
                             params.json_body(), params.query_string(), true};
  EXPECT_EQ(verdict(request), "accepted uuids[]=u-1&uuids[]=u-2");
}

TEST_F(UpbitCredentialOnEmulator, TokenSignedForAnotherQuery_RefusedInvalidQueryPayload) {
  UpbitRequest request = order_chance_request(krw_btc).value();
  const std::string authorization = credential_.authorization("market=KRW-ETH").value();
  const auto result = authenticator_.authenticate(
      sim::UpbitSignedRequest{authorization, "", request.query, request.body}, kNow);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().name, "invalid_query_payload");
}

TEST_F(UpbitCredentialOnEmulator, WrongSecret_RefusedJwtVerification) {
  UpbitCredential wrong{std::string(kAccessKey), "not-the-secret", 1};
  const std::string authorization = wrong.authorization("").value();
  const auto result = authenticator_.authenticate(sim::UpbitSignedRequest{authorization, "", "", ""}, kNow);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().name, "jwt_verification");
}

TEST_F(UpbitCredentialOnEmulator, RepeatedRequests_EachGetAFreshNonce) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(verdict(accounts_request()), "accepted ") << i;
  }
}

}  // namespace
}  // namespace kimp::venues::upbit
