// AccountDocument: the account-level state that belongs to no stream record,
// as one value: the account settings of each (account, region) namespace and
// the resource policies of streams and consumers, keyed by resource ARN.
// Its byte format is in docs/engine-formats.md ("Account document");
// EncodeAccountDocument / DecodeAccountDocument implement it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "engine/types.h"
#include "util/status.h"

namespace sluice::engine {

// The decoded document: settings per (account, region), policies per ARN.
struct AccountDocument {
  struct Policy {
    std::string text;                // stored verbatim
    int64_t stream_creation_ms = 0;  // incarnation of the stream it was put on
  };
  std::map<std::pair<std::string, std::string>, MinimumThroughputCommitment> commitments;
  std::map<std::string, Policy, std::less<>> policies;
};

// Version byte of the account document's payload.
inline constexpr uint8_t kAccountDocumentVersion = 1;

std::string EncodeAccountDocument(const AccountDocument& doc);
// Corruption for an unknown version, a truncated document, an out-of-range
// status, or trailing bytes.
Result<AccountDocument> DecodeAccountDocument(std::string_view bytes);

}  // namespace sluice::engine
