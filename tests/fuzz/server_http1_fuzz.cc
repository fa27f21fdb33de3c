// Feeds arbitrary bytes to the HTTP/1.1 parser, whole and in chunks whose
// sizes come from the input, checking the parser's invariants: it never
// reads outside the buffer it was given (ASan), never claims more bytes than
// it saw, and chunked or whole feeding agree on each request's outcome.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/http1_parser.h"

namespace {

using sluice::server::Http1Limits;
using sluice::server::Http1Parser;
using sluice::server::Http1ParseResult;

struct Outcome {
  int status;  // 0 for a complete request, else the error status
  std::string target;
  std::string body;
  bool operator==(const Outcome&) const = default;
};

// Parses `input` as a stream of requests, offering it `step` bytes at a time
// (step 0: all at once), and returns each request's outcome.
std::vector<Outcome> ParseStream(const std::string& input, size_t step) {
  Http1Limits limits;
  limits.max_header_bytes = 2048;
  limits.max_body_bytes = 4096;
  Http1Parser parser(limits);
  std::vector<Outcome> outcomes;
  size_t start = 0;    // first byte of the current request
  size_t visible = 0;  // bytes offered so far
  std::string buffer;  // the current request's bytes, as the parser left them
  while (start < input.size()) {
    size_t before = visible;
    visible = step == 0 ? input.size() : std::min(input.size(), visible + step);
    // Moved to a fresh allocation each time (contents kept, as a connection's
    // buffer does), so views into an older buffer would be caught by ASan.
    std::string moved = buffer + input.substr(before, visible - before);
    buffer.swap(moved);
    moved.clear();
    moved.shrink_to_fit();
    Http1ParseResult r = parser.Parse(buffer.data(), buffer.size());
    if (r == Http1ParseResult::kHeadersDone) r = parser.Parse(buffer.data(), buffer.size());
    if (r == Http1ParseResult::kNeedMore) {
      if (visible == input.size()) break;
      continue;
    }
    if (r == Http1ParseResult::kError) {
      outcomes.push_back({parser.error_status(), "", ""});
      break;
    }
    if (parser.consumed() == 0 || parser.consumed() > buffer.size()) std::abort();
    const auto& request = parser.request();
    for (const auto& h : request.headers) {
      for (char c : h.name)
        if (c >= 'A' && c <= 'Z') std::abort();  // names must be lower-cased
    }
    outcomes.push_back({0, std::string(request.target), std::string(request.body)});
    start += parser.consumed();
    buffer.erase(0, parser.consumed());
    parser.Reset();
  }
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] % 17 + 1;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Outcome> whole = ParseStream(input, 0);
  std::vector<Outcome> chunked = ParseStream(input, step);
  // Feeding in pieces may stop early only where the whole input would also
  // have needed more; every outcome both saw must agree.
  size_t common = std::min(whole.size(), chunked.size());
  for (size_t i = 0; i < common; ++i) {
    if (!(whole[i] == chunked[i])) std::abort();
  }
  if (whole.size() != chunked.size()) std::abort();
  return 0;
}
