// Pure parser of Bybit v5 private-stream frames: auth/subscribe acks, pongs, order/execution/position/wallet.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/account_events.hpp"
#include "venues/bybit/models.hpp"

namespace kimp::venues::bybit {

// The answer to {"op":"auth",..}. A refusal has success false and Bybit's reason in ret_msg.
struct BybitWsAuthAck {
  bool success = false;
  std::string ret_msg;
  std::string req_id;  // "" when the request carried none
  bool operator==(const BybitWsAuthAck&) const = default;
};

// The answer to {"op":"subscribe"|"unsubscribe",..}.
struct BybitWsSubscribeAck {
  bool success = false;
  std::string ret_msg;
  std::string req_id;
  bool operator==(const BybitWsSubscribeAck&) const = default;
};

// The answer to {"op":"ping"}: the private stream's {"op":"pong",..} or the public-style
// {"success":true,"ret_msg":"pong","op":"ping"}.
struct BybitWsPong {
  std::string req_id;
  bool operator==(const BybitWsPong&) const = default;
};

// Pushed changes; ts_event is the message's creationTime.
struct BybitWsOrders {
  Timestamp ts_event;
  std::vector<model::OrderReport> orders;
  bool operator==(const BybitWsOrders&) const = default;
};

// Fills only: funding settlements are left out, as in parse_executions.
struct BybitWsExecutions {
  Timestamp ts_event;
  std::vector<model::Execution> executions;
  bool operator==(const BybitWsExecutions&) const = default;
};

struct BybitWsPositions {
  Timestamp ts_event;
  std::vector<model::PositionReport> positions;
  bool operator==(const BybitWsPositions&) const = default;
};

// One entry per account, each with its coins mapped as 0013 LD-0001 fixes (see BybitWalletBalance).
struct BybitWsWallet {
  Timestamp ts_event;
  std::vector<BybitWalletBalance> accounts;
  bool operator==(const BybitWsWallet&) const = default;
};

using BybitPrivateMessage = std::variant<BybitWsAuthAck, BybitWsSubscribeAck, BybitWsPong, BybitWsOrders,
                                         BybitWsExecutions, BybitWsPositions, BybitWsWallet>;

// Parses one text frame of /v5/private. It keeps its simdjson buffers between frames, so one parser per
// connection avoids reallocating them; the results own their data.
class BybitPrivateParser {
 public:
  // Topics "order", "execution", "position", "wallet" and their categorised forms ("order.linear", ...).
  // Records are read as parse_order_record / parse_execution_record / parse_position_record (stream
  // spelling) / parse_wallet_record read them (parse_rest.hpp).
  // Errors: kInvalidArgument, quoting the frame or naming the field, for a frame that is not JSON, an
  // op or topic this parser does not know (including "execution.fast", whose records lack the fee), or any
  // record that fails its field checks — the whole frame is refused, never half applied.
  Result<BybitPrivateMessage> parse(std::string_view frame);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace kimp::venues::bybit
