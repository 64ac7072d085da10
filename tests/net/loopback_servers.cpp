// Loopback HTTP(S) and WebSocket test servers and the self-signed certificate they use.
#include "net/loopback_servers.hpp"

#include <deque>
#include <set>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>

namespace kimp::net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void require(bool condition, const char* what) {
  if (!condition) {
    throw std::runtime_error(what);
  }
}

tcp::acceptor listen_loopback(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor;
}

}  // namespace

TestCertificate make_self_signed_certificate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  require(key != nullptr, "key generation failed");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    require(extension != nullptr, "certificate extension failed");
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }
  require(X509_sign(cert, key, EVP_sha256()) > 0, "certificate signing failed");

  TestCertificate out;
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  out.cert_pem = bio_text(cert_bio);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = bio_text(key_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

// ---------------------------------------------------------------------------------------------- HTTP

struct LoopbackHttpServer::Impl {
  Impl(LoopbackHttpServer& owner, HttpMode server_mode, const TestCertificate* certificate)
      : server(owner), mode(server_mode), acceptor(listen_loopback(io)), ssl(asio::ssl::context::tls_server) {
    if (certificate != nullptr) {
      tls = true;
      ssl.use_certificate_chain(asio::buffer(certificate->cert_pem));
      ssl.use_private_key(asio::buffer(certificate->key_pem), asio::ssl::context::pem);
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      auto [read_error, read] = co_await http::async_read(stream, buffer, request, kUseTuple);
      if (read_error) {
        co_return;
      }
      const int number = ++server.requests_seen;
      if (mode == HttpMode::kNeverAnswer) {
        asio::steady_timer forever(io, std::chrono::hours{1});
        co_await forever.async_wait(kUseTuple);
        co_return;
      }
      // "/status/429" answers that status with a Retry-After, as a rate-limited venue does.
      const std::string target(request.target());
      const std::string status_prefix = "/status/";
      const unsigned status = target.starts_with(status_prefix)
                                  ? static_cast<unsigned>(std::stoi(target.substr(status_prefix.size())))
                                  : 200;
      http::response<http::string_body> response{static_cast<http::status>(status), 11};
      if (status != 200) {
        response.set("Retry-After", "2");
      }
      response.body() = "request " + std::to_string(number) + " " + std::string(request.target());
      response.keep_alive(true);
      response.prepare_payload();
      auto [write_error, written] = co_await http::async_write(stream, response, kUseTuple);
      if (write_error) {
        co_return;
      }
      if (mode == HttpMode::kCloseAfterAnswer) {
        beast::get_lowest_layer(stream).close();
        ++server.closes_done;
        co_return;
      }
    }
  }

  asio::awaitable<void> connection(tcp::socket socket) {
    if (!tls) {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ssl);
    auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (error) {
      ++server.tls_handshakes_failed;
      co_return;
    }
    co_await serve(stream);
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
      if (error) {
        co_return;
      }
      ++server.connections_accepted;
      asio::co_spawn(io, connection(std::move(socket)), asio::detached);
    }
  }

  LoopbackHttpServer& server;
  HttpMode mode;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::ssl::context ssl;
  bool tls = false;
  std::thread thread;
};

