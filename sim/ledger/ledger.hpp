// The emulator's ledger: accounts, Upbit spot orders, Bybit linear orders and positions, funding, all atomic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/ledger/matching.hpp"
#include "sim/ledger/rules.hpp"
#include "sim/ledger/types.hpp"
#include "sim/market/book.hpp"

namespace kimp::sim {

// Names an order by the venue's id (Upbit uuid, Bybit orderId) or the client's id (identifier,
// orderLinkId). When both are set the venue id wins, as on both exchanges.
struct OrderRef {
  std::string venue_id{};
  std::string client_id{};
};

// Every operation either applies completely or, when it returns an error, changes nothing: effects are
// computed on copies first and committed only once every checked operation succeeded.
//
// Venue errors carry the exchange's own code in Error::venue_code so the REST layer can answer with
// the exchange's body: Upbit error names ("insufficient_funds_bid", "under_min_total_ask",
// "invalid_price_bid", "validation_error", "create_bid_error", "order_not_found") and Bybit retCodes
// ("10001", "110001", "110007", "110017", "110043", "110072", "110094", named in bybit_codes.hpp).
//
// Books are read, never consumed: our fills do not remove liquidity, so the next order (or the next
// resting order matched against the same book) sees the same levels. Not thread-safe; the server
// serialises calls.
class Ledger {
 public:
  explicit Ledger(LedgerFees fees = {});

  // The fee rates every fill is charged (fractions, 0.0005 = 0.05 %).
  [[nodiscard]] const LedgerFees& fees() const { return fees_; }

  // ---- instruments ----
  void set_upbit_market(const std::string& market, UpbitMarketRules rules);
  void set_linear_instrument(const std::string& symbol, LinearInstrumentRules rules);
  // The mark used for unrealised PnL. Errors: kInvalidArgument for an unknown symbol or mark <= 0.
  Status set_mark_price(const std::string& symbol, Decimal mark);

  // ---- accounts ----
  // Errors: kInvalidArgument for an empty id; kFailedPrecondition when the id exists.
  Status create_account(const std::string& id);
  // Deposits to the Upbit balance of `currency` ("KRW", "BTC"). Errors: kInvalidArgument for an
  // unknown account, an amount <= 0 or on overflow.
  Status fund_upbit(const std::string& id, const std::string& currency, Decimal amount);
  // Deposits USDT to the Bybit UNIFIED wallet. Errors: as fund_upbit.
  Status fund_usdt(const std::string& id, Decimal amount);
  // Forgets every account with its orders, fills and payments; instrument rules and marks stay.
  void reset();
  [[nodiscard]] std::vector<std::string> account_ids() const;

