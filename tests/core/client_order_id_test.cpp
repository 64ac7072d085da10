// Tests of ClientOrderIdGenerator: layout, exchange limits, uniqueness within and across sessions.
#include "core/client_order_id.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kimp {
namespace {

const Timestamp kSessionStart = Timestamp::from_ms(1767225600000).value();  // 2026-01-01T00:00:00Z
constexpr std::uint64_t kSalt = 0xDEADBEEFCAFE;

bool exchange_safe(const std::string& id) {
  return !id.empty() && id.size() <= 36 &&
         id.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") ==
             std::string::npos;
}

TEST(ClientOrderIdGenerator, Next_IsCoinTagSessionAndBase36Sequence) {
  ClientOrderIdGenerator generator(kSessionStart, kSalt);
  EXPECT_EQ(generator.session_token(), "mjuohs00xszj0e");  // start ms, then salt, in base 36
  EXPECT_EQ(generator.next("BTC", "EU").value(), "BTC_EU_mjuohs00xszj0e_1");
  EXPECT_EQ(generator.next("XRP", "XB").value(), "XRP_XB_mjuohs00xszj0e_2");
  for (int i = 3; i < 36; ++i) {
    ASSERT_TRUE(generator.next("BTC", "EU").has_value());
  }
  EXPECT_EQ(generator.next("1000PEPE", "EU").value(), "1000PEPE_EU_mjuohs00xszj0e_10");
}

TEST(ClientOrderIdGenerator, StartBeforeEpoch_StillGivesAFullToken) {
  ClientOrderIdGenerator generator(Timestamp::from_ns(-1), 0);
  EXPECT_EQ(generator.session_token(), "zzzzzzzz000000");
}

TEST(ClientOrderIdGenerator, MillionIds_AreUniqueShortAndExchangeSafe) {
  ClientOrderIdGenerator generator(kSessionStart, kSalt);
  const std::vector<std::pair<std::string, std::string>> names = {
      {"BTC", "EU"}, {"ETH", "XB"}, {"ABCDEFGHIJ", "ABCD"}, {"X", "E"}};
  std::unordered_set<std::string> seen;
  seen.reserve(1'000'000);
  std::size_t longest = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const auto& [coin, tag] = names[static_cast<std::size_t>(i) % names.size()];
    const auto id = generator.next(coin, tag);
    ASSERT_TRUE(id.has_value()) << id.error();
    ASSERT_TRUE(exchange_safe(*id)) << *id;
    ASSERT_TRUE(seen.insert(*id).second) << "duplicate " << *id;
    longest = std::max(longest, id->size());
  }
  EXPECT_EQ(seen.size(), 1'000'000U);
  EXPECT_EQ(longest, 35U);  // "ABCDEFGHIJ_ABCD_" + 14-character token + "_" + 4 digits
}

std::unordered_set<std::string> ids_of(ClientOrderIdGenerator& generator, int count) {
  std::unordered_set<std::string> ids;
  for (int i = 0; i < count; ++i) {
    ids.insert(generator.next("BTC", "EU").value());
  }
  return ids;
}

bool disjoint(const std::unordered_set<std::string>& first, const std::unordered_set<std::string>& second) {
  for (const auto& id : first) {
    if (second.contains(id)) {
      return false;
    }
  }
  return true;
}

TEST(ClientOrderIdGenerator, TwoSessionsInTheSameMillisecond_DifferentSalts_AreDisjoint) {
  ClientOrderIdGenerator first(kSessionStart, 1);
  ClientOrderIdGenerator second(kSessionStart, 2);
  EXPECT_NE(first.session_token(), second.session_token());
  EXPECT_TRUE(disjoint(ids_of(first, 100'000), ids_of(second, 100'000)));
}

TEST(ClientOrderIdGenerator, RandomSalts_SeparateSessionsStartedTogether) {
  ClientOrderIdGenerator first(kSessionStart);
  ClientOrderIdGenerator second(kSessionStart);
  EXPECT_EQ(first.session_token().substr(0, 8), second.session_token().substr(0, 8));
  EXPECT_NE(first.session_token(), second.session_token());
  EXPECT_TRUE(disjoint(ids_of(first, 10'000), ids_of(second, 10'000)));
}

TEST(ClientOrderIdGenerator, RestartOneMillisecondLater_SameSalt_IsDisjoint) {
  ClientOrderIdGenerator before(kSessionStart, kSalt);
  ClientOrderIdGenerator after(kSessionStart + std::chrono::milliseconds{1}, kSalt);
  EXPECT_TRUE(disjoint(ids_of(before, 100'000), ids_of(after, 100'000)));
}

TEST(ClientOrderIdGenerator, InvalidCoinOrTag_IsInvalidArgumentAndUsesNoSequenceNumber) {
  ClientOrderIdGenerator generator(kSessionStart, kSalt);
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"", "EU", "client order id coin \"\" must be 1 to 10 characters of [0-9A-Za-z]"},
      {"ABCDEFGHIJK", "EU", "client order id coin \"ABCDEFGHIJK\" must be 1 to 10 characters of [0-9A-Za-z]"},
      {"BTC_X", "EU", "client order id coin \"BTC_X\" must be 1 to 10 characters of [0-9A-Za-z]"},
      {"BTC-X", "EU", "client order id coin \"BTC-X\" must be 1 to 10 characters of [0-9A-Za-z]"},
      {"비트", "EU", "client order id coin \"비트\" must be 1 to 10 characters of [0-9A-Za-z]"},
      {"BTC", "", "client order id tag \"\" must be 1 to 4 characters of [0-9A-Za-z]"},
      {"BTC", "ENTRY", "client order id tag \"ENTRY\" must be 1 to 4 characters of [0-9A-Za-z]"},
      {"BTC", "E U", "client order id tag \"E U\" must be 1 to 4 characters of [0-9A-Za-z]"},
  };
  for (const auto& [coin, tag, message] : cases) {
    const auto id = generator.next(coin, tag);
    ASSERT_FALSE(id.has_value()) << coin << "/" << tag;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(id.error().message, message);
  }
  EXPECT_EQ(generator.next("BTC", "EU").value(), "BTC_EU_mjuohs00xszj0e_1");
}

}  // namespace
}  // namespace kimp
