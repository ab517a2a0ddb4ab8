package dev.phantom.tracker;

import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.SelfUniqueAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * The write side: the entry operations waiting for each shard key, and when and how many of them are
 * handed to the replicator as one update ({@link Batch}, sent by the replica).
 *
 * <ul>
 *   <li><b>Batched per key per tick.</b> Queued ops reach the replicator at the next {@link #tick()},
 *       one update per shard key. While keys were maps every local update merged the whole key
 *       (Distributed Data's {@code ORMap.merge}), so one update per write made each track cost
 *       O(entries in the key) each (40 % of its CPU at 100,000 entries); with sets the batching still
 *       bounds the delta messages. Reads here see our writes at once anyway (the index), and peers get
 *       them only at the replicator's next delta tick.
 *   <li><b>One update in flight per key</b>: its completion ({@link #completed}) hands over what was
 *       queued meanwhile.
 *   <li><b>Frame budget.</b> The replicator sends each peer one DeltaPropagation per tick with the deltas
 *       of every key, uncompressed and unsplit, so at most {@code max-updates-per-tick} ops are handed
 *       over per tick to keep that message under the Artery frame; a burst is spread over the next
 *       ticks. Not throttled without peers (a node joining later gets compressed full state).
 *   <li><b>Leaving</b>: no budget, and ops are handed over at once.
 *   <li><b>Every update advances this node's version in the key</b>, so that peers notice it (see {@link
 *       ShardReader}): an add does; a batch of removals gets an element added and removed again.
 * </ul>
 *
 * Owned by the replica actor and used from its thread only; a {@link Batch} is immutable, because the
 * replicator applies it on its own thread.
 */
final class ShardWriter {

  /** One pending change of a shard key, by entry id; turned into element operations when handed over. */
  sealed interface Op {}

  record Put(String entryId, Presence presence) implements Op {}

  record Remove(String entryId) implements Op {}

  /** Adds or removes one element of a shard key's set. */
  record ElementOp(boolean add, Presence element) {}

  /**
   * One update of a shard key.
   *
   * @param othersRemoved it removes other owners' entries (the leader deleting a departed node's)
   * @param leaving it is written while the node leaves (to a majority)
   */
  record Batch(int shard, List<ElementOp> ops, boolean othersRemoved, boolean leaving) {}

  private final NodeId self;
  private final int maxUpdatesPerTick;
  private final IntSupplier visibleNodes;
  private final IntFunction<Map<String, Presence>> shown;
  private final Consumer<Batch> handOver;
  private final List<List<Op>> pending = new ArrayList<>();
  /**
   * Per shard key: this node's elements as last handed to the replicator, by entry id. A removal or a
   * replacement must name the element the replicator holds, which the last poll may not show yet.
   */
  private final List<Map<String, Presence>> handedOver = new ArrayList<>();
  private final boolean[] inFlight;
  /** Entry operations this node may still hand to the replicator in the current tick. */
  private int budget;
  /** Shards with pending operations waiting for the next tick's budget, in arrival order. */
  private final LinkedHashSet<Integer> scheduled = new LinkedHashSet<>();
  private boolean leaving;

  /**
   * @param visibleNodes how many nodes reads show (this one included): 1 means no peer to send deltas to
   * @param shown per shard key, the last replicated value's elements by entry id (the reader's)
   * @param handOver sends a batch to the replicator; its answer must come back as {@link #completed}
   */
  ShardWriter(NodeId self, int shardCount, int maxUpdatesPerTick, IntSupplier visibleNodes,
      IntFunction<Map<String, Presence>> shown, Consumer<Batch> handOver) {
    this.self = self;
    this.maxUpdatesPerTick = maxUpdatesPerTick;
    this.visibleNodes = visibleNodes;
    this.shown = shown;
    this.handOver = handOver;
    this.inFlight = new boolean[shardCount];
    this.budget = maxUpdatesPerTick;
    for (int i = 0; i < shardCount; i++) {
      pending.add(new ArrayList<>());
      handedOver.add(new HashMap<>());
    }
  }

  /** Queues an op and schedules its shard. */
  void enqueue(int shard, Op op) {
    add(shard, op);
    schedule(shard);
  }

  /** Queues an op; the caller schedules the shard when it has queued all of them. */
  void add(int shard, Op op) {
    pending.get(shard).add(op);
  }

  /** A shard with pending ops is handed over at the next tick, or at once while leaving. */
  void schedule(int shard) {
    if (pending.get(shard).isEmpty()) return;
    if (leaving) flush(shard);
    else scheduled.add(shard);
  }

  /** A new update tick: the budget renews and the scheduled shards are handed over. */
  void tick() {
    budget = maxUpdatesPerTick;
    List<Integer> due = List.copyOf(scheduled);
    scheduled.clear();
    for (int shard : due) flush(shard);
  }

  /** The replicator answered the shard's update (either way). */
  void completed(int shard) {
    inFlight[shard] = false;
    schedule(shard);
  }

  /** From now on ops go out at once and without budget. */
  void startLeaving() {
    leaving = true;
  }

  /** Hands every shard's pending ops over now (those with an update in flight follow on its completion). */
  void flushAll() {
    for (int shard = 0; shard < pending.size(); shard++) flush(shard);
  }

  /** Whether the shard has ops queued or an update in flight. */
  boolean busy(int shard) {
    return inFlight[shard] || !pending.get(shard).isEmpty();
  }

  /** Whether every op has been handed over and answered. */
  boolean idle() {
    for (int shard = 0; shard < pending.size(); shard++) if (busy(shard)) return false;
    return true;
  }

  private void flush(int shard) {
    List<Op> queued = pending.get(shard);
    if (inFlight[shard] || queued.isEmpty()) return;
    boolean alone = visibleNodes.getAsInt() <= 1 || leaving;
    if (budget <= 0 && !alone) {
      scheduled.add(shard);
      return;
    }
    int take = alone ? queued.size() : Math.min(budget, queued.size());
    List<Op> ops = List.copyOf(queued.subList(0, take));
    queued.subList(0, take).clear();
    budget -= take;
    inFlight[shard] = true;
    List<ElementOp> elementOps = toElementOps(shard, ops);
    boolean othersRemoved = elementOps.stream().anyMatch(op -> !op.add() && !op.element().owner().equals(self));
    handOver.accept(new Batch(shard, Collections.unmodifiableList(elementOps), othersRemoved, leaving));
  }

  /**
   * The element operations for a batch of entry operations: a put replaces the element the replicator
   * holds for the id (if another), a remove removes it. Ours are known from what was handed over;
   * another owner's (the leader deleting a departed node's entries) from the last replicated value.
   */
  private List<ElementOp> toElementOps(int shard, List<Op> ops) {
    Map<String, Presence> ours = handedOver.get(shard);
    Map<String, Presence> seen = shown.apply(shard);
    List<ElementOp> out = new ArrayList<>(ops.size() + 1);
    for (Op op : ops) {
      String id = op instanceof Put put ? put.entryId() : ((Remove) op).entryId();
      Presence held = ours.get(id);
      Presence shownNow = seen.get(id);
      Presence next = op instanceof Put put ? put.presence() : null;
      if (held != null && !held.equals(next)) out.add(new ElementOp(false, held));
      if (shownNow != null && shownNow != held && !shownNow.equals(next)) out.add(new ElementOp(false, shownNow));
      if (next != null) {
        out.add(new ElementOp(true, next));
        if (next.owner().equals(self)) ours.put(id, next);
      } else {
        ours.remove(id);
      }
    }
    // Removals do not advance this node's version in the key: a batch of them alone would go unnoticed.
    if (!out.isEmpty() && out.stream().noneMatch(ElementOp::add)) {
      Presence any = out.get(out.size() - 1).element();
      out.add(new ElementOp(true, any));
      out.add(new ElementOp(false, any));
    }
    return out;
  }

  /**
   * Runs inside the replicator. An {@link ORSet} changed by add/remove merges back into the value it
   * came from in constant time (Akka's {@code FastMerge}); a map CRDT merges every entry of the key on
   * every update, which was most of a node's CPU when entries were tracked at 180,000 entries.
   */
  static ORSet<Presence> apply(ORSet<Presence> set, List<ElementOp> ops, SelfUniqueAddress node) {
    ORSet<Presence> out = set;
    for (ElementOp op : ops) out = op.add() ? out.add(node, op.element()) : out.remove(node, op.element());
    return out;
  }
}