  // ---- Upbit ----
  // Places an order and takes from `book` (that market's current book) what it crosses; a limit
  // order without time_in_force rests for the rest. Errors: kInvalidArgument for an unknown account
  // or market, or with a venue_code: validation_error (bad fields, reused identifier),
  // create_bid_error / create_ask_error (fields that contradict ord_type), invalid_price_bid/_ask
  // (off the tick grid), under_min_total_bid/_ask; kFailedPrecondition with insufficient_funds_bid/_ask.
  Result<UpbitOrder> place_upbit_order(const std::string& account_id, const UpbitOrderRequest& request,
                                       const OrderBook& book, Timestamp now);
  // Cancels a resting order and frees what it held. Errors: kInvalidArgument with order_not_found;
  // kFailedPrecondition with validation_error when the order is no longer waiting.
  Result<UpbitOrder> cancel_upbit_order(const std::string& account_id, const OrderRef& ref);
  // Errors: kInvalidArgument for an unknown account, or with order_not_found.
  [[nodiscard]] Result<UpbitOrder> upbit_order(const std::string& account_id, const OrderRef& ref) const;
  // The trades of one order, oldest first. Errors: as upbit_order.
  [[nodiscard]] Result<std::vector<UpbitTrade>> upbit_trades(const std::string& account_id,
                                                             const OrderRef& ref) const;
  // Waiting orders / done and cancelled orders, newest first, of one market or of all when empty.
  // Errors: kInvalidArgument for an unknown account.
  [[nodiscard]] Result<std::vector<UpbitOrder>> upbit_open_orders(const std::string& account_id,
                                                                  const std::string& market) const;
  [[nodiscard]] Result<std::vector<UpbitOrder>> upbit_closed_orders(const std::string& account_id,
                                                                    const std::string& market) const;
  // Errors: kInvalidArgument for an unknown account.
  [[nodiscard]] Result<std::vector<UpbitBalance>> upbit_balances(const std::string& account_id) const;
  // Every account's trades in `market`, oldest first (ties in account order): the venue's public tape.
  [[nodiscard]] std::vector<UpbitTrade> upbit_market_trades(const std::string& market) const;
  // Fills waiting orders of `market` that `book` now crosses, at their own price (they are makers),
  // limited by the quantity on the crossing levels. Each order's fill is atomic. Errors:
  // kInvalidArgument on overflow (orders matched before the failing one stay filled).
  Status on_upbit_book(const std::string& market, const OrderBook& book, Timestamp now);

  // ---- Bybit linear ----
  // Places an order: Market orders and the crossing part of Limit orders take from `book`; FOK fills
  // completely or not at all; a GTC Limit rests for the rest. reduceOnly quantity is cut to the
  // position size. Errors (venue_code = retCode): kInvalidArgument for an unknown account, or 10001
  // (unknown symbol, bad qty/price/step/minimum), 110072 (reused orderLinkId), 110094 (notional below
  // the minimum), 110017 (reduceOnly with no opposite position); kFailedPrecondition with 110007
  // (the margin of what the order opens exceeds the available balance).
  Result<LinearOrder> place_linear_order(const std::string& account_id, const LinearOrderRequest& request,
                                         const OrderBook& book, Timestamp now);
  // Errors: kInvalidArgument for an unknown account; 110001 when no open order matches.
  Result<LinearOrder> cancel_linear_order(const std::string& account_id, const OrderRef& ref, Timestamp now);
  // Errors: kInvalidArgument for an unknown account; 110001 when no order matches.
  [[nodiscard]] Result<LinearOrder> linear_order(const std::string& account_id, const OrderRef& ref) const;
  // Open orders (order/realtime) / every order (order/history) / executions, newest first, of one
  // symbol or of all when empty. Errors: kInvalidArgument for an unknown account.
  [[nodiscard]] Result<std::vector<LinearOrder>> linear_open_orders(const std::string& account_id,
                                                                    const std::string& symbol) const;
  [[nodiscard]] Result<std::vector<LinearOrder>> linear_order_history(const std::string& account_id,
                                                                      const std::string& symbol) const;
  [[nodiscard]] Result<std::vector<LinearExecution>> linear_executions(const std::string& account_id,
                                                                       const std::string& symbol) const;
  // Positions with unrealised PnL at the last mark, by symbol. Errors: kInvalidArgument for an unknown
  // account or on overflow.
  [[nodiscard]] Result<std::vector<LinearPosition>> linear_positions(const std::string& account_id) const;
  // Errors: as linear_positions.
  [[nodiscard]] Result<UsdtWallet> usdt_wallet(const std::string& account_id) const;
  // The open interest of `symbol` in the emulated world: the sizes of every account's position in it
  // (zero for a symbol nobody holds). Errors: kInvalidArgument on overflow.
  [[nodiscard]] Result<Decimal> linear_open_interest(const std::string& symbol) const;
  // Errors: kInvalidArgument for an unknown account or 10001 (unknown symbol, leverage outside
  // [1, max]); 110043 when unchanged; kFailedPrecondition with 110007 when the margin would exceed
  // the available balance.
  Status set_leverage(const std::string& account_id, const std::string& symbol, Decimal leverage,
                      Timestamp now);
  // Fills open GTC orders of `symbol` that `book` now crosses, at their own price with the maker fee.
  // Errors: as on_upbit_book.
  Status on_linear_book(const std::string& symbol, const OrderBook& book, Timestamp now);
  // Settles funding for every open position of `symbol`: value at `mark_price` × `funding_rate`,
  // paid by longs to shorts when the rate is positive. All accounts or none. Returns the payments
  // made. Errors: kInvalidArgument for an unknown symbol, mark_price <= 0 or on overflow.
  Result<std::vector<FundingPayment>> settle_funding(const std::string& symbol, Decimal funding_rate,
                                                     Decimal mark_price, Timestamp now);

