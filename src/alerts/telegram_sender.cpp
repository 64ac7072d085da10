// Telegram sender: the queue, the sending coroutine with its rate limit, coalescing, retries and shutdown.
#include "alerts/telegram_sender.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "config/config.hpp"
#include "config/secrets.hpp"
#include "core/backoff.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "net/http_client.hpp"

namespace kimp::alerts {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kShutdownError = "shutdown before delivery";
constexpr std::size_t kMaxDescriptionLength = 200;

struct Pending {
  std::int64_t id = 0;
  std::string text;
};

// The UTF-16 length Telegram counts: one unit per code point, two for those beyond U+FFFF (4-byte UTF-8).
std::size_t utf16_length(std::string_view text) {
  std::size_t units = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0U) != 0x80U) {
      units += byte >= 0xF0U ? 2 : 1;
    }
  }
  return units;
}

// `text` cut at a code point boundary so that it and a trailing "…" fit in `max_units`.
std::string shorten(std::string text, std::size_t max_units) {
  constexpr std::string_view kEllipsis = "\u2026";
  if (utf16_length(text) <= max_units) {
    return text;
  }
  const std::size_t budget = max_units > 0 ? max_units - 1 : 0;
  std::size_t units = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    const auto lead = static_cast<unsigned char>(text[end]);
    const std::size_t bytes = lead >= 0xF0U ? 4 : lead >= 0xE0U ? 3 : lead >= 0xC0U ? 2 : 1;
    const std::size_t cost = lead >= 0xF0U ? 2 : 1;
    if (units + cost > budget || end + bytes > text.size()) {
      break;
    }
    units += cost;
    end += bytes;
  }
  text.resize(end);
  text += kEllipsis;
  return text;
}

// Every occurrence of `secret` in `text` replaced by "***".
std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) {
    return text;
  }
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

bool plausible_token(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '-';
  });
}

// What one sendMessage answer means for the message.
struct Verdict {
  enum class Kind : std::uint8_t { kSent, kRetry, kFail };
  Kind kind = Kind::kFail;
  std::string error;                    // for kRetry and kFail
  std::optional<Duration> retry_after;  // a 429's parameters.retry_after
};

// The Bot API's error answer: {"ok":false,"error_code":429,"description":"...","parameters":{...}}.
struct BotApiError {
  std::string description;
  std::optional<std::int64_t> retry_after_seconds;
};

BotApiError parse_bot_api_error(std::string_view body) {
  BotApiError out;
  boost::system::error_code parse_error;
  const json::value document = json::parse(json::string_view(body.data(), body.size()), parse_error);
  if (parse_error || !document.is_object()) {
    out.description = std::string(body.substr(0, kMaxDescriptionLength));
    return out;
  }
  const json::object& object = document.get_object();
  if (const json::value* description = object.if_contains("description");
      description != nullptr && description->is_string()) {
    out.description = std::string(description->get_string().subview(0, kMaxDescriptionLength));
  }
  if (const json::value* parameters = object.if_contains("parameters");
      parameters != nullptr && parameters->is_object()) {
    if (const json::value* retry_after = parameters->get_object().if_contains("retry_after");
        retry_after != nullptr && retry_after->is_int64()) {
      out.retry_after_seconds = retry_after->get_int64();
    }
  }
  return out;
}

Verdict judge(const Result<net::HttpResponse>& response) {
  if (!response) {
    const bool retry = response.error().code == ErrorCode::kUnavailable ||
                       response.error().code == ErrorCode::kDeadlineExceeded;
    return {retry ? Verdict::Kind::kRetry : Verdict::Kind::kFail, response.error().describe(), std::nullopt};
  }
  const unsigned status = response->status;
  if (status / 100 == 2) {
    return {Verdict::Kind::kSent, {}, std::nullopt};
  }
  const BotApiError answer = parse_bot_api_error(response->body);
  std::string error = answer.description.empty() ? fmt::format("HTTP {}", status)
                                                 : fmt::format("HTTP {}: {}", status, answer.description);
  if (status == 429) {
    std::optional<Duration> wait;
    if (answer.retry_after_seconds && *answer.retry_after_seconds >= 0) {
      wait = std::chrono::seconds{*answer.retry_after_seconds};
    }
    return {Verdict::Kind::kRetry, std::move(error), wait};
  }
  if (status / 100 == 5) {
    return {Verdict::Kind::kRetry, std::move(error), std::nullopt};
  }
  return {Verdict::Kind::kFail, std::move(error), std::nullopt};
}

}  // namespace

