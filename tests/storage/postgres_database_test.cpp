// PostgreSQL backend against a real server: migrations, every row type read back, idempotent and
// revision-aware writes, reconnects after a terminated backend, account locks and unreachable servers.
#include "storage/postgres_database.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "storage/db_writer.hpp"
#include "storage/schema.hpp"
#include "storage/session_export.hpp"

namespace kimp::storage {
namespace {

using std::chrono::seconds;

using SqlRow = std::vector<std::optional<std::string>>;

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

// The tests' own connection for direct SQL (setup, checks, terminating backends).
class SqlClient {
 public:
  explicit SqlClient(const std::string& url) {
    const std::array<const char*, 3> keys = {"dbname", "application_name", nullptr};
    const std::array<const char*, 3> values = {url.c_str(), "kimp_test", nullptr};
    conn_.reset(PQconnectdbParams(keys.data(), values.data(), 1));
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(conn_.get());
    }
  }

  [[nodiscard]] bool connected() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

  // The rows of `sql` as text; a failure is a test failure (and no rows).
  std::vector<SqlRow> rows(const std::string& sql, const std::vector<std::string>& parameters = {}) {
    std::vector<const char*> values;
    values.reserve(parameters.size());
    for (const std::string& parameter : parameters) {
      values.push_back(parameter.c_str());
    }
    const ResultPtr result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                        values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = PQresultStatus(result.get());
    std::vector<SqlRow> out;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
      return out;
    }
    for (int r = 0; r < PQntuples(result.get()); ++r) {
      SqlRow& row = out.emplace_back();
      for (int c = 0; c < PQnfields(result.get()); ++c) {
        row.push_back(PQgetisnull(result.get(), r, c) != 0
                          ? std::nullopt
                          : std::optional<std::string>(PQgetvalue(result.get(), r, c)));
      }
    }
    return out;
  }

  // The first cell of `sql`'s single row, "" (and a test failure) when there is none.
  std::string value(const std::string& sql, const std::vector<std::string>& parameters = {}) {
    const std::vector<SqlRow> result = rows(sql, parameters);
    if (result.size() != 1 || result[0].empty() || !result[0][0]) {
      ADD_FAILURE() << sql << ": expected one non-NULL value, got " << result.size() << " rows";
      return "";
    }
    return *result[0][0];
  }

  std::int64_t number(const std::string& sql, const std::vector<std::string>& parameters = {}) {
    const std::string text = value(sql, parameters);
    return text.empty() ? -1 : std::stoll(text);
  }

  // Runs one statement outside any transaction (CREATE DATABASE refuses to run inside one).
  bool run(const std::string& sql) {
    const ResultPtr result(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
      return false;
    }
    return true;
  }

  // COPY `sql` FROM STDIN with `data` as the whole input.
  bool copy(const std::string& sql, const std::string& data) {
    ResultPtr started(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(started.get());
      return false;
    }
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    for (std::size_t at = 0; at < data.size(); at += kChunk) {
      const std::size_t size = std::min(kChunk, data.size() - at);
      if (PQputCopyData(conn_.get(), data.data() + at, static_cast<int>(size)) != 1) {
        ADD_FAILURE() << sql << ": " << PQerrorMessage(conn_.get());
        return false;
      }
    }
    PQputCopyEnd(conn_.get(), nullptr);
    bool copied = true;
    while (PGresult* raw = PQgetResult(conn_.get())) {
      const ResultPtr result(raw);
      if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
        copied = false;
      }
    }
    return copied;
  }

 private:
  std::unique_ptr<PGconn, ConnectionCloser> conn_;
};

// 2026-02-14T08:40:18.931123Z: microseconds, PostgreSQL's resolution.
constexpr Timestamp kT0 = Timestamp::from_ns(1'771'058'418'931'123'000);

Timestamp at(std::int64_t offset_seconds) {
  return kT0 + seconds{offset_seconds};
}

Decimal dec(std::string_view text) {
  Result<Decimal> value = Decimal::parse(text);
  EXPECT_TRUE(value) << text;
  return value.value_or(Decimal{});
}

// Text that COPY must escape and the row codec must keep: tab, newline, carriage return, backslash, the
// literal \N, quotes and non-ASCII.
constexpr std::string_view kAwkwardText = "tab\there\nnew line\r\\back\\slash \\N 'quote\" 김치 €";

std::int64_t row_id(std::int64_t session, int n) {
  return session * RowIdAllocator::kPerSession + n;
}

PositionRow position_row(std::int64_t session, int n, std::int64_t revision = 1) {
  const bool closed = n % 2 == 0;
  return PositionRow{.id = row_id(session, n),
                     .session_id = session,
                     .coin = fmt::format("COIN{}", n),
                     .state = closed ? "closed" : "open",
                     .upbit_qty = dec("0.00000001"),
                     .upbit_avg_price = dec("150389000"),
                     .bybit_qty = dec("-0.5"),
                     .bybit_avg_price = Decimal::from_units(10'425'012'345'678 + n),
                     .upbit_order_id = fmt::format("u-{}", n),
                     .bybit_order_id = std::string(kAwkwardText),
                     .opened_at = at(n),
                     .closed_at = closed ? std::optional<Timestamp>(at(n + 3600)) : std::nullopt,
                     .realised_pnl = closed ? std::optional<Decimal>(dec("-12.34567891")) : std::nullopt,
                     .revision = revision};
}

