// Seeded fault decisions for requests, orders and WebSocket messages, and the counts GET /faults reports.
#include "sim/server/faults.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/json.hpp>

namespace kimp::sim {
namespace {

// The first rule of `venue` whose `field` names `value`, else its first "*" rule.
template <class Rule, class Field>
const Rule* find_rule(const std::vector<Rule>& rules, FaultVenue venue, std::string_view value, Field field) {
  const Rule* wildcard = nullptr;
  for (const Rule& rule : rules) {
    if (rule.venue != venue) {
      continue;
    }
    if (rule.*field == value) {
      return &rule;
    }
    if (wildcard == nullptr && rule.*field == "*") {
      wildcard = &rule;
    }
  }
  return wildcard;
}

}  // namespace

FaultInjector::FaultInjector(FaultConfig config) : config_(std::move(config)), rng_(config_.seed) {}

void FaultInjector::configure(FaultConfig config) {
  config_ = std::move(config);
  rng_ = Rng(config_.seed);
}

void FaultInjector::record(FaultVenue venue, std::string_view kind, std::string_view target,
                           std::uint64_t n) {
  counts_[Key{venue, std::string(kind), std::string(target)}] += n;
}

std::uint64_t FaultInjector::count(FaultVenue venue, std::string_view kind, std::string_view target) const {
  const auto found = counts_.find(Key{venue, std::string(kind), std::string(target)});
  return found == counts_.end() ? 0 : found->second;
}

boost::json::value FaultInjector::counts_json() const {
  boost::json::array counts;
  for (const auto& [key, n] : counts_) {
    const auto& [venue, kind, target] = key;
    counts.push_back(
        boost::json::object{{"venue", to_string(venue)}, {"kind", kind}, {"target", target}, {"count", n}});
  }
  return boost::json::object{{"seed", config_.seed}, {"counts", std::move(counts)}};
}

bool FaultInjector::draw(double rate) {
  return rate > 0.0 && rng_.uniform() < rate;
}

HttpVerdict FaultInjector::on_request(FaultVenue venue, std::string_view path) {
  const HttpFaultRule* rule = find_rule(config_.http, venue, path, &HttpFaultRule::endpoint);
  if (rule == nullptr) {
    return {};
  }
  HttpVerdict verdict;
  const std::pair<double, HttpVerdict::Action> failures[] = {
      {rule->timeout_rate, HttpVerdict::Action::kTimeout},
      {rule->reset_rate, HttpVerdict::Action::kReset},
      {rule->rate_limit_rate, HttpVerdict::Action::kRateLimit},
      {rule->server_error_rate, HttpVerdict::Action::kServerError},
  };
  static constexpr std::array<std::string_view, 5> kKinds{"", "timeout", "reset", "rate_limit",
                                                          "server_error"};
  for (const auto& [rate, action] : failures) {
    if (draw(rate)) {
      verdict.action = action;
      record(venue, kKinds.at(static_cast<std::size_t>(action)), path);
      break;
    }
  }
  if (verdict.action == HttpVerdict::Action::kTimeout || verdict.action == HttpVerdict::Action::kReset) {
    return verdict;
  }
  verdict.delay = rule->latency;
  if (rule->jitter.count() > 0) {
    const auto jitter_ns = static_cast<double>(Duration(rule->jitter).count());
    verdict.delay += Duration(static_cast<Duration::rep>(rng_.uniform() * jitter_ns));
  }
  if (verdict.delay.count() > 0) {
    record(venue, "latency", path);
  }
  return verdict;
}

const OrderFaultRule* FaultInjector::on_order(FaultVenue venue, std::string_view symbol,
                                              std::span<const OrderOutcome> outcomes) {
  for (const OrderFaultRule& rule : config_.orders) {
    const bool applies = rule.venue == venue && (rule.symbol == symbol || rule.symbol == "*") &&
                         std::find(outcomes.begin(), outcomes.end(), rule.outcome) != outcomes.end();
    if (applies && draw(rule.rate)) {
      record(venue, std::string("order_").append(to_string(rule.outcome)), symbol);
      return &rule;
    }
  }
  return nullptr;
}

const WsFaultRule* FaultInjector::ws_rule(FaultVenue venue, std::string_view stream) const {
  return find_rule(config_.websocket, venue, stream, &WsFaultRule::stream);
}

WsAction FaultInjector::on_ws_message(FaultVenue venue, std::string_view stream, WsFaultState& session,
                                      Timestamp now, WsMessageKind kind) {
  const WsFaultRule* rule = ws_rule(venue, stream);
  if (rule == nullptr) {
    return WsAction::kSend;
  }
  if (rule->stall_every.count() > 0 && rule->stall_for.count() > 0) {
    const Duration age = now - session.opened_at;
    const std::int64_t window = age / rule->stall_every;
    const bool stalled = window > 0 && age % rule->stall_every < rule->stall_for;
    if (stalled) {
      if (session.counted_stall != window) {
        session.counted_stall = window;
        record(venue, "ws_stall", stream);
      }
      return WsAction::kDrop;
    }
  }
  if (kind == WsMessageKind::kControl) {
    return WsAction::kSend;
  }
  if (draw(rule->malformed_rate)) {
    record(venue, "ws_malformed", stream);
    return WsAction::kMalformed;
  }
  if (kind != WsMessageKind::kDelta) {
    return WsAction::kSend;
  }
  const std::pair<double, WsAction> faults[] = {
      {rule->drop_rate, WsAction::kDrop},
      {rule->duplicate_rate, WsAction::kDuplicate},
      {rule->reorder_rate, WsAction::kHold},
  };
  static constexpr std::array<std::string_view, 5> kKinds{"", "ws_drop", "ws_duplicate", "ws_reorder", ""};
  for (const auto& [rate, action] : faults) {
    if (draw(rate)) {
      record(venue, kKinds.at(static_cast<std::size_t>(action)), stream);
      return action;
    }
  }
  return WsAction::kSend;
}

}  // namespace kimp::sim
