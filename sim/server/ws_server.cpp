// WebSocket sessions on Beast: upgrade, read loop, ordered writes through fault injection, timers, one end.
#include "sim/server/ws_server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket.hpp>

namespace kimp::sim::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Past this many bytes waiting for a client that does not read, the client is dropped, as the venues do.
constexpr std::size_t kSlowConsumerBytes = std::size_t{64} << 20U;
// How long a client may take to answer our close frame before the connection is dropped anyway.
constexpr std::chrono::seconds kCloseHandshakeTimeout{5};
constexpr std::uint16_t kInternalErrorCode = 1011;
constexpr std::size_t kMaxCloseReason = 123;  // RFC 6455: a close frame's payload is at most 125 bytes

std::atomic<std::uint64_t> last_session_id{0};

Timestamp wall_now() {
  return Timestamp::from_ns(
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// While corked, a BatchingSocket sends once this much is gathered.
constexpr std::size_t kFlushBytes = std::size_t{64} << 10U;
// Bytes a BatchingSocket gathers behind a write in flight before it makes writers wait.
constexpr std::size_t kBatchLimit = std::size_t{256} << 10U;

// One waiting completion handler. Boost 1.81's any_completion_handler move assignment wraps the handler in
// itself and recurses until the stack overflows, so the handler is only ever constructed in place and
// moved out.
template <class Signature>
class StoredHandler {
 public:
  explicit operator bool() const { return handler_.has_value(); }

  template <class Handler>
  void store(Handler&& handler) {
    handler_.emplace(std::forward<Handler>(handler));
  }

  template <class... Args>
  void complete(Args... args) {
    asio::any_completion_handler<Signature> handler(std::move(*handler_));
    handler_.reset();
    std::move(handler)(args...);
  }

 private:
  std::optional<asio::any_completion_handler<Signature>> handler_;
};

// The TCP socket under a session's WebSocket stream. Beast writes each frame separately; this stream
// copies every write into a batch, so a burst of small frames costs one send (and one wake-up of the
// reader) instead of one each. The session corks it while it drains its queue and uncorks it when the
// queue is empty; uncorked, a batch goes to the kernel as soon as the previous one is written. A write
// completes once copied; past kBatchLimit waiting it completes only when its batch is handed to the
// socket, which keeps a slow reader's backlog in the session's queue. At most one write at a time, as
// for any Asio stream (Beast's own write lock guarantees it).
class BatchingSocket {
 public:
  using executor_type = tcp::socket::executor_type;

  explicit BatchingSocket(tcp::socket socket) : state_(std::make_shared<State>(std::move(socket))) {}

  executor_type get_executor() { return state_->socket.get_executor(); }
  tcp::socket& next_layer() { return state_->socket; }

  // Holds small writes back until uncork(), as TCP_CORK does in the kernel.
  void cork() { state_->corked = true; }
  void uncork() {
    state_->corked = false;
    flush(state_);
  }

  template <class Buffers, class Handler>
  auto async_read_some(const Buffers& buffers, Handler&& handler) {
    return state_->socket.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  auto async_write_some(const Buffers& buffers, Handler&& handler) {
    return asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [state = state_](auto completion, const Buffers& data) {
          if (state->error) {
            complete_later(state, std::move(completion), state->error, std::size_t{0});
            return;
          }
          std::size_t bytes = 0;
          for (auto it = asio::buffer_sequence_begin(data); it != asio::buffer_sequence_end(data); ++it) {
            const asio::const_buffer chunk = *it;
            state->pending.append(static_cast<const char*>(chunk.data()), chunk.size());
            bytes += chunk.size();
          }
          flush(state);
          if (state->pending.size() > kBatchLimit) {
            state->blocked_write.store(std::move(completion));
            state->blocked_bytes = bytes;
            return;
          }
          complete_later(state, std::move(completion), boost::system::error_code{}, bytes);
        },
        handler, buffers);
  }

  // Completes once every byte accepted so far was handed to the socket, with the error that stopped
  // writing if one did.
  template <class Handler>
  auto async_drain(Handler&& handler) {
    return asio::async_initiate<Handler, void(boost::system::error_code)>(
        [state = state_](auto completion) {
          state->corked = false;
          flush(state);
          if (state->flushing) {
            state->drained.store(std::move(completion));
          } else {
            complete_later(state, std::move(completion), state->error);
          }
        },
        handler);
  }

 private:
  struct State {
    explicit State(tcp::socket s) : socket(std::move(s)) {}

    tcp::socket socket;
    std::string pending;  // accepted, not yet handed to the socket
    std::string sending;  // the write in flight
    bool flushing = false;
    bool corked = false;
    boost::system::error_code error;  // the first failed write: every later write fails with it
    StoredHandler<void(boost::system::error_code, std::size_t)> blocked_write;
    std::size_t blocked_bytes = 0;
    StoredHandler<void(boost::system::error_code)> drained;
  };

  // An initiating function must not call its handler before it returns.
  template <class Handler, class... Args>
  static void complete_later(const std::shared_ptr<State>& state, Handler handler, Args... args) {
    asio::post(state->socket.get_executor(), beast::bind_front_handler(std::move(handler), args...));
  }

  static void flush(const std::shared_ptr<State>& state) {
    if (state->flushing || state->pending.empty() || (state->corked && state->pending.size() < kFlushBytes)) {
      return;
    }
    state->flushing = true;
    std::swap(state->pending, state->sending);
    asio::async_write(state->socket, asio::buffer(state->sending),
                      [state](boost::system::error_code error, std::size_t /*bytes*/) {
                        state->flushing = false;
                        state->sending.clear();
                        if (error) {
                          state->error = error;
                          state->pending.clear();
                        } else {
                          flush(state);
                        }
                        if (state->blocked_write) {
                          // Its bytes are now in flight (or lost with the connection).
                          state->blocked_write.complete(state->error, state->blocked_bytes);
                        }
                        if (state->drained && !state->flushing) {
                          state->drained.complete(state->error);
                        }
                      });
  }

  std::shared_ptr<State> state_;
};

// Beast's closing handshake ends with a teardown of the next layer: the close frame must leave the
// batch before the socket is shut down.
template <class Handler>
void async_teardown(beast::role_type role, BatchingSocket& stream, Handler&& handler) {
  enum class Step : std::uint8_t { kDrain, kTeardown, kDone };
  asio::async_compose<Handler, void(boost::system::error_code)>(
      [&stream, role, step = Step::kDrain](auto& self, boost::system::error_code error = {}) mutable {
        switch (step) {
          case Step::kDrain:
            step = Step::kTeardown;
            stream.async_drain(std::move(self));
            return;
          case Step::kTeardown:
            step = Step::kDone;
            if (!error) {
              websocket::async_teardown(role, stream.next_layer(), std::move(self));
              return;
            }
            break;
          case Step::kDone: break;
        }
        self.complete(error);
      },
      handler, stream);
}

}  // namespace

class WsConnection final : public WsSession, public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(tcp::socket socket, HttpRequest upgrade, const WsRoute& route, WsRegistry& registry)
      : id_(++last_session_id),
        upgrade_(std::move(upgrade)),
        route_(&route),
        registry_(&registry),
        ws_(std::move(socket)),
        idle_timer_(ws_.get_executor()),
        disconnect_timer_(ws_.get_executor()) {}

  [[nodiscard]] std::uint64_t id() const override { return id_; }
  [[nodiscard]] const HttpRequest& upgrade() const override { return upgrade_; }
  [[nodiscard]] Timestamp opened_at() const override { return opened_at_; }
  [[nodiscard]] bool is_open() const override { return opened_ && !closing_ && !ended_; }

  void send(std::string message, WsFrame frame, WsMessageKind kind) override {
    if (!is_open()) {
      return;
    }
    ++messages_sent_;
    const WsFaultScope& scope = route_->faults;
    const WsAction action =
        scope.injector == nullptr
            ? WsAction::kSend
            : scope.injector->on_ws_message(scope.venue, scope.stream, fault_state_, wall_now(), kind);
    switch (action) {
      case WsAction::kDrop: return;
      case WsAction::kHold: held_.push_back(Frame{std::move(message), frame}); return;
      case WsAction::kMalformed:
        message.resize(message.size() / 2);
        enqueue(std::move(message), frame);
        break;
      case WsAction::kDuplicate:
        enqueue(std::string(message), frame);
        enqueue(std::move(message), frame);
        break;
      case WsAction::kSend: enqueue(std::move(message), frame); break;
    }
    if (kind == WsMessageKind::kDelta && !held_.empty()) {
      for (Frame& held : held_) {
        enqueue(std::move(held.data), held.type);
      }
      held_.clear();
    }
  }

  void close(std::uint16_t code, std::string_view reason) override {
    if (!is_open()) {
      return;
    }
    closing_ = true;
    close_reason_ =
        websocket::close_reason(static_cast<websocket::close_code>(code), reason.substr(0, kMaxCloseReason));
    idle_timer_.cancel();
    if (!writing_) {
      write_close();
    }
  }

  void reset() override {
    if (ended_) {
      return;
    }
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).set_option(asio::socket_base::linger(true, 0), ignored);
    end();
  }

  void set_idle_timeout(std::optional<Duration> idle) override {
    if (!is_open()) {
      return;
    }
    idle_ = idle;
    last_heard_ = std::chrono::steady_clock::now();
    if (idle) {
      arm_idle(last_heard_ + *idle);
    } else {
      idle_timer_.cancel();
    }
  }

  [[nodiscard]] std::uint64_t messages_sent() const override { return messages_sent_; }
  [[nodiscard]] std::uint64_t frames_written() const override { return frames_written_; }

  [[nodiscard]] const WsRoute& route() const { return *route_; }
  // Upgraded and not yet ended.
  [[nodiscard]] bool live() const { return opened_ && !ended_; }

  // Completes the upgrade, then reads until the session ends.
  void start(http::request<http::string_body> message) {
    asio::co_spawn(ws_.get_executor(), run(shared_from_this(), std::move(message)), asio::detached);
  }

  // Closes the connection at once. Idempotent; the endpoint hears on_close from finish().
  void end() {
    if (ended_) {
      return;
    }
    ended_ = true;
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    idle_timer_.cancel();
    disconnect_timer_.cancel();
    // Deferred so that an endpoint that ends a session from inside one of its own calls (send while
    // iterating its sessions, reset from on_message) never hears on_close re-entrantly.
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->finish(); });
  }

  // Leaves the registry and tells the endpoint, once. Runs from the post in end(), or directly from
  // WsRegistry::stop so that nothing is called after the server stopped.
  void finish() {
    if (finished_) {
      return;
    }
    finished_ = true;
    registry_->forget(id_);
    if (opened_) {
      route_->endpoint->on_close(*this);
    }
  }

 private:
  struct Frame {
    std::string data;
    WsFrame type = WsFrame::kText;
  };

  asio::awaitable<void> run(std::shared_ptr<WsConnection> self, http::request<http::string_body> message) {
    ws_.set_option(
        websocket::stream_base::timeout{kCloseHandshakeTimeout, websocket::stream_base::none(), false});
    ws_.auto_fragment(false);
    // Pings count as activity for the idle watchdog, as they do at the venues.
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view /*payload*/) {
      if (kind == websocket::frame_type::ping) {
        last_heard_ = std::chrono::steady_clock::now();
      }
    });
    const auto [accept_error] = co_await ws_.async_accept(message, kUseTuple);
    if (ended_) {
      co_return;
    }
    if (accept_error) {
      end();
      co_return;
    }
    opened_ = true;
    opened_at_ = wall_now();
    fault_state_.opened_at = opened_at_;
    last_heard_ = std::chrono::steady_clock::now();
    arm_disconnect();
    guarded([&] { route_->endpoint->on_open(self); });
    while (!ended_) {
      const auto [read_error, bytes] = co_await ws_.async_read(read_buffer_, kUseTuple);
      if (ended_) {
        break;
      }
      if (read_error) {
        end();
        break;
      }
      last_heard_ = std::chrono::steady_clock::now();
      if (is_open()) {
        const auto data = read_buffer_.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        const WsFrame frame = ws_.got_text() ? WsFrame::kText : WsFrame::kBinary;
        guarded([&] { route_->endpoint->on_message(self, text, frame); });
      }
      read_buffer_.consume(read_buffer_.size());
    }
  }

  // An endpoint that throws is a bug in the emulator; its client still sees a well-formed close.
  template <class Call>
  void guarded(Call call) {
    try {
      call();
    } catch (const std::exception& error) {
      close(kInternalErrorCode, fmt::format("internal emulator error: {}", error.what()));
    }
  }

  void enqueue(std::string data, WsFrame frame) {
    if (ended_) {
      return;
    }
    queued_bytes_ += data.size();
    queue_.push_back(Frame{std::move(data), frame});
    if (queued_bytes_ > kSlowConsumerBytes) {
      reset();
      return;
    }
    if (!writing_) {
      write_next();
    }
  }

  void write_next() {
    if (!writing_) {
      writing_ = true;
      ws_.next_layer().cork();
    }
    const Frame& next = queue_.front();
    ws_.text(next.type == WsFrame::kText);
    ws_.async_write(asio::buffer(next.data),
                    [self = shared_from_this()](boost::system::error_code error, std::size_t /*bytes*/) {
                      self->on_written(error);
                    });
  }

  void on_written(boost::system::error_code error) {
    if (ended_) {
      return;
    }
    if (error) {
      end();
      return;
    }
    ++frames_written_;
    queued_bytes_ -= queue_.front().data.size();
    queue_.pop_front();
    if (!queue_.empty()) {
      write_next();
      return;
    }
    ws_.next_layer().uncork();
    if (closing_) {
      write_close();
    } else {
      writing_ = false;
    }
  }

  void write_close() {
    writing_ = true;
    ws_.async_close(close_reason_,
                    [self = shared_from_this()](boost::system::error_code /*error*/) { self->end(); });
  }

  // The watchdog compares against the last message heard when it fires, so reading a message costs a
  // clock read instead of re-arming a timer.
  void arm_idle(SteadyTime deadline) {
    idle_timer_.expires_at(deadline);
    idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (!error) {
        self->on_idle_timer();
      }
    });
  }

  void on_idle_timer() {
    if (!idle_ || !is_open()) {
      return;
    }
    const SteadyTime deadline = last_heard_ + *idle_;
    if (std::chrono::steady_clock::now() >= deadline) {
      close(1000, "idle timeout");
    } else {
      arm_idle(deadline);
    }
  }

  void arm_disconnect() {
    const WsFaultScope& scope = route_->faults;
    const WsFaultRule* rule =
        scope.injector == nullptr ? nullptr : scope.injector->ws_rule(scope.venue, scope.stream);
    if (rule == nullptr || rule->disconnect_every.count() <= 0) {
      return;
    }
    disconnect_timer_.expires_after(rule->disconnect_every);
    disconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (!error && !self->ended_) {
        const WsFaultScope& faults = self->route_->faults;
        faults.injector->record(faults.venue, "ws_disconnect", faults.stream);
        self->reset();
      }
    });
  }

  const std::uint64_t id_;
  const HttpRequest upgrade_;
  const WsRoute* route_;
  WsRegistry* registry_;  // valid until finish(): the registry finishes every session when it stops
  websocket::stream<BatchingSocket> ws_;
  beast::flat_buffer read_buffer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer disconnect_timer_;
  std::deque<Frame> queue_;  // front() is being written while writing_
  std::vector<Frame> held_;  // reordered messages waiting for the next delta
  std::size_t queued_bytes_ = 0;
  WsFaultState fault_state_;
  Timestamp opened_at_;
  std::optional<Duration> idle_;
  SteadyTime last_heard_;
  websocket::close_reason close_reason_;
  std::uint64_t messages_sent_ = 0;
  std::uint64_t frames_written_ = 0;
  bool opened_ = false;
  bool closing_ = false;  // close() was called: the close frame follows the queue
  bool writing_ = false;  // a write or the close handshake is in flight
  bool ended_ = false;
  bool finished_ = false;
};

