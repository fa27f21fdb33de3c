package sluice.e2e;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * A KCL application's lease table (named after the application) read with the DynamoDB client.
 * KCL 3.5 keeps its leader lock, migration state and worker metrics in the same table; a shard's
 * lease is the item with a checkpoint.
 */
final class LeaseTable {
  /** One shard's lease: its owner (null when none) and its checkpoint. */
  record Lease(String owner, String checkpoint) {}

  private LeaseTable() {}

  /**
   * The shards' leases by shard id (the lease key), from a consistent Scan of the whole table; none
   * before the KCL made the table.
   */
  static Map<String, Lease> read(DynamoDbClient dynamo, String application) {
    Map<String, Lease> leases = new HashMap<>();
    try {
      for (Map<String, AttributeValue> item :
          dynamo.scanPaginator(r -> r.tableName(application).consistentRead(true)).items()) {
        AttributeValue owner = item.get("leaseOwner");
        AttributeValue checkpoint = item.get("checkpoint");
        if (checkpoint == null) continue;
        leases.put(item.get("leaseKey").s(),
            new Lease(owner == null ? null : owner.s(), checkpoint.s()));
      }
    } catch (ResourceNotFoundException e) {
      return Map.of();
    }
    return leases;
  }

  /** How many leases `worker` owns. */
  static long ownedBy(Map<String, Lease> leases, String worker) {
    return leases.values().stream().filter(l -> worker.equals(l.owner())).count();
  }
}
