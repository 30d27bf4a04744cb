package io.portopt.server.plan;

import io.portopt.server.port.PortService;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.system.JsonBodies;
import io.portopt.server.tenant.Tenant;
import io.portopt.solver.BerthPlanner;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** {@code POST /v1/plans}, {@code GET /v1/plans/{id}} and {@code POST /v1/plans:validate}. */
@RestController
public class PlanController {
    /** RFC 9211 cache status; {@code portopt} names the cache, the rung is in a parameter. */
    static final String CACHE_STATUS = "Cache-Status";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /**
     * Sent by the Java SDK: the attempt number of this call, 1 on its first try with a key the SDK
     * made up itself, so no earlier answer to look up can exist.
     */
    public static final String ATTEMPT = "Portopt-Attempt";

    private final PlanService plans;
    private final PlanStore store;
    private final PortService ports;
    private final RequestMapper mapper;
    private final JsonBodies bodies;
    private final JsonMapper json;
    private final RepeatedBodies repeatedBodies;

    PlanController(PlanService plans, PlanStore store, PortService ports, RequestMapper mapper, JsonBodies bodies,
                   JsonMapper json, RepeatedBodies repeatedBodies) {
        this.repeatedBodies = repeatedBodies;
        this.plans = plans;
        this.store = store;
        this.ports = ports;
        this.mapper = mapper;
        this.bodies = bodies;
        this.json = json;
    }

    @PostMapping("/v1/plans")
    ResponseEntity<byte[]> create(HttpServletRequest request) throws InterruptedException {
        long receivedNanos = System.nanoTime();
        long receivedEpochMs = System.currentTimeMillis();
        Tenant tenant = Tenant.of(request);
        String idempotencyKey = idempotencyKey(request);
        // A key on its first attempt cannot have been answered yet: no Redis look-up on the path.
        // Its answer is still recorded, first answer wins, for the retries that may follow. The
        // header is the client's promise that the key is new: a client that sends it with a reused
        // key may get an exact cache hit where the look-up would have answered 422.
        boolean firstAttempt = "1".equals(request.getHeader(ATTEMPT));
        var earlierAnswer = firstAttempt ? PlanService.NO_EARLIER_ANSWER : plans.earlierAnswer(tenant, idempotencyKey);
        byte[] raw = bodies.read(request);
        String digest = repeatedBodies.digest(tenant, raw);
        String knownFingerprint = repeatedBodies.fingerprintOf(digest);
        if (knownFingerprint != null) {
            PlanService.Reply reply = plans.repeated(tenant, knownFingerprint, idempotencyKey, earlierAnswer);
            if (reply != null) {
                return ok(reply);
            }
        }
        PlanRequest body = bodies.parse(raw, PlanRequest.class);
        RequestMapper.Outcome outcome = mapper.map(body, code -> ports.find(tenant.id(), code).orElse(null));
        if (!outcome.valid()) {
            if (outcome.tooMany()) {
                throw new ApiException(413, "Content Too Large", "the request exceeds a size limit", outcome.errors(), null);
            }
            throw ApiException.unprocessable("the request is invalid", outcome.errors());
        }
        repeatedBodies.remember(digest, body, outcome.request());
        AnswerDeadline deadline = plans.deadline(request.getHeader(AnswerDeadline.HEADER), outcome.request(),
                receivedNanos, receivedEpochMs);
        return ok(plans.plan(tenant, outcome.request(), idempotencyKey, earlierAnswer, deadline));
    }

    private static ResponseEntity<byte[]> ok(PlanService.Reply reply) {
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .location(URI.create("/v1/plans/" + reply.planId()))
                .header(CACHE_STATUS, cacheStatus(reply.rung()))
                .body(reply.body());
    }

    @GetMapping("/v1/plans/{id}")
    ResponseEntity<byte[]> get(@PathVariable String id, HttpServletRequest request) {
        Tenant tenant = Tenant.of(request);
        UUID uuid = planId(id);
        byte[] body = store.find(tenant.id(), uuid).orElseThrow(() -> ApiException.notFound("no plan '" + id + "'"));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /** Checks a request without solving it: 200 with {@code valid}, the problems, and unplaceable vessels. */
    @PostMapping("/v1/plans:validate")
    ResponseEntity<byte[]> validate(HttpServletRequest request) {
        Tenant tenant = Tenant.of(request);
        byte[] raw = bodies.read(request);
        ValidationView view;
        try {
            PlanRequest body = bodies.parse(raw, PlanRequest.class);
            RequestMapper.Outcome outcome = mapper.map(body, code -> ports.find(tenant.id(), code).orElse(null));
            if (outcome.valid()) {
                var problem = outcome.request().problem();
                List<ValidationView.Warning> warnings = BerthPlanner.precheck(problem).stream()
                        .map(u -> new ValidationView.Warning(u.vessel(), u.reason().name(), u.detail())).toList();
                view = new ValidationView(true, List.of(), warnings, problem.vessels().size(), problem.berths().size());
            } else {
                view = new ValidationView(false, ApiException.capped(outcome.errors()), List.of(), null, null);
            }
        } catch (ApiException e) {
            if (e.status() != 400) {
                throw e;
            }
            List<FieldError> errors = e.errors().isEmpty() ? List.of(new FieldError("", e.getMessage())) : e.errors();
            view = new ValidationView(false, errors, List.of(), null, null);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsBytes(view));
    }

    /** A plan id from a path: a UUID, or 404 (no plan can have another id). */
    public static UUID planId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no plan '" + abbreviate(id) + "'");
        }
    }

    /** Optional {@code Idempotency-Key}: 1-200 visible ASCII characters. */
    public static String idempotencyKey(HttpServletRequest request) {
        String key = request.getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw ApiException.badRequest("invalid Idempotency-Key header",
                    List.of(new FieldError(IDEMPOTENCY_KEY, "1-200 visible ASCII characters")));
        }
        return key;
    }

    static String cacheStatus(Rung rung) {
        return rung.cacheStatus();
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record ValidationView(boolean valid, List<FieldError> problems, List<Warning> unplaceable, Integer vessels, Integer berths) {
        record Warning(String vessel, String reason, String detail) {
        }
    }
}
