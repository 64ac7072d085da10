// PositionStore: positions encoded as JSON, journalled as checked lines, folded into a snapshot on
// compaction.
#include "execution/position_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <system_error>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/durable_file.hpp"
#include "core/logging.hpp"
#include "core/text.hpp"

namespace kimp::execution {
namespace {

namespace json = boost::json;

constexpr std::string_view kSnapshotFile = "positions.snapshot";
constexpr std::string_view kJournalFile = "positions.journal";
constexpr std::string_view kPositionRecord = "position";
constexpr std::string_view kKillRecord = "kill_reason";

constexpr std::array kPositionStates = {PositionState::kOpening, PositionState::kOpen,
                                        PositionState::kClosing, PositionState::kClosed,
                                        PositionState::kPartiallyClosedOneLeg};
constexpr std::array kOrderPurposes = {OrderPurpose::kEntry, OrderPurpose::kExit, OrderPurpose::kExcess,
                                       OrderPurpose::kEmergency};
constexpr std::array kLegs = {Leg::kUpbit, Leg::kBybit};
constexpr std::array kSides = {model::Side::kBuy, model::Side::kSell};

const log::Logger& logger() {
  static const log::Logger instance("execution.positions");
  return instance;
}

tl::unexpected<Error> bad_content(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// --- encoding -------------------------------------------------------------------------------------------

json::value encode_order(const StoredOrder& order) {
  return json::object{
      {"leg", to_string(order.leg)},
      {"purpose", to_string(order.purpose)},
      {"side", model::to_string(order.side)},
      {"client_order_id", order.client_order_id},
      {"venue_order_id", order.venue_order_id},
      {"qty", order.qty.to_string()},
      {"filled_qty", order.filled_qty.to_string()},
      {"avg_price", order.avg_price.to_string()},
      {"fee", order.fee.to_string()},
      {"done", order.done},
  };
}

json::value encode_position(const StoredPosition& position) {
  json::array orders;
  for (const StoredOrder& order : position.orders) {
    orders.push_back(encode_order(order));
  }
  return json::object{
      {"id", position.id},
      {"coin", position.coin},
      {"state", to_string(position.state)},
      {"upbit_qty", position.upbit_qty.to_string()},
      {"bybit_qty", position.bybit_qty.to_string()},
      {"upbit_entry_price", position.upbit_entry_price.to_string()},
      {"bybit_entry_price", position.bybit_entry_price.to_string()},
      {"upbit_entry_fee", position.upbit_entry_fee.to_string()},
      {"bybit_entry_fee", position.bybit_entry_fee.to_string()},
      {"usdt_krw", position.usdt_krw.to_string()},
      {"adjustment_usdt", position.adjustment_usdt.to_string()},
      {"opened_at", position.opened_at.ns()},
      {"updated_at", position.updated_at.ns()},
      {"note", position.note},
      {"orders", std::move(orders)},
  };
}

json::value encode_kill_reason(const std::optional<std::string>& reason) {
  return reason ? json::value(*reason) : json::value(nullptr);
}

// --- decoding: every field is required, and a wrong type or unknown name makes the content bad -----------

Result<const json::value*> required_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    return bad_content(fmt::format("lacks \"{}\"", key));
  }
  return value;
}

Result<const json::object*> object_of(const json::value& value, std::string_view what) {
  if (!value.is_object()) {
    return bad_content(fmt::format("{} is not a JSON object", what));
  }
  return &value.get_object();
}

Result<std::string> string_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const json::value* value, required_field(object, key));
  if (!value->is_string()) {
    return bad_content(fmt::format("\"{}\" is not a string", key));
  }
  return std::string(value->get_string());
}

Result<std::optional<std::string>> optional_string_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const json::value* value, required_field(object, key));
  if (value->is_null()) {
    return std::optional<std::string>();
  }
  KIMP_TRY_ASSIGN(std::string text, string_field(object, key));
  return std::optional<std::string>(std::move(text));
}

