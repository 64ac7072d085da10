// Tests of secret handling: masking, environment and secrets-file loading, file permissions, the
// per-mode requirements, log redaction and masked rendering.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "config/load.hpp"
#include "config/render.hpp"
#include "config/secrets.hpp"
#include "core/logging.hpp"

namespace kimp::config {
namespace {

namespace fs = std::filesystem;

EnvLookup fake_env(std::map<std::string, std::string, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) {
      return std::nullopt;
    }
    return found->second;
  };
}

// A loaded configuration in `mode`, defaults and derived values included.
Config config_for(Mode mode) {
  const ConfigResult config =
      parse_config(fmt::format("[engine]\nmode = \"{}\"\nsession = \"unit\"\n[strategy]\ncoins = [\"BTC\"]\n",
                               to_string(mode)),
                   "unit.toml");
  if (!config) {
    ADD_FAILURE() << render_problems(config.error());
    return {};
  }
  return *config;
}

// A private scratch directory per test, so parallel test processes never share files.
class SecretsFileTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) /
           fmt::format("kimp_secrets_{}_{}", test->test_suite_name(), test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& text, fs::perms mode) {
    const fs::path path = dir_ / "secrets.env";
    std::ofstream(path) << text;
    fs::permissions(path, mode);
    return path.string();
  }

  fs::path dir_;
};

constexpr fs::perms kOwnerReadWrite = fs::perms::owner_read | fs::perms::owner_write;

TEST(SecretString, FormattingAndTestPrintingShowOnlyAMask) {
  const SecretString secret("s3cr3t-value");
  EXPECT_EQ(fmt::format("{}", secret), "***");
  EXPECT_EQ(fmt::format("key={:>5}", secret), "key=  ***");
  EXPECT_EQ(testing::PrintToString(secret), "***");
  EXPECT_EQ(fmt::format("{}", SecretString()), "<unset>");
  EXPECT_EQ(secret.reveal(), "s3cr3t-value");
}

TEST(Secrets, EnvNames_MatchTheDocumentedVariables) {
  EXPECT_EQ(env_name(SecretName::kUpbitAccessKey), "KIMP_UPBIT_ACCESS_KEY");
  EXPECT_EQ(env_name(SecretName::kUpbitSecretKey), "KIMP_UPBIT_SECRET_KEY");
  EXPECT_EQ(env_name(SecretName::kBybitApiKey), "KIMP_BYBIT_API_KEY");
  EXPECT_EQ(env_name(SecretName::kBybitApiSecret), "KIMP_BYBIT_API_SECRET");
  EXPECT_EQ(env_name(SecretName::kTelegramBotToken), "KIMP_TELEGRAM_BOT_TOKEN");
  EXPECT_EQ(env_name(SecretName::kOpsToken), "KIMP_OPS_TOKEN");
  EXPECT_EQ(env_name(SecretName::kPostgresPassword), "KIMP_POSTGRES_PASSWORD");
}

TEST(LoadSecrets, EnvironmentOnly_ReadsSetVariablesAndTreatsEmptyAsUnset) {
  const Result<Secrets> secrets =
      load_secrets(config_for(Mode::kSimulation),
                   fake_env({{"KIMP_BYBIT_API_KEY", "bybit-key-1"}, {"KIMP_BYBIT_API_SECRET", ""}}));
  ASSERT_TRUE(secrets) << secrets.error();
  EXPECT_EQ((*secrets)[SecretName::kBybitApiKey].value.reveal(), "bybit-key-1");
  EXPECT_EQ((*secrets)[SecretName::kBybitApiKey].source, SecretSource::kEnvironment);
  EXPECT_TRUE((*secrets)[SecretName::kBybitApiSecret].value.empty());
  EXPECT_EQ((*secrets)[SecretName::kBybitApiSecret].source, SecretSource::kUnset);
  EXPECT_EQ(secrets->file, "");
}

