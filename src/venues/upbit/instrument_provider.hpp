// Upbit KRW instruments: the market list with Upbit's order rules, loaded over REST and refreshed on demand.
#pragma once

#include <span>

#include <boost/asio/awaitable.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "market/instrument_table.hpp"
#include "model/instrument.hpp"
#include "model/types.hpp"

namespace kimp {
class Clock;
}

namespace kimp::venues::upbit {

class UpbitRestClient;

// Upbit's published minimum order total of its KRW markets, used until order_chance gives the market's own.
inline constexpr Decimal kUpbitMinOrderTotalKrw = Decimal::from_units(5'000 * Decimal::kUnitsPerOne);
// Upbit volumes carry 8 decimals.
inline constexpr Decimal kUpbitVolumeStep = Decimal::from_units(1);

// Instruments of Upbit's KRW markets: tick_size zero (the step depends on the price: round with
// round_to_upbit_tick), qty_step and min_qty 10^-8, no maximum, min_notional the larger of the market's
// bid and ask min_total from order_chance, or kUpbitMinOrderTotalKrw for markets not asked about.
// Not thread-safe; use from the client's executor.
class UpbitInstrumentProvider {
 public:
  // `rest` and `clock` must outlive the provider.
  UpbitInstrumentProvider(UpbitRestClient& rest, const Clock& clock) : rest_(&rest), clock_(&clock) {}

  // Replaces the instruments with the current KRW market list, then reads order_chance for each of
  // `order_rules_for` (a signed call per market, so only for the markets the engine trades). A market
  // that is no longer listed disappears; on an error the instruments held before stay unchanged.
  // Errors: those of UpbitRestClient::markets and ::order_chance and of InstrumentTable::replace;
  // kFailedPrecondition naming a market of `order_rules_for` that Upbit does not list.
  boost::asio::awaitable<Status> refresh(std::span<const model::Symbol> order_rules_for = {});

  // The instrument of `market` ("KRW-BTC"); nullptr when it is not listed (or before the first refresh).
  [[nodiscard]] const model::Instrument* find(const model::Symbol& market) const {
    return table_.find(market);
  }
  [[nodiscard]] const market::InstrumentTable& table() const { return table_; }

 private:
  UpbitRestClient* rest_;
  const Clock* clock_;
  market::InstrumentTable table_;
};

}  // namespace kimp::venues::upbit
