// Symbol: the inline instrument name every market event carries.
#include "model/types.hpp"

#include <string>

#include <gtest/gtest.h>

#include "model/account_events.hpp"

namespace kimp::model {
namespace {

TEST(SymbolTest, HoldsVenueNamesUpToItsCapacity) {
  const auto btc = Symbol::create("KRW-BTC");
  ASSERT_TRUE(btc);
  EXPECT_EQ(btc->view(), "KRW-BTC");
  const std::string longest(Symbol::kCapacity, 'A');
  ASSERT_TRUE(Symbol::create(longest));
  EXPECT_EQ(Symbol::create(longest)->view(), longest);
  EXPECT_FALSE(Symbol::create(longest + "A"));
}

TEST(SymbolTest, RefusesEmptyTextAndBytesOutsideTheSymbolAlphabet) {
  EXPECT_FALSE(Symbol::create(""));
  EXPECT_FALSE(Symbol::create("BTC USDT"));
  EXPECT_FALSE(Symbol::create("BTC/USDT"));
  EXPECT_FALSE(Symbol::create(std::string("BTC\0USDT", 8)));
  const auto error = Symbol::create("BTC\"USDT").error();
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(error.message.find(R"("BTC\"USDT")"), std::string::npos);
}

TEST(SymbolTest, ComparesByText) {
  EXPECT_EQ(*Symbol::create("BTCUSDT"), *Symbol::create("BTCUSDT"));
  EXPECT_LT(*Symbol::create("BTCUSDT"), *Symbol::create("ETHUSDT"));
  EXPECT_NE(*Symbol::create("BTCUSDT"), Symbol{});
}

TEST(OrderStatusTest, OnlyFilledCancelledAndRejectedAreTerminal) {
  EXPECT_FALSE(is_terminal(OrderStatus::kNew));
  EXPECT_FALSE(is_terminal(OrderStatus::kPartiallyFilled));
  EXPECT_TRUE(is_terminal(OrderStatus::kFilled));
  EXPECT_TRUE(is_terminal(OrderStatus::kCancelled));
  EXPECT_TRUE(is_terminal(OrderStatus::kRejected));
  EXPECT_EQ(to_string(OrderStatus::kPartiallyFilled), "partially_filled");
}

}  // namespace
}  // namespace kimp::model
