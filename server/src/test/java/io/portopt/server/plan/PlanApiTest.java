package io.portopt.server.plan;

import io.portopt.server.TestTenants;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.client.PortoptException;
import io.portopt.client.Response;
import io.portopt.client.Validation;
import io.portopt.server.KramerRequests;
import io.portopt.server.PlanChecks;
import io.portopt.server.RealServices;
import io.portopt.server.system.JsonConfig;
import io.portopt.solver.model.Problem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public class PlanApiTest {
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    private static final JsonMapper JSON = JsonConfig.strictMapper();

    @LocalServerPort
    int port;

    @Autowired
    RequestMapper requestMapper;

    @Autowired
    io.portopt.server.cache.SharedCache shared;

    PortoptClient client;
    /** A seed unique to this run, so that caches from earlier runs cannot answer our first requests. */
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @BeforeEach
    void connect() {
        client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "plans")).build();
    }

    public static Map<String, Object> smallRequest(long seed) {
        return Map.of(
                "berths", List.of(
                        Map.of("id", "B1", "lengthM", 350, "depthM", 16.0,
                                "opensAt", "2026-01-01T00:00:00Z", "closesAt", "2026-01-26T00:00:00Z",
                                "closures", List.of(Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-02T06:00:00Z"))),
                        Map.of("id", "B2", "lengthM", 250, "depthM", 12.0)),
                "vessels", List.of(
                        Map.of("id", "V1", "arrival", "2026-01-01T10:00:00Z", "lengthM", 300, "draftM", 14.5,
                                "handlingMinutes", 120, "latestDeparture", "2026-01-26T00:00:00Z"),
                        Map.of("id", "V2", "arrival", "2026-01-01T11:00:00Z", "lengthM", 200, "draftM", 10, "weight", 2.0,
                                "handlingMinutesByBerth", Map.of("B1", 600, "B2", 700)),
                        Map.of("id", "V3", "arrival", "2026-01-01T12:00:00Z", "lengthM", 200, "draftM", 11,
                                "handlingMinutes", 300),
                        Map.of("id", "V4", "arrival", "2026-01-01T12:00:00Z", "lengthM", 400, "draftM", 10,
                                "handlingMinutes", 60)),
                "tide", Map.of("draftThresholdM", 13.5, "windows", List.of(
                        Map.of("from", "2026-01-01T04:10:00Z", "to", "2026-01-01T07:10:00Z"),
                        Map.of("from", "2026-01-01T16:10:00Z", "to", "2026-01-01T19:10:00Z"),
                        Map.of("from", "2026-01-02T04:10:00Z", "to", "2026-01-02T07:10:00Z"))),
                "options", Map.of("timeLimitMs", 200, "seed", seed));
    }

    private Problem assertFeasible(Object request, PlanResponse plan) {
        return PlanChecks.assertFeasible(requestMapper, request, plan);
    }

    @Test
    void solvesASmallRequestFeasiblyThenAnswersTheRepeatFromTheCache() throws Exception {
        Map<String, Object> request = smallRequest(seed);
        PlanResponse first = client.createPlan(request);
        assertThat(first.quality().source()).isEqualTo("solved");
        assertThat(first.cacheStatus()).contains("detail=solved");
        assertFeasible(request, first);
        assertThat(first.unassigned()).extracting(PlanResponse.Unassigned::vessel).containsExactly("V4");
        assertThat(first.unassigned().getFirst().reason()).isEqualTo("NO_COMPATIBLE_BERTH");
        assertThat(first.assignments()).hasSize(3);

        PlanResponse again = client.createPlan(request);
        assertThat(again.quality().source()).isEqualTo("cache");
        assertThat(again.cacheStatus()).contains("hit");
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.assignments()).isEqualTo(first.assignments());
        // The cached plan is the same plan: it reports the same proven bound.
        assertThat(again.quality().lowerBound()).isEqualTo(first.quality().lowerBound());
        assertThat(again.quality().gap()).isEqualTo(first.quality().gap());
    }

    @Test
    void aRetriedRequestWithTheSameIdempotencyKeyGetsTheSamePlanAndAReusedKeyIsRejected() throws Exception {
        String key = "retry-" + seed;
        byte[] body = JSON.writeValueAsBytes(smallRequest(seed + 7));
        Response first = client.send("POST", "/v1/plans", body, key);
        Response retry = client.send("POST", "/v1/plans", body, key);
        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.header("Cache-Status")).contains("detail=replay");
        assertThat(JSON.readTree(retry.body()).get("id").asString()).isEqualTo(JSON.readTree(first.body()).get("id").asString());

        Response reused = client.send("POST", "/v1/plans", JSON.writeValueAsBytes(smallRequest(seed + 8)),
                key);
        assertThat(reused.status()).isEqualTo(422);
        assertThat(client.send("POST", "/v1/plans", body, "bad key").status()).isEqualTo(400);
    }

    /** A key's first attempt (the SDK's Portopt-Attempt: 1) skips the look-up but is still recorded. */
    @Test
    void aFirstAttemptIsRecordedSoItsRetriesAreReplayed() throws Exception {
        byte[] body = JSON.writeValueAsBytes(smallRequest(seed + 9));
        HttpClient http = HttpClient.newHttpClient();
        String tenant = "attempts-" + Long.toString(seed, 36);
        String apiKey = TestTenants.keyFor(jdbc, tenant, null);
        java.util.function.BiFunction<String, String, HttpResponse<String>> post = (key, attempt) -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .header("Idempotency-Key", key).header("Portopt-Attempt", attempt)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        // A solve on its first attempt, then its retry: the same plan, replayed.
        HttpResponse<String> solved = post.apply("first-" + seed, "1");
        HttpResponse<String> retry = post.apply("first-" + seed, "2");
        assertThat(solved.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Cache-Status").orElse("")).contains("detail=replay");
        assertThat(JSON.readTree(retry.body()).get("id").asString()).isEqualTo(JSON.readTree(solved.body()).get("id").asString());

        // An exact cache hit on its first attempt: recorded in the background, so a retry replays it.
        HttpResponse<String> hit = post.apply("hit-" + seed, "1");
        assertThat(hit.headers().firstValue("Cache-Status").orElse("")).contains("detail=cache");
        String hitId = JSON.readTree(hit.body()).get("id").asString();
        String recorded = "portopt:idem:" + tenant + "/hit-" + seed;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (shared.get(recorded) == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(shared.get(recorded)).as("the first attempt's answer, recorded in Redis").isNotNull();
        HttpResponse<String> again = post.apply("hit-" + seed, "2");
        assertThat(again.headers().firstValue("Cache-Status").orElse("")).contains("detail=replay");
        assertThat(JSON.readTree(again.body()).get("id").asString()).isEqualTo(hitId);

        // The key reused for another body on a later attempt is still refused.
        HttpResponse<String> reused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .header("Idempotency-Key", "first-" + seed).header("Portopt-Attempt", "2")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(smallRequest(seed + 10)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reused.statusCode()).isEqualTo(422);
    }

    @Test
    void vesselAndBerthOrderDoNotChangeTheCacheKey() throws Exception {
        Map<String, Object> request = new HashMap<>(smallRequest(seed + 1));
        PlanResponse first = client.createPlan(request);
        List<Object> vessels = new ArrayList<>((List<?>) request.get("vessels"));
        List<Object> berths = new ArrayList<>((List<?>) request.get("berths"));
        Collections.reverse(vessels);
        Collections.reverse(berths);
        request.put("vessels", vessels);
        request.put("berths", berths);
        PlanResponse permuted = client.createPlan(request);
        assertThat(permuted.quality().source()).isEqualTo("cache");
        assertThat(permuted.id()).isEqualTo(first.id());
    }

    @Test
    void aPlanIsReadableByIdAndUnknownIdsAre404() throws Exception {
        PlanResponse created = client.createPlan(smallRequest(seed + 2));
        PlanResponse read = client.getPlan(created.id());
        assertThat(read.id()).isEqualTo(created.id());
        assertThat(read.assignments()).isEqualTo(created.assignments());
        PortoptException missing = assertThrows(PortoptException.class,
                () -> client.getPlan("00000000-0000-4000-8000-000000000000"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(assertThrows(PortoptException.class, () -> client.getPlan("not-a-uuid")).status()).isEqualTo(404);
    }

    @Test
    void aTwoHundredVesselInstanceIsFeasibleAndClearlyBetterThanFirstComeFirstServed() throws Exception {
        Problem kramer = KramerRequests.read("f200x15-01");
        Map<String, Object> request = KramerRequests.toRequest(kramer, 1000, seed);
        long t0 = System.nanoTime();
        PlanResponse plan = client.createPlan(request);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertFeasible(request, plan);
        assertThat(plan.assignments()).hasSize(200);
        double fcfsMinutes = KramerRequests.firstComeFirstServed(kramer) * 60;
        assertThat(plan.objective().weightedTurnaroundMinutes()).isLessThan(0.97 * fcfsMinutes);
        // A proven bound in the objective's unit: below the plan and the best known plan (12637 h),
        // and far above the trivial one (every vessel alone, about a third of that).
        double objective = plan.objective().weightedTurnaroundMinutes();
        assertThat(plan.quality().lowerBound()).isLessThanOrEqualTo(objective).isLessThanOrEqualTo(12637 * 60.0)
                .isGreaterThan(0.5 * 12637 * 60);
        assertThat(plan.quality().gap()).isCloseTo((objective - plan.quality().lowerBound()) / objective,
                org.assertj.core.api.Assertions.within(1e-5));
        assertThat(plan.quality().optimal()).isFalse();
        PlanResponse read = client.getPlan(plan.id());
        assertThat(read.quality().lowerBound()).isEqualTo(plan.quality().lowerBound());
        // Not a timing assertion: a plan must come back, not hang, well past its 1 s budget.
        assertThat(millis).isLessThan(30_000);
    }

    @Test
    void validateTellsAValidRequestFromAnInvalidOne() throws Exception {
        Validation ok = client.validate(smallRequest(seed));
        assertThat(ok.valid()).isTrue();
        assertThat(ok.unplaceable()).extracting(Validation.Unplaceable::vessel).containsExactly("V4");

        Map<String, Object> bad = new HashMap<>(smallRequest(seed));
        bad.put("vessels", List.of(Map.of("id", "X", "arrival", "2026-01-01T10:00:00Z")));
        Validation invalid = client.validate(bad);
        assertThat(invalid.valid()).isFalse();
        assertThat(invalid.problems()).extracting(Validation.Problem::field).contains("vessels[0].handlingMinutes");

        Validation syntax = client.validate("{\"vessels\": [");
        assertThat(syntax.valid()).isFalse();
    }

    @Test
    void unknownFieldsAreRejectedWithTheirPath() throws Exception {
        Map<String, Object> request = new HashMap<>(smallRequest(seed));
        request.put("vessels", List.of(Map.of("id", "V1", "arrival", "2026-01-01T10:00:00Z", "handlingMinutes", 60, "colour", "red")));
        Response r = client.send("POST", "/v1/plans", JSON.writeValueAsBytes(request));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.text()).contains("vessels[0].colour");
    }

    @Test
    void limitsAnswer413And422() throws Exception {
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 2001; i++) {
            many.add(Map.of("id", "V" + i, "arrival", "2026-01-01T10:00:00Z", "handlingMinutes", 60));
        }
        Map<String, Object> tooMany = Map.of("berths", List.of(Map.of("id", "B1")), "vessels", many);
        assertThat(client.send("POST", "/v1/plans", JSON.writeValueAsBytes(tooMany)).status()).isEqualTo(413);

        byte[] huge = new byte[11 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        assertThat(client.send("POST", "/v1/plans", huge).status()).isEqualTo(413);

        Map<String, Object> slow = new HashMap<>(smallRequest(seed));
        slow.put("options", Map.of("timeLimitMs", 10_000_000));
        Response r = client.send("POST", "/v1/plans", JSON.writeValueAsBytes(slow));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text()).contains("options.timeLimitMs");
    }

    @Test
    void malformedAndHostileRequestsGet4xxProblemsAndTheServerStaysHealthy() throws Exception {
        List<String> bodies = List.of(
                "", "{", "[]", "null", "42", "\"text\"", "{}", "{\"vessels\": null}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"yesterday\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": -5}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 1e400}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": \"60\"}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"+999999999-12-31T23:59:59Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\"}, {\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\", \"opensAt\": \"2026-02-01T00:00:00Z\", \"closesAt\": \"2026-01-01T00:00:00Z\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutesByBerth\": {\"B9\": 60}}]}",
                "{\"port\": \"'; DROP TABLE plan; --\", \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"port\": \"NOPE\", \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"berths\": [], \"vessels\": []}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]} trailing",
                "[".repeat(5000) + "]".repeat(5000),
                "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                "{\"berths\": [{\"id\": \"" + "x".repeat(100) + "\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V\\u0000\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}]}",
                "{\"berths\": [{\"id\": \"B1\", \"lengthM\": -1}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60, \"weight\": 0}]}",
                "{\"berths\": [{\"id\": \"B1\"}], \"vessels\": [{\"id\": \"V1\", \"arrival\": \"2026-01-01T10:00:00Z\", \"handlingMinutes\": 60}], \"tide\": {\"windows\": [{\"from\": \"2026-01-02T00:00:00Z\", \"to\": \"2026-01-01T00:00:00Z\"}]}}",
                "\u00ff\u00fe garbage");
        for (String body : bodies) {
            Response r = client.send("POST", "/v1/plans", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as("status for %s", abbreviate(body)).isBetween(400, 499);
            assertThat(r.header("Content-Type")).as("type for %s", abbreviate(body)).startsWith("application/problem+json");
            assertThat(r.text()).as("no internals for %s", abbreviate(body)).doesNotContain("Exception", "at io.", "tools.jackson");
        }
        Response wrongType = client.send("POST", "/v1/plans", null);
        assertThat(wrongType.status()).isBetween(400, 499);
        assertThat(client.send("DELETE", "/v1/plans", null).status()).isEqualTo(405);
        assertThat(client.send("GET", "/v1/nothing-here", null).status()).isEqualTo(404);
        assertThat(client.send("GET", "/health/ready", null).status()).isEqualTo(200);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
