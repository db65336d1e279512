package dev.reef.platform;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.BufferRecycler;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.core.util.RecyclerPool;

/**
 * Where Reef's JSON parsers and generators take their buffers from: one bounded pool shared by every mapper.
 *
 * <p>Why not Jackson's defaults: its default pool is a {@code ConcurrentLinkedDeque}, and under the proxy's load (a
 * parser or generator four times per call, each on a new virtual thread) taking a buffer from it cost about 3 % of
 * Reef's CPU (JFR, docs/benchmarks.md); a thread-local pool reuses nothing when every request has a thread of its
 * own. The bounded pool is an array behind a short lock; past its size, buffers are simply allocated and dropped.
 */
public final class JsonBuffers {

  /** Enough for every in-flight call to hold a few at once on a small machine; each holds about 16 KB at most. */
  private static final int POOLED = 512;
  private static final RecyclerPool<BufferRecycler> POOL = JsonRecyclerPools.newBoundedPool(POOLED);

  private JsonBuffers() {}

  /** A JSON factory whose parsers and generators use the shared pool; build mappers on it. */
  public static JsonFactory factory() {
    return JsonFactory.builder().recyclerPool(POOL).build();
  }
}
