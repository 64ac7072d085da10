// The emulated Bybit v5 private WebSocket: auth, subscriptions, and the ledger's changes pushed as Bybit's
// order, execution, position and wallet messages.
#include "sim/server/bybit_private_ws.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse_query.hpp>
#include <tl/expected.hpp>

#include "core/logging.hpp"
#include "sim/auth/digest.hpp"
#include "sim/auth/integer_text.hpp"
#include "sim/server/bybit_records.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

// The spec pages publish only the successful answers. "Params Error" is what Bybit answers an expired
// `expires` with (users' reports); the other refusals are worded after the meanings the order-entry
// stream documents for its auth codes (10001 param error, 10003/10004 key and sign, 20001 repeat auth).
constexpr std::string_view kParamsError = "Params Error";
constexpr std::string_view kInvalidKey = "Invalid apikey";
constexpr std::string_view kInvalidSign = "Invalid sign";
constexpr std::string_view kRepeatAuth = "Repeat auth";
constexpr std::string_view kNotAuthorized = "Request not authorized";
constexpr std::string_view kInvalidOp = "error:invalid op";

// connect.mdx: without ping-pong or pushes a private connection is cut after 10 minutes; max_active_time
// (30 s .. 600 s, as "45s" or "2m") sets another limit.
constexpr Duration kDefaultActiveTime = std::chrono::minutes(10);
constexpr Duration kMinActiveTime = std::chrono::seconds(30);
constexpr Duration kMaxActiveTime = std::chrono::minutes(10);

enum class Stream : std::uint8_t { kOrder, kExecution, kPosition, kWallet };

struct Topic {
  std::string_view name;
  Stream stream;
  bool categorised;  // "order.linear" rather than the all-in-one "order"
  bool pushed;       // false for categories the emulator does not trade: accepted, never pushed
};

constexpr std::array kTopics{
    Topic{"order", Stream::kOrder, false, true},
    Topic{"order.linear", Stream::kOrder, true, true},
    Topic{"order.spot", Stream::kOrder, true, false},
    Topic{"order.inverse", Stream::kOrder, true, false},
    Topic{"order.option", Stream::kOrder, true, false},
    Topic{"execution", Stream::kExecution, false, true},
    Topic{"execution.linear", Stream::kExecution, true, true},
    Topic{"execution.spot", Stream::kExecution, true, false},
    Topic{"execution.inverse", Stream::kExecution, true, false},
    Topic{"execution.option", Stream::kExecution, true, false},
    Topic{"position", Stream::kPosition, false, true},
    Topic{"position.linear", Stream::kPosition, true, true},
    Topic{"position.inverse", Stream::kPosition, true, false},
    Topic{"position.option", Stream::kPosition, true, false},
    Topic{"wallet", Stream::kWallet, false, true},
};

const Topic* find_topic(std::string_view name) {
  const auto* found =
      std::find_if(kTopics.begin(), kTopics.end(), [name](const Topic& topic) { return topic.name == name; });
  return found == kTopics.end() ? nullptr : found;
}

// The data arrays of one account's changes, per stream; an empty array means nothing to push.
struct StreamData {
  json::array orders;
  json::array executions;
  json::array positions;
  json::array wallet;

  [[nodiscard]] const json::array& of(Stream stream) const {
    switch (stream) {
      case Stream::kOrder: return orders;
      case Stream::kExecution: return executions;
      case Stream::kPosition: return positions;
      case Stream::kWallet: return wallet;
    }
    return orders;
  }
};

