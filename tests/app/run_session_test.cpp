// `kimp run` in simulation mode as a process against `kimp venue-sim`: status lines per bar, the summary
// as the last stdout line, clean stops on --duration and SIGTERM, no order on the venues, clear failures.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "storage/database.hpp"
#include "venue_sim_process.hpp"

namespace kimp::e2e {
namespace {

// A premium that swings within seconds, so that a short session sees signals.
constexpr std::string_view kFastMarket = R"([market]
premium_daily_sigma_pct = 40.0
premium_half_life_sec = 20
)";

struct RunOutput {
  std::vector<std::string> lines;
  int exit_code = -1;
};

// Each test's own data directory: its SQLite file and spill journal.
std::filesystem::path data_dir(std::string_view name) {
  return std::filesystem::temp_directory_path() / fmt::format("kimp_run_data_{}_{}", name, ::getpid());
}

// Writes a simulation config for the emulator's ports (or `upbit_url` instead of the emulator's Upbit).
// `strategy_extra` replaces the coin list of the [strategy] table.
std::filesystem::path write_config(std::string_view name, const VenueSimProcess& venue,
                                   std::string upbit_url = {}, std::string_view strategy_extra = {}) {
  if (upbit_url.empty()) {
    upbit_url = venue.upbit_url();
  }
  const std::string upbit_ws = "ws" + upbit_url.substr(4);
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / fmt::format("kimp_run_{}_{}.toml", name, ::getpid());
  std::ofstream(path) << fmt::format(
      R"([engine]
mode = "simulation"
session = "run_test"
data_dir = "{}"
bar_interval = "1s"

[venues.upbit]
rest_url = "{}"
ws_public_url = "{}/websocket/v1"
ws_private_url = "{}/websocket/v1/private"

[venues.bybit]
rest_url = "{}"
ws_public_url = "ws://127.0.0.1:{}/v5/public/linear"
ws_private_url = "ws://127.0.0.1:{}/v5/private"

[venues.fx]
rest_url = "{}"
poll_interval_sec = 2

[strategy]
{}
window_bars = 8
position_ttl_sec = 60
cooldown_sec = 2
min_profit_pct = 0.02

[runtime]
shutdown_policy = "close_all"
balance_snapshot_interval_sec = 10

[ops]
http_enabled = false
)",
      data_dir(name).string(), upbit_url, upbit_ws, upbit_ws, venue.bybit_url(), venue.bybit_port(),
      venue.bybit_port(), venue.fx_url(),
      strategy_extra.empty() ? R"(coins = ["BTC", "ETH", "SOL"])" : strategy_extra);
  return path;
}

RunOutput run_until_exit(ChildProcess& child) {
  RunOutput output;
  for (std::string line = child.read_line(); !line.empty(); line = child.read_line()) {
    output.lines.push_back(line);
  }
  output.exit_code = child.terminate();
  return output;
}

boost::json::object summary_of(const RunOutput& output) {
  EXPECT_FALSE(output.lines.empty());
  boost::system::error_code error;
  const boost::json::value summary =
      boost::json::parse(output.lines.empty() ? "" : output.lines.back(), error);
  EXPECT_FALSE(error) << (output.lines.empty() ? "" : output.lines.back());
  return error || !summary.is_object() ? boost::json::object{} : summary.as_object();
}

std::int64_t count_of(const boost::json::object& object, std::string_view key) {
  return object.at(key).to_number<std::int64_t>();
}

