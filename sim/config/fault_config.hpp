// What the emulator's fault injection is told to do: scenario files' [faults] section and POST /faults.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"

namespace kimp::sim {

enum class FaultVenue : std::uint8_t { kUpbit, kBybit, kFx };
// "upbit", "bybit", "fx": the spelling in scenario files, admin requests and GET /faults.
std::span<const std::string_view> enum_names(FaultVenue);
std::string_view to_string(FaultVenue venue);

// The WebSocket streams fault rules and disconnect commands name: Upbit "websocket"; Bybit
// "public.linear", "public.spot", "private"; none for the FX source.
std::span<const std::string_view> ws_streams(FaultVenue venue);
// Why `stream` names none of `venue`'s streams and is not "*"; nothing when it is fine.
std::optional<std::string> check_ws_stream(FaultVenue venue, std::string_view stream);

// Faults of HTTP requests to one venue's paths. Rates are probabilities per request in [0, 1], drawn in
// the order timeout, reset, rate limit, server error; latency applies to every request served.
struct HttpFaultRule {
  FaultVenue venue = FaultVenue::kUpbit;
  std::string endpoint = "*";           // a request path ("/v5/order/create") or "*" for every path
  std::chrono::milliseconds latency{};  // fixed delay before the answer
  std::chrono::milliseconds jitter{};   // plus a uniform delay in [0, jitter)
  double timeout_rate = 0.0;            // accepted and never answered
  double reset_rate = 0.0;              // the connection is reset, nothing answered
  double rate_limit_rate = 0.0;         // Upbit HTTP 429 / Bybit retCode 10006, as each venue answers it
  double server_error_rate = 0.0;       // HTTP 503 with the venue's error body

  bool operator==(const HttpFaultRule&) const = default;
};

enum class OrderOutcome : std::uint8_t {
  kReject,       // refused with `reject_code` before the ledger sees it
  kNoFill,       // placed against an empty book: IOC/market orders cancel unfilled, limits rest
  kPartialFill,  // the book offers at most `fill_ratio` of the quantity
  kInvisible,    // placed normally, but lookups answer "not found" for `invisible_for`
  kCancelRace,   // a cancel fills the order completely at its price in the same instant, then is rejected
  kLateFill,     // the request is never answered; the order is placed `late_by` later and fills then
};
// "reject", "no_fill", "partial_fill", "invisible", "cancel_race", "late_fill".
std::span<const std::string_view> enum_names(OrderOutcome);
std::string_view to_string(OrderOutcome outcome);

// One order outcome for a share of the orders (cancels, for kCancelRace) of one venue and symbol.
struct OrderFaultRule {
  FaultVenue venue = FaultVenue::kBybit;  // upbit or bybit
  std::string symbol = "*";               // "KRW-BTC", "BTCUSDT" or "*"
  OrderOutcome outcome = OrderOutcome::kReject;
  double rate = 1.0;
  // kReject: an Upbit error name ("insufficient_funds_bid") or a Bybit retCode ("110007").
  std::string reject_code;
  double fill_ratio = 0.5;                    // kPartialFill, in (0, 1)
  std::chrono::milliseconds invisible_for{};  // kInvisible
  std::chrono::milliseconds late_by{};        // kLateFill

  bool operator==(const OrderFaultRule&) const = default;
};

// Faults of one WebSocket stream (see ws_streams; "*" for all of the venue's). Rates are per message of
// the kinds WsMessageKind names.
struct WsFaultRule {
  FaultVenue venue = FaultVenue::kBybit;
  std::string stream = "*";
  // Each session is reset this long after it opened, again and again; 0 = never.
  std::chrono::milliseconds disconnect_every{};
  // Each session goes silent (no messages, no close) for `stall_for` once every `stall_every` of its
  // life, starting `stall_every` after it opened; 0 = never. stall_for < stall_every.
  std::chrono::milliseconds stall_every{};
  std::chrono::milliseconds stall_for{};
  double drop_rate = 0.0;       // deltas
  double duplicate_rate = 0.0;  // deltas
  double reorder_rate = 0.0;    // deltas: held back and sent after the next one
  double malformed_rate = 0.0;  // snapshots and deltas: replaced by a truncated frame

  bool operator==(const WsFaultRule&) const = default;
};

// A step in one coin's kimchi premium, `after` the rules were configured (at the emulator's start for a
// scenario file, at the request for POST /faults).
struct PremiumJump {
  std::string coin;  // "BTC"
  Decimal pct;       // percentage points added to the premium, e.g. -3
  std::chrono::seconds after{};

  bool operator==(const PremiumJump&) const = default;
};

struct MarketFaults {
  std::chrono::milliseconds clock_skew{};  // added to every server timestamp
  bool fx_down = false;                    // the FX source answers 503 (whether frozen or not)
  bool fx_frozen = false;                  // the FX source repeats the quote it had when frozen
  std::vector<PremiumJump> premium_jumps;

  bool operator==(const MarketFaults&) const = default;
};

struct FaultConfig {
  std::uint64_t seed = 7;  // the same seed and the same traffic give the same faults
  std::vector<HttpFaultRule> http;
  std::vector<OrderFaultRule> orders;
  std::vector<WsFaultRule> websocket;
  MarketFaults market;

  bool operator==(const FaultConfig&) const = default;
};

}  // namespace kimp::sim