Result<StreamData> stream_data(const Ledger& ledger, const std::string& account_id,
                               const LinearChanges& changes) {
  StreamData data;
  for (const LinearOrder& order : changes.orders) {
    KIMP_TRY_ASSIGN(auto entry, bybit_order_record(order, BybitSurface::kStream));
    data.orders.push_back(std::move(entry));
  }
  for (const LinearExecution& fill : changes.executions) {
    KIMP_TRY_ASSIGN(const LinearOrder order, ledger.linear_order(account_id, OrderRef{fill.order_id, {}}));
    data.executions.push_back(bybit_execution_record(fill, order, BybitSurface::kStream));
  }
  // position.mdx: every order created, amended or cancelled pushes its symbol's position, changed or
  // not. Marks alone push nothing: the ledger keeps positions current on trades, funding and leverage,
  // and the wallet page says unrealised PnL changes trigger no event.
  std::set<std::string> symbols;
  for (const LinearPosition& position : changes.positions) {
    symbols.insert(position.symbol);
  }
  const bool order_symbol_missing =
      std::any_of(changes.orders.begin(), changes.orders.end(),
                  [&symbols](const LinearOrder& order) { return !symbols.contains(order.symbol); });
  std::vector<LinearPosition> positions = changes.positions;
  if (order_symbol_missing) {
    KIMP_TRY_ASSIGN(positions, ledger.linear_positions(account_id));
    for (const LinearOrder& order : changes.orders) {
      symbols.insert(order.symbol);
    }
  }
  for (const LinearPosition& position : positions) {
    if (symbols.contains(position.symbol)) {
      data.positions.push_back(bybit_position_record(position, BybitSurface::kStream));
    }
  }
  if (changes.wallet) {
    KIMP_TRY_ASSIGN(auto entry, bybit_wallet_record(*changes.wallet));
    data.wallet.push_back(std::move(entry));
  }
  return data;
}

// ---- requests ----

struct Request {
  std::string op;
  std::optional<std::string> req_id;  // echoed when sent
  const json::array* args = nullptr;
};

std::optional<Request> parse_request(const json::value& document) {
  const auto* object = document.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  Request request;
  if (const auto* op = object->if_contains("op"); op != nullptr && op->is_string()) {
    request.op = std::string(op->get_string());
  }
  if (const auto* req_id = object->if_contains("req_id"); req_id != nullptr && !req_id->is_null()) {
    request.req_id = req_id->is_string() ? std::string(req_id->get_string()) : json::serialize(*req_id);
  }
  if (const auto* args = object->if_contains("args"); args != nullptr) {
    request.args = args->if_array();
  }
  return request;
}

// An integer argument sent as a JSON number or as a string of digits: its value and its text as sent.
struct IntegerArg {
  std::int64_t value = 0;
  std::string text;
};

std::optional<IntegerArg> integer_arg(const json::value& value) {
  std::string text;
  if (value.is_int64()) {
    text = std::to_string(value.get_int64());
  } else if (value.is_uint64()) {
    text = std::to_string(value.get_uint64());
  } else if (value.is_string()) {
    text = std::string(value.get_string());
  } else {
    return std::nullopt;
  }
  const auto parsed = parse_integer(text);
  if (!parsed) {
    return std::nullopt;
  }
  return IntegerArg{*parsed, std::move(text)};
}

// The account that args [api_key, expires_ms, signature] authenticate at server time `now`, or the
// ret_msg refusing them.
tl::expected<std::string, std::string_view> authenticate(const json::array* args, const Exchange& exchange,
                                                         Timestamp now) {
  if (args == nullptr || args->size() != 3 || !(*args)[0].is_string() || !(*args)[2].is_string()) {
    return tl::unexpected(kParamsError);
  }
  const auto expires = integer_arg((*args)[1]);
  // connect.mdx: expires must be later than the server's time.
  if (!expires || expires->value <= now.ms()) {
    return tl::unexpected(kParamsError);
  }
  const ApiKey* key = exchange.bybit_key((*args)[0].get_string());
  if (key == nullptr || (key->expires_at && now >= *key->expires_at)) {
    return tl::unexpected(kInvalidKey);
  }
  const std::string expected =
      to_hex(hmac(DigestAlgorithm::kSha256, key->secret, "GET/realtime" + expires->text));
  if (!constant_time_equal((*args)[2].get_string(), expected)) {
    return tl::unexpected(kInvalidSign);
  }
  return key->account_id;
}

