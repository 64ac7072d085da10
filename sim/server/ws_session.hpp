// WebSocket sessions of the emulator's servers: what venue streams push through and are told about.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"
#include "sim/server/http_server.hpp"

namespace kimp::sim {

enum class WsFrame : std::uint8_t { kText, kBinary };

// What a message is to fault injection: control replies (acks, pongs, auth results) are never tampered
// with; snapshots may be malformed or lost in a stall; deltas may also be dropped, duplicated or
// delivered out of order.
enum class WsMessageKind : std::uint8_t { kControl, kSnapshot, kDelta };

// One client connection, created by the server when an upgrade succeeds. Streams keep shared_ptrs to
// push to it and must release them in WsEndpoint::on_close. Every method runs on the server's thread.
class WsSession {
 public:
  WsSession() = default;
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;
  virtual ~WsSession() = default;

  // Unique per server process, never reused.
  [[nodiscard]] virtual std::uint64_t id() const = 0;
  // The upgrade request: path, query and headers as the client sent them.
  [[nodiscard]] virtual const HttpRequest& upgrade() const = 0;
  // When the upgrade completed (server clock).
  [[nodiscard]] virtual Timestamp opened_at() const = 0;
  // False once closing, reset or gone; sends are then ignored.
  [[nodiscard]] virtual bool is_open() const = 0;

  // Queues one message; messages leave in the order sent, after the route's faults were applied. A client
  // that stops reading while more than 64 MiB wait is disconnected, as the venues drop slow consumers.
  virtual void send(std::string message, WsFrame frame, WsMessageKind kind) = 0;
  // Sends a close frame with `code` and `reason` after the queued messages, then closes.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  // Drops the TCP connection at once with no close frame: a network failure as the client sees it.
  virtual void reset() = 0;
  // Closes with code 1000 when no message has arrived from the client for `idle` (counted from now);
  // nullopt turns the watchdog off.
  virtual void set_idle_timeout(std::optional<Duration> idle) = 0;

  // Messages handed to send() and frames actually written, for tests and benchmarks.
  [[nodiscard]] virtual std::uint64_t messages_sent() const = 0;
  [[nodiscard]] virtual std::uint64_t frames_written() const = 0;
};

// A venue stream behind one WebSocket path. Runs on the server's thread.
class WsEndpoint {
 public:
  WsEndpoint() = default;
  WsEndpoint(const WsEndpoint&) = delete;
  WsEndpoint& operator=(const WsEndpoint&) = delete;
  virtual ~WsEndpoint() = default;

  // Asked before the upgrade is accepted: nullopt accepts; a response refuses the upgrade with it
  // (Upbit answers 429 past 5 connections per second).
  [[nodiscard]] virtual std::optional<HttpResponse> admit(const HttpRequest& upgrade) = 0;
  virtual void on_open(const std::shared_ptr<WsSession>& session) = 0;
  // One complete message from the client.
  virtual void on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                          WsFrame frame) = 0;
  // Exactly once per opened session, whoever closed it; the endpoint must drop its references.
  virtual void on_close(const WsSession& session) = 0;
};

}  // namespace kimp::sim
