#include "core/vault/statement_cache.hpp"

namespace lontar::vault {

Result<StatementCache::Lease> StatementCache::Get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    LONTAR_ASSIGN_OR_RETURN(Statement s, db_->Prepare(sql));
    it = statements_.emplace(std::string(sql), std::make_unique<Statement>(std::move(s))).first;
  }
  return Lease(it->second.get());
}

}  // namespace lontar::vault
