package io.portopt.client;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed Java client for the portopt v1 API. Thread-safe; share one instance. Failures with an HTTP
 * answer throw {@link PortoptException} carrying the status and the problem+json body; transport
 * failures throw {@link IOException}.
 */
public final class PortoptClient {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than the server's largest solve budget plus queueing. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(40);

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final JsonMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public PortoptClient(URI base) {
        this(base, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    public PortoptClient(URI base, Duration connectTimeout, Duration requestTimeout) {
        this.base = Objects.requireNonNull(base, "base");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** {@code POST /v1/plans} with a JSON request body (a String, byte[] or any object Jackson can write). */
    public PlanResponse createPlan(Object request) throws IOException, InterruptedException {
        Response r = send("POST", "/v1/plans", body(request));
        return parse(r, PlanResponse.class).withCacheStatus(r.header("Cache-Status"));
    }

    public PlanResponse getPlan(String id) throws IOException, InterruptedException {
        return parse(send("GET", "/v1/plans/" + id, null), PlanResponse.class);
    }

    public Validation validate(Object request) throws IOException, InterruptedException {
        return parse(send("POST", "/v1/plans:validate", body(request)), Validation.class);
    }

    /** {@code PUT /v1/ports/{code}}; returns the stored port as JSON text. */
    public String putPort(String code, Object port) throws IOException, InterruptedException {
        Response r = send("PUT", "/v1/ports/" + code, body(port));
        check(r);
        return r.text();
    }

    public String getPort(String code) throws IOException, InterruptedException {
        Response r = send("GET", "/v1/ports/" + code, null);
        check(r);
        return r.text();
    }

    /** Sends any request and returns the raw answer, whatever its status. */
    public Response send(String method, String path, byte[] json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.headers().map(), response.body());
    }

    private byte[] body(Object request) {
        if (request instanceof byte[] bytes) {
            return bytes;
        }
        if (request instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return mapper.writeValueAsBytes(request);
    }

    private <T> T parse(Response r, Class<T> type) {
        check(r);
        return mapper.readValue(r.body(), type);
    }

    private static void check(Response r) {
        if (r.status() / 100 != 2) {
            throw new PortoptException(r.status(), r.text(), r.header("Retry-After"));
        }
    }
}
