package io.portopt.bench;

import io.portopt.bench.timefold.TimefoldEngine;
import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench solver}: solves each instance on one thread and prints {@code instance objective
 * assigned millis} per instance (and seed); then, as {@code #} lines, the ratio to best-known.tsv
 * (when the folder has one), construction objective, time to first plan, steps/s and the
 * best-so-far curve. Instances come from a folder of Kramer-format files or from
 * {@link InstanceShapes} ({@code --generate}). {@code --reference-ms} also solves every instance
 * with a longer budget (same engine, same seed) and prints the ratio to it; {@code --engine a,b}
 * runs several engines side by side, and {@code --time-limit-ms 100,1000,10000} each of them at
 * every limit (a Markdown table of the variants at the end). Portopt's plans also report the gap to
 * their proven lower bound. Every plan is checked by
 * {@link FeasibilityChecker}; the exit status is 1 when one fails.
 */
public final class SolverBench {
    /** JIT warm-up before measuring; see {@link #warmUp}. */
    static final long DEFAULT_WARMUP_MS = 5000;

    private SolverBench() {
    }

    record Instance(String name, Problem problem, Double bestKnown) {
    }

    /** One engine's run: the plan, the portopt solver's statistics (null for other engines), wall-clock millis. */
    public record Run(Plan plan, SolveResult portopt, long millis) {
    }

    /** A solver to benchmark: portopt's own, or the Timefold model kept for comparison. */
    public interface Engine {
        String name();

        Run solve(Problem problem, long timeLimitMs, long seed);
    }

    /**
     * Portopt's solver. {@code portopt} lends the solve this machine's second core for its lower
     * bound, as a server does when a core is idle (the bench solves one instance at a time);
     * {@code portopt-1core} does not, as on a busy server: the bound then takes a share of the limit.
     */
    static final class PortoptEngine implements Engine {
        private final boolean helped;
        private final java.util.concurrent.ExecutorService helperThread;

        PortoptEngine(boolean helped) {
            this.helped = helped;
            this.helperThread = helped
                    ? java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().name("bound").daemon().factory())
                    : null;
        }

        @Override
        public String name() {
            return helped ? "portopt" : "portopt-1core";
        }

        @Override
        public Run solve(Problem problem, long timeLimitMs, long seed) {
            SolverOptions options = SolverOptions.timeLimited(Duration.ofMillis(timeLimitMs), seed);
            if (helped) {
                options = options.withHelper(new SolverOptions.Helper() {
                    @Override
                    public boolean offer(Runnable task) {
                        helperThread.execute(task);
                        return true;
                    }

                    @Override
                    public boolean wanted() {
                        return false;
                    }
                });
            }
            long t0 = System.nanoTime();
            SolveResult result = BerthPlanner.solve(problem, options);
            return new Run(result.plan(), result, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    static Engine engine(String name) {
        return switch (name) {
            case "portopt" -> new PortoptEngine(true);
            case "portopt-1core" -> new PortoptEngine(false);
            case "timefold" -> new TimefoldEngine();
            default -> {
                usage("unknown engine '" + name + "', expected portopt, portopt-1core or timefold");
                yield null;
            }
        };
    }

    public static void main(String[] args) throws IOException {
        // Timefold logs through SLF4J, which has no provider here: keep its start-up notice quiet.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Path dir = null;
        String shape = null;
        int count = 10;
        int vesselCount = 200;
        int berthCount = 15;
        long[] timeLimits = {1000};
        long seed = 1;
        long[] seeds = null;
        long referenceMs = 0;
        long warmupMs = DEFAULT_WARMUP_MS;
        List<String> engineNames = List.of("portopt");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--instances" -> dir = Path.of(value(args, ++i, "--instances"));
                case "--generate" -> shape = value(args, ++i, "--generate");
                case "--count" -> count = Integer.parseInt(value(args, ++i, "--count"));
                case "--vessels" -> vesselCount = Integer.parseInt(value(args, ++i, "--vessels"));
                case "--berths" -> berthCount = Integer.parseInt(value(args, ++i, "--berths"));
                case "--time-limit-ms" -> timeLimits = Arrays.stream(value(args, ++i, "--time-limit-ms").split(","))
                        .mapToLong(s -> Long.parseLong(s.trim())).toArray();
                case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
                case "--seeds" -> seeds = Arrays.stream(value(args, ++i, "--seeds").split(","))
                        .mapToLong(s -> Long.parseLong(s.trim())).toArray();
                case "--reference-ms" -> referenceMs = Long.parseLong(value(args, ++i, "--reference-ms"));
                case "--warmup-ms" -> warmupMs = Long.parseLong(value(args, ++i, "--warmup-ms"));
                case "--engine" -> engineNames = List.of(value(args, ++i, "--engine").split(","));
                default -> usage("unknown argument " + args[i]);
            }
        }
        if ((dir == null) == (shape == null)) {
            usage("give either --instances DIR or --generate SHAPE");
        }
        if (shape != null && !InstanceShapes.SHAPES.contains(shape)) {
            usage("unknown shape '" + shape + "', expected one of " + InstanceShapes.SHAPES);
        }
        if (seeds == null) {
            seeds = new long[] {seed};
        }
        List<Engine> engines = engineNames.stream().map(String::trim).map(SolverBench::engine).toList();
        List<Instance> instances = shape != null
                ? generated(shape, count, vesselCount, berthCount, seed)
                : fromFolder(dir);
        if (warmupMs > 0) {
            for (Engine e : engines) {
                warmUp(e, warmupMs);
            }
        }

        // Every engine at every time limit: one variant each, side by side on every instance.
        List<Variant> variants = new ArrayList<>();
        for (long limit : timeLimits) {
            for (Engine e : engines) {
                String name = e.name() + (timeLimits.length > 1 ? " " + limit + " ms" : "");
                variants.add(new Variant(name, e, limit));
            }
        }
        boolean several = variants.size() > 1;
        boolean multiSeed = seeds.length > 1;
        List<String> notes = new ArrayList<>();
        Map<String, double[]> ratioToBest = new LinkedHashMap<>(); // variant -> {sum, count}
        Map<String, double[]> ratioToReference = new LinkedHashMap<>(); // variant -> {sum, count, fewer, more}
        Map<String, double[]> ratioToPrimary = new LinkedHashMap<>(); // variant -> {sum, count, fewer, more}
        Map<String, int[]> unplaced = new LinkedHashMap<>(); // variant -> runs that leave vessels out
        Map<String, List<Double>> gaps = new LinkedHashMap<>(); // variant -> gap per run
        Map<String, int[]> optimal = new LinkedHashMap<>(); // variant -> runs proven optimal
        Map<String, long[]> millis = new LinkedHashMap<>(); // variant -> {sum, count}
        Map<Long, double[]> bestBySeed = new LinkedHashMap<>();
        for (Variant v : variants) {
            unplaced.put(v.name(), new int[1]);
            millis.put(v.name(), new long[2]);
        }
        int infeasible = 0;
        for (Instance instance : instances) {
            Problem problem = instance.problem();
            for (long s : seeds) {
                System.err.printf("solving %s seed %d (%d vessels, %d berths)...%n", instance.name(), s,
                        problem.vessels().size(), problem.berths().size());
                StringBuilder line = new StringBuilder(instance.name());
                Run primary = null;
                for (Variant variant : variants) {
                    Engine engine = variant.engine();
                    String tag = several ? variant.name() + " " : "";
                    Run run = engine.solve(problem, variant.limitMs(), s);
                    infeasible += check(problem, run.plan(), instance.name() + " " + tag + "seed " + s, notes);
                    double objective = run.plan().objective();
                    int assigned = run.plan().assignments().size();
                    line.append(String.format(Locale.ROOT, "\t%s\t%d\t%d", format(objective), assigned, run.millis()));
                    if (assigned < problem.vessels().size()) {
                        unplaced.get(variant.name())[0]++;
                    }
                    millis.get(variant.name())[0] += run.millis();
                    millis.get(variant.name())[1]++;
                    StringBuilder note = new StringBuilder("# " + instance.name() + (multiSeed ? " seed " + s : "")
                            + (several ? " " + variant.name() : ""));
                    if (instance.bestKnown() != null && assigned < problem.vessels().size()) {
                        // The best known places every vessel: a plan placing fewer is not comparable.
                        note.append(String.format(Locale.ROOT, " no ratio: %d of %d placed", assigned, problem.vessels().size()));
                    } else if (instance.bestKnown() != null) {
                        double r = objective / instance.bestKnown();
                        add(ratioToBest, variant.name(), r);
                        if (variant == variants.getFirst()) {
                            bestBySeed.computeIfAbsent(s, k -> new double[2]);
                            bestBySeed.get(s)[0] += r;
                            bestBySeed.get(s)[1]++;
                        }
                        note.append(String.format(Locale.ROOT, " ratio %.4f (best known %s)", r, format(instance.bestKnown())));
                    }
                    if (primary == null) {
                        primary = run;
                    } else {
                        note.append(compare(ratioToPrimary, variant.name(), run.plan(), primary.plan(), variants.getFirst().name()));
                    }
                    if (referenceMs > 0) {
                        Run reference = engine.solve(problem, referenceMs, s);
                        infeasible += check(problem, reference.plan(), instance.name() + " " + tag + "reference seed " + s, notes);
                        note.append(compare(ratioToReference, variant.name(), run.plan(), reference.plan(), referenceMs + " ms"));
                        line.append(String.format(Locale.ROOT, "\t%s\t%d", format(reference.plan().objective()),
                                reference.plan().assignments().size()));
                    }
                    if (run.portopt() != null) {
                        var stats = run.portopt().stats();
                        StringBuilder curve = new StringBuilder();
                        for (double[] point : thin(stats.bestSoFar(), 8)) {
                            curve.append(String.format(Locale.ROOT, " %.0fms:%s", point[0], format(point[1])));
                        }
                        note.append(String.format(Locale.ROOT, " construction %s in %.2f ms, %d steps (%.0f/s), best-so-far%s",
                                format(stats.constructionObjective()), stats.constructionMicros() / 1000.0,
                                stats.steps(), stats.stepsPerSecond(), curve));
                        var bound = run.portopt().bound();
                        if (bound != null) {
                            gaps.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(bound.gap());
                            optimal.computeIfAbsent(variant.name(), k -> new int[1])[0] += bound.optimal() ? 1 : 0;
                            note.append(String.format(Locale.ROOT, "; lower bound %s, gap %.2f %%%s (%d iterations in %d ms, %d-unit buckets)",
                                    format(Math.floor(bound.lowerBound() * 100) / 100), 100 * bound.gap(), bound.optimal() ? ", optimal" : "",
                                    bound.iterations(), bound.millis(), bound.bucketWidth()));
                        }
                    }
                    notes.add(note.toString());
                }
                if (multiSeed) {
                    line.append('\t').append(s);
                }
                System.out.println(line);
                System.out.flush();
            }
        }
        notes.forEach(System.out::println);
        StringBuilder columns = new StringBuilder("# columns: instance");
        for (Variant v : variants) {
            String p = several ? v.name().replace(' ', '_') + "_" : "";
            columns.append(" ").append(p).append("objective ").append(p).append("assigned ").append(p).append("millis");
            if (referenceMs > 0) {
                columns.append(" ").append(p).append("reference_objective ").append(p).append("reference_assigned");
            }
        }
        if (multiSeed) {
            columns.append(" seed");
        }
        System.out.println(columns);
        if (warmupMs > 0) {
            System.out.printf("# JIT warm-up: %d ms of unmeasured solves of generated problems first (--warmup-ms 0 skips it)%n", warmupMs);
        }
        for (var e : ratioToBest.entrySet()) {
            System.out.printf(Locale.ROOT, "# mean ratio to best known%s: %.4f over %d %s%n",
                    several ? " (" + e.getKey() + ")" : "", e.getValue()[0] / e.getValue()[1],
                    (long) e.getValue()[1], multiSeed ? "runs" : "instances");
        }
        if (multiSeed && bestBySeed.size() > 1) {
            for (var e : bestBySeed.entrySet()) {
                System.out.printf(Locale.ROOT, "#   seed %d: %.4f%n", e.getKey(), e.getValue()[0] / e.getValue()[1]);
            }
        }
        for (var e : gaps.entrySet()) {
            System.out.printf(Locale.ROOT, "# gap to portopt's lower bound%s: mean %.2f %%, worst %.2f %%, %d of %d proven optimal%n",
                    several ? " (" + e.getKey() + ")" : "",
                    100 * e.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(0),
                    100 * e.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    optimal.get(e.getKey())[0], e.getValue().size());
        }
        summarize(ratioToReference, "mean ratio to the " + referenceMs + " ms run", several);
        summarize(ratioToPrimary, "mean ratio to " + variants.getFirst().name(), true);
        for (var e : unplaced.entrySet()) {
            if (e.getValue()[0] > 0) {
                System.out.printf("# %s left vessels out in %d of %d runs%n", e.getKey(), e.getValue()[0],
                        instances.size() * seeds.length);
            }
        }
        if (several) {
            // The side-by-side table, as it goes into the README.
            System.out.println("#");
            System.out.println("# | engine | limit | mean ratio to best known (runs placing every vessel) | mean gap to our bound | worst gap | runs placing every vessel | mean ms |");
            System.out.println("# |---|---|---|---|---|---|---|");
            int runs = instances.size() * seeds.length;
            for (Variant v : variants) {
                double[] r = ratioToBest.get(v.name());
                List<Double> g = gaps.get(v.name());
                long[] ms = millis.get(v.name());
                System.out.printf(Locale.ROOT, "# | %s | %d ms | %s | %s | %s | %d of %d | %d |%n", v.engine().name(), v.limitMs(),
                        r == null ? "-" : String.format(Locale.ROOT, "%.4f", r[0] / r[1]),
                        g == null ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * g.stream().mapToDouble(Double::doubleValue).average().orElse(0)),
                        g == null ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * g.stream().mapToDouble(Double::doubleValue).max().orElse(0)),
                        runs - unplaced.get(v.name())[0], runs, ms[1] == 0 ? 0 : ms[0] / ms[1]);
            }
        }
        if (infeasible > 0) {
            System.out.printf("# %d infeasible plans%n", infeasible);
            System.exit(1);
        }
    }

    /** One engine at one time limit. */
    record Variant(String name, Engine engine, long limitMs) {
    }

    /**
     * Lets the JIT compile the engine before anything is measured, as it is in a running server:
     * 100 ms solves of generated problems of every shape (other seeds than any measured ones)
     * until the time is up. Nothing of it is reported.
     */
    static void warmUp(Engine engine, long warmupMs) {
        System.err.printf("warming up %s for %d ms (not measured)...%n", engine.name(), warmupMs);
        long end = System.nanoTime() + warmupMs * 1_000_000;
        for (int i = 0; System.nanoTime() < end; i++) {
            String shape = InstanceShapes.SHAPES.get(i % InstanceShapes.SHAPES.size());
            Problem problem = InstanceShapes.generate(shape, 150 + 50 * (i % 3), 10 + 5 * (i % 3), -1 - i, 0);
            long left = (end - System.nanoTime()) / 1_000_000;
            engine.solve(problem, Math.max(1, Math.min(100, left)), i);
        }
    }

    private static int check(Problem problem, Plan plan, String what, List<String> notes) {
        List<String> violations = FeasibilityChecker.violations(problem, plan);
        if (violations.isEmpty()) {
            return 0;
        }
        notes.add(String.format("# %s INFEASIBLE: %s", what, violations.subList(0, Math.min(3, violations.size()))));
        return 1;
    }

    /**
     * Ratio of a plan's objective to another's, counted only when both place the same number of
     * vessels (placing more vessels is better whatever the objective).
     */
    private static String compare(Map<String, double[]> sums, String engine, Plan plan, Plan other, String otherName) {
        double[] acc = sums.computeIfAbsent(engine, k -> new double[4]);
        int a = plan.assignments().size();
        int b = other.assignments().size();
        if (a != b) {
            acc[a < b ? 2 : 3]++;
            return String.format(Locale.ROOT, " vs %s: %d assigned there, %d here", otherName, b, a);
        }
        double r = other.objective() == 0 ? (plan.objective() == 0 ? 1 : Double.POSITIVE_INFINITY) : plan.objective() / other.objective();
        acc[0] += r;
        acc[1]++;
        return String.format(Locale.ROOT, " ratio to %s %.4f (%s)", otherName, r, format(other.objective()));
    }

    private static void summarize(Map<String, double[]> sums, String label, boolean perEngine) {
        for (var e : sums.entrySet()) {
            double[] acc = e.getValue();
            String who = perEngine ? " (" + e.getKey() + ")" : "";
            if (acc[1] > 0) {
                System.out.printf(Locale.ROOT, "# %s%s: %.4f over %d runs with the same number placed%n",
                        label, who, acc[0] / acc[1], (long) acc[1]);
            }
            if (acc[2] + acc[3] > 0) {
                System.out.printf(Locale.ROOT, "# %s%s: fewer placed in %d runs, more in %d%n",
                        label, who, (long) acc[2], (long) acc[3]);
            }
        }
    }

    private static void add(Map<String, double[]> sums, String key, double r) {
        double[] acc = sums.computeIfAbsent(key, k -> new double[2]);
        acc[0] += r;
        acc[1]++;
    }

    private static List<Instance> generated(String shape, int count, int vessels, int berths, long seed) {
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new Instance(InstanceShapes.name(shape, vessels, berths, seed, i),
                    InstanceShapes.generate(shape, vessels, berths, seed, i), null));
        }
        return out;
    }

    private static List<Instance> fromFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            usage("--instances DIR must be a directory");
        }
        Map<String, Double> bestKnown = readBestKnown(dir.resolve("best-known.tsv"));
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".txt") || f.toString().endsWith(".dat")).sorted().toList();
        }
        if (files.isEmpty()) {
            usage("no instance files (*.txt, *.dat) in " + dir);
        }
        List<Instance> out = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.(txt|dat)$", "");
            out.add(new Instance(name, KramerReader.read(file), bestKnown.get(name)));
        }
        return out;
    }

    private static List<double[]> thin(List<double[]> points, int max) {
        if (points.size() <= max) {
            return points;
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            out.add(points.get((int) Math.round(i * (points.size() - 1) / (double) (max - 1))));
        }
        return out;
    }

    private static String format(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.format(Locale.ROOT, "%.2f", x);
    }

    private static Map<String, Double> readBestKnown(Path file) throws IOException {
        Map<String, Double> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f.length >= 2 && !f[0].equals("instance")) {
                try {
                    out.put(f[0], Double.parseDouble(f[1]));
                } catch (NumberFormatException ignored) {
                    // header or comment line
                }
            }
        }
        return out;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage(String message) {
        System.err.println("bench solver: " + message);
        System.err.println("usage: portopt bench solver (--instances DIR | --generate SHAPE [--count N] [--vessels V] [--berths B])");
        System.err.println("         [--time-limit-ms T[,T2,..]] [--seed S] [--seeds S1,S2,..] [--reference-ms R] [--warmup-ms W]");
        System.err.println("         [--engine portopt|portopt-1core|timefold|portopt,timefold]");
        System.err.println("  shapes: " + String.join(", ", InstanceShapes.SHAPES));
        System.exit(2);
    }
}
