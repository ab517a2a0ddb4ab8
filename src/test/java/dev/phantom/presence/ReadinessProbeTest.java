package dev.phantom.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Readiness: the topic connects this node with every other Up member both ways (a pong and an echo),
 * members named with their incarnation; once ready, the node stays ready.
 */
class ReadinessProbeTest {
  private static final String B = "akka://phantom@10.0.0.2:25520#1";
  private static final String C = "akka://phantom@10.0.0.3:25520#2";
  private static final String B_RESTARTED = "akka://phantom@10.0.0.2:25520#2";

  private final ReadinessProbe probe = new ReadinessProbe();

  private static Set<String> members(String... members) {
    return new LinkedHashSet<>(List.of(members));
  }

  @Test
  void notReadyBeforeAnything() {
    assertFalse(probe.isReady());
    assertFalse(probe.check(members(B)));
    assertFalse(probe.isReady());
    assertEquals(Set.of(B), probe.missing(members(B)));
  }

  @Test
  void readyOnlyOnceEveryUpMemberHasBothPongAndEcho() {
    Set<String> up = members(B, C);

    probe.pong(B);
    probe.echo(B);
    assertFalse(probe.check(up));
    assertEquals(Set.of(C), probe.missing(up));

    probe.pong(C);
    assertFalse(probe.check(up));
    assertEquals(Set.of(C), probe.missing(up));

    probe.echo(C);
    assertTrue(probe.check(up));
    assertTrue(probe.isReady());
    assertEquals(Set.of(), probe.missing(up));
  }

  @Test
  void pongAloneIsNotEnough() {
    probe.pong(B);
    assertFalse(probe.check(members(B)));
    assertFalse(probe.isReady());
    assertEquals(Set.of(B), probe.missing(members(B)));
  }

  @Test
  void echoAloneIsNotEnough() {
    probe.echo(B);
    assertFalse(probe.check(members(B)));
    assertFalse(probe.isReady());
    assertEquals(Set.of(B), probe.missing(members(B)));
  }

  @Test
  void oneDirectionFromEachOfTwoMembersIsNotEnough() {
    probe.pong(B);
    probe.echo(C);
    assertFalse(probe.check(members(B, C)));
    assertEquals(List.of(B, C), List.copyOf(probe.missing(members(B, C))));
  }

  @Test
  void proofsCountOnlyForTheSameIncarnation() {
    probe.pong(B);
    probe.echo(B);

    // The member restarted on the same address: a new incarnation must prove itself again.
    assertFalse(probe.check(members(B_RESTARTED)));
    assertEquals(Set.of(B_RESTARTED), probe.missing(members(B_RESTARTED)));

    probe.pong(B_RESTARTED);
    assertFalse(probe.check(members(B_RESTARTED)));
    probe.echo(B_RESTARTED);
    assertTrue(probe.check(members(B_RESTARTED)));
  }

  @Test
  void onceReadyStaysReadyEvenIfANewMemberAppears() {
    probe.pong(B);
    probe.echo(B);
    assertTrue(probe.check(members(B)));

    assertTrue(probe.check(members(B, C)));
    assertTrue(probe.isReady());
    // missing still tells the truth about the new member.
    assertEquals(Set.of(C), probe.missing(members(B, C)));
  }

  @Test
  void readyWithNoOtherMembers() {
    assertTrue(probe.check(Set.of()));
    assertTrue(probe.isReady());
    assertEquals(Set.of(), probe.missing(Set.of()));
  }

  @Test
  void missingListsTheMembersStillToProveInOrder() {
    String d = "akka://phantom@10.0.0.4:25520#3";
    probe.pong(C);
    probe.echo(C);
    probe.echo(d);

    assertEquals(List.of(B, d), List.copyOf(probe.missing(members(B, C, d))));
    // Proofs from members not Up are ignored: only the given members are considered.
    assertEquals(Set.of(), probe.missing(members(C)));
  }

  @Test
  void isReadyReflectsOnlyCheck() {
    probe.pong(B);
    probe.echo(B);
    // Proofs alone do not make the node ready: a check against the Up members does.
    assertFalse(probe.isReady());
    assertTrue(probe.check(members(B)));
    assertTrue(probe.isReady());
  }
}
