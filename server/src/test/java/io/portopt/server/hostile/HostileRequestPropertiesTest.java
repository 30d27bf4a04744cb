package io.portopt.server.hostile;

import io.portopt.server.hostile.RawHttp.Reply;
import io.portopt.server.hostile.RequestGenerator.Generated;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * jqwik over the request model, against the same real server as {@link HostileCorpusTest}: plan
 * requests and port bodies from a structured generator (valid ones, and valid ones damaged by a
 * few mutations), and token soup. A valid request gets 200 (and {@code :validate} says valid); a
 * damaged one gets 200 or a 4xx problem+json whose status is the HTTP status, never a 5xx, and
 * {@code :validate} agrees with {@code /v1/plans}. After each property the server must be healthy.
 * Time limits stay at 1-50 ms so that the properties run in seconds.
 */
class HostileRequestPropertiesTest {
    private static final Set<Integer> OK_OR_4XX = IntStream.rangeClosed(400, 499).boxed()
            .collect(Collectors.toCollection(() -> new java.util.HashSet<>(Set.of(200))));
    private static final Set<Integer> PUT_OK_OR_4XX = IntStream.rangeClosed(400, 499).boxed()
            .collect(Collectors.toCollection(() -> new java.util.HashSet<>(Set.of(200, 201))));
    private static HostileServer server;

    @BeforeContainer
    static void start() {
        server = HostileServer.get();
    }

    @AfterProperty
    void stillHealthy() throws Exception {
        Health.assertHealthy(server, "a jqwik property");
    }

    @Provide
    Arbitrary<Generated> plans() {
        return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 8),
                        Arbitraries.integers().between(0, 3), Arbitraries.longs())
                .as(RequestGenerator::plan);
    }

    @Provide
    Arbitrary<Generated> ports() {
        return Combinators.combine(Arbitraries.integers().between(1, 5), Arbitraries.integers().between(0, 3),
                        Arbitraries.longs())
                .as(RequestGenerator::port);
    }

    /** JSON-ish tokens of the request model, and raw bytes, in any order. */
    @Provide
    Arbitrary<List<byte[]>> soup() {
        Arbitrary<byte[]> token = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"berths\"", "\"vessels\"", "\"id\"",
                        "\"arrival\"", "\"handlingMinutes\"", "\"options\"", "\"B1\"", "1", "-1", "1e400", "0.5", "null",
                        "true", "\"2026-01-01T10:00:00Z\"", "\"\\u0000\"", "\"\\ud800\"", " ", "\n", "NaN", "//", "'")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, token),
                net.jqwik.api.Tuple.of(1, bytes)).list().ofMaxSize(60);
    }

    @Property(tries = 250)
    void aPlanRequestGets200Or4xxProblemAndValidateAgrees(@ForAll("plans") Generated g) throws Exception {
        List<String[]> headers = Health.auth(server, "Content-Type", "application/json");
        byte[] body = g.json().getBytes(StandardCharsets.UTF_8);
        String what = "POST /v1/plans with " + g;
        Reply plan = server.http.exchange(what, "POST", "/v1/plans", headers, body);
        Reply validate = server.http.exchange(what, "POST", "/v1/plans:validate", headers, body);
        Health.ready(server, what);
        Statistics.label("request").collect(g.valid() ? "valid" : g.surely400() ? "syntax or unknown field" : "damaged");
        Statistics.label("status").collect(plan.status());
        if (g.valid()) {
            JsonNode p = Verdicts.answer(what, plan, Set.of(200));
            int vessels = Health.json(body).path("vessels").size();
            if (p.path("assignments").size() + p.path("unassigned").size() != vessels) {
                throw new AssertionError(what + " -> the plan does not account for all " + vessels + " vessels: " + plan);
            }
            Verdicts.validation("POST /v1/plans:validate with " + g, validate, Set.of(200), null);
        } else {
            Set<Integer> allowed = g.surely400() ? Set.of(400) : OK_OR_4XX;
            Verdicts.answer(what, plan, allowed);
            // :validate must agree: valid exactly when /v1/plans solved it.
            Verdicts.validation("POST /v1/plans:validate with " + g, validate, Set.of(plan.status()), null);
        }
        Verdicts.noHardLeaks(what, plan);
        Verdicts.noHardLeaks(what, validate);
    }

    @Property(tries = 120)
    void aPortBodyGets2xxOr4xxProblem(@ForAll("ports") Generated g) throws Exception {
        String code = "FUZZ" + Math.floorMod(g.json().hashCode(), 5);
        List<String[]> headers = Health.auth(server, "Content-Type", "application/json");
        String what = "PUT /v1/ports/" + code + " with " + g;
        Reply put = server.http.exchange(what, "PUT", "/v1/ports/" + code, headers, g.json().getBytes(StandardCharsets.UTF_8));
        Health.ready(server, what);
        Statistics.label("status").collect(put.status());
        Verdicts.answer(what, put, g.valid() ? Set.of(200, 201) : g.surely400() ? Set.of(400) : PUT_OK_OR_4XX);
        Verdicts.noHardLeaks(what, put);
        if (put.status() < 300) {
            Reply get = server.http.exchange(what, "GET", "/v1/ports/" + code, Health.auth(server), null);
            Verdicts.answer("GET /v1/ports/" + code + " after " + what, get, Set.of(200));
        }
    }

    @Property(tries = 200)
    void tokenSoupGets4xxProblem(@ForAll("soup") List<byte[]> tokens) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tokens.forEach(out::writeBytes);
        byte[] body = out.toByteArray();
        String what = "token soup " + RawHttp.abbreviate(new String(body, StandardCharsets.ISO_8859_1), 400);
        List<String[]> headers = Health.auth(server, "Content-Type", "application/json");
        Reply plan = server.http.exchange(what, "POST", "/v1/plans", headers, body);
        Reply validate = server.http.exchange(what, "POST", "/v1/plans:validate", headers, body);
        Reply put = server.http.exchange(what, "PUT", "/v1/ports/SOUP", headers, body);
        Health.ready(server, what);
        Verdicts.answer("POST /v1/plans with " + what, plan, OK_OR_4XX);
        Verdicts.validation("POST /v1/plans:validate with " + what, validate, Set.of(plan.status()), null);
        Verdicts.answer("PUT /v1/ports/SOUP with " + what, put, PUT_OK_OR_4XX);
        for (Reply r : List.of(plan, validate, put)) {
            Verdicts.noHardLeaks(what, r);
        }
    }
}
