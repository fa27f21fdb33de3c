#include "api/dispatcher.h"

#include <optional>
#include <utility>

#include "api/call_rates.h"
#include "api/content_type.h"
#include "api/faults.h"
#include "api/operation.h"
#include "api/operation_table.h"
#include "api/wire_errors.h"
#include "protocol/cbor_transcode.h"
#include "protocol/json_reader.h"

namespace sluice::api {
namespace {

using Done = std::function<void(ApiResponse)>;

// What X-Amz-Target names: "Kinesis_20131202.PutRecords" is the service
// before the first '.', the operation up to the next one.
struct Target {
  bool present = false;                // a service and an operation, known or not
  const OperationEntry* op = nullptr;  // the operation, when it is this service's
};

Target ParseTarget(std::string_view target) {
  const size_t dot = target.find('.');
  if (dot == std::string_view::npos) return {};
  std::string_view operation = target.substr(dot + 1);
  operation = operation.substr(0, operation.find('.'));
  Target t;
  t.present = dot > 0 && !operation.empty();
  if (target.substr(0, dot + 1) == kTargetPrefix) t.op = FindOperation(operation);
  return t;
}

// The answers given before the body is decoded: an empty body
// (SerializationException for a known operation, else
// UnknownOperationException; JSON for JSON content types, CBOR otherwise),
// and a content type no codec decodes.
std::optional<ApiResponse> CheckEnvelope(std::string_view body, Codec codec, std::string_view media,
                                         const Target& target) {
  if (body.empty()) {
    const bool json = codec == Codec::kAmzJson || codec == Codec::kPlainJson;
    return ErrorResponse(!json, media,
                         Status(target.op ? ErrorCode::kSerialization : ErrorCode::kUnknownOperation, ""));
  }
  if (codec == Codec::kOther) return UnsupportedContentTypeResponse(target.present);
  return std::nullopt;
}

// The body as a JSON object. CBOR 1.1 (the Java SDKs and the KCL) is a codec
// in front of the JSON path: the request is transcoded to JSON (byte strings
// to base64, tag-1 millisecond timestamps to epoch seconds) into
// `*transcoded`, which the result views, so every handler and validation rule
// is shared.
Result<protocol::JsonObject> DecodeBody(std::string_view body, bool cbor, std::string* transcoded) {
  if (cbor) {
    SLUICE_ASSIGN_OR_RETURN(*transcoded, protocol::CborRequestToJson(body));
    body = *transcoded;
  }
  return protocol::ParseJsonRequest(body);
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

// Injected faults, then the control-plane call rates; a pointer check each
// when neither is configured. True when the call is answered here. May wrap
// `*done` (a delayed answer, a connection dropped after the answer) and set
// `ctx->fault` (records PutRecords fails), which points at `*fault`.
bool ApplyFaultsAndRates(const OperationEntry& op, const protocol::JsonObject& body, const ApiRequest& request,
                         bool cbor, std::string_view media, OperationContext* ctx, FaultDecision* fault, Done* done) {
  const ApiOptions& options = ctx->options;
  FaultInjector* faults = options.faults && options.faults->active() ? options.faults : nullptr;
  if (!faults && !options.call_rates) return false;
  // Named once per call: the request log may have asked for it already.
  const std::string stream = request.stream_name ? *request.stream_name : StreamNameOf(body);
  if (faults) {
    size_t records = 0;
    std::optional<protocol::JsonArray> list;
    if (op.name == "PutRecords" && body.GetList("Records", &list).ok() && list) records = list->size();
    *fault = faults->Decide(op.name, stream, options.default_account, records);
    if (fault->drop_after) {
      *done = [done = std::move(*done)](ApiResponse r) {
        r.drop_connection = true;
        done(std::move(r));
      };
    }
    if (fault->delay_ms > 0) {
      *done = [faults, delay = fault->delay_ms, done = std::move(*done)](ApiResponse r) {
        faults->RunAfter(delay, [done, r = std::move(r)]() mutable { done(std::move(r)); });
      };
    }
    if (fault->drop_before) {
      ApiResponse r;
      r.drop_connection = true;
      (*done)(std::move(r));
      return true;
    }
    if (fault->error) {
      (*done)(InjectedErrorResponse(cbor, media, *fault->error));
      return true;
    }
    if (fault->record_error_rate > 0) ctx->fault = fault;
  }
  if (options.call_rates) {
    Status admitted = options.call_rates->Admit(op.name, options.default_account, options.default_region, stream,
                                                ctx->clock.NowMillis());
    if (!admitted.ok()) {
      (*done)(ErrorResponse(cbor, media, admitted));
      return true;
    }
  }
  return false;
}

// A streamed operation answers through ctx->open_stream or, on an error
// before its stream opens, through `*done`: both share the one callback, and
// exactly one of them calls it. Only the streamed operations pay for this.
void ShareDoneWithStream(OperationContext* ctx, Done* done) {
  auto shared_done = std::make_shared<Done>(std::move(*done));
  ctx->open_stream = [shared_done](std::shared_ptr<ApiStream> stream) {
    ApiResponse r;
    r.status = 200;
    r.content_type = "application/vnd.amazon.eventstream";
    r.stream = std::move(stream);
    (*shared_done)(std::move(r));
  };
  *done = [shared_done](ApiResponse r) { (*shared_done)(std::move(r)); };
}

// The handler's result in the request's codec (a CBOR request's JSON answer
// transcoded back).
Reply EncodeReply(bool cbor, std::string_view media, Done done) {
  return [cbor, content_type = std::string(media), done = std::move(done)](Result<std::string> result) {
    if (!result.ok()) {
      done(ErrorResponse(cbor, content_type, result.status()));
      return;
    }
    ApiResponse r;
    r.status = 200;
    r.content_type = content_type;
    r.body = std::move(result).value();
    if (cbor) {
      Result<std::string> encoded = protocol::JsonResponseToCbor(r.body);
      if (!encoded.ok()) {
        done(ErrorResponse(cbor, content_type,
                           Status::Internal("cannot encode the response as CBOR: " + encoded.status().message())));
        return;
      }
      r.body = std::move(encoded).value();
    }
    done(std::move(r));
  };
}

}  // namespace

Dispatcher::Dispatcher(engine::Engine& engine, ApiOptions options) : engine_(engine), options_(std::move(options)) {}

void Dispatcher::Handle(const ApiRequest& request, Done done) {
  const std::string_view media = MediaType(request.content_type);
  const Codec codec = CodecOf(media);
  const Target target = ParseTarget(request.target);
  if (std::optional<ApiResponse> refused = CheckEnvelope(request.body, codec, media, target)) {
    done(std::move(*refused));
    return;
  }
  const bool cbor = codec == Codec::kCbor;
  std::string transcoded;
  Result<protocol::JsonObject> body = DecodeBody(request.body, cbor, &transcoded);
  if (!body.ok()) {
    done(ErrorResponse(cbor, media, body.status()));
    return;
  }
  if (request.stream_name) *request.stream_name = StreamNameOf(*body);
  if (!target.op) {
    done(ErrorResponse(cbor, media, Status(ErrorCode::kUnknownOperation, "")));
    return;
  }

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
  const Clock* clock = engine_.options().clock;
  OperationContext ctx{engine_, *options, clock ? *clock : SystemClock::Instance()};
  ctx.cbor = cbor;
  FaultDecision fault;
  if (ApplyFaultsAndRates(*target.op, *body, request, cbor, media, &ctx, &fault, &done)) return;
  if (target.op->streaming) ShareDoneWithStream(&ctx, &done);
  target.op->handler(ctx, *body, EncodeReply(cbor, media, std::move(done)));
}

}  // namespace sluice::api
