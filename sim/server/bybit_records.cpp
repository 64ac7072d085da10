// Bybit v5 order, execution, position and wallet records built from the ledger, for REST and the stream.
#include "sim/server/bybit_records.hpp"

#include <boost/json/array.hpp>

namespace kimp::sim {
namespace {

namespace json = boost::json;

// accountIMRate carries four decimals, rounded up.
constexpr Decimal kRateStep = Decimal::from_units(10'000);

// What Bybit reports for a cancelled order: by the user for a resting order, by the matching engine for
// the unfilled rest of an IOC/FOK order.
std::string_view cancel_type(const LinearOrder& order) {
  if (order.status != LinearOrderStatus::kCancelled) {
    return "UNKNOWN";
  }
  return order.time_in_force == LinearTimeInForce::kGtc ? "CancelByUser" : "UNKNOWN";
}

}  // namespace

std::string ms_text(Timestamp at) {
  return std::to_string(at.ms());
}

Result<json::object> bybit_order_record(const LinearOrder& order, BybitSurface surface) {
  KIMP_TRY_ASSIGN(const Decimal leaves_value, order.leaves_qty.mul(order.price));
  json::object out{
      {"orderId", order.order_id},
      {"orderLinkId", order.order_link_id},
      {"blockTradeId", ""},
      {"symbol", order.symbol},
      {"price", order.price.to_string()},
      {"qty", order.qty.to_string()},
      {"side", to_string(order.side)},
      {"positionIdx", 0},
      {"orderStatus", to_string(order.status)},
      {"cancelType", cancel_type(order)},
      {"rejectReason", "EC_NoError"},
      {"avgPrice", order.avg_price.to_string()},
      {"leavesQty", order.leaves_qty.to_string()},
      {"leavesValue", leaves_value.to_string()},
      {"cumExecQty", order.cum_exec_qty.to_string()},
      {"cumExecValue", order.cum_exec_value.to_string()},
      {"cumExecFee", order.cum_exec_fee.to_string()},
      {"timeInForce", to_string(order.time_in_force)},
      {"orderType", to_string(order.order_type)},
      {"stopOrderType", "UNKNOWN"},
      {"orderIv", ""},
      {"triggerPrice", "0"},
      {"takeProfit", "0"},
      {"stopLoss", "0"},
      {"tpTriggerBy", "UNKNOWN"},
      {"slTriggerBy", "UNKNOWN"},
      {"triggerDirection", 0},
      {"triggerBy", "UNKNOWN"},
      {"lastPriceOnCreated", ""},
      {"reduceOnly", order.reduce_only},
      {"closeOnTrigger", false},
      {"smpType", "None"},
      {"smpGroup", 0},
      {"smpOrderId", ""},
      {"tpslMode", ""},
      {"tpLimitPrice", ""},
      {"slLimitPrice", ""},
      {"placeType", ""},
      {"createdTime", ms_text(order.created_time)},
      {"updatedTime", ms_text(order.updated_time)},
      // Fees are paid in the settle coin, so the per-coin detail names USDT.
      {"cumFeeDetail", json::object{{"USDT", order.cum_exec_fee.to_string()}}},
  };
  if (surface == BybitSurface::kRest) {
    out["isLeverage"] = "";
  } else {
    out["category"] = "linear";
    // The emulator's closed PnL leaves the fees out (they are in cumExecFee).
    out["closedPnl"] = order.realised_pnl.to_string();
    // Deprecated, filled for spot only.
    out["feeCurrency"] = "";
    out["rpiTakerAccess"] = false;
    out["rpiMatchedQty"] = "0";
  }
  return out;
}

json::object bybit_execution_record(const LinearExecution& fill, const LinearOrder& order,
                                    BybitSurface surface) {
  json::object out{
      {"symbol", fill.symbol},
      {"orderId", fill.order_id},
      {"orderLinkId", fill.order_link_id},
      {"side", to_string(fill.side)},
      {"orderPrice", order.price.to_string()},
      {"orderQty", order.qty.to_string()},
      {"leavesQty", fill.leaves_qty.to_string()},
      {"createType", "CreateByUser"},
      {"orderType", to_string(order.order_type)},
      {"stopOrderType", "UNKNOWN"},
      {"execFee", fill.exec_fee.to_string()},
      {"execId", fill.exec_id},
      {"execPrice", fill.exec_price.to_string()},
      {"execQty", fill.exec_qty.to_string()},
      {"execType", "Trade"},
      {"execValue", fill.exec_value.to_string()},
      {"execTime", ms_text(fill.exec_time)},
      {"feeCurrency", "USDT"},
      {"isMaker", fill.is_maker},
      {"feeRate", fill.fee_rate.to_string()},
      {"tradeIv", ""},
      {"markIv", ""},
      // The ledger records no mark or index price per fill.
      {"markPrice", ""},
      {"indexPrice", ""},
      {"underlyingPrice", ""},
      {"blockTradeId", ""},
      {"closedSize", fill.closed_size.to_string()},
      // The same instant stamps the position update the fill made, which is what seq pairs them by.
      {"seq", fill.exec_time.ms()},
      // An empty string unless Indian, Indonesian or EU fiat fees apply.
      {"extraFees", ""},
  };
  if (surface == BybitSurface::kStream) {
    out["category"] = "linear";
    out["isLeverage"] = "0";
    out["marketUnit"] = "";
    out["execPnl"] = fill.realised_pnl.to_string();
  }
  return out;
}

json::object bybit_position_record(const LinearPosition& position, BybitSurface surface) {
  const bool open = position.side.has_value();
  const bool stream = surface == BybitSurface::kStream;
  json::object out{
      {"positionIdx", 0},
      {"riskId", 1},
      {"riskLimitValue", "2000000"},
      {"symbol", position.symbol},
      {"side", open ? to_string(*position.side) : std::string_view()},
      {"size", position.size.to_string()},
      {stream ? "entryPrice" : "avgPrice", position.avg_price.to_string()},
      {"positionValue", position.position_value.to_string()},
      // Isolated margin on REST; the stream's tradeMode is deprecated and always 0.
      {"tradeMode", stream ? 0 : 1},
      {"positionStatus", "Normal"},
      {"autoAddMargin", 0},
      {"adlRankIndicator", open ? 2 : 0},
      {"leverage", position.leverage.to_string()},
      {"breakEvenPrice", ""},
      {"positionBalance", position.position_im.to_string()},
      {"markPrice", position.mark_price.to_string()},
      {"liqPrice", position.liq_price ? position.liq_price->to_string() : std::string()},
      {"bustPrice", ""},
      // The ledger keeps no maintenance-margin figure per position, so these are left blank.
      {"positionMM", ""},
      {"positionMMByMp", ""},
      {"positionIM", position.position_im.to_string()},
      {"positionIMByMp", position.position_im.to_string()},
      {"tpslMode", "Full"},
      {"takeProfit", "0"},
      {"stopLoss", "0"},
      {"trailingStop", "0"},
      {"unrealisedPnl", position.unrealised_pnl.to_string()},
      {"curRealisedPnl", position.cum_realised_pnl.to_string()},
      {"cumRealisedPnl", position.cum_realised_pnl.to_string()},
      {"isReduceOnly", false},
      {stream ? "mmrSysUpdatedTime" : "mmrSysUpdateTime", ""},
      {"leverageSysUpdatedTime", ""},
      {"sessionAvgPrice", ""},
      {"createdTime", ms_text(position.created_time)},
      {"updatedTime", ms_text(position.updated_time)},
  };
  if (stream) {
    out["category"] = "linear";
    // The stream's page: -1 for a symbol never traded.
    out["seq"] = position.created_time != Timestamp{} ? position.updated_time.ms() : -1;
  } else {
    out["seq"] = position.updated_time.ms();
  }
  return out;
}

Result<json::object> bybit_wallet_record(const UsdtWallet& wallet, bool with_coin) {
  KIMP_TRY_ASSIGN(const Decimal initial_margin, wallet.total_position_im.add(wallet.total_order_im));
  Decimal im_rate;
  if (wallet.equity.is_positive()) {
    KIMP_TRY_ASSIGN(const Decimal rate, initial_margin.div(wallet.equity));
    KIMP_TRY_ASSIGN(im_rate, rate.round_to_step(kRateStep, RoundingMode::kUp));
  }
  json::array coins;
  if (with_coin) {
    coins.push_back(json::object{
        {"coin", "USDT"},
        {"equity", wallet.equity.to_string()},
        {"usdValue", wallet.equity.to_string()},
        {"walletBalance", wallet.wallet_balance.to_string()},
        // Bybit no longer fills this field for UNIFIED accounts.
        {"availableToWithdraw", ""},
        {"availableToBorrow", ""},
        {"borrowAmount", "0"},
        {"accruedInterest", "0"},
        {"totalOrderIM", wallet.total_order_im.to_string()},
        {"totalPositionIM", wallet.total_position_im.to_string()},
        {"totalPositionMM", ""},
        {"unrealisedPnl", wallet.unrealised_pnl.to_string()},
        {"cumRealisedPnl", wallet.cum_realised_pnl.to_string()},
        {"bonus", "0"},
        {"collateralSwitch", true},
        {"marginCollateral", true},
        {"locked", "0"},
        {"spotHedgingQty", "0"},
        {"spotBorrow", "0"},
    });
  }
  return json::object{
      {"accountIMRate", im_rate.to_string()},
      {"accountIMRateByMp", im_rate.to_string()},
      {"accountMMRate", ""},
      {"accountMMRateByMp", ""},
      {"totalEquity", wallet.equity.to_string()},
      {"totalWalletBalance", wallet.wallet_balance.to_string()},
      {"totalMarginBalance", wallet.equity.to_string()},
      {"totalAvailableBalance", wallet.available_balance.to_string()},
      {"totalPerpUPL", wallet.unrealised_pnl.to_string()},
      {"totalInitialMargin", initial_margin.to_string()},
      {"totalInitialMarginByMp", initial_margin.to_string()},
      {"totalMaintenanceMargin", ""},
      {"totalMaintenanceMarginByMp", ""},
      {"coin", std::move(coins)},
      {"accountLTV", "0"},
      {"accountType", "UNIFIED"},
  };
}

}  // namespace kimp::sim
