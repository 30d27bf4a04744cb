package io.portopt.server.hostile;

import io.portopt.server.hostile.RawHttp.Reply;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** The server is still well after hostile input: probes, a real solve, a read-back, the tables. */
final class Health {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Every table of the schema: an injection that dropped or renamed one shows here. */
    private static final List<String> TABLES = List.of("plan", "port", "berth", "berth_closure", "tide_window",
            "request_log", "tenant", "api_key");

    private Health() {
    }

    /** A valid small plan; a new seed each time, so it is solved rather than answered from a cache. */
    static byte[] smallPlan() {
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return ("{\"berths\":[{\"id\":\"B1\",\"lengthM\":350,\"depthM\":16.0},{\"id\":\"B2\",\"lengthM\":250}],"
                + "\"vessels\":[{\"id\":\"V1\",\"arrival\":\"2026-01-01T10:00:00Z\",\"lengthM\":300,\"draftM\":14.5,\"handlingMinutes\":120},"
                + "{\"id\":\"V2\",\"arrival\":\"2026-01-01T11:00:00Z\",\"handlingMinutesByBerth\":{\"B1\":600,\"B2\":700}}],"
                + "\"options\":{\"timeLimitMs\":20,\"seed\":" + seed + "}}").getBytes(StandardCharsets.UTF_8);
    }

    static List<String[]> auth(HostileServer server, String... more) {
        List<String[]> headers = new java.util.ArrayList<>();
        headers.add(new String[]{"Authorization", "Bearer " + server.key});
        for (int i = 0; i + 1 < more.length; i += 2) {
            headers.add(new String[]{more[i], more[i + 1]});
        }
        return headers;
    }

    /** Only the readiness probe: cheap enough to run after every single hostile request. */
    static void ready(HostileServer server, String after) throws Exception {
        Reply r = server.http.exchange(after, "GET", "/health/ready", List.of(), null);
        if (r.status() != 200 || !r.text().contains("UP")) {
            throw new AssertionError("the server is not ready after " + after + ": " + r);
        }
    }

    /** After a batch: probes on both ports, a real solve and its read-back, every table readable. */
    static void assertHealthy(HostileServer server, String after) throws Exception {
        ready(server, after);
        Reply live = server.http.exchange(after, "GET", "/health/live", List.of(), null);
        if (live.status() != 200) {
            throw new AssertionError("not live after " + after + ": " + live);
        }
        Reply management = new RawHttp(server.managementPort).exchange(after, "GET", "/health", List.of(), null);
        if (management.status() != 200 || !management.text().contains("\"UP\"")) {
            throw new AssertionError("actuator health is not UP after " + after + ": " + management);
        }
        Reply plan = server.http.exchange(after, "POST", "/v1/plans", auth(server, "Content-Type", "application/json"), smallPlan());
        JsonNode body = Verdicts.answer("a valid small plan after " + after, plan, Set.of(200));
        if (!body.path("assignments").isArray() || body.path("assignments").isEmpty() || !body.path("id").isString()) {
            throw new AssertionError("a valid small plan after " + after + " has no assignments: " + plan);
        }
        Reply read = server.http.exchange(after, "GET", "/v1/plans/" + body.path("id").asString(), auth(server), null);
        Verdicts.answer("reading the small plan back after " + after, read, Set.of(200));
        Reply list = server.http.exchange(after, "GET", "/v1/ports?limit=5", auth(server), null);
        Verdicts.answer("listing ports after " + after, list, Set.of(200));
        for (String table : TABLES) {
            try {
                server.jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
            } catch (RuntimeException e) {
                throw new AssertionError("table " + table + " is not readable after " + after + ": " + e.getMessage(), e);
            }
        }
    }

    static JsonNode json(byte[] bytes) {
        return JSON.readTree(bytes);
    }
}
