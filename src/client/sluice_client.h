// The Sluice client library: one include for applications.
//
//   #include <client/sluice_client.h>        (installed under <prefix>/include/sluice)
//   pkg-config --cflags --libs sluice-client
//
// Client (typed Kinesis calls), Producer (batched, ordered, retried puts),
// Reader (polling every shard, following resharding), ShardSubscriber and
// StreamSubscriber (SubscribeToShard push delivery with resubscription),
// consumer groups (the Sluice_20261207 calls, GroupMembership, GroupConsumer).
#pragma once

#include "client/client.h"
#include "client/config.h"
#include "client/group_calls.h"
#include "client/group_consumer.h"
#include "client/group_membership.h"
#include "client/producer.h"
#include "client/reader.h"
#include "client/signer.h"
#include "client/subscriber.h"
#include "client/transport.h"
#include "client/types.h"
