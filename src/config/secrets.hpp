// Credentials of a session: read from the environment or a private secrets file, never from the TOML.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/secret_string.hpp"
#include "core/result.hpp"

namespace kimp::config {

enum class SecretName : std::uint8_t {
  kUpbitAccessKey,
  kUpbitSecretKey,
  kBybitApiKey,
  kBybitApiSecret,
  kTelegramBotToken,
  kOpsToken,          // bearer token of the ops HTTP API
  kPostgresPassword,  // password of the storage.url PostgreSQL user
};
inline constexpr std::size_t kSecretCount = 7;

// The environment variable, which is also the name used in the secrets file: "KIMP_UPBIT_ACCESS_KEY".
std::string_view env_name(SecretName name);

// Names the secrets file; takes precedence over engine.secrets_file.
inline constexpr std::string_view kSecretsFileEnv = "KIMP_SECRETS_FILE";

enum class SecretSource : std::uint8_t { kUnset, kEnvironment, kFile };

struct Secret {
  SecretString value;
  SecretSource source = SecretSource::kUnset;
};

struct Secrets {
  std::array<Secret, kSecretCount> values;
  std::string file;  // the secrets file that was read; empty when none was configured

  [[nodiscard]] const Secret& operator[](SecretName name) const {
    return values[static_cast<std::size_t>(name)];
  }
  Secret& operator[](SecretName name) { return values[static_cast<std::size_t>(name)]; }
};

// Looks up an environment variable; injected so tests do not depend on the real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment. Read at start-up only (getenv is not safe against concurrent setenv).
EnvLookup process_environment();

// Reads every secret: an environment variable wins over the same name in the secrets file (path from
// KIMP_SECRETS_FILE, else engine.secrets_file; `NAME=value` lines, `#` comments). Empty values count
// as unset. Every value read is registered with log::add_redaction before this returns.
// Errors: kFailedPrecondition when the file cannot be read or is accessible by group or others (the
// message gives the path, its mode and the chmod fix); kInvalidArgument for a malformed line, an
// unknown or repeated name (messages give the file line, and the name only when it has the shape
// KIMP_[A-Z0-9_]+: never a value or anything that may be one).
Result<Secrets> load_secrets(const Config& config, const EnvLookup& env);

// Checks that the secrets the configuration needs are set: live mode needs both exchanges' keys, paper
// mode Bybit's, Telegram alerts the bot token, an ops HTTP API bound beyond loopback its token.
// Errors: kUnauthenticated naming every missing variable.
Status require_secrets(const Config& config, const Secrets& secrets);

}  // namespace kimp::config
