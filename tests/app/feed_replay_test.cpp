// End-to-end tests of `kimp feed-replay`: the shared captures through the binary, checked on its JSON line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/app/command_output.hpp"

namespace kimp {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// A file of the shared captures.
std::string capture(const std::string& name) {
  return KIMP_SOURCE_DIR "/../shared/data/capture/" + name;
}

using Replay = CommandOutput;

class FeedReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("kimp_feed_replay_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] Replay run(const std::string& args) const {
    return run_command_line(KIMP_CLI_PATH " feed-replay " + args, dir_);
  }

  // The report line, which must be the only output on stdout.
  static json::object report(const Replay& replay) {
    EXPECT_EQ(replay.out.find('\n'), replay.out.size() - 1) << replay.out;
    return json::parse(replay.out).as_object();
  }

  static const json::object& book(const json::object& report, std::string_view venue,
                                  std::string_view category, std::string_view symbol) {
    for (const auto& entry : report.at("books").as_array()) {
      const auto& candidate = entry.as_object();
      if (candidate.at("venue").as_string() == venue && candidate.at("category").as_string() == category &&
          candidate.at("symbol").as_string() == symbol) {
        return candidate;
      }
    }
    throw std::runtime_error("no book " + std::string(symbol));
  }

  fs::path dir_;
};

TEST_F(FeedReplayTest, BybitCapture_ReportsEveryFrameAndTheFinalBooks) {
  const Replay replay = run(capture("bybit_v5_public_ws_2026-08-09.jsonl"));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json::object result = report(replay);
  EXPECT_EQ(result.at("frames").as_int64(), 3227);
  EXPECT_EQ(result.at("malformed").as_int64(), 0);
  EXPECT_EQ(result.at("skipped").as_int64(), 0);
  EXPECT_EQ(result.at("rejected").as_int64(), 0);
  EXPECT_GT(result.at("seconds").to_number<double>(), 0.0);
  EXPECT_GT(result.at("frames_per_s").to_number<double>(), 0.0);
  ASSERT_EQ(result.at("books").as_array().size(), 6U);
  // The values the map-based reconstruction of bybit_stream_tests gives after the last frame.
  const json::object& btc = book(result, "bybit", "linear", "BTCUSDT");
  EXPECT_EQ(btc.at("best_bid"), json::parse(R"({"price":"65114.2","size":"5.974"})"));
  EXPECT_EQ(btc.at("best_ask"), json::parse(R"({"price":"65114.3","size":"9.06"})"));
  EXPECT_EQ(btc.at("bids").as_int64(), 200);
  EXPECT_EQ(btc.at("asks").as_int64(), 200);
  EXPECT_EQ(btc.at("valid"), true);
  EXPECT_EQ(btc.at("gaps").as_int64(), 0);
  // Spot has its own BTCUSDT book.
  EXPECT_NE(book(result, "bybit", "spot", "BTCUSDT").at("best_bid"), btc.at("best_bid"));
}

TEST_F(FeedReplayTest, Repeat_ReplaysTheCaptureAgainWithoutGaps) {
  const Replay replay = run(capture("bybit_v5_public_ws_2026-08-09.jsonl") + " --repeat 3");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json::object result = report(replay);
  EXPECT_EQ(result.at("frames").as_int64(), 3 * 3227);
  EXPECT_EQ(result.at("rejected").as_int64(), 0);
  const json::object& btc = book(result, "bybit", "linear", "BTCUSDT");
  EXPECT_EQ(btc.at("best_bid"), json::parse(R"({"price":"65114.2","size":"5.974"})"));
  EXPECT_EQ(btc.at("updates").as_int64(), 3 * 414);
}

TEST_F(FeedReplayTest, UpbitCapture_BuildsBooksFromItsBinaryFrames) {
  const Replay replay = run(capture("upbit_ws_simple_2021-04-17.jsonl"));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json::object result = report(replay);
  EXPECT_EQ(result.at("frames").as_int64(), 449);
  EXPECT_EQ(result.at("malformed").as_int64(), 0);
  EXPECT_EQ(result.at("books").as_array().size(), 5U);
  const json::object& waves = book(result, "upbit", "spot", "KRW-WAVES");
  EXPECT_EQ(waves.at("best_bid"), json::parse(R"({"price":"20230","size":"23.55726098"})"));
  EXPECT_EQ(waves.at("best_ask"), json::parse(R"({"price":"20240","size":"50"})"));
  EXPECT_EQ(waves.at("bids").as_int64(), 15);
  EXPECT_EQ(waves.at("asks").as_int64(), 15);
}

TEST_F(FeedReplayTest, MalformedFrames_AreCountedAndSkipped) {
  const auto path = dir_ / "broken.jsonl";
  std::ofstream(path)
      << R"({"t":"connect","conn":"L","ts":1,"addr":"wss://stream.bybit.com/v5/public/linear"})"
         "\n"
      << R"({"t":"recv","conn":"L","ts":2,"data":"{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"snapshot\""})"
         "\n"
      << R"({"t":"recv","conn":"L","ts":3,"data":"{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"s\":\"BTCUSDT\",\"b\":[[\"10\",\"1\"]],\"a\":[[\"11\",\"2\"]],\"u\":1,\"seq\":5}}"})"
         "\n"
      << R"({"t":"recv","conn":"other","ts":4,"data":"x"})"
         "\n";
  const Replay replay = run(path.string());
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json::object result = report(replay);
  EXPECT_EQ(result.at("frames").as_int64(), 3);
  EXPECT_EQ(result.at("malformed").as_int64(), 1);
  EXPECT_EQ(result.at("skipped").as_int64(), 1);
  const json::object& btc = book(result, "bybit", "linear", "BTCUSDT");
  EXPECT_EQ(btc.at("best_bid"), json::parse(R"({"price":"10","size":"1"})"));
  EXPECT_EQ(btc.at("best_ask"), json::parse(R"({"price":"11","size":"2"})"));
  EXPECT_NE(replay.err.find("malformed frame skipped"), std::string::npos) << replay.err;
}

TEST_F(FeedReplayTest, MissingFile_Exits1WithTheReason) {
  const Replay replay = run((dir_ / "absent.jsonl").string());
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_TRUE(replay.out.empty()) << replay.out;
  EXPECT_NE(replay.err.find("cannot open capture"), std::string::npos) << replay.err;
  EXPECT_NE(replay.err.find("absent.jsonl"), std::string::npos) << replay.err;
}

TEST_F(FeedReplayTest, RepeatOfZero_IsAUsageError) {
  EXPECT_EQ(run(capture("bybit_v5_public_ws_2026-08-09.jsonl") + " --repeat 0").exit_code, 64);
}

}  // namespace
}  // namespace kimp
