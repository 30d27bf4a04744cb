package io.portopt.bench;

import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a Kramer instance as a v1 plan request (one time unit = 60 minutes from 2026-01-01, as the
 * data README says), for benchmarks that need a realistic large request.
 */
public final class KramerRequest {
    static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private KramerRequest() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: KramerRequest INSTANCE_FILE [TIME_LIMIT_MS]");
            System.exit(2);
        }
        long timeLimitMs = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        System.out.println(JsonMapper.builder().build()
                .writeValueAsString(toRequest(KramerReader.read(Path.of(args[0])), timeLimitMs, null)));
    }

    /** The request as JSON-ready maps; {@code seed} may be null (the server's default). */
    public static Map<String, Object> toRequest(Problem p, long timeLimitMs, Long seed) {
        List<Map<String, Object>> berths = new ArrayList<>();
        for (Berth b : p.berths()) {
            Map<String, Object> berth = new LinkedHashMap<>();
            berth.put("id", b.id());
            if (b.opensAt() != Long.MIN_VALUE) {
                berth.put("opensAt", at(b.opensAt()));
            }
            if (b.closesAt() != Long.MAX_VALUE) {
                berth.put("closesAt", at(b.closesAt()));
            }
            berths.add(berth);
        }
        List<Map<String, Object>> vessels = new ArrayList<>();
        for (Vessel v : p.vessels()) {
            Map<String, Long> byBerth = new LinkedHashMap<>();
            v.handlingByBerth().forEach((berth, h) -> byBerth.put(berth, h * 60));
            Map<String, Object> vessel = new LinkedHashMap<>();
            vessel.put("id", v.id());
            vessel.put("arrival", at(v.arrival()));
            if (!byBerth.isEmpty()) {
                vessel.put("handlingMinutesByBerth", byBerth);
            } else {
                vessel.put("handlingMinutes", v.handling() * 60);
            }
            if (v.latestDeparture() != Long.MAX_VALUE) {
                vessel.put("latestDeparture", at(v.latestDeparture()));
            }
            vessels.add(vessel);
        }
        Map<String, Object> options = seed == null ? Map.of("timeLimitMs", timeLimitMs)
                : Map.of("timeLimitMs", timeLimitMs, "seed", seed);
        return Map.of("berths", berths, "vessels", vessels, "options", options);
    }

    private static String at(long hours) {
        return EPOCH.plusSeconds(hours * 3600).toString();
    }
}
