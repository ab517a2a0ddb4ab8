package dev.phantom.cluster;

import org.junit.jupiter.api.BeforeAll;

/** The flows of {@link ClusterFlows} with each step on a different node. */
class SpreadFlowsTest extends ClusterFlows {
  @BeforeAll
  static void start() {
    startCluster(true);
  }
}
