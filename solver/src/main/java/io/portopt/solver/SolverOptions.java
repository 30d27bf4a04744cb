package io.portopt.solver;

import java.time.Duration;

/**
 * How long and how to search. {@code maxSteps} bounds the number of ruin-and-recreate steps: with a
 * step bound and a generous time limit, the same problem and seed always give the same plan.
 */
public record SolverOptions(Duration timeLimit, long seed, long maxSteps) {
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(1);
    public static final long DEFAULT_SEED = 0L;

    public SolverOptions {
        if (timeLimit == null || timeLimit.isNegative()) {
            throw new IllegalArgumentException("timeLimit must be zero or positive");
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be zero or positive");
        }
    }

    public static SolverOptions timeLimited(Duration timeLimit, long seed) {
        return new SolverOptions(timeLimit, seed, Long.MAX_VALUE);
    }

    public static SolverOptions stepLimited(long maxSteps, long seed) {
        return new SolverOptions(Duration.ofDays(1), seed, maxSteps);
    }

    /** Construction only: the fast heuristic rung. */
    public static SolverOptions constructionOnly() {
        return new SolverOptions(Duration.ZERO, DEFAULT_SEED, 0);
    }
}
