// The Upbit and Bybit REST legs: each LegOrder mapped onto the venue's order call.
#include "execution/rest_legs.hpp"

#include <algorithm>

#include "venues/bybit/error.hpp"

namespace kimp::execution {

boost::asio::awaitable<Result<model::OrderReport>> UpbitRestLeg::place(const model::Instrument& instrument,
                                                                       const LegOrder& order) {
  switch (order.type) {
    case model::OrderType::kLimit:
      co_return co_await client_->place_limit_order(instrument.symbol, order.side, order.price, order.qty,
                                                    model::TimeInForce::kIoc, order.client_order_id);
    case model::OrderType::kMarketKrw:
      co_return co_await client_->place_market_buy(instrument.symbol, order.krw_amount,
                                                   order.client_order_id);
    case model::OrderType::kMarket:
      if (order.side == model::Side::kBuy) {
        co_return make_error(ErrorCode::kInvalidArgument,
                             "an Upbit market buy is sized by KRW amount, not by quantity");
      }
      co_return co_await client_->place_market_sell(instrument.symbol, order.qty, order.client_order_id);
  }
  co_return make_error(ErrorCode::kInvalidArgument, "unknown order type");
}

boost::asio::awaitable<Result<std::optional<model::OrderReport>>> UpbitRestLeg::find(
    const model::Instrument& /*instrument*/, std::string_view client_order_id) {
  const venues::upbit::UpbitOrderRef ref{.uuid = {}, .identifier = std::string(client_order_id)};
  co_return co_await client_->order(ref);
}

boost::asio::awaitable<Status> UpbitRestLeg::cancel(const model::Instrument& /*instrument*/,
                                                    std::string_view client_order_id) {
  const venues::upbit::UpbitOrderRef ref{.uuid = {}, .identifier = std::string(client_order_id)};
  const Result<model::OrderReport> cancelled = co_await client_->cancel(ref);
  if (!cancelled && cancelled.error().venue_code != "order_not_found" &&
      cancelled.error().venue_code != "validation_error") {
    co_return tl::unexpected<Error>(cancelled.error());
  }
  co_return ok();
}

boost::asio::awaitable<Result<LegHoldings>> UpbitRestLeg::holdings(const model::Instrument& instrument) {
  const Result<std::vector<model::Balance>> accounts = co_await client_->accounts();
  if (!accounts) {
    co_return tl::unexpected<Error>(accounts.error());
  }
  LegHoldings holdings;
  for (const model::Balance& balance : *accounts) {
    if (balance.currency == instrument.quote) {
      holdings.quote_available = balance.available;
    } else if (balance.currency == instrument.base) {
      holdings.coin_exposure = balance.total;
    }
  }
  co_return holdings;
}

Duration UpbitRestLeg::send_delay() const {
  return limiter_->wait_for(venues::upbit::kUpbitOrderGroup).value_or(Duration::max());
}

boost::asio::awaitable<Result<model::OrderReport>> BybitRestLeg::place(const model::Instrument& instrument,
                                                                       const LegOrder& order) {
  const venues::bybit::BybitOrderRequest request{.symbol = instrument.symbol,
                                                 .side = order.side,
                                                 .type = order.type,
                                                 .time_in_force = model::TimeInForce::kIoc,
                                                 .qty = order.qty,
                                                 .price = order.price,
                                                 .order_link_id = order.client_order_id,
                                                 .reduce_only = order.reduce_only};
  const Result<venues::bybit::BybitOrderAck> ack = co_await client_->create_order(request);
  if (!ack) {
    if (!venues::bybit::is_duplicate_order_link_id(ack.error())) {
      co_return tl::unexpected<Error>(ack.error());
    }
    Result<std::optional<model::OrderReport>> earlier =
        co_await client_->order(instrument.symbol, order.client_order_id);
    if (!earlier) {
      co_return tl::unexpected<Error>(earlier.error());
    }
    if (!*earlier) {
      co_return make_error(ErrorCode::kDeadlineExceeded,
                           "Bybit calls the orderLinkId taken but shows no such order yet");
    }
    co_return std::move(**earlier);
  }
  model::OrderReport report;
  report.venue = model::Venue::kBybit;
  report.symbol = instrument.symbol;
  report.venue_order_id = ack->order_id;
  report.client_order_id = ack->order_link_id;
  report.side = order.side;
  report.type = order.type;
  report.time_in_force = model::TimeInForce::kIoc;
  report.status = model::OrderStatus::kNew;
  report.price = order.price;
  report.qty = order.qty;
  report.reduce_only = order.reduce_only;
  co_return report;
}

boost::asio::awaitable<Result<std::optional<model::OrderReport>>> BybitRestLeg::find(
    const model::Instrument& instrument, std::string_view client_order_id) {
  co_return co_await client_->order(instrument.symbol, client_order_id);
}

boost::asio::awaitable<Status> BybitRestLeg::cancel(const model::Instrument& instrument,
                                                    std::string_view client_order_id) {
  const Result<venues::bybit::BybitOrderAck> cancelled =
      co_await client_->cancel_order(instrument.symbol, client_order_id);
  if (!cancelled && !venues::bybit::is_order_not_found(cancelled.error())) {
    co_return tl::unexpected<Error>(cancelled.error());
  }
  co_return ok();
}

boost::asio::awaitable<Result<LegHoldings>> BybitRestLeg::holdings(const model::Instrument& instrument) {
  const Result<venues::bybit::BybitWalletBalance> wallet = co_await client_->wallet_balance(instrument.quote);
  if (!wallet) {
    co_return tl::unexpected<Error>(wallet.error());
  }
  const Result<std::vector<model::PositionReport>> positions = co_await client_->positions();
  if (!positions) {
    co_return tl::unexpected<Error>(positions.error());
  }
  // Free margin: the wallet less what every open position holds (its notional over its leverage).
  Decimal margin_held{};
  LegHoldings holdings;
  for (const model::PositionReport& position : *positions) {
    if (!position.size.is_positive()) {
      continue;
    }
    const Result<Decimal> notional = position.size.mul(position.avg_entry_price);
    const Result<Decimal> margin =
        position.leverage.is_positive() && notional ? notional->div(position.leverage) : notional;
    const Result<Decimal> held = margin ? margin_held.add(*margin) : margin;
    if (!held) {
      co_return tl::unexpected<Error>(held.error());
    }
    margin_held = *held;
    if (position.symbol == instrument.symbol && position.side == model::Side::kSell) {
      holdings.coin_exposure = position.size;
    }
  }
  for (const model::Balance& coin : wallet->coins) {
    if (coin.currency == instrument.quote) {
      const Result<Decimal> free = coin.available.sub(margin_held);
      if (!free) {
        co_return tl::unexpected<Error>(free.error());
      }
      holdings.quote_available = std::max(*free, Decimal{});
    }
  }
  co_return holdings;
}

Duration BybitRestLeg::send_delay() const {
  return limiter_->wait_for(venues::bybit::kBybitPrivateGroup).value_or(Duration::max());
}

}  // namespace kimp::execution
