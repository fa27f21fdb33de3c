// `--config FILE`: a command's flags from a TOML file.
//
// The file holds `key = value` lines, one flag each by its long name without
// the dashes: strings ("..."), integers, floats, booleans (true/false, for
// flags such as `tls`) and arrays of strings (["a", "b"], for repeatable
// flags such as `limit`); `#` starts a comment. Sections are not used.
//
// Precedence: the command line > the flag's SLUICE_* variable > the file >
// the default. A key the file repeats, a key no flag has, a section, and a
// value the flag refuses are errors naming the file and the key.
#pragma once

#include <string>

#include "util/status.h"

namespace CLI {
class App;
}

namespace sluice::cli {

// Call after `app` parsed its command line (and environment): sets each
// flag the file names and neither set. InvalidArgument when the file cannot
// be read or holds one of the errors above; `app`'s flags may then be
// partly set.
Status ApplyConfigFile(CLI::App& app, const std::string& path);

}  // namespace sluice::cli