// The idle limit the upgrade's max_active_time asks for, clamped to Bybit's range; the default when it
// is absent or not "<n>s" / "<n>m".
Duration active_time(std::string_view query) {
  const auto params = boost::urls::parse_query(query);
  if (!params) {
    return kDefaultActiveTime;
  }
  for (const auto& param : *params) {
    if (param.key != "max_active_time" || param.value.size() < 2) {
      continue;
    }
    const std::string_view text = param.value;
    const auto count = parse_integer(text.substr(0, text.size() - 1));
    if (!count || *count < 0 ||
        *count > std::chrono::duration_cast<std::chrono::seconds>(kMaxActiveTime).count()) {
      return kDefaultActiveTime;
    }
    Duration asked{};
    if (text.back() == 's') {
      asked = std::chrono::seconds(*count);
    } else if (text.back() == 'm') {
      asked = std::chrono::minutes(*count);
    } else {
      return kDefaultActiveTime;
    }
    return std::clamp(asked, kMinActiveTime, kMaxActiveTime);
  }
  return kDefaultActiveTime;
}

}  // namespace

struct BybitPrivateWebSocket::State {
  struct Session {
    std::shared_ptr<WsSession> ws;
    std::string conn_id;
    std::string account_id{};  // empty until authenticated
    std::uint64_t seen = 0;    // the account's ledger revision pushed up to
    std::vector<const Topic*> topics{};
  };

  explicit State(Exchange& exchange_in) : exchange(exchange_in) {}

  void reply(const Session& session, const Request& request, bool success, std::string_view ret_msg,
             std::string_view op) const {
    json::object out;
    if (request.req_id) {
      out["req_id"] = *request.req_id;
    }
    out["success"] = success;
    out["ret_msg"] = ret_msg;
    out["op"] = op;
    out["conn_id"] = session.conn_id;
    session.ws->send(json::serialize(out), WsFrame::kText, WsMessageKind::kControl);
  }

  void on_auth(Session& session, const Request& request) const {
    if (!session.account_id.empty()) {
      reply(session, request, false, kRepeatAuth, "auth");
      return;
    }
    const Timestamp now = exchange.now();
    auto account = authenticate(request.args, exchange, now);
    if (!account) {
      reply(session, request, false, account.error(), "auth");
      return;
    }
    const auto revision = exchange.ledger().revision(*account);
    session.account_id = std::move(*account);
    // Nothing from before the session authenticated is pushed: Bybit sends no snapshot.
    session.seen = revision.value_or(0);
    reply(session, request, true, "", "auth");
  }

  // subscribe and unsubscribe: every topic must be known, and (spec) all-in-one and categorised topics
  // cannot share one request.
  void on_topics(Session& session, const Request& request) const {
    if (session.account_id.empty()) {
      reply(session, request, false, kNotAuthorized, request.op);
      return;
    }
    if (request.args == nullptr || request.args->empty()) {
      reply(session, request, false, kParamsError, request.op);
      return;
    }
    std::vector<const Topic*> named;
    for (const auto& arg : *request.args) {
      const Topic* topic = arg.is_string() ? find_topic(arg.get_string()) : nullptr;
      if (topic == nullptr) {
        const std::string text = arg.is_string() ? std::string(arg.get_string()) : json::serialize(arg);
        reply(session, request, false, fmt::format("error:handler not found,topic:{}", text), request.op);
        return;
      }
      named.push_back(topic);
    }
    const auto categorised = [](const Topic* topic) { return topic->categorised; };
    if (std::any_of(named.begin(), named.end(), categorised) &&
        !std::all_of(named.begin(), named.end(), categorised)) {
      reply(session, request, false, "error:all-in-one and categorised topics in one request", request.op);
      return;
    }
    for (const Topic* topic : named) {
      std::erase(session.topics, topic);
      if (request.op == "subscribe") {
        session.topics.push_back(topic);
      }
    }
    reply(session, request, true, "", request.op);
  }

  void on_ping(const Session& session, const Request& request) const {
    json::object out;
    if (request.req_id) {
      out["req_id"] = *request.req_id;
    }
    out["op"] = "pong";
    out["args"] = json::array{json::string(ms_text(exchange.now()))};
    out["conn_id"] = session.conn_id;
    session.ws->send(json::serialize(out), WsFrame::kText, WsMessageKind::kControl);
  }

