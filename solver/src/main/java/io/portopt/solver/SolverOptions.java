package io.portopt.solver;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How long and how to search. {@code maxSteps} bounds the number of ruin-and-recreate steps: with a
 * step bound and a generous time limit, the same problem and seed always give the same plan.
 */
public record SolverOptions(Duration timeLimit, long seed, long maxSteps, Progress progress, BooleanSupplier stop) {
    private static final BooleanSupplier NEVER = () -> false;

    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(1);
    public static final long DEFAULT_SEED = 0L;

    public SolverOptions {
        if (timeLimit == null || timeLimit.isNegative()) {
            throw new IllegalArgumentException("timeLimit must be zero or positive");
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be zero or positive");
        }
        stop = stop == null ? NEVER : stop;
    }

    public SolverOptions(Duration timeLimit, long seed, long maxSteps) {
        this(timeLimit, seed, maxSteps, null, NEVER);
    }

    /** The same options, telling {@code progress} of every new best plan. */
    public SolverOptions withProgress(Progress newProgress) {
        return new SolverOptions(timeLimit, seed, maxSteps, newProgress, stop);
    }

    /**
     * The same options, ending the search with the best plan so far as soon as {@code newStop} is
     * true (checked every few steps: it should be cheap). Cancelling a job, or a job giving its core
     * to a waiting request.
     */
    public SolverOptions withStop(BooleanSupplier newStop) {
        return new SolverOptions(timeLimit, seed, maxSteps, progress, newStop);
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
