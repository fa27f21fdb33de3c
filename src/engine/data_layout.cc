#include "engine/data_layout.h"

#include <cstdio>

namespace sluice::engine {

std::string IteratorKeyPath(const std::string& data_dir) { return data_dir + "/iterator.key"; }
std::string MetadataPath(const std::string& data_dir) { return data_dir + "/metadata"; }
std::string StreamsRoot(const std::string& data_dir) { return data_dir + "/streams"; }

std::string StreamDir(const std::string& data_dir, const StreamRef& stream, int64_t creation_ms) {
  return StreamsRoot(data_dir) + "/" + EscapePathComponent(stream.account) + "/" + EscapePathComponent(stream.region) +
         "/" + EscapePathComponent(stream.name) + "-" + std::to_string(creation_ms);
}

std::string ShardDir(const std::string& stream_dir, int shard_index) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "/shard-%012d", shard_index);
  return stream_dir + std::string(buf, n);
}

std::string EscapePathComponent(std::string_view component) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(component.size());
  for (size_t i = 0; i < component.size(); ++i) {
    const auto c = static_cast<unsigned char>(component[i]);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || (c == '.' && i > 0);
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  if (out.empty()) out = "%";
  return out;
}

std::string AccountsPath(const std::string& data_dir) { return data_dir + "/accounts"; }

}  // namespace sluice::engine
