package io.portopt.bench;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Problem;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code ./portopt bench replan}: applies realistic changes to a solved 200-250-vessel plan and
 * compares the replan (warm start, stability term, short budget) with a fresh solve of the same
 * changed problem (the same vessels frozen where the plan has them, nobody starting before now,
 * a 1 s budget), side by side per change kind: objective ratio, vessels moved to another berth,
 * mean start shift, and replan latency through the load balancer and on the server.
 *
 * <p>The fresh solve cannot be told "not before now" through the API, so its non-frozen vessels
 * arrive at {@code max(arrival, now)}; both objectives are then computed here from the real
 * arrivals, sum of weight x (end - arrival), so they compare like for like.
 */
public final class ReplanBench {
    static final List<String> KINDS = List.of("eta-1", "eta-5", "cancel-1", "add-1", "closure-6h");

    record Config(URI url, Path instances, int count, List<String> shapes, int generated, int repeats, long replanMs,
                  long freshMs, long baseMs, double nowFraction, long seed, String apiKey) {
    }

    /** One replan next to its fresh solve. */
    record Sample(String kind, double replanObjective, double freshObjective, int replanAssigned, int freshAssigned,
                  int replanMoved, int freshMoved, double replanShift, double freshShift, long lbMicros, long serverMillis,
                  String rung) {
    }

    private ReplanBench() {
    }

