// Puts each line of stdin as a record of STREAM, keyed by its first word,
// through the batching Producer, and prints where each record landed.
//
//   example_producer STREAM < lines.txt
//
// The endpoint, region and keys come from the environment (SLUICE_ENDPOINT,
// AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, ...).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "client/sluice_client.h"

int main(int argc, char** argv) {
  using namespace sluice::client;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s STREAM < lines\n", argv[0]);
    return 2;
  }
  auto client = Client::Connect(ClientConfig::FromEnvironment());
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.error().ToString().c_str());
    return 1;
  }
  ProducerOptions options;
  options.stream_name = argv[1];
  Producer producer(*client, options);

  std::vector<std::future<Outcome<PutResult>>> results;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string key = line.substr(0, line.find(' '));
    if (key.empty()) key = "-";
    results.push_back(producer.Put(key, line));
  }
  producer.Flush();
  int failed = 0;
  for (auto& f : results) {
    Outcome<PutResult> r = f.get();
    if (r.ok()) {
      std::printf("%s %s\n", r->shard_id.c_str(), r->sequence_number.c_str());
    } else {
      std::fprintf(stderr, "%s\n", r.error().ToString().c_str());
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}
