#include "engine/shard_iterator.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/base64.h"

namespace sluice::engine {
namespace {

constexpr uint8_t kTokenVersion = 1;
constexpr size_t kMacSize = 32;
// version + 3 empty strings + creation + index + offset + issued + mac
constexpr size_t kMinTokenBytes = 1 + 3 + 8 + 4 + 8 + 8 + kMacSize;

Status InvalidIterator() { return Status::InvalidArgument("Invalid ShardIterator."); }

void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}
void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}
void PutShortString(std::string* out, std::string_view s) {
  // Names are far below 256 bytes (stream names <= 128); longer ones are cut
  // so the token stays well-formed; such a token then fails its lookup.
  size_t n = s.size() > 255 ? 255 : s.size();
  out->push_back(static_cast<char>(n));
  out->append(s.data(), n);
}

// A bounds-checked reader over the decoded token.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x = (x << 8) | static_cast<unsigned char>(in_[i]);
    in_.remove_prefix(8);
    *v = x;
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    uint32_t x = 0;
    for (int i = 0; i < 4; ++i) x = (x << 8) | static_cast<unsigned char>(in_[i]);
    in_.remove_prefix(4);
    *v = x;
    return true;
  }
  bool ShortString(std::string* s) {
    if (in_.empty()) return false;
    size_t n = static_cast<unsigned char>(in_[0]);
    if (in_.size() < 1 + n) return false;
    s->assign(in_.data() + 1, n);
    in_.remove_prefix(1 + n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void Mac(const IteratorCodec::Key& key, std::string_view body, unsigned char* out) {
  unsigned int len = kMacSize;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), out, &len);
}

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteKeyFile(const std::string& path, const IteratorCodec::Key& key) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("open", tmp);
  ssize_t n = ::write(fd, key.data(), key.size());
  if (n != static_cast<ssize_t>(key.size()) || ::fsync(fd) != 0) {
    Status s = ErrnoStatus("write", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename", tmp);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

Result<IteratorCodec> IteratorCodec::Open(const std::string& key_path) {
  Key key;
  if (key_path.empty()) {
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
      return Status::Internal("RAND_bytes failed");
    }
    return IteratorCodec(key);
  }
  int fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    unsigned char buf[kIteratorKeySize + 1];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    ::close(fd);
    if (n != static_cast<ssize_t>(kIteratorKeySize)) {
      return Status::Corruption("iterator key " + key_path + " has " + std::to_string(n) + " bytes, want " +
                                std::to_string(kIteratorKeySize));
    }
    std::memcpy(key.data(), buf, kIteratorKeySize);
    return IteratorCodec(key);
  }
  if (errno != ENOENT) return ErrnoStatus("open", key_path);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  SLUICE_RETURN_IF_ERROR(WriteKeyFile(key_path, key));
  return IteratorCodec(key);
}

std::string IteratorCodec::Encode(const IteratorPosition& p) const {
  std::string body;
  body.reserve(kMinTokenBytes + p.account.size() + p.region.size() + p.stream_name.size());
  body.push_back(static_cast<char>(kTokenVersion));
  PutShortString(&body, p.account);
  PutShortString(&body, p.region);
  PutShortString(&body, p.stream_name);
  PutU64(&body, static_cast<uint64_t>(p.stream_creation_ms));
  PutU32(&body, p.shard_index);
  PutU64(&body, p.offset);
  PutU64(&body, static_cast<uint64_t>(p.issued_ms));
  unsigned char mac[kMacSize];
  Mac(key_, body, mac);
  body.append(reinterpret_cast<const char*>(mac), kMacSize);
  return base64::Encode(body);
}

Result<IteratorPosition> IteratorCodec::Decode(std::string_view token) const {
  if (token.empty() || token.size() > kMaxIteratorTokenSize) return InvalidIterator();
  std::string raw;
  if (!base64::Decode(token, &raw)) return InvalidIterator();
  if (raw.size() < kMinTokenBytes) return InvalidIterator();
  std::string_view body(raw.data(), raw.size() - kMacSize);
  unsigned char mac[kMacSize];
  Mac(key_, body, mac);
  if (CRYPTO_memcmp(mac, raw.data() + body.size(), kMacSize) != 0) return InvalidIterator();
  if (static_cast<uint8_t>(body[0]) != kTokenVersion) return InvalidIterator();
  Reader r(body.substr(1));
  IteratorPosition p;
  uint64_t creation, offset, issued;
  if (!r.ShortString(&p.account) || !r.ShortString(&p.region) || !r.ShortString(&p.stream_name) || !r.U64(&creation) ||
      !r.U32(&p.shard_index) || !r.U64(&offset) || !r.U64(&issued) || !r.done()) {
    return InvalidIterator();
  }
  p.stream_creation_ms = static_cast<int64_t>(creation);
  p.offset = offset;
  p.issued_ms = static_cast<int64_t>(issued);
  return p;
}

Status CheckIteratorAge(int64_t issued_ms, int64_t now_ms, int64_t ttl_ms) {
  if (now_ms - issued_ms <= ttl_ms) return Status::Ok();
  return Status::ExpiredIterator("Iterator expired. The iterator was created at time " + FormatServiceTime(issued_ms) +
                                 " while right now it is " + FormatServiceTime(now_ms) +
                                 " which is further in the future than the tolerated delay of " +
                                 std::to_string(ttl_ms) + " milliseconds.");
}

std::string FormatServiceTime(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

}  // namespace sluice::engine
