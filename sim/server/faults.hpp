// Fault injection: the failures the venues show in production, on demand, seeded, and every one counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/timestamp.hpp"
#include "sim/config/fault_config.hpp"
#include "sim/market/random.hpp"
#include "sim/server/ws_session.hpp"

namespace kimp::sim {

// The fate of one HTTP request.
struct HttpVerdict {
  enum class Action : std::uint8_t { kServe, kTimeout, kReset, kRateLimit, kServerError };
  Action action = Action::kServe;
  Duration delay{};  // latency to add before the answer (kServe, kRateLimit, kServerError)
};

// What to do with one outgoing WebSocket message.
enum class WsAction : std::uint8_t {
  kSend,
  kDrop,       // a dropped delta, or any message while the session is stalled
  kDuplicate,  // send it twice
  kHold,       // keep it and send it right after the next delta (out-of-order delivery)
  kMalformed,  // send a truncated frame instead
};

// What the injector remembers about one WebSocket session; the session owns it.
struct WsFaultState {
  Timestamp opened_at;
  std::int64_t counted_stall = -1;  // the last stall window already counted, so each stall counts once
};

// Decides and counts every fault. Runs on the server's thread, like everything it serves.
// Counts are kept by (venue, kind, target): kinds "latency", "timeout", "reset", "rate_limit",
// "server_error" (target: path); "order_<outcome>" (target: symbol); "ws_drop", "ws_duplicate",
// "ws_reorder", "ws_malformed", "ws_stall", "ws_disconnect" (target: stream); market faults
// "clock_skew" (each venue, target "*", once per skew applied), "fx_down" and "fx_frozen" (fx, "*",
// per request) and "premium_jump" (upbit, whose price it moves; target: the coin).
class FaultInjector {
 public:
  explicit FaultInjector(FaultConfig config);

  [[nodiscard]] const FaultConfig& config() const { return config_; }
  // Replaces every rule (the admin API's runtime control); counts are kept, the random sequence restarts
  // from the new seed.
  void configure(FaultConfig config);

  // Adds `n` to a count; for faults applied outside the injector (premium jumps, FX, commands).
  void record(FaultVenue venue, std::string_view kind, std::string_view target, std::uint64_t n = 1);
  // Zero when never recorded.
  [[nodiscard]] std::uint64_t count(FaultVenue venue, std::string_view kind, std::string_view target) const;
  // {"seed":7,"counts":[{"venue":"bybit","kind":"rate_limit","target":"/v5/order/create","count":12},..]}
  // sorted by venue (upbit, bybit, fx), then kind and target as text.
  [[nodiscard]] boost::json::value counts_json() const;

  // The fate of a request to `path`, from the first rule of `venue` that names the path, else the
  // first "*" rule. Counted when it is not kServe, and as "latency" when a delay is added.
  HttpVerdict on_request(FaultVenue venue, std::string_view path);

  // The first rule of `venue` for `symbol` (or "*") among `outcomes` whose draw hits, counted as
  // "order_<outcome>"; nullptr when none. Placement asks with every outcome but kCancelRace, a cancel
  // with kCancelRace only.
  const OrderFaultRule* on_order(FaultVenue venue, std::string_view symbol,
                                 std::span<const OrderOutcome> outcomes);

  // The first WebSocket rule of `venue` naming `stream`, else its "*" rule; nullptr when none.
  [[nodiscard]] const WsFaultRule* ws_rule(FaultVenue venue, std::string_view stream) const;
  // The fate of one message of `kind` on a session of `stream` with fault state `session`; `now`
  // decides stalls (a stall is counted once, when its first message is lost). Control messages are sent
  // unless the session is stalled.
  WsAction on_ws_message(FaultVenue venue, std::string_view stream, WsFaultState& session, Timestamp now,
                         WsMessageKind kind);

 private:
  using Key = std::tuple<FaultVenue, std::string, std::string>;

  bool draw(double rate);

  FaultConfig config_;
  Rng rng_;
  std::map<Key, std::uint64_t, std::less<>> counts_;
};

// The fault scope of one WebSocket route: its sessions ask `injector` about every message.
struct WsFaultScope {
  FaultInjector* injector = nullptr;  // none: no faults
  FaultVenue venue = FaultVenue::kUpbit;
  std::string stream;
};

}  // namespace kimp::sim
