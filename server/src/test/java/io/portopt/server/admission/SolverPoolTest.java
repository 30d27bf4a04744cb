package io.portopt.server.admission;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portopt.solver.SolveResult;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SolverPoolTest {
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

    /**
     * The small pool refuses at once what its estimated wait says cannot start in time, except for a
     * request that has already waited elsewhere: that one only needs a free slot.
     */
    @Test
    void aRequestPastItsFastRefusalOnlyNeedsAFreeHeuristicSlot() throws Exception {
        SolverPool pool = new SolverPool(new AdmissionProperties(1, Duration.ZERO, 1, 4, Duration.ofNanos(1)),
                new SimpleMeterRegistry());
        try {
            // Keep the pool's only thread busy with large constructions, one after another.
            Problem big = problem(6000, 30);
            List<CompletableFuture<SolveResult>> busy = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                busy.add(CompletableFuture.supplyAsync(() -> heuristic(pool, "busy", big, true),
                        r -> Thread.ofPlatform().daemon().start(r)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.heuristicInFlight() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(busy.stream().allMatch(CompletableFuture::isDone)).as("the constructions are still running").isFalse();
            assertThat(pool.heuristicInFlight()).isGreaterThanOrEqualTo(1);
            Problem small = problem(5, 2);
            assertThat(heuristic(pool, "t", small, false)).as("beyond the wait budget: refused at once").isNull();
            assertThat(heuristic(pool, "t", small, true)).as("past its fast refusal: queued for a free slot").isNotNull();
            for (CompletableFuture<SolveResult> f : busy) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isNotNull();
            }
        } finally {
            pool.destroy();
        }
    }

    private static SolveResult heuristic(SolverPool pool, String tenant, Problem problem, boolean pastFastRefusal) {
        try {
            return pool.solveHeuristic(tenant, problem, pastFastRefusal ? null : Duration.ofNanos(1));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