struct TelegramSender::Impl {
  Impl(const std::string& bot_token, std::string chat, storage::RecordSink& record_sink,
       TelegramSenderOptions sender_options, Backoff retry_backoff)
      : token(bot_token),
        target("/bot" + bot_token + "/sendMessage"),
        chat_id(std::move(chat)),
        sink(&record_sink),
        options(std::move(sender_options)),
        backoff(retry_backoff) {}

  // Fixed at creation.
  std::string token;
  std::string target;
  std::string chat_id;
  storage::RecordSink* sink;
  TelegramSenderOptions options;
  log::Logger log{"alerts.telegram"};

  // The sender's thread; `http` is declared after `io` so that it is destroyed first.
  asio::io_context io;
  std::unique_ptr<net::HttpClient> http;
  asio::steady_timer wake{io};      // the idle wait for alerts, cancelled by submit()
  asio::steady_timer delay{io};     // rate-limit and retry waits
  asio::steady_timer deadline{io};  // stop()'s deadline
  WallClock clock{io.get_executor()};
  Backoff backoff;
  SteadyClock::time_point next_send{};  // no request before this
  bool stopping = false;                // stop() called: leave once the queue is empty
  bool abandoned = false;               // the deadline passed: record everything failed and leave
  std::thread thread;

  // Shared with the threads that submit.
  std::mutex mutex;
  std::deque<Pending> queue;
  bool accepting = true;

  bool stopped = false;  // stop() has run; the owner's thread only

