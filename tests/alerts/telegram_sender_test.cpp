// TelegramSender against a fake Bot API: wire format, 429, retries, timeouts, coalescing, shutdown.
#include "alerts/telegram_sender.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include "alerts/fake_bot_api.hpp"
#include "config/config.hpp"
#include "config/secrets.hpp"
#include "core/logging.hpp"

namespace kimp::alerts {
namespace {

using std::chrono::milliseconds;
using testing::BotAnswer;
using testing::BotRequest;
using testing::FakeBotApi;
using testing::RecordingSink;

constexpr std::string_view kToken = "987654321:AAH-fake_Token-for-tests";
constexpr std::string_view kChat = "-1001234567890";

config::SecretString token() {
  return config::SecretString(std::string(kToken));
}

// Short delays so the suite is quick; limits generous enough for a loaded machine.
TelegramSenderOptions quick_options() {
  TelegramSenderOptions options;
  options.connect_timeout = milliseconds{1000};
  options.request_timeout = milliseconds{2000};
  options.rate_interval = milliseconds{50};
  options.max_attempts = 3;
  options.retry_initial_delay = milliseconds{10};
  options.retry_max_delay = milliseconds{40};
  return options;
}

std::unique_ptr<TelegramSender> make_sender(const std::string& url, RecordingSink& sink,
                                            TelegramSenderOptions options = quick_options()) {
  auto sender = TelegramSender::create(url, token(), std::string(kChat), sink, std::move(options));
  EXPECT_TRUE(sender) << sender.error();
  return sender ? std::move(*sender) : nullptr;
}

BotAnswer answer(unsigned status, std::string body) {
  return BotAnswer{.status = status, .body = std::move(body)};
}

std::string text_of(const BotRequest& request) {
  return std::string(boost::json::parse(request.body).at("text").as_string());
}

std::chrono::steady_clock::time_point in(milliseconds delay) {
  return std::chrono::steady_clock::now() + delay;
}

TEST(TelegramSender, Success_PostsSendMessageWithChatAndTextAndRecordsSent) {
  FakeBotApi api;
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);

  sender->submit(41, "[INFO] ExitExecuted BTC: qty 0.01, realised pnl 3 USDT");
  ASSERT_TRUE(sink.wait_for_deliveries(1));

  const auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/bot" + std::string(kToken) + "/sendMessage");
  EXPECT_EQ(requests[0].content_type, "application/json");
  const boost::json::value body = boost::json::parse(requests[0].body);
  EXPECT_EQ(body.at("chat_id").as_string(), kChat);
  EXPECT_EQ(body.at("text").as_string(), "[INFO] ExitExecuted BTC: qty 0.01, realised pnl 3 USDT");
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].id, 41);
  EXPECT_EQ(deliveries[0].telegram_status, "sent");
  EXPECT_EQ(deliveries[0].telegram_error, "");
  EXPECT_TRUE(deliveries[0].telegram_sent_at.has_value());
  sender->stop(in(milliseconds{5000}));
  EXPECT_EQ(sender->counters(), (TelegramCounters{.submitted = 1, .sent = 1, .messages = 1, .requests = 1}));
}

TEST(TelegramSender, ApiUrlWithPath_IsPrefixedToTheTarget) {
  FakeBotApi api;
  RecordingSink sink;
  auto sender = make_sender(api.url() + "/proxy", sink);
  ASSERT_NE(sender, nullptr);
  sender->submit(1, "hello");
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  ASSERT_EQ(api.request_count(), 1U);
  EXPECT_EQ(api.requests()[0].target, "/proxy/bot" + std::string(kToken) + "/sendMessage");
}

TEST(TelegramSender, TooManyRequests_WaitsRetryAfterThenSendsAgain) {
  FakeBotApi api([](int index, const BotRequest&) {
    return index == 0 ? answer(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: )"
                                    R"(retry after 1","parameters":{"retry_after":1}})")
                      : BotAnswer{};
  });
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);

  sender->submit(7, "[WARNING] ConnectionLost bybit: open positions are exposed");
  ASSERT_TRUE(sink.wait_for_deliveries(1));

  const auto requests = api.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].body, requests[1].body);
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].id, 7);
  EXPECT_EQ(deliveries[0].telegram_status, "sent");
  const auto counters = sender->counters();
  EXPECT_EQ(counters.rate_limited, 1U);
  EXPECT_EQ(counters.retries, 1U);
  EXPECT_EQ(counters.sent, 1U);
}

