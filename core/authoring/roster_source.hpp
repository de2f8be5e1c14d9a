// roster.csv of an authoring directory: a header line naming the columns, then one participant
// per line,
//   participant,name,position[,group][,extra_time][,text_size][,high_contrast][,read_aloud],pin_hash
// the optional columns in any order (group: a pass_rules group of exam.yaml; the others the
// participant's accommodations, accommodations.hpp), pin_hash last because Argon2id strings
// contain commas. Part of LoadSource (source.hpp), kept apart so that each file holds one
// job.
#pragma once

#include <filesystem>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/model/exam.hpp"

namespace lontar::authoring {

// Appends the roster's participants to exam.roster, checking each line against the exam's
// positions and pass-rule groups (so exam.yaml is read first); every problem becomes a
// Diagnostic naming roster.csv and its line. Reads dir/roster.csv.
void LoadRoster(const std::filesystem::path& dir, model::Exam& exam, std::vector<Diagnostic>& out);

}  // namespace lontar::authoring
