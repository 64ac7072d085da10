// The fake Bot API server (Beast on its own thread) and the recording sink.
#include "alerts/fake_bot_api.hpp"

#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace kimp::alerts::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct FakeBotApi::Impl {
  explicit Impl(Script answer_script)
      : script(std::move(answer_script)),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      auto [read_error, read] = co_await http::async_read(stream, buffer, request, kUseTuple);
      if (read_error) {
        co_return;
      }
      BotRequest seen{std::string(request.method_string()), std::string(request.target()),
                      std::string(request[http::field::content_type]), request.body()};
      int index = 0;
      {
        const std::lock_guard lock(mutex);
        index = static_cast<int>(requests.size());
        requests.push_back(seen);
      }
      const BotAnswer answer = script ? script(index, seen) : BotAnswer{};
      if (answer.never_answer) {
        asio::steady_timer forever(io, std::chrono::hours{1});
        co_await forever.async_wait(kUseTuple);
        co_return;
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "application/json");
      response.body() = answer.body;
      response.keep_alive(true);
      response.prepare_payload();
      auto [write_error, written] = co_await http::async_write(stream, response, kUseTuple);
      if (write_error) {
        co_return;
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
      if (error) {
        co_return;
      }
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }

  Script script;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<BotRequest> requests;
};

FakeBotApi::FakeBotApi(Script script) : impl_(std::make_unique<Impl>(std::move(script))) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

FakeBotApi::~FakeBotApi() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeBotApi::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

std::vector<BotRequest> FakeBotApi::requests() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t FakeBotApi::request_count() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->requests.size();
}

std::uint16_t unused_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

void RecordingSink::enqueue(storage::StorageRecord record) {
  {
    const std::lock_guard lock(mutex_);
    records_.push_back(std::move(record));
  }
  changed_.notify_all();
}

std::vector<storage::StorageRecord> RecordingSink::records() const {
  const std::lock_guard lock(mutex_);
  return records_;
}

std::vector<storage::AlertRow> RecordingSink::rows() const {
  std::vector<storage::AlertRow> out;
  for (const auto& record : records()) {
    if (const auto* row = std::get_if<storage::AlertRow>(&record)) {
      out.push_back(*row);
    }
  }
  return out;
}

std::vector<storage::AlertDelivery> RecordingSink::deliveries() const {
  std::vector<storage::AlertDelivery> out;
  for (const auto& record : records()) {
    if (const auto* delivery = std::get_if<storage::AlertDelivery>(&record)) {
      out.push_back(*delivery);
    }
  }
  return out;
}

bool RecordingSink::wait_for_deliveries(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] {
    std::size_t seen = 0;
    for (const auto& record : records_) {
      seen += std::holds_alternative<storage::AlertDelivery>(record) ? 1 : 0;
    }
    return seen >= count;
  });
}

}  // namespace kimp::alerts::testing