OrderRow order_row(std::int64_t session, int n, std::int64_t revision = 1) {
  const bool limit = n % 2 == 1;
  return OrderRow{.client_order_id = fmt::format("s{}-o{}", session, n),
                  .session_id = session,
                  .position_id = limit ? std::optional<std::int64_t>(row_id(session, n)) : std::nullopt,
                  .venue = limit ? "upbit" : "bybit",
                  .venue_order_id = fmt::format("venue-{}", n),
                  .side = "buy",
                  .order_type = limit ? "limit" : "market",
                  .qty = dec("1.5"),
                  .price = limit ? std::optional<Decimal>(dec("150389000")) : std::nullopt,
                  .state = "filled",
                  .filled_qty = dec("1.5"),
                  .avg_fill_price = limit ? std::optional<Decimal>(dec("0.00000001")) : std::nullopt,
                  .fee = dec("0.0005"),
                  .fee_currency = "KRW",
                  .created_at = at(n),
                  .updated_at = at(n + 1),
                  .revision = revision};
}

TradeRow trade_row(std::int64_t session, int n) {
  return TradeRow{.id = row_id(session, 100 + n),
                  .position_id = row_id(session, n),
                  .session_id = session,
                  .coin = "BTC",
                  .side = "exit",
                  .reason = std::string(kAwkwardText),
                  .qty = dec("0.12345678"),
                  .upbit_entry_price = dec("150389000"),
                  .upbit_exit_price = dec("150400000"),
                  .bybit_entry_price = dec("104250.5"),
                  .bybit_exit_price = dec("104251"),
                  .entry_usdt_krw = dec("1443.21"),
                  .exit_usdt_krw = dec("1444"),
                  .upbit_fee_krw = dec("9399.3125"),
                  .bybit_fee_usdt = dec("0.00000001"),
                  .funding_usdt = dec("-0.75"),
                  .adjustment_cost = dec("0"),
                  .pnl = Decimal::from_units(-n),
                  .opened_at = at(n),
                  .closed_at = at(n + 60)};
}

MinuteRow minute_row(std::int64_t session, int n) {
  return MinuteRow{.session_id = session,
                   .coin = fmt::format("C{:03}", n % 100),
                   .ts = kT0 + seconds{60 * (n / 100)},
                   .upbit_close = dec("150389000"),
                   .bybit_close = dec("104250.12"),
                   .usd_krw = dec("1443.5"),
                   .premium = 0.1 + n * 1e-6,
                   .mean = 3.141592653589793,
                   .std = 1e-300,
                   .z = n % 3 == 0 ? std::nullopt : std::optional<double>(-2.5 + n)};
}

