package io.portopt.server.console;

import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import io.portopt.server.system.JsonConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ConsoleApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theConsoleFilesNeedNoKeyButNothingElseComesWithThem() throws Exception {
        HttpResponse<String> index = get("/console/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(index.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
        assertThat(index.body()).contains("console.js");
        assertThat(get("/console/console.js", null).headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(get("/console/console.css", null).statusCode()).isEqualTo(200);
        // Anything else under /console/ is not a console file: it needs a key like the API.
        assertThat(get("/console/secret.txt", null).statusCode()).isEqualTo(401);
        assertThat(get("/console/%2e%2e/v1/ports", null).statusCode()).isIn(400, 401);
    }

    @Test
    void thePulseCountsThisServersAnswersAndNeedsAKey() throws Exception {
        assertThat(get("/v1/cluster/pulse", null).statusCode()).isEqualTo(401);
        String key = TestTenants.newKey(jdbc, "console");
        JsonNode before = JsonConfig.strictMapper().readTree(get("/v1/cluster/pulse", key).body());
        assertThat(before.path("serversUp").asInt()).isGreaterThanOrEqualTo(1);
        String body = """
                {"berths":[{"id":"B1"}],"vessels":[{"id":"V1","arrival":"2026-01-01T10:00:00Z","handlingMinutes":60}],
                 "options":{"timeLimitMs":50,"seed":%d}}""".formatted(System.nanoTime());
        HttpResponse<String> solved = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(solved.statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + 10_000_000_000L;
        long answered = before.path("answered").asLong();
        while (System.nanoTime() < deadline && answered <= before.path("answered").asLong()) {
            Thread.sleep(200);
            answered = JsonConfig.strictMapper().readTree(get("/v1/cluster/pulse", key).body()).path("answered").asLong();
        }
        assertThat(answered).isGreaterThan(before.path("answered").asLong());
    }
}
