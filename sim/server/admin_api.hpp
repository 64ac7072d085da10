// The emulator's admin API: the ledger as ground truth, accounts, server clock skew and reset.
#pragma once

#include "sim/server/exchange.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/router.hpp"

namespace kimp::sim {

// GET /ledger            every account's balances, positions, orders, fills and funding payments;
//                        amounts are exact decimal strings, times ISO-8601 UTC
// POST /accounts         {"name","upbit_access_key","upbit_secret_key","bybit_api_key","bybit_api_secret",
//                         "krw":"...","usdt":"...","coins":{"BTC":"0.5"}} creates and funds an account
// GET /clock, POST /clock {"skew_ms": -30000} reads or sets the server clock's skew
// POST /reset            forgets every account, order and fill; the configured accounts are re-created
// Errors answer {"error": "..."} with 400 (bad request), 404 (unknown path) or 409 (name or key taken).
class AdminApi {
 public:
  explicit AdminApi(Exchange& exchange);

  HttpResponse handle(const HttpRequest& request) { return router_.route(request); }

 private:
  HttpResponse ledger();
  HttpResponse add_account(const HttpRequest& request);
  HttpResponse clock();
  HttpResponse set_clock(const HttpRequest& request);
  HttpResponse reset();

  Exchange& exchange_;
  Router router_;
};

}  // namespace kimp::sim
