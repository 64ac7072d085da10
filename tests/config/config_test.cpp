// Tests of configuration loading: example configs, defaults, exact decimals, rendering, and the
// corpus of malformed files under tests/config/bad/ with the exact problems each must produce.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/render.hpp"

namespace kimp::config {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir{KIMP_SOURCE_DIR};
const fs::path kBadDir = kSourceDir / "tests" / "config" / "bad";

constexpr std::string_view kMinimal = R"(
[engine]
mode = "simulation"
session = "unit"

[strategy]
coins = ["BTC"]
)";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Config parse_ok(std::string_view text) {
  ConfigResult result = parse_config(text, "unit.toml");
  if (!result) {
    ADD_FAILURE() << render_problems(result.error());
    return {};
  }
  return *std::move(result);
}

std::string problems_of(std::string_view text) {
  const ConfigResult result = parse_config(text, "unit.toml");
  return result ? std::string("(no problems)") : render_problems(result.error());
}

TEST(ExampleConfigs, DemoLoadsAsSimulationAgainstTheLocalEmulator) {
  const ConfigResult result = load_config(kSourceDir / "config" / "demo.toml");
  ASSERT_TRUE(result) << render_problems(result.error());
  const Config& config = *result;
  EXPECT_EQ(config.engine.mode, Mode::kSimulation);
  EXPECT_EQ(config.engine.bar_interval, std::chrono::seconds{2});
  EXPECT_EQ(config.strategy.coins, (std::vector<std::string>{"BTC", "ETH", "SOL", "XRP", "DOGE"}));
  EXPECT_EQ(config.venues.upbit.rest_url, "http://127.0.0.1:18101");
  EXPECT_EQ(config.venues.bybit.ws_public_url, "ws://127.0.0.1:18102/v5/public/linear");
  EXPECT_EQ(config.venues.fx.rest_url, "http://127.0.0.1:18103");
  EXPECT_EQ(config.storage.url, "sqlite:var/demo/kimp.sqlite");
}

