// Spellings and predicates of the account-side enums.
#include "model/account_events.hpp"

namespace kimp::model {

std::string_view to_string(OrderStatus status) {
  switch (status) {
    case OrderStatus::kNew: return "new";
    case OrderStatus::kPartiallyFilled: return "partially_filled";
    case OrderStatus::kFilled: return "filled";
    case OrderStatus::kCancelled: return "cancelled";
    case OrderStatus::kRejected: return "rejected";
  }
  return "unknown";
}

bool is_terminal(OrderStatus status) {
  return status == OrderStatus::kFilled || status == OrderStatus::kCancelled ||
         status == OrderStatus::kRejected;
}

}  // namespace kimp::model
