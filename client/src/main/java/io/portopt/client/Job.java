package io.portopt.client;

import java.time.Instant;

/**
 * An asynchronous solver job. {@code state}: queued, running, done, cancelled or failed;
 * {@code planId}: the best plan so far, then the final one; {@code bestObjective} in weighted minutes.
 */
public record Job(String id, String state, long timeLimitMs, long elapsedMs, long solvedMs, Double bestObjective,
                  Integer assigned, String planId, int attempts, boolean cancelRequested, String error,
                  Instant createdAt, Instant startedAt, Instant finishedAt, String callback) {
    public boolean finished() {
        return "done".equals(state) || "cancelled".equals(state) || "failed".equals(state);
    }
}
