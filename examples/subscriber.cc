// Follows STREAM by push (SubscribeToShard) through the consumer NAME,
// registering it if needed, and prints records as they arrive, for
// SECONDS seconds (default 30).
//
//   example_subscriber STREAM NAME [SECONDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "client/sluice_client.h"

int main(int argc, char** argv) {
  using namespace sluice::client;
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s STREAM CONSUMER [SECONDS]\n", argv[0]);
    return 2;
  }
  const ClientConfig config = ClientConfig::FromEnvironment();
  auto client = Client::Connect(config);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.error().ToString().c_str());
    return 1;
  }
  Outcome<StreamSummary> stream = (*client)->DescribeStreamSummary(argv[1]);
  if (!stream.ok()) {
    std::fprintf(stderr, "%s\n", stream.error().ToString().c_str());
    return 1;
  }
  Outcome<Consumer> consumer = (*client)->EnsureConsumer(stream->arn, argv[2], 60000);
  if (!consumer.ok()) {
    std::fprintf(stderr, "%s\n", consumer.error().ToString().c_str());
    return 1;
  }
  SubscriberOptions options;
  options.consumer_arn = consumer->arn;
  StreamSubscriber subscriber(*client, config, argv[1], options);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(argc == 4 ? std::atoi(argv[3]) : 30);
  Outcome<Done> done = subscriber.Run(
      [](const Record& r) {
        std::printf("%s %s %.*s\n", r.shard_id.c_str(), r.partition_key.c_str(), static_cast<int>(r.data.size()),
                    r.data.data());
        std::fflush(stdout);
      },
      [&] { return std::chrono::steady_clock::now() >= until; });
  if (!done.ok()) {
    std::fprintf(stderr, "%s\n", done.error().ToString().c_str());
    return 1;
  }
  return 0;
}
