// StorageSession: the start-up order (migrate, lock, begin) and the recorded end of a session.
#include "storage/storage_session.hpp"

#include <utility>

#include "core/logging.hpp"

namespace kimp::storage {

Result<std::unique_ptr<StorageSession>> StorageSession::open(StorageSessionOptions options) {
  const log::Logger logger("storage");
  KIMP_TRY_ASSIGN(std::unique_ptr<Database> database, open_database(options.url, options.database));
  KIMP_TRY_ASSIGN(const std::vector<int> applied, database->migrate());
  for (const int version : applied) {
    logger.info("schema migrated", {{"version", version}});
  }
  KIMP_TRY_ASSIGN(std::unique_ptr<AccountLock> lock, database->lock_account(options.session.account));
  options.session.status = "running";
  KIMP_TRY_ASSIGN(const std::int64_t session_id, database->begin_session(options.session));
  logger.info("session begun", {{"session_id", session_id}, {"account", options.session.account}});
  auto writer = std::make_unique<DbWriter>(std::move(database), std::move(options.writer));
  return std::unique_ptr<StorageSession>(new StorageSession(session_id, std::move(lock), std::move(writer)));
}

StorageSession::~StorageSession() {
  writer_->shutdown();
}

ShutdownReport StorageSession::close(std::string status, std::string stop_reason, Timestamp ended_at) {
  if (closed_) {
    return {};
  }
  closed_ = true;
  writer_->enqueue(SessionEnd{.id = session_id_,
                              .ended_at = ended_at,
                              .status = std::move(status),
                              .stop_reason = std::move(stop_reason)});
  ShutdownReport report = writer_->shutdown();
  lock_.reset();
  return report;
}

}  // namespace kimp::storage
