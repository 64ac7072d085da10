// AlertService: the alerts row is written first and whatever Telegram does; ids, statuses and counters.
#include "alerts/alert_service.hpp"

#include <gtest/gtest.h>

#include "alerts/fake_bot_api.hpp"
#include "core/clock.hpp"

namespace kimp::alerts {
namespace {

using testing::FakeBotApi;
using testing::RecordingSink;

constexpr std::int64_t kSession = 7;
const config::SecretString& token() {
  static const config::SecretString value("123456:SERVICE-test-token_AbC");
  return value;
}

TelegramSenderOptions quick_options() {
  TelegramSenderOptions options;
  options.connect_timeout = std::chrono::milliseconds{1000};
  options.request_timeout = std::chrono::milliseconds{1000};
  options.rate_interval = std::chrono::milliseconds{20};
  options.retry_initial_delay = std::chrono::milliseconds{10};
  options.retry_max_delay = std::chrono::milliseconds{20};
  return options;
}

TEST(AlertService, TelegramDisabled_RecordsRowAsDisabledAndSendsNothing) {
  FakeBotApi api;
  RecordingSink sink;
  SimClock clock(Timestamp::from_ns(1'700'000'000'000'000'000));
  AlertService service(sink, kSession, clock, nullptr);

  const std::int64_t id = service.send(Error{.message = "disk almost full"});

  const auto records = sink.records();
  ASSERT_EQ(records.size(), 1U);
  const auto* row = std::get_if<storage::AlertRow>(records.data());
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, id);
  EXPECT_EQ(row->id, kSession * storage::RowIdAllocator::kPerSession + 1);
  EXPECT_EQ(row->session_id, kSession);
  EXPECT_EQ(row->created_at, clock.now());
  EXPECT_EQ(row->kind, "Error");
  EXPECT_EQ(row->severity, "warning");
  EXPECT_EQ(row->payload, R"({"message":"disk almost full"})");
  EXPECT_EQ(row->telegram_status, "disabled");
  EXPECT_EQ(row->telegram_error, "");
  EXPECT_FALSE(row->telegram_sent_at.has_value());
  EXPECT_EQ(api.request_count(), 0U);
  const auto counters = service.counters();
  EXPECT_EQ(counters.recorded, 1U);
  EXPECT_EQ(counters.warning, 1U);
  EXPECT_EQ(counters.telegram_disabled, 1U);
  EXPECT_EQ(counters.telegram_queued, 0U);
}

TEST(AlertService, IdsGrowPerAlertAndSeveritiesAreCounted) {
  RecordingSink sink;
  SimClock clock;
  AlertService service(sink, kSession, clock, nullptr);
  const std::int64_t first = service.send(DailySummary{.trades = 1});
  const std::int64_t second = service.send(KillSwitchTriggered{.reason = "drawdown"});
  const std::int64_t third = service.send(ConnectionLost{.exchange = "upbit"});
  EXPECT_EQ(second, first + 1);
  EXPECT_EQ(third, first + 2);
  const auto counters = service.counters();
  EXPECT_EQ(counters.recorded, 3U);
  EXPECT_EQ(counters.info, 1U);
  EXPECT_EQ(counters.warning, 1U);
  EXPECT_EQ(counters.critical, 1U);
  const auto rows = sink.rows();
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[1].kind, "KillSwitchTriggered");
  EXPECT_EQ(rows[1].severity, "critical");
}

TEST(AlertService, WithTelegram_RowIsPendingFirstThenDeliveryIsRecordedSent) {
  FakeBotApi api;
  RecordingSink sink;
  SimClock clock;
  auto sender = TelegramSender::create(api.url(), token(), "-1001", sink, quick_options());
  ASSERT_TRUE(sender) << sender.error();
  AlertService service(sink, kSession, clock, sender->get());

  const std::int64_t id = service.send(EmergencyCloseFailure{
      .coin = "BTC", .retry_count = 5, .naked_exposure = Decimal::from_units(1'000'000)});
  ASSERT_TRUE(sink.wait_for_deliveries(1));

  const auto records = sink.records();
  ASSERT_EQ(records.size(), 2U);
  const auto* row = std::get_if<storage::AlertRow>(records.data());
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, id);
  EXPECT_EQ(row->telegram_status, "pending");
  const auto* delivery = std::get_if<storage::AlertDelivery>(&records[1]);
  ASSERT_NE(delivery, nullptr);
  EXPECT_EQ(delivery->id, id);
  EXPECT_EQ(delivery->telegram_status, "sent");
  const auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_NE(requests[0].body.find("[CRITICAL] EmergencyCloseFailure BTC: 5 retries, naked exposure 0.01"),
            std::string::npos)
      << requests[0].body;
  (*sender)->stop(std::chrono::steady_clock::now() + std::chrono::seconds{5});
  const auto counters = service.counters();
  EXPECT_EQ(counters.telegram_queued, 1U);
  EXPECT_EQ(counters.telegram.sent, 1U);
  EXPECT_EQ(counters.critical, 1U);
}

TEST(AlertService, TelegramFailing_RowIsStillWrittenAndFailureRecorded) {
  FakeBotApi api([](int, const testing::BotRequest&) {
    return testing::BotAnswer{
        .status = 400,
        .body = R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})"};
  });
  RecordingSink sink;
  SimClock clock;
  auto sender = TelegramSender::create(api.url(), token(), "-1001", sink, quick_options());
  ASSERT_TRUE(sender) << sender.error();
  AlertService service(sink, kSession, clock, sender->get());

  const std::int64_t id = service.send(LegFailure{
      .coin = "ETH", .succeeded_leg = "upbit", .failed_leg = "bybit", .action_taken = "closed upbit leg"});
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  const auto rows = sink.rows();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].id, id);
  EXPECT_EQ(rows[0].kind, "LegFailure");
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].telegram_status, "failed");
  EXPECT_EQ(deliveries[0].telegram_error, "HTTP 400: Bad Request: chat not found");
  // The failure is recorded, not alerted about: nothing else reaches the sink or the wire.
  (*sender)->stop(std::chrono::steady_clock::now() + std::chrono::seconds{5});
  EXPECT_EQ(sink.records().size(), 2U);
  EXPECT_EQ(api.request_count(), 1U);
  EXPECT_EQ(service.counters().recorded, 1U);
}

TEST(AlertService, SenderRefusingAtOnce_RowStillPrecedesTheFailedDelivery) {
  RecordingSink sink;
  SimClock clock;
  auto sender = TelegramSender::create("http://127.0.0.1:1", token(), "-1001", sink, quick_options());
  ASSERT_TRUE(sender) << sender.error();
  (*sender)->stop(std::chrono::steady_clock::now());
  AlertService service(sink, kSession, clock, sender->get());

  const std::int64_t id =
      service.send(KillSwitchComplete{.closed_count = 2, .total_pnl = Decimal::from_units(-100)});

  const auto records = sink.records();
  ASSERT_EQ(records.size(), 2U);
  const auto* row = std::get_if<storage::AlertRow>(records.data());
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, id);
  EXPECT_EQ(row->telegram_status, "pending");
  const auto* delivery = std::get_if<storage::AlertDelivery>(&records[1]);
  ASSERT_NE(delivery, nullptr);
  EXPECT_EQ(delivery->id, id);
  EXPECT_EQ(delivery->telegram_status, "failed");
  EXPECT_EQ(service.counters().telegram.failed, 1U);
}

}  // namespace
}  // namespace kimp::alerts
