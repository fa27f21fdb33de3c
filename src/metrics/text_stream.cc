#include "metrics/text_stream.h"

#include <memory>

namespace sluice::metrics {

void TextStream::AddText(std::string text) {
  auto held = std::make_shared<std::string>(std::move(text));
  Add([held](std::string* out) {
    *out += *held;
    return true;
  });
}

bool TextStream::Next(std::string* out, size_t min_bytes) {
  const size_t start = out->size();
  while (!parts_.empty() && out->size() - start < min_bytes) {
    if (parts_.front()(out)) parts_.pop_front();
  }
  return !parts_.empty();
}

}  // namespace sluice::metrics
