// Bybit v5 private-stream frames to acks and account events, through the record parsers REST uses.
#include "venues/bybit/parse_private.hpp"

#include <utility>

#include "core/text.hpp"
#include "venues/bybit/parse_fields.hpp"
#include "venues/bybit/parse_rest.hpp"

namespace kimp::venues::bybit {
namespace {

tl::unexpected<Error> invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// req_id echoes what the request sent; absent means the request had none.
Result<std::string> req_id_of(simdjson::dom::object frame) {
  KIMP_TRY_ASSIGN(const auto req_id, optional_string_field(frame, "req_id"));
  return std::string(req_id.value_or(""));
}

template <class Ack>
Result<BybitPrivateMessage> read_ack(simdjson::dom::object frame) {
  Ack ack;
  KIMP_TRY_ASSIGN(ack.success, bool_field(frame, "success"));
  KIMP_TRY_ASSIGN(const auto ret_msg, string_field(frame, "ret_msg"));
  ack.ret_msg = std::string(ret_msg);
  KIMP_TRY_ASSIGN(ack.req_id, req_id_of(frame));
  return BybitPrivateMessage(std::move(ack));
}

Result<BybitPrivateMessage> read_op(simdjson::dom::object frame, std::string_view op) {
  if (op == "auth") {
    return read_ack<BybitWsAuthAck>(frame);
  }
  if (op == "subscribe" || op == "unsubscribe") {
    return read_ack<BybitWsSubscribeAck>(frame);
  }
  if (op == "pong" || op == "ping") {
    BybitWsPong pong;
    KIMP_TRY_ASSIGN(pong.req_id, req_id_of(frame));
    return BybitPrivateMessage(std::move(pong));
  }
  return invalid("Bybit private stream: unknown op " + quote_input(op));
}

// Each element of `data` through `read`, which appends to the message.
template <class Read>
Status for_each_data(simdjson::dom::object frame, Read&& read) {
  KIMP_TRY_ASSIGN(const auto data, array_field(frame, "data"));
  for (const auto element : data) {
    KIMP_TRY_ASSIGN(const auto record, as_object(element, "data[]"));
    KIMP_TRY(read(record));
  }
  return ok();
}

Result<BybitPrivateMessage> read_topic(simdjson::dom::object frame, std::string_view topic) {
  KIMP_TRY_ASSIGN(const Timestamp ts_event, ms_timestamp_field(frame, "creationTime"));
  // "order.linear" carries the same records as "order", filtered to one category.
  const std::string_view base = topic.substr(0, topic.find('.'));
  const std::string_view category = base.size() < topic.size() ? topic.substr(base.size() + 1) : "";
  if (!category.empty() && category != "linear" && category != "spot" && category != "inverse" &&
      category != "option") {
    return invalid("Bybit private stream: unknown topic " + quote_input(topic));
  }
  if (base == "order") {
    BybitWsOrders message{ts_event, {}};
    KIMP_TRY(for_each_data(frame, [&](simdjson::dom::object record) -> Status {
      KIMP_TRY_ASSIGN(auto order, parse_order_record(record));
      message.orders.push_back(std::move(order));
      return ok();
    }));
    return BybitPrivateMessage(std::move(message));
  }
  if (base == "execution") {
    BybitWsExecutions message{ts_event, {}};
    KIMP_TRY(for_each_data(frame, [&](simdjson::dom::object record) -> Status {
      KIMP_TRY_ASSIGN(auto fill, parse_execution_record(record));
      if (fill) {
        message.executions.push_back(std::move(*fill));
      }
      return ok();
    }));
    return BybitPrivateMessage(std::move(message));
  }
  if (base == "position") {
    BybitWsPositions message{ts_event, {}};
    KIMP_TRY(for_each_data(frame, [&](simdjson::dom::object record) -> Status {
      KIMP_TRY_ASSIGN(auto position, parse_position_record(record, BybitSource::kStream));
      message.positions.push_back(position);
      return ok();
    }));
    return BybitPrivateMessage(std::move(message));
  }
  if (base == "wallet" && category.empty()) {
    BybitWsWallet message{ts_event, {}};
    KIMP_TRY(for_each_data(frame, [&](simdjson::dom::object record) -> Status {
      KIMP_TRY_ASSIGN(auto account, parse_wallet_record(record));
      message.accounts.push_back(std::move(account));
      return ok();
    }));
    return BybitPrivateMessage(std::move(message));
  }
  return invalid("Bybit private stream: unknown topic " + quote_input(topic));
}

}  // namespace

Result<BybitPrivateMessage> BybitPrivateParser::parse(std::string_view frame) {
  KIMP_TRY_ASSIGN(const auto root, parse_json(parser_, frame));
  KIMP_TRY_ASSIGN(const auto object, as_object(root, "frame"));
  KIMP_TRY_ASSIGN(const auto topic, optional_string_field(object, "topic"));
  if (topic) {
    return read_topic(object, *topic);
  }
  KIMP_TRY_ASSIGN(const auto op, optional_string_field(object, "op"));
  if (op) {
    return read_op(object, *op);
  }
  return invalid("Bybit private stream: frame has neither topic nor op: " + quote_input(frame));
}

}  // namespace kimp::venues::bybit
