// The item analysis as two CSV files for a psychometrician's spreadsheet (or R, or pandas): one
// table per file, so that each imports with its header as column names and no rows to skip.
//
// items.csv, one row per item in exam order (RFC 4180; a field with a comma, quote or line break
// is quoted; numbers with 4 decimals and a '.' point):
//   section,item,type,competency,scoring,max,p,mean,mean_ratio,discrimination,point_biserial,
//   A,B,C,D,E,F,blank,flags
//   type            single | weighted | multiple | likert
//   scoring         dichotomous | polytomous (see item_analysis.hpp)
//   max             the item's maximum points
//   p               proportion correct; empty for polytomous items
//   mean            mean points; mean_ratio = mean / max (empty when max <= 0)
//   discrimination  upper-minus-lower 27% (section total); empty when undefined
//   point_biserial  item-rest correlation; empty when undefined
//   A..F            share of candidates choosing the option, one column per option letter
//                   (authoring allows up to six); empty when the item has no such option
//   blank           share of candidates who left the item blank
//   flags           the flag words of item_analysis.hpp separated by spaces, e.g.
//                   "negative-discrimination unchosen-distractor:C+E"; empty when none
//
// item_sections.csv, one row per section in exam order:
//   section,items,candidates,max_total,mean,sd,reliability_method,reliability,note
//   reliability_method  KR-20 | alpha (Cronbach's)
//   reliability         empty when undefined, and then note says why
//                       ("fewer than 2 items", "section total has no variance")
#pragma once

#include <string>

#include "core/report/item_analysis.hpp"

namespace lontar::report {

// items.csv. Pure.
std::string ItemsCsv(const ItemAnalysis& analysis);

// item_sections.csv. Pure.
std::string ItemSectionsCsv(const ItemAnalysis& analysis);

// A figure as the CSV and the PDF print it: 4 decimals, no "-0.0000"; "" for an empty optional.
std::string FormatFigure(double value);
std::string FormatFigure(const std::optional<double>& value);

}  // namespace lontar::report
