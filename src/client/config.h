// Where the client connects and how it signs.
#pragma once

#include <cstdint>
#include <string>

#include "client/types.h"

namespace sluice::client {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
};

struct ClientConfig {
  // http://host[:port] or https://host[:port]; a path is not allowed.
  std::string endpoint = "http://127.0.0.1:4567";
  std::string region = "us-east-1";
  // Sluice without --auth accepts any; real Kinesis needs real ones.
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  // Connect, send and each wait for response bytes.
  int64_t timeout_ms = 30000;
  // https: a PEM bundle to trust instead of the system's ("" for the system's),
  // and whether to verify the server's certificate and name at all.
  std::string ca_file;
  bool verify_tls = true;

  // The defaults overridden by the environment, as the AWS tools read it:
  // endpoint from SLUICE_ENDPOINT, then AWS_ENDPOINT_URL_KINESIS,
  // AWS_ENDPOINT_URL; region from AWS_REGION, AWS_DEFAULT_REGION; keys from
  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; the CA
  // bundle from AWS_CA_BUNDLE.
  static ClientConfig FromEnvironment();
};

// A parsed endpoint.
struct EndpointAddress {
  bool tls = false;
  std::string host;  // name or address, without brackets
  uint16_t port = 0;
  std::string host_header;  // "host" or "host:port" (port omitted when it is the scheme's default)
};

Outcome<EndpointAddress> ParseEndpointUrl(const std::string& url);

}  // namespace sluice::client
