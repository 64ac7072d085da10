// WebSocket connection loop: connect, subscribe, read/ping/watchdog/write per session, reconnect.
#include "net/ws_client.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "net/connect.hpp"

namespace kimp::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using SteadyClock = std::chrono::steady_clock;
using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<TlsStream>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kInitialReadBuffer = std::size_t{64} * 1024;

std::int64_t to_ms(Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

}  // namespace

struct WsStateSubscription::Registry {
  struct Entry {
    WsStateListener listener;
    bool removed = false;
  };

  void remove(std::uint64_t id) {
    const auto found = entries.find(id);
    if (found == entries.end()) {
      return;
    }
    if (publishing > 0) {
      found->second.removed = true;  // erased once the listener that may be running returns
    } else {
      entries.erase(found);
    }
  }

  void clear() {
    if (publishing > 0) {
      for (auto& [id, entry] : entries) {
        entry.removed = true;
      }
    } else {
      entries.clear();
    }
  }

  void publish(WsState state, std::string_view detail) {
    ++publishing;
    for (auto& [id, entry] : entries) {
      if (!entry.removed) {
        entry.listener(state, detail);
      }
    }
    if (--publishing == 0) {
      std::erase_if(entries, [](const auto& item) { return item.second.removed; });
    }
  }

  std::map<std::uint64_t, Entry> entries;
  std::uint64_t next_id = 0;
  int publishing = 0;
};

WsStateSubscription::WsStateSubscription(WsStateSubscription&& other) noexcept
    : registry_(std::move(other.registry_)), id_(std::exchange(other.id_, 0)) {}

