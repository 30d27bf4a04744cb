package io.portopt.server.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * A job as clients see it. {@code elapsedMs}: wall time since a server first started it;
 * {@code solvedMs}: solver time spent on it (its budget is {@code timeLimitMs}); {@code planId}: the
 * best plan so far while it runs, then the final one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String state, long timeLimitMs, long elapsedMs, long solvedMs, Double bestObjective,
                      Integer assigned, String planId, int attempts, boolean cancelRequested, String error,
                      Instant createdAt, Instant startedAt, Instant finishedAt, String callback) {
    public boolean terminal() {
        return state.equals("done") || state.equals("cancelled") || state.equals("failed");
    }
}
