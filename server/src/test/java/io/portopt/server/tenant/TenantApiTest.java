package io.portopt.server.tenant;

import io.portopt.client.PortoptClient;
import io.portopt.client.Response;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.portopt.server.plan.PlanApiTest.smallRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** API keys, tenant isolation, rate limits and request ids, against a real server, PostgreSQL and Redis. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class TenantApiTest {
    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    private PortoptClient client(String key) {
        return PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(key).build();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyApiCallNeedsAValidKey() throws Exception {
        String key = TestTenants.newKey(jdbc, "auth");
        for (String path : List.of("/v1/ports", "/v1/plans/00000000-0000-0000-0000-000000000000", "/v1/openapi.json",
                "/%76%31/ports", "/nothing-here")) {
            HttpResponse<String> none = get(path);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        String forged = key.substring(0, key.length() - 4) + "AAAA";
        for (String bad : List.of("Bearer " + forged, "Bearer pok_short", "Basic dXNlcjpwYXNz", "Bearer ", key)) {
            assertThat(get("/v1/ports", "Authorization", bad).statusCode()).as(bad).isEqualTo(401);
        }
        assertThat(get("/v1/ports", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(get("/v1/ports", "Authorization", "bearer " + key).statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedKeyIsRefusedWithinSeconds() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeysCommand keys = new KeysCommand(new TenantRepository(jdbc), RealServices.REDIS_URL,
                new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));
        assertThat(keys.run(List.of("create", "--tenant", "revoke-" + ThreadLocalRandom.current().nextInt(1_000_000)))).isZero();
        String key = out.toString(StandardCharsets.US_ASCII).trim();
        String id = ApiKey.parse(key).orElseThrow().id();
        assertThat(get("/v1/ports", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        assertThat(keys.run(List.of("revoke", id))).isZero();
        long revokedAt = System.nanoTime();
        int status = 200;
        while (status != 401 && System.nanoTime() - revokedAt < 5_000_000_000L) {
            status = get("/v1/ports", "Authorization", "Bearer " + key).statusCode();
            Thread.sleep(50);
        }
        assertThat(status).as("status within 5 s of the revocation").isEqualTo(401);
        assertThat(keys.run(List.of("revoke", id))).as("revoking twice").isEqualTo(1);
    }

    @Test
    void tenantsSeeOnlyTheirOwnPlansAndPorts() throws Exception {
        PortoptClient a = client(TestTenants.newKey(jdbc, "alpha"));
        PortoptClient b = client(TestTenants.newKey(jdbc, "beta"));
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Map<String, Object> request = smallRequest(seed);

        var planOfA = a.createPlan(request);
        assertThat(a.getPlan(planOfA.id()).id()).isEqualTo(planOfA.id());
        Response readByB = b.send("GET", "/v1/plans/" + planOfA.id(), null);
        assertThat(readByB.status()).isEqualTo(404);
        Response missing = b.send("GET", "/v1/plans/" + java.util.UUID.randomUUID(), null);
        assertThat(readByB.text().replace(planOfA.id(), "ID"))
                .as("another tenant's plan answers exactly like a plan that does not exist")
                .isEqualTo(missing.text().replaceAll("[0-9a-f-]{36}", "ID"));

        // The same problem from B is B's own solve, not A's cached plan.
        var planOfB = b.createPlan(request);
        assertThat(planOfB.id()).isNotEqualTo(planOfA.id());
        assertThat(planOfB.quality().source()).isNotEqualTo("cache");
        assertThat(a.createPlan(request).quality().source()).isEqualTo("cache");

        // Idempotency keys are per tenant too: B reusing A's key is a fresh request for B.
        String idem = "idem-" + seed;
        var first = a.createPlan(smallRequest(seed + 1), idem);
        var again = b.createPlan(smallRequest(seed + 2), idem);
        assertThat(again.id()).isNotEqualTo(first.id());

        String code = "ISO" + Math.abs(seed % 100000);
        Map<String, Object> portOfA = Map.of("berths", List.of(Map.of("id", "Q1", "lengthM", 300)));
        assertThat(a.send("PUT", "/v1/ports/" + code, PortoptClientJson.bytes(portOfA)).status()).isEqualTo(201);
        assertThat(b.send("GET", "/v1/ports/" + code, null).status()).isEqualTo(404);
        assertThat(b.send("GET", "/v1/ports", null).text()).doesNotContain(code);
        Map<String, Object> byPort = Map.of("port", code, "vessels", List.of(
                Map.of("id", "V1", "arrival", "2026-01-01T10:00:00Z", "handlingMinutes", 60)));
        assertThat(b.send("POST", "/v1/plans", PortoptClientJson.bytes(byPort)).status()).isEqualTo(422);
        assertThat(a.send("POST", "/v1/plans", PortoptClientJson.bytes(byPort)).status()).isEqualTo(200);
    }

    @Test
    void aTenantOverItsRateGets429WhileAnotherIsServed() throws Exception {
        PortoptClient limited = PortoptClient.builder(URI.create("http://127.0.0.1:" + port))
                .apiKey(TestTenants.newKey(jdbc, "slow", 2.0)).retryPolicy(io.portopt.client.RetryPolicy.none()).build();
        PortoptClient other = client(TestTenants.newKey(jdbc, "other"));
        List<Response> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(limited.send("GET", "/v1/ports", null));
        }
        List<Response> refused = answers.stream().filter(r -> r.status() == 429).toList();
        assertThat(answers.stream().filter(r -> r.status() == 200).count()).isBetween(1L, 3L);
        assertThat(refused).hasSizeGreaterThanOrEqualTo(7);
        Response r = refused.get(0);
        assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(r.header("RateLimit-Policy")).isEqualTo("\"tenant\";q=2;w=1");
        assertThat(r.header("RateLimit")).matches("\"tenant\";r=0;t=[0-9]+");
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answers.get(0).header("RateLimit")).matches("\"tenant\";r=1;t=[0-9]+");

        assertThat(other.send("GET", "/v1/ports", null).status()).isEqualTo(200);
        assertThat(other.send("GET", "/v1/ports", null).header("RateLimit")).as("unlimited tenant").isNull();
        Thread.sleep(1100);
        assertThat(limited.send("GET", "/v1/ports", null).status()).as("after the refill").isEqualTo(200);
    }

    @Test
    void requestIdsGoInAndOutAndKeysNeverReachTheLogs(CapturedOutput output) throws Exception {
        String key = TestTenants.newKey(jdbc, "logs");
        String requestId = "trace-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".a";
        HttpResponse<String> traced = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans:validate"))
                .headers("Authorization", "Bearer " + key, "X-Request-Id", requestId, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(PortoptClientJson.bytes(smallRequest(1)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(traced.statusCode()).isEqualTo(200);
        assertThat(traced.headers().firstValue("X-Request-Id")).hasValue(requestId);
        HttpResponse<String> read = get("/v1/ports", "Authorization", "Bearer " + key, "X-Request-Id", requestId + "-read");
        assertThat(read.headers().firstValue("X-Request-Id")).hasValue(requestId + "-read");
        HttpResponse<String> hostile = get("/v1/ports", "Authorization", "Bearer " + key, "X-Request-Id", "<script>\"x\"");
        assertThat(hostile.headers().firstValue("X-Request-Id")).hasValueSatisfying(v -> assertThat(v).matches("[0-9a-f-]{36}"));
        assertThat(get("/v1/ports").headers().firstValue("X-Request-Id")).isPresent();
        get("/v1/ports", "Authorization", "Bearer " + key.substring(0, key.length() - 1) + "x");

        long deadline = System.nanoTime() + 5_000_000_000L;
        String sql = "SELECT tenant_id FROM request_log WHERE request_id = ?";
        while (jdbc.sql(sql).param(requestId).query(String.class).optional().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(jdbc.sql(sql).param(requestId).query(String.class).single()).as("request_log row").startsWith("logs-");
        String accessLine = output.getAll().lines().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
        assertThat(accessLine).startsWith("{").contains("\"request_id\":\"" + requestId + "\"").contains("\"status\":200")
                .contains("\"tenant\":\"logs-");
        while (!output.getAll().contains(requestId + "-read") && System.nanoTime() < deadline + 5_000_000_000L) {
            Thread.sleep(50);
        }
        assertThat(output.getAll()).as("successful reads are in the access log").contains("\"request_id\":\"" + requestId + "-read\"");
        assertThat(jdbc.sql(sql).param(requestId + "-read").query(String.class).optional())
                .as("but not in the database's request_log").isEmpty();
        String secret = ApiKey.parse(key).orElseThrow().secret();
        assertThat(output.getAll()).doesNotContain(secret);
    }
}