TEST(TelegramSender, ServerErrorEveryTime_RetriesUpToTheLimitThenRecordsFailedWithTheStatus) {
  FakeBotApi api([](int, const BotRequest&) {
    return answer(500, R"({"ok":false,"error_code":500,"description":"Internal Server Error"})");
  });
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);

  sender->submit(9, "[CRITICAL] KillSwitchTriggered: daily loss limit, daily pnl -500 USDT");
  ASSERT_TRUE(sink.wait_for_deliveries(1));

  EXPECT_EQ(api.request_count(), 3U);
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].id, 9);
  EXPECT_EQ(deliveries[0].telegram_status, "failed");
  EXPECT_NE(deliveries[0].telegram_error.find("HTTP 500"), std::string::npos) << deliveries[0].telegram_error;
  EXPECT_NE(deliveries[0].telegram_error.find("3 attempts"), std::string::npos)
      << deliveries[0].telegram_error;
  EXPECT_FALSE(deliveries[0].telegram_sent_at.has_value());
  const auto counters = sender->counters();
  EXPECT_EQ(counters.failed, 1U);
  EXPECT_EQ(counters.requests, 3U);
  EXPECT_EQ(counters.retries, 2U);
}

TEST(TelegramSender, ServerErrorThenSuccess_IsRecordedSentOnce) {
  FakeBotApi api(
      [](int index, const BotRequest&) { return index < 2 ? answer(502, "Bad Gateway") : BotAnswer{}; });
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);
  sender->submit(3, "hello");
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  sender->stop(in(milliseconds{5000}));
  EXPECT_EQ(api.request_count(), 3U);
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].telegram_status, "sent");
}

TEST(TelegramSender, BadTokenOrUnknownChat_FailsAtOnceWithoutRetrying) {
  for (const auto& [status, description] :
       std::map<unsigned, std::string>{{400, "Bad Request: chat not found"},
                                       {401, "Unauthorized"},
                                       {403, "Forbidden: bot was blocked"}}) {
    FakeBotApi api([status = status, description = description](int, const BotRequest&) {
      return answer(status, R"({"ok":false,"error_code":)" + std::to_string(status) + R"(,"description":")" +
                                description + R"("})");
    });
    RecordingSink sink;
    auto sender = make_sender(api.url(), sink);
    ASSERT_NE(sender, nullptr);
    sender->submit(5, "hello");
    ASSERT_TRUE(sink.wait_for_deliveries(1)) << status;
    sender->stop(in(milliseconds{5000}));
    EXPECT_EQ(api.request_count(), 1U) << status;
    const auto deliveries = sink.deliveries();
    ASSERT_EQ(deliveries.size(), 1U);
    EXPECT_EQ(deliveries[0].telegram_status, "failed");
    EXPECT_EQ(deliveries[0].telegram_error, "HTTP " + std::to_string(status) + ": " + description);
  }
}

TEST(TelegramSender, NoAnswer_TimesOutAndRetriesThenRecordsFailedWithoutTheToken) {
  FakeBotApi api([](int, const BotRequest&) { return BotAnswer{.never_answer = true}; });
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.request_timeout = milliseconds{200};
  options.max_attempts = 2;
  auto sender = make_sender(api.url(), sink, options);
  ASSERT_NE(sender, nullptr);

  sender->submit(11, "[INFO] DailySummary: 3 trades");
  ASSERT_TRUE(sink.wait_for_deliveries(1));

  EXPECT_EQ(api.request_count(), 2U);
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].telegram_status, "failed");
  EXPECT_NE(deliveries[0].telegram_error.find("kDeadlineExceeded"), std::string::npos)
      << deliveries[0].telegram_error;
  // The HTTP client names the request target, which holds the token: it must have been masked.
  EXPECT_EQ(deliveries[0].telegram_error.find(kToken), std::string::npos) << deliveries[0].telegram_error;
  EXPECT_NE(deliveries[0].telegram_error.find("/bot***/sendMessage"), std::string::npos)
      << deliveries[0].telegram_error;
}

TEST(TelegramSender, Burst_IsCoalescedIntoFewerMessagesAndEveryAlertGetsOneDelivery) {
  FakeBotApi api;
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.rate_interval = milliseconds{300};
  auto sender = make_sender(api.url(), sink, options);
  ASSERT_NE(sender, nullptr);

  for (int id = 1; id <= 10; ++id) {
    sender->submit(id, "alert number " + std::to_string(id));
  }
  ASSERT_TRUE(sink.wait_for_deliveries(10));
  sender->stop(in(milliseconds{5000}));

  const auto requests = api.requests();
  EXPECT_LT(requests.size(), 10U);
  std::string all_texts;
  for (const auto& request : requests) {
    all_texts += text_of(request) + "\n";
  }
  for (int id = 1; id <= 10; ++id) {
    EXPECT_NE(all_texts.find("alert number " + std::to_string(id) + "\n"), std::string::npos) << id;
  }
  std::map<std::int64_t, int> per_id;
  for (const auto& delivery : sink.deliveries()) {
    ++per_id[delivery.id];
    EXPECT_EQ(delivery.telegram_status, "sent");
  }
  ASSERT_EQ(per_id.size(), 10U);
  for (const auto& [id, count] : per_id) {
    EXPECT_EQ(count, 1) << id;
  }
  const auto counters = sender->counters();
  EXPECT_EQ(counters.sent, 10U);
  EXPECT_EQ(counters.messages, requests.size());
  EXPECT_EQ(counters.coalesced, 10U - requests.size());
}

