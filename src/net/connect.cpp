// TCP connect with a deadline and verified client TLS handshakes.
#include "net/connect.hpp"

#include <string>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace kimp::net {
namespace {

namespace asio = boost::asio;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

Result<asio::ssl::context> make_client_tls_context(std::string_view extra_ca_pem) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  boost::system::error_code error;
  context.set_verify_mode(asio::ssl::verify_peer);
  context.set_default_verify_paths(error);
  if (error) {
    // Still usable with extra_ca_pem; without it every handshake fails verification, loudly.
    log::Logger("net.tls").warn("system certificate store unavailable", {{"error", error.message()}});
  }
  if (!extra_ca_pem.empty()) {
    context.add_certificate_authority(asio::buffer(extra_ca_pem.data(), extra_ca_pem.size()), error);
    if (error) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("extra_ca_pem is not a usable PEM certificate: {}", error.message()));
    }
  }
  return context;
}

asio::awaitable<Status> connect_tcp(asio::ip::tcp::resolver& resolver, boost::beast::tcp_stream& tcp,
                                    const Endpoint& endpoint, std::chrono::nanoseconds timeout) {
  auto [resolve_error, results] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kUseTuple);
  if (resolve_error) {
    co_return make_error(ErrorCode::kUnavailable,
                         fmt::format("cannot resolve {}: {}", endpoint.host, resolve_error.message()));
  }
  tcp.expires_after(timeout);
  auto [connect_error, peer] = co_await tcp.async_connect(results, kUseTuple);
  tcp.expires_never();
  if (connect_error) {
    co_return make_error(
        ErrorCode::kUnavailable,
        fmt::format("cannot connect to {}: {}", endpoint.host_header(), connect_error.message()));
  }
  boost::system::error_code ignored;
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return ok();
}

asio::awaitable<Status> tls_handshake(TlsStream& stream, const Endpoint& endpoint,
                                      std::chrono::nanoseconds timeout) {
  // SSL_set_tlsext_host_name is a macro around this call with a C cast; SNI takes host names only.
  if (!endpoint.host_is_ip() &&
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(endpoint.host.c_str())) != 1) {  // OpenSSL copies the name, never writes it
    co_return make_error(ErrorCode::kUnavailable,
                         fmt::format("cannot set the TLS SNI name {}", endpoint.host));
  }
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
  boost::beast::tcp_stream& tcp = stream.next_layer();
  tcp.expires_after(timeout);
  auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  tcp.expires_never();
  if (error) {
    co_return make_error(ErrorCode::kUnavailable, fmt::format("TLS handshake with {} failed: {}",
                                                              endpoint.host_header(), error.message()));
  }
  co_return ok();
}

}  // namespace kimp::net