WsStateSubscription& WsStateSubscription::operator=(WsStateSubscription&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::move(other.registry_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void WsStateSubscription::reset() {
  if (const auto registry = registry_.lock()) {
    registry->remove(id_);
  }
  registry_.reset();
  id_ = 0;
}

struct WsClient::Impl {
  Impl(const asio::any_io_executor& impl_executor, const Clock& impl_clock, Endpoint impl_endpoint,
       WsClientOptions impl_options, WsCallbacks impl_callbacks, Backoff impl_backoff,
       asio::ssl::context impl_ssl_context)
      : executor(impl_executor),
        clock(&impl_clock),
        endpoint(std::move(impl_endpoint)),
        options(std::move(impl_options)),
        callbacks(std::move(impl_callbacks)),
        backoff(impl_backoff),
        ssl_context(std::move(impl_ssl_context)),
        resolver(impl_executor),
        backoff_timer(impl_executor),
        keepalive_timer(impl_executor),
        write_signal(impl_executor),
        registry(std::make_shared<WsStateSubscription::Registry>()) {
    read_buffer.reserve(kInitialReadBuffer);
  }

  // Ends the current session (connecting or connected): closes its socket so every pending
  // operation completes, and wakes the session's timers. The first reason given is kept.
  void finish(std::string_view reason) {
    if (session_over) {
      return;
    }
    session_over = true;
    end_reason = reason;
    session_active = false;
    if (live_tcp != nullptr) {
      live_tcp->close();
    }
    keepalive_timer.cancel();
    write_signal.cancel();
  }

  void publish(WsState state, std::string_view detail) {
    if (stopped) {
      return;
    }
    logger.info("stream state", {{"url", url()}, {"state", to_string(state)}, {"detail", detail}});
    ++in_callback;
    registry->publish(state, detail);
    leave_callback();
  }

  void deliver(std::string_view frame, bool binary, Timestamp ts_recv) {
    if (stopped || !callbacks.on_message) {
      return;
    }
    ++in_callback;
    callbacks.on_message(frame, binary, ts_recv);
    leave_callback();
  }

  std::vector<std::string> subscription_frames() {
    if (stopped || !callbacks.subscriptions) {
      return {};
    }
    ++in_callback;
    std::vector<std::string> frames = callbacks.subscriptions();
    leave_callback();
    return frames;
  }

  HttpHeaders extra_headers() {
    if (stopped || !callbacks.handshake_headers) {
      return {};
    }
    ++in_callback;
    HttpHeaders headers = callbacks.handshake_headers();
    leave_callback();
    return headers;
  }

  // Callbacks are destroyed by stop(), or right after the one that called stop() returns.
  void leave_callback() {
    if (--in_callback == 0 && stopped) {
      release_callbacks();
    }
  }

  void release_callbacks() {
    callbacks = WsCallbacks{};
    registry->clear();
  }

  void enqueue(std::string frame) {
    outbound.push_back(std::move(frame));
    write_signal.cancel();
  }

  [[nodiscard]] std::string url() const {
    return fmt::format("{}://{}{}", endpoint.tls ? "wss" : "ws", endpoint.host_header(), endpoint.target);
  }

  asio::any_io_executor executor;
  const Clock* clock;
  Endpoint endpoint;
  WsClientOptions options;
  WsCallbacks callbacks;
  Backoff backoff;
  asio::ssl::context ssl_context;
  asio::ip::tcp::resolver resolver;
  asio::steady_timer backoff_timer;
  asio::steady_timer keepalive_timer;
  asio::steady_timer write_signal;  // never expires; cancelled to wake the writer
  std::shared_ptr<WsStateSubscription::Registry> registry;
  // Reused by every read of every connection, so reading allocates nothing once it has grown.
  beast::flat_buffer read_buffer;
  std::deque<std::string> outbound;
  beast::tcp_stream* live_tcp = nullptr;  // the current session's socket, while its stream exists
  SteadyClock::time_point last_message;
  std::string end_reason;
  WsStats stats;
  int in_callback = 0;
  bool started = false;
  bool stopped = false;
  bool session_over = true;
  bool session_active = false;  // connected and subscribed: send() is accepted
  bool resync_requested = false;
  bool ever_connected = false;
  log::Logger logger{"net.ws"};
};

namespace {

using Impl = WsClient::Impl;
using namespace boost::asio::experimental::awaitable_operators;

template <class Stream>
asio::awaitable<Status> open(Impl& impl, Stream& ws) {
  const Endpoint& endpoint = impl.endpoint;
  beast::tcp_stream& tcp = beast::get_lowest_layer(ws);
  Status connected = co_await connect_tcp(impl.resolver, tcp, endpoint, impl.options.connect_timeout);
  if constexpr (std::is_same_v<Stream, TlsWs>) {
    if (connected && !impl.session_over) {
      connected = co_await tls_handshake(ws.next_layer(), endpoint, impl.options.connect_timeout);
    }
  }
  if (!connected) {
    co_return connected;
  }
  if (impl.session_over) {
    co_return make_error(ErrorCode::kUnavailable, "connect abandoned");
  }
  // From here the WebSocket layer keeps its own handshake timer; the watchdog covers idleness.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = impl.options.connect_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator(
      [agent = impl.options.user_agent, headers = impl.extra_headers()](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, agent);
        for (const auto& [name, value] : headers) {
          request.set(name, value);
        }
      }));
  ws.read_message_max(impl.options.max_message_bytes);
  auto [upgrade_error] = co_await ws.async_handshake(endpoint.host_header(), endpoint.target, kUseTuple);
  if (upgrade_error) {
    co_return make_error(ErrorCode::kUnavailable,
                         fmt::format("WebSocket handshake with {} failed: {}", endpoint.host_header(),
                                     upgrade_error.message()));
  }
  co_return ok();
}

template <class Stream>
asio::awaitable<void> read_loop(Impl& impl, Stream& ws) {
  beast::flat_buffer& buffer = impl.read_buffer;
  while (!impl.session_over) {
    buffer.consume(buffer.size());
    auto [error, bytes] = co_await ws.async_read(buffer, kUseTuple);
    if (error) {
      impl.finish(error == websocket::error::closed ? std::string("closed by the server")
                                                    : fmt::format("read failed: {}", error.message()));
      break;
    }
    if (buffer.capacity() - buffer.size() < kWsFramePadding) {
      buffer.reserve(buffer.size() + kWsFramePadding);
    }
    impl.last_message = SteadyClock::now();
    ++impl.stats.messages;
    // A connection that delivers data is healthy: the next outage starts the backoff from 1 s again.
    if (impl.backoff.attempts() > 0) {
      impl.backoff.reset();
    }
    const auto data = buffer.cdata();
    impl.deliver(std::string_view(static_cast<const char*>(data.data()), data.size()), ws.got_binary(),
                 impl.clock->now());
  }
}

