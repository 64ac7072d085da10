// One blocking HTTP request to 127.0.0.1 on a fresh connection, for end-to-end tests that talk to a child
// process (the emulator's admin API, raw venue calls).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace kimp::e2e {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// Status 0 when the connection failed or no answer came within `timeout`.
inline HttpAnswer http_request(std::uint16_t port, boost::beast::http::verb verb, const std::string& target,
                               const std::string& body = {},
                               const std::vector<std::pair<std::string, std::string>>& headers = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context io;
  beast::tcp_stream stream(io);
  boost::system::error_code error;
  stream.expires_after(timeout);
  HttpAnswer answer;
  stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                       [&](boost::system::error_code connected) { error = connected; });
  io.run();
  if (error) {
    return {};
  }
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) {
    request.set(name, value);
  }
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::async_write(stream, request, [&](boost::system::error_code written, std::size_t) {
    if (written) {
      return;
    }
    http::async_read(stream, buffer, response, [&](boost::system::error_code read, std::size_t) {
      if (!read) {
        answer = {response.result_int(), response.body()};
      }
    });
  });
  io.restart();
  io.run();
  return answer;
}

}  // namespace kimp::e2e
