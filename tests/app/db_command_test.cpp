// End-to-end tests of `kimp db migrate|stats|export` as a process on SQLite files in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "storage/sqlite_database.hpp"

#include "tests/app/command_output.hpp"

namespace kimp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

Timestamp at(std::string_view text) {
  return Timestamp::parse_iso8601(text).value();
}

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

class DbCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("kimp_db_cli_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "x.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs kimp with exactly `env` as its environment (plus PATH), capturing both streams.
  CommandOutput run(const std::string& args, const std::string& env = "") const {
    return run_command_line("env -i PATH=/usr/bin:/bin " + env + " " KIMP_CLI_PATH " " + args, dir_);
  }

  // A migrated file holding session 1 with one minute bar, written through the library.
  void write_session() const {
    auto db = storage::open_sqlite_database((dir_ / "x.sqlite").string(), {}).value();
    ASSERT_TRUE(db->migrate().has_value());
    const auto session = db->begin_session({.id = 0,
                                            .mode = "simulation",
                                            .account = "sim",
                                            .config_hash = "abc123",
                                            .host = "ci",
                                            .pid = 77,
                                            .started_at = at("2026-02-14T08:40:18.931512Z"),
                                            .ended_at = std::nullopt,
                                            .status = "running",
                                            .stop_reason = ""});
    ASSERT_EQ(session.value_or(0), 1);
    const std::vector<storage::StorageRecord> batch = {storage::MinuteRow{.session_id = 1,
                                                                          .coin = "BTC",
                                                                          .ts = at("2026-02-14T08:41:00Z"),
                                                                          .upbit_close = dec("150389000"),
                                                                          .bybit_close = dec("104250.5"),
                                                                          .usd_krw = dec("1443.85"),
                                                                          .premium = 0.0125,
                                                                          .mean = 0.01,
                                                                          .std = 0.002,
                                                                          .z = 1.25}};
    ASSERT_TRUE(db->write(batch, storage::Durability::kCritical).has_value());
  }

  fs::path dir_;
  std::string url_;
};

constexpr const char* kSessionJson = R"json({"session_id":1,"tables":{
"sessions":[
{"id":1,"mode":"simulation","account":"sim","config_hash":"abc123","host":"ci","pid":77,"started_at":"2026-02-14T08:40:18.931512Z","ended_at":null,"status":"running","stop_reason":""}
],
"positions":[],
"orders":[],
"trades":[],
"minutes":[
{"session_id":1,"coin":"BTC","ts":"2026-02-14T08:41:00.000000Z","upbit_close":"150389000","bybit_close":"104250.5","usd_krw":"1443.85","premium":0.0125,"mean":0.01,"std":0.002,"z":1.25}
],
"balance_snapshots":[],
"alerts":[]
}}
)json";

TEST_F(DbCommandTest, Migrate_CreatesTheFileAndReportsVersion1_ThenReportsTheSchemaCurrent) {
  const auto first = run("db migrate --url " + url_);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "applied migration 1: initial schema\nschema is at version 1\n");
  EXPECT_TRUE(fs::exists(dir_ / "x.sqlite"));

  const auto second = run("db migrate --url " + url_);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "schema is current at version 1\n");
}

TEST_F(DbCommandTest, Stats_ListsEveryTableWithZeroRows) {
  ASSERT_EQ(run("db migrate --url " + url_).exit_code, 0);
  const auto result = run("db stats --url " + url_);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "schema version 1\n"
            "sessions           0\n"
            "positions          0\n"
            "orders             0\n"
            "trades             0\n"
            "minutes            0\n"
            "funding_schedules  0\n"
            "balance_snapshots  0\n"
            "alerts             0\n");
}

TEST_F(DbCommandTest, Stats_CountsTheRowsWritten) {
  write_session();
  const auto result = run("db stats --url " + url_);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("sessions           1\n"));
  EXPECT_THAT(result.out, HasSubstr("minutes            1\n"));
}