WsRegistry::~WsRegistry() = default;

void WsRegistry::add_route(std::string path, WsEndpoint& endpoint, WsFaultScope faults) {
  routes_.push_back(WsRoute{std::move(path), &endpoint, std::move(faults)});
}

const WsRoute* WsRegistry::find_route(std::string_view path) const {
  const auto found = std::find_if(routes_.begin(), routes_.end(),
                                  [path](const WsRoute& route) { return route.path == path; });
  return found == routes_.end() ? nullptr : &*found;
}

void WsRegistry::accept(tcp::socket socket, http::request<http::string_body> message, HttpRequest upgrade,
                        const WsRoute& route) {
  if (stopped_) {
    return;
  }
  auto session = std::make_shared<WsConnection>(std::move(socket), std::move(upgrade), route, *this);
  sessions_.emplace(session->id(), session);
  session->start(std::move(message));
}

std::size_t WsRegistry::open_sessions() const {
  return static_cast<std::size_t>(std::count_if(sessions_.begin(), sessions_.end(),
                                                [](const auto& entry) { return entry.second->live(); }));
}

std::size_t WsRegistry::reset(std::string_view path) {
  std::vector<std::shared_ptr<WsConnection>> matching;
  for (const auto& [id, session] : sessions_) {
    if (session->live() && (path.empty() || session->route().path == path)) {
      matching.push_back(session);
    }
  }
  for (const auto& session : matching) {
    const WsFaultScope& scope = session->route().faults;
    if (scope.injector != nullptr) {
      scope.injector->record(scope.venue, "ws_disconnect", scope.stream);
    }
    session->reset();
  }
  return matching.size();
}

void WsRegistry::stop() {
  stopped_ = true;
  const auto sessions = std::exchange(sessions_, {});
  for (const auto& [id, session] : sessions) {
    session->end();
    session->finish();
  }
}

void WsRegistry::forget(std::uint64_t id) {
  sessions_.erase(id);
}

}  // namespace kimp::sim::detail
