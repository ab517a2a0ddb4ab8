package dev.phantom.node;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.tracker.Tracker;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** The operator's view of this node's tracker and cluster membership ({@code GET /admin/tracker}). */
final class AdminView {
  private AdminView() {}

  static CompletionStage<String> tracker(ActorSystem<?> system, Tracker tracker) {
    return tracker.stats(false).thenApply(stats -> {
      ObjectNode out = Json.object();
      out.put("self", stats.self().toString());
      out.put("mode", stats.mode().name().toLowerCase(java.util.Locale.ROOT));
      out.put("synced", tracker.isSynced());
      ObjectNode byTopic = out.putObject("entriesByTopic");
      stats.entriesByTopic().forEach(byTopic::put);
      ObjectNode byOwner = out.putObject("entriesByOwner");
      stats.entriesByOwner().forEach(byOwner::put);
      out.put("hiddenEntries", stats.hiddenEntries());
      if (tracker.isAvailable()) {
        var state = Cluster.get(system).state();
        Set<Member> unreachable = new HashSet<>();
        state.getUnreachable().forEach(unreachable::add);
        ArrayNode members = out.putArray("members");
        for (Member m : state.getMembers()) {
          members.addObject()
              .put("address", m.address().toString())
              .put("uid", Long.toUnsignedString(m.uniqueAddress().longUid(), 16))
              .put("status", m.status().toString())
              .put("reachable", !unreachable.contains(m));
        }
        out.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
      }
      return Json.write(out);
    });
  }
}
