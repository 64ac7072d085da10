// StorageSession: a session's storage from start to end — open and migrate the database, take the
// account lock, insert the sessions row, run the DbWriter, and at the end record the outcome and drain.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/database.hpp"
#include "storage/db_writer.hpp"
#include "storage/records.hpp"

namespace kimp::storage {

struct StorageSessionOptions {
  std::string url;  // storage.url
  DatabaseOptions database{};
  DbWriterOptions writer{};
  SessionRow session{};  // its id is assigned; status "running"
};

class StorageSession {
 public:
  // Errors: those of open_database, Database::migrate, Database::lock_account (kFailedPrecondition
  // naming the session that holds the account) and Database::begin_session.
  static Result<std::unique_ptr<StorageSession>> open(StorageSessionOptions options);
  StorageSession(const StorageSession&) = delete;
  StorageSession& operator=(const StorageSession&) = delete;
  ~StorageSession();

  [[nodiscard]] std::int64_t session_id() const { return session_id_; }
  [[nodiscard]] DbWriter& writer() { return *writer_; }

  // Enqueues the session's end (status "stopped" or "failed", the reason) and drains the writer (see
  // DbWriter::shutdown); the account lock is released afterwards. Later calls return an empty report.
  ShutdownReport close(std::string status, std::string stop_reason, Timestamp ended_at);

 private:
  StorageSession(std::int64_t session_id, std::unique_ptr<AccountLock> lock, std::unique_ptr<DbWriter> writer)
      : session_id_(session_id), lock_(std::move(lock)), writer_(std::move(writer)) {}

  std::int64_t session_id_ = 0;
  std::unique_ptr<AccountLock> lock_;
  std::unique_ptr<DbWriter> writer_;
  bool closed_ = false;
};

}  // namespace kimp::storage
