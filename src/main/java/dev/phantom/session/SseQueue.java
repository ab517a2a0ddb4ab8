package dev.phantom.session;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.Attributes;
import akka.stream.Outlet;
import akka.stream.SourceShape;
import akka.stream.javadsl.Source;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The events of one SSE response: offered by a stream or a relay (from any thread), written by the
 * response's {@link #source} once akka-http renders it, with a comment keep-alive after {@code
 * keepAlive} without an event.
 *
 * <p>The queue exists before the response does: a GET's stream is attached to it first, which can take
 * a round trip to the session's home. It is one object and, once rendered, one stage in the
 * connection's own stream — not a queue materialized as a graph of its own and published to the
 * response (one actor, interpreter and publisher more per open stream, and a publisher Akka cancels
 * when its subscriber comes after {@code subscription-timeout}: under load a GET answered 200 then
 * closed). A response never rendered within {@code unclaimedAfter} (akka-http gave up on it) ends the
 * queue, as a lost connection.
 *
 * <p>Example (how SessionRoutes answers a GET on the session's home node):
 *
 * <pre>{@code
 * SseQueue queue = SseQueue.open(256, Duration.ofSeconds(10), Duration.ofSeconds(15), system);
 * queue.offer(Sse.KEEP_ALIVE);                       // flushes the response headers through proxies
 * Source<ByteString, NotUsed> body = queue.source(completed -> stream.tell(new ConnectionLost(id, completed)));
 * }</pre>
 */
public final class SseQueue {
  private final int capacity;
  private final Duration keepAlive;
  private final ArrayDeque<ByteString> buffer = new ArrayDeque<>(4);
  // Guarded by this.
  private boolean completing;
  private boolean ended;
  private boolean claimed;
  private boolean waiting;
  private AsyncCallback<NotUsed> wakeUp;
  private Consumer<Boolean> onEnd;

  private SseQueue(int capacity, Duration keepAlive) {
    this.capacity = capacity;
    this.keepAlive = keepAlive;
  }

  /**
   * A queue of at most {@code capacity} events not yet written; ended if its {@link #source} is not
   * rendered within {@code unclaimedAfter}.
   */
  public static SseQueue open(int capacity, Duration keepAlive, Duration unclaimedAfter, ActorSystem<?> system) {
    SseQueue queue = new SseQueue(capacity, keepAlive);
    system.scheduler().scheduleOnce(unclaimedAfter, queue::endIfUnclaimed, system.executionContext());
    return queue;
  }

  /** Queues one event; false when the response cannot take it (full, completed or gone). */
  public boolean offer(ByteString event) {
    AsyncCallback<NotUsed> wake;
    synchronized (this) {
      if (completing || ended || buffer.size() >= capacity) return false;
      buffer.addLast(event);
      wake = takeWaiter();
    }
    if (wake != null) wake.invoke(NotUsed.getInstance());
    return true;
  }

  /** Ends the response after the events already offered; later offers are refused. */
  public void complete() {
    AsyncCallback<NotUsed> wake;
    synchronized (this) {
      if (completing || ended) return;
      completing = true;
      wake = takeWaiter();
    }
    if (wake != null) wake.invoke(NotUsed.getInstance());
  }

  /**
   * The response body, to be rendered once. {@code onEnd} is told when the response has ended:
   * {@code true} after the last event following {@link #complete}, {@code false} when the connection
   * closed first (or the response was never rendered in time).
   */
  public Source<ByteString, NotUsed> source(Consumer<Boolean> onEnd) {
    boolean endedAlready;
    synchronized (this) {
      this.onEnd = onEnd;
      endedAlready = ended;
    }
    if (endedAlready) onEnd.accept(false);
    return Source.fromGraph(new Stage());
  }

  private AsyncCallback<NotUsed> takeWaiter() {
    if (!waiting) return null;
    waiting = false;
    return wakeUp;
  }

  private void endIfUnclaimed() {
    end(false, true);
  }

  /**
   * Ends the queue (its stage stopped, or it was never rendered: {@code onlyIfUnclaimed}); tells
   * {@code onEnd} exactly once. One check under the lock, so a rendering that starts meanwhile wins.
   */
  private void end(boolean completed, boolean onlyIfUnclaimed) {
    Consumer<Boolean> tell;
    synchronized (this) {
      if (ended || (onlyIfUnclaimed && claimed)) return;
      ended = true;
      buffer.clear();
      tell = onEnd;
    }
    if (tell != null) tell.accept(completed);
  }

  private final class Stage extends GraphStage<SourceShape<ByteString>> {
    private final Outlet<ByteString> out = Outlet.create("SseQueue.out");
    private final SourceShape<ByteString> shape = SourceShape.of(out);

    @Override
    public SourceShape<ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new TimerGraphStageLogic(shape) {
        private boolean completed;
        private long lastPush;

        {
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              drain();
            }
          });
        }

        @Override
        public void preStart() {
          AsyncCallback<NotUsed> callback = createAsyncCallback(ignored -> drain());
          boolean usable;
          synchronized (SseQueue.this) {
            usable = !claimed && !ended;
            claimed = true;
            wakeUp = callback;
          }
          if (!usable) {
            failStage(new IllegalStateException("this SSE response was already rendered or has ended"));
            return;
          }
          lastPush = System.nanoTime();
          // Checked every half period: a keep-alive follows the last write after one to one and a half.
          Duration half = keepAlive.dividedBy(2);
          scheduleWithFixedDelay("keep-alive", half, half);
        }

        private void drain() {
          if (!isAvailable(out)) return;
          ByteString next;
          boolean finished;
          synchronized (SseQueue.this) {
            next = buffer.pollFirst();
            finished = next == null && completing;
            if (next == null && !finished) waiting = true;
          }
          if (next != null) {
            lastPush = System.nanoTime();
            push(out, next);
          } else if (finished) {
            completed = true;
            completeStage();
          }
        }

        @Override
        public void onTimer(Object key) {
          if (System.nanoTime() - lastPush >= keepAlive.toNanos() && isAvailable(out)) {
            synchronized (SseQueue.this) {
              // An event offered from now on is read at the next pull.
              waiting = false;
            }
            lastPush = System.nanoTime();
            push(out, Sse.KEEP_ALIVE);
          }
        }

        @Override
        public void postStop() {
          end(completed, false);
        }
      };
    }
  }
}
