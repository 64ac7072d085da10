// InstrumentTable: one venue's trading rules by symbol, replaced whole on every refresh.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/instrument.hpp"
#include "model/types.hpp"

namespace kimp::market {

class InstrumentTable {
 public:
  // Replaces every instrument with `instruments`, loaded at `loaded_at`.
  // Errors: kInvalidArgument, naming it, when a symbol appears twice; the table is then left as it was.
  Status replace(std::vector<model::Instrument> instruments, Timestamp loaded_at);

  // The rules of `symbol`; nullptr when the venue does not list it.
  [[nodiscard]] const model::Instrument* find(const model::Symbol& symbol) const;
  [[nodiscard]] std::size_t size() const { return instruments_.size(); }
  [[nodiscard]] bool empty() const { return instruments_.empty(); }
  // When the table was last replaced; zero before the first load.
  [[nodiscard]] Timestamp loaded_at() const { return loaded_at_; }
  // Every instrument, ordered by symbol.
  [[nodiscard]] const std::vector<model::Instrument>& all() const { return instruments_; }

 private:
  std::vector<model::Instrument> instruments_;  // ordered by symbol
  Timestamp loaded_at_;
};

}  // namespace kimp::market