// The session's rows in its SQLite file: one minutes row per coin per bar, a positions row per entry
// (closed by the end), a trades row per exit whose position_id is a position's id, the INITIAL,
// PERIODIC and FINAL balance snapshots of both venues, an alert per entry and exit, and the sessions
// row ended as stopped.
void expect_session_stored(const std::filesystem::path& dir, const boost::json::object& summary) {
  using storage::Table;
  auto db = storage::open_database("sqlite:" + (dir / "kimp.sqlite").string());
  ASSERT_TRUE(db) << db.error().describe();
  Result<storage::TableRows> sessions = (*db)->select_rows(Table::kSessions, std::nullopt);
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->rows.size(), 1U);
  const auto session = storage::row_from_cells<storage::SessionRow>(sessions->rows[0]);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, "stopped");
  EXPECT_EQ(session->account, "simulation:run_test");
  EXPECT_TRUE(session->ended_at.has_value());
  const auto rows_of = [&](Table table) {
    Result<storage::TableRows> rows = (*db)->select_rows(table, session->id);
    EXPECT_TRUE(rows) << rows.error().describe();
    return rows ? rows->rows : std::vector<std::vector<storage::Cell>>{};
  };
  const boost::json::object& recorded = summary.at("recorded").as_object();
  EXPECT_EQ(static_cast<std::int64_t>(rows_of(Table::kMinutes).size()), count_of(summary, "bars"));
  EXPECT_EQ(count_of(recorded, "minutes"), count_of(summary, "bars"));
  const auto positions = rows_of(Table::kPositions);
  EXPECT_EQ(static_cast<std::int64_t>(positions.size()), count_of(summary, "entries"));
  std::set<std::int64_t> position_ids;
  for (const auto& cells : positions) {
    const auto position = storage::row_from_cells<storage::PositionRow>(cells);
    ASSERT_TRUE(position);
    EXPECT_EQ(position->state, "closed");
    position_ids.insert(position->id);
  }
  const auto trades = rows_of(Table::kTrades);
  EXPECT_EQ(static_cast<std::int64_t>(trades.size()), count_of(summary, "exits"));
  for (const auto& cells : trades) {
    const auto trade = storage::row_from_cells<storage::TradeRow>(cells);
    ASSERT_TRUE(trade);
    EXPECT_TRUE(position_ids.contains(trade->position_id)) << trade->position_id;
  }
  EXPECT_EQ(static_cast<std::int64_t>(rows_of(Table::kOrders).size()), 4 * count_of(summary, "exits"));
  // INITIAL at the start, PERIODIC after 10 s, FINAL at the end: UPBIT/KRW and BYBIT/USDT each.
  std::map<std::string, int> snapshot_types;
  for (const auto& cells : rows_of(Table::kBalanceSnapshots)) {
    const auto snapshot = storage::row_from_cells<storage::BalanceSnapshotRow>(cells);
    ASSERT_TRUE(snapshot);
    ++snapshot_types[snapshot->record_type];
  }
  EXPECT_EQ(snapshot_types, (std::map<std::string, int>{{"FINAL", 2}, {"INITIAL", 2}, {"PERIODIC", 2}}));
  std::map<std::string, std::int64_t> alert_kinds;
  for (const auto& cells : rows_of(Table::kAlerts)) {
    const auto alert = storage::row_from_cells<storage::AlertRow>(cells);
    ASSERT_TRUE(alert);
    EXPECT_EQ(alert->telegram_status, "disabled");
    ++alert_kinds[alert->kind];
  }
  EXPECT_EQ(alert_kinds["EntryExecuted"], count_of(summary, "entries"));
  EXPECT_EQ(alert_kinds["ExitExecuted"], count_of(summary, "exits"));
  EXPECT_EQ(count_of(recorded, "trades_without_position"), 0);
}

std::size_t bar_lines(const RunOutput& output) {
  std::size_t count = 0;
  for (const std::string& line : output.lines) {
    count += line.find(" bar: open=") != std::string::npos ? 1 : 0;
  }
  return count;
}

TEST(RunSession, SimulationAgainstEmulator_PrintsBarsThenSummaryAndPlacesNoOrder) {
  VenueSimProcess venue("run_duration", kFastMarket);
  ASSERT_TRUE(venue.started());
  const std::filesystem::path config = write_config("duration", venue);
  ChildProcess child(
      {KIMP_CLI_PATH, "--log-level", "warn", "run", "--config", config.string(), "--duration", "15"});
  const RunOutput output = run_until_exit(child);
  EXPECT_EQ(output.exit_code, 0);
  EXPECT_GE(bar_lines(output), 10U);
  const boost::json::object summary = summary_of(output);
  EXPECT_EQ(summary.at("mode").as_string(), "simulation");
  EXPECT_EQ(summary.at("coins").as_array().size(), 3U);
  EXPECT_GE(summary.at("bars").to_number<std::int64_t>(), 30);
  EXPECT_GT(summary.at("quotes").to_number<std::int64_t>(), 100);
  // close_all: whatever opened was closed before the summary.
  EXPECT_EQ(summary.at("open_at_end").to_number<std::int64_t>(), 0);
  EXPECT_EQ(summary.at("entries").to_number<std::int64_t>(), summary.at("exits").to_number<std::int64_t>());
  EXPECT_EQ(summary.at("fx_poll_failures").to_number<std::int64_t>(), 0);
  // Simulation fills virtually: the emulator's ledger holds no order of any venue.
  const HttpAnswer ledger = venue.admin(boost::beast::http::verb::get, "/ledger");
  EXPECT_EQ(ledger.status, 200U);
  EXPECT_EQ(ledger.body.find(R"("orders":[{)"), std::string::npos) << ledger.body;
  EXPECT_NE(ledger.body.find(R"("orders":[])"), std::string::npos) << ledger.body;
  expect_session_stored(data_dir("duration"), summary);
  std::filesystem::remove(config);
  std::filesystem::remove_all(data_dir("duration"));
}

