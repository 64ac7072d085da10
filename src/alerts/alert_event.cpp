// Kind names, severities, JSON payloads and chat texts of the alert events.
#include "alerts/alert_event.hpp"

#include <fmt/format.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace kimp::alerts {
namespace {

namespace json = boost::json;

json::string_view as_json(std::string_view text) {
  return {text.data(), text.size()};
}

// One event type's kind name, severity, payload and the text after "[SEVERITY] Kind".
struct Traits {
  std::string_view kind;
  Severity severity = Severity::kInfo;
};

Traits traits(const EntryExecuted& /*event*/) {
  return {"EntryExecuted", Severity::kInfo};
}
Traits traits(const ExitExecuted& /*event*/) {
  return {"ExitExecuted", Severity::kInfo};
}
Traits traits(const KillSwitchTriggered& /*event*/) {
  return {"KillSwitchTriggered", Severity::kCritical};
}
Traits traits(const KillSwitchComplete& /*event*/) {
  return {"KillSwitchComplete", Severity::kCritical};
}
Traits traits(const LegFailure& /*event*/) {
  return {"LegFailure", Severity::kCritical};
}
Traits traits(const EmergencyCloseFailure& /*event*/) {
  return {"EmergencyCloseFailure", Severity::kCritical};
}
Traits traits(const ReconciliationMismatch& /*event*/) {
  return {"ReconciliationMismatch", Severity::kWarning};
}
Traits traits(const ConnectionLost& /*event*/) {
  return {"ConnectionLost", Severity::kWarning};
}
Traits traits(const Error& /*event*/) {
  return {"Error", Severity::kWarning};
}
Traits traits(const DailySummary& /*event*/) {
  return {"DailySummary", Severity::kInfo};
}

void put(json::object& out, std::string_view key, std::string_view text) {
  out[as_json(key)] = as_json(text);
}
void put(json::object& out, std::string_view key, Decimal value) {
  out[as_json(key)] = as_json(value.to_string());
}
void put(json::object& out, std::string_view key, std::int64_t value) {
  out[as_json(key)] = value;
}
void put(json::object& out, std::string_view key, bool value) {
  out[as_json(key)] = value;
}

json::object payload(const EntryExecuted& event) {
  json::object out;
  put(out, "coin", event.coin);
  put(out, "qty", event.qty);
  put(out, "upbit_price", event.upbit_price);
  put(out, "bybit_price", event.bybit_price);
  put(out, "expected_pnl", event.expected_pnl);
  return out;
}
json::object payload(const ExitExecuted& event) {
  json::object out;
  put(out, "coin", event.coin);
  put(out, "qty", event.qty);
  put(out, "realised_pnl", event.realised_pnl);
  return out;
}
json::object payload(const KillSwitchTriggered& event) {
  json::object out;
  put(out, "reason", event.reason);
  put(out, "daily_pnl", event.daily_pnl);
  return out;
}
json::object payload(const KillSwitchComplete& event) {
  json::object out;
  put(out, "closed_count", event.closed_count);
  put(out, "total_pnl", event.total_pnl);
  return out;
}
json::object payload(const LegFailure& event) {
  json::object out;
  put(out, "coin", event.coin);
  put(out, "succeeded_leg", event.succeeded_leg);
  put(out, "failed_leg", event.failed_leg);
  put(out, "action_taken", event.action_taken);
  return out;
}
json::object payload(const EmergencyCloseFailure& event) {
  json::object out;
  put(out, "coin", event.coin);
  put(out, "retry_count", event.retry_count);
  put(out, "naked_exposure", event.naked_exposure);
  return out;
}
json::object payload(const ReconciliationMismatch& event) {
  json::object out;
  put(out, "coin", event.coin);
  put(out, "internal_qty", event.internal_qty);
  put(out, "exchange_qty", event.exchange_qty);
  return out;
}
json::object payload(const ConnectionLost& event) {
  json::object out;
  put(out, "exchange", event.exchange);
  put(out, "has_open_positions", event.has_open_positions);
  return out;
}
json::object payload(const Error& event) {
  json::object out;
  put(out, "message", event.message);
  return out;
}
json::object payload(const DailySummary& event) {
  json::object out;
  put(out, "trades", event.trades);
  put(out, "pnl", event.pnl);
  put(out, "win_rate", event.win_rate);
  return out;
}

std::string detail(const EntryExecuted& event) {
  return fmt::format(" {}: qty {}, upbit {} KRW, bybit {} USDT, expected pnl {} USDT", event.coin, event.qty,
                     event.upbit_price, event.bybit_price, event.expected_pnl);
}
std::string detail(const ExitExecuted& event) {
  return fmt::format(" {}: qty {}, realised pnl {} USDT", event.coin, event.qty, event.realised_pnl);
}
std::string detail(const KillSwitchTriggered& event) {
  return fmt::format(": {}, daily pnl {} USDT", event.reason, event.daily_pnl);
}
std::string detail(const KillSwitchComplete& event) {
  return fmt::format(": {} positions closed, total pnl {} USDT", event.closed_count, event.total_pnl);
}
std::string detail(const LegFailure& event) {
  return fmt::format(" {}: {} leg filled, {} leg failed, action: {}", event.coin, event.succeeded_leg,
                     event.failed_leg, event.action_taken);
}
std::string detail(const EmergencyCloseFailure& event) {
  return fmt::format(" {}: {} retries, naked exposure {}", event.coin, event.retry_count,
                     event.naked_exposure);
}
std::string detail(const ReconciliationMismatch& event) {
  return fmt::format(" {}: internal qty {}, exchange qty {}", event.coin, event.internal_qty,
                     event.exchange_qty);
}
std::string detail(const ConnectionLost& event) {
  return fmt::format(" {}: {}", event.exchange,
                     event.has_open_positions ? "open positions are exposed" : "no open positions");
}
std::string detail(const Error& event) {
  return fmt::format(": {}", event.message);
}
std::string detail(const DailySummary& event) {
  return fmt::format(": {} trades, pnl {} USDT, win rate {}%", event.trades, event.pnl, event.win_rate);
}

std::string_view label(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "INFO";
    case Severity::kWarning: return "WARNING";
    case Severity::kCritical: return "CRITICAL";
  }
  return "?";
}

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

std::string_view kind_name(const AlertEvent& event) {
  return std::visit([](const auto& alternative) { return traits(alternative).kind; }, event);
}

Severity severity_of(const AlertEvent& event) {
  return std::visit([](const auto& alternative) { return traits(alternative).severity; }, event);
}

std::string payload_json(const AlertEvent& event) {
  return std::visit([](const auto& alternative) { return json::serialize(payload(alternative)); }, event);
}

std::string telegram_text(const AlertEvent& event) {
  return std::visit(
      [](const auto& alternative) {
        const Traits described = traits(alternative);
        return fmt::format("[{}] {}{}", label(described.severity), described.kind, detail(alternative));
      },
      event);
}

}  // namespace kimp::alerts
