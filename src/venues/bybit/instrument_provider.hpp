// Bybit instrument rules (tick, lot, minimums) of one category, loaded over REST and kept by symbol.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"
#include "market/instrument_table.hpp"
#include "model/instrument.hpp"
#include "model/types.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp {
class Clock;
}

namespace kimp::venues::bybit {

class BybitRestClient;

class BybitInstrumentProvider {
 public:
  // `rest` and `clock` must outlive the provider.
  BybitInstrumentProvider(BybitRestClient& rest, const Clock& clock, BybitCategory category)
      : rest_(&rest), clock_(&clock), category_(category) {}

  // Loads every instrument of the category (all pages) and replaces the table.
  // Errors: those of BybitRestClient::instruments and InstrumentTable::replace; the table keeps its last
  // contents.
  boost::asio::awaitable<Status> refresh();

  // The rules of `symbol`; nullptr when Bybit does not list it or nothing was loaded yet.
  [[nodiscard]] const model::Instrument* find(const model::Symbol& symbol) const {
    return table_.find(symbol);
  }
  [[nodiscard]] const market::InstrumentTable& table() const { return table_; }
  [[nodiscard]] BybitCategory category() const { return category_; }

 private:
  BybitRestClient* rest_;
  const Clock* clock_;
  BybitCategory category_;
  market::InstrumentTable table_;
};

}  // namespace kimp::venues::bybit
