// Candle replay: joining candles with daily FX without look-ahead, and the replay over the shared files.
#include "runtime/candle_replay.hpp"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/load.hpp"
#include "market/candle_file.hpp"
#include "runtime/replay_report.hpp"

namespace kimp::runtime {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr Duration kInterval = minutes(5);

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

Timestamp at(const char* iso) {
  return Timestamp::parse_iso8601(iso).value();
}

constexpr Timestamp kDay = Timestamp::from_ns(1'751'328'000'000'000'000);  // 2025-07-01T00:00:00Z

market::Candle candle(Timestamp open_time, const char* close) {
  return {open_time, dec(close)};
}

// Rates for 2025-06-30 (known from 07-01 00:00) and 2025-07-01 (known from 07-02 00:00).
std::vector<market::DailyRate> two_rates() {
  return {{kDay - hours(24), dec("1380")}, {kDay, dec("1390")}};
}

TEST(JoinCandles, CandlesAtTheSameTime_AreJoinedAndTheRestCounted) {
  const Timestamp t = kDay + hours(1);
  const std::vector<market::Candle> upbit = {candle(t, "140000000"), candle(t + kInterval, "140100000"),
                                             candle(t + kInterval * 2, "140200000"),
                                             candle(t + kInterval * 4, "140400000")};
  const std::vector<market::Candle> usdt = {
      candle(t + kInterval, "100001"), candle(t + kInterval * 2, "100002"),
      candle(t + kInterval * 3, "100003"), candle(t + kInterval * 4, "100004"),
      candle(t + kInterval * 5, "100005")};
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(96));
  ASSERT_TRUE(joined) << joined.error().describe();
  ASSERT_EQ(joined->bars.size(), 3U);
  EXPECT_EQ(joined->upbit_only, 1U);  // t
  EXPECT_EQ(joined->usdt_only, 2U);   // t + 3 and t + 5 intervals
  EXPECT_EQ(joined->without_fx, 0U);
  const ReplayBar& first = joined->bars[0];
  EXPECT_EQ(first.open_time, t + kInterval);
  EXPECT_EQ(first.upbit_close, dec("140100000"));
  EXPECT_EQ(first.usdt_close, dec("100001"));
  // The 06-30 close, known since 07-01 00:00; the bar closes at 01:10.
  EXPECT_EQ(first.usd_krw, dec("1380"));
  EXPECT_EQ(first.fx_age, hours(1) + minutes(10));
  EXPECT_EQ(joined->bars[1].open_time, t + kInterval * 2);
  EXPECT_EQ(joined->bars[2].open_time, t + kInterval * 4);
  EXPECT_EQ(joined->bars[2].usdt_close, dec("100004"));
}

TEST(JoinCandles, DailyRate_IsKnownOnlyAfterTheEndOfItsDay) {
  const std::vector<market::Candle> upbit = {candle(kDay + hours(24) - kInterval * 2, "140000000"),
                                             candle(kDay + hours(24) - kInterval, "140100000")};
  const std::vector<market::Candle> usdt = {candle(kDay + hours(24) - kInterval * 2, "100000"),
                                            candle(kDay + hours(24) - kInterval, "100001")};
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(96));
  ASSERT_TRUE(joined) << joined.error().describe();
  ASSERT_EQ(joined->bars.size(), 2U);
  // The 23:50 bar closes at 23:55, before 07-01 has ended: it still uses the 06-30 close.
  EXPECT_EQ(joined->bars[0].usd_krw, dec("1380"));
  EXPECT_EQ(joined->bars[0].fx_age, hours(24) - kInterval);
  // The 23:55 bar closes at 07-02 00:00, when 07-01's close becomes known.
  EXPECT_EQ(joined->bars[1].usd_krw, dec("1390"));
  EXPECT_EQ(joined->bars[1].fx_age, Duration::zero());
}

TEST(JoinCandles, RateOlderThanFxMaxAgeOrNotYetKnown_LeavesTheBarOut) {
  // 06-30 23:50 closes at 23:55, before any rate is known; 23:55 closes at 07-01 00:00, when 06-30's
  // rate becomes known; 07-02 01:00 closes at 01:05, when 07-01's rate is 1 h 5 min old; 07-03 01:00 sees
  // the same rate 25 h 5 min old, over the 25 h limit.
  const std::vector<Timestamp> times = {kDay - kInterval * 2, kDay - kInterval, kDay, kDay + hours(25),
                                        kDay + hours(49)};
  std::vector<market::Candle> upbit;
  std::vector<market::Candle> usdt;
  for (const Timestamp open_time : times) {
    upbit.push_back(candle(open_time, "140000000"));
    usdt.push_back(candle(open_time, "100000"));
  }
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(25));
  ASSERT_TRUE(joined) << joined.error().describe();
  EXPECT_EQ(joined->without_fx, 2U);  // 06-30 23:50 (no rate known yet) and 07-03 01:00 (too old)
  EXPECT_EQ(joined->upbit_only, 0U);
  EXPECT_EQ(joined->usdt_only, 0U);
  ASSERT_EQ(joined->bars.size(), 3U);
  EXPECT_EQ(joined->bars[0].open_time, kDay - kInterval);
  EXPECT_EQ(joined->bars[0].usd_krw, dec("1380"));
  EXPECT_EQ(joined->bars[0].fx_age, Duration::zero());
  EXPECT_EQ(joined->bars[1].open_time, kDay);
  EXPECT_EQ(joined->bars[1].fx_age, minutes(5));
  EXPECT_EQ(joined->bars[2].open_time, kDay + hours(25));
  EXPECT_EQ(joined->bars[2].usd_krw, dec("1390"));
  EXPECT_EQ(joined->bars[2].fx_age, hours(1) + minutes(5));
}

