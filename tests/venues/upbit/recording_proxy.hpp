// An HTTP proxy on 127.0.0.1 that forwards every request to a loopback port and records when it arrived,
// so a test sees the instants a client's requests reached the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "app/loopback_http.hpp"

namespace kimp::venues::upbit::testing {

class RecordingProxy {
 public:
  explicit RecordingProxy(std::uint16_t upstream_port)
      : upstream_port_(upstream_port), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;
  ~RecordingProxy() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Arrival instants of the requests whose target starts with `path`, in arrival order.
  [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> arrivals(const std::string& path) const {
    std::lock_guard lock(mutex_);
    std::vector<std::chrono::steady_clock::time_point> out;
    for (const auto& [target, at] : arrivals_) {
      if (target.starts_with(path)) {
        out.push_back(at);
      }
    }
    return out;
  }

  // Answers with this status that the proxy passed back for requests to `path`.
  [[nodiscard]] int answered(const std::string& path, unsigned status) const {
    std::lock_guard lock(mutex_);
    int count = 0;
    for (const auto& [target, answer] : statuses_) {
      count += target.starts_with(path) && answer == status ? 1 : 0;
    }
    return count;
  }

 private:
  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      boost::asio::co_spawn(io_, session(std::move(socket)), boost::asio::detached);
    }
  }

  // One keep-alive connection: each request is forwarded on a fresh upstream connection (blocking this
  // proxy's thread, which only serialises the forwarding; the arrival is recorded first).
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code error;
      co_await http::async_read(socket, buffer, request,
                                boost::asio::redirect_error(boost::asio::use_awaitable, error));
      if (error) {
        co_return;
      }
      const std::string target(request.target());
      {
        std::lock_guard lock(mutex_);
        arrivals_.emplace_back(target, std::chrono::steady_clock::now());
      }
      std::vector<std::pair<std::string, std::string>> headers;
      for (const auto& field : request) {
        if (field.name() == http::field::authorization) {
          headers.emplace_back("Authorization", std::string(field.value()));
        }
      }
      const e2e::HttpAnswer answer =
          e2e::http_request(upstream_port_, request.method(), target, request.body(), headers);
      {
        std::lock_guard lock(mutex_);
        statuses_.emplace_back(target, answer.status);
      }
      http::response<http::string_body> response{
          static_cast<http::status>(answer.status == 0 ? 502 : answer.status), 11};
      response.set(http::field::content_type, "application/json");
      response.body() = answer.body;
      response.keep_alive(true);
      response.prepare_payload();
      co_await http::async_write(socket, response,
                                 boost::asio::redirect_error(boost::asio::use_awaitable, error));
      if (error) {
        co_return;
      }
    }
  }

  std::uint16_t upstream_port_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> arrivals_;
  std::vector<std::pair<std::string, unsigned>> statuses_;
};

}  // namespace kimp::venues::upbit::testing