  // Everything, per account, for GET /ledger. Errors: kInvalidArgument on overflow.
  [[nodiscard]] Result<LedgerSnapshot> snapshot() const;

  // ---- change feed ----
  // Each committed change to an account takes the next ledger revision and stamps what it changed with
  // it; a failed operation takes none. Revisions only grow, across reset() too, so a reader keeps the
  // revision it last saw and asks for what came after it, in time proportional to what changed rather
  // than to the account's history. A new mark is not a change: it moves unrealised PnL only, which
  // Bybit's wallet stream does not push either.
  //
  // The revision of the account's last change (creation, deposits, Upbit or Bybit orders, fills,
  // positions, leverage, funding). Errors: kInvalidArgument for an unknown account.
  [[nodiscard]] Result<std::uint64_t> revision(const std::string& account_id) const;
  // The account's Bybit linear changes after revision `since`: orders placed, cancelled or filled;
  // executions; positions whose size, entry, leverage, margin or realised PnL changed (funding
  // included); the wallet when its balance or the margin held by positions or orders changed.
  // Errors: kInvalidArgument for an unknown account or on overflow.
  [[nodiscard]] Result<LinearChanges> linear_changes(const std::string& account_id,
                                                     std::uint64_t since) const;

 private:
  struct Account {
    std::map<std::string, UpbitBalance> upbit_balances;  // by currency
    std::vector<UpbitOrder> upbit_orders;
    std::map<std::string, std::size_t> upbit_by_uuid;
    std::map<std::string, std::size_t> upbit_by_identifier;
    std::vector<std::size_t> upbit_open;  // indexes of waiting orders, oldest first
    std::vector<UpbitTrade> upbit_trades;

    Decimal usdt_wallet_balance;
    std::map<std::string, LinearPosition> positions;  // by symbol
    std::map<std::string, Decimal> leverage;          // by symbol, when set
    std::vector<LinearOrder> linear_orders;
    std::map<std::string, std::size_t> linear_by_id;
    std::map<std::string, std::size_t> linear_by_link_id;
    std::vector<std::size_t> linear_open;
    std::vector<LinearExecution> linear_executions;
    std::vector<FundingPayment> funding_payments;

    // Change feed. Each order's last revision and the same pairs ordered by revision: one entry per
    // order, however often it changed. Executions are only appended, so their revisions never decrease.
    std::uint64_t revision = 0;
    std::vector<std::uint64_t> linear_order_revisions;  // by order index
    std::set<std::pair<std::uint64_t, std::size_t>> linear_orders_by_revision;
    std::vector<std::uint64_t> linear_execution_revisions;    // parallel to linear_executions
    std::map<std::string, std::uint64_t> position_revisions;  // by symbol
    std::uint64_t wallet_revision = 0;
  };

  // The Upbit balances an order touches, worked on before they are committed.
  struct UpbitWork {
    UpbitBalance quote;
    UpbitBalance base;
  };

