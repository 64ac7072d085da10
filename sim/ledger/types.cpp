// Wire spellings of the ledger's enums, as Upbit and Bybit write them.
#include "sim/ledger/types.hpp"

namespace kimp::sim {

std::string_view to_string(UpbitSide side) {
  return side == UpbitSide::kBid ? "bid" : "ask";
}

std::string_view to_string(UpbitOrdType type) {
  switch (type) {
    case UpbitOrdType::kLimit: return "limit";
    case UpbitOrdType::kPrice: return "price";
    case UpbitOrdType::kMarket: return "market";
  }
  return "";
}

std::string_view to_string(UpbitTimeInForce tif) {
  return tif == UpbitTimeInForce::kIoc ? "ioc" : "fok";
}

std::string_view to_string(UpbitOrderState state) {
  switch (state) {
    case UpbitOrderState::kWait: return "wait";
    case UpbitOrderState::kWatch: return "watch";
    case UpbitOrderState::kDone: return "done";
    case UpbitOrderState::kCancel: return "cancel";
  }
  return "";
}

std::string_view to_string(LinearSide side) {
  return side == LinearSide::kBuy ? "Buy" : "Sell";
}

std::string_view to_string(LinearOrderType type) {
  return type == LinearOrderType::kMarket ? "Market" : "Limit";
}

std::string_view to_string(LinearTimeInForce tif) {
  switch (tif) {
    case LinearTimeInForce::kGtc: return "GTC";
    case LinearTimeInForce::kIoc: return "IOC";
    case LinearTimeInForce::kFok: return "FOK";
  }
  return "";
}

std::string_view to_string(LinearOrderStatus status) {
  switch (status) {
    case LinearOrderStatus::kNew: return "New";
    case LinearOrderStatus::kPartiallyFilled: return "PartiallyFilled";
    case LinearOrderStatus::kFilled: return "Filled";
    case LinearOrderStatus::kCancelled: return "Cancelled";
  }
  return "";
}

}  // namespace kimp::sim
