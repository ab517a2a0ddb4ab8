package dev.phantom.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Where {@link McpDispatcher#serveOn} runs a request: on the handler executor only when it may block. */
class ServeOnTest {
  private final McpServer server = McpServer.builder("t", "1")
      .tool(Tool.builder("plain").syncHandler((args, ctx) -> ToolResult.text("p")).build())
      .tool(Tool.builder("quick").syncHandler((args, ctx) -> ToolResult.text("q")).nonBlocking().build())
      .build();
  private final McpDispatcher dispatcher = new McpDispatcher(server);

  /** Counts the tasks it is given and runs them at once. */
  private static final class CountingExecutor implements Executor {
    final AtomicInteger tasks = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      task.run();
    }
  }

  private static JsonNode call(String tool) {
    return Json.object().put("name", tool);
  }

  @Test
  void aToolThatMayBlockRunsOnTheHandlerExecutor() {
    CountingExecutor handlers = new CountingExecutor();
    dispatcher.serveOn(handlers, "tools/call", call("plain"), () -> CompletableFuture.completedFuture("done")).join();
    assertEquals(1, handlers.tasks.get());
    assertTrue(dispatcher.mayBlock("tools/call", call("plain")));
  }

  @Test
  void aNonBlockingToolRunsInPlace() {
    CountingExecutor handlers = new CountingExecutor();
    Thread[] ranOn = new Thread[1];
    String result = dispatcher.<String>serveOn(handlers, "tools/call", call("quick"), () -> {
      ranOn[0] = Thread.currentThread();
      return CompletableFuture.completedFuture("done");
    }).join();
    assertEquals("done", result);
    assertEquals(0, handlers.tasks.get());
    assertEquals(Thread.currentThread(), ranOn[0]);
    assertFalse(dispatcher.mayBlock("tools/call", call("quick")));
  }

  @Test
  void anUnknownOrMalformedToolNameIsServedOnTheExecutorWhereItsErrorIsMade() {
    assertTrue(dispatcher.mayBlock("tools/call", call("nope")));
    assertTrue(dispatcher.mayBlock("tools/call", Json.object().put("name", 3)));
    assertTrue(dispatcher.mayBlock("tools/call", null));
  }

  @Test
  void listsAndPingRunInPlaceAndOtherHandlersDoNot() {
    assertFalse(dispatcher.mayBlock("ping", null));
    assertFalse(dispatcher.mayBlock("tools/list", null));
    assertTrue(dispatcher.mayBlock("prompts/get", null));
    assertTrue(dispatcher.mayBlock("resources/read", null));
  }

  @Test
  void aCallThatThrowsInPlaceIsAFailedStage() {
    CompletableFuture<String> result = dispatcher.serveOn(new CountingExecutor(), "ping", null, () -> {
      throw new IllegalStateException("boom");
    });
    assertTrue(result.isCompletedExceptionally());
  }
}
