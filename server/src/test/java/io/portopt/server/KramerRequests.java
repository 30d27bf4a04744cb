package io.portopt.server;

import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/** Kramer instances as v1 requests: one time unit = 60 minutes from a fixed epoch (data README). */
public final class KramerRequests {
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private KramerRequests() {
    }

    public static Path dataDir() {
        for (String candidate : List.of("../../shared/data/berth-allocation/kramer2019", "../shared/data/berth-allocation/kramer2019")) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        fail("Kramer instances not found: expected ../shared/data/berth-allocation/kramer2019 beside the repository");
        return null;
    }

    public static Problem read(String name) throws IOException {
        return KramerReader.read(dataDir().resolve(name + ".txt"));
    }

    public static Map<String, Object> toRequest(Problem p, long timeLimitMs, long seed) {
        return io.portopt.bench.KramerRequest.toRequest(p, timeLimitMs, seed);
    }

    /** First come, first served: by arrival, each vessel at the berth where it finishes first. */
    public static double firstComeFirstServed(Problem p) {
        Map<String, Long> free = new LinkedHashMap<>();
        p.berths().forEach(b -> free.put(b.id(), b.opensAt()));
        double total = 0;
        List<Vessel> order = p.vessels().stream().sorted(java.util.Comparator.comparingLong(Vessel::arrival)).toList();
        for (Vessel v : order) {
            long bestEnd = Long.MAX_VALUE;
            String bestBerth = null;
            for (Berth b : p.berths()) {
                long h = v.handlingAt(b.id());
                if (h < 0) {
                    continue;
                }
                long end = Math.max(v.arrival(), free.get(b.id())) + h;
                if (end <= b.closesAt() && end <= v.latestDeparture() && end < bestEnd) {
                    bestEnd = end;
                    bestBerth = b.id();
                }
            }
            if (bestBerth != null) {
                free.put(bestBerth, bestEnd);
                total += bestEnd - v.arrival();
            }
        }
        return total;
    }
}
