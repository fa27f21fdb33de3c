#include "api/dispatcher.h"

#include <utility>

#include "api/call_rates.h"
#include "api/faults.h"
#include "api/operation.h"
#include "api/operation_table.h"
#include "protocol/cbor_transcode.h"
#include "protocol/errors.h"
#include "protocol/json_reader.h"
#include "util/log.h"

namespace sluice::api {
namespace {

constexpr std::string_view kTargetPrefix = "Kinesis_20131202";
constexpr std::string_view kAmzJson = "application/x-amz-json-1.1";
constexpr std::string_view kAmzCbor = "application/x-amz-cbor-1.1";
constexpr std::string_view kPlainJson = "application/json";

enum class Codec { kAmzJson, kPlainJson, kCbor, kOther };

// The media type without parameters and surrounding blanks.
std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  return content_type;
}

Codec CodecOf(std::string_view media) {
  if (media == kAmzJson) return Codec::kAmzJson;
  if (media == kPlainJson) return Codec::kPlainJson;
  if (media == kAmzCbor) return Codec::kCbor;
  return Codec::kOther;
}

// Server-side failures (corruption, I/O errors) reach the client as the
// service's generic InternalFailure; their details go to the log only.
Status ForClient(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kNotLeader:
    case ErrorCode::kInternalFailure:
      log::Error("request failed on the server side: {}", status.ToString());
      return Status(ErrorCode::kInternalFailure, "Internal Service Failure");
    default:
      return status;
  }
}

// The error response for `status` as it is (injected faults answer this way:
// they are not the server's failures, so they are not logged as such).
ApiResponse EncodeError(bool cbor, std::string_view content_type, const Status& status) {
  ApiResponse r;
  r.status = protocol::HttpStatusFor(status.code());
  r.content_type = cbor ? std::string(kAmzCbor) : std::string(content_type);
  r.error_type = protocol::ErrorTypeName(status.code());
  r.body = cbor ? protocol::EncodeCborError(status) : protocol::EncodeJsonError(status);
  return r;
}

// The stream a call names, for request logs, fault rules and call rates:
// StreamName, else the name in a StreamARN or ConsumerARN
// (".../stream/<name>[/consumer/...]"), or "" when it names none. Members of
// the wrong type are ignored here (the handler reports them).
std::string StreamNameOf(const protocol::JsonObject& body) {
  std::optional<std::string_view> name;
  if (body.GetString("StreamName", &name).ok() && name) return std::string(*name);
  for (std::string_view key : {"StreamARN", "ConsumerARN"}) {
    std::optional<std::string_view> arn;
    if (!body.GetString(key, &arn).ok() || !arn) continue;
    size_t at = arn->find(":stream/");
    if (at == std::string_view::npos) continue;
    std::string_view rest = arn->substr(at + 8);
    return std::string(rest.substr(0, rest.find('/')));
  }
  return "";
}

ApiResponse JsonError(std::string_view content_type, const Status& raw) {
  Status status = ForClient(raw);
  ApiResponse r;
  r.status = protocol::HttpStatusFor(status.code());
  r.content_type = std::string(content_type);
  r.error_type = protocol::ErrorTypeName(status.code());
  r.body = protocol::EncodeJsonError(status);
  return r;
}

ApiResponse CborError(const Status& raw) {
  Status status = ForClient(raw);
  ApiResponse r;
  r.status = protocol::HttpStatusFor(status.code());
  r.content_type = std::string(kAmzCbor);
  r.error_type = protocol::ErrorTypeName(status.code());
  r.body = protocol::EncodeCborError(status);
  return r;
}

// The service's answers when the content type is not one it decodes.
ApiResponse XmlError(bool target_present) {
  ApiResponse r;
  if (!target_present) {
    r.status = 403;
    r.error_type = "AccessDeniedException";
    r.body =
        "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be "
        "authorized</Message>\n</AccessDeniedException>\n";
  } else {
    r.status = 404;
    r.error_type = "UnknownOperationException";
    r.body = "<UnknownOperationException/>\n";
  }
  return r;
}

}  // namespace

Dispatcher::Dispatcher(engine::Engine& engine, ApiOptions options) : engine_(engine), options_(std::move(options)) {}