TEST_F(DbCommandTest, Export_PrintsTheSessionAsJson) {
  write_session();
  const auto result = run("db export --url " + url_ + " --session 1 --format json");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, kSessionJson);
}

TEST_F(DbCommandTest, Export_WritesCsvToTheOutFile) {
  write_session();
  const auto file = dir_ / "session-1.csv";
  const auto result = run("db export --url " + url_ + " --session 1 --format csv --out " + file.string());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
  const std::string csv = read_file(file);
  EXPECT_EQ(
      csv.rfind(
          "# table sessions\nid,mode,account,config_hash,host,pid,started_at,ended_at,status,stop_reason\n"
          "1,simulation,sim,abc123,ci,77,2026-02-14T08:40:18.931512Z,,running,\"\"\n\n# table positions\n",
          0),
      0U)
      << csv;
  EXPECT_THAT(
      csv,
      HasSubstr("# table minutes\nsession_id,coin,ts,upbit_close,bybit_close,usd_krw,premium,mean,std,z\n"
                "1,BTC,2026-02-14T08:41:00.000000Z,150389000,104250.5,1443.85,0.0125,0.01,0.002,1.25\n"));
}

TEST_F(DbCommandTest, Export_OfAMissingSession_FailsNamingIt) {
  write_session();
  const auto result = run("db export --url " + url_ + " --session 42 --format json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "kimp db export: no session 42 in " + url_ + "\n");
  EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST_F(DbCommandTest, MalformedUrl_ExitsWithUsageCodeNamingTheUrl) {
  for (const std::string command : {"migrate", "stats"}) {
    const auto result = run("db " + command + " --url mysql://db.internal/kimp");
    EXPECT_EQ(result.exit_code, 64) << command;
    EXPECT_THAT(result.err, HasSubstr("mysql://db.internal/kimp")) << command;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  const auto result = run("db export --url sqlite: --session 1 --format json");
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_THAT(result.err, HasSubstr("\"sqlite:\""));
}

TEST_F(DbCommandTest, MissingFileOrNotADatabase_FailsWithoutCreatingAFile) {
  const auto missing = run("db stats --url " + url_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr(url_));
  EXPECT_FALSE(fs::exists(dir_ / "x.sqlite"));

  std::ofstream(dir_ / "x.sqlite") << "plain text, not a database\n";
  const auto not_a_database = run("db migrate --url " + url_);
  EXPECT_EQ(not_a_database.exit_code, 1);
  EXPECT_THAT(not_a_database.err, HasSubstr((dir_ / "x.sqlite").string()));
  EXPECT_THAT(not_a_database.err, HasSubstr("not a database"));
}

TEST_F(DbCommandTest, StatsOfAnUnmigratedFile_SaysToMigrate) {
  {
    auto db = storage::open_sqlite_database((dir_ / "x.sqlite").string(), {});
    ASSERT_TRUE(db.has_value());
  }
  const auto result = run("db stats --url " + url_);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("kimp db migrate --url " + url_));
}

TEST_F(DbCommandTest, UnreachablePostgres_FailsWithoutShowingThePassword) {
  const auto result = run("db stats --url postgresql://kimp:inlineSecret42@127.0.0.1:1/kimp",
                          "KIMP_POSTGRES_PASSWORD=envSecret42xyz");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("postgresql://kimp:***@127.0.0.1:1/kimp"));
  EXPECT_THAT(result.err, Not(HasSubstr("inlineSecret42")));
  EXPECT_THAT(result.err, Not(HasSubstr("envSecret42xyz")));
  EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST_F(DbCommandTest, ExportWithoutFormat_IsAUsageError) {
  write_session();
  EXPECT_EQ(run("db export --url " + url_ + " --session 1").exit_code, 64);
  EXPECT_EQ(run("db export --url " + url_ + " --session 1 --format xml").exit_code, 64);
  EXPECT_EQ(run("db").exit_code, 64);
}

}  // namespace
}  // namespace kimp
