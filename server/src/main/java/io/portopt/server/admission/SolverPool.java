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
    private final FairSlots fullSlots;
    private final ExecutorService fullExecutor;
    private final Semaphore heuristicSlots;
    private final int heuristicPerTenant;
    private final java.util.concurrent.ConcurrentMap<String, Integer> heuristicInUse = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService heuristicExecutor;
    /** Exponentially weighted mean solve time, to estimate queue waits. */
    private final AtomicLong meanSolveMillis = new AtomicLong(1000);
    /**
     * Heuristic constructions and repairs: an exponentially weighted mean of their time per vessel,
     * and the vessels of the work running or queued, to refuse at once what cannot start in time.
     * Per vessel, because one 2000-vessel construction must not make the pool look full to the
     * 20-vessel requests behind it for the next dozen estimates, as a mean per job did.
     */
    private final AtomicLong heuristicNanosPerVessel = new AtomicLong(25_000);
    private final AtomicLong heuristicVesselsAhead = new AtomicLong();
    private final int heuristicSlotCount;
    private final int heuristicThreads;
    private final Timer fullTimer;
    private final Timer heuristicTimer;
    private final Timer repairTimer;
    private final Timer queueWait;

    public SolverPool(AdmissionProperties properties, MeterRegistry registry) {
        this.fullThreads = properties.effectiveSolverThreads();
        this.fullSlots = new FairSlots(fullThreads);
        this.fullExecutor = Executors.newFixedThreadPool(fullThreads, Thread.ofPlatform().name("solver-", 1).daemon().factory());
        this.heuristicSlotCount = properties.heuristicSlots();
        this.heuristicThreads = properties.heuristicThreads();
        this.heuristicSlots = new Semaphore(properties.heuristicSlots(), true);
        this.heuristicPerTenant = Math.max(1, properties.heuristicSlots() / 2);
        this.heuristicExecutor = Executors.newFixedThreadPool(properties.heuristicThreads(),
                Thread.ofPlatform().name("heuristic-", 1).daemon().factory());
        this.fullTimer = solveTimer(registry, "full");
        this.heuristicTimer = solveTimer(registry, "heuristic");
        this.repairTimer = solveTimer(registry, "repair");
        this.queueWait = Timer.builder(MetricNames.SOLVER_QUEUE_WAIT).publishPercentileHistogram()
                .description("Time requests waited for a solver slot").register(registry);
        Gauge.builder(MetricNames.SOLVER_QUEUE_DEPTH, fullSlots, FairSlots::waiting)
                .description("Requests waiting for a solver slot").register(registry);
        Gauge.builder(MetricNames.SOLVES_IN_FLIGHT, this, p -> p.fullSlots.running() - p.boundHelpers.get())
                .description("Full solves running").register(registry);
        Gauge.builder(MetricNames.HEURISTIC_IN_FLIGHT, this, SolverPool::heuristicInFlight)
                .description("Heuristic constructions and repairs running or queued").register(registry);
    }

    /**
     * A solve's lower bound may borrow a free full slot (an idle core) while the solve searches,
     * never a slot anyone waits for: it takes one only when the scheduler would grant it at once,
     * and gives it back within an ascent step (a millisecond or so) of a request starting to wait.
     */
    private final SolverOptions.Helper boundHelper = new SolverOptions.Helper() {
        @Override
        public boolean offer(Runnable task) {
            FairSlots.Permit permit;
            try {
                permit = fullSlots.acquire(BOUND_QUEUE, 0, 0, HELPER_YIELD_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (permit == null) {
                return false;
            }
            boundHelpers.incrementAndGet();
            try {
                fullExecutor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        boundHelpers.decrementAndGet();
                        fullSlots.release(permit);
                    }
                });
            } catch (RuntimeException e) {
                boundHelpers.decrementAndGet();
                fullSlots.release(permit);   // shutting down
                return false;
            }
            return true;
        }

        @Override
        public boolean wanted() {
            return fullSlots.waiting() > 0;
        }
    };
    /** Slots lent to solves' bounds right now (for tests). */
    int boundHelpersInFlight() {
        return boundHelpers.get();
    }

    private static final String BOUND_QUEUE = "solver/bound";
    /** Slots lent to bounds: not solves, so the in-flight gauge leaves them out. */
    private final java.util.concurrent.atomic.AtomicInteger boundHelpers = new java.util.concurrent.atomic.AtomicInteger();
    private static final long HELPER_YIELD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private static Timer solveTimer(MeterRegistry registry, String kind) {
        return Timer.builder(MetricNames.SOLVE_DURATION).tag("kind", kind).publishPercentileHistogram()
                .description("Wall time of solver runs").register(registry);
    }


    /**
     * Waits up to {@code maxWait} for a solver slot, shared fairly between tenants, then solves with
     * the full budget; null when no slot frees up in time (the caller degrades). A request whose
     * estimated wait is already too long does not queue at all.
     */
    public SolveResult solveFull(String tenant, Problem problem, SolverOptions options, Duration maxWait)
            throws InterruptedException {
        return solveFull(tenant, problem, options, maxWait, null);
    }

    /** As {@link #solveFull(String, Problem, SolverOptions, Duration)}, warm-started from {@code hint} when given. */
    public SolveResult solveFull(String tenant, Problem problem, SolverOptions options, Duration maxWait,
                                 List<Assignment> hint) throws InterruptedException {
        long t0 = System.nanoTime();
        FairSlots.Permit permit = fullSlots.acquire(tenant, maxWait.toNanos(),
                TimeUnit.MILLISECONDS.toNanos(meanSolveMillis.get()));
        queueWait.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        if (permit == null) {
            return null;
        }
        SolverOptions helped = options.withHelper(boundHelper);
        SolveResult result = run(fullExecutor, fullTimer,
                () -> hint == null ? BerthPlanner.solve(problem, helped) : BerthPlanner.repair(problem, hint, helped),
                () -> fullSlots.release(permit));
        meanSolveMillis.updateAndGet(m -> (m * 7 + result.stats().totalMillis()) / 8);
        return result;
    }

    /**
     * One slice of an asynchronous job on a full solver slot. The job queues for the slot as a
     * tenant of its own ({@code queueKey}), so the fair scheduler's round-robin gives it its turn
     * between the synchronous requests' tenants; null when no slot frees up within {@code maxWait}.
     * The work receives a yield signal that turns true once the slice has run {@code minSlice} and a
     * request is waiting for a slot: a synchronous request then waits at most that long for a job.
     */
    public SolveResult solveSlice(String queueKey, Duration maxWait, Duration minSlice,
                                  java.util.function.Function<java.util.function.BooleanSupplier, SolveResult> work)
            throws InterruptedException {
        long min = minSlice.toNanos();
        FairSlots.Permit permit = fullSlots.acquire(queueKey, maxWait.toNanos(),
                TimeUnit.MILLISECONDS.toNanos(meanSolveMillis.get()), min);
        if (permit == null) {
            return null;
        }
        long started = System.nanoTime();
        java.util.function.BooleanSupplier yield = () -> System.nanoTime() - started >= min && fullSlots.waiting() > 0;
        return run(fullExecutor, fullTimer, () -> work.apply(yield), () -> fullSlots.release(permit));
    }

    /**
     * A construction heuristic on the small pool; null when that pool is saturated too: its
     * estimated wait exceeds {@code maxWait} (null: no limit, a free slot is enough), or it has no
     * free slot.
     */
    public SolveResult solveHeuristic(String tenant, Problem problem, Duration maxWait) throws InterruptedException {
        return onHeuristicPool(tenant, heuristicTimer, maxWait, problem.vessels().size(),
                () -> BerthPlanner.solve(problem, SolverOptions.constructionOnly()));
    }

    /** Re-times and repairs a similar plan for this problem on the small pool; null when saturated. */
    public SolveResult repair(String tenant, Problem problem, List<Assignment> hint, Duration maxWait)
            throws InterruptedException {
        return onHeuristicPool(tenant, repairTimer, maxWait, problem.vessels().size(),
                () -> BerthPlanner.repair(problem, hint, SolverOptions.constructionOnly()));
    }

    /**
     * The small pool, shared fairly: one tenant may hold at most half of its slots, so a tenant
     * whose flood spills over into heuristics cannot leave another tenant with nothing but 503s.
     * Package-private for tests, which run work they control on it.
     */
    SolveResult onHeuristicPool(String tenant, Timer timer, Duration maxWait, int vessels, Supplier<SolveResult> work)
            throws InterruptedException {
        long size = Math.max(1, vessels);
        if (heuristicInUse.merge(tenant, 1, Integer::sum) > heuristicPerTenant) {
            heuristicInUse.merge(tenant, -1, (a, b) -> a + b == 0 ? null : a + b);
            return null;
        }
        // Reserve, then judge: requests arriving together each see the others' work ahead of them.
        // Deadline-aware and never blocking: a request the pool cannot start within its wait budget
        // is refused now, so a shed request costs microseconds, not a wait that fails.
        long ahead = heuristicVesselsAhead.addAndGet(size) - size;
        boolean admitted = (maxWait == null
                || ahead * heuristicNanosPerVessel.get() / heuristicThreads <= maxWait.toNanos())
                && heuristicSlots.tryAcquire();
        Runnable release = () -> {
            heuristicVesselsAhead.addAndGet(-size);
            heuristicInUse.merge(tenant, -1, (a, b) -> a + b == 0 ? null : a + b);
        };
        if (!admitted) {
            release.run();
            return null;
        }
        return run(heuristicExecutor, timer, () -> {
            long start = System.nanoTime();
            try {
                return work.get();
            } finally {
                long perVessel = Math.max(1, (System.nanoTime() - start) / size);
                heuristicNanosPerVessel.updateAndGet(m -> (m * 7 + perVessel) / 8);
            }
        }, () -> {
            heuristicSlots.release();
            release.run();
        });
    }

    /**
     * True when a new request of this tenant could neither start a full solve within {@code maxWait}
     * nor get onto the heuristic pool within {@code maxHeuristicWait} (null: no limit): whatever it
     * is, it would be shed.
     */
    public boolean saturatedFor(String tenant, Duration maxWait, Duration maxHeuristicWait) {
        boolean heuristicFull = heuristicInUse.getOrDefault(tenant, 0) >= heuristicPerTenant
                || (maxHeuristicWait != null && estimatedHeuristicWaitNanos() > maxHeuristicWait.toNanos())
                || heuristicSlots.availablePermits() == 0;
        return heuristicFull && fullSlots.wouldRefuse(tenant, maxWait.toNanos(),
                TimeUnit.MILLISECONDS.toNanos(meanSolveMillis.get()));
    }

    /** Heuristic constructions and repairs running or queued. */
    int heuristicInFlight() {
        return heuristicSlotCount - heuristicSlots.availablePermits();
    }

    /** Queued and running heuristic work ahead of a new request, over the pool's threads. */
    private long estimatedHeuristicWaitNanos() {
        return heuristicVesselsAhead.get() * heuristicNanosPerVessel.get() / heuristicThreads;
    }

    /** Seconds a client should wait before retrying, from the current queue and solve times. */
    public long retryAfterSeconds() {
        double rounds = (double) (fullSlots.waiting() + fullSlots.running()) / fullThreads;
        return Math.max(1, (long) Math.ceil(rounds * meanSolveMillis.get() / 1000.0));
    }

    /**
     * Runs {@code work} on {@code executor} and waits for it. {@code release} runs when the work is
     * done, on the worker: a caller interrupted while waiting stops waiting, but the work (CPU-bound,
     * it would not notice an interrupt) keeps its slot until it really ends, so the pool never runs
     * more than it admits and its estimates never count finished work.
     */
    private static SolveResult run(ExecutorService executor, Timer timer, Supplier<SolveResult> work, Runnable release)
            throws InterruptedException {
        Future<SolveResult> future;
        try {
            future = executor.submit(() -> {
                try {
                    return timer.record(work);
                } finally {
                    release.run();
                }
            });
        } catch (RuntimeException e) {
            release.run();   // rejected: shutting down
            throw e;
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("solver failed", e.getCause());
        }
    }

    @Override
    public void destroy() {
        // After the graceful drain. Work still queued never runs: cancel it, so no caller waits for ever.
        for (ExecutorService executor : List.of(fullExecutor, heuristicExecutor)) {
            for (Runnable queued : executor.shutdownNow()) {
                if (queued instanceof Future<?> f) {
                    f.cancel(false);
                }
            }
        }
    }
}
