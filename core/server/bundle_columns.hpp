// The columns of a bundles row, in the order both store backends read them (RowToBundle in
// postgres_schema.cpp and sqlite_backend.cpp): the SQL is the same in either dialect.
#pragma once

namespace lontar::server {

inline constexpr char kSelectColumns[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id FROM bundles ";

// The same and the row's digest (StoredBundle::digest), for the lookups by id: a read-write open
// adds the column to a table that lacks it, and only a read-write store asks for it.
inline constexpr char kSelectWithDigest[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id, digest FROM bundles ";

}  // namespace lontar::server