Result<Decimal> decimal_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const std::string text, string_field(object, key));
  Result<Decimal> value = Decimal::parse(text);
  if (!value) {
    return bad_content(fmt::format("\"{}\" is not a decimal: {}", key, value.error().message));
  }
  return value;
}

template <class Integer>
Result<Integer> integer_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const json::value* value, required_field(object, key));
  // Only integer kinds: to_number() would also accept a double that happens to be whole.
  if (!value->is_int64() && !value->is_uint64()) {
    return bad_content(fmt::format("\"{}\" is not an integer", key));
  }
  boost::system::error_code ec;
  const auto number = value->to_number<Integer>(ec);
  if (ec) {
    return bad_content(fmt::format("\"{}\" is out of range", key));
  }
  return number;
}

Result<bool> bool_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const json::value* value, required_field(object, key));
  if (!value->is_bool()) {
    return bad_content(fmt::format("\"{}\" is not a boolean", key));
  }
  return value->get_bool();
}

Result<Timestamp> timestamp_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const std::int64_t ns, integer_field<std::int64_t>(object, key));
  return Timestamp::from_ns(ns);
}

// The value of `names` whose to_string() is the field's text.
template <class Enum, std::size_t kCount>
Result<Enum> enum_field(const json::object& object, std::string_view key,
                        const std::array<Enum, kCount>& names) {
  KIMP_TRY_ASSIGN(const std::string text, string_field(object, key));
  const auto* found =
      std::find_if(names.begin(), names.end(), [&](Enum candidate) { return to_string(candidate) == text; });
  if (found == names.end()) {
    return bad_content(fmt::format("\"{}\" names no known value: {}", key, quote_input(text)));
  }
  return *found;
}

Result<const json::array*> array_field(const json::object& object, std::string_view key) {
  KIMP_TRY_ASSIGN(const json::value* value, required_field(object, key));
  if (!value->is_array()) {
    return bad_content(fmt::format("\"{}\" is not an array", key));
  }
  return &value->get_array();
}

Result<StoredOrder> decode_order(const json::value& value) {
  KIMP_TRY_ASSIGN(const json::object* object, object_of(value, "an order"));
  StoredOrder order;
  KIMP_TRY_ASSIGN(order.leg, enum_field(*object, "leg", kLegs));
  KIMP_TRY_ASSIGN(order.purpose, enum_field(*object, "purpose", kOrderPurposes));
  KIMP_TRY_ASSIGN(order.side, enum_field(*object, "side", kSides));
  KIMP_TRY_ASSIGN(order.client_order_id, string_field(*object, "client_order_id"));
  KIMP_TRY_ASSIGN(order.venue_order_id, string_field(*object, "venue_order_id"));
  KIMP_TRY_ASSIGN(order.qty, decimal_field(*object, "qty"));
  KIMP_TRY_ASSIGN(order.filled_qty, decimal_field(*object, "filled_qty"));
  KIMP_TRY_ASSIGN(order.avg_price, decimal_field(*object, "avg_price"));
  KIMP_TRY_ASSIGN(order.fee, decimal_field(*object, "fee"));
  KIMP_TRY_ASSIGN(order.done, bool_field(*object, "done"));
  return order;
}

// Errors: kInvalidArgument for id 0 or an empty coin, which no stored position may have.
Status check_identity(const StoredPosition& position) {
  if (position.id == 0) {
    return bad_content("a position needs an id above 0");
  }
  if (position.coin.empty()) {
    return bad_content(fmt::format("position {} needs a coin", position.id));
  }
  return ok();
}