FundingRow funding_row(std::int64_t session, int n) {
  return FundingRow{.coin = fmt::format("F{}-{}", session, n),
                    .funding_rate = dec("-0.00012345"),
                    .next_funding_time = at(28'800 + n),
                    .updated_at = at(n)};
}

BalanceSnapshotRow balance_row(std::int64_t session, int n) {
  return BalanceSnapshotRow{
      .id = std::nullopt,
      .created_at = at(n),
      .snapshot_group_id = n / 2,
      .session_id = session,
      .record_type = n == 0 ? "INITIAL" : "PERIODIC",
      .cex = n % 2 == 0 ? "UPBIT" : "BYBIT",
      .currency = n % 2 == 0 ? "KRW" : "USDT",
      .available = dec("150389000"),
      .locked = dec("0.00000001"),
      .coin_value = dec("0"),
      .total = dec("150389000.00000001"),
      .position_id = n % 3 == 0 ? std::optional<std::int64_t>(row_id(session, n)) : std::nullopt,
      .usd_krw = dec("1443.5"),
      .usdt_krw = dec("1444.25"),
      .total_usd = dec("104185.65"),
      .total_usdt = dec("104131.01")};
}

AlertRow alert_row(std::int64_t session, int n) {
  const bool sent = n % 2 == 0;
  return AlertRow{.id = row_id(session, 500 + n),
                  .session_id = session,
                  .created_at = at(n),
                  .kind = "EntryExecuted",
                  .severity = "info",
                  .payload = fmt::format(R"({{"n":{},"text":"{}"}})", n, "line\\nbreak\ttab \\N"),
                  .telegram_status = sent ? "sent" : "pending",
                  .telegram_error = sent ? "" : std::string(kAwkwardText),
                  .telegram_sent_at = sent ? std::optional<Timestamp>(at(n + 2)) : std::nullopt};
}

SessionRow session_row(std::string account) {
  return SessionRow{.id = 0,
                    .mode = "paper",
                    .account = std::move(account),
                    .config_hash = std::string(64, 'a'),
                    .host = "host-a",
                    .pid = 4242,
                    .started_at = kT0,
                    .ended_at = std::nullopt,
                    .status = "running",
                    .stop_reason = ""};
}

// `count` rows of every inserted row type for `session`.
std::vector<StorageRecord> every_row_type(std::int64_t session, int count) {
  std::vector<StorageRecord> records;
  for (int n = 0; n < count; ++n) {
    records.emplace_back(position_row(session, n));
    records.emplace_back(order_row(session, n));
    records.emplace_back(trade_row(session, n));
    records.emplace_back(minute_row(session, n));
    records.emplace_back(funding_row(session, n));
    records.emplace_back(balance_row(session, n));
    records.emplace_back(alert_row(session, n));
  }
  return records;
}

template <class Row>
void expect_same_row(const Row& actual, const Row& expected, std::size_t index) {
  using Members = boost::describe::describe_members<Row, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Members>([&](auto member) {
    EXPECT_EQ(actual.*member.pointer, expected.*member.pointer)
        << table_name(RowTraits<Row>::kTable) << " row " << index << " column " << member.name;
  });
}

template <class Row>
std::vector<Row> read_rows(Database& db, std::optional<std::int64_t> session) {
  std::vector<Row> out;
  Result<TableRows> rows = db.select_rows(RowTraits<Row>::kTable, session);
  EXPECT_TRUE(rows) << rows.error();
  if (!rows) {
    return out;
  }
  EXPECT_EQ(rows->columns, column_names<Row>());
  for (const std::vector<Cell>& cells : rows->rows) {
    Result<Row> row = row_from_cells<Row>(cells);
    EXPECT_TRUE(row) << row.error();
    if (row) {
      out.push_back(*row);
    }
  }
  return out;
}

// The rows of type Row in `records`, in their order.
template <class Row>
std::vector<Row> rows_of(const std::vector<StorageRecord>& records) {
  std::vector<Row> out;
  for (const StorageRecord& record : records) {
    if (const Row* row = std::get_if<Row>(&record)) {
      out.push_back(*row);
    }
  }
  return out;
}

template <class Row>
void expect_rows(const std::vector<Row>& actual, const std::vector<Row>& expected) {
  ASSERT_EQ(actual.size(), expected.size()) << table_name(RowTraits<Row>::kTable);
  for (std::size_t i = 0; i < actual.size(); ++i) {
    expect_same_row(actual[i], expected[i], i);
  }
}

// Reads every table of `session` back and compares it with `records` (in each table's export order,
// which the generators follow).
void expect_stored(Database& db, std::int64_t session, const std::vector<StorageRecord>& records) {
  expect_rows(read_rows<PositionRow>(db, session), rows_of<PositionRow>(records));
  std::vector<OrderRow> orders = rows_of<OrderRow>(records);
  std::sort(orders.begin(), orders.end(), [](const OrderRow& a, const OrderRow& b) {
    return std::tie(a.created_at, a.client_order_id) < std::tie(b.created_at, b.client_order_id);
  });
  expect_rows(read_rows<OrderRow>(db, session), orders);
  expect_rows(read_rows<TradeRow>(db, session), rows_of<TradeRow>(records));
  std::vector<MinuteRow> minutes = rows_of<MinuteRow>(records);
  std::sort(minutes.begin(), minutes.end(), [](const MinuteRow& a, const MinuteRow& b) {
    return std::tie(a.ts, a.coin) < std::tie(b.ts, b.coin);
  });
  expect_rows(read_rows<MinuteRow>(db, session), minutes);
  std::vector<BalanceSnapshotRow> stored = read_rows<BalanceSnapshotRow>(db, session);
  std::vector<BalanceSnapshotRow> balances = rows_of<BalanceSnapshotRow>(records);
  std::sort(balances.begin(), balances.end(), [](const BalanceSnapshotRow& a, const BalanceSnapshotRow& b) {
    return std::tie(a.snapshot_group_id, a.record_type, a.cex, a.currency) <
           std::tie(b.snapshot_group_id, b.record_type, b.cex, b.currency);
  });
  for (std::size_t i = 0; i < stored.size() && i < balances.size(); ++i) {
    EXPECT_TRUE(stored[i].id.has_value()) << "balance_snapshots row " << i << " has no database id";
    balances[i].id = stored[i].id;
  }
  expect_rows(stored, balances);
  expect_rows(read_rows<AlertRow>(db, session), rows_of<AlertRow>(records));
}

// A port on 127.0.0.1 that nothing listens on (bound and closed again just now).
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

// Each test gets a database of its own on the fixture's server, dropped at the end.
class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* file = std::getenv("KIMP_TEST_PG_URL_FILE");
    ASSERT_NE(file, nullptr) << "KIMP_TEST_PG_URL_FILE is not set: run these tests through ctest "
                                "(ctest -R postgres), whose Postgres.Start fixture starts a server with "
                                "scripts/pg_test_server.sh and sets the variable to its url file";
    std::ifstream in(file);
    ASSERT_TRUE(in.good())
        << "cannot read the PostgreSQL test server's url file " << file
        << ": the Postgres.Start fixture (scripts/pg_test_server.sh start) did not run or failed";
    std::getline(in, admin_url_);
    ASSERT_FALSE(admin_url_.empty()) << "the url file " << file << " is empty";
    std::random_device seed;
    database_ = fmt::format("test_{}_{:08x}", getpid(), seed());
    admin_ = std::make_unique<SqlClient>(admin_url_);
    ASSERT_TRUE(admin_->connected());
    ASSERT_TRUE(admin_->run("CREATE DATABASE " + database_));
    created_ = true;
    url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + database_;
    sql_ = std::make_unique<SqlClient>(url_);
    ASSERT_TRUE(sql_->connected());
  }

  void TearDown() override {
    sql_.reset();
    if (created_) {
      admin_->run("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    }
  }

  std::unique_ptr<Database> open() {
    Result<std::unique_ptr<Database>> db = open_postgres_database(url_, {});
    if (!db) {
      ADD_FAILURE() << db.error();
      return nullptr;
    }
    return std::move(*db);
  }

  std::unique_ptr<Database> open_migrated() {
    std::unique_ptr<Database> db = open();
    if (db != nullptr) {
      Result<std::vector<int>> applied = db->migrate();
      if (!applied) {
        ADD_FAILURE() << applied.error();
        return nullptr;
      }
    }
    return db;
  }

  // The writer connection of this test's database (lock connections and ours have other names).
  std::string writer_pid() {
    return sql_->value(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kimp'");
  }

  void terminate(const std::string& pid) {
    // The second argument waits (up to 10 s) until the backend has exited.
    EXPECT_EQ(admin_->value("SELECT pg_terminate_backend($1, 10000)", {pid}), "t");
  }

  // Writes `records`, terminating the writer's backend from another connection once pg_stat_activity shows
  // it running a statement that starts with `statement`. Returns whether it was terminated.
  bool write_while_terminating(Database& db, const std::vector<StorageRecord>& records,
                               const std::string& statement, Status& outcome) {
    const std::string pid = writer_pid();
    std::atomic<bool> done{false};
    std::atomic<bool> terminated{false};
    std::thread killer([&] {
      SqlClient client(admin_url_);
      while (!done.load()) {
        const std::vector<SqlRow> activity =
            client.rows("SELECT state, query FROM pg_stat_activity WHERE pid = $1", {pid});
        if (!activity.empty() && activity[0][0] == "active" && activity[0][1] &&
            activity[0][1]->starts_with(statement)) {
          terminated = client.value("SELECT pg_terminate_backend($1, 10000)", {pid}) == "t";
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
      }
    });
    outcome = db.write(records, Durability::kCritical);
    done = true;
    killer.join();
    return terminated.load();
  }

  std::string admin_url_;
  std::string database_;
  std::string url_;
  bool created_ = false;
  std::unique_ptr<SqlClient> admin_;
  std::unique_ptr<SqlClient> sql_;
};

TEST_F(PostgresDatabaseTest, Migrate_Twice_AppliesVersionOneThenNothing) {
  std::unique_ptr<Database> db = open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->backend(), Backend::kPostgres);
  Result<int> empty = db->schema_version();
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(*empty, 0);

  Result<std::vector<int>> first = db->migrate();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(*first, std::vector<int>{1});
  Result<std::vector<int>> second = db->migrate();
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->empty());
  Result<int> version = db->schema_version();
  ASSERT_TRUE(version) << version.error();
  EXPECT_EQ(*version, latest_schema_version());
  EXPECT_EQ(sql_->value("SELECT description FROM schema_migrations WHERE version = 1"), "initial schema");
  EXPECT_EQ(sql_->number("SELECT count(*) FROM schema_migrations"), 1);
}

TEST_F(PostgresDatabaseTest, Migrate_EveryTableHasTheDescribedColumnsInOrder) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  for (const Table table : kAllTables) {
    std::vector<std::string> actual;
    for (const SqlRow& row :
         sql_->rows("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "'public' AND table_name = $1 ORDER BY ordinal_position",
                    {std::string(table_name(table))})) {
      actual.push_back(row[0].value_or(""));
    }
    std::vector<std::string> expected;
    for (const std::string_view column : table_columns(table)) {
      expected.emplace_back(column);
    }
    EXPECT_EQ(actual, expected) << table_name(table);
  }
}

