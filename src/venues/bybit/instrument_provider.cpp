// Bybit instrument refresh: one full listing through the REST client into the table.
#include "venues/bybit/instrument_provider.hpp"

#include <utility>

#include "core/clock.hpp"
#include "venues/bybit/rest_client.hpp"

namespace kimp::venues::bybit {

boost::asio::awaitable<Status> BybitInstrumentProvider::refresh() {
  KIMP_CO_TRY_ASSIGN(auto instruments, co_await rest_->instruments(category_));
  co_return table_.replace(std::move(instruments), clock_->now());
}

}  // namespace kimp::venues::bybit
