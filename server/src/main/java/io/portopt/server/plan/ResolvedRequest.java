package io.portopt.server.plan;

import io.portopt.solver.model.Problem;

/**
 * A valid request in solver terms: times in epoch seconds, berths and vessels sorted by id so that
 * the order of the request does not change the plan or the cache key.
 */
public record ResolvedRequest(String port, Problem problem, EffectiveOptions options, String fingerprint) {
    /** Key of similar problems (times quantised), for the approximate rung. */
    public String similarity(java.time.Duration quantum) {
        return io.portopt.solver.Similarity.key(problem, Math.max(1, quantum.toSeconds()));
    }
}
