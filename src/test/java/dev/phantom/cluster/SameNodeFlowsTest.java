package dev.phantom.cluster;

import org.junit.jupiter.api.BeforeAll;

/** The flows of {@link ClusterFlows} with every step on node A of the 3-node cluster. */
class SameNodeFlowsTest extends ClusterFlows {
  @BeforeAll
  static void start() {
    startCluster(false);
  }
}
