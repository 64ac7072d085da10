// Sample storage rows of every type for the storage tests: exact decimals, microsecond times, NULLs.
#pragma once

#include <unistd.h>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "storage/records.hpp"

namespace kimp::storage::testing {

inline Decimal dec(std::string_view text) {
  const Result<Decimal> parsed = Decimal::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Decimal{});
}

inline Timestamp at(std::string_view text) {
  const Result<Timestamp> parsed = Timestamp::parse_iso8601(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Timestamp{});
}

// Every described member of `actual` equals the one of `expected`, named in the failure.
template <class Row>
void expect_same_row(const Row& actual, const Row& expected) {
  using Members = boost::describe::describe_members<Row, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Members>(
      [&](auto member) { EXPECT_EQ(actual.*member.pointer, expected.*member.pointer) << member.name; });
}

// A fresh directory under the test temp dir, removed with the object.
class TempDir {
 public:
  explicit TempDir(std::string_view name)
      : path_(std::filesystem::path(::testing::TempDir()) /
              (std::string(name) + "_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline SessionRow sample_session(std::string account = "upbit-main") {
  return {.id = 0,
          .mode = "paper",
          .account = std::move(account),
          .config_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          .host = "trader-1",
          .pid = 4242,
          .started_at = at("2026-02-14T08:40:18.931512Z"),
          .ended_at = std::nullopt,
          .status = "running",
          .stop_reason = ""};
}

inline PositionRow sample_position(std::int64_t session_id, std::int64_t revision = 1) {
  return {.id = session_id * RowIdAllocator::kPerSession + 1,
          .session_id = session_id,
          .coin = "BTC",
          .state = "open",
          .upbit_qty = dec("0.00000001"),
          .upbit_avg_price = dec("150389000"),
          .bybit_qty = dec("-0.00000001"),
          .bybit_avg_price = dec("104250.5"),
          .upbit_order_id = "c0ffee00-0000-4000-8000-000000000001",
          .bybit_order_id = "1954321987654321",
          .opened_at = at("2026-02-14T08:41:00.000001Z"),
          .closed_at = std::nullopt,
          .realised_pnl = std::nullopt,
          .revision = revision};
}

// Client order id "kimp-S-000001" of session S unless given.
inline OrderRow sample_order(std::int64_t session_id, std::string client_order_id = {}) {
  if (client_order_id.empty()) {
    client_order_id = "kimp-" + std::to_string(session_id) + "-000001";
  }
  return {.client_order_id = std::move(client_order_id),
          .session_id = session_id,
          .position_id = session_id * RowIdAllocator::kPerSession + 1,
          .venue = "upbit",
          .venue_order_id = "c0ffee00-0000-4000-8000-000000000001",
          .side = "buy",
          .order_type = "price",
          .qty = dec("0.00000001"),
          .price = std::nullopt,
          .state = "filled",
          .filled_qty = dec("0.00000001"),
          .avg_fill_price = dec("150389000"),
          .fee = dec("0.75194500"),
          .fee_currency = "KRW",
          .created_at = at("2026-02-14T08:40:59.5Z"),
          .updated_at = at("2026-02-14T08:41:00.000001Z"),
          .revision = 3};
}

inline TradeRow sample_trade(std::int64_t session_id) {
  return {.id = session_id * RowIdAllocator::kPerSession + 2,
          .position_id = session_id * RowIdAllocator::kPerSession + 1,
          .session_id = session_id,
          .coin = "BTC",
          .side = "exit",
          .reason = "z below exit threshold",
          .qty = dec("0.00000001"),
          .upbit_entry_price = dec("150389000"),
          .upbit_exit_price = dec("150100000"),
          .bybit_entry_price = dec("104250.5"),
          .bybit_exit_price = dec("104100"),
          .entry_usdt_krw = dec("1445.2"),
          .exit_usdt_krw = dec("1446"),
          .upbit_fee_krw = dec("0.00075"),
          .bybit_fee_usdt = dec("0.00000057"),
          .funding_usdt = dec("-0.00000001"),
          .adjustment_cost = dec("0"),
          .pnl = dec("-0.00000012"),
          .opened_at = at("2026-02-14T08:41:00.000001Z"),
          .closed_at = at("2026-02-14T09:15:30.25Z")};
}

inline MinuteRow sample_minute(std::int64_t session_id, std::string_view ts = "2026-02-14T08:41:00Z") {
  return {.session_id = session_id,
          .coin = "BTC",
          .ts = at(ts),
          .upbit_close = dec("150389000"),
          .bybit_close = dec("104250.5"),
          .usd_krw = dec("1443.85"),
          .premium = 0.1,
          .mean = 1.0 / 3.0,
          .std = 1e-05,
          .z = std::nullopt};
}

inline FundingRow sample_funding() {
  return {.coin = "BTC",
          .funding_rate = dec("0.0001"),
          .next_funding_time = at("2026-02-14T16:00:00Z"),
          .updated_at = at("2026-02-14T08:41:02.123Z")};
}

inline BalanceSnapshotRow sample_balance(std::int64_t session_id, std::string cex = "UPBIT") {
  return {.id = std::nullopt,
          .created_at = at("2026-02-14T08:40:19Z"),
          .snapshot_group_id = 1,
          .session_id = session_id,
          .record_type = "INITIAL",
          .cex = std::move(cex),
          .currency = "KRW",
          .available = dec("1000000.5"),
          .locked = dec("0"),
          .coin_value = dec("0"),
          .total = dec("1000000.5"),
          .position_id = std::nullopt,
          .usd_krw = dec("1443.85"),
          .usdt_krw = dec("1445.2"),
          .total_usd = dec("692.5928594"),
          .total_usdt = dec("691.94575145")};
}

inline AlertRow sample_alert(std::int64_t session_id) {
  return {.id = session_id * RowIdAllocator::kPerSession + 3,
          .session_id = session_id,
          .created_at = at("2026-02-14T08:41:00.5Z"),
          .kind = "EntryExecuted",
          .severity = "info",
          .payload = R"({"coin":"BTC","note":"z=2.5, entry"})",
          .telegram_status = "pending",
          .telegram_error = "",
          .telegram_sent_at = std::nullopt};
}

}  // namespace kimp::storage::testing
