// DescribeAccountSettings: no input. UpdateAccountSettings:
// MinimumThroughputBillingCommitment{Status: ENABLED|DISABLED}. Both answer
// {"MinimumThroughputBillingCommitment": {"Status", "StartedAt", "EndedAt",
// "EarliestAllowedEndAt"}} for the caller's account and region, the times
// present once a commitment was enabled. The 24 h minimum and the
// transitions are the engine's (AccountStore::UpdateCommitment).
#include <array>

#include "api/operation.h"
#include "api/stream_addressing.h"
#include "protocol/json_writer.h"
#include "protocol/validation.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 2> kInputStatuses = {"ENABLED", "DISABLED"};

std::string_view StatusName(engine::CommitmentStatus status) {
  switch (status) {
    case engine::CommitmentStatus::kEnabled: return "ENABLED";
    case engine::CommitmentStatus::kEnabledUntilEarliestAllowedEnd: return "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
    case engine::CommitmentStatus::kDisabled: break;
  }
  return "DISABLED";
}

std::string EncodeSettings(const engine::AccountSettings& settings) {
  const engine::MinimumThroughputCommitment& c = settings.minimum_throughput_commitment;
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("MinimumThroughputBillingCommitment");
  w.BeginObject();
  w.Member("Status", StatusName(c.status));
  if (c.started_ms) {
    w.Key("StartedAt");
    w.TimestampMillis(*c.started_ms);
  }
  if (c.ended_ms) {
    w.Key("EndedAt");
    w.TimestampMillis(*c.ended_ms);
  }
  if (c.earliest_allowed_end_ms) {
    w.Key("EarliestAllowedEndAt");
    w.TimestampMillis(*c.earliest_allowed_end_ms);
  }
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace

void HandleDescribeAccountSettings(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  (void)body;
  const engine::StreamRef ns = DefaultNamespace(ctx.options);
  reply(EncodeSettings(ctx.engine.accounts().DescribeAccountSettings(ns.account, ns.region)));
}

void HandleUpdateAccountSettings(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<protocol::JsonObject> commitment;
  std::optional<std::string_view> status;
  Status st = body.GetStructure("MinimumThroughputBillingCommitment", &commitment);
  if (st.ok() && commitment) st = commitment->GetString("Status", &status);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  if (!commitment) {
    errors.CheckRequired("minimumThroughputBillingCommitment", false);
  } else {
    errors.CheckEnum("minimumThroughputBillingCommitment.status", status, /*required=*/true, kInputStatuses);
  }
  if (!errors.empty()) return reply(errors.ToStatus());

  const engine::StreamRef ns = DefaultNamespace(ctx.options);
  Result<engine::AccountSettings> settings =
      ctx.engine.accounts().UpdateAccountSettings(ns.account, ns.region, /*enable=*/*status == "ENABLED");
  if (!settings.ok()) return reply(settings.status());
  reply(EncodeSettings(*settings));
}

}  // namespace sluice::api
