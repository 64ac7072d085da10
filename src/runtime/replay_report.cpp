// Replay outputs: fixed column order and number formats, so equal runs give equal bytes.
#include "runtime/replay_report.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "strategy/entry_gate.hpp"
#include "strategy/exit_rules.hpp"

namespace kimp::runtime {
namespace {

constexpr std::array<strategy::ExitReason, 5> kExitReasons = {
    strategy::ExitReason::kSignal, strategy::ExitReason::kTtl, strategy::ExitReason::kPremiumStop,
    strategy::ExitReason::kShutdown, strategy::ExitReason::kEndOfData};

// Doubles with 10 significant digits; NaN and absent values as JSON null / an empty CSV field.
std::string number(double value) {
  return std::isfinite(value) ? fmt::format("{:.10g}", value) : "null";
}
std::string csv_number(std::optional<double> value) {
  return value && std::isfinite(*value) ? fmt::format("{:.10g}", *value) : "";
}

constexpr std::string_view kTradeColumns =
    "pair_id,coin,opened_at,closed_at,exit_reason,qty,upbit_entry_krw,bybit_entry_usdt,upbit_exit_krw,"
    "bybit_exit_usdt,usdt_krw_entry,usdt_krw_exit,entry_premium,exit_premium,entry_z,exit_z,fees_usdt,"
    "funding_usdt,gross_pnl_usdt,net_pnl_usdt";

std::string trade_csv(const ClosedPair& trade, std::string_view coin) {
  const OpenPair& open = trade.open;
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", open.id, coin,
                     open.opened_at.to_iso8601(), trade.closed_at.to_iso8601(),
                     strategy::to_string(trade.reason), open.entry.bybit.qty, open.entry.upbit.avg_price,
                     open.entry.bybit.avg_price, trade.exit.upbit.avg_price, trade.exit.bybit.avg_price,
                     open.entry.usdt_krw, trade.exit.usdt_krw, csv_number(open.entry_premium),
                     csv_number(trade.exit_premium), csv_number(open.entry_z), csv_number(trade.exit_z),
                     trade.pnl.fees_usdt, trade.pnl.funding_usdt, trade.pnl.gross_usdt, trade.pnl.net_usdt);
}

std::string trade_json(const ClosedPair& trade, std::string_view coin) {
  const OpenPair& open = trade.open;
  return fmt::format(
      R"({{"pair_id":{},"coin":"{}","opened_at":"{}","closed_at":"{}","exit_reason":"{}","qty":{},)"
      R"("upbit_entry_krw":{},"bybit_entry_usdt":{},"upbit_exit_krw":{},"bybit_exit_usdt":{},)"
      R"("upbit_entry_fee_krw":{},"bybit_entry_fee_usdt":{},"upbit_exit_fee_krw":{},"bybit_exit_fee_usdt":{},)"
      R"("usdt_krw_entry":{},"usdt_krw_exit":{},"entry_premium":{},"exit_premium":{},"entry_z":{},"exit_z":{},)"
      R"("upbit_pnl_usdt":{},"bybit_pnl_usdt":{},"fees_usdt":{},"funding_usdt":{},"gross_pnl_usdt":{},)"
      R"("net_pnl_usdt":{}}})",
      open.id, coin, open.opened_at.to_iso8601(), trade.closed_at.to_iso8601(),
      strategy::to_string(trade.reason), open.entry.bybit.qty, open.entry.upbit.avg_price,
      open.entry.bybit.avg_price, trade.exit.upbit.avg_price, trade.exit.bybit.avg_price,
      open.entry.upbit.fee, open.entry.bybit.fee, trade.exit.upbit.fee, trade.exit.bybit.fee,
      open.entry.usdt_krw, trade.exit.usdt_krw, number(open.entry_premium), number(trade.exit_premium),
      number(open.entry_z), number(trade.exit_z), trade.pnl.upbit_usdt, trade.pnl.bybit_usdt,
      trade.pnl.fees_usdt, trade.pnl.funding_usdt, trade.pnl.gross_usdt, trade.pnl.net_usdt);
}

std::string series_csv(const SeriesRow& row, std::string_view coin) {
  return fmt::format("{},{},{},{},{},{},{},{},{},{}\n", row.bar.open_time.to_iso8601(), coin,
                     row.bar.upbit_close, row.bar.bybit_close, row.bar.usd_krw, csv_number(row.bar.premium),
                     row.window > 0 ? csv_number(row.mean) : "", row.window > 1 ? csv_number(row.stddev) : "",
                     csv_number(row.z), row.window);
}

Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("{}: cannot write ({} bytes)", path.string(), text.size()));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{}: cannot rename into place: {}", path.string(), error.message()));
  }
  return ok();
}

Decimal sum_or_keep(Decimal total, Decimal value) {
  return total.add(value).value_or(total);
}

}  // namespace

