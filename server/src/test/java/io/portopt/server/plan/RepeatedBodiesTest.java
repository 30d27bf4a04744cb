package io.portopt.server.plan;

import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import org.junit.jupiter.api.BeforeAll;
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
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte-identical repeats are answered by their body digest without a parse: the answers must be
 * exactly those of the full path (cache hits, Idempotency-Key replays and refusals, per tenant).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class RepeatedBodiesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @Test
    void aRepeatedBodyIsACacheHitOfTheSamePlanAndAnotherTenantSendingTheSameBytesGetsItsOwnSolve() throws Exception {
        String a = TestTenants.newKey(jdbc, "repeat-a");
        String b = TestTenants.newKey(jdbc, "repeat-b");
        byte[] body = body();
        HttpResponse<String> first = post(a, body, null);
        HttpResponse<String> again = post(a, body, null);
        assertThat(first.headers().firstValue("Cache-Status")).hasValue("portopt; fwd=miss; detail=solved");
        assertThat(again.headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=cache");
        assertThat(id(again)).isEqualTo(id(first));

        HttpResponse<String> other = post(b, body, null);
        assertThat(other.headers().firstValue("Cache-Status")).hasValue("portopt; fwd=miss; detail=solved");
        assertThat(id(other)).isNotEqualTo(id(first));
    }

    @Test
    void aKnownBodySentWithAKeyAlreadyUsedForAnotherBodyIsRefusedAndTheKeysOwnBodyIsReplayed() throws Exception {
        String key = TestTenants.newKey(jdbc, "repeat-key");
        byte[] known = body();
        byte[] other = body();
        assertThat(post(key, known, null).statusCode()).isEqualTo(200);
        assertThat(post(key, known, null).headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=cache");

        String idempotencyKey = "repeat-" + ThreadLocalRandom.current().nextLong();
        HttpResponse<String> keyed = post(key, other, idempotencyKey);
        assertThat(keyed.statusCode()).isEqualTo(200);
        HttpResponse<String> misuse = post(key, known, idempotencyKey);
        assertThat(misuse.statusCode()).isEqualTo(422);
        assertThat(misuse.body()).contains("Idempotency-Key");

        HttpResponse<String> replay = post(key, other, idempotencyKey);
        assertThat(replay.headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=replay");
        assertThat(id(replay)).isEqualTo(id(keyed));
    }

    private static byte[] body() {
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return JSON.writeValueAsBytes(LadderTest.request("V", 6, Instant.parse("2026-05-01T00:00:00Z").plusSeconds(seed % 100_000 * 60),
                seed, 50));
    }

    private HttpResponse<String> post(String apiKey, byte[] body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String id(HttpResponse<String> response) {
        return JSON.readTree(response.body()).path("id").asString();
    }
}