TEST_F(PostgresDatabaseTest, Migrate_DatabaseNewerThanThisBuild_IsFailedPrecondition) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(
      sql_->run("INSERT INTO schema_migrations (version, description) VALUES (99, 'from the future')"));
  Result<std::vector<int>> applied = db->migrate();
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(applied.error().message.find("99"), std::string::npos) << applied.error();
}

TEST_F(PostgresDatabaseTest, Migrate_TwoInstancesAtOnce_ApplyEachVersionOnce) {
  std::unique_ptr<Database> first = open();
  std::unique_ptr<Database> second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  Result<std::vector<int>> first_applied;
  std::thread other([&] { first_applied = first->migrate(); });
  Result<std::vector<int>> second_applied = second->migrate();
  other.join();
  ASSERT_TRUE(first_applied) << first_applied.error();
  ASSERT_TRUE(second_applied) << second_applied.error();
  std::vector<int> all = *first_applied;
  all.insert(all.end(), second_applied->begin(), second_applied->end());
  EXPECT_EQ(all, std::vector<int>{1});
  EXPECT_EQ(sql_->number("SELECT count(*) FROM schema_migrations"), 1);
}

TEST_F(PostgresDatabaseTest, BeginSession_ReturnsTheDatabaseIdAndStoresTheRow) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  SessionRow session = session_row("upbit-main");
  session.id = 777;  // ignored: the database assigns it
  Result<std::int64_t> first = db->begin_session(session);
  ASSERT_TRUE(first) << first.error();
  Result<std::int64_t> second = db->begin_session(session);
  ASSERT_TRUE(second) << second.error();
  EXPECT_NE(*first, 777);
  EXPECT_GT(*second, *first);

  const std::vector<SessionRow> stored = read_rows<SessionRow>(*db, *first);
  ASSERT_EQ(stored.size(), 1U);
  session.id = *first;
  expect_same_row(stored[0], session, 0);
  EXPECT_EQ(read_rows<SessionRow>(*db, std::nullopt).size(), 2U);
}

