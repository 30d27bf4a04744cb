package io.portopt.server.admission;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portopt.solver.SolveResult;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The small heuristic pool's admission and accounting, with work the test holds and releases. */
class SolverPoolTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Timer timer = Timer.builder("test").register(registry);
    private final CountDownLatch release = new CountDownLatch(1);
    private SolverPool pool;

    @BeforeEach
    void pool() {
        // One solver, one heuristic thread, four slots (two per tenant), a 1 ns wait budget.
        pool = new SolverPool(new AdmissionProperties(1, Duration.ZERO, 1, 4, Duration.ofNanos(1), Duration.ofSeconds(1)), registry);
    }

    @AfterEach
    void stop() {
        release.countDown();
        pool.destroy();
    }

    private static Problem problem(int vessels, int berths) {
        List<Berth> b = new ArrayList<>();
        for (int i = 0; i < berths; i++) {
            b.add(Berth.open("B" + i));
        }
        List<Vessel> v = new ArrayList<>();
        for (int i = 0; i < vessels; i++) {
            v.add(new Vessel("V" + i, i * 7L, null, null, 1.0, 30L + i % 50, null, Long.MAX_VALUE));
        }
        return new Problem(b, v, null);
    }

    /** Work of {@code vessels} that holds the pool's thread until the test releases it. */
    private CompletableFuture<SolveResult> held(String tenant, int vessels) {
        Supplier<SolveResult> work = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        };
        return async(() -> pool.onHeuristicPool(tenant, timer, null, vessels, work));
    }

    private interface Call {
        SolveResult call() throws Exception;
    }

    private static CompletableFuture<SolveResult> async(Call call) {
        CompletableFuture<SolveResult> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(call.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void awaitInFlight(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.heuristicInFlight() != n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(pool.heuristicInFlight()).isEqualTo(n);
    }

    /**
     * A lone solve borrows the free slot for its bound (not counted as a solve), and gives it back
     * as soon as a request waits: the request gets the slot within its wait, long before the first
     * solve ends.
     */
    @Test
    void aSolvesBoundBorrowsAFreeSlotAndGivesItBackToAWaitingRequest() throws Exception {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        SolverPool two = new SolverPool(new AdmissionProperties(2, Duration.ofSeconds(1), 1, 4, Duration.ofNanos(1), Duration.ofSeconds(1)), own);
        try {
            io.portopt.solver.SolverOptions options = io.portopt.solver.SolverOptions.timeLimited(Duration.ofSeconds(3), 1);
            // Congested (250 vessels arriving within 250 minutes at 12 berths): no quick proof of optimality.
            List<Berth> berths = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                berths.add(Berth.open("B" + i));
            }
            List<Vessel> vessels = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                vessels.add(new Vessel("V" + i, i, null, null, 1.0 + i % 3, 30L + (i * 37) % 50, null, Long.MAX_VALUE));
            }
            Problem congested = new Problem(berths, vessels, null);
            CompletableFuture<SolveResult> first = async(() -> two.solveFull("a", congested, options, Duration.ofSeconds(1)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (two.boundHelpersInFlight() == 0 && System.nanoTime() < deadline && !first.isDone()) {
                Thread.sleep(1);
            }
            assertThat(two.boundHelpersInFlight()).as("the bound runs on the free slot").isEqualTo(1);
            assertThat(own.get(io.portopt.server.system.MetricNames.SOLVES_IN_FLIGHT).gauge().value()).isEqualTo(1.0);

            SolveResult second = two.solveFull("b", problem(20, 2), io.portopt.solver.SolverOptions.timeLimited(Duration.ofMillis(50), 1),
                    Duration.ofMillis(100));
            assertThat(second).as("a slot within 100 ms while the first solve still runs").isNotNull();
            assertThat(first).isNotDone();
            SolveResult firstResult = first.get(20, TimeUnit.SECONDS);
            assertThat(firstResult.bound()).isNotNull();
        } finally {
            two.destroy();
        }
    }

    @Test
    void workAheadRefusesAtOnceWhatCannotStartInTimeButARequestPastItsFastRefusalOnlyNeedsASlot() throws Exception {
        CompletableFuture<SolveResult> blocker = held("busy", 1000);
        awaitInFlight(1);
        Problem small = problem(5, 2);

        assertThat(pool.solveHeuristic("t", small, Duration.ofNanos(1))).as("1000 vessels ahead of a 1 ns budget").isNull();
        assertThat(pool.heuristicInFlight()).as("a refusal holds nothing").isEqualTo(1);
        CompletableFuture<SolveResult> patient = async(() -> pool.solveHeuristic("t", small, null));
        awaitInFlight(2);
        assertThat(patient).as("queued behind the held work").isNotDone();

        release.countDown();
        assertThat(patient.get(30, TimeUnit.SECONDS)).as("its plan, once the pool's thread is free").isNotNull();
        blocker.get(30, TimeUnit.SECONDS);
        awaitInFlight(0);
    }

    @Test
    void aTenantHoldsAtMostHalfTheSlotsAndAnInterruptedCallerKeepsItsSlotUntilItsWorkEnds() throws Exception {
        CompletableFuture<SolveResult> first = held("flood", 10);
        awaitInFlight(1);
        Thread waiter = Thread.ofPlatform().daemon().start(() -> {
            try {
                pool.onHeuristicPool("flood", timer, null, 10, () -> null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitInFlight(2);
        assertThat(pool.onHeuristicPool("flood", timer, null, 10, () -> null)).as("a third for the same tenant").isNull();

        waiter.interrupt();
        waiter.join(5_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(pool.heuristicInFlight()).as("the interrupted caller's work still holds its slot").isEqualTo(2);

        release.countDown();
        first.get(30, TimeUnit.SECONDS);
        awaitInFlight(0);
        assertThat(pool.solveHeuristic("flood", problem(5, 2), Duration.ofSeconds(1))).as("the tenant's slots are back").isNotNull();
    }
}
