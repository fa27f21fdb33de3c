// GroupsService: consumer groups (docs/consumer-groups.md) as one of the
// gateway's services. Matched by the X-Amz-Target prefix
// "Sluice_20261207.", JSON 1.1 bodies, Kinesis-shaped errors
// ({"__type", "message"}, protocol/errors.h), signed as "kinesis" (the
// gateway checks signatures the same way whatever the scope's service).
// The operations are the coordinator's (groups/coordinator.h); their
// handlers are in operations.h. SubscribeToGroup answers a streamed body
// (groups_api/group_push.h).
//
// Thread-safe: Handle and Error may run concurrently on every event loop.
#pragma once

#include <string>
#include <vector>

#include "gateway/service.h"
#include "groups/coordinator.h"

namespace sluice::groups_api {

inline constexpr std::string_view kTargetPrefix = "Sluice_20261207.";

class GroupsService final : public gateway::Service {
 public:
  // Callers that name no namespace are in (`default_account`,
  // `default_region`). `coordinator` and `engine` outlive the service.
  GroupsService(groups::Coordinator& coordinator, engine::Engine& engine, std::string default_account,
                std::string default_region)
      : coordinator_(coordinator),
        engine_(engine),
        default_account_(std::move(default_account)),
        default_region_(std::move(default_region)) {}

  std::string_view name() const override { return "groups"; }
  gateway::ServiceMatch match() const override { return {.target_prefix = kTargetPrefix, .path_prefix = {}}; }
  std::string_view signing_name() const override { return "kinesis"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  groups::Coordinator& coordinator_;
  engine::Engine& engine_;
  std::string default_account_;
  std::string default_region_;
};

}  // namespace sluice::groups_api
