package dev.phantom.tracker;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where an id's home is: a visible member answers; an unreachable member is "try again" (its sessions
 * may be alive), never "unknown"; a node that is not a member at all is unknown.
 */
class HomeResolutionTest {
  private final NodeId self = new NodeId("akka://phantom@127.0.0.1:25520", 1);
  private final NodeId up = new NodeId("akka://phantom@127.0.0.1:25521", 2);
  private final NodeId unreachable = new NodeId("akka://phantom@127.0.0.1:25522", 3);

  @Test
  void anUnreachableHomeIsHiddenButStillAMember() {
    PresenceIndex index = new PresenceIndex(self, List.of("t:scopes"), "t:scopes");
    index.setMembership(new PresenceIndex.Membership(Set.of(self, up),
        Map.of(self.uid(), self, up.uid(), up, unreachable.uid(), unreachable)));
    String onUp = HomedIds.mint(up.uid());
    String onUnreachable = HomedIds.mint(unreachable.uid());
    String onGone = HomedIds.mint(99);

    assertEquals(Optional.of(up), index.homeOf(onUp));
    assertFalse(index.homeIsHiddenMember(onUp));

    assertEquals(Optional.empty(), index.homeOf(onUnreachable));
    assertTrue(index.homeIsHiddenMember(onUnreachable));

    assertEquals(Optional.empty(), index.homeOf(onGone));
    assertFalse(index.homeIsHiddenMember(onGone));
    assertFalse(index.homeIsHiddenMember("not-a-homed-id"));
  }
}
