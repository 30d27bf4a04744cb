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
