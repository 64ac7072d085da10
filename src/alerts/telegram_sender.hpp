// Telegram Bot API sender on its own thread: a queue, one message per interval, coalescing and retries.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "config/secret_string.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/records.hpp"

namespace kimp::config {
struct AlertsConfig;
struct Secrets;
}  // namespace kimp::config

namespace kimp::alerts {

// Telegram counts a message's length in UTF-16 code units; sendMessage refuses more than this.
inline constexpr std::size_t kTelegramMaxMessageLength = 4096;

struct TelegramSenderOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};  // one sendMessage call, until its answer is read
  // At most one message per interval: Telegram's limit for one chat is about one message a second.
  Duration rate_interval = std::chrono::seconds{1};
  // Requests per message, the first included, before it is given up; 429 waits count as attempts.
  std::uint32_t max_attempts = 5;
  // Backoff between attempts after a 5xx, a failed connection or a timeout (doubling, with jitter).
  Duration retry_initial_delay = std::chrono::seconds{1};
  Duration retry_max_delay = std::chrono::seconds{30};
  // A 429's parameters.retry_after is honoured up to this long.
  Duration max_retry_after = std::chrono::seconds{60};
  // Alerts waiting beyond this many are recorded failed at once instead of queued.
  std::size_t max_queued = 1000;
  // Coalesced texts are joined up to this length (in UTF-16 code units); a longer text is cut short.
  std::size_t max_message_length = kTelegramMaxMessageLength;
  std::uint64_t backoff_seed = 1;
  std::string extra_ca_pem;  // PEM certificates trusted besides the system's (tests)
};

struct TelegramCounters {
  std::uint64_t submitted = 0;     // alerts handed to submit()
  std::uint64_t sent = 0;          // alerts recorded sent
  std::uint64_t failed = 0;        // alerts recorded failed
  std::uint64_t coalesced = 0;     // alerts that shared a message with an earlier alert
  std::uint64_t messages = 0;      // messages Telegram accepted
  std::uint64_t requests = 0;      // sendMessage calls, retries included
  std::uint64_t retries = 0;       // requests after the first of their message
  std::uint64_t rate_limited = 0;  // 429 answers

  bool operator==(const TelegramCounters&) const = default;
};

// Delivers alert texts to one chat through POST {api_url}/bot<TOKEN>/sendMessage, on a thread and
// io_context of its own so that a slow or unreachable Telegram never holds up the event loop.
//
// Every alert submitted ends with exactly one AlertDelivery written to the sink: "sent" with its
// sent_at, or "failed" with the reason (a 4xx other than 429 at once; 429, 5xx, connection failures and
// timeouts after max_attempts; a full queue; shutdown). Error texts never contain the bot token, which
// is also registered with log::add_redaction. Alerts waiting when a message may go out are coalesced
// into it, one per line, and each gets its own AlertDelivery. Failures are logged as warnings and never
// alerted about.
//
// submit() and counters() may be called from any thread; stop() and the destructor from one.
class TelegramSender {
 public:
  // `sink` must outlive the sender. Errors: kInvalidArgument for a bad api_url (see
  // net::parse_http_endpoint), an empty chat id, a non-positive interval, delay or timeout, zero
  // max_attempts, max_queued or max_message_length, or an extra_ca_pem OpenSSL cannot read;
  // kUnauthenticated for an empty token.
  static Result<std::unique_ptr<TelegramSender>> create(std::string_view api_url,
                                                        const config::SecretString& bot_token,
                                                        std::string chat_id, storage::RecordSink& sink,
                                                        TelegramSenderOptions options = {});
  TelegramSender(const TelegramSender&) = delete;
  TelegramSender& operator=(const TelegramSender&) = delete;
  // stop() with a deadline of now: whatever is still queued is recorded failed.
  ~TelegramSender();

  // Queues one alert's text. Never blocks on the network. After stop(), or with max_queued alerts
  // waiting, the alert is recorded failed at once.
  void submit(std::int64_t alert_id, std::string text);

  // Takes no more alerts, keeps delivering the queued ones until `deadline`, then records the rest
  // (a message in flight included) failed with "shutdown before delivery" and joins the thread.
  // Idempotent.
  void stop(std::chrono::steady_clock::time_point deadline);

  [[nodiscard]] TelegramCounters counters() const;

  struct Impl;

 private:
  explicit TelegramSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The sender alerts.telegram_* and KIMP_TELEGRAM_BOT_TOKEN describe, or null when Telegram is disabled.
// Errors: kUnauthenticated when enabled without a token, and those of TelegramSender::create.
Result<std::unique_ptr<TelegramSender>> make_telegram_sender(const config::AlertsConfig& config,
                                                             const config::Secrets& secrets,
                                                             storage::RecordSink& sink,
                                                             TelegramSenderOptions options = {});

}  // namespace kimp::alerts
