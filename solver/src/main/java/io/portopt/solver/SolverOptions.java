package io.portopt.solver;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How long and how to search. {@code maxSteps} bounds the number of ruin-and-recreate steps: with a
 * step bound and a generous time limit, the same problem and seed always give the same plan.
 */
public record SolverOptions(Duration timeLimit, long seed, long maxSteps, Progress progress, BooleanSupplier stop,
                            Helper helper, boolean lowerBound) {
    /**
     * A second core that a time-limited solve may borrow for its lower bound while it searches, when
     * one is idle (never when that would slow other work: the caller decides).
     */
    public interface Helper {
        /** Runs {@code task} on another thread and returns true, or returns false at once when no core is idle. */
        boolean offer(Runnable task);

        /** True once the borrowed core is wanted back; the task then ends within a millisecond or so. */
        boolean wanted();
    }

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

    public SolverOptions(Duration timeLimit, long seed, long maxSteps, Progress progress, BooleanSupplier stop) {
        this(timeLimit, seed, maxSteps, progress, stop, null, true);
    }

    public SolverOptions(Duration timeLimit, long seed, long maxSteps) {
        this(timeLimit, seed, maxSteps, null, NEVER, null, true);
    }

    /** The same options, computing the bound on {@code newHelper}'s core when it has one free. */
    public SolverOptions withHelper(Helper newHelper) {
        return new SolverOptions(timeLimit, seed, maxSteps, progress, stop, newHelper, lowerBound);
    }

    /**
     * The same options without a lower bound: for a caller that already has one for this problem
     * (a job's later slices), so the whole budget goes to the search.
     */
    public SolverOptions withoutLowerBound() {
        return new SolverOptions(timeLimit, seed, maxSteps, progress, stop, helper, false);
    }

    /** The same options, telling {@code progress} of every new best plan. */
    public SolverOptions withProgress(Progress newProgress) {
        return new SolverOptions(timeLimit, seed, maxSteps, newProgress, stop, helper, lowerBound);
    }

    /**
     * The same options, ending the search with the best plan so far as soon as {@code newStop} is
     * true (checked every few steps: it should be cheap). Cancelling a job, or a job giving its core
     * to a waiting request.
     */
    public SolverOptions withStop(BooleanSupplier newStop) {
        return new SolverOptions(timeLimit, seed, maxSteps, progress, newStop, helper, lowerBound);
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
