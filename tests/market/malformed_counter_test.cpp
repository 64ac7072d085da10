// Tests of MalformedCounter: counts per kind, one warning per kind with the frame's head escaped.
#include "market/malformed_counter.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>

#include "core/result.hpp"

namespace kimp::market {
namespace {

class MalformedCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::init(log::Format::kJson, spdlog::level::debug,
              std::make_shared<spdlog::sinks::ostream_sink_mt>(out_, true));
  }
  void TearDown() override { log::init(log::Format::kHuman, spdlog::level::info); }

  [[nodiscard]] std::size_t lines() const {
    const std::string text = out_.str();
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  std::ostringstream out_;
};

TEST_F(MalformedCounterTest, CountsPerKind_AndLogsOnlyTheFirstOfEachKind) {
  MalformedCounter counter("bybit.feed");
  const Error error{ErrorCode::kInvalidArgument, "", "bybit orderbook.200.BTCUSDT: level price: bad"};
  counter.record("bybit.linear.orderbook", error, R"({"topic":"orderbook.200.BTCUSDT"})");
  counter.record("bybit.linear.orderbook", error, R"({"topic":"orderbook.200.BTCUSDT"})");
  counter.record("bybit.linear.ticker", error, "{");
  EXPECT_EQ(counter.count("bybit.linear.orderbook"), 2U);
  EXPECT_EQ(counter.count("bybit.linear.ticker"), 1U);
  EXPECT_EQ(counter.count("bybit.linear.trade"), 0U);
  EXPECT_EQ(counter.total(), 3U);
  ASSERT_EQ(counter.kinds().size(), 2U);
  EXPECT_EQ(counter.kinds()[0].name, "bybit.linear.orderbook");
  EXPECT_EQ(lines(), 2U) << out_.str();
  const std::string text = out_.str();
  EXPECT_NE(text.find("\"kind\":\"bybit.linear.orderbook\""), std::string::npos) << text;
  EXPECT_NE(text.find("level price: bad"), std::string::npos) << text;
  EXPECT_NE(text.find("\"component\":\"bybit.feed\""), std::string::npos) << text;
}

TEST_F(MalformedCounterTest, LoggedFrameIsCutAt200BytesAndEscaped) {
  MalformedCounter counter("feed");
  const std::string frame = "\n" + std::string(300, 'x');
  counter.record("k", Error{ErrorCode::kInvalidArgument, "", "bad"}, frame);
  const std::string text = out_.str();
  // 200 bytes: the newline (escaped as \x0a) and 199 x, then the cut mark.
  EXPECT_NE(text.find("\\\\x0a" + std::string(199, 'x') + "...\\\""), std::string::npos) << text;
  EXPECT_EQ(text.find(std::string(200, 'x')), std::string::npos);
  EXPECT_NE(text.find("\"bytes\":301"), std::string::npos) << text;
}

}  // namespace
}  // namespace kimp::market
