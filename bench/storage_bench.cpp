// Storage write paths: the DbWriter's rows per second next to a raw prepared-statement insert loop on
// SQLite and a raw COPY on PostgreSQL (KIMP_BENCH_PG_URL), and the cost of one enqueue on the event loop
// next to one Bybit book update's parse + apply, all in the same run.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/common.h>

#include "btc_book_frames.hpp"
#include "core/logging.hpp"
#include "storage/database.hpp"
#include "storage/db_writer.hpp"
#include "storage/row_codec.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using kimp::storage::MinuteRow;

constexpr std::size_t kRows = 200'000;
constexpr std::size_t kBatch = 2'000;
constexpr std::size_t kEnqueues = 100'000;
// Rows per second offered while enqueue() is timed: far above what a session produces (a few per bar and
// per fill) yet below what the writer sustains, so the queue stays short and nothing is dropped.
constexpr double kEnqueueRate = 20'000;
constexpr std::int64_t kSession = 1;

std::vector<MinuteRow> minute_rows(std::size_t count) {
  std::vector<MinuteRow> rows(count);
  for (std::size_t i = 0; i < count; ++i) {
    MinuteRow& row = rows[i];
    row.session_id = kSession;
    row.coin = i % 2 == 0 ? "BTC" : "ETH";
    row.ts = kimp::Timestamp::from_ns(static_cast<std::int64_t>(1'765'000'000 + i / 2 * 60) * 1'000'000'000);
    row.upbit_close = kimp::Decimal::from_units(15'038'900'000'000'000 + static_cast<std::int64_t>(i));
    row.bybit_close = kimp::Decimal::from_units(10'123'450'000'000);
    row.usd_krw = kimp::Decimal::from_units(144'064'000'000);
    row.premium = 0.0312;
    row.mean = 0.0298;
    row.std = 0.0011;
    row.z = 1.27;
  }
  return rows;
}

std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("kimp-storage-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  std::filesystem::remove(dir / (name + "-wal"));
  std::filesystem::remove(dir / (name + "-shm"));
  return dir / name;
}

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "storage_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

std::unique_ptr<kimp::storage::Database> migrated(const std::string& url) {
  auto db = kimp::storage::open_database(url);
  check(db.has_value(), db ? "" : db.error().describe());
  const auto applied = (*db)->migrate();
  check(applied.has_value(), applied ? "" : applied.error().describe());
  return std::move(*db);
}

// The DbWriter from the first enqueue until shutdown() has drained every row.
double writer_rows_per_second(const std::string& url, const std::vector<MinuteRow>& rows) {
  kimp::storage::DbWriterOptions options;
  options.journal_path = scratch("bench.spill");
  options.droppable_capacity = rows.size();
  options.batch_size = kBatch;
  kimp::storage::DbWriter writer(migrated(url), options);
  const auto start = Clock::now();
  for (const MinuteRow& row : rows) {
    writer.enqueue(row);
  }
  check(writer.shutdown().drained, "DbWriter did not drain");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  check(writer.stats()[kimp::storage::Table::kMinutes].written == rows.size(), "DbWriter lost rows");
  return static_cast<double>(rows.size()) / seconds;
}

// A hand-written loop: one prepared INSERT, the same text conversions, one transaction per batch, WAL and
// synchronous=NORMAL as the DbWriter uses for droppable rows.
double raw_sqlite_rows_per_second(const std::filesystem::path& path, const std::vector<MinuteRow>& rows) {
  migrated("sqlite:" + path.string());
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "sqlite3_open");
  check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr) ==
            SQLITE_OK,
        "pragmas");
  sqlite3_stmt* insert = nullptr;
  check(sqlite3_prepare_v2(
            db,
            "INSERT INTO minutes (session_id, coin, ts, upbit_close, bybit_close, usd_krw, premium, "
            "mean, std, z) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            -1, &insert, nullptr) == SQLITE_OK,
        sqlite3_errmsg(db));
  const auto start = Clock::now();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % kBatch == 0) {
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    }
    const MinuteRow& row = rows[i];
    const std::string ts = *kimp::storage::to_cell(row.ts);
    const std::string upbit = row.upbit_close.to_string();
    const std::string bybit = row.bybit_close.to_string();
    const std::string usd_krw = row.usd_krw.to_string();
    sqlite3_bind_int64(insert, 1, row.session_id);
    sqlite3_bind_text(insert, 2, row.coin.data(), static_cast<int>(row.coin.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, ts.data(), static_cast<int>(ts.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 4, upbit.data(), static_cast<int>(upbit.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, bybit.data(), static_cast<int>(bybit.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 6, usd_krw.data(), static_cast<int>(usd_krw.size()), SQLITE_STATIC);
    sqlite3_bind_double(insert, 7, row.premium);
    sqlite3_bind_double(insert, 8, row.mean);
    sqlite3_bind_double(insert, 9, row.std);
    sqlite3_bind_double(insert, 10, *row.z);
    check(sqlite3_step(insert) == SQLITE_DONE, sqlite3_errmsg(db));
    sqlite3_reset(insert);
    if (i % kBatch == kBatch - 1 || i + 1 == rows.size()) {
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return static_cast<double>(rows.size()) / seconds;
}

PGconn* pg_connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  check(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  return conn;
}

void pg_exec(PGconn* conn, const char* sql) {
  PGresult* result = PQexec(conn, sql);
  const ExecStatusType status = PQresultStatus(result);
  check(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK, PQerrorMessage(conn));
  PQclear(result);
}

// A hand-written COPY ... FROM STDIN of the same rows (text format, the same conversions), one transaction.
double raw_copy_rows_per_second(const std::string& url, const std::vector<MinuteRow>& rows) {
  PGconn* conn = pg_connect(url);
  pg_exec(conn, "SET TimeZone = 'UTC'");
  const auto start = Clock::now();
  pg_exec(conn, "BEGIN");
  PGresult* copy =
      PQexec(conn,
             "COPY minutes (session_id, coin, ts, upbit_close, bybit_close, usd_krw, premium, mean, std, z) "
             "FROM STDIN");
  check(PQresultStatus(copy) == PGRES_COPY_IN, PQerrorMessage(conn));
  PQclear(copy);
  std::string buffer;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const MinuteRow& row = rows[i];
    buffer +=
        fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", row.session_id, row.coin,
                    *kimp::storage::to_cell(row.ts), row.upbit_close.to_string(), row.bybit_close.to_string(),
                    row.usd_krw.to_string(), row.premium, row.mean, row.std, *row.z);
    if (buffer.size() > (1U << 16) || i + 1 == rows.size()) {
      check(PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) == 1, PQerrorMessage(conn));
      buffer.clear();
    }
  }
  check(PQputCopyEnd(conn, nullptr) == 1, PQerrorMessage(conn));
  PGresult* done = PQgetResult(conn);
  check(PQresultStatus(done) == PGRES_COMMAND_OK, PQerrorMessage(conn));
  PQclear(done);
  pg_exec(conn, "COMMIT");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  PQfinish(conn);
  return static_cast<double>(rows.size()) / seconds;
}

void pg_truncate(const std::string& url) {
  PGconn* conn = pg_connect(url);
  pg_exec(conn, "TRUNCATE minutes");
  PQfinish(conn);
}

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
};

Percentiles percentiles(std::vector<std::int64_t>& nanos) {
  std::sort(nanos.begin(), nanos.end());
  const auto at = [&](double q) {
    return static_cast<double>(nanos[std::min(nanos.size() - 1, static_cast<std::size_t>(q * nanos.size()))]);
  };
  return {at(0.50), at(0.99), at(0.999), static_cast<double>(nanos.back())};
}

struct EnqueueRun {
  Percentiles nanos{};
  std::uint64_t dropped = 0;
};

// Each enqueue() timed on its own, kEnqueueRate calls a second, while the writer thread drains into a
// SQLite file; the writer's default queue capacity.
EnqueueRun enqueue_nanos(const std::vector<MinuteRow>& rows) {
  kimp::storage::DbWriterOptions options;
  options.journal_path = scratch("enqueue.spill");
  options.batch_size = kBatch;
  kimp::storage::DbWriter writer(migrated("sqlite:" + scratch("enqueue.sqlite").string()), options);
  std::vector<std::int64_t> nanos(kEnqueues);
  const auto start = Clock::now();
  const auto gap =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / kEnqueueRate));
  for (std::size_t i = 0; i < kEnqueues; ++i) {
    kimp::storage::StorageRecord record{rows[i % rows.size()]};
    while (Clock::now() < start + static_cast<std::int64_t>(i) * gap) {
    }
    const auto before = Clock::now();
    writer.enqueue(std::move(record));
    nanos[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - before).count();
  }
  writer.shutdown();
  return {percentiles(nanos), writer.stats()[kimp::storage::Table::kMinutes].dropped};
}

