package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells sessions on other nodes that requests served here ended, batched: the ends collected within
 * {@code window} go to each home's sessions directory as one message, which hands them to the sessions.
 * A busy session served away from its home then costs its home one message per window instead of one
 * per request. The price: a finished request's id stays "running" up to {@code window} longer (its
 * session still refuses it as a duplicate either way). One per node.
 */
public final class DoneNotices {
  public static final String NAME = "phantom-done-notices";

  public sealed interface Command {}

  /** Request {@code ended} of a session homed where {@code home} (its sessions directory) is. */
  public record Done(ActorRef<Directory.Command> home, Directory.Ended ended) implements Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  /** The most ends in one message. */
  static final int MAX_BATCH = 32;

  private DoneNotices() {}

  public static Behavior<Command> create(Duration window) {
    return Behaviors.withTimers(timers -> {
      Map<ActorRef<Directory.Command>, List<Directory.Ended>> pending = new HashMap<>();
      return Behaviors.receiveMessage(message -> {
        if (message instanceof Done d) {
          List<Directory.Ended> forHome = pending.computeIfAbsent(d.home(), h -> new ArrayList<>());
          forHome.add(d.ended());
          if (forHome.size() >= MAX_BATCH) {
            // A full batch leaves at once: a busy or starved node must not hold ends back (the session
            // counts unreported ends against max-in-flight-per-session).
            d.home().tell(new Directory.RequestsEnded(List.copyOf(forHome)));
            pending.remove(d.home());
          } else if (!timers.isTimerActive(Flush.INSTANCE)) {
            timers.startSingleTimer(Flush.INSTANCE, window);
          }
        } else {
          pending.forEach((home, ended) -> home.tell(new Directory.RequestsEnded(List.copyOf(ended))));
          pending.clear();
        }
        return Behaviors.same();
      });
    });
  }
}
