// RiskManager: the kill switch, daily realised loss with its UTC reset, drawdown and single-trade limits,
// connection health, and entry blocks (global, per venue connection and per coin), each with its reason.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
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
  // block, the venue connections, then the coin's block. (The concurrent-position limit is the entry
  // gate's, which counts the pairs.)
  [[nodiscard]] std::optional<std::string_view> entry_block(std::string_view coin, Timestamp now);

  // A pair closed at `at` with `net_usdt` realised (fees and funding included).
  void record_closed(Decimal net_usdt, Timestamp at);

  // Latches the kill switch with `reason` and calls the on_kill callback, once; a second trip keeps the
  // first reason.
  void trip_kill_switch(std::string reason);
  // Latches the switch as a previous run left it (its persisted reason), without the callback: the engine
  // stays halted until the operator clears the persisted state.
  void restore_kill_switch(std::string reason);
  // Called on the event loop when the switch latches: persist the state, close the positions, alert.
  void set_on_kill(std::function<void(const std::string& reason)> on_kill) { on_kill_ = std::move(on_kill); }
  [[nodiscard]] bool killed() const { return killed_.load(std::memory_order_acquire); }
  [[nodiscard]] const std::string& kill_reason() const { return kill_reason_; }

  void block_entries(std::string reason) { global_block_ = std::move(reason); }
  void unblock_entries() { global_block_.reset(); }
  // A venue connection went down (`healthy` false, with why) or came back: entries wait for every venue.
  void set_connection(const std::string& venue, bool healthy, std::string reason = {});
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
  std::map<std::string, std::string, std::less<>> connections_down_;  // venue → why
  std::function<void(const std::string&)> on_kill_;
  std::int64_t day_ = 0;  // days since the epoch of the figures' day
  RiskFigures figures_;
};

}  // namespace kimp::risk
