package io.portopt.server.job;

import io.portopt.server.plan.PlanController;
import io.portopt.server.plan.PlanOptions;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.RequestMapper;
import io.portopt.server.port.PortService;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.system.JsonBodies;
import io.portopt.server.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code POST /v1/jobs}, {@code GET /v1/jobs/{id}}, {@code GET /v1/jobs/{id}/events} (Server-Sent
 * Events) and {@code DELETE /v1/jobs/{id}}. Jobs live in PostgreSQL: any server answers for any job.
 */
@RestController
class JobController {
    private static final long EVENT_POLL_MILLIS = 250;
    /** Well inside HAProxy's server and client timeouts, so an idle stream is never cut. */
    private static final long KEEPALIVE_MILLIS = 10_000;

    private final JobRepository jobs;
    private final JobProperties properties;
    private final RequestMapper mapper;
    private final PortService ports;
    private final JsonBodies bodies;
    private final JsonMapper json;
    /** Set when the server begins to shut down: open streams end, so they never hold up the drain. */
    private volatile boolean closing;

    JobController(JobRepository jobs, JobProperties properties, RequestMapper mapper, PortService ports, JsonBodies bodies,
                  JsonMapper json) {
        this.jobs = jobs;
        this.properties = properties;
        this.mapper = mapper;
        this.ports = ports;
        this.bodies = bodies;
        this.json = json;
    }

    /**
     * Before the graceful drain: an open event stream would keep the drain waiting for its whole
     * timeout. Streams end here instead; a client reconnects (through the load balancer, to another
     * server) and gets the job's current state first.
     */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void closing() {
        closing = true;
    }

