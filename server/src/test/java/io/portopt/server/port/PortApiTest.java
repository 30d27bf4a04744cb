package io.portopt.server.port;

import io.portopt.server.TestTenants;
import org.springframework.beans.factory.annotation.Autowired;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.client.PortoptException;
import io.portopt.client.Response;
import io.portopt.server.RealServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class PortApiTest {
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;
    PortoptClient client;
    String code = "T" + Long.toHexString(ThreadLocalRandom.current().nextLong()).toUpperCase();

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @BeforeEach
    void connect() {
        client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "ports")).build();
    }

    private static Map<String, Object> port(int berthLength) {
        return Map.of("name", "Test port",
                "berths", List.of(
                        Map.of("id", "B1", "lengthM", berthLength, "depthM", 15.0,
                                "closures", List.of(Map.of("from", "2026-01-01T20:00:00Z", "to", "2026-01-02T02:00:00Z"))),
                        Map.of("id", "B2", "lengthM", 200, "depthM", 11.0)),
                "tide", Map.of("draftThresholdM", 13.0, "windows", List.of(
                        Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-01-03T00:00:00Z"))));
    }

    private static Map<String, Object> planByReference(String code) {
        return Map.of("port", code,
                "vessels", List.of(Map.of("id", "V1", "arrival", "2026-01-01T10:00:00Z", "lengthM", 280,
                        "draftM", 14.0, "handlingMinutes", 660)),
                "options", Map.of("timeLimitMs", 100));
    }

    @Test
    void aStoredPortCanBePlannedByReferenceAndAChangeInvalidatesTheCache() throws Exception {
        client.putPort(code, port(300));
        String stored = client.getPort(code);
        assertThat(stored).contains("\"B1\"", "\"closures\"", "\"draftThresholdM\":13.0");

        PlanResponse first = client.createPlan(planByReference(code));
        assertThat(first.port()).isEqualTo(code);
        assertThat(first.assignments()).singleElement().satisfies(a -> {
            assertThat(a.berth()).isEqualTo("B1");
            // [10:00, 21:00) would overlap the closure from 20:00, so the call starts when it ends.
            assertThat(a.start().toString()).isEqualTo("2026-01-02T02:00:00Z");
        });

        client.putPort(code, port(250));
        PlanResponse afterChange = client.createPlan(planByReference(code));
        assertThat(afterChange.quality().source()).isEqualTo("solved");
        assertThat(afterChange.assignments()).isEmpty();
        assertThat(afterChange.unassigned()).singleElement()
                .satisfies(u -> assertThat(u.reason()).isEqualTo("NO_COMPATIBLE_BERTH"));
    }

    @Test
    void portsAreListedAndUnknownOnesAre404() throws Exception {
        client.putPort(code, port(300));
        Response list = client.send("GET", "/v1/ports?limit=1000", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.text()).contains(code);
        assertThat(assertThrows(PortoptException.class, () -> client.getPort("NOPE-" + code)).status()).isEqualTo(404);
        assertThat(client.send("GET", "/v1/ports/..%2F..%2Fetc", null).status()).isBetween(400, 404);
    }

    @Test
    void invalidPortDataIsRejectedWithFieldErrors() throws Exception {
        Response r = client.send("PUT", "/v1/ports/" + code,
                "{\"berths\": [{\"id\": \"B1\", \"lengthM\": -3}, {\"id\": \"B1\"}]}".getBytes());
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text()).contains("berths[0].lengthM", "berths[1].id");
        Response mismatch = client.send("PUT", "/v1/ports/" + code, "{\"code\": \"OTHER\", \"berths\": [{\"id\": \"B1\"}]}".getBytes());
        assertThat(mismatch.status()).isEqualTo(422);
    }
}