Result<StoredPosition> decode_position(const json::value& value) {
  KIMP_TRY_ASSIGN(const json::object* object, object_of(value, "a position"));
  StoredPosition position;
  KIMP_TRY_ASSIGN(position.id, integer_field<std::uint64_t>(*object, "id"));
  KIMP_TRY_ASSIGN(position.coin, string_field(*object, "coin"));
  KIMP_TRY_ASSIGN(position.state, enum_field(*object, "state", kPositionStates));
  KIMP_TRY_ASSIGN(position.upbit_qty, decimal_field(*object, "upbit_qty"));
  KIMP_TRY_ASSIGN(position.bybit_qty, decimal_field(*object, "bybit_qty"));
  KIMP_TRY_ASSIGN(position.upbit_entry_price, decimal_field(*object, "upbit_entry_price"));
  KIMP_TRY_ASSIGN(position.bybit_entry_price, decimal_field(*object, "bybit_entry_price"));
  KIMP_TRY_ASSIGN(position.upbit_entry_fee, decimal_field(*object, "upbit_entry_fee"));
  KIMP_TRY_ASSIGN(position.bybit_entry_fee, decimal_field(*object, "bybit_entry_fee"));
  KIMP_TRY_ASSIGN(position.usdt_krw, decimal_field(*object, "usdt_krw"));
  KIMP_TRY_ASSIGN(position.adjustment_usdt, decimal_field(*object, "adjustment_usdt"));
  KIMP_TRY_ASSIGN(position.opened_at, timestamp_field(*object, "opened_at"));
  KIMP_TRY_ASSIGN(position.updated_at, timestamp_field(*object, "updated_at"));
  KIMP_TRY_ASSIGN(position.note, string_field(*object, "note"));
  KIMP_TRY_ASSIGN(const json::array* orders, array_field(*object, "orders"));
  for (const json::value& order : *orders) {
    KIMP_TRY_ASSIGN(StoredOrder decoded, decode_order(order));
    position.orders.push_back(std::move(decoded));
  }
  KIMP_TRY(check_identity(position));
  return position;
}

Result<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) {
    return bad_content("is not a JSON object");
  }
  return std::move(value.get_object());
}

// A kill-state change as journalled: a reason latches the switch, nullopt clears it.
struct KillStateChange {
  std::optional<std::string> reason{};
};

struct JournalRecord {
  std::uint64_t sequence = 0;
  std::variant<StoredPosition, KillStateChange> change{};
};

Result<JournalRecord> decode_record(std::string_view text) {
  KIMP_TRY_ASSIGN(const json::object object, parse_object(text));
  JournalRecord record;
  KIMP_TRY_ASSIGN(record.sequence, integer_field<std::uint64_t>(object, "sequence"));
  if (record.sequence == 0) {
    return bad_content("\"sequence\" is 0");
  }
  const bool holds_position = object.contains(kPositionRecord);
  if (holds_position == object.contains(kKillRecord)) {
    return bad_content("holds neither a position nor a kill state, or both");
  }
  if (holds_position) {
    KIMP_TRY_ASSIGN(record.change, decode_position(object.at(kPositionRecord)));
  } else {
    KIMP_TRY_ASSIGN(std::optional<std::string> reason, optional_string_field(object, kKillRecord));
    record.change = KillStateChange{std::move(reason)};
  }
  return record;
}

struct Snapshot {
  std::uint64_t last_sequence = 0;
  std::uint64_t next_id = 1;
  std::optional<std::string> kill_reason{};
  std::vector<StoredPosition> positions{};
};

Result<Snapshot> decode_snapshot(std::string_view text) {
  KIMP_TRY_ASSIGN(const json::object object, parse_object(text));
  Snapshot snapshot;
  KIMP_TRY_ASSIGN(snapshot.last_sequence, integer_field<std::uint64_t>(object, "last_sequence"));
  KIMP_TRY_ASSIGN(snapshot.next_id, integer_field<std::uint64_t>(object, "next_id"));
  KIMP_TRY_ASSIGN(snapshot.kill_reason, optional_string_field(object, kKillRecord));
  KIMP_TRY_ASSIGN(const json::array* positions, array_field(object, "positions"));
  for (const json::value& position : *positions) {
    KIMP_TRY_ASSIGN(StoredPosition decoded, decode_position(position));
    snapshot.positions.push_back(std::move(decoded));
  }
  return snapshot;
}

