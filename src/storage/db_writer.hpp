// DbWriter: the one thread that writes storage records. The event loop only enqueues; critical records
// are never dropped (queued, then spilled to a journal), droppable ones go through a bounded queue.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"
#include "storage/records.hpp"
#include "storage/spill_journal.hpp"

namespace kimp::storage {

struct DbWriterOptions {
  std::filesystem::path journal_path{};     // the spill journal; required
  std::size_t droppable_capacity = 10'000;  // queued droppable records beyond this are dropped
  std::size_t spill_threshold = 100'000;    // critical records held in memory before spilling
  std::size_t batch_size = 2'000;           // records per transaction
  // How often an idle writer looks for records: producers never wake it, so that an enqueue on the
  // event loop costs no system call; records wait at most this long before their batch starts.
  std::chrono::milliseconds idle_poll{5};
  std::chrono::milliseconds retry_initial{100};  // first wait after a failed write, doubled up to retry_max
  std::chrono::milliseconds retry_max{5'000};
  std::chrono::milliseconds soft_timeout{10'000};  // shutdown: warn and report progress after this
  std::chrono::milliseconds hard_timeout{30'000};  // shutdown: spill what is left and stop after this
};

// Per table. `enqueued` counts records accepted; each ends as written, dropped, or left in the journal.
struct TableCounters {
  std::uint64_t enqueued = 0;
  std::uint64_t written = 0;   // in a committed transaction (an idempotent re-write counts again)
  std::uint64_t dropped = 0;   // droppable records refused by a full queue
  std::uint64_t failed = 0;    // record-attempts in a transaction that failed
  std::uint64_t retried = 0;   // record-attempts repeated after a failure
  std::uint64_t spilled = 0;   // appended to the spill journal
  std::uint64_t rejected = 0;  // refused by the database as invalid (logged and kept in <journal>.rejected)
  bool operator==(const TableCounters&) const = default;
};

struct DbWriterStats {
  std::array<TableCounters, kTableCount> tables{};
  std::uint64_t journal_records = 0;   // records in the spill journal now
  std::uint64_t journal_replayed = 0;  // journal records written to the database since start
  std::uint64_t torn_journal_lines = 0;
  [[nodiscard]] const TableCounters& operator[](Table table) const {
    return tables[static_cast<std::size_t>(table)];
  }
};

// What shutdown() achieved.
struct ShutdownReport {
  bool drained = false;                                      // every record reached the database
  std::array<std::uint64_t, kTableCount> left_in_journal{};  // per table, when not drained
  std::uint64_t lost = 0;  // records neither written nor journaled (only when the journal itself failed)
};

class DbWriter final : public RecordSink {
 public:
  // Takes `database` over (it must already be migrated); the thread starts at once and first writes
  // what a previous run left in the journal.
  DbWriter(std::unique_ptr<Database> database, DbWriterOptions options);
  DbWriter(const DbWriter&) = delete;
  DbWriter& operator=(const DbWriter&) = delete;
  // Calls shutdown() when it has not run.
  ~DbWriter() override;

  // Thread-safe and never blocks on the database: a critical record is always accepted, a droppable
  // one is dropped (and counted) when its queue is full. After shutdown() records are refused with an
  // error log and counted as dropped.
  void enqueue(StorageRecord record) override;

  [[nodiscard]] DbWriterStats stats() const;
  // Records accepted and not yet written or journaled, per table.
  [[nodiscard]] std::array<std::uint64_t, kTableCount> pending() const;

  // Stops taking records, waits for the queues and the journal to drain and joins the thread. After
  // soft_timeout a warning lists the records left per table (again every second); at hard_timeout what
  // is left is appended to the journal for the next start, logged per table, and the thread stops.
  ShutdownReport shutdown();

 private:
  struct Counters {
    std::atomic<std::uint64_t> enqueued{0};
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> retried{0};
    std::atomic<std::uint64_t> spilled{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<std::uint64_t> pending{0};
  };

  void run();
  // Writes the journal's records; false when the database refused (they stay in the journal).
  bool replay_journal();
  // Moves queued records into batch_ (critical first); false when both queues are empty.
  bool take_batch();
  bool write_batch();
  void write_one_by_one();
  // Writes `records` one per transaction, setting aside (in the rejected file) those the database refuses
  // as invalid; returns how many were dealt with before another failure stopped it.
  std::size_t write_individually(std::span<const StorageRecord> records, bool leave_pending);
  [[nodiscard]] std::uint64_t journal_records() const;
  // Waits out the retry delay, then spills when too many critical records are held in memory.
  void wait_before_retry();
  void spill(bool everything);
  void count(std::span<const StorageRecord> records, std::atomic<std::uint64_t> Counters::*counter,
             bool leave_pending);
  Counters& counters(Table table) { return counters_[static_cast<std::size_t>(table)]; }

  std::unique_ptr<Database> database_;
  DbWriterOptions options_;
  SpillJournal journal_;
  SpillJournal rejected_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<StorageRecord> critical_;   // guarded by mutex_
  std::vector<StorageRecord> droppable_;  // guarded by mutex_
  bool stopping_ = false;                 // guarded by mutex_
  bool abort_ = false;                    // guarded by mutex_
  bool finished_ = false;                 // guarded by mutex_
  bool shut_down_ = false;                // guarded by mutex_
  std::condition_variable finished_cv_;

  // Writer thread only.
  std::vector<StorageRecord> batch_;
  std::vector<StorageRecord> taken_critical_;
  std::vector<StorageRecord> taken_droppable_;
  std::size_t taken_critical_next_ = 0;
  std::size_t taken_droppable_next_ = 0;
  std::chrono::milliseconds retry_delay_{0};
  bool journal_pending_ = true;
  bool batch_failed_before_ = false;

  std::array<Counters, kTableCount> counters_{};
  std::array<std::atomic<std::uint64_t>, kTableCount> journal_tables_{};  // records in the journal, per table
  std::atomic<std::uint64_t> journal_replayed_{0};
  std::atomic<std::uint64_t> torn_journal_lines_{0};
  std::atomic<std::uint64_t> lost_{0};
  std::thread thread_;
};

}  // namespace kimp::storage
