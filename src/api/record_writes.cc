#include "api/record_writes.h"

#include <string>

namespace sluice::api {

Result<HashKey> ParseExplicitHashKey(std::string_view value) {
  Result<HashKey> key = ParseHashKey(value);
  if (!key.ok()) {
    return Status::InvalidArgument(
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " +
        std::string(value));
  }
  return *key;
}

}  // namespace sluice::api