// Keeps a durable copy of an unreadable `file` under "<name>.corrupt-<unix seconds>" (with a "-<n>" suffix
// when that name is taken), so that the original can be repaired in place.
Status keep_aside(const std::filesystem::path& file) {
  KIMP_TRY_ASSIGN(const std::optional<std::string> content, read_whole_file(file));
  if (!content) {
    return ok();
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  std::filesystem::path aside = file;
  aside += fmt::format(".corrupt-{}", seconds.count());
  std::error_code ec;
  for (int suffix = 2; std::filesystem::exists(aside, ec); ++suffix) {
    aside = file;
    aside += fmt::format(".corrupt-{}-{}", seconds.count(), suffix);
  }
  return replace_durably(aside, *content);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    text += text.empty() ? part : "; " + part;
  }
  return text;
}

}  // namespace

std::string_view to_string(PositionState state) {
  switch (state) {
    case PositionState::kOpening: return "opening";
    case PositionState::kOpen: return "open";
    case PositionState::kClosing: return "closing";
    case PositionState::kClosed: return "closed";
    case PositionState::kPartiallyClosedOneLeg: return "partially_closed_one_leg";
  }
  return "unknown";
}

std::string_view to_string(OrderPurpose purpose) {
  switch (purpose) {
    case OrderPurpose::kEntry: return "entry";
    case OrderPurpose::kExit: return "exit";
    case OrderPurpose::kExcess: return "excess";
    case OrderPurpose::kEmergency: return "emergency";
  }
  return "unknown";
}

PositionStore::PositionStore(std::filesystem::path directory, PositionStoreOptions options)
    : directory_(std::move(directory)), options_(options) {}

Result<std::unique_ptr<PositionStore>> PositionStore::open(std::filesystem::path directory,
                                                           PositionStoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec || !std::filesystem::is_directory(directory, ec)) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("position store {}: create directory: {}", directory.string(),
                                  ec ? ec.message() : "not a directory"));
  }
  std::unique_ptr<PositionStore> store(new PositionStore(std::move(directory), options));
  KIMP_TRY(store->load());
  return store;
}

std::filesystem::path PositionStore::snapshot_path() const {
  return directory_ / kSnapshotFile;
}

std::filesystem::path PositionStore::journal_path() const {
  return directory_ / kJournalFile;
}

Status PositionStore::load() {
  std::filesystem::path temp = snapshot_path();
  temp += ".tmp";
  std::error_code ec;
  if (std::filesystem::exists(temp, ec)) {
    load_report_.leftover_temp = true;
    KIMP_TRY(remove_durably(temp));
  }

  std::vector<std::string> failures;
  KIMP_TRY_ASSIGN(const std::optional<std::string> snapshot_text, read_whole_file(snapshot_path()));
  if (snapshot_text) {
    Result<Snapshot> snapshot = decode_snapshot(*snapshot_text);
    if (snapshot) {
      last_sequence_ = snapshot->last_sequence;
      next_id_ = std::max<std::uint64_t>(snapshot->next_id, 1);
      kill_reason_ = std::move(snapshot->kill_reason);
      load_report_.snapshot_positions = snapshot->positions.size();
      for (const StoredPosition& position : snapshot->positions) {
        apply_position(position);
      }
    } else {
      failures.push_back(fmt::format("{} is unreadable: {}", kSnapshotFile, snapshot.error().message));
      KIMP_TRY(keep_aside(snapshot_path()));
    }
  }

  KIMP_TRY_ASSIGN(const CheckedLines lines, read_checked_lines(journal_path()));
  journal_records_ = lines.texts.size() + lines.bad_lines;
  load_report_.torn_tail = lines.bad_tail;
  std::size_t bad_records = lines.bad_lines - (lines.bad_tail ? 1 : 0);
  std::optional<std::string> first_decode_failure;
  std::uint64_t applied_sequence = last_sequence_;
  for (const std::string& text : lines.texts) {
    Result<JournalRecord> record = decode_record(text);
    if (!record) {
      ++bad_records;
      if (!first_decode_failure) {
        first_decode_failure = record.error().message;
      }
      continue;
    }
    last_sequence_ = std::max(last_sequence_, record->sequence);
    if (record->sequence <= applied_sequence) {
      continue;  // already in the snapshot: the compaction that wrote it stopped before emptying the journal
    }
    applied_sequence = record->sequence;
    ++load_report_.journal_records;
    if (const auto* position = std::get_if<StoredPosition>(&record->change)) {
      apply_position(*position);
    } else {
      kill_reason_ = std::get<KillStateChange>(record->change).reason;
    }
  }
  if (bad_records > 0) {
    failures.push_back(
        fmt::format("{} holds {} unreadable record(s) before its last{}", kJournalFile, bad_records,
                    first_decode_failure ? fmt::format(" (first: {})", *first_decode_failure) : ""));
    KIMP_TRY(keep_aside(journal_path()));
  }

  if (!failures.empty()) {
    load_report_.load_failure = joined(failures);
    logger().error("position store loaded only in part",
                   {{"directory", directory_.string()}, {"why", *load_report_.load_failure}});
  }
  // Appends must not follow a torn line, and unreadable files are replaced by what could be read.
  if (!failures.empty() || lines.bad_tail) {
    KIMP_TRY(compact());
  }
  return ok();
}

