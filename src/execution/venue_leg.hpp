// VenueLeg: one venue's side of a pair trade as the live executor drives it — an order placed under our
// client order id, looked up and cancelled by that id, and the balances its pre-flight reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "execution/order_executor.hpp"
#include "model/account_events.hpp"
#include "model/instrument.hpp"

namespace kimp::execution {

// One order to send. kLimit is an IOC limit at `price` for `qty`; kMarket takes `qty`; kMarketKrw is an
// Upbit market buy spending `krw_amount`.
struct LegOrder {
  std::string client_order_id{};
  model::Side side = model::Side::kBuy;
  model::OrderType type = model::OrderType::kMarket;
  Decimal qty{};
  Decimal price{};
  Decimal krw_amount{};
  bool reduce_only = false;  // Bybit: may only shrink the position
};

// What an account holds for one coin's pair: the quote currency free for new orders (Upbit KRW, Bybit
// USDT) and the coin's exposure (Upbit coins held, Bybit contracts short).
struct LegHoldings {
  Decimal quote_available{};
  Decimal coin_exposure{};
};

class VenueLeg {
 public:
  VenueLeg() = default;
  VenueLeg(const VenueLeg&) = delete;
  VenueLeg& operator=(const VenueLeg&) = delete;
  virtual ~VenueLeg() = default;

  [[nodiscard]] virtual Leg leg() const = 0;

  // Sends `order` once. The order as the venue acknowledged it: at least its ids, status kNew unless the
  // answer already says more. Errors: the venue's refusal (nothing was placed), or kDeadlineExceeded /
  // kUnavailable when the outcome is unknown — find() the order by its id, never send it again.
  virtual boost::asio::awaitable<Result<model::OrderReport>> place(const model::Instrument& instrument,
                                                                   const LegOrder& order) = 0;
  // The order with our `client_order_id`; nullopt when the venue knows none (yet: an order can stay
  // invisible for a while after it was accepted).
  virtual boost::asio::awaitable<Result<std::optional<model::OrderReport>>> find(
      const model::Instrument& instrument, std::string_view client_order_id) = 0;
  // Asks the venue to cancel; an order the venue no longer has open is no error. What it ended with is
  // read by find() afterwards.
  virtual boost::asio::awaitable<Status> cancel(const model::Instrument& instrument,
                                                std::string_view client_order_id) = 0;
  // The account's holdings for `instrument`'s coin.
  virtual boost::asio::awaitable<Result<LegHoldings>> holdings(const model::Instrument& instrument) = 0;
  // How long an order sent now would wait for the venue's order rate budget.
  [[nodiscard]] virtual Duration send_delay() const = 0;
};

}  // namespace kimp::execution
