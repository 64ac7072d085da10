// Instrument rules of the emulated venues: Upbit's KRW tick table and minimum order, Bybit linear
// instruments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"

namespace kimp::sim {

// Upbit refuses KRW-market orders worth less than 5,000 KRW.
inline constexpr Decimal kUpbitMinOrderKrw = Decimal::from_units(5'000 * Decimal::kUnitsPerOne);
// Upbit volumes carry 8 decimals.
inline constexpr Decimal kUpbitQtyStep = Decimal::from_units(1);

// One row of Upbit's tick table: prices at or above `min_price` move in steps of `tick`.
struct UpbitTickBand {
  Decimal min_price;
  Decimal tick;

  bool operator==(const UpbitTickBand&) const = default;
};

// Upbit's tick table for `market` ("KRW-BTC"), ascending by min_price, the first band starting at 0.
// The one source of Upbit's price steps: the book builder, the ledger and the API all read it.
const std::vector<UpbitTickBand>& upbit_tick_bands(std::string_view market);

// The band of `bands` (ascending by min_price) that `price` falls in; nullptr below the first band.
const UpbitTickBand* find_tick_band(const std::vector<UpbitTickBand>& bands, Decimal price);

// The price step of Upbit's KRW markets for an asset priced at `price` (the general table in force
// since 2025-07-31, docs.upbit.com/kr/docs/krw-market-info). Non-positive prices get the smallest step.
Decimal upbit_krw_tick_size(Decimal price);

// As upbit_krw_tick_size, with the exception for the stablecoin markets KRW-USDT and KRW-USDC, whose
// 1,000–10,000 KRW band moves in 0.5 KRW steps (Upbit notice of 2025-03-21, usdtkrw_tick_unit_change).
Decimal upbit_tick_size(std::string_view market, Decimal price);

// A Bybit USDT linear perpetual's trading rules, as /v5/market/instruments-info reports them.
struct BybitInstrument {
  std::string symbol;  // "BTCUSDT"
  std::string base_coin;
  std::string quote_coin;
  std::int32_t price_scale = 0;
  Decimal tick_size;
  Decimal min_price;
  Decimal max_price;
  Decimal qty_step;
  Decimal min_order_qty;
  Decimal max_order_qty;
  Decimal max_mkt_order_qty;
  Decimal min_notional_value;
  Decimal min_leverage;
  Decimal max_leverage;
  Decimal leverage_step;
  std::int32_t funding_interval_minutes = 480;
  Decimal upper_funding_rate;
  Decimal lower_funding_rate;

  bool operator==(const BybitInstrument&) const = default;
};

// Bybit linear instruments by symbol.
class BybitInstrumentTable {
 public:
  // The five default coins (BTC, ETH, SOL, XRP, DOGE) with the values Bybit reported on 2026-08-09
  // (capture/bybit_v5_public_ws_2026-08-09.jsonl), for runs that load no recording.
  static BybitInstrumentTable builtin();

  // Parses an instruments-info response body (category=linear). Errors: kInvalidArgument when the body
  // is not JSON, retCode is not 0, or an entry lacks a field or holds a malformed number.
  static Result<BybitInstrumentTable> parse(std::string_view body);

  // The linear instruments-info response recorded in a Bybit capture (.jsonl, `"t":"http"` lines).
  // Errors: kFailedPrecondition when the file cannot be read or holds no such response;
  // kInvalidArgument as parse().
  static Result<BybitInstrumentTable> load_capture(const std::string& path);

  // Adds `instrument`, replacing one with the same symbol.
  void upsert(BybitInstrument instrument);
  // nullptr when the symbol is unknown.
  [[nodiscard]] const BybitInstrument* find(std::string_view symbol) const;
  [[nodiscard]] std::size_t size() const { return by_symbol_.size(); }

 private:
  std::map<std::string, BybitInstrument, std::less<>> by_symbol_;
};

}  // namespace kimp::sim