TEST_F(SecretsFileTest, EnvironmentWinsOverTheFile) {
  Config config = config_for(Mode::kLive);
  config.engine.secrets_file = write_file(
      "# exchange keys\n"
      "KIMP_UPBIT_ACCESS_KEY=file-upbit-access\n"
      "  KIMP_UPBIT_SECRET_KEY = \"file-upbit-secret\"  \n"
      "\n"
      "KIMP_BYBIT_API_KEY='file-bybit-key'\n"
      "KIMP_OPS_TOKEN=\n",
      kOwnerReadWrite);
  const Result<Secrets> secrets =
      load_secrets(config, fake_env({{"KIMP_UPBIT_ACCESS_KEY", "env-upbit-access"}}));
  ASSERT_TRUE(secrets) << secrets.error();
  EXPECT_EQ((*secrets)[SecretName::kUpbitAccessKey].value.reveal(), "env-upbit-access");
  EXPECT_EQ((*secrets)[SecretName::kUpbitAccessKey].source, SecretSource::kEnvironment);
  EXPECT_EQ((*secrets)[SecretName::kUpbitSecretKey].value.reveal(), "file-upbit-secret");
  EXPECT_EQ((*secrets)[SecretName::kUpbitSecretKey].source, SecretSource::kFile);
  EXPECT_EQ((*secrets)[SecretName::kBybitApiKey].value.reveal(), "file-bybit-key");
  EXPECT_EQ((*secrets)[SecretName::kBybitApiSecret].source, SecretSource::kUnset);
  EXPECT_EQ((*secrets)[SecretName::kOpsToken].source, SecretSource::kUnset);
  EXPECT_EQ(secrets->file, *config.engine.secrets_file);
}

TEST_F(SecretsFileTest, SecretsFileFromEnvironment_OverridesEngineSecretsFile) {
  Config config = config_for(Mode::kSimulation);
  config.engine.secrets_file = (dir_ / "absent.env").string();
  const std::string path = write_file("KIMP_OPS_TOKEN=ops-token-1\n", fs::perms::owner_read);
  const Result<Secrets> secrets = load_secrets(config, fake_env({{"KIMP_SECRETS_FILE", path}}));
  ASSERT_TRUE(secrets) << secrets.error();
  EXPECT_EQ((*secrets)[SecretName::kOpsToken].value.reveal(), "ops-token-1");
  EXPECT_EQ(secrets->file, path);
}

TEST_F(SecretsFileTest, FileReadableByOthers_IsRefusedWithItsModeAndTheFix) {
  Config config = config_for(Mode::kLive);
  const std::string path = write_file("KIMP_BYBIT_API_KEY=abcdef\n",
                                      kOwnerReadWrite | fs::perms::group_read | fs::perms::others_read);
  config.engine.secrets_file = path;
  const Result<Secrets> secrets = load_secrets(config, fake_env({}));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(secrets.error().message,
            fmt::format("secrets file {} has mode 0644, so other users can access it; run `chmod 600 {}`",
                        path, path));
}

TEST_F(SecretsFileTest, FileWritableByGroup_IsRefused) {
  Config config = config_for(Mode::kLive);
  const std::string path =
      write_file("KIMP_BYBIT_API_KEY=abcdef\n", kOwnerReadWrite | fs::perms::group_write);
  config.engine.secrets_file = path;
  const Result<Secrets> secrets = load_secrets(config, fake_env({}));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().message,
            fmt::format("secrets file {} has mode 0620, so other users can access it; run `chmod 600 {}`",
                        path, path));
}

TEST_F(SecretsFileTest, MissingFile_IsAFailedPreconditionNamingIt) {
  Config config = config_for(Mode::kLive);
  config.engine.secrets_file = (dir_ / "absent.env").string();
  const Result<Secrets> secrets = load_secrets(config, fake_env({}));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(secrets.error().message, fmt::format("cannot read secrets file {}: No such file or directory",
                                                 *config.engine.secrets_file));
}

TEST_F(SecretsFileTest, DirectoryInsteadOfFile_IsRefused) {
  Config config = config_for(Mode::kLive);
  config.engine.secrets_file = dir_.string();
  const Result<Secrets> secrets = load_secrets(config, fake_env({}));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().message, fmt::format("secrets file {} is not a regular file", dir_.string()));
}

