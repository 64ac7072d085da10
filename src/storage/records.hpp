// Storage rows: one struct per table (and per in-place update), described with Boost.Describe so that
// SQL, the spill journal and exports all derive from the same column list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/describe/class.hpp>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::storage {

enum class Table : std::uint8_t {
  kSessions,
  kPositions,
  kOrders,
  kTrades,
  kMinutes,
  kFundingSchedules,
  kBalanceSnapshots,
  kAlerts,
};
inline constexpr std::size_t kTableCount = 8;
inline constexpr std::array<Table, kTableCount> kAllTables = {
    Table::kSessions, Table::kPositions,        Table::kOrders,           Table::kTrades,
    Table::kMinutes,  Table::kFundingSchedules, Table::kBalanceSnapshots, Table::kAlerts,
};

// The table's SQL name: "sessions", "positions", ..., "funding_schedules", "balance_snapshots".
std::string_view table_name(Table table);
// The table named `name`, or nullopt.
std::optional<Table> table_from_name(std::string_view name);

// One engine run. Inserted by Database::begin_session, which assigns `id`; ended by a SessionEnd record.
struct SessionRow {
  std::int64_t id = 0;
  std::string mode;         // simulation | paper | live
  std::string account;      // the trading account the session trades (the advisory-lock key)
  std::string config_hash;  // SHA-256 of the effective configuration
  std::string host;
  std::int64_t pid = 0;
  Timestamp started_at{};
  std::optional<Timestamp> ended_at{};
  std::string status;  // running | stopped | failed
  std::string stop_reason;
};

// A session's end: updates ended_at, status and stop_reason of the sessions row `id`.
struct SessionEnd {
  std::int64_t id = 0;
  std::optional<Timestamp> ended_at{};
  std::string status;
  std::string stop_reason;
};

// A position's latest state; written again on every transition with a higher `revision`, so a stale
// copy replayed later never overwrites a newer one.
struct PositionRow {
  std::int64_t id = 0;  // the position's db id: RowIdAllocator::next() of its session
  std::int64_t session_id = 0;
  std::string coin;
  std::string state;  // opening | open | closing | closed | partially_closed_one_leg
  Decimal upbit_qty{};
  Decimal upbit_avg_price{};  // KRW
  Decimal bybit_qty{};
  Decimal bybit_avg_price{};  // USDT
  std::string upbit_order_id;
  std::string bybit_order_id;
  Timestamp opened_at{};
  std::optional<Timestamp> closed_at{};
  std::optional<Decimal> realised_pnl{};  // USDT, once closed
  std::int64_t revision = 0;
};

// An order's latest state, keyed by our client order id; `revision` as for positions.
struct OrderRow {
  std::string client_order_id;
  std::int64_t session_id = 0;
  std::optional<std::int64_t> position_id{};
  std::string venue;  // upbit | bybit
  std::string venue_order_id;
  std::string side;        // buy | sell
  std::string order_type;  // limit | market | price
  Decimal qty{};
  std::optional<Decimal> price{};
  std::string state;  // new | sent | partially_filled | filled | cancelled | rejected | unknown
  Decimal filled_qty{};
  std::optional<Decimal> avg_fill_price{};
  Decimal fee{};
  std::string fee_currency;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::int64_t revision = 0;
};

// One closed pair (side "exit", entry and exit prices of both legs) or one adjustment (an excess leg
// closed on its own, side "adjustment"). PnL, funding and costs in USDT.
struct TradeRow {
  std::int64_t id = 0;  // RowIdAllocator::next() of its session
  std::int64_t position_id = 0;
  std::int64_t session_id = 0;
  std::string coin;
  std::string side;  // entry | exit | adjustment
  std::string reason;
  Decimal qty{};
  Decimal upbit_entry_price{};
  Decimal upbit_exit_price{};
  Decimal bybit_entry_price{};
  Decimal bybit_exit_price{};
  Decimal entry_usdt_krw{};
  Decimal exit_usdt_krw{};
  Decimal upbit_fee_krw{};
  Decimal bybit_fee_usdt{};
  Decimal funding_usdt{};
  Decimal adjustment_cost{};
  Decimal pnl{};
  Timestamp opened_at{};
  Timestamp closed_at{};
};

// One bar of one coin with the strategy's statistics; unique by (session_id, coin, ts).
struct MinuteRow {
  std::int64_t session_id = 0;
  std::string coin;
  Timestamp ts{};
  Decimal upbit_close{};  // KRW
  Decimal bybit_close{};  // USDT
  Decimal usd_krw{};
  double premium = 0.0;  // statistics, not money
  double mean = 0.0;
  double std = 0.0;
  std::optional<double> z{};
};

// The next funding of one coin's perpetual; one row per coin, replaced on every refresh.
struct FundingRow {
  std::string coin;
  Decimal funding_rate{};
  Timestamp next_funding_time{};
  Timestamp updated_at{};
};

