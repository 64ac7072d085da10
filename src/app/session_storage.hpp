// The storage of a `kimp run` session, from its configuration: the database at storage.url, the account
// lock, the sessions row and the DbWriter with the [storage] limits.
#pragma once

#include <memory>
#include <string>

#include "config/config.hpp"
#include "config/secrets.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/storage_session.hpp"

namespace kimp::app {

// The account a session trades, as the lock and the sessions table know it: "<mode>:<engine.session>".
std::string session_account(const config::Config& config);
// Lowercase hex SHA-256 of the effective configuration (render_config), so sessions can be compared.
std::string config_hash(const config::Config& config);

// The session's sessions row starts at `now`. Errors: those of storage::StorageSession::open.
Result<std::unique_ptr<storage::StorageSession>> open_session_storage(const config::Config& config,
                                                                      const config::Secrets& secrets,
                                                                      Timestamp now);

}  // namespace kimp::app
