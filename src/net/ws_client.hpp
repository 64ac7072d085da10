// WebSocket client for one venue stream: keep-alive pings, staleness watchdog, reconnect with backoff,
// resubscription, and connection state events.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/backoff.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "net/endpoint.hpp"
#include "net/http_client.hpp"

namespace kimp {
class Clock;
}

namespace kimp::net {

enum class WsState : std::uint8_t {
  kConnected,     // the first connection after start() is up and every subscription frame was sent
  kStale,         // no message within stale_after: the connection is being closed and rebuilt
  kDisconnected,  // an established connection ended (the detail says why); a reconnect follows
  kResynced,      // a later connection is up with every subscription sent again: rebuild state from it
};

std::string_view to_string(WsState state);

// Bytes after every frame handed to on_message that are readable memory (their values are
// unspecified), so simdjson can parse the frame in place without copying it into a padded string.
inline constexpr std::size_t kWsFramePadding = 64;

struct WsClientOptions {
  Duration ping_interval = std::chrono::seconds{20};  // zero: no pings
  std::string ping_payload = R"({"op":"ping"})";      // sent as a text frame
  Duration stale_after = std::chrono::seconds{10};
  Duration stale_check_interval = std::chrono::seconds{5};  // at most stale_after
  Duration connect_timeout = std::chrono::seconds{5};       // resolve to WebSocket handshake done
  BackoffConfig backoff;                                    // between reconnects: 1, 2, 4 ... 30 s + jitter
  std::uint64_t backoff_seed = 1;
  std::size_t max_message_bytes = std::size_t{16} << 20U;
  std::size_t max_queued_frames = 1024;  // send() refuses more while the connection is slow
  std::string user_agent = "kimp";
  std::string extra_ca_pem;  // PEM certificates trusted besides the system's
};

// Bybit: {"op":"ping"} every 20 s, as Bybit recommends.
WsClientOptions bybit_ws_options();
// Upbit: text "PING" every 60 s (the server closes sessions idle for 120 s).
WsClientOptions upbit_ws_options();

struct WsCallbacks {
  // Every data frame. `frame` points into the client's read buffer: valid only during the call, with
  // kWsFramePadding readable bytes after it. `ts_recv` is the Clock's time on arrival.
  std::function<void(std::string_view frame, bool binary, Timestamp ts_recv)> on_message;
  // The frames to send after every (re)connect, before any other: subscriptions, authentication.
  std::function<std::vector<std::string>()> subscriptions;
  // Extra headers of each handshake request (Upbit's private stream: a fresh Authorization).
  std::function<HttpHeaders()> handshake_headers;
};

struct WsStats {
  std::uint64_t connects = 0;  // handshakes completed
  std::uint64_t messages = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t stale = 0;  // connections closed by the watchdog

  bool operator==(const WsStats&) const = default;
};

using WsStateListener = std::function<void(WsState state, std::string_view detail)>;

class WsClient;

// Keeps a state listener registered; unregisters it on destruction (safe after the client is gone).
class WsStateSubscription {
 public:
  WsStateSubscription() = default;
  WsStateSubscription(WsStateSubscription&& other) noexcept;
  WsStateSubscription& operator=(WsStateSubscription&& other) noexcept;
  WsStateSubscription(const WsStateSubscription&) = delete;
  WsStateSubscription& operator=(const WsStateSubscription&) = delete;
  ~WsStateSubscription() { reset(); }

  void reset();

  struct Registry;  // the client's listener list, defined with the client

 private:
  friend class WsClient;
  WsStateSubscription(std::weak_ptr<Registry> registry, std::uint64_t id)
      : registry_(std::move(registry)), id_(id) {}

  std::weak_ptr<Registry> registry_;
  std::uint64_t id_ = 0;
};

// One connection at a time to one URL, rebuilt on failure until stop(): a connection is fully closed
// and destroyed before the next connect starts. Runs on the executor given at creation; not
// thread-safe, use it from that executor's thread. Callbacks may call send(), request_resync() and
// stop(); they must not destroy the client.
class WsClient {
 public:
  // `clock` (for ts_recv) must outlive the client.
  // Errors: kInvalidArgument for a bad URL (see parse_ws_endpoint), invalid backoff settings, a
  // non-positive stale_after, connect_timeout or stale_check_interval, a stale_check_interval longer
  // than stale_after, a negative ping_interval, or an extra_ca_pem OpenSSL cannot read.
  static Result<std::unique_ptr<WsClient>> create(const boost::asio::any_io_executor& executor,
                                                  const Clock& clock, std::string_view url,
                                                  WsClientOptions options, WsCallbacks callbacks = {});
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;
  ~WsClient();

  // Replaces the callbacks. Errors: kFailedPrecondition once started.
  Status set_callbacks(WsCallbacks callbacks);

  // Listeners hear every state change, in order, until the subscription is destroyed or stop().
  [[nodiscard]] WsStateSubscription subscribe_state(WsStateListener listener);

  // Connects in the background and keeps reconnecting until stop().
  // Errors: kFailedPrecondition when already started or stopped (a client runs once).
  Status start();

  // Closes the connection at once (no close handshake) and ends every activity: no callback or
  // listener runs afterwards and every one of them is destroyed (after the current one returns, when
  // called from one). Idempotent; the destructor calls it.
  void stop();

  // Queues a text frame on the live connection.
  // Errors: kUnavailable when no connection is up (the subscriptions callback restores state after
  // the next connect); kResourceExhausted when max_queued_frames are already waiting.
  Status send(std::string text);

  // Drops the live connection and connects again at once (no backoff), resubscribing: for a sequence
  // gap in a book. A no-op while connecting. Errors: kFailedPrecondition when not running.
  Status request_resync(std::string_view reason);

  [[nodiscard]] bool connected() const;
  [[nodiscard]] WsStats stats() const;
  [[nodiscard]] const Endpoint& endpoint() const;

  struct Impl;

 private:
  explicit WsClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  // Shared with the connection loop, which winds down after stop() without touching a destroyed client.
  std::shared_ptr<Impl> impl_;
};

}  // namespace kimp::net