// Clock::now() twice with nothing between: what each enqueue timing includes besides the call.
double timer_overhead_nanos() {
  std::vector<std::int64_t> nanos(100'000);
  for (std::int64_t& n : nanos) {
    const auto before = Clock::now();
    n = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - before).count();
  }
  return percentiles(nanos).p50;
}

double parse_apply_nanos_per_update() {
  const kimp::bench::BtcFrames& input = kimp::bench::btc_frames();
  kimp::bench::BtcParseApply engine(input);
  check(engine.pass(), "a capture frame failed to parse or apply");
  constexpr int kPasses = 20;
  const auto start = Clock::now();
  for (int pass = 0; pass < kPasses; ++pass) {
    engine.pass();
  }
  const double nanos = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  return nanos / (kPasses * static_cast<double>(input.frames.size()));
}

const char* verdict(bool met) {
  return met ? "MET" : "NOT MET";
}

}  // namespace

int main() {
  kimp::log::init(kimp::log::Format::kHuman, spdlog::level::warn);
  const std::vector<MinuteRow> rows = minute_rows(kRows);
  std::printf("%zu minutes rows, %zu per transaction\n", kRows, kBatch);

  const double raw_sqlite = raw_sqlite_rows_per_second(scratch("raw.sqlite"), rows);
  const double writer_sqlite = writer_rows_per_second("sqlite:" + scratch("writer.sqlite").string(), rows);
  std::printf("SQLite  raw prepared INSERT loop %10.0f rows/s\n", raw_sqlite);
  std::printf("SQLite  DbWriter                 %10.0f rows/s = %5.1f %% of raw (goal >= 70 %%): %s\n",
              writer_sqlite, 100.0 * writer_sqlite / raw_sqlite, verdict(writer_sqlite >= 0.7 * raw_sqlite));

  if (const char* pg_url = std::getenv("KIMP_BENCH_PG_URL"); pg_url != nullptr && *pg_url != '\0') {
    migrated(pg_url);
    pg_truncate(pg_url);
    const double raw_copy = raw_copy_rows_per_second(pg_url, rows);
    pg_truncate(pg_url);
    const double writer_pg = writer_rows_per_second(pg_url, rows);
    std::printf("Postgre raw COPY FROM STDIN      %10.0f rows/s\n", raw_copy);
    std::printf("Postgre DbWriter                 %10.0f rows/s = %5.1f %% of raw (goal >= 50 %%): %s\n",
                writer_pg, 100.0 * writer_pg / raw_copy, verdict(writer_pg >= 0.5 * raw_copy));
  } else {
    std::printf("PostgreSQL: not measured (KIMP_BENCH_PG_URL is not set; `make bench` sets it)\n");
  }

  const double parse_apply = parse_apply_nanos_per_update();
  const EnqueueRun run = enqueue_nanos(rows);
  const Percentiles& enqueue = run.nanos;
  std::printf(
      "enqueue on the event loop, %zu calls at %.0f/s, %llu dropped (timer overhead %.0f ns included): "
      "p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n",
      kEnqueues, kEnqueueRate, static_cast<unsigned long long>(run.dropped), timer_overhead_nanos(),
      enqueue.p50, enqueue.p99, enqueue.p999, enqueue.max);
  std::printf("one Bybit BTCUSDT book update parse + apply: %.0f ns; enqueue p99 below it (goal): %s\n",
              parse_apply, verdict(enqueue.p99 < parse_apply));
  std::filesystem::remove_all(scratch("x").parent_path());
  return 0;
}
