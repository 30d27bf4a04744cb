package io.portopt.solver;

import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search's incremental evaluation against doing it the long way: the cost change that
 * {@link Schedule#insertionDelta} predicts (with the run-skipping shortcut on plain berths and the
 * re-timing of the suffix elsewhere) is exactly what inserting and re-timing the whole berth
 * gives, infeasible insertions are recognised, and the bucketed tidal-window lookup agrees with a
 * scan of the windows.
 */
class IncrementalEvaluationTest {

    @Provide
    Arbitrary<Problem> problems() {
        return RandomProblems.problems();
    }

    @Property(tries = 300)
    void insertionDeltaIsTheCostChangeOfInsertingAndRetimingEverything(@ForAll("problems") Problem problem,
                                                                       @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        SplittableRandom r = new SplittableRandom(seed);
        Schedule s = new Schedule(p);
        // A random partial schedule: vessels in random order at random feasible positions.
        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < p.vesselCount; v++) {
            order.add(v);
        }
        java.util.Collections.shuffle(order, new java.util.Random(seed));
        for (int v : order) {
            if (p.compatible[v].length == 0 || r.nextInt(4) == 0) {
                continue;
            }
            int b = p.compatible[v][r.nextInt(p.compatible[v].length)];
            int pos = r.nextInt(s.len[b] + 1);
            if (s.insertionDelta(v, b, pos, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                s.insert(v, b, pos);
            }
        }
        if (s.assignedCount > 0 && r.nextBoolean()) {
            // Some removals too, which shift the followers earlier.
            for (int v = 0; v < p.vesselCount; v++) {
                if (s.berthOf[v] >= 0 && r.nextInt(5) == 0) {
                    s.remove(v);
                }
            }
        }
        assertConsistent(p, s);

        Schedule copy = new Schedule(p);
        int feasible = 0;
        int infeasible = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            if (s.berthOf[v] >= 0) {
                continue;
            }
            for (int b : p.compatible[v]) {
                for (int pos = 0; pos <= s.len[b]; pos++) {
                    double delta = s.insertionDelta(v, b, pos, Double.POSITIVE_INFINITY);
                    copy.copyFrom(s);
                    boolean possible = insertAndRetimeAll(copy, v, b, pos);
                    assertThat(delta < Double.POSITIVE_INFINITY).as("v%d at b%d pos %d feasible", v, b, pos).isEqualTo(possible);
                    if (possible) {
                        feasible++;
                        assertThat(delta).as("v%d at b%d pos %d", v, b, pos)
                                .isCloseTo(copy.cost - s.cost, org.assertj.core.data.Offset.offset(1e-6));
                        // A bound at or below the true delta must cut the evaluation off.
                        assertThat(s.insertionDelta(v, b, pos, delta)).isEqualTo(Double.POSITIVE_INFINITY);
                        // The incremental insert agrees with the full re-timing.
                        copy.copyFrom(s);
                        copy.insert(v, b, pos);
                        assertThat(copy.cost).isCloseTo(s.cost + delta, org.assertj.core.data.Offset.offset(1e-6));
                        assertConsistent(p, copy);
                    } else {
                        infeasible++;
                    }
                }
            }
        }
        Statistics.label("feasible insertions checked").collect(feasible > 0);
        Statistics.label("infeasible insertions checked").collect(infeasible > 0);
        Statistics.label("feasible insertions checked").coverage(c -> c.check(true).percentage(x -> x >= 30));
        Statistics.label("infeasible insertions checked").coverage(c -> c.check(true).percentage(x -> x >= 10));
    }

    /**
     * The run tables behind {@link Schedule#insertionDelta} are rebuilt only from the first position
     * a change touched: after any mix of insertions and removals, with evaluations in between (so
     * the tables are partly up to date), every evaluation equals that of a copy whose tables are
     * built from scratch.
     */
    @Property(tries = 300)
    void partlyRebuiltRunTablesAgreeWithTablesBuiltFromScratch(@ForAll("problems") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        SplittableRandom r = new SplittableRandom(seed);
        Schedule s = new Schedule(p);
        Schedule fresh = new Schedule(p);
        int compared = 0;
        for (int op = 0; op < 4 * p.vesselCount; op++) {
            int v = r.nextInt(Math.max(1, p.vesselCount));
            if (p.vesselCount == 0 || p.compatible[v].length == 0) {
                continue;
            }
            if (s.berthOf[v] >= 0) {
                s.remove(v);
            } else {
                int b = p.compatible[v][r.nextInt(p.compatible[v].length)];
                int pos = r.nextInt(s.len[b] + 1);
                if (s.insertionDelta(v, b, pos, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                    s.insert(v, b, pos);
                }
            }
            // Evaluate some insertions of a vessel left out, on the partly stale tables.
            int u = r.nextInt(p.vesselCount);
            if (s.berthOf[u] >= 0 || p.compatible[u].length == 0) {
                continue;
            }
            fresh.copyFrom(s);
            for (int b : p.compatible[u]) {
                for (int pos = 0; pos <= s.len[b]; pos++) {
                    assertThat(s.insertionDelta(u, b, pos, Double.POSITIVE_INFINITY))
                            .as("v%d at b%d pos %d", u, b, pos)
                            .isEqualTo(fresh.insertionDelta(u, b, pos, Double.POSITIVE_INFINITY));
                    compared++;
                }
            }
        }
        assertConsistent(p, s);
        Statistics.label("evaluations compared").collect(compared > 0);
        Statistics.label("evaluations compared").coverage(c -> c.check(true).percentage(x -> x >= 50));
    }

    /** Inserts v into the sequence of berth b at pos and re-times every berth from scratch. */
    /**
     * {@link Schedule#fitsInPlaceOf} (the ejection pool's check that a vessel can take a placed
     * vessel's place, judged without changing anything) agrees with putting it there in the
     * sequence and re-timing everything.
     */
    @Property(tries = 300)
    void fitsInPlaceOfAgreesWithReplacingAndRetimingEverything(@ForAll("problems") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        SplittableRandom r = new SplittableRandom(seed);
        Schedule s = new Schedule(p);
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.compatible[v].length == 0 || r.nextInt(3) == 0) {
                continue;
            }
            int b = p.compatible[v][r.nextInt(p.compatible[v].length)];
            int pos = r.nextInt(s.len[b] + 1);
            if (s.insertionDelta(v, b, pos, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                s.insert(v, b, pos);
            }
        }
        Schedule copy = new Schedule(p);
        int fits = 0;
        int not = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            if (s.berthOf[v] >= 0) {
                continue;
            }
            for (int b : p.compatible[v]) {
                for (int q = 0; q < s.len[b]; q++) {
                    boolean predicted = s.fitsInPlaceOf(v, b, q);
                    copy.copyFrom(s);
                    copy.seq[b][q] = v;
                    boolean actual = copy.retimeAll();
                    assertThat(predicted).as("v%d in place of position %d at b%d", v, q, b).isEqualTo(actual);
                    if (actual) {
                        fits++;
                    } else {
                        not++;
                    }
                }
            }
        }
        Statistics.label("fits").collect(fits > 0);
        Statistics.label("does not fit").collect(not > 0);
    }

    private static boolean insertAndRetimeAll(Schedule s, int v, int b, int pos) {
        int l = s.len[b];
        System.arraycopy(s.seq[b], pos, s.seq[b], pos + 1, l - pos);
        s.seq[b][pos] = v;
        s.len[b] = l + 1;
        return s.retimeAll();
    }

    /** Times and cost of a schedule are those a full re-timing of its sequences gives. */
    private static void assertConsistent(CompiledProblem p, Schedule s) {
        Schedule fresh = new Schedule(p);
        fresh.copyFrom(s);
        assertThat(fresh.retimeAll()).isTrue();
        for (int b = 0; b < p.berthCount; b++) {
            for (int q = 0; q < s.len[b]; q++) {
                assertThat(s.start[b][q]).isEqualTo(fresh.start[b][q]);
                assertThat(s.end[b][q]).isEqualTo(fresh.end[b][q]);
            }
        }
        assertThat(s.cost).isCloseTo(fresh.cost, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(s.assignedCount).isEqualTo(fresh.assignedCount);
    }

    @Property(tries = 500)
    void tidalWindowLookupAgreesWithAScanOfTheWindows(@ForAll @IntRange(min = 0, max = 40) int windowCount,
                                                      @ForAll long seed,
                                                      @ForAll @LongRange(min = -50, max = 3000) long t) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Interval> windows = new ArrayList<>();
        long at = r.nextLong(-20, 40);
        int spread = 1 + r.nextInt(60);
        for (int i = 0; i < windowCount; i++) {
            long from = at + r.nextInt(spread);
            long to = from + 1 + r.nextInt(spread);
            windows.add(new Interval(from, to));
            at = to + r.nextInt(3 * spread);
        }
        Problem problem = new Problem(List.of(io.portopt.solver.model.Berth.open("B")), List.of(),
                new Tide(10.0, windows));
        CompiledProblem p = new CompiledProblem(problem);
        long expected = CompiledProblem.NONE;
        for (Interval w : CompiledProblem.merged(windows)) {
            if (w.to() >= t) {
                expected = Math.max(t, w.from());
                break;
            }
        }
        assertThat(p.nextWindowMoment(t)).isEqualTo(expected);
    }
}
