package io.portopt.server.tenant;

import io.portopt.client.PortoptClient;
import io.portopt.client.Response;
import io.portopt.client.RetryPolicy;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.portopt.server.plan.PlanApiTest.smallRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One solver slot, one tenant flooding it with distinct problems: another tenant's requests are
 * still solved, not pushed down the ladder, while the flood is the one that degrades.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"portopt.admission.solver-threads=1", "portopt.admission.max-queue-wait=1s"})
@ActiveProfiles("test")
class FairShareTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    private PortoptClient client(String key) {
        return PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(key).retryPolicy(RetryPolicy.none()).build();
    }

    private static byte[] distinct(int timeLimitMs) {
        Map<String, Object> request = new java.util.HashMap<>(smallRequest(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)));
        request.put("options", Map.of("timeLimitMs", timeLimitMs, "seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)));
        return JSON.writeValueAsBytes(request);
    }

    private static String source(Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode plan = JSON.readTree(r.text());
        return plan.get("quality").get("source").asString();
    }

    @Test
    void aFloodingTenantCannotPushAnotherTenantDownTheLadder() throws Exception {
        PortoptClient flood = client(TestTenants.newKey(jdbc, "flood"));
        PortoptClient quiet = client(TestTenants.newKey(jdbc, "quiet"));
        ConcurrentMap<String, AtomicInteger> floodSources = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> flooders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            flooders.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        Response r = flood.send("POST", "/v1/plans", distinct(400));
                        String label = r.status() == 200 ? source(r) : "status " + r.status();
                        floodSources.computeIfAbsent(label, k -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception e) {
                        floodSources.computeIfAbsent("error", k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }));
        }
        try {
            Thread.sleep(1500);
            List<String> quietSources = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                quietSources.add(source(quiet.send("POST", "/v1/plans", distinct(400))));
            }
            assertThat(quietSources).as("the quiet tenant's plans, with the flood at %s", floodSources)
                    .containsOnly("solved");
        } finally {
            stop.set(true);
            for (Thread t : flooders) {
                t.join();
            }
        }
        assertThat(floodSources).as("the flood saturates the slot and degrades").containsKey("heuristic")
                .doesNotContainKey("error");
    }
}
