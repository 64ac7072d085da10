// open_session_storage: storage options from the [storage] section and the session's identity.
#include "app/session_storage.hpp"

#include <unistd.h>

#include <array>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "config/render.hpp"

namespace kimp::app {

std::string session_account(const config::Config& config) {
  return fmt::format("{}:{}", config::to_string(config.engine.mode), config.engine.session);
}

std::string config_hash(const config::Config& config) {
  const std::string text = config::render_config(config);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

Result<std::unique_ptr<storage::StorageSession>> open_session_storage(const config::Config& config,
                                                                      const config::Secrets& secrets,
                                                                      Timestamp now) {
  const config::StorageConfig& settings = config.storage;
  storage::StorageSessionOptions options;
  options.url = settings.url;
  options.database.postgres_password = secrets[config::SecretName::kPostgresPassword].value.reveal();
  options.writer.journal_path = settings.spill_journal;
  options.writer.droppable_capacity = static_cast<std::size_t>(settings.writer_queue_capacity);
  options.writer.spill_threshold = static_cast<std::size_t>(settings.spill_threshold);
  options.writer.soft_timeout = settings.drain_soft_timeout;
  options.writer.hard_timeout = settings.drain_hard_timeout;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  options.session.mode = std::string(config::to_string(config.engine.mode));
  options.session.account = session_account(config);
  options.session.config_hash = config_hash(config);
  options.session.host = host.data();
  options.session.pid = ::getpid();
  options.session.started_at = now;
  return storage::StorageSession::open(std::move(options));
}

}  // namespace kimp::app
