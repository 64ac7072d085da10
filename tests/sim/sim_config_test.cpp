// Tests of the emulator's configuration: the shipped scenario, defaults, accounts as arrays of tables, and
// malformed files with the exact problem each must produce.
#include "sim/config/sim_config.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/problem.hpp"

namespace kimp::sim {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir{KIMP_SOURCE_DIR};
const std::string kCapture =
    (kSourceDir / ".." / "shared" / "data" / "capture" / "bybit_v5_public_ws_2026-08-09.jsonl").string();
const std::string kCandles =
    (kSourceDir / ".." / "shared" / "data" / "candles" / "upbit_KRW-BTC_5m_2025-05-28_2025-08-23.csv")
        .string();

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

std::string problems_of(std::string_view text) {
  const SimConfigResult result = parse_sim_config(text, "sim.toml");
  return result ? std::string("(no problems)") : config::render_problems(result.error());
}

// A six-line account block whose keys are distinct from another block made with a different `tag`; its
// name is `tag` unless given.
std::string account(std::string_view tag, std::string_view name = {}) {
  return fmt::format(
      "[[accounts]]\n"
      "name = \"{1}\"\n"
      "upbit_access_key = \"{0}-access\"\n"
      "upbit_secret_key = \"{0}-secret\"\n"
      "bybit_api_key = \"{0}-api\"\n"
      "bybit_api_secret = \"{0}-api-secret\"\n",
      tag, name.empty() ? tag : name);
}

TEST(SimConfigScenario, DefaultScenarioLoadsWithItsDocumentedValues) {
  const SimConfigResult result = load_sim_config(kSourceDir / "sim" / "scenarios" / "default.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  const SimConfig& sim = *result;

  EXPECT_EQ(sim.server.address, "127.0.0.1");
  EXPECT_EQ(sim.server.upbit_port, 18101);
  EXPECT_EQ(sim.server.bybit_port, 18102);
  EXPECT_EQ(sim.server.fx_port, 18103);
  EXPECT_EQ(sim.server.admin_port, 18104);
  EXPECT_EQ(sim.market.mode, MarketMode::kSynthetic);
  EXPECT_EQ(sim.market.seed, 42U);
  EXPECT_EQ(sim.market.coins, (std::vector<std::string>{"BTC", "ETH", "SOL", "XRP", "DOGE"}));
  EXPECT_EQ(sim.market.premium_mean_pct, dec("2"));
  EXPECT_EQ(sim.market.premium_daily_sigma_pct, dec("1"));
  EXPECT_EQ(sim.market.premium_half_life, std::chrono::seconds{7200});
  EXPECT_EQ(sim.market.usd_krw_start, dec("1380"));
  EXPECT_EQ(sim.market.tether_premium_pct, dec("1"));
  EXPECT_EQ(sim.market.book_levels, 30);
  EXPECT_EQ(sim.market.step, std::chrono::milliseconds{100});
  EXPECT_EQ(sim.market.replay_bybit_capture, "");
  EXPECT_EQ(sim.market.replay_upbit_candles, "");
  EXPECT_EQ(sim.fees.upbit_pct, dec("0.05"));
  EXPECT_EQ(sim.fees.bybit_taker_pct, dec("0.055"));
  EXPECT_EQ(sim.fees.bybit_maker_pct, dec("0.02"));
  EXPECT_EQ(sim.rate_limits.upbit_order, 8);
  EXPECT_EQ(sim.rate_limits.upbit_default, 30);
  EXPECT_EQ(sim.rate_limits.upbit_quotation, 10);
  EXPECT_EQ(sim.rate_limits.bybit_public, 120);
  EXPECT_EQ(sim.rate_limits.bybit_private, 10);

  ASSERT_EQ(sim.accounts.size(), 1U);
  const AccountConfig& demo = sim.accounts[0];
  EXPECT_EQ(demo.name, "demo");
  EXPECT_EQ(demo.upbit_access_key, "demo-upbit-access-key");
  EXPECT_EQ(demo.upbit_secret_key, "demo-upbit-secret-key");
  EXPECT_EQ(demo.bybit_api_key, "demo-bybit-api-key");
  EXPECT_EQ(demo.bybit_api_secret, "demo-bybit-api-secret");
  EXPECT_EQ(demo.krw, dec("100000000"));
  EXPECT_EQ(demo.usdt, dec("100000"));
  EXPECT_EQ(demo.coins, (std::map<std::string, Decimal>{{"BTC", dec("0.5")}}));
}

TEST(SimConfigScenario, DefaultScenarioStatesTheBuiltInDefaults) {
  SimConfigResult result = load_sim_config(kSourceDir / "sim" / "scenarios" / "default.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  result->accounts.clear();
  EXPECT_EQ(*result, SimConfig{});
}

TEST(SimConfigDefaults, EmptyFile_GivesDefaultsAndNoAccounts) {
  const SimConfigResult result = parse_sim_config("", "sim.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  EXPECT_EQ(*result, SimConfig{});
  EXPECT_TRUE(result->accounts.empty());
}

TEST(SimConfigValues, ExactDecimalsAndIpv6LoopbackAndPickedPorts) {
  const SimConfigResult result = parse_sim_config(R"([server]
address = "::1"
upbit_port = 0
bybit_port = 0
fx_port = 0
admin_port = 0
[market]
mode = "replay"
premium_mean_pct = -0.12345678
usd_krw_start = "1391.55"
replay_bybit_capture = ")" + kCapture + R"("
replay_upbit_candles = ")" + kCandles + R"("
[fees]
bybit_maker_pct = 0
)",
                                                  "sim.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  EXPECT_EQ(result->server.address, "::1");
  EXPECT_EQ(result->server.upbit_port, 0);
  EXPECT_EQ(result->server.admin_port, 0);
  EXPECT_EQ(result->market.mode, MarketMode::kReplay);
  EXPECT_EQ(result->market.premium_mean_pct, dec("-0.12345678"));
  EXPECT_EQ(result->market.usd_krw_start, dec("1391.55"));
  EXPECT_EQ(result->market.replay_bybit_capture, kCapture);
  EXPECT_EQ(result->fees.bybit_maker_pct, dec("0"));
}

TEST(SimConfigValues, StreamSpeedAndFaults_AreReadWithTheirUnits) {
  const SimConfigResult result = parse_sim_config(R"([streams]
speed = 2.5
[faults]
seed = 9
[[faults.websocket]]
venue = "upbit"
disconnect_every_s = 20
[faults.market]
fx_down = true
)",
                                                  "sim.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  EXPECT_EQ(result->streams.speed, 2.5);
  EXPECT_EQ(result->faults.seed, 9U);
  ASSERT_EQ(result->faults.websocket.size(), 1U);
  EXPECT_EQ(result->faults.websocket[0].venue, FaultVenue::kUpbit);
  EXPECT_EQ(result->faults.websocket[0].stream, "*");
  EXPECT_EQ(result->faults.websocket[0].disconnect_every, std::chrono::seconds(20));
  EXPECT_TRUE(result->faults.market.fx_down);
}

TEST(SimConfigAccounts, SeveralAccounts_ReadInFileOrderWithTheirCoins) {
  const SimConfigResult result = parse_sim_config(account("alice") +
                                                      "krw = 5000\n[accounts.coins]\nBTC = 0.25\n"
                                                      "XRP = 100\n" +
                                                      account("bob") + "usdt = 12.5\n",
                                                  "sim.toml");
  ASSERT_TRUE(result) << config::render_problems(result.error());
  ASSERT_EQ(result->accounts.size(), 2U);
  EXPECT_EQ(result->accounts[0].name, "alice");
  EXPECT_EQ(result->accounts[0].krw, dec("5000"));
  EXPECT_EQ(result->accounts[0].usdt, dec("0"));
  EXPECT_EQ(result->accounts[0].coins,
            (std::map<std::string, Decimal>{{"BTC", dec("0.25")}, {"XRP", dec("100")}}));
  EXPECT_EQ(result->accounts[1].name, "bob");
  EXPECT_EQ(result->accounts[1].bybit_api_key, "bob-api");
  EXPECT_EQ(result->accounts[1].usdt, dec("12.5"));
  EXPECT_TRUE(result->accounts[1].coins.empty());
}

TEST(SimConfigAccounts, ProblemInSecondAccount_NamedByIndexAtItsLineAndColumn) {
  // Line 9 (after a blank line) is the second account's name; its value starts at column 8.
  const std::string text = account("alice") + "\n" + account("bob") + "extra = 1\n" + account("carol");
  std::string broken = text;
  broken.replace(broken.find("\"bob\""), 5, "\"b o b\"");
  EXPECT_EQ(problems_of(broken),
            "sim.toml:9:8: accounts[1].name: must be 1 to 64 characters from A-Z a-z 0-9 _ - starting with a "
            "letter or digit, got \"b o b\"\n"
            "sim.toml:14:1: accounts[1].extra: unknown key\n");
}

TEST(SimConfigAccounts, MissingKeyInThirdAccount_ReportedAtItsHeader) {
  std::string text = account("alice") + account("bob") + account("carol");
  text.erase(text.rfind("bybit_api_secret"));
  EXPECT_EQ(problems_of(text), "sim.toml:13:1: accounts[2].bybit_api_secret: missing required key\n");
}

TEST(SimConfigFile, MissingFile_ReportedWithoutPosition) {
  const SimConfigResult result = load_sim_config("no/such/sim.toml");
  ASSERT_FALSE(result);
  EXPECT_EQ(config::render_problems(result.error()),
            "no/such/sim.toml: cannot open: No such file or directory\n");
}

struct BadCase {
  std::string name;
  std::string text;
  std::string expected;
};

void PrintTo(const BadCase& bad, std::ostream* out) {
  *out << bad.name;
}

class SimConfigBad : public testing::TestWithParam<BadCase> {};

TEST_P(SimConfigBad, ReportsExactlyTheExpectedProblems) {
  EXPECT_EQ(problems_of(GetParam().text), GetParam().expected);
}

const std::vector<BadCase> kBadCases = {
    {"UnknownKeySuggestsClosest", "[market]\nbook_level = 40\n",
     "sim.toml:2:1: market.book_level: unknown key; did you mean `book_levels`?\n"},
    {"UnknownSecretLikeKeyIsOnlyUnknown", account("a") + "upbit_secret = \"x\"\n",
     "sim.toml:7:1: accounts[0].upbit_secret: unknown key; did you mean `upbit_secret_key`?\n"},
    {"DuplicateAccountName", account("a") + account("b", "a") + "krw = 1\n" + account("c"),
     "sim.toml:8:8: accounts[1].name: \"a\" is already the name of accounts[0]\n"},
    {"DuplicateUpbitAccessKey",
     account("a") + "[[accounts]]\nname = \"b\"\nupbit_access_key = \"a-access\"\nupbit_secret_key = \"s\"\n"
                    "bybit_api_key = \"b-api\"\nbybit_api_secret = \"s\"\n",
     "sim.toml:9:20: accounts[1].upbit_access_key: already the upbit_access_key of accounts[0]\n"},
    {"DuplicateBybitApiKey",
     account("a") + "[[accounts]]\nname = \"b\"\nupbit_access_key = \"b-access\"\nupbit_secret_key = \"s\"\n"
                    "bybit_api_key = \"a-api\"\nbybit_api_secret = \"s\"\n",
     "sim.toml:11:17: accounts[1].bybit_api_key: already the bybit_api_key of accounts[0]\n"},
    {"NonLoopbackAddress", "[server]\naddress = \"0.0.0.0\"\n",
     "sim.toml:2:11: server.address: must be a loopback address (127.0.0.0/8 or ::1): the emulator never "
     "listens elsewhere, got \"0.0.0.0\"\n"},
    {"HostNameIsNotAnAddress", "[server]\naddress = \"localhost\"\n",
     "sim.toml:2:11: server.address: must be a loopback address (127.0.0.0/8 or ::1): the emulator never "
     "listens elsewhere, got \"localhost\"\n"},
    {"TooFewBookLevels", "[market]\nbook_levels = 20\n",
     "sim.toml:2:15: market.book_levels: must be between 30 and 500, got 20\n"},
    {"ReplayWithoutCapturePath", "[market]\nmode = \"replay\"\nreplay_upbit_candles = \"" + kCandles + "\"\n",
     "sim.toml:1:1: market.replay_bybit_capture: required when market.mode is \"replay\"\n"},
    {"ReplayCaptureMissingOnDisk",
     "[market]\nmode = \"replay\"\nreplay_bybit_capture = \"no/such.jsonl\"\nreplay_upbit_candles = \"" +
         kCandles + "\"\n",
     "sim.toml:3:24: market.replay_bybit_capture: \"no/such.jsonl\" is not a readable file\n"},
    {"EqualNonZeroPorts", "[server]\nupbit_port = 18200\nfx_port = 18200\n",
     "sim.toml:3:11: server.fx_port: port 18200 is already server.upbit_port; every port must differ (or be "
     "0)\n"},
    {"PortOutOfRange", "[server]\nadmin_port = 65536\n",
     "sim.toml:2:14: server.admin_port: must be between 0 and 65535, got 65536\n"},
    {"BadCoinSymbol", "[market]\ncoins = [\"BTC\", \"eth\"]\n",
     "sim.toml:2:17: market.coins[1]: \"eth\" is not a coin symbol: use 1 to 10 upper-case letters or "
     "digits, "
     "as Upbit lists it\n"},
    {"DuplicateCoin", "[market]\ncoins = [\"BTC\", \"ETH\", \"BTC\"]\n",
     "sim.toml:2:24: market.coins[2]: \"BTC\" is listed twice\n"},
    {"NoCoins", "[market]\ncoins = []\n", "sim.toml:2:9: market.coins: must list at least one coin\n"},
    {"NegativeBalance", account("a") + "krw = -1\n",
     "sim.toml:7:7: accounts[0].krw: must be at least 0, got -1\n"},
    {"AccountCoinNotListed", account("a") + "[accounts.coins]\nBTC = 1\nADA = 2\n",
     "sim.toml:9:7: accounts[0].coins.ADA: \"ADA\" is not in market.coins\n"},
    {"AccountCoinMalformedAndNegative", account("a") + "[accounts.coins]\nbtc = 1\nETH = -2\n",
     "sim.toml:8:1: accounts[0].coins.btc: \"btc\" is not a coin symbol: use 1 to 10 upper-case letters or "
     "digits, as Upbit lists it\n"
     "sim.toml:9:7: accounts[0].coins.ETH: must be at least 0, got -2\n"},
    {"WrongType", "[server]\nupbit_port = \"18101\"\n",
     "sim.toml:2:14: server.upbit_port: expected integer, got string\n"},
    {"AccountsNotTables", "accounts = 5\n",
     "sim.toml:1:12: accounts: expected array of tables, got integer\n"},
    {"AccountMissingEveryKey", "[[accounts]]\nkrw = 1\n",
     "sim.toml:1:1: accounts[0].name: missing required key\n"
     "sim.toml:1:1: accounts[0].upbit_access_key: missing required key\n"
     "sim.toml:1:1: accounts[0].upbit_secret_key: missing required key\n"
     "sim.toml:1:1: accounts[0].bybit_api_key: missing required key\n"
     "sim.toml:1:1: accounts[0].bybit_api_secret: missing required key\n"},
    {"CredentialWithSpace",
     "[[accounts]]\nname = \"a\"\nupbit_access_key = \"a b\"\nupbit_secret_key = \"s\"\n"
     "bybit_api_key = \"k\"\nbybit_api_secret = \"s\"\n",
     "sim.toml:3:20: accounts[0].upbit_access_key: must be 1 to 128 printable ASCII characters without "
     "spaces\n"},
    {"UnknownMode", "[market]\nmode = \"live\"\n",
     "sim.toml:2:8: market.mode: expected one of synthetic, replay, got \"live\"\n"},
    {"FeeAtHundredPercent", "[fees]\nupbit_pct = 100\n",
     "sim.toml:2:13: fees.upbit_pct: must be at least 0 and less than 100, got 100\n"},
    {"ZeroRateLimit", "[rate_limits]\nbybit_private = 0\n",
     "sim.toml:2:17: rate_limits.bybit_private: must be between 1 and 1000000, got 0\n"},
    {"StreamSpeedOutOfRange", "[streams]\nspeed = 0\n",
     "sim.toml:2:9: streams.speed: must be between 0.01 and 1000, got 0\n"},
    {"FaultUnknownKeySuggestsClosest", "[[faults.websocket]]\nvenue = \"bybit\"\ndrop_rat = 0.1\n",
     "sim.toml:3:1: faults.websocket[0].drop_rat: unknown key; did you mean `drop_rate`?\n"},
    {"FaultRuleWithoutVenue", "[[faults.http]]\ntimeout_rate = 0.1\n",
     "sim.toml:1:1: faults.http[0].venue: missing required key\n"},
    {"FaultUnknownVenue", "[[faults.http]]\nvenue = \"binance\"\n",
     "sim.toml:2:9: faults.http[0].venue: expected one of upbit, bybit, fx, got \"binance\"\n"},
    {"FaultRatesAboveOneAndBelowZero",
     "[[faults.http]]\nvenue = \"bybit\"\nserver_error_rate = 2\n[[faults.websocket]]\nvenue = \"upbit\"\n"
     "drop_rate = -0.5\n",
     "sim.toml:3:21: faults.http[0].server_error_rate: must be between 0 and 1, got 2\n"
     "sim.toml:6:13: faults.websocket[0].drop_rate: must be between 0 and 1, got -0.5\n"},
    {"FaultNegativeLatency", "[[faults.http]]\nvenue = \"upbit\"\nlatency_ms = -5\n",
     "sim.toml:3:14: faults.http[0].latency_ms: must be between 0 and 86400000, got -5\n"},
    {"FaultEndpointWithoutSlash", "[[faults.http]]\nvenue = \"bybit\"\nendpoint = \"v5/order/create\"\n",
     "sim.toml:3:12: faults.http[0].endpoint: must be \"*\" or a request path starting with \"/\", got "
     "\"v5/order/create\"\n"},
    {"FaultOrdersForTheFxSource", "[[faults.orders]]\nvenue = \"fx\"\noutcome = \"no_fill\"\n",
     "sim.toml:2:9: faults.orders[0].venue: must be upbit or bybit: the FX source has no orders\n"},
    {"FaultOrderWithoutOutcome", "[[faults.orders]]\nvenue = \"bybit\"\n",
     "sim.toml:1:1: faults.orders[0].outcome: missing required key\n"},
    {"FaultFieldOfAnotherOutcome",
     "[[faults.orders]]\nvenue = \"bybit\"\noutcome = \"reject\"\nreject_code = \"110007\"\nfill_ratio = "
     "0.5\n"
     "late_ms = 100\n",
     "sim.toml:5:14: faults.orders[0].fill_ratio: belongs to outcome \"partial_fill\", not \"reject\"\n"
     "sim.toml:6:11: faults.orders[0].late_ms: belongs to outcome \"late_fill\", not \"reject\"\n"},
    {"FaultRejectWithoutCode", "[[faults.orders]]\nvenue = \"upbit\"\noutcome = \"reject\"\n",
     "sim.toml:1:1: faults.orders[0].reject_code: required when outcome is \"reject\"\n"},
    {"FaultRejectCodesOfTheOtherVenue",
     "[[faults.orders]]\nvenue = \"bybit\"\noutcome = \"reject\"\nreject_code = \"insufficient_funds_bid\"\n"
     "[[faults.orders]]\nvenue = \"upbit\"\noutcome = \"reject\"\nreject_code = \"110007\"\n",
     "sim.toml:4:15: faults.orders[0].reject_code: must be a Bybit retCode such as \"110007\" (a positive "
     "integer, as a string), got \"insufficient_funds_bid\"\n"
     "sim.toml:8:15: faults.orders[1].reject_code: must be an Upbit error name such as "
     "\"insufficient_funds_bid\" (lower-case letters, digits and _), got \"110007\"\n"},
    {"FaultFillRatioOfAWholeOrder",
     "[[faults.orders]]\nvenue = \"bybit\"\noutcome = \"partial_fill\"\nfill_ratio = 1\n",
     "sim.toml:4:14: faults.orders[0].fill_ratio: must be greater than 0 and less than 1, got 1\n"},
    {"FaultOrderSymbolOfTheOtherVenueOrUnlisted",
     "[[faults.orders]]\nvenue = \"upbit\"\nsymbol = \"BTCUSDT\"\noutcome = \"no_fill\"\n"
     "[[faults.orders]]\nvenue = \"bybit\"\nsymbol = \"ADAUSDT\"\noutcome = \"no_fill\"\n",
     "sim.toml:3:10: faults.orders[0].symbol: \"BTCUSDT\" is not a upbit market of market.coins: use "
     "KRW-<coin>, KRW-USDT or \"*\"\n"
     "sim.toml:7:10: faults.orders[1].symbol: \"ADAUSDT\" is not a bybit market of market.coins: use "
     "<coin>USDT or \"*\"\n"},
    {"FaultStreamTheVenueDoesNotServe", "[[faults.websocket]]\nvenue = \"upbit\"\nstream = \"private\"\n",
     "sim.toml:3:10: faults.websocket[0].stream: upbit streams are websocket or \"*\", got \"private\"\n"},
    {"FaultWebSocketOfTheFxSource", "[[faults.websocket]]\nvenue = \"fx\"\n",
     "sim.toml:2:9: faults.websocket[0].venue: must be upbit or bybit: the FX source has no WebSocket "
     "streams\n"},
    {"FaultStallAsLongAsItsPeriod",
     "[[faults.websocket]]\nvenue = \"bybit\"\nstall_every_ms = 1000\nstall_for_ms = 1000\n",
     "sim.toml:4:16: faults.websocket[0].stall_for_ms: must be less than stall_every_ms (1000), got 1000\n"},
    {"FaultStallPeriodWithoutLength", "[[faults.websocket]]\nvenue = \"bybit\"\nstall_every_ms = 1000\n",
     "sim.toml:3:18: faults.websocket[0].stall_every_ms: needs a stall_for_ms greater than 0\n"},
    {"FaultDisconnectPeriodGivenTwice",
     "[[faults.websocket]]\nvenue = \"bybit\"\ndisconnect_every_s = 5\ndisconnect_every_ms = 5000\n",
     "sim.toml:4:23: faults.websocket[0].disconnect_every_ms: give disconnect_every_s or "
     "disconnect_every_ms, "
     "not both\n"},
    {"FaultPremiumJumpOfAnUnlistedCoinAndNoPct",
     "[market]\ncoins = [\"BTC\"]\n[[faults.market.premium_jumps]]\ncoin = \"ETH\"\n",
     "sim.toml:3:1: faults.market.premium_jumps[0].pct: missing required key\n"
     "sim.toml:4:8: faults.market.premium_jumps[0].coin: \"ETH\" is not in market.coins\n"},
    {"FaultClockSkewBeyondADay", "[faults.market]\nclock_skew_ms = 86400001\n",
     "sim.toml:2:17: faults.market.clock_skew_ms: must be between -86400000 and 86400000, got 86400001\n"},
    {"SyntaxError", "[server\nupbit_port = 1\n",
     "sim.toml:1:8: TOML syntax error: Error while parsing table header: expected ']', saw '\\n'\n"},
};

INSTANTIATE_TEST_SUITE_P(Cases, SimConfigBad, testing::ValuesIn(kBadCases),
                         [](const testing::TestParamInfo<BadCase>& bad) { return bad.param.name; });

}  // namespace
}  // namespace kimp::sim
