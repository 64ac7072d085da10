// RiskManager: the kill switch, daily realised loss with its UTC reset, drawdown and single-trade limits,
// and entry blocks (global and per coin), each with its reason.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::risk {

// The realised PnL the limits are measured on, as of the last record.
struct RiskFigures {
  Decimal daily_realised_usdt;  // since the last 00:00 UTC
  Decimal session_realised_usdt;
  Decimal peak_realised_usdt;  // highest session_realised so far today
  Decimal drawdown_usdt;       // peak − session realised
  std::uint64_t closed_today = 0;
};

// A breached limit trips the kill switch (risk.kill_switch_enabled) or, with the switch disabled, blocks
// new entries with the same reason. The switch only latches here; closing the open pairs is the caller's.
// Used from the event loop; killed() may be read from any thread.
class RiskManager {
 public:
  RiskManager(const config::RiskConfig& config, Timestamp now);

  // Why an entry on `coin` is refused at `now`; nullopt allows it. Checks the kill switch, the global
  // block, the coin's block, then the daily loss limit.
  [[nodiscard]] std::optional<std::string_view> entry_block(std::string_view coin, Timestamp now);

  // A pair closed at `at` with `net_usdt` realised (fees and funding included).
  void record_closed(Decimal net_usdt, Timestamp at);

  // Latches the kill switch with `reason`; a second trip keeps the first reason.
  void trip_kill_switch(std::string reason);
  [[nodiscard]] bool killed() const { return killed_.load(std::memory_order_acquire); }
  [[nodiscard]] const std::string& kill_reason() const { return kill_reason_; }

  void block_entries(std::string reason) { global_block_ = std::move(reason); }
  void unblock_entries() { global_block_.reset(); }
  void block_coin(const std::string& coin, std::string reason) { coin_blocks_[coin] = std::move(reason); }
  void unblock_coin(const std::string& coin) { coin_blocks_.erase(coin); }

  [[nodiscard]] const RiskFigures& figures() const { return figures_; }

 private:
  void roll_day(Timestamp now);
  void breach(std::string reason);

  config::RiskConfig config_;
  std::atomic<bool> killed_{false};
  std::string kill_reason_;
  std::optional<std::string> global_block_;
  std::map<std::string, std::string, std::less<>> coin_blocks_;
  std::int64_t day_ = 0;  // days since the epoch of the figures' day
  RiskFigures figures_;
};

}  // namespace kimp::risk
