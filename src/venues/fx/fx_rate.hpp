// The last known value of one FX rate (USD/KRW or USDT/KRW) with its times and a stale flag.
#pragma once

#include <optional>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/market_events.hpp"

namespace kimp::venues::fx {

// One observed rate: KRW per unit of the other currency.
struct FxObservation {
  Decimal rate;
  Timestamp ts_event;  // when the source says it was quoted
  bool operator==(const FxObservation&) const = default;
};

// Upbit's KRW-USDT market, whose ticker gives USDT/KRW.
const model::Symbol& usdt_krw_market();

// USDT/KRW from Upbit's KRW-USDT ticker: its last trade price at its timestamp.
// Errors: kInvalidArgument when the ticker is for another symbol or carries no positive last price.
Result<FxObservation> usdt_krw_from_ticker(const model::Ticker& ticker);

// A rate as the engine may use it. A failed refresh keeps the last value and marks it stale, so callers
// can tell "old but known" from "never known" and refuse to trade on either (the FX staleness guard).
class FxRate {
 public:
  // Takes a fresh observation received at `ts_recv` and clears the stale flag.
  // Errors: kInvalidArgument (the held value is unchanged) when the rate is not positive or the
  // observation is older than the one held (a late answer must not roll the rate back).
  Status update(FxObservation observation, Timestamp ts_recv);
  // Records a failed refresh at `now`: the value stays, marked stale.
  void mark_failed(Timestamp now);

  [[nodiscard]] bool has_value() const { return last_.has_value(); }
  // nullopt before the first successful update.
  [[nodiscard]] std::optional<Decimal> rate() const;
  [[nodiscard]] std::optional<Timestamp> ts_event() const;
  [[nodiscard]] std::optional<Timestamp> ts_recv() const;
  // True after a failed refresh, until the next successful update; false before any value exists.
  [[nodiscard]] bool stale() const { return stale_; }
  [[nodiscard]] std::optional<Timestamp> last_failure() const { return last_failure_; }
  // How long ago the held value was received (the cache age the staleness guard compares); nullopt before
  // the first update.
  [[nodiscard]] std::optional<Duration> age(Timestamp now) const;
  // How old the quote itself is by the source's clock; grows while a source keeps repeating one quote.
  [[nodiscard]] std::optional<Duration> quote_age(Timestamp now) const;

 private:
  std::optional<FxObservation> last_;
  Timestamp ts_recv_;
  bool stale_ = false;
  std::optional<Timestamp> last_failure_;
};

}  // namespace kimp::venues::fx
