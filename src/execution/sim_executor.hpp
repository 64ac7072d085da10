// SimExecutor: the `simulation` mode's executor — virtual fills against the current books (or at the
// requested prices in candle replays), taker fees from the config, and virtual balances.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "execution/order_executor.hpp"
#include "market/order_book.hpp"

namespace kimp::execution {

// The books of one coin, for fills: nullptr when a book is not available now.
struct CoinBooks {
  const market::OrderBook* upbit = nullptr;
  const market::OrderBook* bybit = nullptr;
};

struct SimExecutorOptions {
  // Fees, slippage limit and starting balances of `config` (strategy and simulation sections), no books.
  static SimExecutorOptions from(const config::Config& config);

  Decimal upbit_fee_pct{};  // taker fees, percent
  Decimal bybit_fee_pct{};
  Decimal max_slippage_pct{};  // book fills stop at best × (1 ± this %), like the live IOC limit
  Decimal upbit_krw{};         // starting balances
  Decimal bybit_usdt{};
  // Where book fills come from; empty for candle replays, which fill at the requested prices.
  std::function<CoinBooks(const std::string& coin)> books;
};

// Fills both legs at once and never leaves one leg alone: when the books cannot fill the whole quantity
// within the slippage limit, both legs fill the quantity both can (kBothUnfilled when that is nothing).
// Balances move as the venues would move them: Upbit pays cost + fee in KRW and receives the coins;
// Bybit holds the notional as margin (1×) and charges its fee in USDT. Completes without suspending.
class SimExecutor final : public OrderExecutor {
 public:
  // `clock` stamps the fills and must outlive the executor.
  SimExecutor(const Clock& clock, SimExecutorOptions options);

  boost::asio::awaitable<ExecutionResult<ExecutedEntry>> execute_entry(EntryRequest request) override;
  boost::asio::awaitable<ExecutionResult<ExecutedExit>> execute_exit(ExitRequest request) override;
  [[nodiscard]] AvailableBalances balances() const override;

  // Synchronous forms of the two calls (the coroutines wrap these).
  ExecutionResult<ExecutedEntry> fill_entry(const EntryRequest& request);
  ExecutionResult<ExecutedExit> fill_exit(const ExitRequest& request);

  // Balances held, including what is locked: Upbit KRW, coins per coin, Bybit USDT wallet and margin.
  [[nodiscard]] Decimal upbit_krw() const { return upbit_krw_; }
  [[nodiscard]] Decimal upbit_coins(const std::string& coin) const;
  [[nodiscard]] Decimal bybit_wallet_usdt() const { return bybit_wallet_; }
  [[nodiscard]] Decimal bybit_margin_usdt() const { return bybit_margin_; }

 private:
  struct Prices {
    Decimal upbit{};
    Decimal bybit{};
    Decimal qty{};
  };
  // Both legs' values and taker fees at `prices`.
  struct Amounts {
    Decimal upbit_value{};  // KRW
    Decimal upbit_fee{};
    Decimal bybit_value{};  // USDT
    Decimal bybit_fee{};
  };
  Result<Amounts> amounts_of(const Prices& prices) const;
  // Average fill prices for `qty` on each leg's side and the quantity both sides can fill: walked on the
  // books, or the given prices when there are none (candle replays).
  Result<Prices> fill_prices(const std::string& coin, Decimal qty, Decimal upbit_price, Decimal bybit_price,
                             bool entry) const;
  std::string next_order_id();

  const Clock* clock_;
  SimExecutorOptions options_{};
  Decimal upbit_krw_{};
  std::map<std::string, Decimal> upbit_coins_{};
  std::map<std::string, Decimal> bybit_short_{};  // contracts short per coin
  std::map<std::string, Decimal> bybit_entry_notional_{};
  Decimal bybit_wallet_{};
  Decimal bybit_margin_{};
  std::uint64_t orders_ = 0;
};

}  // namespace kimp::execution
