// Tests of the session export: exact CSV and JSON text of a session, other sessions left out, unknown ids.
#include "storage/session_export.hpp"

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_rows.hpp"
#include "storage/sqlite_database.hpp"

namespace kimp::storage {
namespace {

using testing::at;
using testing::dec;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::sample_alert;
using testing::sample_balance;
using testing::sample_funding;
using testing::sample_minute;
using testing::sample_order;
using testing::sample_position;
using testing::sample_session;
using testing::sample_trade;

// Session 2 as written in SetUp: orders by created_at, minutes by ts, NULL as an empty field (CSV) or
// null (JSON), an empty string as "" in both, decimals exact, times to the microsecond.
constexpr const char* kExpectedCsv = R"csv(# table sessions
id,mode,account,config_hash,host,pid,started_at,ended_at,status,stop_reason
2,paper,upbit-main,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,trader-1,4242,2026-02-14T08:40:18.931512Z,2026-02-14T10:00:00.000000Z,stopped,"operator: ""stop"", now"

# table positions
id,session_id,coin,state,upbit_qty,upbit_avg_price,bybit_qty,bybit_avg_price,upbit_order_id,bybit_order_id,opened_at,closed_at,realised_pnl,revision
2000000001,2,BTC,open,0.00000001,150389000,-0.00000001,104250.5,c0ffee00-0000-4000-8000-000000000001,1954321987654321,2026-02-14T08:41:00.000001Z,,,1

# table orders
client_order_id,session_id,position_id,venue,venue_order_id,side,order_type,qty,price,state,filled_qty,avg_fill_price,fee,fee_currency,created_at,updated_at,revision
kimp-2-000002,2,2000000001,bybit,1954321987654321,sell,market,0.00000001,104250.5,filled,0.00000001,,0.00000057,USDT,2026-02-14T08:40:59.400000Z,2026-02-14T08:41:00.000001Z,3
kimp-2-000001,2,2000000001,upbit,c0ffee00-0000-4000-8000-000000000001,buy,price,0.00000001,,filled,0.00000001,150389000,0.751945,KRW,2026-02-14T08:40:59.500000Z,2026-02-14T08:41:00.000001Z,3

# table trades
id,position_id,session_id,coin,side,reason,qty,upbit_entry_price,upbit_exit_price,bybit_entry_price,bybit_exit_price,entry_usdt_krw,exit_usdt_krw,upbit_fee_krw,bybit_fee_usdt,funding_usdt,adjustment_cost,pnl,opened_at,closed_at
2000000002,2000000001,2,BTC,exit,z below exit threshold,0.00000001,150389000,150100000,104250.5,104100,1445.2,1446,0.00075,0.00000057,-0.00000001,0,-0.00000012,2026-02-14T08:41:00.000001Z,2026-02-14T09:15:30.250000Z

# table minutes
session_id,coin,ts,upbit_close,bybit_close,usd_krw,premium,mean,std,z
2,BTC,2026-02-14T08:41:00.000000Z,150389000,104250.5,1443.85,0.1,0.3333333333333333,1e-05,
2,BTC,2026-02-14T08:42:00.000000Z,150389000,104250.5,1443.85,0.1,0.3333333333333333,1e-05,-1.25

# table balance_snapshots
id,created_at,snapshot_group_id,session_id,record_type,cex,currency,available,locked,coin_value,total,position_id,usd_krw,usdt_krw,total_usd,total_usdt
1,2026-02-14T08:40:19.000000Z,1,2,INITIAL,UPBIT,KRW,1000000.5,0,0,1000000.5,,1443.85,1445.2,692.5928594,691.94575145

# table alerts
id,session_id,created_at,kind,severity,payload,telegram_status,telegram_error,telegram_sent_at
2000000003,2,2026-02-14T08:41:00.500000Z,EntryExecuted,info,"{""coin"":""BTC"",""note"":""z=2.5, entry""}",pending,"",
)csv";

constexpr const char* kExpectedJson = R"json({"session_id":2,"tables":{
"sessions":[
{"id":2,"mode":"paper","account":"upbit-main","config_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","host":"trader-1","pid":4242,"started_at":"2026-02-14T08:40:18.931512Z","ended_at":"2026-02-14T10:00:00.000000Z","status":"stopped","stop_reason":"operator: \"stop\", now"}
],
"positions":[
{"id":2000000001,"session_id":2,"coin":"BTC","state":"open","upbit_qty":"0.00000001","upbit_avg_price":"150389000","bybit_qty":"-0.00000001","bybit_avg_price":"104250.5","upbit_order_id":"c0ffee00-0000-4000-8000-000000000001","bybit_order_id":"1954321987654321","opened_at":"2026-02-14T08:41:00.000001Z","closed_at":null,"realised_pnl":null,"revision":1}
],
"orders":[
{"client_order_id":"kimp-2-000002","session_id":2,"position_id":2000000001,"venue":"bybit","venue_order_id":"1954321987654321","side":"sell","order_type":"market","qty":"0.00000001","price":"104250.5","state":"filled","filled_qty":"0.00000001","avg_fill_price":null,"fee":"0.00000057","fee_currency":"USDT","created_at":"2026-02-14T08:40:59.400000Z","updated_at":"2026-02-14T08:41:00.000001Z","revision":3},
{"client_order_id":"kimp-2-000001","session_id":2,"position_id":2000000001,"venue":"upbit","venue_order_id":"c0ffee00-0000-4000-8000-000000000001","side":"buy","order_type":"price","qty":"0.00000001","price":null,"state":"filled","filled_qty":"0.00000001","avg_fill_price":"150389000","fee":"0.751945","fee_currency":"KRW","created_at":"2026-02-14T08:40:59.500000Z","updated_at":"2026-02-14T08:41:00.000001Z","revision":3}
],
"trades":[
{"id":2000000002,"position_id":2000000001,"session_id":2,"coin":"BTC","side":"exit","reason":"z below exit threshold","qty":"0.00000001","upbit_entry_price":"150389000","upbit_exit_price":"150100000","bybit_entry_price":"104250.5","bybit_exit_price":"104100","entry_usdt_krw":"1445.2","exit_usdt_krw":"1446","upbit_fee_krw":"0.00075","bybit_fee_usdt":"0.00000057","funding_usdt":"-0.00000001","adjustment_cost":"0","pnl":"-0.00000012","opened_at":"2026-02-14T08:41:00.000001Z","closed_at":"2026-02-14T09:15:30.250000Z"}
],
"minutes":[
{"session_id":2,"coin":"BTC","ts":"2026-02-14T08:41:00.000000Z","upbit_close":"150389000","bybit_close":"104250.5","usd_krw":"1443.85","premium":0.1,"mean":0.3333333333333333,"std":1e-05,"z":null},
{"session_id":2,"coin":"BTC","ts":"2026-02-14T08:42:00.000000Z","upbit_close":"150389000","bybit_close":"104250.5","usd_krw":"1443.85","premium":0.1,"mean":0.3333333333333333,"std":1e-05,"z":-1.25}
],
"balance_snapshots":[
{"id":1,"created_at":"2026-02-14T08:40:19.000000Z","snapshot_group_id":1,"session_id":2,"record_type":"INITIAL","cex":"UPBIT","currency":"KRW","available":"1000000.5","locked":"0","coin_value":"0","total":"1000000.5","position_id":null,"usd_krw":"1443.85","usdt_krw":"1445.2","total_usd":"692.5928594","total_usdt":"691.94575145"}
],
"alerts":[
{"id":2000000003,"session_id":2,"created_at":"2026-02-14T08:41:00.500000Z","kind":"EntryExecuted","severity":"info","payload":"{\"coin\":\"BTC\",\"note\":\"z=2.5, entry\"}","telegram_status":"pending","telegram_error":"","telegram_sent_at":null}
]
}}
)json";

class SessionExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_sqlite_database((dir_.path() / "kimp.sqlite").string(), {});
    ASSERT_TRUE(opened.has_value()) << opened.error().describe();
    db_ = std::move(*opened);
    ASSERT_TRUE(db_->migrate().has_value());
    // Session 1 is someone else's: none of its rows may appear in session 2's export.
    const auto other = db_->begin_session(sample_session("bybit-main"));
    ASSERT_EQ(other.value_or(0), 1);
    const auto session = db_->begin_session(sample_session());
    ASSERT_EQ(session.value_or(0), 2);

    OrderRow second_order = sample_order(2, "kimp-2-000002");
    second_order.venue = "bybit";
    second_order.venue_order_id = "1954321987654321";
    second_order.side = "sell";
    second_order.order_type = "market";
    second_order.price = dec("104250.5");
    second_order.fee_currency = "USDT";
    second_order.fee = dec("0.00000057");
    second_order.avg_fill_price = std::nullopt;
    second_order.created_at = at("2026-02-14T08:40:59.4Z");
    MinuteRow later_minute = sample_minute(2, "2026-02-14T08:42:00Z");
    later_minute.z = -1.25;
    const SessionEnd end{.id = 2,
                         .ended_at = at("2026-02-14T10:00:00Z"),
                         .status = "stopped",
                         .stop_reason = "operator: \"stop\", now"};
    const std::vector<StorageRecord> batch = {
        later_minute,
        sample_minute(2),
        sample_position(2),
        sample_order(2),
        second_order,
        sample_trade(2),
        sample_funding(),
        sample_balance(2, "UPBIT"),
        sample_alert(2),
        end,
        sample_position(1),
        sample_order(1),
        sample_minute(1),
        sample_trade(1),
        sample_balance(1, "BYBIT"),
        sample_alert(1),
    };
    const auto written = db_->write(batch, Durability::kCritical);
    ASSERT_TRUE(written.has_value()) << written.error().describe();
  }

  testing::TempDir dir_{"kimp_export"};
  std::unique_ptr<Database> db_;
};