  void push(const Session& session, std::string_view topic, const json::array& data) {
    json::object message{{"id", fmt::format("{:x}-{:x}", session.ws->id(), ++messages)},
                         {"topic", topic},
                         {"creationTime", exchange.now().ms()},
                         {"data", data}};
    session.ws->send(json::serialize(message), WsFrame::kText, WsMessageKind::kDelta);
  }

  Exchange& exchange;
  std::map<std::uint64_t, Session> sessions;  // by WsSession::id
  std::uint64_t messages = 0;                 // pushes sent, for message ids
};

BybitPrivateWebSocket::BybitPrivateWebSocket(Exchange& exchange)
    : state_(std::make_unique<State>(exchange)) {}

BybitPrivateWebSocket::~BybitPrivateWebSocket() = default;

std::optional<HttpResponse> BybitPrivateWebSocket::admit(const HttpRequest&) {
  return std::nullopt;
}

void BybitPrivateWebSocket::on_open(const std::shared_ptr<WsSession>& session) {
  session->set_idle_timeout(active_time(session->upgrade().query));
  state_->sessions.emplace(session->id(),
                           State::Session{.ws = session, .conn_id = fmt::format("{:020x}-p", session->id())});
}

void BybitPrivateWebSocket::on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                                       WsFrame) {
  const auto found = state_->sessions.find(session->id());
  if (found == state_->sessions.end()) {
    return;
  }
  State::Session& entry = found->second;
  boost::system::error_code error;
  const json::value document = json::parse(message, error);
  const auto request = error ? std::nullopt : parse_request(document);
  if (!request) {
    state_->reply(entry, Request{}, false, kInvalidOp, "");
    return;
  }
  if (request->op == "auth") {
    state_->on_auth(entry, *request);
  } else if (request->op == "subscribe" || request->op == "unsubscribe") {
    state_->on_topics(entry, *request);
  } else if (request->op == "ping") {
    state_->on_ping(entry, *request);
  } else {
    state_->reply(entry, *request, false, kInvalidOp, request->op);
  }
}

void BybitPrivateWebSocket::on_close(const WsSession& session) {
  state_->sessions.erase(session.id());
}

void BybitPrivateWebSocket::publish() {
  const Ledger& ledger = state_->exchange.ledger();
  // Sessions of one account that saw the same revision get the same data, built once: the revision
  // reached and what each stream pushes.
  std::map<std::pair<std::string, std::uint64_t>, std::pair<std::uint64_t, StreamData>> built;
  for (auto& entry : state_->sessions) {
    State::Session& session = entry.second;
    if (session.account_id.empty()) {
      continue;
    }
    const auto revision = ledger.revision(session.account_id);
    if (!revision || *revision <= session.seen) {
      continue;
    }
    const auto key = std::make_pair(session.account_id, session.seen);
    auto cached = built.find(key);
    if (cached == built.end()) {
      auto changes = ledger.linear_changes(session.account_id, session.seen);
      auto data = changes.and_then([&](const LinearChanges& found) -> tl::expected<StreamData, Error> {
        return stream_data(ledger, session.account_id, found);
      });
      if (!data) {
        // The session keeps its revision, so the next publish tries the same changes again.
        log::Logger("venue-sim")
            .error("bybit private push failed",
                   {{"account", session.account_id}, {"error", data.error().describe()}});
        continue;
      }
      cached = built.emplace(key, std::make_pair(changes->revision, std::move(*data))).first;
    }
    session.seen = cached->second.first;
    const StreamData& data = cached->second.second;
    // One message per stream, in a fixed order, under each name the session subscribed it by.
    for (const Topic& topic : kTopics) {
      const bool subscribed =
          std::find(session.topics.begin(), session.topics.end(), &topic) != session.topics.end();
      if (subscribed && topic.pushed && !data.of(topic.stream).empty()) {
        state_->push(session, topic.name, data.of(topic.stream));
      }
    }
  }
}

std::size_t BybitPrivateWebSocket::sessions() const {
  return state_->sessions.size();
}

}  // namespace kimp::sim
