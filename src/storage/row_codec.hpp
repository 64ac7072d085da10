// Row codec: every storage row as a list of text cells in its described column order, and back; the
// per-table write rules (conflict keys, which copy wins) from which both backends build their SQL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/records.hpp"

namespace kimp::storage {

// One column value in canonical text (what exports print and both backends round-trip exactly);
// nullopt is SQL NULL. Decimals are Decimal::to_string() text, timestamps ISO-8601 UTC with exactly six
// fractional digits (PostgreSQL's resolution; finer digits are dropped toward the past), doubles the
// shortest text that reads back to the same value (a NaN or infinity is NULL).
using Cell = std::optional<std::string>;

Cell to_cell(std::int64_t value);
Cell to_cell(const std::string& value);
Cell to_cell(Decimal value);
Cell to_cell(Timestamp value);
Cell to_cell(double value);
template <class T>
Cell to_cell(const std::optional<T>& value) {
  return value ? to_cell(*value) : Cell{};
}

// Reads a cell written by to_cell, or by a backend's own text for the same type (PostgreSQL's
// "2026-02-14 08:40:18.931+00" timestamps, "1.50" numerics). `column` names the column in errors.
// Errors: kInvalidArgument when the text is not a value of the type, or NULL for a column that
// cannot be NULL (a NULL double reads as NaN, the value to_cell writes as NULL).
Status from_cell(const Cell& cell, std::string_view column, std::int64_t& out);
Status from_cell(const Cell& cell, std::string_view column, std::string& out);
Status from_cell(const Cell& cell, std::string_view column, Decimal& out);
Status from_cell(const Cell& cell, std::string_view column, Timestamp& out);
Status from_cell(const Cell& cell, std::string_view column, double& out);
template <class T>
Status from_cell(const Cell& cell, std::string_view column, std::optional<T>& out) {
  if (!cell) {
    out.reset();
    return ok();
  }
  T value{};
  KIMP_TRY(from_cell(cell, column, value));
  out = std::move(value);
  return ok();
}

// How a table's rows are written again when their key is already present.
enum class WriteKind : std::uint8_t {
  kInsertOnce,   // the first copy stays (trades, minutes, alerts, balance snapshots)
  kUpsertNewer,  // the copy with the higher `revision` wins (positions, orders)
  kUpsert,       // the latest copy wins (funding schedules)
  kUpdate,       // not a row of its own: sets the non-key columns of an existing row (SessionEnd, ...)
};

// Per row type: its table, its write kind, the key of its conflicts (or, for kUpdate, the row it
// updates), the column the database assigns (left out of inserts) and the export order.
template <class Row>
struct RowTraits;

template <>
struct RowTraits<SessionRow> {
  static constexpr Table kTable = Table::kSessions;
  static constexpr WriteKind kKind = WriteKind::kInsertOnce;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "id";
  static constexpr std::string_view kOrderBy = "id";
};
template <>
struct RowTraits<SessionEnd> {
  static constexpr Table kTable = Table::kSessions;
  static constexpr WriteKind kKind = WriteKind::kUpdate;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "id";
};
template <>
struct RowTraits<PositionRow> {
  static constexpr Table kTable = Table::kPositions;
  static constexpr WriteKind kKind = WriteKind::kUpsertNewer;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "id";
};
template <>
struct RowTraits<OrderRow> {
  static constexpr Table kTable = Table::kOrders;
  static constexpr WriteKind kKind = WriteKind::kUpsertNewer;
  static constexpr std::array<std::string_view, 1> kKey = {"client_order_id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "created_at, client_order_id";
};
template <>
struct RowTraits<TradeRow> {
  static constexpr Table kTable = Table::kTrades;
  static constexpr WriteKind kKind = WriteKind::kInsertOnce;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "id";
};
template <>
struct RowTraits<MinuteRow> {
  static constexpr Table kTable = Table::kMinutes;
  static constexpr WriteKind kKind = WriteKind::kInsertOnce;
  static constexpr std::array<std::string_view, 3> kKey = {"session_id", "coin", "ts"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "ts, coin";
};
template <>
struct RowTraits<FundingRow> {
  static constexpr Table kTable = Table::kFundingSchedules;
  static constexpr WriteKind kKind = WriteKind::kUpsert;
  static constexpr std::array<std::string_view, 1> kKey = {"coin"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "coin";
};
template <>
struct RowTraits<BalanceSnapshotRow> {
  static constexpr Table kTable = Table::kBalanceSnapshots;
  static constexpr WriteKind kKind = WriteKind::kInsertOnce;
  static constexpr std::array<std::string_view, 5> kKey = {"session_id", "snapshot_group_id", "record_type",
                                                           "cex", "currency"};
  static constexpr std::string_view kAssignedColumn = "id";
  static constexpr std::string_view kOrderBy = "snapshot_group_id, record_type, cex, currency";
};
template <>
struct RowTraits<AlertRow> {
  static constexpr Table kTable = Table::kAlerts;
  static constexpr WriteKind kKind = WriteKind::kInsertOnce;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "id";
};
template <>
struct RowTraits<AlertDelivery> {
  static constexpr Table kTable = Table::kAlerts;
  static constexpr WriteKind kKind = WriteKind::kUpdate;
  static constexpr std::array<std::string_view, 1> kKey = {"id"};
  static constexpr std::string_view kAssignedColumn = "";
  static constexpr std::string_view kOrderBy = "id";
};

// The full row of each table, in kAllTables order, as exports read it back.
using TableRowTypes = boost::mp11::mp_list<SessionRow, PositionRow, OrderRow, TradeRow, MinuteRow, FundingRow,
                                           BalanceSnapshotRow, AlertRow>;
template <Table table>
struct TableRow {
  using type = boost::mp11::mp_at_c<TableRowTypes, static_cast<std::size_t>(table)>;
  static_assert(RowTraits<type>::kTable == table, "TableRowTypes must follow the order of Table");
};

// Calls f(name, member) for every described member of `row`, in declaration order.
template <class Row, class F>
void for_each_column(Row& row, F&& f) {
  using Members = boost::describe::describe_members<std::remove_const_t<Row>, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Members>(
      [&](auto member) { f(std::string_view(member.name), row.*member.pointer); });
}

template <class Row>
std::vector<std::string_view> column_names() {
  std::vector<std::string_view> names;
  Row row{};
  for_each_column(row, [&](std::string_view name, const auto&) { names.push_back(name); });
  return names;
}

template <class Row>
std::vector<Cell> row_cells(const Row& row) {
  std::vector<Cell> cells;
  for_each_column(row, [&](std::string_view, const auto& value) { cells.push_back(to_cell(value)); });
  return cells;
}

// The row whose cells (in column order) are `cells`.
// Errors: kInvalidArgument for a wrong cell count or a cell from_cell refuses.
template <class Row>
Result<Row> row_from_cells(std::span<const Cell> cells) {
  Row row{};
  std::size_t index = 0;
  Status status = ok();
  const std::size_t expected = column_names<Row>().size();
  if (cells.size() != expected) {
    return make_error(ErrorCode::kInvalidArgument,
                      "row of " + std::string(table_name(RowTraits<Row>::kTable)) + " has " +
                          std::to_string(cells.size()) + " cells, expected " + std::to_string(expected));
  }
  for_each_column(row, [&](std::string_view name, auto& value) {
    if (status) {
      status = from_cell(cells[index], name, value);
    }
    ++index;
  });
  if (!status) {
    return tl::unexpected(status.error());
  }
  return row;
}

}  // namespace kimp::storage
