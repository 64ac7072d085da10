// The emulated USD/KRW source: Dunamu's quotation API (`GET /v1/forex/recent?codes=FRX.KRWUSD`).
#pragma once

#include <string>

#include "core/decimal.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/http_server.hpp"

namespace kimp::sim {

class FxApi {
 public:
  explicit FxApi(Exchange& exchange) : exchange_(exchange) {}

  HttpResponse handle(const HttpRequest& request);

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