std::string replay_summary_json(const ReplayReport& report) {
  const PairTrader& trader = *report.run.trader;
  const std::vector<ClosedPair>& trades = trader.closed_pairs();
  Decimal gross;
  Decimal fees;
  Decimal funding;
  Decimal net;
  Decimal peak;
  Decimal max_drawdown;
  std::uint64_t wins = 0;
  Duration exposure{};
  std::array<std::uint64_t, kExitReasons.size()> exits{};
  for (const ClosedPair& trade : trades) {
    gross = sum_or_keep(gross, trade.pnl.gross_usdt);
    fees = sum_or_keep(fees, trade.pnl.fees_usdt);
    funding = sum_or_keep(funding, trade.pnl.funding_usdt);
    net = sum_or_keep(net, trade.pnl.net_usdt);
    peak = std::max(peak, net);
    max_drawdown = std::max(max_drawdown, peak.sub(net).value_or(Decimal{}));
    wins += trade.pnl.net_usdt.is_positive() ? 1 : 0;
    exposure += trade.closed_at - trade.open.opened_at;
    ++exits[static_cast<std::size_t>(trade.reason)];
  }
  const Duration span = report.run.last_close - report.run.first_open;
  const double exposure_pct =
      span.count() > 0 ? 100.0 * static_cast<double>(exposure.count()) / static_cast<double>(span.count())
                       : 0.0;
  const double win_rate =
      trades.empty() ? 0.0 : static_cast<double>(wins) / static_cast<double>(trades.size());

  std::string exits_json;
  for (std::size_t i = 0; i < kExitReasons.size(); ++i) {
    exits_json +=
        fmt::format(R"({}"{}":{})", i == 0 ? "" : ",", strategy::to_string(kExitReasons[i]), exits[i]);
  }
  std::string gate_json;
  const strategy::EntryGate& gate = trader.gate();
  for (std::size_t i = 0; i < strategy::kGateStages; ++i) {
    gate_json += fmt::format(R"({}"{}":{{"reached":{},"rejected":{}}})", i == 0 ? "" : ",",
                             strategy::to_string(static_cast<strategy::GateStage>(i)), gate.reached()[i],
                             gate.rejected()[i]);
  }
  const config::Config& config = *report.config;
  const execution::SimExecutor& executor = *report.run.executor;
  std::string coins;
  for (std::uint32_t i = 0; i < trader.coin_count(); ++i) {
    coins += fmt::format(R"({}"{}")", i == 0 ? "" : ",", trader.markets(i).coin);
  }
  std::string input;
  for (const auto& [name, count] : report.input) {
    input += fmt::format(R"({}"{}":{})", input.empty() ? "" : ",", name, count);
  }
  return fmt::format(
      R"({{"mode":"replay","fill_model":"{}","fill_slippage_pct":{},"sizing":"{}","max_position_usdt":{},)"
      R"("coins":[{}],"bar_interval_sec":{},"window_bars":{},"entry_z":{},"exit_z":{},"bars":{},"input":{{{}}},)"
      R"("first_bar":"{}","last_bar_close":"{}","trades":{},)"
      R"("wins":{},"losses":{},"win_rate":{},"gross_pnl_usdt":{},"fees_usdt":{},"funding_usdt":{},)"
      R"("net_pnl_usdt":{},"max_drawdown_usdt":{},"exposure_sec":{},"exposure_pct":{},"open_at_end":{},)"
      R"("exits":{{{}}},"gate":{{{}}},"gate_passed":{},"entry_failures":{},"exit_failures":{},)"
      R"("final_upbit_krw":{},"final_bybit_wallet_usdt":{}}})",
      report.fill_model, config.replay.fill_slippage_pct, report.sizing, config.strategy.max_position_usdt,
      coins, std::chrono::duration_cast<std::chrono::seconds>(config.engine.bar_interval).count(),
      config.strategy.window_bars, number(config.strategy.entry_z), number(config.strategy.exit_z),
      report.run.bars, input, report.run.first_open.to_iso8601(), report.run.last_close.to_iso8601(),
      trades.size(), wins, trades.size() - wins, number(win_rate), gross, fees, funding, net, max_drawdown,
      std::chrono::duration_cast<std::chrono::seconds>(exposure).count(), number(exposure_pct),
      trader.open_pairs().size(), exits_json, gate_json, gate.passed(), trader.counters().entry_failures,
      trader.counters().exit_failures, executor.upbit_krw(), executor.bybit_wallet_usdt());
}

Status write_replay_report(const std::string& dir, const ReplayReport& report) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{}: cannot create the directory: {}", dir, error.message()));
  }
  const std::filesystem::path base(dir);
  const PairTrader& trader = *report.run.trader;
  const std::vector<ClosedPair>& trades = trader.closed_pairs();
  std::string csv = std::string(kTradeColumns) + "\n";
  std::string json = "[";
  for (std::size_t i = 0; i < trades.size(); ++i) {
    const std::string& coin = trader.markets(trades[i].open.coin).coin;
    csv += trade_csv(trades[i], coin);
    json += (i == 0 ? "\n" : ",\n") + trade_json(trades[i], coin);
  }
  json += trades.empty() ? "]\n" : "\n]\n";
  std::string series = "ts,coin,upbit_close_krw,usdt_close,usd_krw,premium,mean,std,z,window\n";
  for (const SeriesRow& row : report.series) {
    series += series_csv(row, trader.markets(row.bar.coin).coin);
  }
  KIMP_TRY(write_file(base / "trades.csv", csv));
  KIMP_TRY(write_file(base / "trades.json", json));
  KIMP_TRY(write_file(base / "series.csv", series));
  return write_file(base / "summary.json", replay_summary_json(report) + "\n");
}

}  // namespace kimp::runtime
