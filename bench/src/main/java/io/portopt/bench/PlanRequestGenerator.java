package io.portopt.bench;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds {@code POST /v1/plans} bodies for the load generator: 2-6 inline berths (some with
 * opening hours and closures), 8-40 vessels arriving over the first five days of 2026 (lengths,
 * drafts, weights, some restricted to a subset of berths with per-berth handling times, some with a
 * latest departure), and in half the problems a tide (deep vessels start and sail in 3-hour windows
 * twice a day). The body for {@code (seed, index)} is always the same bytes; different indexes give
 * different problems (arrivals are drawn to the minute, so two indexes coincide with negligible
 * probability).
 */
public final class PlanRequestGenerator {
    static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final long seed;
    private final int minVessels;
    private final int maxVessels;
    private final long timeLimitMs;

    public PlanRequestGenerator(long seed, int minVessels, int maxVessels, long timeLimitMs) {
        if (minVessels < 1 || maxVessels < minVessels) {
            throw new IllegalArgumentException("vessels: need 1 <= min <= max, got " + minVessels + "-" + maxVessels);
        }
        if (timeLimitMs < 1) {
            throw new IllegalArgumentException("timeLimitMs must be positive");
        }
        this.seed = seed;
        this.minVessels = minVessels;
        this.maxVessels = maxVessels;
        this.timeLimitMs = timeLimitMs;
    }

    /** The JSON body of problem {@code index}. */
    public byte[] request(long index) {
        return JSON.writeValueAsBytes(tree(index));
    }

    ObjectNode tree(long index) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        ObjectNode root = JSON.createObjectNode();

        int berthCount = 2 + rnd.nextInt(5);
        List<String> berthIds = new ArrayList<>();
        double[] lengths = new double[berthCount];
        double[] depths = new double[berthCount];
        ArrayNode berths = root.putArray("berths");
        for (int b = 1; b <= berthCount; b++) {
            String id = "B" + b;
            berthIds.add(id);
            ObjectNode berth = berths.addObject();
            berth.put("id", id);
            double length = 200 + 10 * rnd.nextInt(21);
            double depth = 11 + 0.5 * rnd.nextInt(15);
            lengths[b - 1] = length;
            depths[b - 1] = depth;
            berth.put("lengthM", length);
            berth.put("depthM", depth);
            if (rnd.nextInt(2) == 0) {
                berth.put("opensAt", time(0));
                berth.put("closesAt", time(30 * 24 * 60));
            }
            if (rnd.nextInt(10) < 3) {
                long from = rnd.nextLong(6 * 60, 4 * 24 * 60);
                ArrayNode closures = berth.putArray("closures");
                ObjectNode closure = closures.addObject();
                closure.put("from", time(from));
                closure.put("to", time(from + rnd.nextLong(4 * 60, 12 * 60 + 1)));
            }
        }

        int vesselCount = minVessels + rnd.nextInt(maxVessels - minVessels + 1);
        ArrayNode vessels = root.putArray("vessels");
        for (int v = 1; v <= vesselCount; v++) {
            ObjectNode vessel = vessels.addObject();
            vessel.put("id", "V" + v);
            long arrival = rnd.nextLong(0, 5 * 24 * 60);
            vessel.put("arrival", time(arrival));
            // Every vessel fits at least its "home" berth, so unassigned vessels come from congestion,
            // closures, tides and deadlines rather than from impossible dimensions.
            int home = rnd.nextInt(berthCount);
            double length = Math.min(lengths[home], 100 + 10 * rnd.nextInt(29));
            double draft = Math.min(depths[home] - 0.5, 7 + 0.5 * rnd.nextInt(16));
            vessel.put("lengthM", length);
            vessel.put("draftM", draft);
            if (rnd.nextInt(4) == 0) {
                vessel.put("weight", 1.0 + rnd.nextInt(3));
            }
            long handling = rnd.nextLong(6 * 60, 36 * 60 + 1);
            if (rnd.nextInt(10) < 3) {
                // Per-berth handling times on the home berth and on some other berths the vessel fits.
                ObjectNode byBerth = vessel.putObject("handlingMinutesByBerth");
                for (int b = 0; b < berthCount; b++) {
                    boolean fits = length <= lengths[b] && draft <= depths[b];
                    if (b == home || fits && rnd.nextInt(2) == 0) {
                        byBerth.put(berthIds.get(b), Math.round(handling * (0.8 + 0.4 * rnd.nextDouble())));
                    }
                }
            } else {
                vessel.put("handlingMinutes", handling);
            }
            if (rnd.nextInt(5) == 0) {
                vessel.put("latestDeparture", time(arrival + 10 * 24 * 60));
            }
        }

        if (rnd.nextInt(2) == 0) {
            ObjectNode tide = root.putObject("tide");
            tide.put("draftThresholdM", 13.5);
            ArrayNode windows = tide.putArray("windows");
            long first = rnd.nextLong(0, 12 * 60);
            for (long start = first; start < 30 * 24 * 60; start += 12 * 60 + 25) {
                ObjectNode w = windows.addObject();
                w.put("from", time(start));
                w.put("to", time(start + 180));
            }
        }

        ObjectNode options = root.putObject("options");
        options.put("timeLimitMs", timeLimitMs);
        options.put("allowApproximate", true);
        return root;
    }

    private static String time(long minutes) {
        return EPOCH.plus(Duration.ofMinutes(minutes)).toString();
    }

    /** SplitMix64 finaliser over seed and index, so neighbouring indexes get unrelated streams. */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
