// The AWS shared-credentials file (`~/.aws/credentials` format), read into the
// table of access keys the SigV4 verifier accepts.
//
//   # comment            ; comment too
//   [profile-name]
//   aws_access_key_id     = AKIDEXAMPLE
//   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//   aws_account_id        = 123456789012      (optional, exactly 12 digits)
//   region = us-east-1                        (any other key is ignored)
//
// Blank lines and whitespace around `=` are tolerated; a comment is a line
// whose first non-blank character is `#` or `;`. A profile that names neither
// an access key nor a secret (say, only a region) is skipped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::auth {

struct Credential {
  std::string secret_access_key;
  std::optional<std::string> account_id;  // 12 digits when present
  std::string profile;                    // the section it came from, for logs
};

// Access key id -> credential. Transparent comparator: look up by string_view.
using CredentialMap = std::map<std::string, Credential, std::less<>>;

// Parses the text of a credentials file. `file_name` only prefixes messages.
// Errors (InvalidArgument, "<file_name>:<line>: <what>"):
//   a line that is neither a section, a comment nor `key = value`;
//   a key before the first section; an empty profile name;
//   a key given twice in one profile;
//   an access key id already defined by an earlier profile;
//   a profile with an access key id and no secret, or a secret and no key id
//     (reported at the profile's `[name]` line);
//   an aws_account_id that is not exactly 12 digits.
Result<CredentialMap> ParseCredentials(std::string_view text, std::string_view file_name);

// Reads and parses the file at `path`; IoError when it cannot be read.
Result<CredentialMap> LoadCredentialsFile(const std::string& path);

}  // namespace sluice::auth