  std::atomic<std::uint64_t> submitted{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> coalesced{0};
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> rate_limited{0};

  // Counters first, so that whoever sees a delivery in the sink sees it counted.
  void record_sent(const std::vector<Pending>& batch) {
    sent += batch.size();
    ++messages;
    const Timestamp sent_at = clock.now();
    for (const Pending& alert : batch) {
      storage::AlertDelivery delivery{
          .id = alert.id, .telegram_status = "sent", .telegram_error = {}, .telegram_sent_at = sent_at};
      sink->enqueue(std::move(delivery));
    }
  }

  // Called from the sender's thread and, after it has ended, from stop()'s.
  void record_failed(const std::vector<Pending>& batch, const std::string& reason) {
    if (batch.empty()) {
      return;
    }
    failed += batch.size();
    const std::string error = scrub(reason, token);
    for (const Pending& alert : batch) {
      storage::AlertDelivery delivery{.id = alert.id,
                                      .telegram_status = "failed",
                                      .telegram_error = error,
                                      .telegram_sent_at = std::nullopt};
      sink->enqueue(std::move(delivery));
    }
    log.warn("telegram delivery failed; the alerts stay recorded in the database",
             {{"alerts", batch.size()}, {"first_alert_id", batch.front().id}, {"error", error}});
  }

  // The alerts at the front of the queue whose texts, one per line, fit in one message.
  std::vector<Pending> take_batch() {
    std::vector<Pending> batch;
    std::size_t length = 0;
    const std::lock_guard lock(mutex);
    while (!queue.empty()) {
      Pending& next = queue.front();
      if (batch.empty()) {
        next.text = shorten(std::move(next.text), options.max_message_length);
        length = utf16_length(next.text);
      } else {
        const std::size_t joined = length + 1 + utf16_length(next.text);
        if (joined > options.max_message_length) {
          break;
        }
        length = joined;
      }
      batch.push_back(std::move(next));
      queue.pop_front();
    }
    if (batch.size() > 1) {
      coalesced += batch.size() - 1;
    }
    return batch;
  }

  void begin_stop(SteadyClock::time_point at) {
    stopping = true;
    wake.cancel();
    deadline.expires_at(at);
    deadline.async_wait([this](boost::system::error_code error) {
      if (!error) {
        abandon();
      }
    });
  }

  void abandon() {
    abandoned = true;
    wake.cancel();
    delay.cancel();
    http->close();
  }

  // Waits until `until` unless abandoned meanwhile; false when abandoned.
  asio::awaitable<bool> wait_until(SteadyClock::time_point until) {
    if (abandoned) {
      co_return false;
    }
    if (until > SteadyClock::now()) {
      delay.expires_at(until);
      co_await delay.async_wait(kUseTuple);
    }
    co_return !abandoned;
  }

  // True once an alert is queued; false when the sender is to leave.
  asio::awaitable<bool> wait_for_alerts() {
    while (!abandoned) {
      bool any = false;
      {
        const std::lock_guard lock(mutex);
        any = !queue.empty();
      }
      if (any) {
        co_return true;
      }
      if (stopping) {
        co_return false;
      }
      wake.expires_at(SteadyClock::time_point::max());
      co_await wake.async_wait(kUseTuple);
    }
    co_return false;
  }

  net::HttpRequest send_message_request(const std::string& text) const {
    json::object body;
    body["chat_id"] = json::string_view(chat_id.data(), chat_id.size());
    body["text"] = json::string_view(text.data(), text.size());
    net::HttpRequest request;
    request.method = boost::beast::http::verb::post;
    request.target = target;
    request.body = json::serialize(body);
    request.headers.emplace_back("Content-Type", "application/json");
    return request;
  }

  // Sends one (coalesced) message, retrying as its answers allow, and records every alert's outcome.
  asio::awaitable<void> deliver(std::vector<Pending> batch) {
    std::string text;
    for (const Pending& alert : batch) {
      if (!text.empty()) {
        text += '\n';
      }
      text += alert.text;
    }
    backoff.reset();
    std::string last_error;
    for (std::uint32_t attempt = 1;; ++attempt) {
      if (!co_await wait_until(next_send)) {
        break;
      }
      next_send =
          SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(options.rate_interval);
      ++requests;
      if (attempt > 1) {
        ++retries;
      }
      net::HttpRequest request = send_message_request(text);
      const Result<net::HttpResponse> response = co_await http->request(std::move(request));
      Verdict verdict = judge(response);
      if (verdict.kind == Verdict::Kind::kSent) {
        record_sent(batch);
        co_return;
      }
      if (abandoned) {
        last_error = std::move(verdict.error);
        break;
      }
      Duration wait{};
      if (response && response->status == 429) {
        ++rate_limited;
        wait = verdict.retry_after ? std::min(*verdict.retry_after, options.max_retry_after) : backoff.next();
        // The ban holds for every message, not only this one.
        next_send =
            std::max(next_send, SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(wait));
      }
      if (verdict.kind == Verdict::Kind::kFail) {
        record_failed(batch, verdict.error);
        co_return;
      }
      if (attempt >= options.max_attempts) {
        record_failed(batch, fmt::format("{} (gave up after {} attempts)", verdict.error, attempt));
        co_return;
      }
      if (!(response && response->status == 429)) {
        wait = backoff.next();
        next_send =
            std::max(next_send, SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(wait));
      }
      log.info("telegram send failed; retrying",
               {{"attempt", attempt},
                {"error", scrub(verdict.error, token)},
                {"retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()}});
      last_error = std::move(verdict.error);
    }
    record_failed(batch, last_error.empty() ? std::string(kShutdownError)
                                            : fmt::format("{}; last error: {}", kShutdownError, last_error));
  }

  asio::awaitable<void> run() {
    while (co_await wait_for_alerts()) {
      // Alerts that arrive during the rate wait ride along in the same message.
      if (!co_await wait_until(next_send)) {
        break;
      }
      std::vector<Pending> batch = take_batch();
      if (!batch.empty()) {
        co_await deliver(std::move(batch));
      }
    }
  }

  // The sender's coroutine has ended: nothing may keep the io_context running.
  void on_finished(const std::exception_ptr& failure) {
    if (failure) {
      log.error("telegram sender ended unexpectedly; queued alerts are recorded failed at shutdown");
    }
    deadline.cancel();
    wake.cancel();
    delay.cancel();
    http->close();
  }
};

Result<std::unique_ptr<TelegramSender>> TelegramSender::create(std::string_view api_url,
                                                               const config::SecretString& bot_token,
                                                               std::string chat_id, storage::RecordSink& sink,
                                                               TelegramSenderOptions options) {
  if (bot_token.empty()) {
    return make_error(ErrorCode::kUnauthenticated, "the Telegram bot token is empty");
  }
  if (!plausible_token(bot_token.reveal())) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the Telegram bot token has characters other than letters, digits, ':', '_' and '-'");
  }
  if (chat_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the Telegram chat id is empty");
  }
  if (options.rate_interval <= Duration::zero() || options.max_retry_after < Duration::zero()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the Telegram rate interval must be positive and max_retry_after not negative");
  }
  if (options.max_attempts == 0 || options.max_queued == 0 || options.max_message_length == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Telegram max_attempts, max_queued and max_message_length must be at least 1");
  }
  const BackoffConfig backoff_config{
      .initial = options.retry_initial_delay, .factor = 2.0, .cap = options.retry_max_delay, .jitter = 0.2};
  KIMP_TRY_ASSIGN(Backoff backoff, Backoff::create(backoff_config, options.backoff_seed));
  log::add_redaction(bot_token.reveal());

  auto impl =
      std::make_unique<Impl>(bot_token.reveal(), std::move(chat_id), sink, std::move(options), backoff);
  net::HttpClientOptions http_options;
  http_options.connect_timeout = impl->options.connect_timeout;
  http_options.request_timeout = impl->options.request_timeout;
  http_options.max_connections = 1;
  http_options.extra_ca_pem = impl->options.extra_ca_pem;
  KIMP_TRY_ASSIGN(impl->http,
                  net::HttpClient::create(impl->io.get_executor(), api_url, std::move(http_options)));

  Impl* state = impl.get();
  asio::co_spawn(state->io, state->run(),
                 [state](const std::exception_ptr& failure) { state->on_finished(failure); });
  state->thread = std::thread([state] { state->io.run(); });
  return std::unique_ptr<TelegramSender>(new TelegramSender(std::move(impl)));
}

TelegramSender::TelegramSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TelegramSender::~TelegramSender() {
  try {
    stop(SteadyClock::now());
  } catch (
      ...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the thread is joined in stop()
  }
}

void TelegramSender::submit(std::int64_t alert_id, std::string text) {
  ++impl_->submitted;
  std::string refused;
  {
    const std::lock_guard lock(impl_->mutex);
    if (!impl_->accepting) {
      refused = "telegram sender stopped";
    } else if (impl_->queue.size() >= impl_->options.max_queued) {
      refused = fmt::format("telegram queue full ({} alerts waiting)", impl_->queue.size());
    } else {
      impl_->queue.push_back(Pending{alert_id, std::move(text)});
    }
  }
  if (!refused.empty()) {
    std::vector<Pending> alone;
    alone.push_back(Pending{alert_id, {}});
    impl_->record_failed(alone, refused);
    return;
  }
  asio::post(impl_->io, [state = impl_.get()] { state->wake.cancel(); });
}

void TelegramSender::stop(std::chrono::steady_clock::time_point deadline) {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->accepting = false;
  }
  asio::post(impl_->io, [state = impl_.get(), deadline] { state->begin_stop(deadline); });
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
  std::vector<Pending> rest;
  {
    const std::lock_guard lock(impl_->mutex);
    rest.assign(std::make_move_iterator(impl_->queue.begin()), std::make_move_iterator(impl_->queue.end()));
    impl_->queue.clear();
  }
  impl_->record_failed(rest, std::string(kShutdownError));
}

TelegramCounters TelegramSender::counters() const {
  return {.submitted = impl_->submitted.load(),
          .sent = impl_->sent.load(),
          .failed = impl_->failed.load(),
          .coalesced = impl_->coalesced.load(),
          .messages = impl_->messages.load(),
          .requests = impl_->requests.load(),
          .retries = impl_->retries.load(),
          .rate_limited = impl_->rate_limited.load()};
}

Result<std::unique_ptr<TelegramSender>> make_telegram_sender(const config::AlertsConfig& config,
                                                             const config::Secrets& secrets,
                                                             storage::RecordSink& sink,
                                                             TelegramSenderOptions options) {
  if (!config.telegram_enabled) {
    return std::unique_ptr<TelegramSender>{};
  }
  const config::SecretString& token = secrets[config::SecretName::kTelegramBotToken].value;
  if (token.empty()) {
    return make_error(ErrorCode::kUnauthenticated,
                      fmt::format("alerts.telegram_enabled needs {}",
                                  config::env_name(config::SecretName::kTelegramBotToken)));
  }
  return TelegramSender::create(config.telegram_api_url, token, config.telegram_chat_id, sink,
                                std::move(options));
}

}  // namespace kimp::alerts
