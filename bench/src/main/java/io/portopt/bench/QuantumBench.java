package io.portopt.bench;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolveResult;
import io.portopt.solver.Similarity;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bench quantum}: how coarse may the approximate rung's similarity be? For each quantum it
 * measures how often a changed request still matches the cached plan of the original (the hit
 * rate), and how good that plan is once re-timed and repaired for the real input, as a ratio to a
 * full solve of the real input — next to the heuristic rung's ratio, which is what an overloaded
 * server answers on a miss. A larger quantum hits more often but admits plans made for problems
 * further away.
 *
 * <p>Two ways a request changes: one vessel's ETA revised by up to ±90 minutes (the usual update a
 * terminal re-sends), and every ETA jittered by a few minutes (a whole schedule refreshed). Problems
 * are generated shapes with times in seconds, as the API's are.
 */
public final class QuantumBench {
    private static final long[] QUANTA_MINUTES = {5, 15, 30, 60, 120, 240, 480, 1440};
    private static final long HOUR = 3600;

    private record Variant(Problem problem, double repairedRatio, double heuristicRatio, boolean[] hits) {
    }

    public static void main(String[] args) {
        int bases = 5;
        int variants = 12;
        long solveMs = 300;
        int vessels = 30;
        int berths = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bases" -> bases = Integer.parseInt(args[++i]);
                case "--variants" -> variants = Integer.parseInt(args[++i]);
                case "--solve-ms" -> solveMs = Long.parseLong(args[++i]);
                case "--vessels" -> vessels = Integer.parseInt(args[++i]);
                case "--berths" -> berths = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench quantum [--bases N] [--variants N] [--solve-ms T] [--vessels V] [--berths B]");
                    System.exit(2);
                }
            }
        }
        SolverOptions full = SolverOptions.timeLimited(Duration.ofMillis(solveMs), 1);
        for (String scenario : List.of("one-eta", "all-etas")) {
            List<Variant> all = new ArrayList<>();
            for (String shape : List.of("kramer-like", "physical")) {
                for (int b = 0; b < bases; b++) {
                    Problem base = inSeconds(InstanceShapes.generate(shape, vessels, berths, 1000 + b, 0));
                    SolveResult cached = BerthPlanner.solve(base, full);
                    SplittableRandom random = new SplittableRandom(b * 7919L + scenario.hashCode());
                    for (int v = 0; v < variants; v++) {
                        Problem changed = scenario.equals("one-eta") ? reviseOneEta(base, random) : jitterEtas(base, random);
                        double solved = BerthPlanner.solve(changed, full).plan().objective();
                        double repaired = BerthPlanner.repair(changed, cached.plan().assignments(),
                                SolverOptions.constructionOnly()).plan().objective();
                        double heuristic = BerthPlanner.solve(changed, SolverOptions.constructionOnly()).plan().objective();
                        boolean[] hits = new boolean[QUANTA_MINUTES.length];
                        for (int q = 0; q < QUANTA_MINUTES.length; q++) {
                            long quantum = QUANTA_MINUTES[q] * 60;
                            hits[q] = Similarity.key(base, quantum).equals(Similarity.key(changed, quantum));
                        }
                        all.add(new Variant(changed, repaired / solved, heuristic / solved, hits));
                    }
                    System.err.printf(Locale.ROOT, "%s %s base %d done%n", scenario, shape, b + 1);
                }
            }
            print(scenario, all);
        }
    }

    private static void print(String scenario, List<Variant> all) {
        double heuristic = all.stream().mapToDouble(Variant::heuristicRatio).average().orElse(Double.NaN);
        double repairedAll = all.stream().mapToDouble(Variant::repairedRatio).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "# scenario %s: %d changed requests; heuristic rung %.4f x full solve; "
                + "repaired cached plan (any distance) %.4f x%n", scenario, all.size(), heuristic, repairedAll);
        System.out.println("scenario\tquantum_min\thit_rate\trepaired_ratio_on_hits\theuristic_ratio_on_hits");
        for (int q = 0; q < QUANTA_MINUTES.length; q++) {
            int qi = q;
            List<Variant> hits = all.stream().filter(v -> v.hits()[qi]).toList();
            System.out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%s\t%s%n", scenario, QUANTA_MINUTES[q],
                    (double) hits.size() / all.size(),
                    hits.isEmpty() ? "-" : String.format(Locale.ROOT, "%.4f", hits.stream().mapToDouble(Variant::repairedRatio).average().orElseThrow()),
                    hits.isEmpty() ? "-" : String.format(Locale.ROOT, "%.4f", hits.stream().mapToDouble(Variant::heuristicRatio).average().orElseThrow()));
        }
    }

    /** One vessel's arrival (and latest departure) moved by up to 90 minutes either way. */
    private static Problem reviseOneEta(Problem p, SplittableRandom r) {
        int which = r.nextInt(p.vessels().size());
        long delta = (r.nextInt(181) - 90) * 60L;
        List<Vessel> vessels = new ArrayList<>(p.vessels());
        vessels.set(which, shifted(vessels.get(which), delta));
        return new Problem(p.berths(), vessels, p.tide());
    }

    /** Every arrival moved by a normal amount, sigma 10 minutes, whole minutes. */
    private static Problem jitterEtas(Problem p, SplittableRandom r) {
        List<Vessel> vessels = new ArrayList<>();
        for (Vessel v : p.vessels()) {
            vessels.add(shifted(v, Math.round(gaussian(r) * 10) * 60));
        }
        return new Problem(p.berths(), vessels, p.tide());
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static Vessel shifted(Vessel v, long delta) {
        long arrival = Math.max(0, v.arrival() + delta);
        long latest = v.latestDeparture() == Long.MAX_VALUE ? Long.MAX_VALUE : v.latestDeparture() + (arrival - v.arrival());
        return new Vessel(v.id(), arrival, v.lengthM(), v.draftM(), v.weight(), v.handling(), v.handlingByBerth(), latest);
    }

    /** The generator's hours as seconds, the API's unit, so quanta mean minutes. */
    static Problem inSeconds(Problem p) {
        List<Berth> berths = p.berths().stream().map(b -> new Berth(b.id(), b.lengthM(), b.depthM(), s(b.opensAt()),
                s(b.closesAt()), b.closures().stream().map(QuantumBench::s).toList())).toList();
        List<Vessel> vessels = p.vessels().stream().map(v -> new Vessel(v.id(), s(v.arrival()), v.lengthM(), v.draftM(),
                v.weight(), v.handling() == null ? null : s(v.handling()),
                v.handlingByBerth().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        java.util.Map.Entry::getKey, e -> s(e.getValue()))), s(v.latestDeparture()))).toList();
        Tide tide = p.tide() == null ? null
                : new Tide(p.tide().draftThresholdM(), p.tide().windows().stream().map(QuantumBench::s).toList());
        return new Problem(berths, vessels, tide);
    }

    private static long s(long hours) {
        return hours == Long.MAX_VALUE || hours == Long.MIN_VALUE ? hours : hours * HOUR;
    }

    private static Interval s(Interval i) {
        return new Interval(s(i.from()), s(i.to()));
    }
}