LoopbackHttpServer::LoopbackHttpServer(HttpMode mode, const TestCertificate* certificate)
    : impl_(std::make_unique<Impl>(*this, mode, certificate)) {
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string LoopbackHttpServer::url() const {
  return (impl_->tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
}

// ------------------------------------------------------------------------------------------ WebSocket

namespace {

struct WsPeer {
  explicit WsPeer(tcp::socket socket) : ws(std::move(socket)) {}
  websocket::stream<beast::tcp_stream> ws;
  std::deque<std::pair<std::string, bool>> queue;
  bool writing = false;
};

void write_next(const std::shared_ptr<WsPeer>& peer) {
  if (peer->queue.empty()) {
    peer->writing = false;
    return;
  }
  peer->writing = true;
  peer->ws.binary(peer->queue.front().second);
  peer->ws.async_write(asio::buffer(peer->queue.front().first), [peer](beast::error_code error, std::size_t) {
    peer->queue.pop_front();
    if (error) {
      peer->queue.clear();
      peer->writing = false;
      return;
    }
    write_next(peer);
  });
}

void send_to(const std::shared_ptr<WsPeer>& peer, std::string frame, bool binary) {
  peer->queue.emplace_back(std::move(frame), binary);
  if (!peer->writing) {
    write_next(peer);
  }
}

}  // namespace

struct LoopbackWsServer::Impl {
  explicit Impl(LoopbackWsServer& owner) : server(owner), acceptor(listen_loopback(io)), ticker(io) {}

  asio::awaitable<void> session(tcp::socket socket) {
    auto peer = std::make_shared<WsPeer>(std::move(socket));
    ++server.accepted;
    const int now_open = ++server.open;
    int seen = server.max_open.load();
    while (now_open > seen && !server.max_open.compare_exchange_weak(seen, now_open)) {
    }
    beast::flat_buffer buffer;
    http::request<http::string_body> upgrade;
    auto [read_error, read] = co_await http::async_read(peer->ws.next_layer(), buffer, upgrade, kUseTuple);
    if (!read_error) {
      {
        const std::lock_guard lock(server.mutex_);
        server.last_headers_.clear();
        for (const auto& field : upgrade) {
          server.last_headers_.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
      }
      auto [accept_error] = co_await peer->ws.async_accept(upgrade, kUseTuple);
      if (!accept_error) {
        peers.insert(peer);
        co_await read_loop(peer);
        peers.erase(peer);
      }
    }
    --server.open;
    beast::get_lowest_layer(peer->ws).close();
  }

  asio::awaitable<void> read_loop(const std::shared_ptr<WsPeer>& peer) {
    beast::flat_buffer buffer;
    while (true) {
      auto [error, bytes] = co_await peer->ws.async_read(buffer, kUseTuple);
      if (error) {
        co_return;
      }
      std::string frame = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      {
        const std::lock_guard lock(server.mutex_);
        server.received_.push_back(frame);
      }
      if (server.stalled_) {
        continue;
      }
      if (frame == R"({"op":"ping"})") {
        send_to(peer, R"({"op":"pong"})", false);
      } else if (frame == "PING") {
        send_to(peer, R"({"status":"UP"})", false);
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
      if (error) {
        co_return;
      }
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> tick_loop() {
    std::uint64_t tick = 0;
    while (true) {
      ticker.expires_after(std::chrono::milliseconds{10});
      auto [error] = co_await ticker.async_wait(kUseTuple);
      if (error) {
        co_return;
      }
      if (server.streaming_ && !server.stalled_) {
        ++tick;
        for (const auto& peer : peers) {
          send_to(peer, "tick " + std::to_string(tick), false);
        }
      }
    }
  }

  LoopbackWsServer& server;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer ticker;
  std::set<std::shared_ptr<WsPeer>> peers;
  std::thread thread;
};

LoopbackWsServer::LoopbackWsServer() : impl_(std::make_unique<Impl>(*this)) {
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  asio::co_spawn(impl_->io, impl_->tick_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

LoopbackWsServer::~LoopbackWsServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string LoopbackWsServer::url(const std::string& path) const {
  return "ws://127.0.0.1:" + std::to_string(port_) + path;
}

void LoopbackWsServer::push(const std::string& frame, bool binary) {
  asio::post(impl_->io, [this, frame, binary] {
    if (stalled_) {
      return;
    }
    for (const auto& peer : impl_->peers) {
      send_to(peer, frame, binary);
    }
  });
}

void LoopbackWsServer::drop_all() {
  asio::post(impl_->io, [this] {
    for (const auto& peer : impl_->peers) {
      beast::get_lowest_layer(peer->ws).close();
    }
  });
}

std::vector<std::string> LoopbackWsServer::received() const {
  const std::lock_guard lock(mutex_);
  return received_;
}

int LoopbackWsServer::count_received(const std::string& frame) const {
  const std::lock_guard lock(mutex_);
  return static_cast<int>(std::count(received_.begin(), received_.end(), frame));
}

std::string LoopbackWsServer::last_header(const std::string& name) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [key, value] : last_headers_) {
    if (beast::iequals(key, name)) {
      return value;
    }
  }
  return {};
}

}  // namespace kimp::net::testing
