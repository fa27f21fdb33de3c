// Spelling suggestions for names typed by people: "did you mean 'create'?"
// for `stream craete`, "PutRecord" for a fault rule's "PutRecod".
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice {

// The Damerau-Levenshtein distance (optimal string alignment) of `a` and
// `b`, ASCII case ignored: insertions, deletions, substitutions and swaps
// of two neighbouring characters each count one.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `typed`, when it is close enough to be what was
// meant: within a third of the longer name's length (at least 1, at most 3
// edits). Ties go to the earlier candidate; an exact match is returned as it
// is. nullopt when nothing is that close.
std::optional<std::string> ClosestName(std::string_view typed, std::span<const std::string_view> candidates);

}  // namespace sluice
