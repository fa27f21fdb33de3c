// Prints every record of STREAM from its oldest one (TRIM_HORIZON), every
// shard in turn, parents before children, and stops once caught up.
//
//   example_reader STREAM
#include <cstdio>

#include "client/sluice_client.h"

int main(int argc, char** argv) {
  using namespace sluice::client;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s STREAM\n", argv[0]);
    return 2;
  }
  auto client = Client::Connect(ClientConfig::FromEnvironment());
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.error().ToString().c_str());
    return 1;
  }
  ReaderOptions options;
  options.stream_name = argv[1];
  options.start = StartingPosition::TrimHorizon();
  Reader reader(*client, options);
  Outcome<Done> done = reader.Run(
      [](const Record& r) {
        std::printf("%s %s %s %.*s\n", r.shard_id.c_str(), r.sequence_number.c_str(), r.partition_key.c_str(),
                    static_cast<int>(r.data.size()), r.data.data());
      },
      /*until_caught_up=*/true, nullptr);
  if (!done.ok()) {
    std::fprintf(stderr, "%s\n", done.error().ToString().c_str());
    return 1;
  }
  return 0;
}