TEST(TelegramSender, CoalescedTexts_StayWithinTheLengthLimitAndTheRestGoesIntoTheNextMessage) {
  FakeBotApi api;
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.rate_interval = milliseconds{300};
  auto sender = make_sender(api.url(), sink, options);
  ASSERT_NE(sender, nullptr);

  constexpr std::size_t kLength = 2000;  // two fit in one message, three do not
  for (int id = 1; id <= 3; ++id) {
    sender->submit(id, std::string(kLength, static_cast<char>('a' + id)));
  }
  ASSERT_TRUE(sink.wait_for_deliveries(3));
  sender->stop(in(milliseconds{5000}));

  const auto requests = api.requests();
  EXPECT_GE(requests.size(), 2U);
  std::size_t total = 0;
  for (const auto& request : requests) {
    const std::string text = text_of(request);
    EXPECT_LE(text.size(), kTelegramMaxMessageLength);
    total += text.size();
  }
  EXPECT_EQ(total, 3 * kLength + (3 - requests.size()));  // texts plus one newline per join
  EXPECT_EQ(sink.deliveries().size(), 3U);
}

TEST(TelegramSender, TextLongerThanTheLimit_IsCutShortWithAnEllipsis) {
  FakeBotApi api;
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);
  // Korean syllables are 3 bytes of UTF-8 but one UTF-16 unit each, which is what Telegram counts.
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "가";
  }
  sender->submit(1, text);
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  ASSERT_EQ(api.request_count(), 1U);
  const std::string sent = text_of(api.requests()[0]);
  std::string expected;
  for (std::size_t i = 0; i + 1 < kTelegramMaxMessageLength; ++i) {
    expected += "가";
  }
  expected += "\u2026";
  EXPECT_EQ(sent, expected);
  EXPECT_EQ(sink.deliveries()[0].telegram_status, "sent");
}

TEST(TelegramSender, StopWithAlertsQueuedAndServerUnreachable_RecordsEachFailed) {
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.retry_initial_delay = std::chrono::seconds{30};
  options.retry_max_delay = std::chrono::seconds{60};
  options.max_attempts = 10;
  auto sender = make_sender("http://127.0.0.1:" + std::to_string(testing::unused_port()), sink, options);
  ASSERT_NE(sender, nullptr);

  for (int id = 1; id <= 4; ++id) {
    sender->submit(id, "queued " + std::to_string(id));
  }
  sender->stop(in(milliseconds{300}));

  std::map<std::int64_t, std::string> errors;
  for (const auto& delivery : sink.deliveries()) {
    EXPECT_EQ(delivery.telegram_status, "failed");
    EXPECT_TRUE(delivery.telegram_error.starts_with("shutdown before delivery")) << delivery.telegram_error;
    EXPECT_TRUE(errors.emplace(delivery.id, delivery.telegram_error).second) << delivery.id;
  }
  EXPECT_EQ(errors.size(), 4U);
  EXPECT_EQ(sender->counters().failed, 4U);
}

TEST(TelegramSender, StopBeforeTheDeadline_DeliversWhatIsQueued) {
  FakeBotApi api;
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.rate_interval = milliseconds{100};
  options.max_message_length = 10;  // one alert per message
  auto sender = make_sender(api.url(), sink, options);
  ASSERT_NE(sender, nullptr);
  for (int id = 1; id <= 3; ++id) {
    sender->submit(id, "queued " + std::to_string(id));
  }
  sender->stop(in(milliseconds{10000}));
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 3U);
  for (const auto& delivery : deliveries) {
    EXPECT_EQ(delivery.telegram_status, "sent") << delivery.telegram_error;
  }
  EXPECT_EQ(api.request_count(), 3U);
}

TEST(TelegramSender, SubmitAfterStop_IsRecordedFailedAtOnce) {
  FakeBotApi api;
  RecordingSink sink;
  auto sender = make_sender(api.url(), sink);
  ASSERT_NE(sender, nullptr);
  sender->stop(in(milliseconds{1000}));
  sender->submit(99, "too late");
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].id, 99);
  EXPECT_EQ(deliveries[0].telegram_status, "failed");
  EXPECT_EQ(deliveries[0].telegram_error, "telegram sender stopped");
  EXPECT_EQ(api.request_count(), 0U);
}

