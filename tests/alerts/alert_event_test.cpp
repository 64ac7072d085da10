// Kind names, severities, exact JSON payloads and chat texts of the ten alert events.
#include "alerts/alert_event.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

namespace kimp::alerts {
namespace {

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

struct Expected {
  AlertEvent event;
  std::string_view kind;
  std::string_view severity;
  std::string payload;
  std::string text;
};

std::vector<Expected> all_kinds() {
  return {
      {EntryExecuted{.coin = "BTC",
                     .qty = dec("0.01"),
                     .upbit_price = dec("95000000"),
                     .bybit_price = dec("65000.5"),
                     .expected_pnl = dec("12.5")},
       "EntryExecuted", "info",
       R"({"coin":"BTC","qty":"0.01","upbit_price":"95000000","bybit_price":"65000.5","expected_pnl":"12.5"})",
       "[INFO] EntryExecuted BTC: qty 0.01, upbit 95000000 KRW, bybit 65000.5 USDT, expected pnl 12.5 USDT"},
      {ExitExecuted{.coin = "ETH", .qty = dec("0.5"), .realised_pnl = dec("-3.25")}, "ExitExecuted", "info",
       R"({"coin":"ETH","qty":"0.5","realised_pnl":"-3.25"})",
       "[INFO] ExitExecuted ETH: qty 0.5, realised pnl -3.25 USDT"},
      {KillSwitchTriggered{.reason = "daily loss limit", .daily_pnl = dec("-501.2")}, "KillSwitchTriggered",
       "critical", R"({"reason":"daily loss limit","daily_pnl":"-501.2"})",
       "[CRITICAL] KillSwitchTriggered: daily loss limit, daily pnl -501.2 USDT"},
      {KillSwitchComplete{.closed_count = 3, .total_pnl = dec("-520")}, "KillSwitchComplete", "critical",
       R"({"closed_count":3,"total_pnl":"-520"})",
       "[CRITICAL] KillSwitchComplete: 3 positions closed, total pnl -520 USDT"},
      {LegFailure{.coin = "XRP",
                  .succeeded_leg = "upbit",
                  .failed_leg = "bybit",
                  .action_taken = "closed upbit leg"},
       "LegFailure", "critical",
       R"({"coin":"XRP","succeeded_leg":"upbit","failed_leg":"bybit","action_taken":"closed upbit leg"})",
       "[CRITICAL] LegFailure XRP: upbit leg filled, bybit leg failed, action: closed upbit leg"},
      {EmergencyCloseFailure{.coin = "BTC", .retry_count = 5, .naked_exposure = dec("0.01")},
       "EmergencyCloseFailure", "critical", R"({"coin":"BTC","retry_count":5,"naked_exposure":"0.01"})",
       "[CRITICAL] EmergencyCloseFailure BTC: 5 retries, naked exposure 0.01"},
      {ReconciliationMismatch{.coin = "SOL", .internal_qty = dec("2"), .exchange_qty = dec("1.5")},
       "ReconciliationMismatch", "warning", R"({"coin":"SOL","internal_qty":"2","exchange_qty":"1.5"})",
       "[WARNING] ReconciliationMismatch SOL: internal qty 2, exchange qty 1.5"},
      {ConnectionLost{.exchange = "bybit", .has_open_positions = true}, "ConnectionLost", "warning",
       R"({"exchange":"bybit","has_open_positions":true})",
       "[WARNING] ConnectionLost bybit: open positions are exposed"},
      {Error{.message = "fx rate \"stale\""}, "Error", "warning", R"({"message":"fx rate \"stale\""})",
       "[WARNING] Error: fx rate \"stale\""},
      {DailySummary{.trades = 12, .pnl = dec("34.5"), .win_rate = dec("58.33")}, "DailySummary", "info",
       R"({"trades":12,"pnl":"34.5","win_rate":"58.33"})",
       "[INFO] DailySummary: 12 trades, pnl 34.5 USDT, win rate 58.33%"},
  };
}

TEST(AlertEvent, EveryKind_HasItsNameSeverityExactPayloadAndText) {
  const auto cases = all_kinds();
  ASSERT_EQ(cases.size(), std::variant_size_v<AlertEvent>);
  std::set<std::size_t> covered;
  for (const Expected& c : cases) {
    covered.insert(c.event.index());
    EXPECT_EQ(kind_name(c.event), c.kind);
    EXPECT_EQ(to_string(severity_of(c.event)), c.severity) << c.kind;
    EXPECT_EQ(payload_json(c.event), c.payload) << c.kind;
    EXPECT_EQ(telegram_text(c.event), c.text) << c.kind;
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<AlertEvent>);
}

TEST(AlertEvent, Payload_IsOneJsonObjectWithDecimalsAsExactStrings) {
  const AlertEvent event = EntryExecuted{.coin = "DOGE",
                                         .qty = dec("12345.12345678"),
                                         .upbit_price = dec("0.00000001"),
                                         .bybit_price = dec("-0.5"),
                                         .expected_pnl = dec("0")};
  const boost::json::value parsed = boost::json::parse(payload_json(event));
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed.at("qty").as_string(), "12345.12345678");
  EXPECT_EQ(parsed.at("upbit_price").as_string(), "0.00000001");
  EXPECT_EQ(parsed.at("bybit_price").as_string(), "-0.5");
  EXPECT_EQ(parsed.at("expected_pnl").as_string(), "0");
}

TEST(AlertEvent, ConnectionLostWithoutPositions_SaysSo) {
  const AlertEvent event = ConnectionLost{.exchange = "upbit", .has_open_positions = false};
  EXPECT_EQ(payload_json(event), R"({"exchange":"upbit","has_open_positions":false})");
  EXPECT_EQ(telegram_text(event), "[WARNING] ConnectionLost upbit: no open positions");
}

TEST(AlertEvent, NonAsciiText_IsKeptAsUtf8InPayloadAndText) {
  const AlertEvent event = Error{.message = "업비트 주문 거부"};
  EXPECT_EQ(payload_json(event), R"({"message":"업비트 주문 거부"})");
  EXPECT_EQ(telegram_text(event), "[WARNING] Error: 업비트 주문 거부");
}

}  // namespace
}  // namespace kimp::alerts
