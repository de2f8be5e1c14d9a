#include "core/server/outbox_reports.hpp"

namespace lontar::server {

void OutboxReports::Note(const std::string& terminal_id, std::uint64_t highest,
                         std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  reports_[terminal_id] = {highest, now_ms};
}

std::map<std::string, OutboxReport> OutboxReports::Snapshot() const {
  std::lock_guard lock(mu_);
  return reports_;
}

}  // namespace lontar::server