TEST(TelegramSender, DestructorWithAlertsQueued_RecordsThemFailed) {
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.retry_initial_delay = std::chrono::seconds{30};
  options.retry_max_delay = std::chrono::seconds{30};
  {
    auto sender = make_sender("http://127.0.0.1:" + std::to_string(testing::unused_port()), sink, options);
    ASSERT_NE(sender, nullptr);
    sender->submit(1, "one");
    sender->submit(2, "two");
  }
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 2U);
  for (const auto& delivery : deliveries) {
    EXPECT_EQ(delivery.telegram_status, "failed");
  }
}

class TelegramSenderLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::init(log::Format::kHuman, spdlog::level::debug,
              std::make_shared<spdlog::sinks::ostream_sink_mt>(out_, true));
  }
  void TearDown() override { log::init(log::Format::kHuman, spdlog::level::info); }
  std::ostringstream out_;
};

TEST_F(TelegramSenderLogTest, FailuresAreLoggedAsWarningsWithoutTheToken) {
  FakeBotApi api([](int, const BotRequest&) { return BotAnswer{.never_answer = true}; });
  RecordingSink sink;
  TelegramSenderOptions options = quick_options();
  options.request_timeout = milliseconds{200};
  options.max_attempts = 2;
  auto sender = make_sender(api.url(), sink, options);
  ASSERT_NE(sender, nullptr);
  sender->submit(1, "hello");
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  sender->stop(in(milliseconds{1000}));
  const std::string logged = out_.str();
  EXPECT_NE(logged.find("warn"), std::string::npos) << logged;
  EXPECT_NE(logged.find("telegram delivery failed"), std::string::npos) << logged;
  EXPECT_EQ(logged.find(kToken), std::string::npos) << logged;
}

TEST(TelegramSender, Create_RefusesBadArguments) {
  RecordingSink sink;
  const auto no_token = TelegramSender::create("http://127.0.0.1:1", config::SecretString(), "1", sink);
  ASSERT_FALSE(no_token);
  EXPECT_EQ(no_token.error().code, ErrorCode::kUnauthenticated);
  const auto no_chat = TelegramSender::create("http://127.0.0.1:1", token(), "", sink);
  ASSERT_FALSE(no_chat);
  EXPECT_EQ(no_chat.error().code, ErrorCode::kInvalidArgument);
  const auto bad_url = TelegramSender::create("ftp://example.org", token(), "1", sink);
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().code, ErrorCode::kInvalidArgument);
  const auto slash_token =
      TelegramSender::create("http://127.0.0.1:1", config::SecretString("12:ab/../x"), "1", sink);
  ASSERT_FALSE(slash_token);
  EXPECT_EQ(slash_token.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(slash_token.error().message.find("ab/../x"), std::string::npos);
  TelegramSenderOptions zero_attempts;
  zero_attempts.max_attempts = 0;
  EXPECT_FALSE(TelegramSender::create("http://127.0.0.1:1", token(), "1", sink, zero_attempts));
  TelegramSenderOptions zero_interval;
  zero_interval.rate_interval = Duration::zero();
  EXPECT_FALSE(TelegramSender::create("http://127.0.0.1:1", token(), "1", sink, zero_interval));
}

TEST(TelegramSender, FromConfig_DisabledGivesNoSenderAndEnabledNeedsTheToken) {
  RecordingSink sink;
  config::AlertsConfig alerts;
  config::Secrets secrets;
  const auto disabled = make_telegram_sender(alerts, secrets, sink);
  ASSERT_TRUE(disabled) << disabled.error();
  EXPECT_EQ(*disabled, nullptr);

  alerts.telegram_enabled = true;
  alerts.telegram_chat_id = "@channel";
  const auto missing = make_telegram_sender(alerts, secrets, sink);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(missing.error().message.find("KIMP_TELEGRAM_BOT_TOKEN"), std::string::npos) << missing.error();

  FakeBotApi api;
  alerts.telegram_api_url = api.url();
  secrets[config::SecretName::kTelegramBotToken].value = token();
  auto enabled = make_telegram_sender(alerts, secrets, sink, quick_options());
  ASSERT_TRUE(enabled) << enabled.error();
  ASSERT_NE(*enabled, nullptr);
  (*enabled)->submit(1, "hello");
  ASSERT_TRUE(sink.wait_for_deliveries(1));
  ASSERT_EQ(api.request_count(), 1U);
  EXPECT_EQ(boost::json::parse(api.requests()[0].body).at("chat_id").as_string(), "@channel");
}

}  // namespace
}  // namespace kimp::alerts
