package io.portopt.server.plan;

import io.portopt.server.TestTenants;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.server.PlanChecks;
import io.portopt.server.RealServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ladder below "solved", on a server with one solver slot and no queueing: while that slot is
 * busy, a problem similar to one solved before gets the repaired similar plan, any other a heuristic.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "portopt.admission.solver-threads=1",
        "portopt.admission.max-queue-wait=0s"})
@ActiveProfiles("test")
class LadderTest {
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;

    @Autowired
    RequestMapper requestMapper;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    /** Vessels V0..Vn-1 arriving every 2 h from {@code base}; berth-dependent handling. */
    static Map<String, Object> request(String prefix, int vessels, Instant base, long seed, int timeLimitMs) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < vessels; i++) {
            list.add(Map.of("id", prefix + i, "arrival", base.plusSeconds(i * 7200L).toString(),
                    "handlingMinutesByBerth", Map.of("B1", 300 + 30 * (i % 5), "B2", 360 + 20 * (i % 7))));
        }
        return Map.of("berths", List.of(Map.of("id", "B1"), Map.of("id", "B2")), "vessels", list,
                "options", Map.of("timeLimitMs", timeLimitMs, "seed", seed));
    }

    /**
     * A retry after a silent server: the load balancer's answer-by stamp has passed, so the server
     * answers from a cheap rung at once instead of starting a full solve that would answer late.
     */
    @Test
    void aRequestWhoseAnswerIsAlreadyDueGetsAHeuristicPlanAtOnce() throws Exception {
        String key = TestTenants.newKey(jdbc, "deadline");
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String body = new tools.jackson.databind.json.JsonMapper().writeValueAsString(
                request("D", 12, Instant.parse("2026-03-01T00:00:00Z"), seed, 3000));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<Long, java.net.http.HttpResponse<String>> post = stamp -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .header(AnswerDeadline.HEADER, Long.toString(stamp))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        long t0 = System.nanoTime();
        var overdue = post.apply(System.currentTimeMillis() - 500);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(overdue.statusCode()).isEqualTo(200);
        assertThat(overdue.body()).contains("\"source\":\"heuristic\"").contains("too little time left for a full solve");
        assertThat(millis).as("no 3 s solve was started").isLessThan(2500);
        // A stamp later than the request's own deadline is ignored, not obeyed: a full solve.
        var solved = post.apply(System.currentTimeMillis() + 3_600_000);
        assertThat(solved.body()).contains("\"source\":\"solved\"");
    }

    @Test
    void whileTheOnlySlotIsBusyASimilarProblemGetsARepairedPlanAndAnyOtherAHeuristicOne() throws Exception {
        PortoptClient client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "ladder")).build();
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Instant base = Instant.parse("2026-03-01T00:00:00Z");
        PlanResponse original = client.createPlan(request("V", 12, base, seed, 100));
        assertThat(original.quality().source()).isEqualTo("solved");

        // Occupy the only solver slot with a long solve of an unrelated problem.
        CompletableFuture<PlanResponse> blocker = CompletableFuture.supplyAsync(() -> {
            try {
                return client.createPlan(request("X", 30, base, seed, 4000));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1000);

        // Same vessels, every arrival 4 minutes later: similar under the (4-hour) quantum.
        Map<String, Object> shifted = request("V", 12, base.plusSeconds(240), seed, 100);
        PlanResponse approximate = client.createPlan(shifted);
        assertThat(approximate.quality().source()).isEqualTo("approximate");
        assertThat(approximate.quality().degraded()).isTrue();
        assertThat(approximate.quality().basedOn()).isEqualTo(original.id());
        assertThat(approximate.assignments()).hasSize(12);
        PlanChecks.assertFeasible(requestMapper, shifted, approximate);

        Map<String, Object> unrelated = request("Y", 10, base, seed, 100);
        PlanResponse heuristic = client.createPlan(unrelated);
        assertThat(heuristic.quality().source()).isEqualTo("heuristic");
        assertThat(heuristic.quality().reason()).isEqualTo("all solver slots busy");
        PlanChecks.assertFeasible(requestMapper, unrelated, heuristic);

        assertThat(blocker.get().quality().source()).isEqualTo("solved");
        // Degraded plans are stored like any other.
        assertThat(client.getPlan(approximate.id()).id()).isEqualTo(approximate.id());
    }
}