TEST(ExampleConfigs, SimulationLoadsAgainstMainnetPublicFeeds) {
  const ConfigResult result = load_config(kSourceDir / "config" / "simulation.toml");
  ASSERT_TRUE(result) << render_problems(result.error());
  EXPECT_EQ(result->engine.mode, Mode::kSimulation);
  EXPECT_EQ(result->venues.bybit.rest_url, "https://api.bybit.com");
  EXPECT_TRUE(result->strategy.coin_selection.enabled);
  EXPECT_EQ(result->strategy.coin_selection.min_turnover_24h_krw, 10'000'000'000);
}

TEST(ExampleConfigs, LiveExampleLoadsAsLiveOnMainnet) {
  const ConfigResult result = load_config(kSourceDir / "config" / "live.example.toml");
  ASSERT_TRUE(result) << render_problems(result.error());
  EXPECT_EQ(result->engine.mode, Mode::kLive);
  EXPECT_EQ(result->engine.secrets_file, "/etc/kimp/secrets.env");
  EXPECT_EQ(result->venues.bybit.ws_private_url, "wss://stream.bybit.com/v5/private");
  EXPECT_EQ(result->risk.max_daily_loss_usdt, decimal_literal(100));
}

TEST(Load, MinimalFile_EveryOtherKeyTakesItsDefault) {
  const Config config = parse_ok(kMinimal);
  Config expected;
  expected.engine.session = "unit";
  expected.strategy.coins = {"BTC"};
  expected.storage.url = "sqlite:var/kimp.sqlite";
  expected.storage.spill_journal = "var/kimp.spill";
  expected.archive.dir = "var/archive";
  expected.ops.evidence_dir = "var/evidence";
  EXPECT_EQ(config, expected);
  EXPECT_EQ(config.runtime.reconcile_interval, std::chrono::seconds{60});
  EXPECT_EQ(config.runtime.reconcile_busy_interval, std::chrono::seconds{120});
  EXPECT_EQ(config.risk.fx_stale_after, std::chrono::minutes{30});
  EXPECT_EQ(config.risk.fx_jump_pct.to_string(), "0.5");
  EXPECT_EQ(config.venues.upbit.rate_limits.order, 6);
}

TEST(Load, DataDir_MovesEveryDerivedPathUnlessGiven) {
  const Config config = parse_ok(R"(
[engine]
mode = "simulation"
session = "unit"
data_dir = "/srv/kimp/"

[strategy]
coins = ["BTC"]

[archive]
dir = "/mnt/archive"
)");
  EXPECT_EQ(config.storage.url, "sqlite:/srv/kimp/kimp.sqlite");
  EXPECT_EQ(config.archive.dir, "/mnt/archive");
  EXPECT_EQ(config.ops.evidence_dir, "/srv/kimp/evidence");
}

TEST(Load, PaperMode_BybitUrlsDefaultToTestnet) {
  const Config config = parse_ok(R"(
[engine]
mode = "paper"
session = "unit"

[venues.bybit]
ws_private_url = "ws://127.0.0.1:18102/v5/private"

[strategy]
coins = ["BTC"]
)");
  EXPECT_EQ(config.venues.bybit.rest_url, "https://api-testnet.bybit.com");
  EXPECT_EQ(config.venues.bybit.ws_public_url, "wss://stream-testnet.bybit.com/v5/public/linear");
  EXPECT_EQ(config.venues.bybit.ws_private_url, "ws://127.0.0.1:18102/v5/private");
}

TEST(Load, EdgeValuesInsideTheirRules_AreAccepted) {
  const Config config = parse_ok(R"(
[engine]
mode = "simulation"
session = "unit"

[strategy]
coins = ["BTC"]
upbit_fee_pct = 0
cooldown_sec = 0

[storage]
url = "postgresql://kimp@db.internal:5432/kimp?sslmode=require"

[alerts]
telegram_enabled = true
telegram_chat_id = "@kimp_alerts"

[ops]
http_bind = "::1"
http_port = 0
)");
  EXPECT_TRUE(config.strategy.upbit_fee_pct.is_zero());
  EXPECT_EQ(config.storage.url, "postgresql://kimp@db.internal:5432/kimp?sslmode=require");
  EXPECT_EQ(config.alerts.telegram_chat_id, "@kimp_alerts");
  EXPECT_EQ(config.ops.http_bind, "::1");
  EXPECT_EQ(config.ops.http_port, 0);
}

TEST(Load, LiveModeAgainstTheEmulator_IsAccepted) {
  const Config config = parse_ok(R"(
[engine]
mode = "live"
session = "unit"

[venues.bybit]
rest_url = "http://127.0.0.1:18102"

[strategy]
coins = ["BTC"]
)");
  EXPECT_EQ(config.engine.mode, Mode::kLive);
}

TEST(Load, MoneyFromFloatsIntegersAndStrings_IsExactToTheLastDigit) {
  const Config config = parse_ok(R"(
[engine]
mode = "simulation"
session = "unit"

[strategy]
coins = ["BTC"]
max_position_usdt = 0.1
upbit_fee_pct = "0.00000001"
min_profit_pct = 1_0.000_5

[risk]
max_daily_loss_usdt = 12345678901.23456789
max_drawdown_usdt = 300
)");
  EXPECT_EQ(config.strategy.max_position_usdt.units(), 10'000'000);
  EXPECT_EQ(config.strategy.upbit_fee_pct.units(), 1);
  EXPECT_EQ(config.strategy.min_profit_pct.to_string(), "10.0005");
  // A double cannot hold this value; reading the source digits keeps every one of them.
  EXPECT_EQ(config.risk.max_daily_loss_usdt.to_string(), "12345678901.23456789");
  EXPECT_EQ(config.risk.max_drawdown_usdt, decimal_literal(300));
}

TEST(Load, ValuesAfterNonAsciiText_AreReadFromTheRightColumns) {
  // toml++ counts columns in code points; the numbers are re-read from the source after 3 Hangul
  // syllables (9 bytes), so byte and code point offsets differ.
  const std::string text = problems_of(
      R"(strategy = { coins = ["라이브"], max_position_usdt = 0.123456789, order_timeout_sec = 1.5 }
[engine]
mode = "simulation"
session = "unit"
)");
  EXPECT_EQ(text,
            "unit.toml:1:23: strategy.coins[0]: \"라이브\" is not a coin symbol: use 1 to 10 upper-case "
            "letters or digits, as Upbit lists it\n"
            "unit.toml:1:51: strategy.max_position_usdt: more than 8 fractional digits, not exact: "
            "\"0.123456789\"\n"
            "unit.toml:1:84: strategy.order_timeout_sec: must be a whole number written as an integer (no "
            "fraction or exponent), got 1.5\n");
}

TEST(Load, TurnoverBeyondDecimalRange_IsReadAsWholeKrw) {
  const Config config =
      parse_ok(std::string(kMinimal) + "[strategy.coin_selection]\nmin_turnover_24h_krw = 100_000_000_000\n");
  EXPECT_EQ(config.strategy.coin_selection.min_turnover_24h_krw, 100'000'000'000);
  EXPECT_NE(render_config(config).find("\nmin_turnover_24h_krw = 100000000000\n"), std::string::npos);
}

TEST(Load, CoinOfTheLongestClientOrderIdLength_IsAccepted) {
  const Config config = parse_ok(R"(
[engine]
mode = "simulation"
session = "unit"

[strategy]
coins = ["ABCDEFGH10"]
)");
  EXPECT_EQ(config.strategy.coins, (std::vector<std::string>{"ABCDEFGH10"}));
}

TEST(Load, PaperModeBybitTestnetOrLoopbackHosts_AreAcceptedInAnyCaseAndWithTrailingDot) {
  const Config config = parse_ok(R"(
[engine]
mode = "paper"
session = "unit"

[venues.upbit]
rest_url = "http://localhost.:18101"
ws_public_url = "ws://[::1]:18101/websocket/v1"
ws_private_url = "ws://127.0.0.2:18101/websocket/v1/private"

[venues.bybit]
rest_url = "https://API-TESTNET.Bybit.com./"
ws_public_url = "wss://stream-testnet.bybit.com./v5/public/linear"
ws_private_url = "wss://api-testnet.manepa.jp/v5/private"

[strategy]
coins = ["BTC"]
)");
  EXPECT_EQ(config.venues.bybit.rest_url, "https://API-TESTNET.Bybit.com./");
  EXPECT_EQ(config.venues.upbit.rest_url, "http://localhost.:18101");
}

TEST(Load, TelegramApiOverPlainHttpToLoopback_IsAccepted) {
  const Config config =
      parse_ok(std::string(kMinimal) + "[alerts]\ntelegram_api_url = \"http://127.0.0.1:18104\"\n");
  EXPECT_EQ(config.alerts.telegram_api_url, "http://127.0.0.1:18104");
}

TEST(Load, ExecutionModeEqualToEngineMode_IsAccepted) {
  const Config config = parse_ok(std::string(kMinimal) + "execution_mode = \"simulation\"\n");
  EXPECT_EQ(config.strategy.execution_mode, Mode::kSimulation);
}

TEST(Load, CoinSelectionWithoutCoinList_IsAccepted) {
  const Config config = parse_ok(R"(
[engine]
mode = "simulation"
session = "unit"

[strategy.coin_selection]
enabled = true
)");
  EXPECT_TRUE(config.strategy.coins.empty());
  EXPECT_TRUE(config.strategy.coin_selection.enabled);
}

TEST(Load, BarIntervals_DividingADayAreAccepted) {
  for (const auto& [text, seconds] : std::vector<std::pair<std::string, std::int64_t>>{
           {"1s", 1}, {"90s", 90}, {"15m", 900}, {"1440m", 86'400}}) {
    const Config config =
        parse_ok(fmt::format("[engine]\nmode = \"simulation\"\nsession = \"unit\"\nbar_interval = \"{}\"\n"
                             "[strategy]\ncoins = [\"BTC\"]\n",
                             text));
    EXPECT_EQ(config.engine.bar_interval.count(), seconds) << text;
  }
}

TEST(Load, MissingFile_IsOneProblemWithoutPosition) {
  const fs::path path = kBadDir / "does_not_exist.toml";
  const ConfigResult result = load_config(path);
  ASSERT_FALSE(result);
  EXPECT_EQ(render_problems(result.error()), path.string() + ": cannot open: No such file or directory\n");
}

TEST(Load, DirectoryInsteadOfFile_IsOneProblemWithoutPosition) {
  const ConfigResult result = load_config(kBadDir);
  ASSERT_FALSE(result);
  EXPECT_EQ(render_problems(result.error()), kBadDir.string() + ": not a regular file\n");
}

TEST(Load, ReadErrorAfterOpening_IsOneProblemWithoutPosition) {
  // A regular file whose first read fails: offset 0 of a process's memory is never mapped.
  const ConfigResult result = load_config("/proc/self/mem");
  ASSERT_FALSE(result);
  EXPECT_EQ(render_problems(result.error()), "/proc/self/mem: cannot read: Input/output error\n");
}

TEST(Load, ProblemsAcrossSections_AreAllReportedInFileOrder) {
  const std::string text = problems_of(R"(
[ops]
http_port = -1

[engine]
mode = "simulation"
session = "unit"
bogus = 1

[strategy]
coins = ["BTC"]
)");
  EXPECT_EQ(text,
            "unit.toml:3:13: ops.http_port: must be between 0 and 65535, got -1\n"
            "unit.toml:8:1: engine.bogus: unknown key\n");
}

TEST(ConfigProblem, ToString_LeavesOutEmptyKeyAndMissingPosition) {
  EXPECT_EQ((ConfigProblem{"a.toml", 3, 7, "risk.max_daily_loss_usdt", "must be greater than 0, got 0"}
                 .to_string()),
            "a.toml:3:7: risk.max_daily_loss_usdt: must be greater than 0, got 0");
  EXPECT_EQ((ConfigProblem{"a.toml", 2, 1, "", "TOML syntax error: x"}.to_string()),
            "a.toml:2:1: TOML syntax error: x");
  EXPECT_EQ((ConfigProblem{"a.toml", 0, 0, "", "cannot open: denied"}.to_string()),
            "a.toml: cannot open: denied");
}

TEST(Render, EveryExampleConfig_ReadsBackToAnEqualConfig) {
  for (const char* name : {"demo.toml", "simulation.toml", "live.example.toml"}) {
    const ConfigResult original = load_config(kSourceDir / "config" / name);
    ASSERT_TRUE(original) << name;
    const std::string rendered = render_config(*original);
    const ConfigResult again = parse_config(rendered, "rendered.toml");
    ASSERT_TRUE(again) << name << "\n" << render_problems(again.error()) << rendered;
    EXPECT_EQ(*again, *original) << name << "\n" << rendered;
  }
}

TEST(Render, MinimalConfig_ShowsDefaultsInSchemaOrder) {
  const std::string rendered = render_config(parse_ok(kMinimal));
  EXPECT_TRUE(
      rendered.starts_with("[engine]\n"
                           "mode = \"simulation\"\n"
                           "session = \"unit\"\n"
                           "data_dir = \"var\"\n"
                           "bar_interval = \"1m\"\n"
                           "\n"
                           "[venues.upbit]\n"
                           "rest_url = \"https://api.upbit.com\"\n"))
      << rendered;
  EXPECT_NE(
      rendered.find("\n[venues.upbit.rate_limits]\norder = 6\ndefault = 24\nquotation = 8\nws_connect = 4\n"),
      std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("\nentry_z = 2.0\nexit_z = 0.0\n"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("\nmax_slippage_pct = 0.1\n"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("\nheartbeat_interval_sec = 60\n"), std::string::npos) << rendered;
  // Optional keys that were not given are left out rather than invented.
  EXPECT_EQ(rendered.find("secrets_file"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("execution_mode"), std::string::npos) << rendered;
}

// One case per tests/config/bad/NAME.toml: loading it must produce exactly NAME.expected, where
// {file} stands for the path the file was loaded from.
class BadConfig : public testing::TestWithParam<std::string> {};

std::vector<std::string> bad_config_names() {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".toml") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_P(BadConfig, ProducesExactlyTheExpectedProblems) {
  const fs::path path = kBadDir / (GetParam() + ".toml");
  const ConfigResult result = load_config(path);
  ASSERT_FALSE(result) << "loaded without problems";
  std::string expected = read_text(kBadDir / (GetParam() + ".expected"));
  for (std::size_t at = expected.find("{file}"); at != std::string::npos; at = expected.find("{file}", at)) {
    expected.replace(at, 6, path.string());
    at += path.string().size();
  }
  EXPECT_EQ(render_problems(result.error()), expected);
}

TEST(BadConfig, CorpusHasAtLeastThirtyCasesEachWithExpectedText) {
  const std::vector<std::string> names = bad_config_names();
  EXPECT_GE(names.size(), 30U);
  for (const std::string& name : names) {
    EXPECT_TRUE(fs::exists(kBadDir / (name + ".expected"))) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadConfig, testing::ValuesIn(bad_config_names()),
                         [](const testing::TestParamInfo<std::string>& case_info) {
                           return case_info.param;
                         });

}  // namespace
}  // namespace kimp::config
