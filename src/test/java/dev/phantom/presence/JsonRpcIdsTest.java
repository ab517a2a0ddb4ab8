package dev.phantom.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JsonRpcIdsTest {
  @Test
  void requestIdsAreCanonicalJson() {
    assertEquals("1", JsonRpcIds.text(1));
    assertEquals("1", JsonRpcIds.text(1L));
    assertEquals("\"1\"", JsonRpcIds.text("1"));
    assertEquals("\"a\\\"b\"", JsonRpcIds.text("a\"b"));
    assertEquals("1.5", JsonRpcIds.text(1.5));
    assertEquals("2", JsonRpcIds.text(2.0));
    assertThrows(IllegalArgumentException.class, () -> JsonRpcIds.text(null));
  }
}
