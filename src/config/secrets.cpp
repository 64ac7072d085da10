// Secret loading from the environment and a private secrets file, and the per-mode requirements.
#include "config/secrets.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "config/rules.hpp"
#include "core/logging.hpp"

namespace kimp::config {

namespace {

constexpr std::array<std::string_view, kSecretCount> kEnvNames{
    "KIMP_UPBIT_ACCESS_KEY",   "KIMP_UPBIT_SECRET_KEY", "KIMP_BYBIT_API_KEY",     "KIMP_BYBIT_API_SECRET",
    "KIMP_TELEGRAM_BOT_TOKEN", "KIMP_OPS_TOKEN",        "KIMP_POSTGRES_PASSWORD",
};

using FileValues = std::array<std::optional<std::string>, kSecretCount>;

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string_view unquote(std::string_view value) {
  const bool quoted =
      value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front();
  return quoted ? value.substr(1, value.size() - 2) : value;
}

// Only a name of this shape is quoted in an error: anything else may be (part of) a pasted secret.
bool has_secret_name_shape(std::string_view name) {
  constexpr std::string_view kPrefix = "KIMP_";
  return name.size() > kPrefix.size() && name.starts_with(kPrefix) &&
         name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", kPrefix.size()) ==
             std::string_view::npos;
}

std::optional<std::size_t> secret_index(std::string_view name) {
  const auto found = std::find(kEnvNames.begin(), kEnvNames.end(), name);
  if (found == kEnvNames.end()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(found - kEnvNames.begin());
}

// A file anyone else can read defeats keeping secrets out of the config, so it is refused outright.
Status check_private(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("cannot read secrets file {}: {}", path, error.message()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("secrets file {} is not a regular file", path));
  }
  using std::filesystem::perms;
  const perms mode = status.permissions() & perms::mask;
  if ((mode & (perms::group_all | perms::others_all)) != perms::none) {
    return make_error(
        ErrorCode::kFailedPrecondition,
        fmt::format("secrets file {} has mode {:04o}, so other users can access it; run `chmod 600 {}`", path,
                    static_cast<unsigned>(mode), path));
  }
  return ok();
}

// Messages quote line numbers and names, never a value or a whole line (it may be a pasted secret).
Result<FileValues> read_secrets_file(const std::string& path) {
  KIMP_TRY(check_private(path));
  std::ifstream in(path);
  if (!in) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("cannot read secrets file {}", path));
  }
  FileValues values;
  std::string line;
  for (std::int32_t number = 1; std::getline(in, line); ++number) {
    const std::string_view text = trim(line);
    if (text.empty() || text.starts_with('#')) {
      continue;
    }
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("{}:{}: expected NAME=value", path, number));
    }
    const std::string_view name = trim(text.substr(0, equals));
    const std::optional<std::size_t> index = secret_index(name);
    if (!index) {
      const std::string what = has_secret_name_shape(name)
                                   ? fmt::format("unknown secret name \"{}\"", name)
                                   : std::string("unknown or malformed secret name (not shown)");
      return make_error(ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}; known names: {}", path, number,
                                                                 what, fmt::join(kEnvNames, ", ")));
    }
    if (values[*index]) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}:{}: {} is set twice", path, number, name));
    }
    const std::string_view value = unquote(trim(text.substr(equals + 1)));
    if (!value.empty()) {
      values[*index] = std::string(value);
    }
  }
  // getline stops the same way at the end of the file and at a read error; only the second sets badbit.
  if (in.bad()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("cannot read secrets file {}: read error", path));
  }
  return values;
}

}  // namespace

std::string_view env_name(SecretName name) {
  return kEnvNames[static_cast<std::size_t>(name)];
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value =
        std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

Result<Secrets> load_secrets(const Config& config, const EnvLookup& env) {
  Secrets secrets;
  std::optional<std::string> file = env(kSecretsFileEnv);
  if (!file || file->empty()) {
    file = config.engine.secrets_file;
  }
  FileValues from_file;
  if (file && !file->empty()) {
    KIMP_TRY_ASSIGN(from_file, read_secrets_file(*file));
    secrets.file = *file;
  }
  for (std::size_t i = 0; i < kSecretCount; ++i) {
    const auto name = static_cast<SecretName>(i);
    std::optional<std::string> from_env = env(env_name(name));
    if (from_env && !from_env->empty()) {
      secrets[name] = {SecretString(std::move(*from_env)), SecretSource::kEnvironment};
    } else if (from_file[i]) {
      secrets[name] = {SecretString(std::move(*from_file[i])), SecretSource::kFile};
    } else {
      continue;
    }
    log::add_redaction(secrets[name].value.reveal());
  }
  return secrets;
}

Status require_secrets(const Config& config, const Secrets& secrets) {
  std::vector<std::string> gaps;
  const auto need = [&](std::string_view what, std::initializer_list<SecretName> names) {
    std::vector<std::string_view> missing;
    for (SecretName name : names) {
      if (secrets[name].value.empty()) {
        missing.push_back(env_name(name));
      }
    }
    if (!missing.empty()) {
      gaps.push_back(fmt::format("{}: {}", what, fmt::join(missing, ", ")));
    }
  };
  if (config.engine.mode == Mode::kLive) {
    need("live mode", {SecretName::kUpbitAccessKey, SecretName::kUpbitSecretKey, SecretName::kBybitApiKey,
                       SecretName::kBybitApiSecret});
  } else if (config.engine.mode == Mode::kPaper) {
    need("paper mode", {SecretName::kBybitApiKey, SecretName::kBybitApiSecret});
  }
  if (config.alerts.telegram_enabled) {
    need("Telegram alerts", {SecretName::kTelegramBotToken});
  }
  if (config.ops.http_enabled && !is_loopback_address(config.ops.http_bind)) {
    need(fmt::format("ops HTTP on {}", config.ops.http_bind), {SecretName::kOpsToken});
  }
  if (gaps.empty()) {
    return ok();
  }
  return make_error(ErrorCode::kUnauthenticated,
                    fmt::format("missing secrets ({}); set them in the environment or in the secrets file "
                                "(engine.secrets_file or {})",
                                fmt::join(gaps, "; "), kSecretsFileEnv));
}

}  // namespace kimp::config
