// Capture replays: the shared Bybit capture against a synthetic Upbit KRW-BTC capture whose premium
// oscillates, through books, bars, the gate and book-walk fills; byte-identical outputs across runs.
#include "runtime/capture_replay.hpp"

#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/load.hpp"

namespace kimp::runtime {
namespace {

constexpr const char* kBybitCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
// The Bybit capture's first and last receive times (epoch seconds), and BTCUSDT near its mid.
constexpr double kCaptureStart = 1786310818.0;
constexpr double kCaptureEnd = 1786310862.0;
constexpr double kBtcUsdt = 65'110.0;
constexpr double kUsdKrw = 1380.0;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / fmt::format("kimp_capture_replay_{}_{}", ::getpid(), name);
}

// Upbit DEFAULT-format orderbook frames of KRW-BTC every 100 ms, priced at a premium of 2 % ± 0.4 % with
// an 8-second period, in 1,000 KRW ticks.
std::filesystem::path write_upbit_capture() {
  std::filesystem::path path = temp_path("upbit.jsonl");
  std::ofstream out(path);
  out << fmt::format(
             R"({{"t":"connect","conn":"UPBIT.ws.1","ts":{:.3f},"addr":"wss://api.upbit.com/websocket/v1"}})",
             kCaptureStart)
      << '\n';
  for (double t = kCaptureStart; t <= kCaptureEnd; t += 0.1) {
    const double premium = 0.02 + 0.004 * std::sin(2.0 * M_PI * (t - kCaptureStart) / 8.0);
    const auto bid =
        static_cast<std::int64_t>(std::floor(kBtcUsdt * kUsdKrw * (1.0 + premium) / 1000.0)) * 1000;
    std::string units;
    for (int level = 0; level < 5; ++level) {
      units += fmt::format(R"({}{{\"ask_price\":{},\"bid_price\":{},\"ask_size\":0.5,\"bid_size\":0.5}})",
                           level == 0 ? "" : ",", bid + std::int64_t{1000} * (level + 1),
                           bid - std::int64_t{1000} * level);
    }
    const std::string frame = fmt::format(
        R"({{\"type\":\"orderbook\",\"code\":\"KRW-BTC\",\"timestamp\":{},\"total_ask_size\":2.5,\"total_bid_size\":2.5,\"orderbook_units\":[{}],\"stream_type\":\"REALTIME\"}})",
        static_cast<std::int64_t>(t * 1000), units);
    out << fmt::format(R"({{"t":"recv","conn":"UPBIT.ws.1","ts":{:.3f},"data":"{}"}})", t, frame) << '\n';
  }
  return path;
}

config::Config capture_config() {
  const std::filesystem::path path = temp_path("config.toml");
  std::ofstream(path) << R"([engine]
mode = "simulation"
session = "capture_replay"
bar_interval = "1s"

[strategy]
coins = ["BTC"]
window_bars = 5
entry_z = 1.2
exit_z = 0.0
position_ttl_sec = 60
cooldown_sec = 0
min_profit_pct = 0.01
max_position_usdt = 500
)";
  auto config = config::load_config(path.string());
  std::filesystem::remove(path);
  EXPECT_TRUE(config.has_value());
  return config.has_value() ? *config : config::Config{};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CaptureReplay, OscillatingPremium_TradesOnTheRecordedBooksAndRepeatsByteForByte) {
  const std::filesystem::path upbit = write_upbit_capture();
  const config::Config config = capture_config();
  const CaptureFx fx{Decimal::parse("1380").value(), {}};
  const std::filesystem::path first = temp_path("out1");
  const std::filesystem::path second = temp_path("out2");
  const auto summary = replay_captures(config, {kBybitCapture, upbit.string()}, fx, first.string());
  ASSERT_TRUE(summary.has_value()) << summary.error().describe();
  const auto again = replay_captures(config, {kBybitCapture, upbit.string()}, fx, second.string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*summary, *again);
  for (const char* file : {"trades.csv", "trades.json", "summary.json", "series.csv"}) {
    EXPECT_EQ(read_text(first / file), read_text(second / file)) << file;
    EXPECT_FALSE(read_text(first / file).empty()) << file;
  }
  EXPECT_NE(summary->find(R"("fill_model":"book_walk")"), std::string::npos) << *summary;
  EXPECT_NE(summary->find(R"("bybit_rules_recorded":1)"), std::string::npos) << *summary;
  EXPECT_EQ(summary->find(R"("trades":0,)"), std::string::npos) << *summary;
  // Every trade's quantity is on BTCUSDT's recorded qtyStep of 0.001.
  std::istringstream trades(read_text(first / "trades.csv"));
  std::string line;
  std::getline(trades, line);
  std::size_t rows = 0;
  while (std::getline(trades, line)) {
    ++rows;
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) {
      fields.push_back(cell);
    }
    ASSERT_GT(fields.size(), 5U);
    const Decimal qty = Decimal::parse(fields[5]).value();
    EXPECT_EQ(qty.units() % Decimal::parse("0.001").value().units(), 0) << line;
    EXPECT_TRUE(qty.is_positive());
  }
  EXPECT_GE(rows, 1U);
  std::filesystem::remove(upbit);
  std::filesystem::remove_all(first);
  std::filesystem::remove_all(second);
}

TEST(CaptureReplay, MissingCapture_IsAnErrorNamingTheFile) {
  const auto summary = replay_captures(capture_config(), {"/nonexistent/capture.jsonl"},
                                       {Decimal::parse("1380").value(), {}}, temp_path("missing").string());
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(summary.error().message.find("/nonexistent/capture.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace kimp::runtime
