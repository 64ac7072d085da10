// FX rate holder: monotonic updates, keep-last-value on failure, ages; USDT/KRW from Upbit's ticker.
#include "venues/fx/fx_rate.hpp"

#include <string>

namespace kimp::venues::fx {

const model::Symbol& usdt_krw_market() {
  static const model::Symbol market = model::Symbol::create("KRW-USDT").value();
  return market;
}

Result<FxObservation> usdt_krw_from_ticker(const model::Ticker& ticker) {
  if (ticker.venue != model::Venue::kUpbit || ticker.symbol != usdt_krw_market()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "USDT/KRW needs Upbit's KRW-USDT ticker, got " + std::string(ticker.symbol.view()));
  }
  if (!ticker.last_price || !ticker.last_price->is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit KRW-USDT ticker carries no positive last price");
  }
  return FxObservation{*ticker.last_price, ticker.ts_event};
}

Status FxRate::update(FxObservation observation, Timestamp ts_recv) {
  if (!observation.rate.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "FX rate must be positive, got " + observation.rate.to_string());
  }
  if (last_ && observation.ts_event < last_->ts_event) {
    return make_error(ErrorCode::kInvalidArgument, "FX quote of " + observation.ts_event.to_iso8601() +
                                                       " is older than the one held, of " +
                                                       last_->ts_event.to_iso8601());
  }
  last_ = observation;
  ts_recv_ = ts_recv;
  stale_ = false;
  return ok();
}

void FxRate::mark_failed(Timestamp now) {
  last_failure_ = now;
  stale_ = last_.has_value();
}

std::optional<Decimal> FxRate::rate() const {
  if (!last_) {
    return std::nullopt;
  }
  return last_->rate;
}

std::optional<Timestamp> FxRate::ts_event() const {
  if (!last_) {
    return std::nullopt;
  }
  return last_->ts_event;
}

std::optional<Timestamp> FxRate::ts_recv() const {
  if (!last_) {
    return std::nullopt;
  }
  return ts_recv_;
}

std::optional<Duration> FxRate::age(Timestamp now) const {
  if (!last_) {
    return std::nullopt;
  }
  return now - ts_recv_;
}

std::optional<Duration> FxRate::quote_age(Timestamp now) const {
  if (!last_) {
    return std::nullopt;
  }
  return now - last_->ts_event;
}

}  // namespace kimp::venues::fx
