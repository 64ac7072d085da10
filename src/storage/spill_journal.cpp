// SpillJournal: checksummed JSON lines appended with fsync, read back tolerating a torn tail.
#include "storage/spill_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>
#include <type_traits>

#include <fmt/format.h>
#include <boost/crc.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

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

std::uint32_t crc32_of(std::string_view text) {
  boost::crc_32_type crc;
  crc.process_bytes(text.data(), text.size());
  return crc.checksum();
}

tl::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path, int error_number) {
  return make_error(ErrorCode::kUnavailable, fmt::format("spill journal {}: {}: {}", path.string(), what,
                                                         std::strerror(error_number)));
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

Status sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return io_error("open directory", directory, errno);
  }
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) {
    return io_error("fsync directory", directory, sync_errno);
  }
  return ok();
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
  const std::string text = json::serialize(object);
  return fmt::format("{:08x} {}", crc32_of(text), text);
}

Result<StorageRecord> parse_journal_line(std::string_view line) {
  constexpr std::size_t kCrcDigits = 8;
  if (line.size() <= kCrcDigits + 1 || line[kCrcDigits] != ' ') {
    return bad_line("is torn");
  }
  std::uint32_t expected = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + kCrcDigits, expected, 16);
  const std::string_view text = line.substr(kCrcDigits + 1);
  if (error != std::errc{} || end != line.data() + kCrcDigits || crc32_of(text) != expected) {
    return bad_line("fails its checksum");
  }
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

Status SpillJournal::append(std::span<const StorageRecord> records) {
  if (records.empty()) {
    return ok();
  }
  std::string text;
  for (const StorageRecord& record : records) {
    text += journal_line(record);
    text += '\n';
  }
  const std::filesystem::path directory = path_.parent_path();
  std::error_code ec;
  if (!directory.empty()) {
    std::filesystem::create_directories(directory, ec);
    if (ec) {
      return io_error("create directory", directory, ec.value());
    }
  }
  const bool created = !std::filesystem::exists(path_, ec);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return io_error("open", path_, errno);
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const int write_errno = n < 0 ? errno : ENOSPC;
      ::close(fd);
      return io_error("write", path_, write_errno);
    }
    written += static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) {
    return io_error("fsync", path_, sync_errno);
  }
  return created ? sync_directory(directory) : ok();
}

Result<JournalContents> SpillJournal::read() const {
  JournalContents contents;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) {
    return contents;
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    return io_error("open for reading", path_, errno);
  }
  std::string line;
  while (std::getline(in, line)) {
    Result<StorageRecord> record = parse_journal_line(line);
    if (record) {
      contents.records.push_back(std::move(*record));
    } else {
      ++contents.torn_lines;
    }
  }
  if (in.bad()) {
    return io_error("read", path_, errno);
  }
  return contents;
}

Status SpillJournal::clear() {
  std::error_code ec;
  if (!std::filesystem::remove(path_, ec) && ec) {
    return io_error("remove", path_, ec.value());
  }
  return sync_directory(path_.parent_path());
}

}  // namespace kimp::storage
