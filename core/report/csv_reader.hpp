// A defensive reader for CSV files that other people make: an agency's spreadsheet export, or a
// results CSV that has been opened and saved again in a spreadsheet program.
//
// Grammar (RFC 4180, read leniently where spreadsheets differ and strictly where guessing would
// change a value):
//   file    = [BOM] record *(EOL record) [EOL]
//   record  = field *(SEP field)
//   field   = quoted / bare
//   quoted  = '"' *(any char except '"' / '""') '"'     ; may hold SEP, CR and LF
//   bare    = *(any char except SEP, '"', CR, LF)
//   EOL     = CRLF / LF / CR
//   SEP     = ',' or ';' (see below)
// - A UTF-8 byte order mark (EF BB BF) at the start is skipped: spreadsheet programs write one.
// - The separator is ',' unless the header line has no ',' outside quotes and at least one ';':
//   spreadsheets in an Indonesian locale export with ';', because ',' is their decimal mark.
// - Lines that are empty (no characters at all) are skipped; a line of separators is a record.
// - Every record must have as many fields as the header. A '"' inside a bare field, anything
//   but SEP or EOL after a closing quote, and a quote still open at the end of the file are
//   errors naming the file and the line where the record (or the quote) started.
// - Limits: at most kMaxCsvFields fields per record and kMaxCsvFieldBytes bytes per field, so a
//   hostile file cannot make the reader allocate without bound beyond the file's own size.
// A truncated file reads as its complete records, plus either a short last record (an error:
// too few fields) or an unterminated quote (an error).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace lontar::report {

inline constexpr std::size_t kMaxCsvFields = 4096;
inline constexpr std::size_t kMaxCsvFieldBytes = 64 * 1024;

struct CsvRecord {
  int line = 0;  // 1-based line of the file where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string file;  // the name used in error messages
  char separator = ',';
  std::vector<std::string> header;  // field names as written, surrounding blanks trimmed
  std::vector<CsvRecord> records;   // the data records, header excluded

  // Index of the header field named `name` (ASCII case-insensitive), or nullopt.
  std::optional<std::size_t> Column(std::string_view name) const;
  // "FILE:LINE" for messages.
  std::string Where(int line) const;
};

// Parses `text`, naming `file` in every error. Fails with kMalformed ("FILE:LINE: what is wrong")
// for the faults listed above, for a file with no header, and for a header that names a column
// twice. Pure: touches no disk.
[[nodiscard]] Result<CsvTable> ParseCsv(std::string_view text, std::string_view file);

// `s` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view s);

}  // namespace lontar::report
