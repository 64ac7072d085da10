// Decimal parse, format and multiply speed next to the double / raw-integer baselines they replace.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/int128.hpp"

namespace {

using kimp::Int128;

// Price and quantity strings as Upbit and Bybit send them.
constexpr std::array<std::string_view, 8> kExchangeTexts = {
    "150389000.0", "0.00012345", "62000.5", "1350.25", "0.001", "96512.4", "12.3456789", "4.2e-05",
};

// Every benchmark cycles through its inputs one per iteration, so the figure is time per value.
template <class Inputs>
const auto& next_input(const Inputs& inputs, std::size_t& index) {
  const auto& input = inputs[index];
  index = index + 1 == inputs.size() ? 0 : index + 1;
  return input;
}

std::array<kimp::Decimal, kExchangeTexts.size()> parsed_values() {
  std::array<kimp::Decimal, kExchangeTexts.size()> values{};
  for (std::size_t i = 0; i < kExchangeTexts.size(); ++i) {
    values[i] = kimp::Decimal::parse(kExchangeTexts[i]).value();
  }
  return values;
}

void BM_DecimalParse(benchmark::State& state) {
  std::size_t index = 0;
  for (auto _ : state) {
    auto parsed = kimp::Decimal::parse(next_input(kExchangeTexts, index));
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_DecimalParse);

void BM_FromCharsDouble(benchmark::State& state) {
  std::size_t index = 0;
  for (auto _ : state) {
    const std::string_view text = next_input(kExchangeTexts, index);
    double value = 0;
    auto outcome = std::from_chars(text.data(), text.data() + text.size(), value);
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_FromCharsDouble);

void BM_Strtod(benchmark::State& state) {
  // strtod needs NUL-terminated text.
  std::array<std::string, kExchangeTexts.size()> texts;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    texts[i] = std::string(kExchangeTexts[i]);
  }
  std::size_t index = 0;
  for (auto _ : state) {
    double value = std::strtod(next_input(texts, index).c_str(), nullptr);
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_Strtod);

void BM_DecimalToString(benchmark::State& state) {
  const auto values = parsed_values();
  std::size_t index = 0;
  for (auto _ : state) {
    std::string text = next_input(values, index).to_string();
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_DecimalToString);

void BM_FmtFormatDouble(benchmark::State& state) {
  const auto decimals = parsed_values();
  std::array<double, kExchangeTexts.size()> values{};
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = decimals[i].to_double();
  }
  std::size_t index = 0;
  for (auto _ : state) {
    std::string text = fmt::format("{}", next_input(values, index));
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_FmtFormatDouble);

void BM_DecimalMul(benchmark::State& state) {
  const auto values = parsed_values();
  std::size_t index = 0;
  for (auto _ : state) {
    const kimp::Decimal lhs = next_input(values, index);
    auto product = lhs.mul(values[index]);
    benchmark::DoNotOptimize(product);
  }
}
BENCHMARK(BM_DecimalMul);

void BM_Int128Mul(benchmark::State& state) {
  const auto values = parsed_values();
  std::size_t index = 0;
  for (auto _ : state) {
    const kimp::Decimal lhs = next_input(values, index);
    Int128 product = Int128{lhs.units()} * values[index].units();
    benchmark::DoNotOptimize(product);
  }
}
BENCHMARK(BM_Int128Mul);

}  // namespace