    @PostMapping("/v1/jobs")
    ResponseEntity<byte[]> submit(HttpServletRequest http) {
        Tenant tenant = Tenant.of(http);
        String idempotencyKey = PlanController.idempotencyKey(http);
        JobRequest body = bodies.parse(bodies.read(http), JobRequest.class);
        if (body == null) {
            throw ApiException.unprocessable("the request is invalid", List.of(new FieldError("", "request body must be a JSON object")));
        }
        PlanOptions options = body.options();
        if (options == null || options.timeLimitMs() == null) {
            // A job without a time limit gets a job's budget, not a synchronous request's second.
            long limit = properties.defaultTimeLimit().toMillis();
            options = options == null ? new PlanOptions(limit, null, null)
                    : new PlanOptions(limit, options.allowApproximate(), options.seed(), options.stability());
        }
        PlanRequest request = body.planRequest().withOptions(options);
        RequestMapper.Outcome outcome = mapper.map(request, code -> ports.find(tenant.id(), code).orElse(null),
                mapper.job(properties.maxTimeLimit(), null));
        if (!outcome.valid()) {
            if (outcome.tooMany()) {
                throw new ApiException(413, "Content Too Large", "the request exceeds a size limit", outcome.errors(), null);
            }
            throw ApiException.unprocessable("the request is invalid", outcome.errors());
        }
        String callback = body.callbackUrl();
        if (callback != null) {
            if (properties.webhookSecret().isBlank()) {
                throw ApiException.unprocessable("webhooks are not configured on this service",
                        List.of(new FieldError("callbackUrl", "no webhook secret is configured (portopt.jobs.webhook-secret)")));
            }
            if (callback.length() > 2000 || !Webhooks.allowed(callback, properties.callbackAllow())) {
                throw ApiException.unprocessable("callbackUrl is not allowed",
                        List.of(new FieldError("callbackUrl", "must start with one of the configured allowed callback URLs")));
            }
        }
        var resolved = outcome.request();
        byte[] stored = json.writeValueAsBytes(resolved.stored());
        JobRepository.Submission submission = database(() -> jobs.submit(UUID.randomUUID(), tenant.id(), idempotencyKey,
                resolved.fingerprint(), new String(stored, java.nio.charset.StandardCharsets.UTF_8), resolved.port(),
                resolved.options().timeLimit().toMillis(), resolved.options().seed(), callback,
                properties.maxActivePerTenant()));
        switch (submission.outcome()) {
            case TOO_MANY -> throw new ApiException(429, "Too Many Requests", "this tenant already has "
                    + properties.maxActivePerTenant() + " jobs queued or running; wait for one to finish or cancel one",
                    List.of(), 5L);
            case EXISTING -> {
                if (!Objects.equals(submission.fingerprint(), resolved.fingerprint())) {
                    throw ApiException.unprocessable("this Idempotency-Key was already used for a different request",
                            List.of(new FieldError("Idempotency-Key", "reused with a different request body")));
                }
            }
            case CREATED -> {
            }
        }
        JobView view = database(() -> jobs.find(tenant.id(), submission.id())).orElseThrow();
        return ResponseEntity.accepted()
                .location(URI.create("/v1/jobs/" + view.id()))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsBytes(view));
    }

    @GetMapping("/v1/jobs/{id}")
    ResponseEntity<byte[]> get(@PathVariable String id, HttpServletRequest http) {
        JobView view = find(Tenant.of(http), id);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsBytes(view));
    }

    /**
     * Stops a job: a queued one at once, a running one at its server's next heartbeat (about a
     * second), keeping the best plan found. Waits a few seconds for the stop, then answers with the
     * job as it is ({@code cancelRequested} tells a stop still under way).
     */
    @DeleteMapping("/v1/jobs/{id}")
    ResponseEntity<byte[]> cancel(@PathVariable String id, HttpServletRequest http) throws InterruptedException {
        Tenant tenant = Tenant.of(http);
        UUID uuid = uuid(id);
        JobView view = database(() -> jobs.requestCancel(tenant.id(), uuid))
                .orElseThrow(() -> ApiException.notFound("no job '" + id + "'"));
        long deadline = System.nanoTime() + properties.heartbeat().multipliedBy(4).toNanos();
        while (!view.terminal() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            view = database(() -> jobs.find(tenant.id(), uuid)).orElseThrow();
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsBytes(view));
    }

    /**
     * Server-Sent Events: the job as it is now first ({@code snapshot}: a late client gets the current
     * best at once), then an {@code improvement} event for each better plan found, a {@code state}
     * event when it starts running (again, after a takeover), and a final event
     * named after the end state ({@code done}, {@code cancelled}, {@code failed}), then the end.
     */
    @GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String id, HttpServletRequest http) {
        Tenant tenant = Tenant.of(http);
        UUID uuid = uuid(id);
        JobView first = find(tenant, id);
        SseEmitter emitter = new SseEmitter(properties.maxTimeLimit().multipliedBy(3).toMillis());
        Thread.ofVirtual().name("job-events-" + id).start(() -> stream(emitter, tenant, uuid, first));
        return emitter;
    }

    private void stream(SseEmitter emitter, Tenant tenant, UUID id, JobView first) {
        try {
            JobView last = first;
            long seq = 0;
            emitter.send(SseEmitter.event().id(Long.toString(seq++)).name(first.terminal() ? first.state() : "snapshot")
                    .data(json.writeValueAsString(first), MediaType.APPLICATION_JSON));
            long lastSent = System.nanoTime();
            while (!last.terminal() && !closing) {
                Thread.sleep(EVENT_POLL_MILLIS);
                JobView now;
                try {
                    now = jobs.find(tenant.id(), id).orElse(null);
                } catch (DataAccessException e) {
                    now = last;   // PostgreSQL out of reach for a moment: keep the stream, try again
                }
                if (now == null) {
                    break;
                }
                if (changed(last, now)) {
                    String name = now.terminal() ? now.state() : !now.state().equals(last.state()) ? "state" : "improvement";
                    emitter.send(SseEmitter.event().id(Long.toString(seq++)).name(name)
                            .data(json.writeValueAsString(now), MediaType.APPLICATION_JSON));
                    lastSent = System.nanoTime();
                    last = now;
                } else if (System.nanoTime() - lastSent > KEEPALIVE_MILLIS * 1_000_000) {
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                    lastSent = System.nanoTime();
                }
            }
            emitter.complete();
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);   // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        }
    }

    private static boolean changed(JobView a, JobView b) {
        return !a.state().equals(b.state()) || !Objects.equals(a.bestObjective(), b.bestObjective())
                || !Objects.equals(a.planId(), b.planId()) || !Objects.equals(a.assigned(), b.assigned());
    }

    private JobView find(Tenant tenant, String id) {
        UUID uuid = uuid(id);
        return database(() -> jobs.find(tenant.id(), uuid)).orElseThrow(() -> ApiException.notFound("no job '" + id + "'"));
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no job '" + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "'");
        }
    }

    /** Jobs need PostgreSQL: while it is out of reach, job calls are refused with a 503 to retry. */
    private static <T> T database(Supplier<T> call) {
        try {
            return call.get();
        } catch (DataAccessException e) {
            throw ApiException.unavailable("jobs are unavailable while the database cannot be reached", 2);
        }
    }

}
