package dev.meshctl.bench;

import dev.meshctl.bench.AckingAdsClient.ClientStats;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The fake proxies of a benchmark: {@link AckingAdsClient}s connected to one ADS server, either in
 * this JVM ({@link ClientFleet}) or in a child JVM ({@link RemoteFleet}, so that the server's heap
 * is measured alone). Called from the benchmark's main thread only.
 */
interface Fleet extends AutoCloseable {

  /** Waits until every client has ACKed all four types; false when {@code timeout} passed first. */
  boolean awaitConverged(Duration timeout) throws IOException, InterruptedException;

  /** Arms every client to report its next EDS response. Call before the push that changes EDS. */
  void expectEdsUpdate() throws IOException;

  /** Waits until every armed client has ACKed a new EDS response; false on timeout. */
  boolean awaitEdsUpdated(Duration timeout) throws IOException, InterruptedException;

  /** Every client's counters, in proxy order. */
  List<ClientStats> stats() throws IOException;

  /**
   * CPU time the clients' JVM has used so far, in nanoseconds; -1 when the clients share the
   * benchmark's JVM and cannot be told apart from the server.
   */
  long clientCpuNanos() throws IOException;

  /** Closes every stream and channel (and the child JVM, if any). */
  @Override
  void close();
}
