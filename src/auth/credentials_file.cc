#include "auth/credentials_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace sluice::auth {
namespace {

constexpr std::string_view kBlank = " \t\r\f\v";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kBlank);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kBlank);
  return s.substr(begin, end - begin + 1);
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// One `[name]` section as it is read.
struct Profile {
  std::string name;
  int line = 0;  // of the `[name]` header
  std::optional<std::string> access_key_id;
  std::optional<std::string> secret;
  std::optional<std::string> account_id;
  int access_key_line = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view file_name) : file_name_(file_name) {}

  Status Line(int number, std::string_view raw) {
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') return Status::Ok();
    if (line.front() == '[') {
      if (line.back() != ']') return Error(number, "malformed section header (expected [name])");
      SLUICE_RETURN_IF_ERROR(Finish());
      const std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (name.empty()) return Error(number, "empty profile name");
      current_ = Profile{std::string(name), number, {}, {}, {}, 0};
      return Status::Ok();
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return Error(number, "expected 'key = value' or '[profile]'");
    const std::string_view key = Trim(line.substr(0, eq));
    const std::string_view value = Trim(line.substr(eq + 1));
    if (key.empty()) return Error(number, "missing key before '='");
    if (!current_) return Error(number, "'" + std::string(key) + "' appears before any [profile]");
    std::optional<std::string>* slot = nullptr;
    if (key == "aws_access_key_id") {
      slot = &current_->access_key_id;
      current_->access_key_line = number;
    } else if (key == "aws_secret_access_key") {
      slot = &current_->secret;
    } else if (key == "aws_account_id") {
      if (!IsAccountId(value)) {
        return Error(number, "aws_account_id must be 12 digits, got '" + std::string(value) + "'");
      }
      slot = &current_->account_id;
    } else {
      return Status::Ok();  // region, output, role_arn, ...: not ours
    }
    if (slot->has_value()) {
      return Error(number, std::string(key) + " given twice in profile [" + current_->name + "]");
    }
    if (value.empty()) return Error(number, std::string(key) + " has an empty value");
    *slot = std::string(value);
    return Status::Ok();
  }

  // Closes the current profile, adding it to the map.
  Status Finish() {
    if (!current_) return Status::Ok();
    Profile p = std::move(*current_);
    current_.reset();
    if (!p.access_key_id && !p.secret) return Status::Ok();
    if (!p.secret) {
      return Error(p.line, "profile [" + p.name + "] has aws_access_key_id but no aws_secret_access_key");
    }
    if (!p.access_key_id) {
      return Error(p.line, "profile [" + p.name + "] has aws_secret_access_key but no aws_access_key_id");
    }
    auto [it, inserted] = map_.try_emplace(*p.access_key_id);
    if (!inserted) {
      return Error(p.access_key_line, "access key " + *p.access_key_id + " of profile [" + p.name +
                                          "] is already defined by profile [" + it->second.profile + "]");
    }
    it->second = Credential{std::move(*p.secret), std::move(p.account_id), std::move(p.name)};
    return Status::Ok();
  }

  CredentialMap Take() { return std::move(map_); }

 private:
  Status Error(int line, const std::string& what) const {
    return Status::InvalidArgument(std::string(file_name_) + ":" + std::to_string(line) + ": " + what);
  }

  std::string_view file_name_;
  std::optional<Profile> current_;
  CredentialMap map_;
};

}  // namespace

Result<CredentialMap> ParseCredentials(std::string_view text, std::string_view file_name) {
  Parser parser(file_name);
  int number = 0;
  while (!text.empty()) {
    ++number;
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    SLUICE_RETURN_IF_ERROR(parser.Line(number, line));
  }
  SLUICE_RETURN_IF_ERROR(parser.Finish());
  return parser.Take();
}

Result<CredentialMap> LoadCredentialsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("open " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("read " + path + ": " + std::strerror(errno));
  return ParseCredentials(text.str(), path);
}

}  // namespace sluice::auth