// Pings at ping_interval and closes the session when no message arrived within stale_after.
asio::awaitable<void> keepalive_loop(Impl& impl) {
  const WsClientOptions& options = impl.options;
  const bool pinging = options.ping_interval > Duration::zero();
  auto next_ping = SteadyClock::now() + options.ping_interval;
  auto next_check = SteadyClock::now() + options.stale_check_interval;
  while (!impl.session_over) {
    impl.keepalive_timer.expires_at(pinging ? std::min(next_ping, next_check) : next_check);
    co_await impl.keepalive_timer.async_wait(kUseTuple);
    if (impl.session_over) {
      break;
    }
    const auto now = SteadyClock::now();
    if (now >= next_check) {
      next_check = now + options.stale_check_interval;
      const Duration silent = now - impl.last_message;
      if (silent > options.stale_after) {
        ++impl.stats.stale;
        const std::string detail =
            fmt::format("no message for {} ms (limit {} ms)", to_ms(silent), to_ms(options.stale_after));
        impl.logger.warn("stream stale", {{"url", impl.url()}, {"detail", detail}});
        impl.publish(WsState::kStale, detail);
        impl.finish(detail);
        break;
      }
    }
    if (pinging && now >= next_ping) {
      next_ping = now + options.ping_interval;
      ++impl.stats.pings_sent;
      impl.enqueue(options.ping_payload);
    }
  }
}

template <class Stream>
asio::awaitable<void> write_loop(Impl& impl, Stream& ws) {
  while (!impl.session_over) {
    if (impl.outbound.empty()) {
      impl.write_signal.expires_at(asio::steady_timer::time_point::max());
      co_await impl.write_signal.async_wait(kUseTuple);
      continue;
    }
    const std::string frame = std::move(impl.outbound.front());
    impl.outbound.pop_front();
    ws.text(true);
    auto [error, bytes] = co_await ws.async_write(asio::buffer(frame), kUseTuple);
    if (error) {
      impl.finish(fmt::format("write failed: {}", error.message()));
    }
  }
}

// One connection from connect to close. Returns whether it was established.
template <class Stream>
asio::awaitable<bool> session(std::shared_ptr<Impl> impl, Stream ws) {
  impl->session_over = false;
  impl->end_reason.clear();
  impl->resync_requested = false;
  impl->outbound.clear();
  impl->live_tcp = &beast::get_lowest_layer(ws);
  const Status opened = co_await open(*impl, ws);
  bool established = false;
  if (!opened) {
    if (!impl->stopped) {
      impl->logger.warn("stream connect failed",
                        {{"url", impl->url()}, {"error", opened.error().describe()}});
    }
    impl->finish(opened.error().message);
  } else {
    ++impl->stats.connects;
    established = true;
    std::string failure;
    for (const std::string& frame : impl->subscription_frames()) {
      ws.text(true);
      auto [error, bytes] = co_await ws.async_write(asio::buffer(frame), kUseTuple);
      if (error || impl->session_over) {
        failure = fmt::format("subscription write failed: {}", error.message());
        break;
      }
    }
    if (!failure.empty()) {
      impl->finish(failure);
    } else if (!impl->session_over) {
      impl->session_active = true;
      impl->last_message = SteadyClock::now();
      impl->publish(impl->ever_connected ? WsState::kResynced : WsState::kConnected, impl->url());
      impl->ever_connected = true;
      if (!impl->session_over) {
        co_await (read_loop(*impl, ws) && keepalive_loop(*impl) && write_loop(*impl, ws));
      }
    }
  }
  impl->session_active = false;
  impl->live_tcp = nullptr;
  impl->outbound.clear();
  co_return established;
}

asio::awaitable<void> run(std::shared_ptr<Impl> impl) {
  bool wait_first = false;
  while (!impl->stopped) {
    if (wait_first) {
      impl->backoff_timer.expires_after(impl->backoff.next());
      co_await impl->backoff_timer.async_wait(kUseTuple);
      if (impl->stopped) {
        break;
      }
    }
    // The stream lives in the session's frame: it is closed and destroyed before the next one exists.
    const bool established = impl->endpoint.tls
                                 ? co_await session(impl, TlsWs(impl->executor, impl->ssl_context))
                                 : co_await session(impl, PlainWs(impl->executor));
    if (impl->stopped) {
      break;
    }
    if (established) {
      impl->publish(WsState::kDisconnected, impl->end_reason);
    }
    wait_first = !impl->resync_requested;
  }
}

}  // namespace

