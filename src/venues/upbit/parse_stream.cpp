// Upbit stream frames: one pass over the members into reusable buffers, then the event for the type.
#include "venues/upbit/parse_stream.hpp"

#include <algorithm>
#include <cstring>

#include "core/text.hpp"
#include "venues/upbit/json_fields.hpp"
#include "venues/upbit/market_fields.hpp"

namespace kimp::venues::upbit {
namespace {

// Upbit sends at most 30 orderbook units; reserving them up front spares the first frames a regrowth.
constexpr std::size_t kMaxUnits = 30;

UpbitStreamKind kind_of(std::string_view type) {
  if (type == "orderbook") {
    return UpbitStreamKind::kOrderbook;
  }
  if (type == "trade") {
    return UpbitStreamKind::kTrade;
  }
  if (type == "ticker") {
    return UpbitStreamKind::kTicker;
  }
  return UpbitStreamKind::kOther;
}

std::string_view to_string(UpbitStreamKind kind) {
  switch (kind) {
    case UpbitStreamKind::kOrderbook: return "orderbook";
    case UpbitStreamKind::kTrade: return "trade";
    case UpbitStreamKind::kTicker: return "ticker";
    case UpbitStreamKind::kOther: return "other";
  }
  return "other";
}

Error venue_error(const detail::UpbitMarketFields& fields) {
  // websocket.yaml: INVALID_AUTH is a token problem; every other name says the request was malformed.
  const ErrorCode code =
      fields.error_name == "INVALID_AUTH" ? ErrorCode::kUnauthenticated : ErrorCode::kInvalidArgument;
  return Error{code, std::string(fields.error_name),
               "Upbit stream error: " + std::string(fields.error_message)};
}

}  // namespace

UpbitStreamParser::UpbitStreamParser() : log_("upbit.stream") {
  bids_.reserve(kMaxUnits);
  asks_.reserve(kMaxUnits);
}

Result<UpbitStreamMessage> UpbitStreamParser::parse(std::string_view frame) {
  UpbitStreamKind kind = UpbitStreamKind::kOther;
  auto message = parse_frame(frame, kind);
  if (message) {
    ++stats_.parsed[static_cast<std::size_t>(kind)];
  } else if (!message.error().venue_code.empty()) {
    ++stats_.venue_errors;
    if (!venue_error_logged_) {
      venue_error_logged_ = true;
      log_.warn("stream error frame", {{"error", message.error().describe()}, {"bytes", quote_input(frame)}});
    }
  } else {
    note_malformed(kind, message.error(), frame);
  }
  return message;
}

Result<UpbitStreamMessage> UpbitStreamParser::parse_frame(std::string_view frame, UpbitStreamKind& kind) {
  const std::size_t padded = frame.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < padded) {
    buffer_.resize(padded);
  }
  std::copy(frame.begin(), frame.end(), buffer_.begin());
  std::fill_n(buffer_.begin() + static_cast<std::ptrdiff_t>(frame.size()), simdjson::SIMDJSON_PADDING, ' ');
  bids_.clear();
  asks_.clear();

  simdjson::ondemand::document doc;
  if (const auto code = parser_.iterate(buffer_.data(), frame.size(), buffer_.size()).get(doc);
      code != simdjson::SUCCESS) {
    return detail::json_failure(code, "stream frame");
  }
  simdjson::ondemand::object object;
  if (const auto code = doc.get_object().get(object); code != simdjson::SUCCESS) {
    return detail::json_failure(code, "stream frame");
  }
  detail::UpbitMarketFields fields;
  const Status read = detail::read_market_fields(object, fields, bids_, asks_);
  kind = kind_of(fields.type);
  KIMP_TRY(read);
  if (fields.has_error) {
    return tl::unexpected<Error>(venue_error(fields));
  }
  if (!fields.status.empty()) {
    return UpbitStreamStatus{fields.status == "UP"};
  }
  switch (kind) {
    case UpbitStreamKind::kOrderbook: {
      KIMP_TRY_ASSIGN(const model::BookUpdate book, detail::to_book_update(fields, bids_, asks_));
      return book;
    }
    case UpbitStreamKind::kTrade: {
      KIMP_TRY_ASSIGN(const model::Trade trade, detail::to_trade(fields));
      return trade;
    }
    case UpbitStreamKind::kTicker: {
      KIMP_TRY_ASSIGN(const model::Ticker ticker, detail::to_ticker(fields));
      return ticker;
    }
    case UpbitStreamKind::kOther: break;
  }
  if (fields.type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "Upbit stream frame has no type (ty)");
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "Upbit stream frame of unsupported type " + quote_input(fields.type));
}

void UpbitStreamParser::note_malformed(UpbitStreamKind kind, const Error& error, std::string_view frame) {
  const auto index = static_cast<std::size_t>(kind);
  ++stats_.malformed[index];
  if (!logged_[index]) {
    logged_[index] = true;
    log_.warn("malformed stream frame skipped; later ones of this kind are only counted",
              {{"kind", to_string(kind)}, {"error", error.message}, {"bytes", quote_input(frame)}});
  }
}

}  // namespace kimp::venues::upbit