TEST_F(PostgresDatabaseTest, Write_EveryRowTypeInASmallBatch_ReadsBackEqual) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  const std::vector<StorageRecord> records = every_row_type(1, 3);
  ASSERT_TRUE(db->write(records, Durability::kCritical));
  expect_stored(*db, 1, records);
  expect_rows(read_rows<FundingRow>(*db, std::nullopt), rows_of<FundingRow>(records));
  // Decimals come back as the exact text that was written, NULLs as NULL.
  EXPECT_EQ(
      sql_->value("SELECT upbit_qty::text FROM positions WHERE id = $1", {std::to_string(row_id(1, 0))}),
      "0.00000001");
  EXPECT_EQ(sql_->value("SELECT upbit_avg_price::text FROM positions WHERE id = $1",
                        {std::to_string(row_id(1, 0))}),
            "150389000");
  EXPECT_EQ(sql_->rows("SELECT closed_at FROM positions WHERE id = $1", {std::to_string(row_id(1, 1))})[0][0],
            std::nullopt);
  EXPECT_EQ(sql_->value("SELECT to_char(opened_at, 'YYYY-MM-DD HH24:MI:SS.US') FROM positions WHERE id = $1",
                        {std::to_string(row_id(1, 0))}),
            "2026-02-14 08:40:18.931123");
}

TEST_F(PostgresDatabaseTest, Write_EveryRowTypeInALargeBatch_ReadsBackEqual) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  // Enough rows of every type for the COPY path, with awkward text in every table that has text.
  const std::vector<StorageRecord> records = every_row_type(2, 60);
  const Status written = db->write(records, Durability::kDroppable);
  ASSERT_TRUE(written) << written.error();
  expect_stored(*db, 2, records);
  std::vector<FundingRow> funding = rows_of<FundingRow>(records);
  std::sort(funding.begin(), funding.end(),
            [](const FundingRow& a, const FundingRow& b) { return a.coin < b.coin; });
  expect_rows(read_rows<FundingRow>(*db, std::nullopt), funding);
}

TEST_F(PostgresDatabaseTest, Write_SameBatchTwice_LeavesTheSameRows) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  std::vector<StorageRecord> records = every_row_type(3, 40);
  const std::vector<StorageRecord> small = every_row_type(4, 2);
  records.insert(records.end(), small.begin(), small.end());
  ASSERT_TRUE(db->write(records, Durability::kCritical));
  Result<std::vector<TableCount>> before = db->count_rows();
  ASSERT_TRUE(before) << before.error();
  ASSERT_TRUE(db->write(records, Durability::kCritical));
  ASSERT_TRUE(db->write(small, Durability::kCritical));
  Result<std::vector<TableCount>> after = db->count_rows();
  ASSERT_TRUE(after) << after.error();

  ASSERT_EQ(after->size(), kAllTables.size());
  for (std::size_t i = 0; i < kAllTables.size(); ++i) {
    EXPECT_EQ((*after)[i].table, kAllTables[i]);
    EXPECT_EQ((*after)[i].rows, (*before)[i].rows) << table_name(kAllTables[i]);
    const std::int64_t expected = kAllTables[i] == Table::kSessions ? 0 : 42;
    EXPECT_EQ((*after)[i].rows, expected) << table_name(kAllTables[i]);
  }
  expect_stored(*db, 3, every_row_type(3, 40));
  expect_stored(*db, 4, small);
}

TEST_F(PostgresDatabaseTest, Write_LowerRevisionLater_DoesNotOverwriteTheHigher) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  PositionRow newer = position_row(5, 1, 5);
  newer.state = "closing";
  PositionRow older = position_row(5, 1, 3);
  older.state = "opening";
  OrderRow newer_order = order_row(5, 1, 4);
  newer_order.state = "filled";
  OrderRow older_order = order_row(5, 1, 2);
  older_order.state = "sent";
  const std::array<StorageRecord, 2> first = {newer, newer_order};
  const std::array<StorageRecord, 2> stale = {older, older_order};
  ASSERT_TRUE(db->write(first, Durability::kCritical));
  ASSERT_TRUE(db->write(stale, Durability::kCritical));
  std::vector<PositionRow> positions = read_rows<PositionRow>(*db, 5);
  ASSERT_EQ(positions.size(), 1U);
  expect_same_row(positions[0], newer, 0);
  std::vector<OrderRow> orders = read_rows<OrderRow>(*db, 5);
  ASSERT_EQ(orders.size(), 1U);
  expect_same_row(orders[0], newer_order, 0);

  // A higher revision does replace it.
  PositionRow newest = position_row(5, 1, 6);
  newest.state = "closed";
  const std::array<StorageRecord, 1> latest = {newest};
  ASSERT_TRUE(db->write(latest, Durability::kCritical));
  positions = read_rows<PositionRow>(*db, 5);
  ASSERT_EQ(positions.size(), 1U);
  expect_same_row(positions[0], newest, 0);
}

TEST_F(PostgresDatabaseTest, Write_SamePositionTwiceInOneBatch_KeepsTheHigherRevision) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  // A small batch (one statement per row) and a large one (COPY, one INSERT ... ON CONFLICT).
  for (const int filler : {0, 40}) {
    const std::int64_t session = 6 + filler;
    std::vector<StorageRecord> records;
    for (const std::int64_t revision : {2, 7, 4}) {
      PositionRow row = position_row(session, 1, revision);
      row.state = fmt::format("revision {}", revision);
      records.emplace_back(row);
      OrderRow order = order_row(session, 1, revision);
      order.state = fmt::format("revision {}", revision);
      records.emplace_back(order);
    }
    for (int n = 2; n < filler; ++n) {
      records.emplace_back(position_row(session, n));
      records.emplace_back(order_row(session, n));
    }
    const Status written = db->write(records, Durability::kCritical);
    ASSERT_TRUE(written) << written.error();
    const std::vector<PositionRow> positions = read_rows<PositionRow>(*db, session);
    ASSERT_EQ(positions.size(), static_cast<std::size_t>(std::max(filler - 1, 1)));
    EXPECT_EQ(positions[0].revision, 7);
    EXPECT_EQ(positions[0].state, "revision 7");
    EXPECT_EQ(sql_->value("SELECT revision FROM orders WHERE client_order_id = $1",
                          {order_row(session, 1).client_order_id}),
              "7");
  }
}

