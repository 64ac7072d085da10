// InstrumentTable: a sorted vector searched by symbol.
#include "market/instrument_table.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace kimp::market {
namespace {

bool by_symbol(const model::Instrument& left, const model::Instrument& right) {
  return left.symbol.view() < right.symbol.view();
}

}  // namespace

Status InstrumentTable::replace(std::vector<model::Instrument> instruments, Timestamp loaded_at) {
  std::sort(instruments.begin(), instruments.end(), by_symbol);
  const auto repeated = std::adjacent_find(instruments.begin(), instruments.end(),
                                           [](const model::Instrument& left, const model::Instrument& right) {
                                             return left.symbol == right.symbol;
                                           });
  if (repeated != instruments.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("instrument {} is listed twice", repeated->symbol.view()));
  }
  instruments_ = std::move(instruments);
  loaded_at_ = loaded_at;
  return ok();
}

const model::Instrument* InstrumentTable::find(const model::Symbol& symbol) const {
  const auto it = std::lower_bound(instruments_.begin(), instruments_.end(), symbol,
                                   [](const model::Instrument& instrument, const model::Symbol& key) {
                                     return instrument.symbol.view() < key.view();
                                   });
  return it != instruments_.end() && it->symbol == symbol ? &*it : nullptr;
}

}  // namespace kimp::market
