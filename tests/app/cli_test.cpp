// End-to-end tests of the `kimp` binary: exit codes, problem output, and secrets that never leak.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/app/command_output.hpp"

namespace kimp {
namespace {

namespace fs = std::filesystem;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("kimp_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) const {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs kimp with exactly `env` as its environment (plus PATH), capturing both streams.
  CommandOutput run(const std::string& env, const std::string& args) const {
    return run_command_line("env -i PATH=/usr/bin:/bin " + env + " " KIMP_CLI_PATH " " + args, dir_);
  }

  fs::path dir_;
};

constexpr const char* kPaperConfig = R"([engine]
mode = "paper"
session = "cli-test"

[strategy]
coins = ["BTC", "ETH"]
)";

TEST_F(CliTest, VersionPrintsNameAndVersion) {
  const auto result = run("", "version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("kimp 0.1.0 (", 0), 0U) << result.out;
}

TEST_F(CliTest, UsageErrorsExitWith64) {
  EXPECT_EQ(run("", "").exit_code, 64);
  EXPECT_EQ(run("", "no-such-command").exit_code, 64);
  EXPECT_EQ(run("", "--log-format xml version").exit_code, 64);
}

TEST_F(CliTest, ConfigCheckPrintsEveryProblemAndExits2) {
  const auto path = write("bad.toml", "[engine]\nmode = \"demo\"\nsesion = \"x\"\n");
  const auto result = run("", "config check " + path.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path.string() + ":2:8: engine.mode: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(path.string() + ":3:1: engine.sesion: unknown key; did you mean `session`?"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("problem(s); configuration is invalid"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST_F(CliTest, ConfigCheckOfMissingFileExits2) {
  const auto result = run("", "config check " + (dir_ / "absent.toml").string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("absent.toml: cannot open"), std::string::npos) << result.err;
}

TEST_F(CliTest, PaperModeWithoutBybitKeysIsRefused) {
  const auto path = write("paper.toml", kPaperConfig);
  const auto result = run("", "config check " + path.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("KIMP_BYBIT_API_KEY"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("KIMP_BYBIT_API_SECRET"), std::string::npos) << result.err;
}

TEST_F(CliTest, SecretsFromEnvironmentAndFileNeverAppearInLogsOrPrintedConfig) {
  const std::string env_key = "bybitKeyFromEnv7Q2x";
  const std::string env_secret = "bybitSecretFromEnv9Wz4";
  const std::string file_token = "opsTokenFromFile3Kd8";
  const auto secrets_file = write("secrets.env", "KIMP_OPS_TOKEN=" + file_token + "\n");
  fs::permissions(secrets_file, fs::perms::owner_read | fs::perms::owner_write);
  const auto path = write("paper.toml", kPaperConfig);
  const std::string env = "KIMP_BYBIT_API_KEY=" + env_key + " KIMP_BYBIT_API_SECRET=" + env_secret +
                          " KIMP_SECRETS_FILE=" + secrets_file.string();

  for (const std::string format : {"human", "json"}) {
    const auto result =
        run(env, "--log-format " + format + " --log-level debug config check " + path.string() + " --print");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const auto& secret : {env_key, env_secret, file_token}) {
      EXPECT_EQ(result.out.find(secret), std::string::npos) << format << " stdout leaks " << secret;
      EXPECT_EQ(result.err.find(secret), std::string::npos) << format << " log leaks " << secret;
    }
    // The secrets were really loaded: the log and the printout say so without showing them.
    EXPECT_NE(result.err.find("KIMP_BYBIT_API_KEY"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("***"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find("KIMP_BYBIT_API_KEY"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("KIMP_OPS_TOKEN"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("mode = \"paper\""), std::string::npos) << result.out;
  }
}

TEST_F(CliTest, SecretsFileReadableByOthersIsRefused) {
  const auto secrets_file =
      write("secrets.env", "KIMP_BYBIT_API_KEY=abcdefgh\nKIMP_BYBIT_API_SECRET=ijklmnop\n");
  fs::permissions(secrets_file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                    fs::perms::others_read);
  const auto path = write("paper.toml", kPaperConfig);
  const auto result = run("KIMP_SECRETS_FILE=" + secrets_file.string(), "config check " + path.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("chmod 600"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("abcdefgh"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace kimp