TEST_F(PostgresDatabaseTest, Write_FundingOfTheSameCoin_KeepsTheLatestCopy) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  FundingRow first = funding_row(7, 1);
  FundingRow second = first;
  second.funding_rate = dec("0.0001");
  FundingRow third = first;
  third.funding_rate = dec("0.0003");
  third.updated_at = at(5);
  const std::array<StorageRecord, 2> batch = {first, second};
  ASSERT_TRUE(db->write(batch, Durability::kDroppable));
  std::vector<FundingRow> stored = read_rows<FundingRow>(*db, std::nullopt);
  ASSERT_EQ(stored.size(), 1U);
  expect_same_row(stored[0], second, 0);
  const std::array<StorageRecord, 1> refresh = {third};
  ASSERT_TRUE(db->write(refresh, Durability::kDroppable));
  stored = read_rows<FundingRow>(*db, std::nullopt);
  ASSERT_EQ(stored.size(), 1U);
  expect_same_row(stored[0], third, 0);
}

TEST_F(PostgresDatabaseTest, Write_SessionEndAndAlertDelivery_UpdateTheirRows) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  Result<std::int64_t> session = db->begin_session(session_row("upbit-main"));
  ASSERT_TRUE(session) << session.error();
  const AlertRow earlier = alert_row(*session, 1);
  const std::array<StorageRecord, 1> alert = {earlier};
  ASSERT_TRUE(db->write(alert, Durability::kCritical));

  // The delivery of an alert in the same batch lands after the alert itself.
  const AlertRow later = alert_row(*session, 3);
  const SessionEnd end{
      .id = *session, .ended_at = at(7200), .status = "stopped", .stop_reason = "signal: SIGTERM"};
  const AlertDelivery delivered{
      .id = earlier.id, .telegram_status = "sent", .telegram_error = "", .telegram_sent_at = at(9)};
  const AlertDelivery failed{
      .id = later.id, .telegram_status = "failed", .telegram_error = "HTTP 429", .telegram_sent_at = {}};
  const std::array<StorageRecord, 4> batch = {end, delivered, later, failed};
  const Status written = db->write(batch, Durability::kCritical);
  ASSERT_TRUE(written) << written.error();

  const std::vector<SessionRow> sessions = read_rows<SessionRow>(*db, *session);
  ASSERT_EQ(sessions.size(), 1U);
  EXPECT_EQ(sessions[0].ended_at, at(7200));
  EXPECT_EQ(sessions[0].status, "stopped");
  EXPECT_EQ(sessions[0].stop_reason, "signal: SIGTERM");
  EXPECT_EQ(sessions[0].host, "host-a");
  const std::vector<AlertRow> alerts = read_rows<AlertRow>(*db, *session);
  ASSERT_EQ(alerts.size(), 2U);
  EXPECT_EQ(alerts[0].telegram_status, "sent");
  EXPECT_EQ(alerts[0].telegram_error, "");
  EXPECT_EQ(alerts[0].telegram_sent_at, at(9));
  EXPECT_EQ(alerts[0].payload, earlier.payload);
  EXPECT_EQ(alerts[1].telegram_status, "failed");
  EXPECT_EQ(alerts[1].telegram_error, "HTTP 429");
  EXPECT_EQ(alerts[1].telegram_sent_at, std::nullopt);
}

TEST_F(PostgresDatabaseTest, Write_TextTheDatabaseRefuses_IsInvalidArgumentAndWritesNothing) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  for (const int count : {1, 40}) {
    std::vector<StorageRecord> records;
    records.reserve(static_cast<std::size_t>(count) + 1);
    for (int n = 0; n < count; ++n) {
      records.emplace_back(minute_row(8, n));
    }
    MinuteRow bad_utf8 = minute_row(8, 99);
    bad_utf8.coin = "\xff\xfe";
    records.emplace_back(bad_utf8);
    const Status refused = db->write(records, Durability::kCritical);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << refused.error();
    EXPECT_NE(refused.error().message.find(fmt::format("write of {} records", count + 1)), std::string::npos)
        << refused.error();

    MinuteRow nul = minute_row(8, 98);
    nul.coin = std::string("A\0B", 3);
    records.back() = nul;
    const Status nul_refused = db->write(records, Durability::kCritical);
    ASSERT_FALSE(nul_refused);
    EXPECT_EQ(nul_refused.error().code, ErrorCode::kInvalidArgument) << nul_refused.error();
    EXPECT_NE(nul_refused.error().message.find("NUL"), std::string::npos) << nul_refused.error();
  }
  EXPECT_EQ(sql_->number("SELECT count(*) FROM minutes"), 0);
  // The connection is still good for the next batch.
  const std::array<StorageRecord, 1> good = {minute_row(8, 1)};
  ASSERT_TRUE(db->write(good, Durability::kCritical));
  EXPECT_EQ(sql_->number("SELECT count(*) FROM minutes"), 1);
}

