// PositionStore: the write-ahead record of every pair position of the live and paper executors, on disk
// before the action it announces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "execution/order_executor.hpp"
#include "model/types.hpp"

namespace kimp::execution {

enum class PositionState : std::uint8_t { kOpening, kOpen, kClosing, kClosed, kPartiallyClosedOneLeg };
// "opening", "open", "closing", "closed", "partially_closed_one_leg", as written in the store's files.
std::string_view to_string(PositionState state);

enum class OrderPurpose : std::uint8_t { kEntry, kExit, kExcess, kEmergency };
// "entry", "exit", "excess", "emergency", as written in the store's files.
std::string_view to_string(OrderPurpose purpose);

// One order the executor sent, or is about to send, for a position.
struct StoredOrder {
  Leg leg = Leg::kUpbit;
  OrderPurpose purpose = OrderPurpose::kEntry;
  model::Side side = model::Side::kBuy;
  std::string client_order_id{};
  std::string venue_order_id{};  // empty until the venue has answered
  Decimal qty{};                 // requested; zero for a KRW-amount buy
  Decimal filled_qty{};
  Decimal avg_price{};
  Decimal fee{};
  bool done = false;  // ended on the venue: the figures are final
  bool operator==(const StoredOrder&) const = default;
};

struct StoredPosition {
  std::uint64_t id = 0;
  std::string coin{};
  PositionState state = PositionState::kOpening;
  Decimal upbit_qty{};          // coins this position holds on Upbit now
  Decimal bybit_qty{};          // contracts it holds short on Bybit now
  Decimal upbit_entry_price{};  // KRW, average of the entry fill
  Decimal bybit_entry_price{};  // USDT
  Decimal upbit_entry_fee{};    // KRW
  Decimal bybit_entry_fee{};    // USDT
  Decimal usdt_krw{};           // rate the entry was valued at
  Decimal adjustment_usdt{};    // realised cost of excess and emergency closes so far
  Timestamp opened_at{};
  Timestamp updated_at{};
  std::string note{};  // why the position is in its state (e.g. the naked leg's story)
  std::vector<StoredOrder> orders{};
  bool operator==(const StoredPosition&) const = default;
};

struct PositionStoreOptions {
  std::size_t compact_after_records = 1000;  // journal records before put() compacts by itself
};

// What open() found.
struct StoreLoadReport {
  std::size_t snapshot_positions = 0;
  std::size_t journal_records = 0;  // records replayed on top of the snapshot
  bool torn_tail = false;           // the journal's last record was cut short by a crash and skipped
  bool leftover_temp = false;  // a snapshot temp file of an interrupted compaction was found (and removed)
  // Why the files cannot be fully trusted (corrupt snapshot, a bad record before the tail); the
  // unreadable files are kept under a ".corrupt-<unix seconds>" name.
  std::optional<std::string> load_failure{};
};

// positions.snapshot holds a JSON object: the live positions, the kill state, the id counter and the
// sequence number of the last record it includes. positions.journal holds one checked line per
// transition since, each a JSON object with its sequence number and either a whole position or a
// kill-state change. Replay applies only the records numbered above the snapshot's, so a crash between
// writing a snapshot and emptying the journal replays nothing twice. Not thread-safe: one event-loop
// thread uses it.
class PositionStore {
 public:
  // Opens the store in `directory` (created when missing) and replays snapshot + journal. A torn tail or
  // unreadable content is repaired by compacting what could be read, so later appends start clean.
  // Errors: kUnavailable only when the directory or its files cannot be read or written at all; corrupt
  // content is not an error (see StoreLoadReport::load_failure): the store then holds what could be read.
  static Result<std::unique_ptr<PositionStore>> open(std::filesystem::path directory,
                                                     PositionStoreOptions options = {});

  [[nodiscard]] const StoreLoadReport& load_report() const { return load_report_; }
  // A fresh position id, never handed out before in this store (persisted via the next put or
  // compaction; ids start at 1).
  std::uint64_t next_id();
  // Appends `position`'s whole new state and fsyncs before returning; a kClosed position leaves the live
  // set. Compacts first when an earlier append failed (it may have left a partial line), and afterwards
  // once the journal holds compact_after_records records.
  // Errors: kUnavailable (disk full, I/O): then nothing changes in memory, and the caller must not act.
  // kInvalidArgument for id 0 or an empty coin.
  Status put(const StoredPosition& position);
  // Positions not closed, by id.
  [[nodiscard]] const std::map<std::uint64_t, StoredPosition>& positions() const { return positions_; }
  // The live position `id`, or null.
  [[nodiscard]] const StoredPosition* find(std::uint64_t id) const;
  // The kill switch's latched state, persisted like a transition: a reason latches it, nullopt clears it.
  // Errors: as put().
  Status set_kill_state(std::optional<std::string> reason);
  [[nodiscard]] const std::optional<std::string>& kill_reason() const { return kill_reason_; }
  // True after a load failure, or while any position is Opening, Closing or PartiallyClosedOneLeg:
  // the venues must be reconciled before new entries.
  [[nodiscard]] bool needs_reconciliation() const;
  // Writes every live position, the kill state and the id counter to positions.snapshot (temp file,
  // fsync, rename, directory fsync), then empties the journal.
  // Errors: kUnavailable when either step fails; the files then still hold the current state.
  Status compact();

 private:
  PositionStore(std::filesystem::path directory, PositionStoreOptions options);

  [[nodiscard]] std::filesystem::path snapshot_path() const;
  [[nodiscard]] std::filesystem::path journal_path() const;
  // Loads the snapshot and replays the journal into this store, filling load_report_, and compacts when
  // the files need repair.
  Status load();
  // Appends one record, {"sequence": <next>, <kind>: <body>}, to the journal, compacting first when an
  // earlier append failed. Consumes the sequence number even when the append fails.
  Status append_record(std::string_view kind, const boost::json::value& body);
  // Makes `position` the live state of its id, or removes it when closed.
  void apply_position(const StoredPosition& position);
  // Compacts once the journal holds compact_after_records records. A failure is logged, not returned:
  // the record that triggered it is already durable.
  void compact_when_due();

  std::filesystem::path directory_{};
  PositionStoreOptions options_{};
  StoreLoadReport load_report_{};
  std::map<std::uint64_t, StoredPosition> positions_{};
  std::optional<std::string> kill_reason_{};
  std::uint64_t next_id_ = 1;
  std::uint64_t last_sequence_ = 0;    // of the last record written or attempted: never reused
  std::size_t journal_records_ = 0;    // lines in the journal file, stale ones included
  bool journal_needs_repair_ = false;  // an append failed and may have left a partial line
};

}  // namespace kimp::execution
