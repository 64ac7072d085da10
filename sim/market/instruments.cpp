// Upbit's KRW tick table, and Bybit linear instruments from instruments-info bodies or a built-in table.
#include "sim/market/instruments.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <utility>

#include <boost/json.hpp>

namespace kimp::sim {
namespace {

struct TickBand {
  std::int64_t min_units;  // the band starts at this price, in Decimal units
  std::int64_t tick_units;
};

constexpr std::int64_t kOne = Decimal::kUnitsPerOne;

// Highest band first. Upbit lists 1,000,000–2,000,000 and >= 2,000,000 as separate rows with the same
// step, so one row covers both.
constexpr std::array<TickBand, 15> kKrwTickBands{{
    {1'000'000 * kOne, 1'000 * kOne},
    {500'000 * kOne, 500 * kOne},
    {100'000 * kOne, 100 * kOne},
    {50'000 * kOne, 50 * kOne},
    {10'000 * kOne, 10 * kOne},
    {5'000 * kOne, 5 * kOne},
    {100 * kOne, kOne},
    {10 * kOne, kOne / 10},
    {kOne, kOne / 100},
    {kOne / 10, kOne / 1'000},
    {kOne / 100, kOne / 10'000},
    {kOne / 1'000, kOne / 100'000},
    {kOne / 10'000, kOne / 1'000'000},
    {kOne / 100'000, kOne / 10'000'000},
    {0, 1},
}};

constexpr std::int64_t kStablecoinBandMin = 1'000 * kOne;

// Builtin values are constants of this file, so a parse failure is a bug.
Decimal lit(std::string_view text) {
  return Decimal::parse(text).value();
}

Result<std::string> string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("instrument field {} missing or not a string", key));
  }
  return std::string(value->as_string());
}

Result<Decimal> decimal_field(const boost::json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const std::string text, string_field(object, key));
  return Decimal::parse(text);
}

Result<const boost::json::object*> object_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("instrument field {} missing or not an object", key));
  }
  return &value->as_object();
}

Result<BybitInstrument> parse_instrument(const boost::json::object& entry) {
  BybitInstrument out;
  KIMP_TRY_ASSIGN(out.symbol, string_field(entry, "symbol"));
  KIMP_TRY_ASSIGN(out.base_coin, string_field(entry, "baseCoin"));
  KIMP_TRY_ASSIGN(out.quote_coin, string_field(entry, "quoteCoin"));
  KIMP_TRY_ASSIGN(const Decimal scale, decimal_field(entry, "priceScale"));
  out.price_scale = static_cast<std::int32_t>(scale.units() / Decimal::kUnitsPerOne);
  KIMP_TRY_ASSIGN(const auto* price, object_field(entry, "priceFilter"));
  KIMP_TRY_ASSIGN(out.tick_size, decimal_field(*price, "tickSize"));
  KIMP_TRY_ASSIGN(out.min_price, decimal_field(*price, "minPrice"));
  KIMP_TRY_ASSIGN(out.max_price, decimal_field(*price, "maxPrice"));
  KIMP_TRY_ASSIGN(const auto* lot, object_field(entry, "lotSizeFilter"));
  KIMP_TRY_ASSIGN(out.qty_step, decimal_field(*lot, "qtyStep"));
  KIMP_TRY_ASSIGN(out.min_order_qty, decimal_field(*lot, "minOrderQty"));
  KIMP_TRY_ASSIGN(out.max_order_qty, decimal_field(*lot, "maxOrderQty"));
  KIMP_TRY_ASSIGN(out.max_mkt_order_qty, decimal_field(*lot, "maxMktOrderQty"));
  KIMP_TRY_ASSIGN(out.min_notional_value, decimal_field(*lot, "minNotionalValue"));
  KIMP_TRY_ASSIGN(const auto* leverage, object_field(entry, "leverageFilter"));
  KIMP_TRY_ASSIGN(out.min_leverage, decimal_field(*leverage, "minLeverage"));
  KIMP_TRY_ASSIGN(out.max_leverage, decimal_field(*leverage, "maxLeverage"));
  KIMP_TRY_ASSIGN(out.leverage_step, decimal_field(*leverage, "leverageStep"));
  const auto* interval = entry.if_contains("fundingInterval");
  if (interval == nullptr || !interval->is_int64()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "instrument field fundingInterval missing or not an integer");
  }
  out.funding_interval_minutes = static_cast<std::int32_t>(interval->as_int64());
  KIMP_TRY_ASSIGN(out.upper_funding_rate, decimal_field(entry, "upperFundingRate"));
  KIMP_TRY_ASSIGN(out.lower_funding_rate, decimal_field(entry, "lowerFundingRate"));
  if (!out.tick_size.is_positive() || !out.qty_step.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("instrument {} has a non-positive step", out.symbol));
  }
  return out;
}

BybitInstrument builtin_instrument(std::string coin, int price_scale, std::string_view tick,
                                   std::string_view max_price, std::string_view qty_step,
                                   std::string_view max_qty, std::string_view max_mkt_qty,
                                   std::string_view max_leverage, std::string_view funding_cap) {
  BybitInstrument out;
  out.symbol = coin + "USDT";
  out.base_coin = std::move(coin);
  out.quote_coin = "USDT";
  out.price_scale = price_scale;
  out.tick_size = lit(tick);
  out.min_price = out.tick_size;
  out.max_price = lit(max_price);
  out.qty_step = lit(qty_step);
  out.min_order_qty = out.qty_step;
  out.max_order_qty = lit(max_qty);
  out.max_mkt_order_qty = lit(max_mkt_qty);
  out.min_notional_value = lit("5");
  out.min_leverage = lit("1");
  out.max_leverage = lit(max_leverage);
  out.leverage_step = lit("0.01");
  out.funding_interval_minutes = 480;
  out.upper_funding_rate = lit(funding_cap);
  out.lower_funding_rate = Decimal::from_units(-out.upper_funding_rate.units());
  return out;
}

}  // namespace

namespace {

std::vector<UpbitTickBand> build_tick_bands(bool stablecoin) {
  std::vector<UpbitTickBand> bands;
  for (auto band = kKrwTickBands.rbegin(); band != kKrwTickBands.rend(); ++band) {
    if (stablecoin && band->min_units == kStablecoinBandMin * 5) {
      continue;  // the 5,000 KRW row is folded into the stablecoins' half-won band
    }
    bands.push_back({Decimal::from_units(band->min_units), Decimal::from_units(band->tick_units)});
    if (stablecoin && band->min_units == 100 * kOne) {
      bands.push_back({Decimal::from_units(kStablecoinBandMin), Decimal::from_units(kOne / 2)});
    }
  }
  return bands;
}

}  // namespace

const std::vector<UpbitTickBand>& upbit_tick_bands(std::string_view market) {
  static const std::vector<UpbitTickBand> general = build_tick_bands(false);
  static const std::vector<UpbitTickBand> stablecoins = build_tick_bands(true);
  return market == "KRW-USDT" || market == "KRW-USDC" ? stablecoins : general;
}

const UpbitTickBand* find_tick_band(const std::vector<UpbitTickBand>& bands, Decimal price) {
  const auto above =
      std::upper_bound(bands.begin(), bands.end(), price,
                       [](Decimal value, const UpbitTickBand& band) { return value < band.min_price; });
  return above == bands.begin() ? nullptr : &*std::prev(above);
}

Decimal upbit_tick_size(std::string_view market, Decimal price) {
  const auto& bands = upbit_tick_bands(market);
  const UpbitTickBand* band = find_tick_band(bands, price);
  return band == nullptr ? bands.front().tick : band->tick;
}

Decimal upbit_krw_tick_size(Decimal price) {
  return upbit_tick_size("KRW-BTC", price);
}

BybitInstrumentTable BybitInstrumentTable::builtin() {
  BybitInstrumentTable table;
  table.upsert(
      builtin_instrument("BTC", 2, "0.10", "1999999.80", "0.001", "1500.000", "150.000", "100.00", "0.005"));
  table.upsert(
      builtin_instrument("ETH", 2, "0.01", "199999.98", "0.01", "10000.00", "2000.00", "100.00", "0.005"));
  table.upsert(
      builtin_instrument("SOL", 3, "0.010", "199999.980", "0.1", "96000.0", "12000.0", "100.00", "0.005"));
  table.upsert(builtin_instrument("XRP", 4, "0.0001", "1999.9998", "0.1", "7500000.0", "1500000.0", "100.00",
                                  "0.005"));
  table.upsert(
      builtin_instrument("DOGE", 5, "0.00001", "199.99998", "1", "43678900", "5991100", "75.00", "0.0058"));
  return table;
}

Result<BybitInstrumentTable> BybitInstrumentTable::parse(std::string_view body) {
  boost::system::error_code error;
  const boost::json::value root = boost::json::parse(body, error);
  if (error || !root.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "instruments-info body is not a JSON object");
  }
  const auto& object = root.as_object();
  const auto* ret_code = object.if_contains("retCode");
  if (ret_code == nullptr || !ret_code->is_int64() || ret_code->as_int64() != 0) {
    return make_error(ErrorCode::kInvalidArgument, "instruments-info body has no retCode 0");
  }
  const auto* result = object.if_contains("result");
  const auto* list =
      result != nullptr && result->is_object() ? result->as_object().if_contains("list") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return make_error(ErrorCode::kInvalidArgument, "instruments-info body has no result.list array");
  }
  BybitInstrumentTable table;
  for (const auto& entry : list->as_array()) {
    if (!entry.is_object()) {
      return make_error(ErrorCode::kInvalidArgument, "instruments-info list entry is not an object");
    }
    KIMP_TRY_ASSIGN(BybitInstrument instrument, parse_instrument(entry.as_object()));
    table.upsert(std::move(instrument));
  }
  return table;
}