TEST_F(PostgresDatabaseTest, SelectRows_OfOneSession_LeavesTheOthersOut) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->write(every_row_type(10, 2), Durability::kCritical));
  ASSERT_TRUE(db->write(every_row_type(11, 3), Durability::kCritical));
  EXPECT_EQ(read_rows<TradeRow>(*db, 10).size(), 2U);
  EXPECT_EQ(read_rows<TradeRow>(*db, 11).size(), 3U);
  EXPECT_EQ(read_rows<TradeRow>(*db, std::nullopt).size(), 5U);
  EXPECT_EQ(read_rows<TradeRow>(*db, 12).size(), 0U);
  // Funding schedules belong to no session: a session's export has all of them.
  EXPECT_EQ(read_rows<FundingRow>(*db, 10).size(), 5U);
}

TEST_F(PostgresDatabaseTest, BackendTerminatedBetweenBatches_NextCallReconnects) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->write(every_row_type(20, 2), Durability::kCritical));
  const std::string first_pid = writer_pid();
  terminate(first_pid);

  const std::vector<StorageRecord> next = every_row_type(21, 20);
  Status written = db->write(next, Durability::kCritical);
  if (!written) {
    EXPECT_EQ(written.error().code, ErrorCode::kUnavailable) << written.error();
    written = db->write(next, Durability::kCritical);
  }
  ASSERT_TRUE(written) << written.error();
  const std::string second_pid = writer_pid();
  EXPECT_NE(second_pid, first_pid);
  expect_stored(*db, 20, every_row_type(20, 2));
  expect_stored(*db, 21, next);

  // Reads reconnect as well.
  terminate(second_pid);
  Result<std::vector<TableCount>> counts = db->count_rows();
  if (!counts) {
    EXPECT_EQ(counts.error().code, ErrorCode::kUnavailable) << counts.error();
    counts = db->count_rows();
  }
  ASSERT_TRUE(counts) << counts.error();
  EXPECT_EQ((*counts)[4].table, Table::kMinutes);
  EXPECT_EQ((*counts)[4].rows, 22);
}

// A large minutes batch whose backend is terminated while it is being written: retried until it succeeds,
// it leaves every row exactly once. Terminated during the COPY straight into the table (rows not yet
// there), then, with the rows present, during the INSERT from the staging table.
TEST_F(PostgresDatabaseTest, BackendTerminatedDuringALargeWrite_RetriesLeaveEveryRowOnce) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  constexpr int kRows = 200'000;
  std::vector<StorageRecord> records;
  records.reserve(kRows);
  for (int n = 0; n < kRows; ++n) {
    records.emplace_back(minute_row(30, n));
  }
  for (const std::string statement : {"COPY minutes", "INSERT INTO minutes"}) {
    Status outcome = ok();
    bool terminated = false;
    // The write may outrun the poller; writes are idempotent, so another try is harmless.
    for (int tries = 0; tries < 5 && !terminated; ++tries) {
      terminated = write_while_terminating(*db, records, statement, outcome);
      if (!outcome) {
        EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable) << outcome.error();
      }
    }
    EXPECT_TRUE(terminated) << "the writer was never seen running " << statement;
    for (int retries = 0; retries < 5 && !outcome; ++retries) {
      outcome = db->write(records, Durability::kCritical);
      if (!outcome) {
        EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable) << outcome.error();
      }
    }
    ASSERT_TRUE(outcome) << outcome.error();
    EXPECT_EQ(sql_->number("SELECT count(*) FROM minutes"), kRows) << statement;
    EXPECT_EQ(sql_->number("SELECT count(DISTINCT (session_id, coin, ts)) FROM minutes"), kRows) << statement;
  }
}

TEST_F(PostgresDatabaseTest, LockAccount_HeldElsewhere_FailsNamingTheSessionUntilReleased) {
  std::unique_ptr<Database> first = open_migrated();
  ASSERT_NE(first, nullptr);
  const std::string first_writer = writer_pid();
  std::unique_ptr<Database> second = open();
  ASSERT_NE(second, nullptr);
  Result<std::unique_ptr<AccountLock>> held = first->lock_account("upbit-main");
  ASSERT_TRUE(held) << held.error();
  Result<std::int64_t> session = first->begin_session(session_row("upbit-main"));
  ASSERT_TRUE(session) << session.error();

  Result<std::unique_ptr<AccountLock>> refused = second->lock_account("upbit-main");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(
      refused.error().message,
      fmt::format("account upbit-main is already traded by session {} (host host-a, pid 4242, started {})",
                  *session, kT0.to_iso8601()));

  Result<std::unique_ptr<AccountLock>> other = second->lock_account("bybit-main");
  ASSERT_TRUE(other) << other.error();

  // The lock lives on its own connection: the writer losing its connection does not release it.
  terminate(first_writer);
  ASSERT_TRUE(first->count_rows() || first->count_rows());
  Result<std::unique_ptr<AccountLock>> still = second->lock_account("upbit-main");
  ASSERT_FALSE(still);
  EXPECT_EQ(still.error().code, ErrorCode::kFailedPrecondition);

  held->reset();
  Result<std::unique_ptr<AccountLock>> taken = second->lock_account("upbit-main");
  ASSERT_TRUE(taken) << taken.error();
}