std::string_view to_string(WsState state) {
  switch (state) {
    case WsState::kConnected: return "connected";
    case WsState::kStale: return "stale";
    case WsState::kDisconnected: return "disconnected";
    case WsState::kResynced: return "resynced";
  }
  return "invalid";
}

WsClientOptions bybit_ws_options() {
  return WsClientOptions{};
}

WsClientOptions upbit_ws_options() {
  WsClientOptions options;
  options.ping_interval = std::chrono::seconds{60};
  options.ping_payload = "PING";
  return options;
}

Result<std::unique_ptr<WsClient>> WsClient::create(const asio::any_io_executor& executor, const Clock& clock,
                                                   std::string_view url, WsClientOptions options,
                                                   WsCallbacks callbacks) {
  KIMP_TRY_ASSIGN(Endpoint endpoint, parse_ws_endpoint(url));
  if (options.stale_after <= Duration::zero() || options.stale_check_interval <= Duration::zero() ||
      options.connect_timeout <= Duration::zero() || options.ping_interval < Duration::zero()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "WebSocket stale_after, stale_check_interval and connect_timeout must be positive and "
                      "ping_interval not negative");
  }
  if (options.stale_check_interval > options.stale_after) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("WebSocket stale_check_interval ({} ms) is longer than stale_after ({} ms)",
                                  to_ms(options.stale_check_interval), to_ms(options.stale_after)));
  }
  KIMP_TRY_ASSIGN(Backoff backoff, Backoff::create(options.backoff, options.backoff_seed));
  KIMP_TRY_ASSIGN(asio::ssl::context ssl_context, make_client_tls_context(options.extra_ca_pem));
  auto impl = std::make_shared<Impl>(executor, clock, std::move(endpoint), std::move(options),
                                     std::move(callbacks), backoff, std::move(ssl_context));
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

WsClient::~WsClient() {
  try {
    stop();
  } catch (
      ...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the socket closes with the object
  }
}

Status WsClient::set_callbacks(WsCallbacks callbacks) {
  if (impl_->started || impl_->stopped) {
    return make_error(ErrorCode::kFailedPrecondition, "WebSocket callbacks can only be set before start()");
  }
  impl_->callbacks = std::move(callbacks);
  return ok();
}

WsStateSubscription WsClient::subscribe_state(WsStateListener listener) {
  auto& registry = *impl_->registry;
  const std::uint64_t id = ++registry.next_id;
  if (!impl_->stopped) {
    registry.entries.emplace(id, WsStateSubscription::Registry::Entry{std::move(listener), false});
  }
  return WsStateSubscription(impl_->registry, id);
}

Status WsClient::start() {
  if (impl_->started || impl_->stopped) {
    return make_error(ErrorCode::kFailedPrecondition, "WebSocket client already started or stopped");
  }
  impl_->started = true;
  asio::co_spawn(impl_->executor, run(impl_), asio::detached);
  return ok();
}

void WsClient::stop() {
  Impl& impl = *impl_;
  if (impl.stopped) {
    return;
  }
  impl.stopped = true;
  impl.finish("stopped");
  impl.resolver.cancel();
  impl.backoff_timer.cancel();
  impl.outbound.clear();
  if (impl.in_callback == 0) {
    impl.release_callbacks();
  }
}

Status WsClient::send(std::string text) {
  if (!impl_->session_active) {
    return make_error(ErrorCode::kUnavailable, fmt::format("no live connection to {}", impl_->url()));
  }
  if (impl_->outbound.size() >= impl_->options.max_queued_frames) {
    return make_error(ErrorCode::kResourceExhausted, fmt::format("{} frames already wait to be sent to {}",
                                                                 impl_->outbound.size(), impl_->url()));
  }
  impl_->enqueue(std::move(text));
  return ok();
}

Status WsClient::request_resync(std::string_view reason) {
  if (!impl_->started || impl_->stopped) {
    return make_error(ErrorCode::kFailedPrecondition, "WebSocket client is not running");
  }
  if (impl_->session_active) {
    impl_->resync_requested = true;
    impl_->finish(fmt::format("resync requested: {}", reason));
  }
  return ok();
}

bool WsClient::connected() const {
  return impl_->session_active;
}

WsStats WsClient::stats() const {
  return impl_->stats;
}

const Endpoint& WsClient::endpoint() const {
  return impl_->endpoint;
}

}  // namespace kimp::net