TEST_F(SessionExportTest, Csv_IsTheSessionsRowsInCanonicalText) {
  const auto text = export_session(*db_, 2, ExportFormat::kCsv);
  ASSERT_TRUE(text.has_value()) << text.error().describe();
  EXPECT_EQ(*text, kExpectedCsv);
}

TEST_F(SessionExportTest, Json_IsTheSessionsRowsInCanonicalText) {
  const auto text = export_session(*db_, 2, ExportFormat::kJson);
  ASSERT_TRUE(text.has_value()) << text.error().describe();
  EXPECT_EQ(*text, kExpectedJson);
}

TEST_F(SessionExportTest, OtherSessionsRowsAreLeftOut) {
  const auto text = export_session(*db_, 1, ExportFormat::kJson);
  ASSERT_TRUE(text.has_value()) << text.error().describe();
  EXPECT_THAT(*text, HasSubstr(R"("client_order_id":"kimp-1-000001")"));
  EXPECT_THAT(*text, HasSubstr(R"("cex":"BYBIT")"));
  EXPECT_THAT(*text, Not(HasSubstr(R"("session_id":2)")));
  EXPECT_THAT(*text, Not(HasSubstr(R"("cex":"UPBIT")")));
  EXPECT_THAT(*text, Not(HasSubstr("funding_schedules")));
  EXPECT_THAT(*text, Not(HasSubstr("funding_rate")));
  EXPECT_THAT(*text, Not(HasSubstr("kimp-2-")));
}

// PostgreSQL returns its own spelling of the same values ("150389000.00000000", "... 08:41:00.000001+00");
// the export parses every row, so the text is the same as from canonical cells.
TEST_F(SessionExportTest, BackendSpellingOfValues_ExportsTheSameText) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_.path() / "kimp.sqlite").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  const int result =
      sqlite3_exec(raw,
                   "UPDATE positions SET upbit_avg_price = '150389000.00000000', bybit_qty = "
                   "'-1e-8', opened_at = '2026-02-14 08:41:00.000001+00' WHERE session_id = 2;"
                   "UPDATE sessions SET started_at = '2026-02-14 08:40:18.931512+00', ended_at = "
                   "'2026-02-14T19:00:00+09:00' WHERE id = 2;"
                   "UPDATE trades SET upbit_fee_krw = '0.000750' WHERE session_id = 2",
                   nullptr, nullptr, nullptr);
  sqlite3_close_v2(raw);
  ASSERT_EQ(result, SQLITE_OK);
  const auto csv = export_session(*db_, 2, ExportFormat::kCsv);
  const auto json = export_session(*db_, 2, ExportFormat::kJson);
  ASSERT_TRUE(csv.has_value()) << csv.error().describe();
  ASSERT_TRUE(json.has_value()) << json.error().describe();
  EXPECT_EQ(*csv, kExpectedCsv);
  EXPECT_EQ(*json, kExpectedJson);
}

TEST_F(SessionExportTest, UnknownSession_IsInvalidArgument) {
  for (const ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJson}) {
    const auto text = export_session(*db_, 3, format);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(text.error().message, HasSubstr("no session 3"));
  }
}

TEST_F(SessionExportTest, FormatNames) {
  EXPECT_EQ(export_format_from_name("csv"), ExportFormat::kCsv);
  EXPECT_EQ(export_format_from_name("json"), ExportFormat::kJson);
  EXPECT_EQ(export_format_from_name("xml"), std::nullopt);
}

}  // namespace
}  // namespace kimp::storage