// One venue/currency line of a balance snapshot. `id` is assigned by the database; the columns are
// those of the predecessor's balance_snapshots table.
struct BalanceSnapshotRow {
  std::optional<std::int64_t> id{};
  Timestamp created_at{};
  std::int64_t snapshot_group_id = 0;
  std::int64_t session_id = 0;
  std::string record_type;  // PERIODIC | INITIAL | FINAL
  std::string cex;          // UPBIT | BYBIT
  std::string currency;
  Decimal available{};
  Decimal locked{};
  Decimal coin_value{};
  Decimal total{};
  std::optional<std::int64_t> position_id{};
  Decimal usd_krw{};
  Decimal usdt_krw{};
  Decimal total_usd{};
  Decimal total_usdt{};
};

// One alert, written whatever happens to its Telegram delivery.
struct AlertRow {
  std::int64_t id = 0;  // RowIdAllocator::next() of its session
  std::int64_t session_id = 0;
  Timestamp created_at{};
  std::string kind;             // EntryExecuted, ..., DailySummary
  std::string severity;         // info | warning | critical
  std::string payload;          // the event's fields as one JSON object
  std::string telegram_status;  // disabled | pending | sent | failed
  std::string telegram_error;
  std::optional<Timestamp> telegram_sent_at{};
};

// The outcome of an alert's Telegram delivery: updates the alerts row `id`.
struct AlertDelivery {
  std::int64_t id = 0;
  std::string telegram_status;
  std::string telegram_error;
  std::optional<Timestamp> telegram_sent_at{};
};

BOOST_DESCRIBE_STRUCT(SessionRow, (),
                      (id, mode, account, config_hash, host, pid, started_at, ended_at, status, stop_reason))
BOOST_DESCRIBE_STRUCT(SessionEnd, (), (id, ended_at, status, stop_reason))
BOOST_DESCRIBE_STRUCT(PositionRow, (),
                      (id, session_id, coin, state, upbit_qty, upbit_avg_price, bybit_qty, bybit_avg_price,
                       upbit_order_id, bybit_order_id, opened_at, closed_at, realised_pnl, revision))
BOOST_DESCRIBE_STRUCT(OrderRow, (),
                      (client_order_id, session_id, position_id, venue, venue_order_id, side, order_type, qty,
                       price, state, filled_qty, avg_fill_price, fee, fee_currency, created_at, updated_at,
                       revision))
BOOST_DESCRIBE_STRUCT(TradeRow, (),
                      (id, position_id, session_id, coin, side, reason, qty, upbit_entry_price,
                       upbit_exit_price, bybit_entry_price, bybit_exit_price, entry_usdt_krw, exit_usdt_krw,
                       upbit_fee_krw, bybit_fee_usdt, funding_usdt, adjustment_cost, pnl, opened_at,
                       closed_at))
BOOST_DESCRIBE_STRUCT(MinuteRow, (),
                      (session_id, coin, ts, upbit_close, bybit_close, usd_krw, premium, mean, std, z))
BOOST_DESCRIBE_STRUCT(FundingRow, (), (coin, funding_rate, next_funding_time, updated_at))
BOOST_DESCRIBE_STRUCT(BalanceSnapshotRow, (),
                      (id, created_at, snapshot_group_id, session_id, record_type, cex, currency, available,
                       locked, coin_value, total, position_id, usd_krw, usdt_krw, total_usd, total_usdt))
BOOST_DESCRIBE_STRUCT(AlertRow, (),
                      (id, session_id, created_at, kind, severity, payload, telegram_status, telegram_error,
                       telegram_sent_at))
BOOST_DESCRIBE_STRUCT(AlertDelivery, (), (id, telegram_status, telegram_error, telegram_sent_at))

// Anything the DbWriter writes after a session has begun.
using StorageRecord = std::variant<SessionEnd, PositionRow, OrderRow, TradeRow, MinuteRow, FundingRow,
                                   BalanceSnapshotRow, AlertRow, AlertDelivery>;

// The table a record lands in.
Table table_of(const StorageRecord& record);
// Critical records are never dropped (sessions, positions, orders, trades, alerts and every balance
// snapshot that is not PERIODIC); the rest (minutes, funding, periodic snapshots) may be, with a count.
bool is_critical(const StorageRecord& record);

// Where the engine's producers hand records over; implemented by DbWriter (and by fakes in tests).
// enqueue() is called on the event loop and must never block.
class RecordSink {
 public:
  RecordSink() = default;
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;
  virtual ~RecordSink() = default;
  virtual void enqueue(StorageRecord record) = 0;
};

// Ids the engine assigns itself (positions, trades, alerts), so nothing waits for the database to
// learn them: session_id × 10^9 + n for n = 1, 2, ..., unique across sessions and instances.
class RowIdAllocator {
 public:
  static constexpr std::int64_t kPerSession = 1'000'000'000;
  explicit RowIdAllocator(std::int64_t session_id) : base_(session_id * kPerSession) {}
  std::int64_t next() { return base_ + ++issued_; }

 private:
  std::int64_t base_ = 0;
  std::int64_t issued_ = 0;
};

}  // namespace kimp::storage