TEST(JoinCandles, CandleNotOnTheInterval_IsAnErrorNamingIt) {
  const std::vector<market::Candle> upbit = {candle(kDay, "1"), candle(kDay + minutes(6), "1")};
  const std::vector<market::Candle> usdt = {candle(kDay, "1")};
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(96));
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(joined.error().message,
            "the Upbit candle at 2025-07-01T00:06:00.000Z is not aligned to the bar interval of 300 s");
}

TEST(JoinCandles, CandlesSpacedWiderThanTheInterval_IsAnError) {
  const std::vector<market::Candle> upbit = {candle(kDay, "1"), candle(kDay + kInterval, "1")};
  const std::vector<market::Candle> usdt = {candle(kDay, "1"), candle(kDay + minutes(10), "1"),
                                            candle(kDay + minutes(20), "1")};
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(96));
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(joined.error().message, "the USDT candles are 600 s apart but the bar interval is 300 s");
}

TEST(JoinCandles, NoBarLeft_IsAnErrorWithTheCounts) {
  const std::vector<market::Candle> upbit = {candle(kDay, "1")};
  const std::vector<market::Candle> usdt = {candle(kDay + kInterval, "1")};
  const Result<JoinedBars> joined = join_candles(upbit, usdt, two_rates(), kInterval, hours(96));
  ASSERT_FALSE(joined);
  EXPECT_EQ(
      joined.error().message,
      "no bar has both candles and a usable USD/KRW rate (1 Upbit only, 1 USDT only, 0 without a rate)");
}

// ---- The replay over the shared 5-minute files with config/replay.toml ----

constexpr const char* kReplayConfig = KIMP_SOURCE_DIR "/config/replay.toml";
constexpr const char* kUpbitCandles =
    KIMP_SOURCE_DIR "/../shared/data/candles/upbit_KRW-BTC_5m_2025-05-28_2025-08-23.csv";
constexpr const char* kUsdtCandles =
    KIMP_SOURCE_DIR "/../shared/data/candles/binance_BTCUSDT_5m_2025-05-25_2025-08-23.csv";
constexpr const char* kUsdKrwDaily = KIMP_SOURCE_DIR "/../shared/data/candles/usdkrw_daily.csv";

constexpr std::array<const char*, 4> kReportFiles = {"trades.csv", "trades.json", "summary.json",
                                                     "series.csv"};

Status run_replay(const config::Config& config, const std::string& dir) {
  KIMP_TRY(replay_candles(config, config.strategy.coins.front(), {kUpbitCandles, kUsdtCandles, kUsdKrwDaily},
                          dir));
  return ok();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) {
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == separator) {
    fields.emplace_back();
  }
  return fields;
}

// The rows of a CSV file after its header, as fields.
std::vector<std::vector<std::string>> csv_rows(const std::filesystem::path& path, const std::string& header) {
  std::istringstream in(read_text(path));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, header) << path;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    rows.push_back(split(line, ','));
  }
  return rows;
}

// The text of a JSON member's value in one-line `json`, up to the next ',' or '}'.
std::string json_value(const std::string& json, const std::string& key) {
  const std::string pattern = "\"" + key + "\":";
  const std::size_t start = json.find(pattern);
  if (start == std::string::npos) {
    ADD_FAILURE() << "no " << key << " in " << json;
    return {};
  }
  const std::size_t from = start + pattern.size();
  return json.substr(from, json.find_first_of(",}", from) - from);
}

class ReplayOfSharedCandles : public ::testing::Test {
 public:
  ~ReplayOfSharedCandles() override {
    std::error_code ignored;
    std::filesystem::remove_all(base_, ignored);
  }