  Result<Account*> find_account(const std::string& id);
  [[nodiscard]] Result<const Account*> find_account(const std::string& id) const;
  // A fresh UUID-shaped id; deterministic so that runs with the same inputs give the same ledger.
  std::string next_id();
  // The revision of a change being committed to `account`, now its revision. Call once per commit,
  // after every check passed.
  std::uint64_t stamp(Account& account) {
    account.revision = ++revision_;
    return account.revision;
  }
  // Records that the order at `index` (an existing one, or the one just appended) changed at `revision`.
  static void stamp_linear_order(Account& account, std::size_t index, std::uint64_t revision);
  // Appends executions made at `revision`.
  static void append_executions(Account& account, const std::vector<LinearExecution>& executions,
                                std::uint64_t revision);
  // The index of the order `ref` names, looked up in one venue's maps from venue id / client id to index
  // (the venue id wins when both are set); nullopt when it names none.
  [[nodiscard]] static std::optional<std::size_t> find_order_index(
      const std::map<std::string, std::size_t>& by_venue_id,
      const std::map<std::string, std::size_t>& by_client_id, const OrderRef& ref) {
    const bool by_venue = !ref.venue_id.empty();
    const std::string& key = by_venue ? ref.venue_id : ref.client_id;
    const auto& index = by_venue ? by_venue_id : by_client_id;
    const auto found = index.find(key);
    if (key.empty() || found == index.end()) {
      return std::nullopt;
    }
    return found->second;
  }

  // Upbit helpers (upbit_orders.cpp).
  // The account's balance of `currency`, or an empty one; never inserts, so a failed call changes nothing.
  [[nodiscard]] static UpbitBalance upbit_balance_of(const Account& account, const std::string& currency);
  // Copies of the quote and base balances of `market` ("KRW-BTC"). Errors: validation_error for a
  // market name that is not QUOTE-BASE.
  [[nodiscard]] static Result<UpbitWork> upbit_work(const Account& account, const std::string& market);
  Status validate_upbit_request(const Account& account, const UpbitOrderRequest& request,
                                const UpbitMarketRules& rules, const OrderBook& book) const;
  Status fill_upbit(UpbitOrder& order, UpbitWork& work, const FillSlice& slice, bool maker, Timestamp now,
                    std::vector<UpbitTrade>& trades);
  Status finish_upbit(UpbitOrder& order, UpbitWork& work) const;
  static void commit_upbit(Account& account, const UpbitWork& work);

  // Bybit helpers (linear_orders.cpp).
  [[nodiscard]] Decimal leverage_of(const Account& account, const std::string& symbol) const;
  [[nodiscard]] Result<LinearPosition> refreshed(LinearPosition position) const;
  // Recomputes position_value, position_im and liq_price after size, price or leverage changed.
  Status reprice_margin(LinearPosition& position) const;
  // Margin held by an open order for the part that would open or increase `positions`' exposure.
  [[nodiscard]] Result<Decimal> order_margin(const Account& account, const LinearOrder& order,
                                             const std::map<std::string, LinearPosition>& positions) const;
  // The wallet of `account` with `wallet_balance` and `positions` in place of its own, counting
  // `extra` (when not null) as one more open order.
  [[nodiscard]] Result<UsdtWallet> wallet_of(const Account& account, Decimal wallet_balance,
                                             const std::map<std::string, LinearPosition>& positions,
                                             const LinearOrder* extra) const;
  Status fill_linear(LinearOrder& order, LinearPosition& position, Decimal& wallet_balance,
                     const FillSlice& slice, bool maker, Decimal leverage, Timestamp now,
                     std::vector<LinearExecution>& executions);

  LedgerFees fees_;
  std::map<std::string, UpbitMarketRules> upbit_markets_;
  std::map<std::string, LinearInstrumentRules> linear_instruments_;
  std::map<std::string, Decimal> marks_;
  std::map<std::string, Account> accounts_;
  std::uint64_t id_sequence_ = 0;
  std::uint64_t revision_ = 0;  // the last revision taken; never reset
};

}  // namespace kimp::sim