Result<BybitInstrumentTable> BybitInstrumentTable::load_capture(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("cannot read capture {}", path));
  }
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code error;
    const boost::json::value record = boost::json::parse(line, error);
    if (error || !record.is_object()) {
      continue;  // other line kinds are the replay's business; only the REST response matters here
    }
    const auto& object = record.as_object();
    const auto* kind = object.if_contains("t");
    const auto* url = object.if_contains("url");
    const auto* data = object.if_contains("data");
    if (kind == nullptr || url == nullptr || data == nullptr || !kind->is_string() || !url->is_string() ||
        !data->is_string() || kind->as_string() != "http") {
      continue;
    }
    const std::string_view url_text = url->as_string();
    if (url_text.find("instruments-info") != std::string_view::npos &&
        url_text.find("category=linear") != std::string_view::npos) {
      return parse(data->as_string());
    }
  }
  return make_error(ErrorCode::kFailedPrecondition,
                    fmt::format("capture {} holds no linear instruments-info response", path));
}

void BybitInstrumentTable::upsert(BybitInstrument instrument) {
  std::string key = instrument.symbol;
  by_symbol_.insert_or_assign(std::move(key), std::move(instrument));
}

const BybitInstrument* BybitInstrumentTable::find(std::string_view symbol) const {
  const auto it = by_symbol_.find(symbol);
  return it == by_symbol_.end() ? nullptr : &it->second;
}

}  // namespace kimp::sim
