// Dunamu-format USD/KRW quotes from the market model's rate, with the day's open/high/low and change;
// down or frozen when the market faults say so.
#include "sim/server/fx_api.hpp"

#include <optional>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "sim/server/exact_json.hpp"

namespace kimp::sim {
namespace {

constexpr std::string_view kUsdKrwCode = "FRX.KRWUSD";

bool requests_usd_krw(std::string_view query) {
  // codes=FRX.KRWUSD or a comma-separated list holding it (the comma may be percent-encoded).
  const auto start = query.find("codes=");
  if (start == std::string_view::npos) {
    return false;
  }
  auto codes = query.substr(start + 6);
  codes = codes.substr(0, codes.find('&'));
  return codes.find(kUsdKrwCode) != std::string_view::npos;
}

std::string change_name(Decimal signed_change) {
  if (signed_change.is_positive()) {
    return "RISE";
  }
  return signed_change.is_negative() ? "FALL" : "EVEN";
}

}  // namespace

HttpResponse FxApi::injected_failure(HttpVerdict::Action action) {
  return action == HttpVerdict::Action::kRateLimit
             ? HttpResponse::json(429, R"({"error":"too many requests"})")
             : HttpResponse::json(503, R"({"error":"service unavailable"})");
}

HttpResponse FxApi::handle(const HttpRequest& request) {
  if (request.method != HttpMethod::kGet || request.path != "/v1/forex/recent") {
    return HttpResponse::json(404, R"({"error":"not found"})");
  }
  if (auto synced = exchange_.sync(); !synced) {
    return HttpResponse::json(
        500, boost::json::serialize(boost::json::object{{"error", synced.error().describe()}}));
  }
  FaultInjector& faults = exchange_.faults();
  if (faults.config().market.fx_down) {
    faults.record(FaultVenue::kFx, "fx_down", "*");
    return HttpResponse::json(503, R"({"error":"service unavailable"})");
  }
  if (!requests_usd_krw(request.query)) {
    return HttpResponse::json(200, "[]");
  }
  const std::optional<FxQuote>& frozen = exchange_.frozen_fx();
  if (frozen) {
    faults.record(FaultVenue::kFx, "fx_frozen", "*");
  }
  const Timestamp now = frozen ? frozen->at : exchange_.now();
  const Decimal rate = frozen ? frozen->usd_krw : exchange_.market().usd_krw();
  const std::string kst = (now + kKstUtcOffset).to_iso8601();
  const std::string date = kst.substr(0, 10);
  if (day_.date != date) {
    day_ = Day{date, rate, rate, rate};
  }
  day_.high = std::max(day_.high, rate);
  day_.low = std::min(day_.low, rate);
  const Decimal signed_change = rate.sub(day_.open).value_or(Decimal());
  const Decimal change = signed_change.abs().value_or(Decimal());
  const double change_rate = day_.open.is_zero() ? 0.0 : change.to_double() / day_.open.to_double();

  boost::json::object quote;
  quote["code"] = kUsdKrwCode;
  quote["currencyCode"] = "USD";
  quote["currencyName"] = "달러";
  quote["country"] = "미국";
  quote["name"] = "미국 (KRW/USD)";
  quote["date"] = date;
  quote["time"] = kst.substr(11, 8);
  quote["recurrenceCount"] = 1;
  quote["basePrice"] = exact_number(rate);
  quote["openingPrice"] = exact_number(day_.open);
  quote["highPrice"] = exact_number(day_.high);
  quote["lowPrice"] = exact_number(day_.low);
  quote["change"] = change_name(signed_change);
  quote["changePrice"] = exact_number(change);
  quote["signedChangePrice"] = exact_number(signed_change);
  quote["changeRate"] = change_rate;
  quote["signedChangeRate"] = signed_change.is_negative() ? -change_rate : change_rate;
  quote["currencyUnit"] = 1;
  quote["provider"] = "kimp-venue-sim";
  quote["timestamp"] = now.ms();
  return HttpResponse::json(200, serialize_exact(boost::json::array{quote}));
}

}  // namespace kimp::sim