TEST_F(SecretsFileTest, ReadErrorPartWay_IsReportedNotTakenForTheEndOfTheFile) {
  // /proc/self/mem is a private regular file whose first read fails (EIO): a stand-in for a disk error.
  Config config = config_for(Mode::kLive);
  config.engine.secrets_file = "/proc/self/mem";
  const Result<Secrets> secrets = load_secrets(config, fake_env({}));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(secrets.error().message, "cannot read secrets file /proc/self/mem: read error");
}

TEST_F(SecretsFileTest, MalformedLines_AreReportedByLineWithoutTheirContent) {
  Config config = config_for(Mode::kLive);
  const std::vector<std::pair<std::string, std::string>> cases{
      {"KIMP_OPS_TOKEN=ok-token\nsk-live-pasted-without-name\n", "{}:2: expected NAME=value"},
      {"KIMP_BYBIT_APIKEY=sk-value\n",
       "{}:1: unknown secret name \"KIMP_BYBIT_APIKEY\"; known names: KIMP_UPBIT_ACCESS_KEY, "
       "KIMP_UPBIT_SECRET_KEY, "
       "KIMP_BYBIT_API_KEY, KIMP_BYBIT_API_SECRET, KIMP_TELEGRAM_BOT_TOKEN, KIMP_OPS_TOKEN, "
       "KIMP_POSTGRES_PASSWORD"},
      {"KIMP_OPS_TOKEN=first-value\n# again\nKIMP_OPS_TOKEN=second-value\n",
       "{}:3: KIMP_OPS_TOKEN is set twice"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string path = write_file(text, kOwnerReadWrite);
    config.engine.secrets_file = path;
    const Result<Secrets> secrets = load_secrets(config, fake_env({}));
    ASSERT_FALSE(secrets) << text;
    EXPECT_EQ(secrets.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(secrets.error().message, fmt::format(fmt::runtime(expected), path));
  }
}

TEST_F(SecretsFileTest, SecretPastedWithoutName_NoPartOfItAppearsInTheError) {
  Config config = config_for(Mode::kLive);
  constexpr std::string_view kSecret = "c2VjcmV0LXZhbHVlLXRvcHNlY3JldA==";
  for (const std::string& line : {std::string(kSecret), fmt::format("kimp_ops_token{}", kSecret)}) {
    const std::string path = write_file(fmt::format("KIMP_OPS_TOKEN=ok-token\n{}\n", line), kOwnerReadWrite);
    config.engine.secrets_file = path;
    const Result<Secrets> secrets = load_secrets(config, fake_env({}));
    ASSERT_FALSE(secrets);
    EXPECT_EQ(secrets.error().code, ErrorCode::kInvalidArgument);
    const std::string& message = secrets.error().message;
    EXPECT_EQ(message, fmt::format("{}:2: unknown or malformed secret name (not shown); known names: "
                                   "KIMP_UPBIT_ACCESS_KEY, KIMP_UPBIT_SECRET_KEY, KIMP_BYBIT_API_KEY, "
                                   "KIMP_BYBIT_API_SECRET, KIMP_TELEGRAM_BOT_TOKEN, KIMP_OPS_TOKEN, "
                                   "KIMP_POSTGRES_PASSWORD",
                                   path));
    for (std::size_t at = 0; at + 4 <= kSecret.size(); ++at) {
      EXPECT_EQ(message.find(kSecret.substr(at, 4)), std::string::npos) << kSecret.substr(at, 4);
    }
  }
}

TEST(LoadSecrets, EveryLoadedSecret_IsRedactedFromLogLines) {
  std::ostringstream out;
  log::init(log::Format::kHuman, spdlog::level::info,
            std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true));
  const Result<Secrets> secrets = load_secrets(
      config_for(Mode::kSimulation), fake_env({{"KIMP_TELEGRAM_BOT_TOKEN", "123456:telegram-token-xyz"}}));
  ASSERT_TRUE(secrets) << secrets.error();
  log::Logger("config").info("sending with 123456:telegram-token-xyz",
                             {{"token", "123456:telegram-token-xyz"}});
  log::init(log::Format::kHuman, spdlog::level::info);
  const std::string line = out.str();
  EXPECT_EQ(line.find("telegram-token-xyz"), std::string::npos) << line;
  EXPECT_NE(line.find("sending with ***"), std::string::npos) << line;
}

Secrets secrets_with(std::initializer_list<SecretName> names) {
  Secrets secrets;
  for (SecretName name : names) {
    secrets[name] = {SecretString(fmt::format("value-of-{}", env_name(name))), SecretSource::kEnvironment};
  }
  return secrets;
}

TEST(RequireSecrets, LiveModeWithoutExchangeKeys_NamesEveryMissingVariable) {
  const Status status = require_secrets(config_for(Mode::kLive), secrets_with({SecretName::kBybitApiKey}));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(
      status.error().message,
      "missing secrets (live mode: KIMP_UPBIT_ACCESS_KEY, KIMP_UPBIT_SECRET_KEY, KIMP_BYBIT_API_SECRET); set "
      "them in the environment or in the secrets file (engine.secrets_file or KIMP_SECRETS_FILE)");
}

TEST(RequireSecrets, PaperModeNeedsOnlyBybitKeys) {
  EXPECT_TRUE(require_secrets(config_for(Mode::kPaper),
                              secrets_with({SecretName::kBybitApiKey, SecretName::kBybitApiSecret})));
  const Status status =
      require_secrets(config_for(Mode::kPaper), secrets_with({SecretName::kUpbitAccessKey}));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "missing secrets (paper mode: KIMP_BYBIT_API_KEY, KIMP_BYBIT_API_SECRET); set them in the "
            "environment or "
            "in the secrets file (engine.secrets_file or KIMP_SECRETS_FILE)");
}

