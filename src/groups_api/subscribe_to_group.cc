// SubscribeToGroup: StreamName/StreamARN, GroupName, MemberId. Errors found
// before the stream starts (type checks, model constraints, no such stream
// or group, UnknownMemberException) are ordinary error responses; then the
// answer is the member's event stream (groups_api/group_push.h).
#include <memory>

#include "groups_api/group_push.h"
#include "groups_api/operations.h"

namespace sluice::groups_api {

void HandleSubscribeToGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply, OpenStream open) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/true);
  if (!call.ok()) return reply(call.status());
  auto streaming = std::make_shared<server::StreamingBody>();
  auto push = std::make_shared<GroupPush>(ctx.engine, ctx.coordinator, std::move(call->key), std::move(call->member_id),
                                          streaming->drain_threshold);
  Status attached = push->Attach();
  if (!attached.ok()) return reply(attached);
  // The callbacks own the push: it goes when the server releases them.
  streaming->on_start = [push](std::shared_ptr<server::BodyWriter> out) { push->Start(std::move(out)); };
  streaming->on_drain = [push] { push->Drained(); };
  streaming->on_close = [push] { push->Close(); };
  open(std::move(streaming));
}

}  // namespace sluice::groups_api