    public static void main(String[] args) throws Exception {
        Config c = parse(args);
        PrintStream log = System.err;
        PortoptClient client = PortoptClient.builder(c.url()).apiKey(c.apiKey()).requestTimeout(Duration.ofSeconds(60)).build();
        Map<String, Map<String, Object>> problems = new LinkedHashMap<>();
        if (c.instances() != null) {
            try (Stream<Path> files = Files.list(c.instances())) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().limit(c.count()).toList()) {
                    problems.put(f.getFileName().toString().replace(".txt", ""), KramerRequest.toRequest(KramerReader.read(f), c.baseMs(), null));
                }
            }
        }
        for (String shape : c.shapes()) {
            for (int i = 0; i < c.generated(); i++) {
                Problem p = InstanceShapes.generate(shape, 220, 15, c.seed(), i);
                problems.put(InstanceShapes.name(shape, 220, 15, c.seed(), i), KramerRequest.toRequest(p, c.baseMs(), null));
            }
        }
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems: give --instances DIR and/or --generate SHAPE");
        }
        List<Sample> samples = new ArrayList<>();
        Random random = new Random(c.seed());
        int done = 0;
        for (var entry : problems.entrySet()) {
            Map<String, Object> request = withOptions(entry.getValue(), c.baseMs(), random.nextLong());
            PlanResponse base = client.createPlan(request);
            Instant now = nowOf(base, c.nowFraction());
            for (String kind : KINDS) {
                for (int r = 0; r < c.repeats(); r++) {
                    samples.add(measure(client, c, kind, request, base, now, random));
                }
            }
            done++;
            log.printf(Locale.ROOT, "[%d/%d] %s: %d vessels, base %.0f min, now %s%n", done, problems.size(), entry.getKey(),
                    vessels(request).size(), base.objective().weightedTurnaroundMinutes(), now);
        }
        report(samples, c, System.out);
    }

    private static Sample measure(PortoptClient client, Config c, String kind, Map<String, Object> request, PlanResponse base,
                                  Instant now, Random random) throws IOException, InterruptedException {
        Map<String, PlanResponse.Assignment> baseBy = byVessel(base);
        List<Map<String, Object>> free = new ArrayList<>();
        for (Map<String, Object> v : vessels(request)) {
            PlanResponse.Assignment a = baseBy.get((String) v.get("id"));
            if (a == null || !a.start().isBefore(now)) {
                free.add(v);
            }
        }
        List<PlanResponse.Assignment> frozen = base.assignments().stream().filter(a -> a.start().isBefore(now)).toList();
        List<Map<String, Object>> changes = changes(kind, request, free, frozen, now, random);
        Map<String, Object> replan = Map.of("now", now.toString(), "changes", changes,
                "options", Map.of("timeLimitMs", c.replanMs(), "seed", random.nextLong() & 0xffffff));
        long t0 = System.nanoTime();
        PlanResponse replanned = client.replan(base.id(), replan);
        long lbMicros = (System.nanoTime() - t0) / 1000;

        Map<String, Object> changed = applied(request, changes);
        Map<String, Instant> arrivals = new HashMap<>();
        Map<String, Double> weights = new HashMap<>();
        List<Map<String, Object>> freshVessels = new ArrayList<>();
        for (Map<String, Object> v : vessels(changed)) {
            String id = (String) v.get("id");
            Instant arrival = Instant.parse((String) v.get("arrival"));
            arrivals.put(id, arrival);
            weights.put(id, v.get("weight") == null ? 1.0 : ((Number) v.get("weight")).doubleValue());
            Map<String, Object> f = new LinkedHashMap<>(v);
            PlanResponse.Assignment was = baseBy.get(id);
            if (was != null && was.start().isBefore(now)) {
                f.put("pinned", Map.of("berth", was.berth(), "start", was.start().toString()));
            } else if (arrival.isBefore(now) && (f.get("latestDeparture") == null
                    || Instant.parse((String) f.get("latestDeparture")).isAfter(now))) {
                f.put("arrival", now.toString());
            }
            freshVessels.add(f);
        }
        Map<String, Object> fresh = new LinkedHashMap<>(changed);
        fresh.put("vessels", freshVessels);
        fresh.put("options", Map.of("timeLimitMs", c.freshMs(), "seed", random.nextLong() & 0xffffff));
        PlanResponse freshPlan = client.createPlan(fresh);
        return new Sample(kind, objective(replanned, arrivals, weights), objective(freshPlan, arrivals, weights),
                replanned.assignments().size(), freshPlan.assignments().size(), moved(baseBy, replanned), moved(baseBy, freshPlan),
                meanShift(baseBy, replanned), meanShift(baseBy, freshPlan), lbMicros, replanned.quality().solveMillis(),
                replanned.quality().source());
    }

    /** The changes of one kind, on vessels that have not started by {@code now}. */
    static List<Map<String, Object>> changes(String kind, Map<String, Object> request, List<Map<String, Object>> free,
                                             List<PlanResponse.Assignment> frozen, Instant now, Random random) {
        List<Map<String, Object>> out = new ArrayList<>();
        switch (kind) {
            case "eta-1", "eta-5" -> {
                List<Map<String, Object>> pool = new ArrayList<>(free);
                java.util.Collections.shuffle(pool, random);
                int n = kind.equals("eta-1") ? 1 : 5;
                for (Map<String, Object> v : pool.subList(0, Math.min(n, pool.size()))) {
                    long shiftMinutes = random.nextInt(361) - 180;   // up to 3 h either way
                    Instant arrival = Instant.parse((String) v.get("arrival")).plus(Duration.ofMinutes(shiftMinutes));
                    Object latest = v.get("latestDeparture");
                    if (latest != null && !Instant.parse((String) latest).isAfter(arrival)) {
                        arrival = Instant.parse((String) latest).minus(Duration.ofHours(1));
                    }
                    out.add(Map.of("type", "eta", "vessel", v.get("id"), "arrival", arrival.toString()));
                }
            }
            case "cancel-1" -> out.add(Map.of("type", "cancel", "vessel", free.get(random.nextInt(free.size())).get("id")));
            case "add-1" -> {
                Map<String, Object> like = free.get(random.nextInt(free.size()));
                Map<String, Object> added = new LinkedHashMap<>(like);
                added.put("id", "NEW-" + Long.toHexString(random.nextLong() & 0xffffffL));
                Instant arrival = Instant.parse((String) like.get("arrival")).plus(Duration.ofMinutes(random.nextInt(241) - 120));
                if (arrival.isBefore(now)) {
                    arrival = now;
                }
                if (like.get("latestDeparture") != null) {
                    Duration slack = Duration.between(Instant.parse((String) like.get("arrival")), Instant.parse((String) like.get("latestDeparture")));
                    added.put("latestDeparture", arrival.plus(slack).toString());
                }
                added.put("arrival", arrival.toString());
                out.add(Map.of("type", "add", "vessel", added));
            }
            case "closure-6h" -> {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> berths = (List<Map<String, Object>>) request.get("berths");
                Map<String, Object> berth = berths.get(random.nextInt(berths.size()));
                // A closure a day or two ahead that no frozen vessel overlaps (that would be a pin
                // conflict, a 422: a planner closes a berth around the vessels alongside).
                Instant from = now.plus(Duration.ofHours(24 + random.nextInt(24)));
                for (PlanResponse.Assignment a : frozen) {
                    if (a.berth().equals(berth.get("id")) && a.end().isAfter(from)) {
                        from = a.end();
                    }
                }
                out.add(Map.of("type", "closure", "berth", berth.get("id"), "from", from.toString(),
                        "to", from.plus(Duration.ofHours(6)).toString()));
            }
            default -> throw new IllegalArgumentException("unknown change kind " + kind);
        }
        return out;
    }

    /** The request with the changes applied, as a client would send it afresh. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> applied(Map<String, Object> request, List<Map<String, Object>> changes) {
        Map<String, Map<String, Object>> vessels = new LinkedHashMap<>();
        for (Map<String, Object> v : vessels(request)) {
            vessels.put((String) v.get("id"), new LinkedHashMap<>(v));
        }
        List<Map<String, Object>> berths = new ArrayList<>();
        for (Map<String, Object> b : (List<Map<String, Object>>) request.get("berths")) {
            berths.add(new LinkedHashMap<>(b));
        }
        for (Map<String, Object> c : changes) {
            switch ((String) c.get("type")) {
                case "eta" -> vessels.get((String) c.get("vessel")).put("arrival", c.get("arrival"));
                case "cancel" -> vessels.remove((String) c.get("vessel"));
                case "add" -> {
                    Map<String, Object> v = (Map<String, Object>) c.get("vessel");
                    vessels.put((String) v.get("id"), new LinkedHashMap<>(v));
                }
                case "closure" -> {
                    for (Map<String, Object> b : berths) {
                        if (b.get("id").equals(c.get("berth"))) {
                            List<Object> closures = new ArrayList<>((List<Object>) b.getOrDefault("closures", List.of()));
                            closures.add(Map.of("from", c.get("from"), "to", c.get("to")));
                            b.put("closures", closures);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown change " + c.get("type"));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>(request);
        out.put("vessels", new ArrayList<>(vessels.values()));
        out.put("berths", berths);
        return out;
    }

    /** A start time a given share into the plan: everything that starts before it is frozen. */
    static Instant nowOf(PlanResponse plan, double fraction) {
        List<Instant> starts = plan.assignments().stream().map(PlanResponse.Assignment::start).sorted().toList();
        return starts.get(Math.min(starts.size() - 1, (int) (fraction * starts.size()))).plusSeconds(1);
    }

    private static double objective(PlanResponse plan, Map<String, Instant> arrivals, Map<String, Double> weights) {
        double sum = 0;
        for (PlanResponse.Assignment a : plan.assignments()) {
            sum += weights.get(a.vessel()) * Duration.between(arrivals.get(a.vessel()), a.end()).toSeconds() / 60.0;
        }
        return sum;
    }

    private static int moved(Map<String, PlanResponse.Assignment> base, PlanResponse plan) {
        int n = 0;
        for (PlanResponse.Assignment a : plan.assignments()) {
            PlanResponse.Assignment was = base.get(a.vessel());
            if (was != null && !was.berth().equals(a.berth())) {
                n++;
            }
        }
        return n;
    }

    private static double meanShift(Map<String, PlanResponse.Assignment> base, PlanResponse plan) {
        double sum = 0;
        int n = 0;
        for (PlanResponse.Assignment a : plan.assignments()) {
            PlanResponse.Assignment was = base.get(a.vessel());
            if (was != null) {
                sum += Math.abs(Duration.between(was.start(), a.start()).toSeconds()) / 60.0;
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    static void report(List<Sample> samples, Config c, PrintStream out) {
        out.printf(Locale.ROOT, "# replan (%d ms budget) vs fresh solve (%d ms) of the same changed problem; %d%% of each plan frozen; seed %d%n",
                c.replanMs(), c.freshMs(), Math.round(c.nowFraction() * 100), c.seed());
        out.println("kind\truns\tobjective_ratio_mean\tobjective_ratio_max\tplaced_replan-fresh\tmoved_berth_replan\tmoved_berth_fresh"
                + "\tshift_min_replan\tshift_min_fresh\tlb_p50_ms\tlb_p99_ms\tserver_p50_ms\tserver_p99_ms\trungs");
        Map<String, List<Sample>> byKind = new TreeMap<>();
        samples.forEach(s -> byKind.computeIfAbsent(s.kind(), k -> new ArrayList<>()).add(s));
        for (String kind : KINDS) {
            List<Sample> list = byKind.getOrDefault(kind, List.of());
            if (list.isEmpty()) {
                continue;
            }
            Histogram lb = new Histogram(3);
            Histogram server = new Histogram(3);
            double ratioSum = 0;
            double ratioMax = 0;
            int ratios = 0;
            long placedDiff = 0;
            Map<String, Integer> rungs = new TreeMap<>();
            for (Sample s : list) {
                lb.recordValue(Math.max(1, s.lbMicros()));
                server.recordValue(Math.max(1, s.serverMillis() * 1000));
                placedDiff += s.replanAssigned() - s.freshAssigned();
                if (s.replanAssigned() == s.freshAssigned() && s.freshObjective() > 0) {
                    double ratio = s.replanObjective() / s.freshObjective();
                    ratioSum += ratio;
                    ratioMax = Math.max(ratioMax, ratio);
                    ratios++;
                }
                rungs.merge(s.rung(), 1, Integer::sum);
            }
            out.printf(Locale.ROOT, "%s\t%d\t%.4f\t%.4f\t%+d\t%.1f\t%.1f\t%.0f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%s%n", kind, list.size(),
                    ratios == 0 ? Double.NaN : ratioSum / ratios, ratioMax, placedDiff,
                    list.stream().mapToInt(Sample::replanMoved).average().orElse(0),
                    list.stream().mapToInt(Sample::freshMoved).average().orElse(0),
                    list.stream().mapToDouble(Sample::replanShift).average().orElse(0),
                    list.stream().mapToDouble(Sample::freshShift).average().orElse(0),
                    lb.getValueAtPercentile(50) / 1000.0, lb.getValueAtPercentile(99) / 1000.0,
                    server.getValueAtPercentile(50) / 1000.0, server.getValueAtPercentile(99) / 1000.0, rungs);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> vessels(Map<String, Object> request) {
        return (List<Map<String, Object>>) request.get("vessels");
    }

    private static Map<String, Object> withOptions(Map<String, Object> request, long timeLimitMs, long seed) {
        Map<String, Object> out = new LinkedHashMap<>(request);
        out.put("options", Map.of("timeLimitMs", timeLimitMs, "seed", seed & 0xffffff));
        return out;
    }

    private static Map<String, PlanResponse.Assignment> byVessel(PlanResponse plan) {
        Map<String, PlanResponse.Assignment> out = new HashMap<>();
        plan.assignments().forEach(a -> out.put(a.vessel(), a));
        return out;
    }

    static Config parse(String[] args) {
        URI url = URI.create("http://127.0.0.1:8080");
        Path instances = null;
        int count = 5;
        List<String> shapes = new ArrayList<>();
        int generated = 2;
        int repeats = 4;
        long replanMs = 100;
        long freshMs = 1000;
        long baseMs = 1000;
        double nowFraction = 0.2;
        // A new seed each run by default: the same changes again would be answered from the cache.
        long seed = System.nanoTime() & 0xffffffL;
        String apiKey = System.getenv("PORTOPT_API_KEY");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            i++;
            switch (a) {
                case "--url" -> url = URI.create(v);
                case "--instances" -> instances = Path.of(v);
                case "--count" -> count = Integer.parseInt(v);
                case "--generate" -> shapes.addAll(List.of(v.split(",")));
                case "--generated" -> generated = Integer.parseInt(v);
                case "--repeats" -> repeats = Integer.parseInt(v);
                case "--time-limit-ms" -> replanMs = Long.parseLong(v);
                case "--fresh-ms" -> freshMs = Long.parseLong(v);
                case "--base-ms" -> baseMs = Long.parseLong(v);
                case "--now-fraction" -> nowFraction = Double.parseDouble(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--api-key" -> apiKey = v;
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; options: --url --instances --count --generate --generated --repeats --time-limit-ms --fresh-ms"
                        + " --base-ms --now-fraction --seed --api-key");
            }
        }
        return new Config(url, instances, count, shapes, generated, repeats, replanMs, freshMs, baseMs, nowFraction, seed, apiKey);
    }
}