TEST(RunSession, CoinSelection_MonitorsTheTopCoinsListedOnBothVenues) {
  VenueSimProcess venue("run_selection");
  ASSERT_TRUE(venue.started());
  const std::filesystem::path config = write_config("selection", venue, {}, R"(coins = []
coin_selection = { enabled = true, top_n = 2, min_turnover_24h_krw = 1, blacklist = ["BTC"] })");
  ChildProcess child(
      {KIMP_CLI_PATH, "--log-level", "warn", "run", "--config", config.string(), "--duration", "3"});
  const RunOutput output = run_until_exit(child);
  EXPECT_EQ(output.exit_code, 0);
  const boost::json::object summary = summary_of(output);
  // The emulator lists BTC, ETH, SOL, XRP and DOGE on both venues; BTC is blacklisted, two are kept.
  const boost::json::array& coins = summary.at("coins").as_array();
  EXPECT_EQ(coins.size(), 2U);
  for (const boost::json::value& coin : coins) {
    EXPECT_NE(coin.as_string(), "BTC");
  }
  std::filesystem::remove(config);
}

TEST(RunSession, Sigterm_StopsCleanlyWithTheSummary) {
  VenueSimProcess venue("run_sigterm", kFastMarket);
  ASSERT_TRUE(venue.started());
  const std::filesystem::path config = write_config("sigterm", venue);
  ChildProcess child({KIMP_CLI_PATH, "--log-level", "warn", "run", "--config", config.string()});
  // Wait for the first status line, then ask it to stop.
  RunOutput output;
  for (std::string line = child.read_line(); !line.empty(); line = child.read_line()) {
    output.lines.push_back(line);
    if (line.find(" bar: open=") != std::string::npos) {
      ::kill(child.pid(), SIGTERM);
      break;
    }
  }
  const RunOutput rest = run_until_exit(child);
  output.lines.insert(output.lines.end(), rest.lines.begin(), rest.lines.end());
  EXPECT_EQ(rest.exit_code, 0);
  const boost::json::object summary = summary_of(output);
  EXPECT_EQ(summary.at("mode").as_string(), "simulation");
  EXPECT_EQ(summary.at("open_at_end").to_number<std::int64_t>(), 0);
  std::filesystem::remove(config);
}

TEST(RunSession, UpbitUnreachable_FailsWithExit1AndAnEmptySummary) {
  VenueSimProcess venue("run_unreachable");
  ASSERT_TRUE(venue.started());
  // Port 9 (discard) on loopback: nothing listens there in the test environment.
  const std::filesystem::path config = write_config("unreachable", venue, "http://127.0.0.1:9");
  ChildProcess child(
      {KIMP_CLI_PATH, "--log-level", "error", "run", "--config", config.string(), "--duration", "30"});
  const RunOutput output = run_until_exit(child);
  EXPECT_EQ(output.exit_code, 1);
  const boost::json::object summary = summary_of(output);
  EXPECT_EQ(summary.at("bars").to_number<std::int64_t>(), 0);
  EXPECT_EQ(summary.at("entries").to_number<std::int64_t>(), 0);
  // The failure is on record: the session ended as failed with the reason, and an Error alert says so.
  auto db = storage::open_database("sqlite:" + (data_dir("unreachable") / "kimp.sqlite").string());
  ASSERT_TRUE(db) << db.error().describe();
  Result<storage::TableRows> sessions = (*db)->select_rows(storage::Table::kSessions, std::nullopt);
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->rows.size(), 1U);
  const auto session = storage::row_from_cells<storage::SessionRow>(sessions->rows[0]);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, "failed");
  EXPECT_NE(session->stop_reason.find("upbit instruments"), std::string::npos) << session->stop_reason;
  Result<storage::TableRows> alerts = (*db)->select_rows(storage::Table::kAlerts, session->id);
  ASSERT_TRUE(alerts);
  ASSERT_EQ(alerts->rows.size(), 1U);
  const auto alert = storage::row_from_cells<storage::AlertRow>(alerts->rows[0]);
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->kind, "Error");
  EXPECT_NE(alert->payload.find("upbit instruments"), std::string::npos) << alert->payload;
  std::filesystem::remove(config);
  std::filesystem::remove_all(data_dir("unreachable"));
}

TEST(RunSession, LiveModeConfig_IsRefusedWithExit2BeforeAnythingStarts) {
  const std::filesystem::path config =
      std::filesystem::temp_directory_path() / fmt::format("kimp_run_live_{}.toml", ::getpid());
  std::ofstream(config) << "[engine]\nmode = \"paper\"\nsession = \"t\"\n[strategy]\ncoins = [\"BTC\"]\n";
  ChildProcess child({KIMP_CLI_PATH, "--log-level", "error", "run", "--config", config.string()});
  const RunOutput output = run_until_exit(child);
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_TRUE(output.lines.empty());
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace kimp::e2e