TEST_F(PostgresDatabaseTest, LockAccount_HolderWithoutASession_SaysAnotherSession) {
  std::unique_ptr<Database> first = open();
  std::unique_ptr<Database> second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  Result<std::unique_ptr<AccountLock>> held = first->lock_account("acct");
  ASSERT_TRUE(held) << held.error();
  Result<std::unique_ptr<AccountLock>> refused = second->lock_account("acct");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message, "account acct is already traded by another session");
}

TEST(PostgresDatabaseOpen, UnreachableServer_IsUnavailableNamingItWithoutThePassword) {
  const int port = closed_port();
  const std::string url = fmt::format("postgresql://postgres:url-secret@127.0.0.1:{}/postgres", port);
  const DatabaseOptions options{.postgres_password = "option-secret",
                                .busy_timeout = std::chrono::seconds{2}};
  Result<std::unique_ptr<Database>> db = open_postgres_database(url, options);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  const std::string& message = db.error().message;
  EXPECT_NE(message.find(fmt::format("cannot connect to PostgreSQL at postgres@127.0.0.1:{}/postgres", port)),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

TEST(PostgresDatabaseOpen, MalformedUrl_IsInvalidArgument) {
  Result<std::unique_ptr<Database>> db =
      open_postgres_database("postgresql://postgres@127.0.0.1/postgres?no_such_option=1", {});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(db.error().message.find("no_such_option"), std::string::npos) << db.error();
}

TEST_F(PostgresDatabaseTest, SameSession_WrittenToSqliteAndPostgres_ExportsIdentically) {
  std::unique_ptr<Database> postgres = open_migrated();
  ASSERT_NE(postgres, nullptr);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("kimp-cross-backend-{}", ::getpid());
  std::filesystem::remove_all(dir);
  Result<std::unique_ptr<Database>> sqlite = open_database("sqlite:" + (dir / "kimp.sqlite").string());
  ASSERT_TRUE(sqlite) << sqlite.error();
  ASSERT_TRUE((*sqlite)->migrate());
  for (Database* db : {postgres.get(), sqlite->get()}) {
    Result<std::int64_t> session = db->begin_session(session_row("upbit-main"));
    ASSERT_TRUE(session) << session.error();
    ASSERT_EQ(*session, 1);
    std::vector<StorageRecord> records = every_row_type(1, 30);
    records.emplace_back(
        SessionEnd{.id = 1, .ended_at = at(3600), .status = "stopped", .stop_reason = "done"});
    ASSERT_TRUE(db->write(records, Durability::kCritical));
  }
  for (const ExportFormat format : {ExportFormat::kJson, ExportFormat::kCsv}) {
    Result<std::string> from_postgres = export_session(*postgres, 1, format);
    Result<std::string> from_sqlite = export_session(**sqlite, 1, format);
    ASSERT_TRUE(from_postgres) << from_postgres.error();
    ASSERT_TRUE(from_sqlite) << from_sqlite.error();
    EXPECT_GT(from_sqlite->size(), 1000U);
    EXPECT_EQ(*from_postgres, *from_sqlite);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(PostgresDatabaseTest, DbWriter_BackendTerminatedWhileWriting_EveryRowOnce) {
  std::unique_ptr<Database> db = open_migrated();
  ASSERT_NE(db, nullptr);
  const std::filesystem::path journal =
      std::filesystem::temp_directory_path() / fmt::format("kimp-pg-writer-{}.spill", ::getpid());
  std::filesystem::remove(journal);
  constexpr int kMinutes = 100'000;
  constexpr int kTrades = 5'000;
  DbWriterOptions options;
  options.journal_path = journal;
  options.droppable_capacity = kMinutes;
  options.retry_initial = std::chrono::milliseconds(10);
  options.retry_max = std::chrono::milliseconds(50);
  DbWriter writer(std::move(db), options);
  std::atomic<bool> done{false};
  std::atomic<int> terminated{0};
  std::thread killer([&] {
    SqlClient client(admin_url_);
    while (!done.load()) {
      // Between a lost connection and the writer's reconnect there is no backend to find: try again later.
      const std::vector<SqlRow> writers = client.rows("SELECT pid FROM pg_stat_activity WHERE datname = '" +
                                                      database_ + "' AND application_name = 'kimp'");
      if (writers.size() == 1 && !writers[0].empty() && writers[0][0] &&
          client.value("SELECT pg_terminate_backend($1, 10000)", {*writers[0][0]}) == "t") {
        ++terminated;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  for (int n = 0; n < kMinutes; ++n) {
    writer.enqueue(minute_row(1, n));
    if (n % (kMinutes / kTrades) == 0) {
      writer.enqueue(trade_row(1, n / (kMinutes / kTrades)));
    }
  }
  for (int i = 0; i < 600 && terminated.load() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  done = true;
  killer.join();
  const ShutdownReport report = writer.shutdown();
  EXPECT_TRUE(report.drained);
  EXPECT_GE(terminated.load(), 1);
  EXPECT_EQ(sql_->number("SELECT count(*) FROM trades"), kTrades);
  EXPECT_EQ(sql_->number("SELECT count(*) FROM minutes"), kMinutes);
  const DbWriterStats stats = writer.stats();
  EXPECT_EQ(stats[Table::kMinutes].dropped, 0U);
  EXPECT_EQ(stats[Table::kTrades].dropped, 0U);
  std::filesystem::remove(journal);
}

}  // namespace
}  // namespace kimp::storage
