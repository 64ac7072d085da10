// Connection set-up shared by the HTTP pool and the WebSocket client: TCP connect and verified TLS.
#pragma once

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/result.hpp"
#include "net/endpoint.hpp"

namespace kimp::net {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A client context that verifies peers against the system store plus `extra_ca_pem` (may be empty).
// Errors: kInvalidArgument when extra_ca_pem is not a PEM certificate OpenSSL accepts.
Result<boost::asio::ssl::context> make_client_tls_context(std::string_view extra_ca_pem);

// Resolves and connects `tcp` within `timeout`, with TCP_NODELAY set (requests and frames are small
// and latency-bound). The stream's expiry is left cleared.
// Errors: kUnavailable when resolving or connecting fails or takes longer than `timeout`.
boost::asio::awaitable<Status> connect_tcp(boost::asio::ip::tcp::resolver& resolver,
                                           boost::beast::tcp_stream& tcp, const Endpoint& endpoint,
                                           std::chrono::nanoseconds timeout);

// Client TLS handshake on a connected stream within `timeout`: SNI for host names, certificate chain
// and host name (or IP) verification.
// Errors: kUnavailable when the handshake or the verification fails, or it takes longer than `timeout`.
boost::asio::awaitable<Status> tls_handshake(TlsStream& stream, const Endpoint& endpoint,
                                             std::chrono::nanoseconds timeout);

}  // namespace kimp::net
