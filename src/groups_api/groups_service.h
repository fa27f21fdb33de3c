// GroupsService: consumer groups (docs/consumer-groups.md) as one of the
// gateway's services. Matched by the X-Amz-Target prefix
// "Sluice_20261207.", JSON 1.1 bodies, Kinesis-shaped errors
// ({"__type", "message"}, protocol/errors.h), signed as "kinesis" (the
// gateway checks signatures the same way whatever the scope's service).
// The operations are the coordinator's (groups/coordinator.h); their
// handlers are in operations.h. SubscribeToGroup answers a streamed body
// (groups_api/group_push.h).
//
// In a cluster (GroupsCluster given), a call naming a group whose
// coordinator is another node (groups/group_placement.h) is forwarded there
// unchanged (gateway/forwarded_call.h: its signature verifies there) and the
// answer relayed; a call that was itself forwarded is never forwarded again:
// when this node does not coordinate the group either, it answers the
// retryable ServiceUnavailable. ListGroups is answered where it arrives.
// SubscribeToGroup, a stream the forwarder cannot carry, is served only by
// the coordinator: elsewhere it is refused with InvalidArgumentException
// naming the coordinator's address.
//
// Thread-safe: Handle and Error may run concurrently on every event loop.
#pragma once

#include <string>
#include <vector>

#include "gateway/forwarder.h"
#include "gateway/service.h"
#include "groups/coordinator.h"
#include "groups/group_placement.h"

namespace sluice::groups_api {

inline constexpr std::string_view kTargetPrefix = "Sluice_20261207.";

// Cluster mode's parts; both outlive the service.
struct GroupsCluster {
  const groups::GroupPlacement* placement = nullptr;
  gateway::Forwarder* forwarder = nullptr;
  std::string node_id;  // names this node in kForwardedHeader
};

class GroupsService final : public gateway::Service {
 public:
  // Callers that name no namespace are in (`default_account`,
  // `default_region`). `coordinator` and `engine` outlive the service.
  GroupsService(groups::Coordinator& coordinator, engine::Engine& engine, std::string default_account,
                std::string default_region, GroupsCluster cluster = {})
      : coordinator_(coordinator),
        engine_(engine),
        default_account_(std::move(default_account)),
        default_region_(std::move(default_region)),
        cluster_(std::move(cluster)) {}

  std::string_view name() const override { return "groups"; }
  gateway::ServiceMatch match() const override { return {.target_prefix = kTargetPrefix, .path_prefix = {}}; }
  std::string_view signing_name() const override { return "kinesis"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  // Answers a call for a group another node coordinates (the header comment).
  void Elsewhere(const gateway::ServiceRequest& request, const groups::GroupKey& key,
                 const groups::GroupCoordinator& coordinator, gateway::ServiceResponder respond);

  groups::Coordinator& coordinator_;
  engine::Engine& engine_;
  std::string default_account_;
  std::string default_region_;
  GroupsCluster cluster_;
};

}  // namespace sluice::groups_api
