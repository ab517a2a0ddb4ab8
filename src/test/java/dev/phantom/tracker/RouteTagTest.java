package dev.phantom.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** A route tag ends the ids a node mints, for a proxy to read; the home they name is unchanged. */
class RouteTagTest {
  @Test
  void aTaggedIdEndsWithItsTagAndStillNamesItsHome() {
    String id = HomedIds.mint(42, "n2");
    assertTrue(id.endsWith(".n2"), id);
    assertEquals(HomedIds.LENGTH + 3, id.length());
    assertEquals(42, HomedIds.homeUid(id).getAsLong());
    assertEquals(42, HomedIds.homeUid(HomedIds.mint(42, "")).getAsLong());
    assertEquals(HomedIds.LENGTH, HomedIds.mint(42, "").length());
  }

  @Test
  void whatFollowsTheIdMustBeADotAndAValidTag() {
    String plain = HomedIds.mint(7);
    assertTrue(HomedIds.homeUid(plain + "n2").isEmpty());
    assertTrue(HomedIds.homeUid(plain + ".").isEmpty());
    assertTrue(HomedIds.homeUid(plain + ".n 2").isEmpty());
    assertTrue(HomedIds.homeUid(plain + "." + "a".repeat(33)).isEmpty());
    assertEquals(7, HomedIds.homeUid(plain + "." + "a".repeat(32)).getAsLong());
  }

  @Test
  void theSettingIsReadAndCheckedOnce() {
    var base = ConfigFactory.load();
    assertEquals("", TrackerSettings.fromConfig(base).routeTag());
    assertEquals("node-2", TrackerSettings.fromConfig(
        ConfigFactory.parseString("phantom.tracker.route-tag = node-2").withFallback(base)).routeTag());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TrackerSettings.fromConfig(
        ConfigFactory.parseString("phantom.tracker.route-tag = \"a.b\"").withFallback(base)));
    assertTrue(bad.getMessage().contains("route-tag"), bad.getMessage());
  }
}
