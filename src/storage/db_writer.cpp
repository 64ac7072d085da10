// DbWriter: lanes, batching, retry with backoff, spilling to the journal and the shutdown protocol.
#include "storage/db_writer.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/logging.hpp"

namespace kimp::storage {
namespace {

const log::Logger& logger() {
  static const log::Logger instance("storage.writer");
  return instance;
}

// "trades=3 minutes=120" for the tables with a non-zero count.
std::string per_table(const std::array<std::uint64_t, kTableCount>& counts) {
  std::string text;
  for (const Table table : kAllTables) {
    const std::uint64_t count = counts[static_cast<std::size_t>(table)];
    if (count != 0) {
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", table_name(table), count);
    }
  }
  return text.empty() ? "none" : text;
}

// Records reserved per droppable vector at most (a larger capacity grows them as needed).
constexpr std::size_t kMaxReserved = 65'536;

std::filesystem::path rejected_path(const std::filesystem::path& journal) {
  std::filesystem::path path = journal;
  path += ".rejected";
  return path;
}

}  // namespace

DbWriter::DbWriter(std::unique_ptr<Database> database, DbWriterOptions options)
    : database_(std::move(database)),
      options_(std::move(options)),
      journal_(options_.journal_path),
      rejected_(rejected_path(options_.journal_path)) {
  options_.batch_size = std::max<std::size_t>(options_.batch_size, 1);
  // Both droppable vectors (the queue and the one the writer drains, swapped) are sized up front, so a
  // producer's push_back does not reallocate under the lock.
  const std::size_t droppable_reserve = std::min<std::size_t>(options_.droppable_capacity, kMaxReserved);
  droppable_.reserve(droppable_reserve);
  taken_droppable_.reserve(droppable_reserve);
  critical_.reserve(options_.batch_size);
  taken_critical_.reserve(options_.batch_size);
  thread_ = std::thread([this] { run(); });
}

DbWriter::~DbWriter() {
  shutdown();
}

void DbWriter::enqueue(StorageRecord record) {
  const Table table = table_of(record);
  const bool critical = is_critical(record);
  Counters& counter = counters(table);
  counter.enqueued.fetch_add(1, std::memory_order_relaxed);
  {
    const std::lock_guard lock(mutex_);
    if (finished_) {
      counter.dropped.fetch_add(1, std::memory_order_relaxed);
      logger().error("record after the writer stopped, not written", {{"table", table_name(table)}});
      return;
    }
    if (critical) {
      critical_.push_back(std::move(record));
    } else if (droppable_.size() < options_.droppable_capacity) {
      droppable_.push_back(std::move(record));
    } else {
      counter.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    counter.pending.fetch_add(1, std::memory_order_relaxed);
  }
}

DbWriterStats DbWriter::stats() const {
  DbWriterStats stats;
  for (std::size_t i = 0; i < kTableCount; ++i) {
    const Counters& from = counters_[i];
    stats.tables[i] = TableCounters{
        .enqueued = from.enqueued.load(),
        .written = from.written.load(),
        .dropped = from.dropped.load(),
        .failed = from.failed.load(),
        .retried = from.retried.load(),
        .spilled = from.spilled.load(),
        .rejected = from.rejected.load(),
    };
  }
  stats.journal_records = journal_records();
  stats.journal_replayed = journal_replayed_.load();
  stats.torn_journal_lines = torn_journal_lines_.load();
  return stats;
}

std::uint64_t DbWriter::journal_records() const {
  std::uint64_t total = 0;
  for (const std::atomic<std::uint64_t>& held : journal_tables_) {
    total += held.load();
  }
  return total;
}

std::array<std::uint64_t, kTableCount> DbWriter::pending() const {
  std::array<std::uint64_t, kTableCount> pending{};
  for (std::size_t i = 0; i < kTableCount; ++i) {
    pending[i] = counters_[i].pending.load();
  }
  return pending;
}

ShutdownReport DbWriter::shutdown() {
  std::unique_lock lock(mutex_);
  if (shut_down_) {
    return {};
  }
  shut_down_ = true;
  stopping_ = true;
  wake_.notify_all();
  const auto started = std::chrono::steady_clock::now();
  const auto done = [&] { return finished_; };
  bool aborted = false;
  if (!finished_cv_.wait_until(lock, started + options_.soft_timeout, done)) {
    logger().warn("database writer still draining at the soft timeout",
                  {{"soft_timeout_ms", options_.soft_timeout.count()}, {"left", per_table(pending())}});
    const auto hard_deadline = started + options_.hard_timeout;
    while (!finished_ && std::chrono::steady_clock::now() < hard_deadline) {
      const auto next = std::min(hard_deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1));
      if (!finished_cv_.wait_until(lock, next, done)) {
        logger().warn("database writer draining", {{"left", per_table(pending())}});
      }
    }
    if (!finished_) {
      aborted = true;
      abort_ = true;
      wake_.notify_all();
      finished_cv_.wait(lock, done);
    }
  }
  lock.unlock();
  thread_.join();

  ShutdownReport report;
  report.lost = lost_.load();
  if (aborted) {
    for (std::size_t i = 0; i < kTableCount; ++i) {
      report.left_in_journal[i] = journal_tables_[i].load();
    }
  }
  report.drained = !aborted && report.lost == 0 && journal_records() == 0;
  if (report.drained) {
    logger().info("database writer drained",
                  {{"elapsed_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()}});
  } else {
    logger().error("database writer stopped before the database took everything",
                   {{"hard_timeout", aborted},
                    {"journal", journal_.path().string()},
                    {"journal_records", journal_records()},
                    {"left_in_journal", per_table(report.left_in_journal)},
                    {"lost", report.lost}});
  }
  return report;
}

void DbWriter::run() {
  while (true) {
    {
      const std::lock_guard lock(mutex_);
      if (abort_) {
        break;
      }
    }
    if (journal_pending_ && !replay_journal()) {
      wait_before_retry();
      continue;
    }
    if (batch_.empty() && !take_batch()) {
      std::unique_lock lock(mutex_);
      if (critical_.empty() && droppable_.empty()) {
        if (stopping_ || abort_) {
          break;
        }
        wake_.wait_for(lock, options_.idle_poll, [&] { return stopping_ || abort_; });
      }
      continue;
    }
    if (!write_batch()) {
      wait_before_retry();
    }
  }
  bool abort = false;
  {
    const std::lock_guard lock(mutex_);
    abort = abort_;
  }
  if (abort) {
    spill(true);
  }
  const std::lock_guard lock(mutex_);
  finished_ = true;
  finished_cv_.notify_all();
}

bool DbWriter::take_batch() {
  const auto refill = [&](std::vector<StorageRecord>& queue, std::vector<StorageRecord>& taken,
                          std::size_t& next) {
    if (next < taken.size()) {
      return;
    }
    taken.clear();
    next = 0;
    const std::lock_guard lock(mutex_);
    queue.swap(taken);
  };
  refill(critical_, taken_critical_, taken_critical_next_);
  refill(droppable_, taken_droppable_, taken_droppable_next_);
  const auto move_from = [&](std::vector<StorageRecord>& taken, std::size_t& next) {
    while (batch_.size() < options_.batch_size && next < taken.size()) {
      batch_.push_back(std::move(taken[next++]));
    }
  };
  move_from(taken_critical_, taken_critical_next_);
  move_from(taken_droppable_, taken_droppable_next_);
  batch_failed_before_ = false;
  return !batch_.empty();
}

void DbWriter::count(std::span<const StorageRecord> records, std::atomic<std::uint64_t> Counters::*counter,
                     bool leave_pending) {
  for (const StorageRecord& record : records) {
    Counters& table = counters(table_of(record));
    (table.*counter).fetch_add(1, std::memory_order_relaxed);
    if (leave_pending) {
      table.pending.fetch_sub(1, std::memory_order_relaxed);
    }
  }
}

bool DbWriter::write_batch() {
  const bool critical =
      std::any_of(batch_.begin(), batch_.end(), [](const StorageRecord& r) { return is_critical(r); });
  if (batch_failed_before_) {
    count(batch_, &Counters::retried, false);
  }
  const Status status = database_->write(batch_, critical ? Durability::kCritical : Durability::kDroppable);
  if (status) {
    count(batch_, &Counters::written, true);
    batch_.clear();
    retry_delay_ = std::chrono::milliseconds(0);
    batch_failed_before_ = false;
    return true;
  }
  count(batch_, &Counters::failed, false);
  if (status.error().code == ErrorCode::kInvalidArgument) {
    write_one_by_one();
    return batch_.empty();
  }
  logger().warn("database write failed, will retry",
                {{"records", batch_.size()}, {"error", status.error().describe()}});
  batch_failed_before_ = true;
  return false;
}

void DbWriter::write_one_by_one() {
  const std::size_t done = write_individually(batch_, true);
  batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(done));
  batch_failed_before_ = !batch_.empty();
}

std::size_t DbWriter::write_individually(std::span<const StorageRecord> records, bool leave_pending) {
  std::size_t done = 0;
  for (; done < records.size(); ++done) {
    const std::span<const StorageRecord> one = records.subspan(done, 1);
    const Status status =
        database_->write(one, is_critical(one[0]) ? Durability::kCritical : Durability::kDroppable);
    if (status) {
      count(one, &Counters::written, leave_pending);
      continue;
    }
    if (status.error().code != ErrorCode::kInvalidArgument) {
      break;
    }
    logger().error("database refused a record; kept in the rejected file",
                   {{"table", table_name(table_of(one[0]))},
                    {"error", status.error().describe()},
                    {"file", rejected_.path().string()}});
    if (!rejected_.append(one)) {
      lost_.fetch_add(1);
    }
    count(one, &Counters::rejected, leave_pending);
  }
  return done;
}

void DbWriter::wait_before_retry() {
  retry_delay_ =
      retry_delay_.count() == 0 ? options_.retry_initial : std::min(retry_delay_ * 2, options_.retry_max);
  {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, retry_delay_, [&] { return abort_; });
    if (abort_) {
      return;
    }
  }
  spill(false);
}

void DbWriter::spill(bool everything) {
  std::vector<StorageRecord> spilled;
  std::vector<StorageRecord> kept;
  const auto take = [&](StorageRecord& record) {
    (everything || is_critical(record) ? spilled : kept).push_back(std::move(record));
  };
  std::size_t in_memory = 0;
  {
    const std::lock_guard lock(mutex_);
    in_memory = critical_.size() + (taken_critical_.size() - taken_critical_next_) +
                static_cast<std::size_t>(std::count_if(
                    batch_.begin(), batch_.end(), [](const StorageRecord& r) { return is_critical(r); }));
    if (!everything && in_memory <= options_.spill_threshold) {
      return;
    }
    for (StorageRecord& record : batch_) {
      take(record);
    }
    for (std::size_t i = taken_critical_next_; i < taken_critical_.size(); ++i) {
      spilled.push_back(std::move(taken_critical_[i]));
    }
    for (StorageRecord& record : critical_) {
      spilled.push_back(std::move(record));
    }
    critical_.clear();
    if (everything) {
      for (std::size_t i = taken_droppable_next_; i < taken_droppable_.size(); ++i) {
        spilled.push_back(std::move(taken_droppable_[i]));
      }
      for (StorageRecord& record : droppable_) {
        spilled.push_back(std::move(record));
      }
      droppable_.clear();
      taken_droppable_.clear();
      taken_droppable_next_ = 0;
    }
  }
  batch_ = std::move(kept);
  taken_critical_.clear();
  taken_critical_next_ = 0;
  if (spilled.empty()) {
    return;
  }
  const Status appended = journal_.append(spilled);
  if (appended) {
    count(spilled, &Counters::spilled, true);
    for (const StorageRecord& record : spilled) {
      journal_tables_[static_cast<std::size_t>(table_of(record))].fetch_add(1);
    }
    journal_pending_ = true;
    logger().warn("database behind; records spilled to the journal",
                  {{"records", spilled.size()}, {"journal", journal_.path().string()}});
    return;
  }
  if (everything) {
    std::array<std::uint64_t, kTableCount> lost{};
    for (const StorageRecord& record : spilled) {
      ++lost[static_cast<std::size_t>(table_of(record))];
    }
    lost_.fetch_add(spilled.size());
    logger().error("spill journal failed at shutdown: records lost",
                   {{"error", appended.error().describe()}, {"lost", per_table(lost)}});
    return;
  }
  logger().error("spill journal failed; records stay in memory", {{"error", appended.error().describe()}});
  taken_critical_ = std::move(spilled);
}

bool DbWriter::replay_journal() {
  Result<JournalContents> contents = journal_.read();
  if (!contents) {
    logger().error("spill journal unreadable", {{"error", contents.error().describe()}});
    return false;
  }
  const std::vector<StorageRecord>& records = contents->records;
  std::array<std::uint64_t, kTableCount> held{};
  for (const StorageRecord& record : records) {
    ++held[static_cast<std::size_t>(table_of(record))];
  }
  for (std::size_t i = 0; i < kTableCount; ++i) {
    journal_tables_[i].store(held[i]);
  }
  for (std::size_t start = 0; start < records.size(); start += options_.batch_size) {
    const std::size_t size = std::min(options_.batch_size, records.size() - start);
    const std::span<const StorageRecord> chunk(records.data() + start, size);
    const Status status = database_->write(chunk, Durability::kCritical);
    if (!status && status.error().code == ErrorCode::kInvalidArgument &&
        write_individually(chunk, false) == chunk.size()) {
      continue;
    }
    if (!status) {
      logger().warn("journal replay failed, will retry",
                    {{"records", records.size()}, {"error", status.error().describe()}});
      return false;
    }
    count(chunk, &Counters::written, false);
  }
  if (const Status cleared = journal_.clear(); !cleared) {
    logger().error("spill journal written but not removed", {{"error", cleared.error().describe()}});
    return false;
  }
  journal_replayed_.fetch_add(records.size());
  torn_journal_lines_.fetch_add(contents->torn_lines);
  for (std::atomic<std::uint64_t>& table_held : journal_tables_) {
    table_held.store(0);
  }
  journal_pending_ = false;
  if (!records.empty() || contents->torn_lines != 0) {
    logger().info("spill journal written to the database",
                  {{"records", records.size()}, {"torn_lines", contents->torn_lines}});
  }
  return true;
}

}  // namespace kimp::storage