std::uint64_t PositionStore::next_id() {
  return next_id_++;
}

Status PositionStore::put(const StoredPosition& position) {
  KIMP_TRY(check_identity(position));
  KIMP_TRY(append_record(kPositionRecord, encode_position(position)));
  apply_position(position);
  compact_when_due();
  return ok();
}

const StoredPosition* PositionStore::find(std::uint64_t id) const {
  const auto found = positions_.find(id);
  return found == positions_.end() ? nullptr : &found->second;
}

Status PositionStore::set_kill_state(std::optional<std::string> reason) {
  KIMP_TRY(append_record(kKillRecord, encode_kill_reason(reason)));
  kill_reason_ = std::move(reason);
  compact_when_due();
  return ok();
}

bool PositionStore::needs_reconciliation() const {
  return load_report_.load_failure.has_value() ||
         std::any_of(positions_.begin(), positions_.end(), [](const auto& entry) {
           const PositionState state = entry.second.state;
           return state == PositionState::kOpening || state == PositionState::kClosing ||
                  state == PositionState::kPartiallyClosedOneLeg;
         });
}

Status PositionStore::compact() {
  json::array live_positions;
  for (const auto& [id, position] : positions_) {
    live_positions.push_back(encode_position(position));
  }
  const json::object snapshot{
      {"last_sequence", last_sequence_},
      {"next_id", next_id_},
      {kKillRecord, encode_kill_reason(kill_reason_)},
      {"positions", std::move(live_positions)},
  };
  KIMP_TRY(replace_durably(snapshot_path(), json::serialize(snapshot) + "\n"));
  KIMP_TRY(remove_durably(journal_path()));
  journal_records_ = 0;
  journal_needs_repair_ = false;
  return ok();
}

Status PositionStore::append_record(std::string_view kind, const json::value& body) {
  if (journal_needs_repair_) {
    KIMP_TRY(compact());
  }
  const json::object record{{"sequence", ++last_sequence_}, {kind, body}};
  if (Status appended = append_durably(journal_path(), checked_line(json::serialize(record)) + "\n");
      !appended) {
    journal_needs_repair_ = true;
    return appended;
  }
  ++journal_records_;
  return ok();
}

void PositionStore::apply_position(const StoredPosition& position) {
  next_id_ = std::max(next_id_, position.id + 1);
  if (position.state == PositionState::kClosed) {
    positions_.erase(position.id);
  } else {
    positions_.insert_or_assign(position.id, position);
  }
}

void PositionStore::compact_when_due() {
  if (journal_records_ < options_.compact_after_records) {
    return;
  }
  if (Status compacted = compact(); !compacted) {
    logger().warn("position journal compaction failed, retried after the next record",
                  {{"directory", directory_.string()}, {"error", compacted.error().describe()}});
  }
}

}  // namespace kimp::execution
