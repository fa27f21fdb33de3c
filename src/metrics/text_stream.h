// TextStream: a scrape produced in pieces, so that a large one goes to the
// connection as it is made instead of being built whole in memory first.
//
// A stream is a queue of parts. Each part appends a bounded amount of text
// per call (a family's header, a few hundred samples) and says when it has
// nothing more; Next() runs the parts in order until the piece it fills
// holds at least `min_bytes`, or the parts are exhausted. The parts usually
// read a snapshot they share (a std::shared_ptr they captured), so what a
// stream holds at any time is that snapshot and one piece of text.
//
//   metrics::TextStream text;
//   text.AddText(small_exposition.Render());
//   std::string piece;
//   while (text.Next(&piece, 64 << 10)) { send(piece); piece.clear(); }
//   send(piece);
//
// Threading: none; one caller at a time.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>

namespace sluice::metrics {

class TextStream {
 public:
  // Appends some text to `out`; returns true once the part has written all
  // it had (it is not called again).
  using Part = std::function<bool(std::string* out)>;

  void Add(Part part) { parts_.push_back(std::move(part)); }
  // A part already rendered.
  void AddText(std::string text);

  // Appends text to `out` until it grew by at least `min_bytes` or every
  // part is done. Returns false once every part is done (`out` then holds
  // the end of the text), true while more may follow.
  bool Next(std::string* out, size_t min_bytes);

 private:
  std::deque<Part> parts_;
};

}  // namespace sluice::metrics
