// The emulated USD/KRW source: Dunamu's quotation API (`GET /v1/forex/recent?codes=FRX.KRWUSD`).
#pragma once

#include <string>

#include "core/decimal.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/faults.hpp"
#include "sim/server/http_server.hpp"

namespace kimp::sim {

class FxApi {
 public:
  explicit FxApi(Exchange& exchange) : exchange_(exchange) {}

  // GET /v1/forex/recent?codes=FRX.KRWUSD: a one-quote array ("[]" for other codes). While the market
  // faults say fx_down it answers 503 {"error":"service unavailable"}, counted "fx_down"; while
  // fx_frozen, the quote (rate and timestamps) of Exchange::frozen_fx, counted "fx_frozen".
  // Other paths or methods: 404; 500 when the exchange cannot sync.
  HttpResponse handle(const HttpRequest& request);

  // The source's answer to a request the fault injector failed: 429 (kRateLimit) or 503 (kServerError).
  [[nodiscard]] static HttpResponse injected_failure(HttpVerdict::Action action);

 private:
  // The KST day's open, high and low of the rate, as far as the emulator has seen it.
  struct Day {
    std::string date;  // "2026-08-09" in KST
    Decimal open;
    Decimal high;
    Decimal low;
  };

  Exchange& exchange_;
  Day day_;
};

}  // namespace kimp::sim
