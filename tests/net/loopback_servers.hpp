// Small HTTP and WebSocket servers on 127.0.0.1 (port 0) for the network-layer tests, each on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace kimp::net::testing {

// A self-signed certificate for 127.0.0.1 (IP SAN, CN 127.0.0.1) with its private key, both PEM.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};
TestCertificate make_self_signed_certificate();

enum class HttpMode : std::uint8_t {
  // 200, keep-alive, body "request N TARGET" (N counts requests over all connections); a target
  // "/status/NNN" is answered with that status and "Retry-After: 2".
  kAnswer,
  kNeverAnswer,       // reads the request and never answers
  kCloseAfterAnswer,  // answers as kAnswer, then closes the connection from its side
};

class LoopbackHttpServer {
 public:
  // With a certificate the server speaks HTTPS.
  explicit LoopbackHttpServer(HttpMode mode, const TestCertificate* certificate = nullptr);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url() const;

  std::atomic<int> connections_accepted{0};
  std::atomic<int> requests_seen{0};
  std::atomic<int> closes_done{0};  // connections this server has closed (kCloseAfterAnswer)
  std::atomic<int> tls_handshakes_failed{0};

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

class LoopbackWsServer {
 public:
  LoopbackWsServer();
  ~LoopbackWsServer();
  LoopbackWsServer(const LoopbackWsServer&) = delete;
  LoopbackWsServer& operator=(const LoopbackWsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path = "/ws") const;

  // Sends a frame to every open connection.
  void push(const std::string& frame, bool binary = false);
  // Pushes "tick N" to every connection every 10 ms while on.
  void set_streaming(bool on) { streaming_ = on; }
  // While stalled the server sends nothing: no ticks, no pongs, no pushes.
  void set_stalled(bool on) { stalled_ = on; }
  // Closes every open connection at the TCP level.
  void drop_all();

  // Text frames received, in order, over all connections.
  [[nodiscard]] std::vector<std::string> received() const;
  [[nodiscard]] int count_received(const std::string& frame) const;
  // Handshake request's header of that name on the latest connection.
  [[nodiscard]] std::string last_header(const std::string& name) const;

  std::atomic<int> accepted{0};
  std::atomic<int> open{0};
  std::atomic<int> max_open{0};

  struct Impl;

 private:
  friend struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<bool> streaming_{false};
  std::atomic<bool> stalled_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::vector<std::pair<std::string, std::string>> last_headers_;
};

// Runs `io` (the test thread's loop) until `done()` holds or `limit` passes; true when it holds.
template <class Predicate>
bool run_until(boost::asio::io_context& io, Predicate done,
               std::chrono::milliseconds limit = std::chrono::seconds{8}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    io.restart();
    if (io.run_for(std::chrono::milliseconds{5}) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
  }
  return true;
}

template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> operation, std::optional<T>* out) {
  *out = co_await std::move(operation);
}

// Runs one awaitable to completion on `io` and returns its value (nullopt when it did not finish in time).
template <class T>
std::optional<T> run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> operation,
                               std::chrono::milliseconds limit = std::chrono::seconds{8}) {
  std::optional<T> out;
  boost::asio::co_spawn(io, store_result(std::move(operation), &out), boost::asio::detached);
  run_until(
      io, [&] { return out.has_value(); }, limit);
  return out;
}

}  // namespace kimp::net::testing
