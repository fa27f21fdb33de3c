// S3's error answers as Sluice statuses. S3 answers a failed request with an
// HTTP status and (except for HEAD) an XML body:
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not
//   exist</Message><BucketName>b</BucketName><RequestId>...</RequestId></Error>
//
// The mapping (Code first, the HTTP status when the body has none):
//   NoSuchBucket                                    ResourceNotFound
//   AccessDenied, SignatureDoesNotMatch,
//   InvalidAccessKeyId, any other 403               AccessDenied
//   SlowDown, InternalError, any 5xx                IoError, its message starting "retryable: "
//   any other 4xx (InvalidBucketName, ...)          InvalidArgument
// Each message names S3's code and message, and what was asked ("PUT
// /bucket/key").
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::object_store {

// The text of the first <tag>...</tag> element in `xml` ("" when absent),
// with the five XML entities decoded.
std::string XmlElementText(std::string_view xml, std::string_view tag);

// The status for an answer of `http_status` (not 2xx) with `body`, to the
// request described by `what`.
Status S3ErrorStatus(int http_status, std::string_view body, std::string_view what);

// True for the statuses S3ErrorStatus gives answers worth retrying.
bool IsRetryableS3Error(const Status& status);

}  // namespace sluice::object_store
