// The live venue legs: Upbit spot and Bybit linear orders through the signed REST clients.
#pragma once

#include "execution/venue_leg.hpp"
#include "net/rate_limiter.hpp"
#include "venues/bybit/rest_client.hpp"
#include "venues/upbit/rest_client.hpp"

namespace kimp::execution {

// Upbit KRW spot: IOC limit buys, KRW-amount market buys and market sells, each with our `identifier`.
// The client and limiter must outlive the leg.
class UpbitRestLeg final : public VenueLeg {
 public:
  UpbitRestLeg(venues::upbit::UpbitRestClient& client, const net::RateLimiter& limiter)
      : client_(&client), limiter_(&limiter) {}

  [[nodiscard]] Leg leg() const override { return Leg::kUpbit; }
  // Errors also: kInvalidArgument for a kMarket buy (Upbit buys at market only by KRW amount).
  boost::asio::awaitable<Result<model::OrderReport>> place(const model::Instrument& instrument,
                                                           const LegOrder& order) override;
  boost::asio::awaitable<Result<std::optional<model::OrderReport>>> find(
      const model::Instrument& instrument, std::string_view client_order_id) override;
  boost::asio::awaitable<Status> cancel(const model::Instrument& instrument,
                                        std::string_view client_order_id) override;
  // KRW available, and the coin held (free and locked).
  boost::asio::awaitable<Result<LegHoldings>> holdings(const model::Instrument& instrument) override;
  [[nodiscard]] Duration send_delay() const override;

 private:
  venues::upbit::UpbitRestClient* client_;
  const net::RateLimiter* limiter_;
};

// Bybit linear perpetuals: market (and IOC limit) orders with our orderLinkId. A placement Bybit refuses
// as a duplicate orderLinkId was accepted before: the leg answers with that order instead.
class BybitRestLeg final : public VenueLeg {
 public:
  BybitRestLeg(venues::bybit::BybitRestClient& client, const net::RateLimiter& limiter)
      : client_(&client), limiter_(&limiter) {}

  [[nodiscard]] Leg leg() const override { return Leg::kBybit; }
  boost::asio::awaitable<Result<model::OrderReport>> place(const model::Instrument& instrument,
                                                           const LegOrder& order) override;
  boost::asio::awaitable<Result<std::optional<model::OrderReport>>> find(
      const model::Instrument& instrument, std::string_view client_order_id) override;
  boost::asio::awaitable<Status> cancel(const model::Instrument& instrument,
                                        std::string_view client_order_id) override;
  // USDT wallet balance, and the symbol's short position size.
  boost::asio::awaitable<Result<LegHoldings>> holdings(const model::Instrument& instrument) override;
  [[nodiscard]] Duration send_delay() const override;

 private:
  venues::bybit::BybitRestClient* client_;
  const net::RateLimiter* limiter_;
};

}  // namespace kimp::execution
