// Upbit KRW instruments from GET /v1/market/all and GET /v1/orders/chance.
#include "venues/upbit/instrument_provider.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "venues/upbit/rest_client.hpp"

namespace kimp::venues::upbit {

boost::asio::awaitable<Status> UpbitInstrumentProvider::refresh(
    std::span<const model::Symbol> order_rules_for) {
  KIMP_CO_TRY_ASSIGN(const auto markets, co_await rest_->markets());
  std::vector<model::Instrument> loaded;
  loaded.reserve(markets.size());
  for (const UpbitMarket& market : markets) {
    model::Instrument instrument;
    instrument.venue = model::Venue::kUpbit;
    instrument.symbol = market.market;
    instrument.base = market.base;
    instrument.quote = "KRW";
    instrument.qty_step = kUpbitVolumeStep;
    instrument.min_qty = kUpbitVolumeStep;
    instrument.min_notional = kUpbitMinOrderTotalKrw;
    loaded.push_back(std::move(instrument));
  }
  for (const model::Symbol& symbol : order_rules_for) {
    const auto found = std::find_if(loaded.begin(), loaded.end(), [&](const model::Instrument& instrument) {
      return instrument.symbol == symbol;
    });
    if (found == loaded.end()) {
      co_return make_error(ErrorCode::kFailedPrecondition,
                           fmt::format("Upbit lists no KRW market {}", symbol.view()));
    }
    KIMP_CO_TRY_ASSIGN(const UpbitOrderChance chance, co_await rest_->order_chance(symbol));
    found->min_notional = std::max(chance.bid_min_total, chance.ask_min_total);
  }
  co_return table_.replace(std::move(loaded), clock_->now());
}

}  // namespace kimp::venues::upbit
