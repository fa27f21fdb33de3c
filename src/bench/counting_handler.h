// A LoopHandler that counts answers: every response's latency, 200s as ok,
// anything else (another status or a transport error) as an error, with the
// last one's description. Subclasses say what to send next.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/histogram.h"
#include "bench/load_loop.h"

namespace sluice::bench {

class CountingHandler : public LoopHandler {
 public:
  void OnResponse(int, const ResponseParser& r, int64_t, int64_t latency_ns) override {
    latency.Record(latency_ns);
    if (r.status() == 200) {
      ++ok;
    } else {
      ++errors;
      last_error = "HTTP " + std::to_string(r.status()) + " " + std::string(r.body().substr(0, 200));
    }
  }
  void OnTransportError(int, std::string_view what) override {
    ++errors;
    last_error.assign(what);
  }

  Histogram latency;
  uint64_t ok = 0;
  uint64_t errors = 0;
  std::string last_error;
};

}  // namespace sluice::bench