void Dispatcher::Handle(const ApiRequest& request, std::function<void(ApiResponse)> done) {
  std::string_view media = MediaType(request.content_type);
  Codec codec = CodecOf(media);

  // "Kinesis_20131202.PutRecords": service before the first '.', operation
  // up to the next one.
  std::string_view target = request.target;
  size_t dot = target.find('.');
  std::string_view service = target.substr(0, dot);
  std::string_view operation;
  if (dot != std::string_view::npos) {
    operation = target.substr(dot + 1);
    operation = operation.substr(0, operation.find('.'));
  }
  bool target_present = !service.empty() && !operation.empty();
  const OperationEntry* op = service == kTargetPrefix ? FindOperation(operation) : nullptr;

  bool json = codec == Codec::kAmzJson || codec == Codec::kPlainJson;
  if (request.body.empty()) {
    Status st(op ? ErrorCode::kSerialization : ErrorCode::kUnknownOperation, "");
    done(json ? JsonError(media, st) : CborError(st));
    return;
  }
  if (codec == Codec::kOther) {
    done(XmlError(target_present));
    return;
  }
  // CBOR 1.1 (the Java SDKs and the KCL) is a codec in front of the JSON
  // path: the request is transcoded to JSON (byte strings to base64, tag-1
  // millisecond timestamps to epoch seconds), every handler and validation
  // rule is shared, and the JSON answer is transcoded back.
  const bool cbor = codec == Codec::kCbor;
  auto error = [cbor, media](const Status& st) { return cbor ? CborError(st) : JsonError(media, st); };
  std::string transcoded;
  std::string_view json_body = request.body;
  if (cbor) {
    Result<std::string> converted = protocol::CborRequestToJson(request.body);
    if (!converted.ok()) {
      done(CborError(converted.status()));
      return;
    }
    transcoded = std::move(converted).value();
    json_body = transcoded;
  }

  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(json_body);
  if (!body.ok()) {
    done(error(body.status()));
    return;
  }
  if (request.stream_name) *request.stream_name = StreamNameOf(*body);
  if (!op) {
    done(error(Status(ErrorCode::kUnknownOperation, "")));
    return;
  }

  const Clock* clock = engine_.options().clock;
  // An authenticated caller's namespace replaces the defaults (a copy only
  // then: the common path allocates nothing).
  ApiOptions caller_options;
  const ApiOptions* options = &options_;
  if (!request.account.empty() || !request.region.empty()) {
    caller_options = options_;
    if (!request.account.empty()) caller_options.default_account = std::string(request.account);
    if (!request.region.empty()) caller_options.default_region = std::string(request.region);
    options = &caller_options;
  }
  OperationContext ctx{engine_, *options, clock ? *clock : SystemClock::Instance()};
  ctx.cbor = cbor;

  // Injected faults, then the control-plane call rates: a pointer check
  // each when neither is configured.
  FaultInjector* faults = options->faults && options->faults->active() ? options->faults : nullptr;
  FaultDecision fault;
  if (faults || options->call_rates) {
    // Named once per call: the request log may have asked for it already.
    const std::string stream = request.stream_name ? *request.stream_name : StreamNameOf(*body);
    if (faults) {
      size_t records = 0;
      std::optional<protocol::JsonArray> list;
      if (op->name == "PutRecords" && body->GetList("Records", &list).ok() && list) records = list->size();
      fault = faults->Decide(op->name, stream, options->default_account, records);
      if (fault.drop_after) {
        done = [done = std::move(done)](ApiResponse r) {
          r.drop_connection = true;
          done(std::move(r));
        };
      }
      if (fault.delay_ms > 0) {
        done = [faults, delay = fault.delay_ms, done = std::move(done)](ApiResponse r) {
          faults->RunAfter(delay, [done, r = std::move(r)]() mutable { done(std::move(r)); });
        };
      }
      if (fault.drop_before) {
        ApiResponse r;
        r.drop_connection = true;
        done(std::move(r));
        return;
      }
      if (fault.error) {
        done(EncodeError(cbor, media, *fault.error));
        return;
      }
      if (fault.record_error_rate > 0) ctx.fault = &fault;
    }
    if (options->call_rates) {
      Status admitted = options->call_rates->Admit(op->name, options->default_account, options->default_region,
                                                   stream, ctx.clock.NowMillis());
      if (!admitted.ok()) {
        done(error(admitted));
        return;
      }
    }
  }
  if (op->streaming) {
    // Only the streamed operations pay for this closure. `done` is shared:
    // exactly one of the two paths calls it.
    auto shared_done = std::make_shared<std::function<void(ApiResponse)>>(std::move(done));
    ctx.open_stream = [shared_done](std::shared_ptr<ApiStream> stream) {
      ApiResponse r;
      r.status = 200;
      r.content_type = "application/vnd.amazon.eventstream";
      r.stream = std::move(stream);
      (*shared_done)(std::move(r));
    };
    done = [shared_done](ApiResponse r) { (*shared_done)(std::move(r)); };
  }
  std::string content_type(media);
  op->handler(ctx, *body, [cbor, content_type, done = std::move(done)](Result<std::string> result) {
    if (!result.ok()) {
      done(cbor ? CborError(result.status()) : JsonError(content_type, result.status()));
      return;
    }
    ApiResponse r;
    r.status = 200;
    r.content_type = content_type;
    r.body = std::move(result).value();
    if (cbor) {
      Result<std::string> encoded = protocol::JsonResponseToCbor(r.body);
      if (!encoded.ok()) {
        done(CborError(Status::Internal("cannot encode the response as CBOR: " + encoded.status().message())));
        return;
      }
      r.body = std::move(encoded).value();
    }
    done(std::move(r));
  });
}

}  // namespace sluice::api
