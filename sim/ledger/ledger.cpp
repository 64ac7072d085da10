// Ledger accounts, instruments, ids and the GET /ledger snapshot.
#include "sim/ledger/ledger.hpp"

#include <utility>

#include <fmt/format.h>

#include "sim/market/random.hpp"

namespace kimp::sim {

Ledger::Ledger(LedgerFees fees) : fees_(fees) {}

void Ledger::set_upbit_market(const std::string& market, UpbitMarketRules rules) {
  upbit_markets_[market] = std::move(rules);
}

void Ledger::set_linear_instrument(const std::string& symbol, LinearInstrumentRules rules) {
  linear_instruments_[symbol] = rules;
}

Status Ledger::set_mark_price(const std::string& symbol, Decimal mark) {
  if (!linear_instruments_.contains(symbol)) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown symbol {}", symbol));
  }
  if (!mark.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("mark price {} must be positive", mark));
  }
  marks_[symbol] = mark;
  return ok();
}

Status Ledger::create_account(const std::string& id) {
  if (id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "account id must not be empty");
  }
  if (accounts_.contains(id)) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("account {} already exists", id));
  }
  Account account;
  account.upbit_balances["KRW"] = UpbitBalance{.currency = "KRW"};
  stamp(accounts_.emplace(id, std::move(account)).first->second);
  return ok();
}

Status Ledger::fund_upbit(const std::string& id, const std::string& currency, Decimal amount) {
  KIMP_TRY_ASSIGN(Account * account, find_account(id));
  if (currency.empty() || !amount.is_positive()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("deposit of {} '{}' needs a currency and a positive amount", amount, currency));
  }
  UpbitBalance balance = upbit_balance_of(*account, currency);
  KIMP_TRY_ASSIGN(balance.balance, balance.balance.add(amount));
  account->upbit_balances[currency] = balance;
  stamp(*account);
  return ok();
}

Status Ledger::fund_usdt(const std::string& id, Decimal amount) {
  KIMP_TRY_ASSIGN(Account * account, find_account(id));
  if (!amount.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("deposit of {} USDT must be positive", amount));
  }
  KIMP_TRY_ASSIGN(account->usdt_wallet_balance, account->usdt_wallet_balance.add(amount));
  account->wallet_revision = stamp(*account);
  return ok();
}

void Ledger::reset() {
  accounts_.clear();
}

std::vector<std::string> Ledger::account_ids() const {
  std::vector<std::string> ids;
  ids.reserve(accounts_.size());
  for (const auto& [id, account] : accounts_) {
    ids.push_back(id);
  }
  return ids;
}

Result<Ledger::Account*> Ledger::find_account(const std::string& id) {
  const auto found = accounts_.find(id);
  if (found == accounts_.end()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown account {}", id));
  }
  return &found->second;
}

Result<const Ledger::Account*> Ledger::find_account(const std::string& id) const {
  const auto found = accounts_.find(id);
  if (found == accounts_.end()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown account {}", id));
  }
  return &found->second;
}

Result<std::uint64_t> Ledger::revision(const std::string& account_id) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  return account->revision;
}

std::string Ledger::next_id() {
  ++id_sequence_;
  const std::uint64_t high = splitmix64(id_sequence_);
  const std::uint64_t low = splitmix64(high);
  // Version 4 and variant bits in their usual places, so clients that validate UUIDs accept these.
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32U, (high >> 16U) & 0xffffU,
                     high & 0xfffU, 0x8000U | (low >> 48U & 0x3fffU), low & 0xffffffffffffULL);
}

Result<LedgerSnapshot> Ledger::snapshot() const {
  LedgerSnapshot snapshot;
  for (const auto& [id, account] : accounts_) {
    AccountSnapshot entry;
    entry.id = id;
    for (const auto& [currency, balance] : account.upbit_balances) {
      entry.upbit_balances.push_back(balance);
    }
    entry.upbit_orders = account.upbit_orders;
    entry.upbit_trades = account.upbit_trades;
    KIMP_TRY_ASSIGN(entry.usdt_wallet, usdt_wallet(id));
    KIMP_TRY_ASSIGN(entry.linear_positions, linear_positions(id));
    entry.linear_orders = account.linear_orders;
    entry.linear_executions = account.linear_executions;
    entry.funding_payments = account.funding_payments;
    snapshot.accounts.push_back(std::move(entry));
  }
  return snapshot;
}

}  // namespace kimp::sim