 protected:
  ReplayOfSharedCandles()
      : base_(std::filesystem::temp_directory_path() /
              ("kimp_replay_test_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {}
  ReplayOfSharedCandles(const ReplayOfSharedCandles&) = delete;
  ReplayOfSharedCandles& operator=(const ReplayOfSharedCandles&) = delete;

  // Loads config/replay.toml and writes one replay into base_/name.
  std::filesystem::path replay_into(const std::string& name) {
    const config::ConfigResult config = config::load_config(kReplayConfig);
    if (!config) {
      ADD_FAILURE() << kReplayConfig << ": " << config.error().size() << " problem(s)";
      return {};
    }
    config_ = *config;
    std::filesystem::path dir = base_ / name;
    const Status written = run_replay(*config_, dir.string());
    EXPECT_TRUE(written) << (written ? "" : written.error().describe());
    return dir;
  }

  std::filesystem::path base_;
  std::optional<config::Config> config_;
};

TEST_F(ReplayOfSharedCandles, SameInputTwice_WritesByteIdenticalFiles) {
  const std::filesystem::path first = replay_into("first");
  const std::filesystem::path second = replay_into("second");
  for (const char* name : kReportFiles) {
    ASSERT_TRUE(std::filesystem::exists(first / name)) << name;
    const std::string text = read_text(first / name);
    EXPECT_FALSE(text.empty()) << name;
    EXPECT_TRUE(text == read_text(second / name)) << name << " differs between the two runs";
    EXPECT_FALSE(std::filesystem::exists(first / (std::string(name) + ".tmp"))) << name;
  }
}

TEST_F(ReplayOfSharedCandles, Trades_FollowTheRulesAndTheSeries) {
  const std::filesystem::path dir = replay_into("run");
  ASSERT_TRUE(config_);
  const config::StrategyConfig& strategy = config_->strategy;
  const Duration interval = config_->engine.bar_interval;

  // Bar close times whose mid z is known, with that z.
  const std::vector<std::vector<std::string>> series =
      csv_rows(dir / "series.csv", "ts,coin,upbit_close_krw,usdt_close,usd_krw,premium,mean,std,z,window");
  std::map<Timestamp, double> mid_z_at_close;
  for (const std::vector<std::string>& row : series) {
    ASSERT_EQ(row.size(), 10U);
    if (!row[8].empty()) {
      mid_z_at_close[at(row[0].c_str()) + interval] = std::stod(row[8]);
    }
  }
  // Every bar has a row; all but the first two (fewer than two premiums before them) have a z.
  const std::string summary = read_text(dir / "summary.json");
  EXPECT_EQ(std::to_string(series.size()), json_value(summary, "bars"));
  EXPECT_EQ(mid_z_at_close.size() + 2, series.size());

  const std::vector<std::vector<std::string>> trades = csv_rows(
      dir / "trades.csv",
      "pair_id,coin,opened_at,closed_at,exit_reason,qty,upbit_entry_krw,bybit_entry_usdt,upbit_exit_krw,"
      "bybit_exit_usdt,usdt_krw_entry,usdt_krw_exit,entry_premium,exit_premium,entry_z,exit_z,fees_usdt,"
      "funding_usdt,gross_pnl_usdt,net_pnl_usdt");
  ASSERT_GE(trades.size(), 1U);
  std::optional<Timestamp> previous_close;
  Decimal net_sum;
  const double stop = strategy.premium_stop_pct.to_double() / 100.0;
  for (const std::vector<std::string>& trade : trades) {
    ASSERT_EQ(trade.size(), 20U);
    const std::string& id = trade[0];
    const Timestamp opened_at = at(trade[2].c_str());
    const Timestamp closed_at = at(trade[3].c_str());
    const std::string& reason = trade[4];
    const double entry_premium = std::stod(trade[12]);
    const double exit_premium = std::stod(trade[13]);
    const double entry_z = std::stod(trade[14]);
    const double exit_z = std::stod(trade[15]);
    EXPECT_LE(entry_z, -strategy.entry_z) << "pair " << id;
    EXPECT_GT(closed_at, opened_at) << "pair " << id;
    if (reason == "signal") {
      EXPECT_GE(exit_z, strategy.exit_z) << "pair " << id;
    } else if (reason == "ttl") {
      EXPECT_GE(closed_at - opened_at, Duration(strategy.position_ttl)) << "pair " << id;
    } else if (reason == "premium_stop") {
      EXPECT_GE(entry_premium - exit_premium, stop - 1e-9) << "pair " << id;
    } else {
      EXPECT_EQ(reason, "end_of_data") << "pair " << id;
    }
    if (previous_close) {
      EXPECT_GE(opened_at, *previous_close) << "pair " << id << " overlaps the one before";
    }
    previous_close = closed_at;
    // Opened at a bar's close, where the mid premium (below the entry premium) was at least as low.
    const auto bar = mid_z_at_close.find(opened_at);
    ASSERT_NE(bar, mid_z_at_close.end()) << "pair " << id << " opened at " << trade[2] << ", no bar close";
    EXPECT_LE(bar->second, entry_z) << "pair " << id;
    const Result<Decimal> net = Decimal::parse(trade[19]);
    ASSERT_TRUE(net) << trade[19];
    const Result<Decimal> sum = net_sum.add(*net);
    ASSERT_TRUE(sum);
    net_sum = *sum;
  }

  EXPECT_EQ(json_value(summary, "trades"), std::to_string(trades.size()));
  const Result<Decimal> summary_net = Decimal::parse(json_value(summary, "net_pnl_usdt"));
  ASSERT_TRUE(summary_net) << summary;
  EXPECT_EQ(*summary_net, net_sum);
  EXPECT_EQ(json_value(summary, "mode"), "\"replay\"");
}

}  // namespace
}  // namespace kimp::runtime
