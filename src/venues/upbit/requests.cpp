// Upbit request builders: parameter order, side and order-type spellings, query and body rendering.
#include "venues/upbit/requests.hpp"

#include <utility>

#include "core/text.hpp"
#include "venues/upbit/urls.hpp"

namespace kimp::venues::upbit {
namespace {

bool is_plain_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == ',';
}

bool is_plain(std::string_view text) {
  for (const char c : text) {
    if (!is_plain_byte(c)) {
      return false;
    }
  }
  return !text.empty();
}

Status check_key(std::string_view key) {
  std::string_view stem = key;
  if (stem.ends_with("[]")) {
    stem.remove_suffix(2);
  }
  if (!is_plain(stem)) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit parameter name " + quote_input(key) +
                                                       " is empty or holds a byte that needs encoding");
  }
  return ok();
}

Status check_value(std::string_view key, std::string_view value) {
  if (!is_plain(value)) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit parameter " + std::string(key) + " value " +
                                                       quote_input(value) +
                                                       " is empty or holds a byte that needs encoding");
  }
  return ok();
}

Status check_positive(std::string_view what, Decimal value) {
  if (!value.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Upbit order " + std::string(what) + " must be positive, got " + value.to_string());
  }
  return ok();
}

UpbitRequest signed_query(UpbitMethod method, std::string_view path, const UpbitParams& params) {
  std::string query = params.query_string();
  std::string signed_text = query;
  return UpbitRequest{method, std::string(path), std::move(query), {}, std::move(signed_text), true};
}

UpbitRequest signed_post(std::string_view path, const UpbitParams& params) {
  return UpbitRequest{UpbitMethod::kPost, std::string(path),     {},
                      params.json_body(), params.query_string(), true};
}

Result<UpbitParams> order_head(const model::Symbol& market, model::Side side) {
  UpbitParams params;
  KIMP_TRY(params.add("market", market.view()));
  KIMP_TRY(params.add("side", side == model::Side::kBuy ? "bid" : "ask"));
  return params;
}

Status add_identifier(UpbitParams& params, std::string_view identifier) {
  // An order without an identifier cannot be found again after a lost answer, so one is required.
  return params.add("identifier", identifier);
}

Result<UpbitParams> ref_params(const UpbitOrderRef& ref) {
  UpbitParams params;
  if (!ref.uuid.empty()) {
    KIMP_TRY(params.add("uuid", ref.uuid));
  } else if (!ref.identifier.empty()) {
    KIMP_TRY(params.add("identifier", ref.identifier));
  } else {
    return make_error(ErrorCode::kInvalidArgument, "Upbit order reference names neither uuid nor identifier");
  }
  return params;
}

Result<UpbitRequest> quotation(std::string_view path, std::span<const model::Symbol> markets) {
  if (markets.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit quotation request names no market");
  }
  std::string joined;
  for (const model::Symbol& market : markets) {
    if (!joined.empty()) {
      joined += ',';
    }
    joined += market.view();
  }
  UpbitParams params;
  KIMP_TRY(params.add("markets", joined));
  std::string query = params.query_string();
  return UpbitRequest{UpbitMethod::kGet, std::string(path), std::move(query), {}, {}, false};
}

}  // namespace

Status UpbitParams::add(std::string_view key, std::string_view value) {
  KIMP_TRY(check_key(key));
  KIMP_TRY(check_value(key, value));
  entries_.push_back(Entry{std::string(key), {std::string(value)}, false});
  return ok();
}

Status UpbitParams::add_list(std::string_view key, std::span<const std::string> values) {
  KIMP_TRY(check_key(key));
  if (key.ends_with("[]")) {
    key.remove_suffix(2);
  }
  if (values.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit list parameter " + std::string(key) + " is empty");
  }
  for (const std::string& value : values) {
    KIMP_TRY(check_value(key, value));
  }
  entries_.push_back(Entry{std::string(key), {values.begin(), values.end()}, true});
  return ok();
}

std::string UpbitParams::query_string() const {
  std::string out;
  for (const Entry& entry : entries_) {
    for (const std::string& value : entry.values) {
      if (!out.empty()) {
        out += '&';
      }
      out += entry.key;
      if (entry.list) {
        out += "[]";
      }
      out += '=';
      out += value;
    }
  }
  return out;
}

