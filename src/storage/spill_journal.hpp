// SpillJournal: an append-only local file holding critical records the database could not take in time,
// replayed into the database on reconnect or at the next start.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/records.hpp"

namespace kimp::storage {

// What a journal file holds.
struct JournalContents {
  std::vector<StorageRecord> records;  // in the order they were appended
  std::size_t torn_lines = 0;          // lines skipped: cut short by a crash, or failing their checksum
};

// One line per record: the CRC-32 of the JSON text in hex, a space, then {"type":..., "cells":[...]}
// with the record's cells in row_codec order. A crash mid-append leaves at most a torn last line, which
// read() skips and counts. Not thread-safe: only the DbWriter's thread uses it.
class SpillJournal {
 public:
  explicit SpillJournal(std::filesystem::path path) : path_(std::move(path)) {}

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Appends `records` and fsyncs the file (creating it and its directory when missing) before returning.
  // Errors: kUnavailable when the file cannot be written or synced (disk full, permissions); what was
  // appended before the failure is still read back.
  Status append(std::span<const StorageRecord> records);
  // Every whole record in the file; an absent file holds none.
  // Errors: kUnavailable when the file exists but cannot be read.
  [[nodiscard]] Result<JournalContents> read() const;
  // Removes the file once its records are in the database (and syncs the directory).
  // Errors: kUnavailable when it cannot be removed.
  Status clear();

 private:
  std::filesystem::path path_;
};

// The journal line of one record (without its newline), and the record of one line.
std::string journal_line(const StorageRecord& record);
// Errors: kInvalidArgument for a line that is torn, fails its checksum or names no known record type.
Result<StorageRecord> parse_journal_line(std::string_view line);

}  // namespace kimp::storage
