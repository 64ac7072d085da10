// Session export: rows of one session read back, parsed into their typed rows and rendered as CSV or JSON.
#include "storage/session_export.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "storage/row_codec.hpp"

namespace kimp::storage {
namespace {

// Columns written as JSON numbers: integers and doubles (a double's cell is already JSON number text,
// and a NaN or infinity is NULL).
template <class T>
struct IsNumber : std::false_type {};
template <>
struct IsNumber<std::int64_t> : std::true_type {};
template <>
struct IsNumber<double> : std::true_type {};
template <class T>
struct IsNumber<std::optional<T>> : IsNumber<T> {};

struct ExportedTable {
  std::string_view name;
  std::vector<std::string_view> columns;
  std::vector<bool> numeric;
  std::vector<std::vector<Cell>> rows;
};

template <class Row>
std::vector<bool> numeric_columns() {
  std::vector<bool> numeric;
  Row row{};
  for_each_column(row, [&](std::string_view, const auto& value) {
    numeric.push_back(IsNumber<std::remove_cvref_t<decltype(value)>>::value);
  });
  return numeric;
}

// The session's rows of `table`, each parsed into its typed row and rendered again in canonical cells.
template <Table table>
Result<ExportedTable> read_table(Database& db, std::int64_t session_id) {
  using Row = typename TableRow<table>::type;
  KIMP_TRY_ASSIGN(const TableRows selected, db.select_rows(table, session_id));
  ExportedTable exported{.name = table_name(table),
                         .columns = column_names<Row>(),
                         .numeric = numeric_columns<Row>(),
                         .rows = {}};
  exported.rows.reserve(selected.rows.size());
  for (const std::vector<Cell>& cells : selected.rows) {
    KIMP_TRY_ASSIGN(const Row row, row_from_cells<Row>(std::span<const Cell>(cells)));
    exported.rows.push_back(row_cells(row));
  }
  return exported;
}

using TableReader = Result<ExportedTable> (*)(Database&, std::int64_t);

// Every table with rows of a session, sessions first. funding_schedules is left out: its rows are one
// per coin, shared by all sessions.
constexpr std::array<TableReader, 7> kExportedTables = {
    &read_table<Table::kSessions>, &read_table<Table::kPositions>, &read_table<Table::kOrders>,
    &read_table<Table::kTrades>,   &read_table<Table::kMinutes>,   &read_table<Table::kBalanceSnapshots>,
    &read_table<Table::kAlerts>,
};

void append_json_string(std::string& out, std::string_view text) {
  out += boost::json::serialize(boost::json::string_view(text));
}

std::string render_json(std::int64_t session_id, const std::vector<ExportedTable>& tables) {
  std::string out = fmt::format("{{\"session_id\":{},\"tables\":{{", session_id);
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const ExportedTable& table = tables[t];
    out += t == 0 ? "\n" : ",\n";
    append_json_string(out, table.name);
    out += ":[";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      out += r == 0 ? "\n{" : ",\n{";
      const std::vector<Cell>& cells = table.rows[r];
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (c != 0) {
          out += ',';
        }
        append_json_string(out, table.columns[c]);
        out += ':';
        if (!cells[c]) {
          out += "null";
        } else if (table.numeric[c]) {
          out += *cells[c];
        } else {
          append_json_string(out, *cells[c]);
        }
      }
      out += '}';
    }
    out += table.rows.empty() ? "]" : "\n]";
  }
  out += "\n}}\n";
  return out;
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. An empty string is
// quoted too, to tell it from NULL, and so is a leading '#', so no row reads as a "# table" line.
void append_csv_field(std::string& out, const Cell& cell) {
  if (!cell) {
    return;
  }
  const std::string& text = *cell;
  const bool quote =
      text.empty() || text.front() == '#' || text.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
}

std::string render_csv(const std::vector<ExportedTable>& tables) {
  std::string out;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const ExportedTable& table = tables[t];
    if (t != 0) {
      out += '\n';
    }
    out += fmt::format("# table {}\n{}\n", table.name, fmt::join(table.columns, ","));
    for (const std::vector<Cell>& cells : table.rows) {
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (c != 0) {
          out += ',';
        }
        append_csv_field(out, cells[c]);
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace

std::optional<ExportFormat> export_format_from_name(std::string_view name) {
  if (name == "csv") {
    return ExportFormat::kCsv;
  }
  if (name == "json") {
    return ExportFormat::kJson;
  }
  return std::nullopt;
}

Result<std::string> export_session(Database& db, std::int64_t session_id, ExportFormat format) {
  std::vector<ExportedTable> tables;
  tables.reserve(kExportedTables.size());
  for (const TableReader read : kExportedTables) {
    KIMP_TRY_ASSIGN(ExportedTable table, read(db, session_id));
    if (tables.empty() && table.rows.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("no session {} in the database", session_id));
    }
    tables.push_back(std::move(table));
  }
  return format == ExportFormat::kJson ? render_json(session_id, tables) : render_csv(tables);
}

}  // namespace kimp::storage
