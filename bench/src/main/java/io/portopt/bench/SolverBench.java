package io.portopt.bench;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Problem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench solver}: solves each Kramer-format file in a folder on one thread and prints
 * {@code instance objective assigned millis} per instance; then, as {@code #} lines, the ratio to
 * best-known.tsv (when the folder has one), construction objective, time to first plan, steps/s
 * and the best-so-far curve.
 */
public final class SolverBench {
    private SolverBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = null;
        long timeLimitMs = 1000;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--instances" -> dir = Path.of(value(args, ++i, "--instances"));
                case "--time-limit-ms" -> timeLimitMs = Long.parseLong(value(args, ++i, "--time-limit-ms"));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (dir == null || !Files.isDirectory(dir)) {
            usage("--instances DIR is required and must be a directory");
        }
        Map<String, Double> bestKnown = readBestKnown(dir.resolve("best-known.tsv"));
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".txt") || f.toString().endsWith(".dat")).sorted().toList();
        }
        if (files.isEmpty()) {
            usage("no instance files (*.txt, *.dat) in " + dir);
        }
        List<String> notes = new ArrayList<>();
        double ratioSum = 0;
        int ratioCount = 0;
        int infeasible = 0;
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.(txt|dat)$", "");
            Problem problem = KramerReader.read(file);
            System.err.printf("solving %s (%d vessels, %d berths)...%n", name, problem.vessels().size(), problem.berths().size());
            long t0 = System.nanoTime();
            SolveResult result = BerthPlanner.solve(problem, SolverOptions.timeLimited(Duration.ofMillis(timeLimitMs), seed));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            List<String> violations = FeasibilityChecker.violations(problem, result.plan());
            if (!violations.isEmpty()) {
                infeasible++;
                notes.add(String.format("# %s INFEASIBLE: %s", name, violations.subList(0, Math.min(3, violations.size()))));
            }
            double objective = result.plan().objective();
            System.out.printf(Locale.ROOT, "%s\t%s\t%d\t%d%n", name, format(objective), result.plan().assignments().size(), millis);
            System.out.flush();
            var stats = result.stats();
            StringBuilder curve = new StringBuilder();
            for (double[] point : thin(stats.bestSoFar(), 8)) {
                curve.append(String.format(Locale.ROOT, " %.0fms:%s", point[0], format(point[1])));
            }
            String ratio = "";
            Double best = bestKnown.get(name);
            if (best != null) {
                double r = objective / best;
                ratioSum += r;
                ratioCount++;
                ratio = String.format(Locale.ROOT, " ratio %.4f (best known %s)", r, format(best));
            }
            notes.add(String.format(Locale.ROOT, "# %s%s construction %s in %.2f ms, %d steps (%.0f/s), best-so-far%s",
                    name, ratio, format(stats.constructionObjective()), stats.constructionMicros() / 1000.0,
                    stats.steps(), stats.stepsPerSecond(), curve));
        }
        notes.forEach(System.out::println);
        if (ratioCount > 0) {
            System.out.printf(Locale.ROOT, "# mean ratio to best known: %.4f over %d instances%n", ratioSum / ratioCount, ratioCount);
        }
        if (infeasible > 0) {
            System.out.printf("# %d infeasible plans%n", infeasible);
            System.exit(1);
        }
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
        System.err.println("usage: portopt bench solver --instances DIR [--time-limit-ms T] [--seed S]");
        System.exit(2);
    }
}
