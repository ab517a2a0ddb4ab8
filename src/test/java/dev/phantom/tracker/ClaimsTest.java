package dev.phantom.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The claim decisions, with plain strings as holders. */
class ClaimsTest {
  private final Claims<String> claims = new Claims<>();
  private final TrackerKey.Claim a = new TrackerKey.Claim("s", "1");
  private final TrackerKey.Claim b = new TrackerKey.Claim("s", "2");

  @Test
  void firstHolderWinsUntilItReleases() {
    assertEquals(ClaimResult.CLAIMED, claims.claim(a, "x", true));
    assertEquals(ClaimResult.CLAIMED, claims.claim(a, "x", true), "the holder again");
    assertEquals(ClaimResult.DUPLICATE, claims.claim(a, "y", true));

    assertFalse(claims.release(a, "y"), "not the holder: ignored");
    assertEquals(ClaimResult.DUPLICATE, claims.claim(a, "y", true));

    assertTrue(claims.release(a, "x"));
    assertFalse(claims.holdsAny("x"));
    assertEquals(ClaimResult.CLAIMED, claims.claim(a, "y", true));
  }

  @Test
  void aSessionNotHereIsRefused() {
    assertEquals(ClaimResult.NO_SCOPE, claims.claim(a, "x", false));
    assertFalse(claims.holdsAny("x"));
    assertEquals(ClaimResult.CLAIMED, claims.claim(a, "y", true));
  }

  @Test
  void aHolderStaysHeldUntilItsLastClaimIsReleased() {
    claims.claim(a, "x", true);
    claims.claim(b, "x", true);
    assertFalse(claims.release(a, "x"), "still holds b");
    assertTrue(claims.holdsAny("x"));
    assertTrue(claims.release(b, "x"));
    assertFalse(claims.release(b, "x"), "released twice");
  }

  @Test
  void aStoppedHolderLosesEveryClaim() {
    claims.claim(a, "x", true);
    claims.claim(b, "x", true);
    claims.holderStopped("x");
    assertFalse(claims.holdsAny("x"));
    assertEquals(ClaimResult.CLAIMED, claims.claim(a, "y", true));
    assertEquals(ClaimResult.CLAIMED, claims.claim(b, "z", true));
  }
}
