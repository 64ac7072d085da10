// What the Upbit emulator tests share: a `kimp venue-sim` process, an io_context with a wall clock to run
// the adapter on, and the ledger and admin calls that check its outcomes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "app/venue_sim_process.hpp"
#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "net/loopback_servers.hpp"

namespace kimp::venues::upbit::testing {

// Generous: the suite also runs under the sanitizers on a loaded machine.
inline constexpr std::chrono::seconds kPatience{30};

class EmulatorTest : public ::testing::Test {
 protected:
  // Emulator-side rate limits far above the traffic, so every 429 comes from the fault injector.
  static constexpr std::string_view kGenerousLimits =
      "[rate_limits]\nupbit_order = 100000\nupbit_default = 100000\nupbit_quotation = 100000\n";

  void SetUp() override {
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), kGenerousLimits);
    ASSERT_TRUE(venue_->started()) << "kimp venue-sim did not report its ports";
  }

  void TearDown() override {
    if (venue_->started()) {
      EXPECT_EQ(venue_->terminate(), 0);
    }
  }

  template <class T>
  T run(boost::asio::awaitable<T> operation) {
    auto result = net::testing::run_awaitable(io_, std::move(operation), kPatience);
    EXPECT_TRUE(result.has_value()) << "the call did not finish in time";
    if (!result) {
      throw std::runtime_error("the call did not finish in time");
    }
    return std::move(*result);
  }

  template <class Predicate>
  bool run_until(Predicate done) {
    return net::testing::run_until(io_, done, kPatience);
  }

  void set_faults(const std::string& json) const {
    const auto answer = venue_->admin(boost::beast::http::verb::post, "/faults", json);
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }

  void clear_faults() const {
    const auto answer = venue_->admin(boost::beast::http::verb::delete_, "/faults");
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }

  // The demo account's Upbit balance of `currency` in GET /ledger (balance + locked); nullopt when the
  // ledger holds none.
  [[nodiscard]] std::optional<std::pair<Decimal, Decimal>> ledger_balance(std::string_view currency) const {
    const auto ledger = boost::json::parse(venue_->admin(boost::beast::http::verb::get, "/ledger").body);
    for (const auto& balance : ledger.at("accounts").at(0).at("upbit").at("balances").as_array()) {
      if (balance.at("currency").as_string() == currency) {
        return std::pair{Decimal::parse(balance.at("balance").as_string()).value(),
                         Decimal::parse(balance.at("locked").as_string()).value()};
      }
    }
    return std::nullopt;
  }

  std::unique_ptr<e2e::VenueSimProcess> venue_;
  boost::asio::io_context io_;
  WallClock clock_{io_.get_executor()};
};

}  // namespace kimp::venues::upbit::testing
