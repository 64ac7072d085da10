// A loopback WebSocket client for tests: upgrade, send, read with timeouts, and tell a close from a drop.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket.hpp>

#include "sim/server/ws_session.hpp"

namespace kimp::sim::testing {

// What one read() found.
struct WsRead {
  enum class Outcome : std::uint8_t {
    kMessage,  // `text` and `frame` hold one complete message
    kTimeout,  // nothing arrived in time; the connection is untouched and the next read() keeps waiting
    kClosed,   // the server sent a close frame: `close_code` and `close_reason` hold it
    kDropped,  // the connection ended without a close frame (reset, EOF, or it never opened)
  };

  Outcome outcome = Outcome::kTimeout;
  std::string text;
  WsFrame frame = WsFrame::kText;
  std::uint16_t close_code = 0;
  std::string close_reason;

  [[nodiscard]] bool is_message() const { return outcome == Outcome::kMessage; }
};

// The server's answer to the upgrade request.
struct WsUpgrade {
  unsigned status = 0;  // 101 when upgraded; the refusal's status (404, 429...); 0 when nothing answered
  std::string body;     // the refusal's body
  [[nodiscard]] bool upgraded() const { return status == 101; }
};

// One client connection on its own io_context, driven synchronously from the test thread: every call
// runs the io_context until its operation completes or its timeout passes, so the server must run on
// another thread (or io_context). A read that times out stays pending, so no message is ever lost and
// the WebSocket stream is never left half-read. Not thread-safe: use each client from one thread.
//
//   WsTestClient client;
//   ASSERT_TRUE(client.connect(port, "/websocket/v1").upgraded());
//   client.send_text(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]}])");
//   const WsRead read = client.read();
//   ASSERT_TRUE(read.is_message());
class WsTestClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  static constexpr std::chrono::milliseconds kDefaultTimeout{3000};

  // `timeout` bounds connect(), send_*() and close(), and is read()'s default.
  explicit WsTestClient(std::chrono::milliseconds timeout = kDefaultTimeout) : timeout_(timeout) {}
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;
  ~WsTestClient() { drop(); }

  // Connects to 127.0.0.1:`port` and asks to upgrade `path` (query included, "/v5/public/linear?x=1")
  // with `headers` added to the request. Call once per client.
  WsUpgrade connect(std::uint16_t port, std::string_view path, const Headers& headers = {}) {
    WsUpgrade upgrade;
    bool connected = false;
    boost::system::error_code error;
    ws_.next_layer().async_connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
        [&](boost::system::error_code connect_error) {
          error = connect_error;
          connected = true;
        });
    if (!run_until(connected) || error) {
      drop();
      return upgrade;
    }
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [headers](boost::beast::websocket::request_type& request) {
          for (const auto& [name, value] : headers) {
            request.set(name, value);
          }
        }));
    boost::beast::websocket::response_type response;
    bool handshaken = false;
    ws_.async_handshake(response, "127.0.0.1", std::string(path),
                        [&](boost::system::error_code handshake_error) {
                          error = handshake_error;
                          handshaken = true;
                        });
    if (!run_until(handshaken)) {
      drop();
      return upgrade;
    }
    upgrade.status = response.result_int();
    upgrade.body = response.body();
    open_ = !error;
    return upgrade;
  }

  // True from a successful upgrade until a close, a drop or a failed send.
  [[nodiscard]] bool is_open() const { return open_; }

  // Sends one message; false when the connection is not open or the write did not complete in time.
  bool send_text(std::string_view message) { return send(message, true); }
  bool send_binary(std::string_view message) { return send(message, false); }

  // The next message, or why there is none within `timeout` (the constructor's when unset). After
  // kClosed or kDropped every further read returns kDropped.
  WsRead read(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (!ready_ && !reading_) {
      if (!open_) {
        WsRead dropped;
        dropped.outcome = WsRead::Outcome::kDropped;
        return dropped;
      }
      start_read();
    }
    run_until(ready_, timeout.value_or(timeout_));
    if (!ready_) {
      return WsRead{};
    }
    return *std::exchange(ready_, std::nullopt);
  }

  // Every message until none arrives for `quiet`; when the connection ended instead, its kClosed or
  // kDropped read comes last.
  std::vector<WsRead> read_all(std::chrono::milliseconds quiet) {
    std::vector<WsRead> reads;
    for (;;) {
      WsRead next = read(quiet);
      if (next.outcome == WsRead::Outcome::kTimeout) {
        return reads;
      }
      const bool message = next.is_message();
      reads.push_back(std::move(next));
      if (!message) {
        return reads;
      }
    }
  }

  // Sends a close frame with `code` and waits for the server's answering close; false when it did not
  // come in time (the connection is then dropped). Messages still unread are discarded.
  bool close(std::uint16_t code = 1000) {
    if (!open_) {
      return false;
    }
    bool closed = false;
    boost::system::error_code error;
    ws_.async_close(boost::beast::websocket::close_reason(code), [&](boost::system::error_code close_error) {
      error = close_error;
      closed = true;
    });
    const bool answered = run_until(closed) && !error;
    open_ = false;
    drop();
    return answered;
  }

  // Ends the TCP connection without a close frame, as a client crash would.
  void drop() {
    open_ = false;
    boost::system::error_code ignored;
    ws_.next_layer().close(ignored);
    // Let aborted operations finish so none refers to this object after it is gone.
    io_.restart();
    io_.run_for(timeout_);
    reading_ = false;
  }

 private:
  void start_read() {
    reading_ = true;
    ws_.async_read(buffer_, [this](boost::system::error_code error, std::size_t /*bytes*/) {
      reading_ = false;
      WsRead read;
      if (!error) {
        read.outcome = WsRead::Outcome::kMessage;
        read.text = boost::beast::buffers_to_string(buffer_.data());
        read.frame = ws_.got_text() ? WsFrame::kText : WsFrame::kBinary;
        buffer_.consume(buffer_.size());
      } else {
        open_ = false;
        if (error == boost::beast::websocket::error::closed) {
          read.outcome = WsRead::Outcome::kClosed;
          read.close_code = ws_.reason().code;
          read.close_reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        } else {
          read.outcome = WsRead::Outcome::kDropped;
        }
      }
      ready_ = std::move(read);
    });
  }

  bool send(std::string_view message, bool text) {
    if (!open_) {
      return false;
    }
    ws_.text(text);
    bool written = false;
    boost::system::error_code error;
    ws_.async_write(boost::asio::buffer(message.data(), message.size()),
                    [&](boost::system::error_code write_error, std::size_t /*bytes*/) {
                      error = write_error;
                      written = true;
                    });
    if (!run_until(written) || error) {
      drop();
      return false;
    }
    return true;
  }

  // Runs handlers until `done` turns true or `timeout` passes; returns `done`.
  template <class Flag>
  bool run_until(const Flag& done, std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(timeout_);
    while (!done) {
      if (io_.stopped()) {
        io_.restart();
      }
      if (io_.run_one_until(deadline) == 0) {
        break;  // the deadline passed, or nothing is pending that could set `done`
      }
    }
    return static_cast<bool>(done);
  }

  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{io_};
  boost::beast::flat_buffer buffer_;
  std::optional<WsRead> ready_;
  bool reading_ = false;
  bool open_ = false;
};

}  // namespace kimp::sim::testing