TEST(RequireSecrets, SimulationNeedsNothingUntilTelegramOrPublicOpsAreOn) {
  Config config = config_for(Mode::kSimulation);
  EXPECT_TRUE(require_secrets(config, Secrets{}));
  config.alerts.telegram_enabled = true;
  config.ops.http_bind = "0.0.0.0";
  const Status status = require_secrets(config, Secrets{});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "missing secrets (Telegram alerts: KIMP_TELEGRAM_BOT_TOKEN; ops HTTP on 0.0.0.0: "
            "KIMP_OPS_TOKEN); set them "
            "in the environment or in the secrets file (engine.secrets_file or KIMP_SECRETS_FILE)");
  config.ops.http_bind = "::1";
  config.alerts.telegram_enabled = false;
  EXPECT_TRUE(require_secrets(config, Secrets{}));
}

TEST(RequireSecrets, LiveModeWithAllKeys_Passes) {
  EXPECT_TRUE(require_secrets(config_for(Mode::kLive),
                              secrets_with({SecretName::kUpbitAccessKey, SecretName::kUpbitSecretKey,
                                            SecretName::kBybitApiKey, SecretName::kBybitApiSecret})));
}

TEST(RenderWithSecrets, ShowsWhetherEachSecretIsSetAndWhereFromButNoValue) {
  Secrets secrets = secrets_with({SecretName::kBybitApiKey});
  secrets.file = "/etc/kimp/secrets.env";
  secrets[SecretName::kBybitApiSecret] = {SecretString("file-secret-value"), SecretSource::kFile};
  const std::string rendered = render_config(config_for(Mode::kPaper), secrets);
  EXPECT_TRUE(
      rendered.starts_with("# Secrets (values are never shown):\n"
                           "#   KIMP_UPBIT_ACCESS_KEY: not set\n"
                           "#   KIMP_UPBIT_SECRET_KEY: not set\n"
                           "#   KIMP_BYBIT_API_KEY: set, from the environment\n"
                           "#   KIMP_BYBIT_API_SECRET: set, from the secrets file /etc/kimp/secrets.env\n"
                           "#   KIMP_TELEGRAM_BOT_TOKEN: not set\n"
                           "#   KIMP_OPS_TOKEN: not set\n"
                           "#   KIMP_POSTGRES_PASSWORD: not set\n"
                           "\n"
                           "[engine]\n"))
      << rendered;
  EXPECT_EQ(rendered.find("value-of-"), std::string::npos);
  EXPECT_EQ(rendered.find("file-secret-value"), std::string::npos);
  // The masked rendering is still a valid configuration: the secrets are only comments.
  EXPECT_TRUE(parse_config(rendered, "rendered.toml"));
}

}  // namespace
}  // namespace kimp::config
