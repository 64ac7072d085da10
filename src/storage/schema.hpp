// The storage schema: versioned migrations (one text for both backends, with type placeholders) and the
// SQL each row type is written and read with, built from its described columns and RowTraits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/database.hpp"
#include "storage/row_codec.hpp"

namespace kimp::storage {

struct Migration {
  int version = 0;
  std::string_view description;
  std::string sql;  // statements separated by ";\n", in `backend`'s dialect
};

// Every migration in version order, rendered for `backend`: decimals are TEXT in SQLite (exact text,
// never REAL) and NUMERIC in PostgreSQL, timestamps ISO-8601 TEXT and TIMESTAMPTZ.
std::vector<Migration> migrations(Backend backend);
// The newest schema version this build knows.
int latest_schema_version();

// The "?1"/"$1" placeholder of the 1-based parameter `index`.
std::string placeholder(Backend backend, std::size_t index);

namespace schema_detail {
std::string join_columns(const std::vector<std::string_view>& columns, std::string_view separator);
std::string write_statement(Backend backend, std::string_view table, WriteKind kind,
                            const std::vector<std::string_view>& columns,
                            std::span<const std::string_view> key);
}  // namespace schema_detail

// The columns a write of Row binds, in order: every described column but RowTraits::kAssignedColumn.
template <class Row>
std::vector<std::string_view> write_columns() {
  std::vector<std::string_view> columns = column_names<Row>();
  std::erase(columns, RowTraits<Row>::kAssignedColumn);
  return columns;
}

// The cells of write_columns() for `row`.
template <class Row>
std::vector<Cell> write_cells(const Row& row) {
  std::vector<Cell> cells;
  for_each_column(row, [&](std::string_view name, const auto& value) {
    if (name != RowTraits<Row>::kAssignedColumn) {
      cells.push_back(to_cell(value));
    }
  });
  return cells;
}

// The statement that writes one Row, parameters bound in write_columns() order: an INSERT with its
// ON CONFLICT rule, or for kUpdate an UPDATE of the non-key columns WHERE the key matches.
template <class Row>
std::string write_statement(Backend backend) {
  return schema_detail::write_statement(backend, table_name(RowTraits<Row>::kTable), RowTraits<Row>::kKind,
                                        write_columns<Row>(), RowTraits<Row>::kKey);
}

// SELECT of every column of `table` in row_codec order, in export order; with `by_session` a WHERE on
// the session (parameter 1).
std::string select_statement(Backend backend, Table table, bool by_session);

// The column names of `table`'s full row.
std::vector<std::string_view> table_columns(Table table);

}  // namespace kimp::storage
