// The emulator's admin API: the ledger as ground truth, accounts, server clock skew, reset, and runtime
// control of fault injection and market faults.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "sim/config/fault_config.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/router.hpp"

namespace kimp::sim {

// What the admin API controls beyond the exchange: the servers' WebSocket sessions.
struct AdminControls {
  // Resets every open session of `venue`'s `stream` ("*": each of the venue's streams), each counted
  // "ws_disconnect", and returns how many; empty when the emulator serves no WebSocket streams.
  std::function<std::size_t(FaultVenue venue, std::string_view stream)> disconnect_websockets;
};

// GET /ledger            every account's balances, positions, orders, fills and funding payments;
//                        amounts are exact decimal strings, times ISO-8601 UTC
// POST /accounts         {"name","upbit_access_key","upbit_secret_key","bybit_api_key","bybit_api_secret",
//                         "krw":"...","usdt":"...","coins":{"BTC":"0.5"}} creates and funds an account
// GET /clock, POST /clock {"skew_ms": -30000} reads or sets the server clock's skew
// POST /reset            forgets every account, order and fill; the configured accounts are re-created
// GET /faults            {"config": {...}, "seed": 7, "counts": [{"venue","kind","target","count"}, ...]}:
//                        the active fault rules under the keys of a scenario file's [faults] table
//                        (durations in milliseconds, decimals as strings), and every fault counted so
//                        far (FaultInjector::counts_json)
// POST /faults           a JSON object shaped like the [faults] table replaces every rule, checked with the
//                        rules and messages of scenario files (Exchange::configure_faults: market faults
//                        apply at once, counts are kept); answers as GET /faults, or 400
//                        {"error": "invalid fault configuration", "problems": [{"key", "message"}, ...]}
// DELETE /faults         removes every rule and market fault, keeping the seed and the counts; answers as
//                        GET /faults
// POST /faults/disconnect {"venue": "bybit", "stream": "public.linear"} resets those WebSocket sessions
//                        now (stream "*" or absent: all of the venue's); answers {"disconnected": N}, or
//                        501 when the emulator serves no WebSocket streams
// POST /market/premium-jump {"coin": "BTC", "pct": "-3"} adds pct percentage points (a decimal string or
//                        a whole number, between -100 and 100) to the coin's premium now; answers
//                        {"coin", "pct", "premium"} with the premium after the jump as a fraction, or
//                        409 when the coin's Upbit price is replayed
// Errors answer {"error": "..."} with 400 (bad request), 404 (unknown path), 405 (method), 409 (name or
// key taken) or 500 (the exchange failed).
class AdminApi {
 public:
  explicit AdminApi(Exchange& exchange, AdminControls controls = {});

  HttpResponse handle(const HttpRequest& request) { return router_.route(request); }

 private:
  HttpResponse ledger();
  HttpResponse add_account(const HttpRequest& request);
  HttpResponse clock();
  HttpResponse set_clock(const HttpRequest& request);
  HttpResponse reset();
  HttpResponse faults();
  HttpResponse set_faults(const HttpRequest& request);
  HttpResponse clear_faults();
  HttpResponse disconnect(const HttpRequest& request);
  HttpResponse premium_jump(const HttpRequest& request);
  // Applies `config` through the exchange and answers as GET /faults.
  HttpResponse apply_faults(FaultConfig config);

  Exchange& exchange_;
  AdminControls controls_;
  Router router_;
};

}  // namespace kimp::sim
