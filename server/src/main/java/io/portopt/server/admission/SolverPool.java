package io.portopt.server.admission;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portopt.server.system.MetricNames;
import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Problem;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Bounded solver capacity. Solves run on platform threads, one per slot, never on the request's
 * virtual thread: a CPU-bound solve on a virtual thread would hold a carrier and starve every
 * other request (health checks included). Heuristic constructions get a small pool of their own.
 */
@Component
public class SolverPool implements DisposableBean {
    private final int fullThreads;
    private final Semaphore fullSlots;
    private final ExecutorService fullExecutor;
    private final Semaphore heuristicSlots;
    private final Duration heuristicWait;
    private final ExecutorService heuristicExecutor;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Exponentially weighted mean solve time, to estimate queue waits. */
    private final AtomicLong meanSolveMillis = new AtomicLong(1000);
    private final Timer fullTimer;
    private final Timer heuristicTimer;
    private final Timer repairTimer;
    private final Timer queueWait;

    public SolverPool(AdmissionProperties properties, MeterRegistry registry) {
        this.fullThreads = properties.effectiveSolverThreads();
        this.fullSlots = new Semaphore(fullThreads, true);
        this.fullExecutor = Executors.newFixedThreadPool(fullThreads, Thread.ofPlatform().name("solver-", 1).daemon().factory());
        this.heuristicSlots = new Semaphore(properties.heuristicSlots(), true);
        this.heuristicWait = properties.heuristicWait();
        this.heuristicExecutor = Executors.newFixedThreadPool(properties.heuristicThreads(),
                Thread.ofPlatform().name("heuristic-", 1).daemon().factory());
        this.fullTimer = solveTimer(registry, "full");
        this.heuristicTimer = solveTimer(registry, "heuristic");
        this.repairTimer = solveTimer(registry, "repair");
        this.queueWait = Timer.builder(MetricNames.SOLVER_QUEUE_WAIT).publishPercentileHistogram()
                .description("Time requests waited for a solver slot").register(registry);
        Gauge.builder(MetricNames.SOLVER_QUEUE_DEPTH, waiting, AtomicInteger::get)
                .description("Requests waiting for a solver slot").register(registry);
        Gauge.builder(MetricNames.SOLVES_IN_FLIGHT, running, AtomicInteger::get)
                .description("Full solves running").register(registry);
    }

    private static Timer solveTimer(MeterRegistry registry, String kind) {
        return Timer.builder(MetricNames.SOLVE_DURATION).tag("kind", kind).publishPercentileHistogram()
                .description("Wall time of solver runs").register(registry);
    }


    /**
     * Waits up to {@code maxWait} for a solver slot, then solves with the full budget; null when no
     * slot freed up in time (the caller degrades).
     */
    public SolveResult solveFull(Problem problem, SolverOptions options, Duration maxWait) throws InterruptedException {
        long t0 = System.nanoTime();
        // Deadline-aware queueing: when the slots are taken and the queue ahead would take longer
        // than we may wait, do not queue at all; the caller degrades at once.
        if (fullSlots.availablePermits() == 0
                && (double) (waiting.get() + 1) / fullThreads * meanSolveMillis.get() > maxWait.toMillis()) {
            queueWait.record(0, TimeUnit.NANOSECONDS);
            return null;
        }
        waiting.incrementAndGet();
        boolean acquired;
        try {
            acquired = fullSlots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
        queueWait.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        if (!acquired) {
            return null;
        }
        running.incrementAndGet();
        try {
            SolveResult result = run(fullExecutor, fullTimer, () -> BerthPlanner.solve(problem, options));
            meanSolveMillis.updateAndGet(m -> (m * 7 + result.stats().totalMillis()) / 8);
            return result;
        } finally {
            running.decrementAndGet();
            fullSlots.release();
        }
    }

    /** A construction heuristic on the small pool; null when that pool is saturated too. */
    public SolveResult solveHeuristic(Problem problem) throws InterruptedException {
        return onHeuristicPool(heuristicTimer, () -> BerthPlanner.solve(problem, SolverOptions.constructionOnly()));
    }

    /** Re-times and repairs a similar plan for this problem on the small pool; null when saturated. */
    public SolveResult repair(Problem problem, List<Assignment> hint) throws InterruptedException {
        return onHeuristicPool(repairTimer, () -> BerthPlanner.repair(problem, hint, SolverOptions.constructionOnly()));
    }

    private SolveResult onHeuristicPool(Timer timer, Supplier<SolveResult> work) throws InterruptedException {
        if (!heuristicSlots.tryAcquire(heuristicWait.toNanos(), TimeUnit.NANOSECONDS)) {
            return null;
        }
        try {
            return run(heuristicExecutor, timer, work);
        } finally {
            heuristicSlots.release();
        }
    }

    /** Seconds a client should wait before retrying, from the current queue and solve times. */
    public long retryAfterSeconds() {
        double rounds = (double) (waiting.get() + running.get()) / fullThreads;
        return Math.max(1, (long) Math.ceil(rounds * meanSolveMillis.get() / 1000.0));
    }

    private static SolveResult run(ExecutorService executor, Timer timer, Supplier<SolveResult> work)
            throws InterruptedException {
        Future<SolveResult> future = executor.submit(() -> timer.record(work));
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("solver failed", e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    @Override
    public void destroy() {
        fullExecutor.shutdownNow();
        heuristicExecutor.shutdownNow();
    }
}
