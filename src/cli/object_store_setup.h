// Where channels deliver, as the composition root chooses it: a local
// directory by default; with --s3-endpoint an S3-compatible server (object_store/s3_client.h), signed
// with the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN of
// the environment and checked once at startup.
#pragma once

#include <memory>

#include "cli/serve_config.h"
#include "object_store/object_store.h"
#include "util/status.h"

namespace sluice::cli {

// The object store for `config`: the S3 client when config.s3_endpoint is
// set, else the embedded store, <data-dir>/s3/<bucket>/<key>
// (object_store/local_directory.h). The S3
// endpoint is asked to list its buckets first, and the answer logged: an
// endpoint that does not answer (yet) is only warned about, since delivery
// retries; one that answers with an error (unknown access key, wrong
// secret, not S3, a certificate not trusted) stops the server.
// Errors: InvalidArgument (no credentials, a bad URL), TlsFailed (the CA
// bundle), and the endpoint's answer as S3Client::CheckEndpoint gives it.
Result<std::shared_ptr<object_store::ObjectStore>> OpenObjectStore(const ServeConfig& config);

}  // namespace sluice::cli
