// Table names, and the table and lane of each storage record.
#include "storage/records.hpp"

#include <type_traits>

#include "storage/row_codec.hpp"

namespace kimp::storage {

std::string_view table_name(Table table) {
  switch (table) {
    case Table::kSessions: return "sessions";
    case Table::kPositions: return "positions";
    case Table::kOrders: return "orders";
    case Table::kTrades: return "trades";
    case Table::kMinutes: return "minutes";
    case Table::kFundingSchedules: return "funding_schedules";
    case Table::kBalanceSnapshots: return "balance_snapshots";
    case Table::kAlerts: break;
  }
  return "alerts";
}

std::optional<Table> table_from_name(std::string_view name) {
  for (const Table table : kAllTables) {
    if (table_name(table) == name) {
      return table;
    }
  }
  return std::nullopt;
}

Table table_of(const StorageRecord& record) {
  return std::visit([](const auto& row) { return RowTraits<std::decay_t<decltype(row)>>::kTable; }, record);
}

bool is_critical(const StorageRecord& record) {
  switch (table_of(record)) {
    case Table::kMinutes:
    case Table::kFundingSchedules: return false;
    case Table::kBalanceSnapshots: return std::get<BalanceSnapshotRow>(record).record_type != "PERIODIC";
    default: return true;
  }
}

}  // namespace kimp::storage
