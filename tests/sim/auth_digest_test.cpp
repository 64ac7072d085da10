// Tests of the signature building blocks against published vectors (FIPS 180-2, RFC 4231, RFC 4648).
#include "sim/auth/digest.hpp"

#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

TEST(Digest, Sha512OfAbc_MatchesFips180Vector) {
  EXPECT_EQ(to_hex(digest(DigestAlgorithm::kSha512, "abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
            "454d4423643ce"
            "80e2a9ac94fa54ca49f");
}

TEST(Digest, HmacJefe_MatchesRfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac(DigestAlgorithm::kSha256, "Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(to_hex(hmac(DigestAlgorithm::kSha512, "Jefe", "what do ya want for nothing?")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
            "caeab1a34d4a6b"
            "4b636e070a38bce737");
}

TEST(Base64Url, RoundTrip_UsesUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  EXPECT_EQ(base64url_decode("Zm9vYmFy").value(), "foobar");
  EXPECT_EQ(base64url_decode("").value(), "");
}

TEST(Base64Url, NonCanonicalText_Refused) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());  // padding
  EXPECT_FALSE(base64url_decode("+/8").has_value());   // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v YmFy").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());  // a length no encoding has
  EXPECT_FALSE(base64url_decode("Zh").has_value());     // unused bits set ("Zg" is the encoding of "f")
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace kimp::sim
