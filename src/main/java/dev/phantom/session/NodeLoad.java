package dev.phantom.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this node holds against its {@link McpLimits}: sessions (in all and per principal), requests
 * running, and handler tasks queued or running. The HTTP layer admits work against these counts on its
 * own thread, before it spawns anything (an actor round trip per request would cost more than the
 * check); the actors that own the work release it when they stop. Counters only, no other state.
 *
 * <pre>{@code
 * Refusal refused = load.admitRequest();
 * if (refused != null) return answer(refused);     // 503 with Retry-After
 * ...                                              // the request's actor calls load.releaseRequest() when it stops
 * }</pre>
 */
public final class NodeLoad {
  private final McpLimits limits;
  private final AtomicInteger sessions = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> sessionsByPrincipal = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger handlerTasks = new AtomicInteger();
  private final AtomicInteger subscriptions = new AtomicInteger();

  public NodeLoad(McpLimits limits) {
    this.limits = limits;
  }

  public McpLimits limits() {
    return limits;
  }

  /** Counts a new session of {@code principal} (null: anonymous), or tells why not. */
  public Refusal admitSession(String principal) {
    if (sessions.incrementAndGet() > limits.maxSessionsPerNode()) {
      sessions.decrementAndGet();
      return Refusal.nodeFull("sessions", limits.maxSessionsPerNode(), retryAfterSeconds());
    }
    if (principal != null) {
      AtomicInteger count = sessionsByPrincipal.computeIfAbsent(principal, p -> new AtomicInteger());
      if (count.incrementAndGet() > limits.maxSessionsPerPrincipal()) {
        releaseSession(principal);
        return Refusal.tooMany("sessions for this principal on this node", limits.maxSessionsPerPrincipal());
      }
    }
    return null;
  }

  /** A session admitted by {@link #admitSession} ended (or was never started). */
  public void releaseSession(String principal) {
    sessions.decrementAndGet();
    if (principal != null) {
      sessionsByPrincipal.computeIfPresent(principal, (p, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
  }

  /** Counts a request about to run on this node (either era), or tells why not. */
  public Refusal admitRequest() {
    if (handlerTasks.get() >= limits.maxHandlerTasks()) {
      return handlersFull();
    }
    if (requests.incrementAndGet() > limits.maxInFlightPerNode()) {
      requests.decrementAndGet();
      return Refusal.nodeFull("requests in flight", limits.maxInFlightPerNode(), retryAfterSeconds());
    }
    return null;
  }

  /** The refusal of a request while the handler executor holds max-handler-tasks. */
  public Refusal handlersFull() {
    return Refusal.nodeFull("handler tasks waiting", limits.maxHandlerTasks(), retryAfterSeconds());
  }

  public void releaseRequest() {
    requests.decrementAndGet();
  }

  /** Counts one more resource subscription of a session homed here; false when the node has its limit. */
  public boolean admitSubscription() {
    if (subscriptions.incrementAndGet() > limits.maxSubscriptionsPerNode()) {
      subscriptions.decrementAndGet();
      return false;
    }
    return true;
  }

  public void releaseSubscriptions(int count) {
    subscriptions.addAndGet(-count);
  }

  public int subscriptions() {
    return subscriptions.get();
  }

  public int sessions() {
    return sessions.get();
  }

  public int requests() {
    return requests.get();
  }

  public int handlerTasks() {
    return handlerTasks.get();
  }

  /**
   * {@code executor} with its queued and running tasks counted: beyond {@code max-handler-tasks} a task
   * is refused ({@link RejectedExecutionException}) instead of growing an unbounded queue.
   */
  public Executor countingHandlers(Executor executor) {
    return task -> {
      if (handlerTasks.incrementAndGet() > limits.maxHandlerTasks()) {
        handlerTasks.decrementAndGet();
        throw new RejectedExecutionException("handler queue full (limit " + limits.maxHandlerTasks() + ")");
      }
      try {
        executor.execute(() -> {
          try {
            task.run();
          } finally {
            handlerTasks.decrementAndGet();
          }
        });
      } catch (RuntimeException e) {
        handlerTasks.decrementAndGet();
        throw e;
      }
    };
  }

  private long retryAfterSeconds() {
    return Math.max(1, limits.retryAfter().toSeconds());
  }
}
