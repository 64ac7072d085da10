// RiskManager: limits on realised PnL and the blocks they leave.
#include "risk/risk_manager.hpp"

#include <chrono>

#include <fmt/format.h>

namespace kimp::risk {
namespace {

std::int64_t day_of(Timestamp at) {
  constexpr std::int64_t kNsPerDay = std::chrono::nanoseconds(std::chrono::hours(24)).count();
  const std::int64_t ns = at.ns();
  return ns >= 0 ? ns / kNsPerDay : -((-ns + kNsPerDay - 1) / kNsPerDay);
}

}  // namespace

RiskManager::RiskManager(const config::RiskConfig& config, Timestamp now)
    : config_(config), day_(day_of(now)) {}

void RiskManager::roll_day(Timestamp now) {
  const std::int64_t day = day_of(now);
  if (day != day_) {
    day_ = day;
    figures_.daily_realised_usdt = Decimal{};
    figures_.peak_realised_usdt = figures_.session_realised_usdt;
    figures_.drawdown_usdt = Decimal{};
    figures_.closed_today = 0;
  }
}

std::optional<std::string_view> RiskManager::entry_block(std::string_view coin, Timestamp now) {
  roll_day(now);
  if (killed()) {
    return std::string_view(kill_reason_);
  }
  if (global_block_) {
    return std::string_view(*global_block_);
  }
  if (!connections_down_.empty()) {
    return std::string_view(connections_down_.begin()->second);
  }
  if (const auto found = coin_blocks_.find(coin); found != coin_blocks_.end()) {
    return std::string_view(found->second);
  }
  return std::nullopt;
}

void RiskManager::breach(std::string reason) {
  if (config_.kill_switch_enabled) {
    trip_kill_switch(std::move(reason));
  } else if (!global_block_) {
    global_block_ = std::move(reason);
  }
}

void RiskManager::record_closed(Decimal net_usdt, Timestamp at) {
  roll_day(at);
  ++figures_.closed_today;
  figures_.daily_realised_usdt =
      figures_.daily_realised_usdt.add(net_usdt).value_or(figures_.daily_realised_usdt);
  figures_.session_realised_usdt =
      figures_.session_realised_usdt.add(net_usdt).value_or(figures_.session_realised_usdt);
  figures_.peak_realised_usdt = std::max(figures_.peak_realised_usdt, figures_.session_realised_usdt);
  figures_.drawdown_usdt =
      figures_.peak_realised_usdt.sub(figures_.session_realised_usdt).value_or(Decimal{});
  const Decimal loss = net_usdt.negate().value_or(Decimal{});
  if (loss >= config_.max_single_loss_usdt) {
    breach(fmt::format("single trade lost {} USDT (limit {})", loss, config_.max_single_loss_usdt));
  }
  const Decimal daily_loss = figures_.daily_realised_usdt.negate().value_or(Decimal{});
  if (daily_loss >= config_.max_daily_loss_usdt) {
    breach(fmt::format("daily realised loss {} USDT (limit {})", daily_loss, config_.max_daily_loss_usdt));
  }
  if (figures_.drawdown_usdt >= config_.max_drawdown_usdt) {
    breach(fmt::format("drawdown {} USDT from the day's peak (limit {})", figures_.drawdown_usdt,
                       config_.max_drawdown_usdt));
  }
}

void RiskManager::trip_kill_switch(std::string reason) {
  if (killed()) {
    return;
  }
  kill_reason_ = fmt::format("kill switch: {}", reason);
  killed_.store(true, std::memory_order_release);
  if (on_kill_) {
    on_kill_(kill_reason_);
  }
}

void RiskManager::restore_kill_switch(std::string reason) {
  kill_reason_ = std::move(reason);
  killed_.store(true, std::memory_order_release);
}

void RiskManager::set_connection(const std::string& venue, bool healthy, std::string reason) {
  if (healthy) {
    connections_down_.erase(venue);
  } else {
    connections_down_[venue] = fmt::format("{} connection down: {}", venue, reason);
  }
}

}  // namespace kimp::risk
