// SpillJournal: checksummed JSON lines appended with fsync, read back tolerating a torn tail.
#include "storage/spill_journal.hpp"

#include <type_traits>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include "core/durable_file.hpp"
#include "storage/row_codec.hpp"

namespace kimp::storage {
namespace {

namespace json = boost::json;

// The journal's name for each record type: stable across versions, since journals outlive processes.
template <class Row>
constexpr std::string_view record_type_name() {
  if constexpr (std::is_same_v<Row, SessionEnd>) {
    return "session_end";
  } else if constexpr (std::is_same_v<Row, PositionRow>) {
    return "position";
  } else if constexpr (std::is_same_v<Row, OrderRow>) {
    return "order";
  } else if constexpr (std::is_same_v<Row, TradeRow>) {
    return "trade";
  } else if constexpr (std::is_same_v<Row, MinuteRow>) {
    return "minute";
  } else if constexpr (std::is_same_v<Row, FundingRow>) {
    return "funding";
  } else if constexpr (std::is_same_v<Row, BalanceSnapshotRow>) {
    return "balance_snapshot";
  } else if constexpr (std::is_same_v<Row, AlertRow>) {
    return "alert";
  } else {
    static_assert(std::is_same_v<Row, AlertDelivery>);
    return "alert_delivery";
  }
}

tl::unexpected<Error> bad_line(std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("journal line {}", why));
}

template <class Row>
Result<StorageRecord> decode_row(const json::array& cells) {
  std::vector<Cell> parsed;
  parsed.reserve(cells.size());
  for (const json::value& cell : cells) {
    if (cell.is_null()) {
      parsed.emplace_back();
    } else if (cell.is_string()) {
      parsed.emplace_back(std::string(cell.get_string()));
    } else {
      return bad_line("has a cell that is neither text nor null");
    }
  }
  KIMP_TRY_ASSIGN(Row row, row_from_cells<Row>(parsed));
  return StorageRecord{std::move(row)};
}

// The record of a checked line's text.
Result<StorageRecord> decode_record(std::string_view text) {
  boost::system::error_code parse_error;
  const json::value value = json::parse(text, parse_error);
  if (parse_error || !value.is_object()) {
    return bad_line("is not a JSON object");
  }
  const json::object& object = value.get_object();
  const json::value* type = object.if_contains("type");
  const json::value* cells = object.if_contains("cells");
  if (type == nullptr || !type->is_string() || cells == nullptr || !cells->is_array()) {
    return bad_line("lacks its type or cells");
  }
  const std::string_view name = type->get_string();
  std::optional<Result<StorageRecord>> decoded;
  boost::mp11::mp_for_each<boost::mp11::mp_iota_c<std::variant_size_v<StorageRecord>>>([&](auto index) {
    using Row = std::variant_alternative_t<decltype(index)::value, StorageRecord>;
    if (!decoded && name == record_type_name<Row>()) {
      decoded = decode_row<Row>(cells->get_array());
    }
  });
  if (!decoded) {
    return bad_line(fmt::format("names an unknown record type \"{}\"", name));
  }
  return std::move(*decoded);
}

}  // namespace

std::string journal_line(const StorageRecord& record) {
  json::object object;
  std::visit(
      [&](const auto& row) {
        using Row = std::decay_t<decltype(row)>;
        object["type"] = record_type_name<Row>();
        json::array cells;
        for (const Cell& cell : row_cells(row)) {
          cells.push_back(cell ? json::value(*cell) : json::value(nullptr));
        }
        object["cells"] = std::move(cells);
      },
      record);
  return checked_line(json::serialize(object));
}

Result<StorageRecord> parse_journal_line(std::string_view line) {
  KIMP_TRY_ASSIGN(const std::string_view text, checked_text(line));
  return decode_record(text);
}

Status SpillJournal::append(std::span<const StorageRecord> records) {
  if (records.empty()) {
    return ok();
  }
  std::string text;
  for (const StorageRecord& record : records) {
    text += journal_line(record);
    text += '\n';
  }
  return append_durably(path_, text);
}

Result<JournalContents> SpillJournal::read() const {
  KIMP_TRY_ASSIGN(CheckedLines lines, read_checked_lines(path_));
  JournalContents contents;
  contents.torn_lines = lines.bad_lines;
  for (const std::string& text : lines.texts) {
    Result<StorageRecord> record = decode_record(text);
    if (record) {
      contents.records.push_back(std::move(*record));
    } else {
      ++contents.torn_lines;
    }
  }
  return contents;
}

Status SpillJournal::clear() {
  return remove_durably(path_);
}

}  // namespace kimp::storage