std::string UpbitParams::json_body() const {
  // Keys and values hold only plain bytes (checked on add), so none needs JSON escaping.
  std::string out = "{";
  for (const Entry& entry : entries_) {
    if (out.size() > 1) {
      out += ',';
    }
    out += '"';
    out += entry.key;
    out += "\":";
    if (entry.list) {
      out += '[';
    }
    for (std::size_t i = 0; i < entry.values.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      out += '"';
      out += entry.values[i];
      out += '"';
    }
    if (entry.list) {
      out += ']';
    }
  }
  out += '}';
  return out;
}

UpbitRequest accounts_request() {
  return signed_query(UpbitMethod::kGet, kAccountsPath, UpbitParams{});
}

Result<UpbitRequest> order_chance_request(const model::Symbol& market) {
  UpbitParams params;
  KIMP_TRY(params.add("market", market.view()));
  return signed_query(UpbitMethod::kGet, kOrderChancePath, params);
}

Result<UpbitRequest> limit_order_request(const model::Symbol& market, model::Side side, Decimal price,
                                         Decimal volume, model::TimeInForce time_in_force,
                                         std::string_view identifier) {
  KIMP_TRY(check_positive("price", price));
  KIMP_TRY(check_positive("volume", volume));
  KIMP_TRY_ASSIGN(UpbitParams params, order_head(market, side));
  KIMP_TRY(params.add("volume", volume.to_string()));
  KIMP_TRY(params.add("price", price.to_string()));
  KIMP_TRY(params.add("ord_type", "limit"));
  switch (time_in_force) {
    case model::TimeInForce::kGtc: break;
    case model::TimeInForce::kIoc: KIMP_TRY(params.add("time_in_force", "ioc")); break;
    case model::TimeInForce::kFok: KIMP_TRY(params.add("time_in_force", "fok")); break;
  }
  KIMP_TRY(add_identifier(params, identifier));
  return signed_post(kOrdersPath, params);
}

Result<UpbitRequest> market_buy_request(const model::Symbol& market, Decimal krw_amount,
                                        std::string_view identifier) {
  KIMP_TRY(check_positive("KRW amount", krw_amount));
  KIMP_TRY_ASSIGN(UpbitParams params, order_head(market, model::Side::kBuy));
  KIMP_TRY(params.add("price", krw_amount.to_string()));
  KIMP_TRY(params.add("ord_type", "price"));
  KIMP_TRY(add_identifier(params, identifier));
  return signed_post(kOrdersPath, params);
}

Result<UpbitRequest> market_sell_request(const model::Symbol& market, Decimal volume,
                                         std::string_view identifier) {
  KIMP_TRY(check_positive("volume", volume));
  KIMP_TRY_ASSIGN(UpbitParams params, order_head(market, model::Side::kSell));
  KIMP_TRY(params.add("volume", volume.to_string()));
  KIMP_TRY(params.add("ord_type", "market"));
  KIMP_TRY(add_identifier(params, identifier));
  return signed_post(kOrdersPath, params);
}

Result<UpbitRequest> get_order_request(const UpbitOrderRef& ref) {
  KIMP_TRY_ASSIGN(const UpbitParams params, ref_params(ref));
  return signed_query(UpbitMethod::kGet, kOrderPath, params);
}

Result<UpbitRequest> cancel_order_request(const UpbitOrderRef& ref) {
  KIMP_TRY_ASSIGN(const UpbitParams params, ref_params(ref));
  return signed_query(UpbitMethod::kDelete, kOrderPath, params);
}

Result<UpbitRequest> orderbook_request(std::span<const model::Symbol> markets) {
  return quotation(kOrderbookPath, markets);
}

Result<UpbitRequest> ticker_request(std::span<const model::Symbol> markets) {
  return quotation(kTickerPath, markets);
}

UpbitRequest market_all_request() {
  return UpbitRequest{UpbitMethod::kGet, std::string(kMarketAllPath), "is_details=true", {}, {}, false};
}

}  // namespace kimp::venues::upbit
