package io.portopt.server.plan;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portopt.server.admission.AdmissionProperties;
import io.portopt.server.admission.SolverPool;
import io.portopt.server.cache.CacheProperties;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.cache.TwoTierCache;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.system.MetricNames;
import io.portopt.server.tenant.Tenant;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.model.Assignment;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers a plan request by walking the degradation ladder: exact cache hit; an identical solve in
 * flight here or on another server (through Redis) awaited instead of repeated; a full solve when a
 * slot frees up in time; under overload the cached plan of a similar problem re-timed and repaired;
 * a fast heuristic; and a 503 with Retry-After when even the heuristic pool is saturated.
 */
@Service
public class PlanService {
    private static final String PLAN_CACHE = "plan";
    private static final String APPROX_CACHE = "approx";
    private static final String IDEMPOTENCY_CACHE = "idem";
    private static final String IN_FLIGHT_KEY = "portopt:inflight:";
    private static final double SECONDS_PER_MINUTE = 60.0;
    private static final String SATURATED = "no solver slot and no heuristic slot free in time";
    private static final String NO_TIME = "too little time left for a full solve";

    private final SolverPool solvers;
    private final PlanStore store;
    private final SharedCache shared;
    private final TwoTierCache<StoredPlan> cache;
    private final TwoTierCache<String> similar;
    private final TwoTierCache<String> idempotency;
    private final PlanCodec codec;
    private final AdmissionProperties admission;
    private final LadderProperties ladder;
    private final Clock clock;
    private final String serverName;
    private final Map<String, CompletableFuture<StoredPlan>> inFlight = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Counter shed;
    /** Exponentially weighted mean time to encode and store a plan, reserved from a replan's budget. */
    private final java.util.concurrent.atomic.AtomicLong persistNanos = new java.util.concurrent.atomic.AtomicLong(10_000_000);

    public PlanService(SolverPool solvers, PlanStore store, SharedCache shared, CacheProperties cacheProperties,
                       AdmissionProperties admission, LadderProperties ladder, JsonMapper mapper,
                       MeterRegistry registry, Clock clock, @Value("${portopt.server-name:portopt}") String serverName) {
        this.solvers = solvers;
        this.store = store;
        this.shared = shared;
        this.admission = admission;
        this.ladder = ladder;
        this.clock = clock;
        this.serverName = serverName;
        this.registry = registry;
        this.codec = new PlanCodec(mapper);
        this.cache = new TwoTierCache<>(PLAN_CACHE, cacheProperties.localPlanEntries(), cacheProperties.localPlanTtl(),
                shared, cacheProperties.sharedPlanTtl(), StoredPlan::encode, StoredPlan::decode, registry);
        this.similar = new TwoTierCache<>(APPROX_CACHE, cacheProperties.localPlanEntries(), cacheProperties.localPlanTtl(),
                shared, ladder.approximateTtl(), PlanService::utf8, PlanService::text, registry);
        this.idempotency = new TwoTierCache<>(IDEMPOTENCY_CACHE, cacheProperties.localPlanEntries(), ladder.idempotencyTtl(),
                shared, ladder.idempotencyTtl(), PlanService::utf8, PlanService::text, registry);
        this.shed = Counter.builder(MetricNames.SHED).description("Plan requests answered 503 + Retry-After").register(registry);
    }

    /** The answer to one plan request: the response bytes and the rung that produced them. */
    public record Reply(Rung rung, String planId, byte[] body) {
    }

    /** For a key on its first attempt: nothing to look up. */
    public static final CompletableFuture<TwoTierCache.Hit<String>> NO_EARLIER_ANSWER = CompletableFuture.completedFuture(null);

    /**
     * Starts looking up what an {@code Idempotency-Key} was answered with, before the request body is
     * even parsed: a client sends a fresh key with nearly every request, so this read is usually a
     * Redis miss, and overlapping its round trip with the parse keeps it off the cache-hit path.
     */
    public CompletableFuture<TwoTierCache.Hit<String>> earlierAnswer(Tenant tenant, String idempotencyKey) {
        return idempotencyKey == null ? NO_EARLIER_ANSWER
                : idempotency.lookup(namespaced(tenant, idempotencyKey));
    }

    /** When the answer to {@code request}, received at the given instants, is due, given the load balancer's stamp (or null). */
    public AnswerDeadline deadline(String stamp, ResolvedRequest request, long receivedNanos, long receivedEpochMs) {
        return AnswerDeadline.of(stamp, request.options().timeLimit(), admission.answerSlack(), receivedNanos, receivedEpochMs);
    }

    /**
     * Answers a request by {@code deadline} (see {@link AnswerDeadline}). With an {@code idempotencyKey},
     * a retry of a request already answered gets the same plan again (whatever rung first answered it),
     * never a second, different plan.
     */
    public Reply plan(Tenant tenant, ResolvedRequest request, String idempotencyKey,
                      CompletableFuture<TwoTierCache.Hit<String>> earlierAnswer, AnswerDeadline deadline)
            throws InterruptedException {
        long t0 = System.nanoTime();
        String idempotencyEntry = idempotencyKey == null ? null : namespaced(tenant, idempotencyKey);
        Reply reply = idempotencyEntry == null ? null : replay(tenant, earlierAnswer.join(), request.fingerprint());
        if (reply == null) {
            reply = answer(tenant, request, t0, deadline);
            if (idempotencyEntry != null && reply.rung() == Rung.CACHE) {
                // Not waited for: a request racing this one for the same key is a cache hit too.
                idempotency.putIfAbsentAsync(idempotencyEntry, reply.planId() + "\t" + request.fingerprint());
            } else if (idempotencyEntry != null) {
                reply = firstAnswer(tenant, idempotencyEntry, reply, request.fingerprint());
            }
        }
        Timer.builder(MetricNames.PLAN_LATENCY).tag("source", reply.rung().label()).publishPercentileHistogram()
                .register(registry).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return reply;
    }

    /**
     * Every cache, lock and idempotency key is prefixed with the tenant: one tenant can neither read
     * another's plans nor tell from a fast answer that another tenant solved the same problem.
     */
    private static String namespaced(Tenant tenant, String key) {
        return tenant.id() + "/" + key;
    }

    /**
     * The answer to a request known only by its fingerprint (its body was seen before): a replay of
     * its Idempotency-Key or an exact cache hit, else null and the caller takes the full path.
     */
    public Reply repeated(Tenant tenant, String fingerprint, String idempotencyKey,
                          CompletableFuture<TwoTierCache.Hit<String>> earlierAnswer) {
        long t0 = System.nanoTime();
        String idempotencyEntry = idempotencyKey == null ? null : namespaced(tenant, idempotencyKey);
        Reply reply = idempotencyEntry == null ? null : replay(tenant, earlierAnswer.join(), fingerprint);
        if (reply == null) {
            TwoTierCache.Hit<StoredPlan> hit = cache.get(namespaced(tenant, fingerprint));
            if (hit == null) {
                return null;
            }
            reply = reply(Rung.CACHE, hit.value(), null, t0, null);
            if (idempotencyEntry != null) {
                // Not waited for: a request racing this one for the same key is a cache hit too.
                idempotency.putIfAbsentAsync(idempotencyEntry, reply.planId() + "\t" + fingerprint);
            }
        }
        Timer.builder(MetricNames.PLAN_LATENCY).tag("source", reply.rung().label()).publishPercentileHistogram()
                .register(registry).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return reply;
    }

    /**
     * Records this reply as the key's answer, unless a concurrent request with the same key (a
     * retry racing its original, on this server or another) recorded one first: then that first
     * answer is the one both get, so a key never yields two different plans.
     */
    private Reply firstAnswer(Tenant tenant, String idempotencyEntry, Reply reply, String fingerprint) {
        String earlier = idempotency.putIfAbsent(idempotencyEntry, reply.planId() + "\t" + fingerprint);
        if (earlier == null || earlier.startsWith(reply.planId() + "\t")) {
            return reply;
        }
        Reply first = replay(tenant, new TwoTierCache.Hit<>(earlier, TwoTierCache.Tier.SHARED), fingerprint);
        return first != null ? first : reply;
    }

    private Reply replay(Tenant tenant, TwoTierCache.Hit<String> hit, String fingerprint) {
        if (hit == null) {
            return null;
        }
        String[] parts = hit.value().split("\t", 2);
        if (parts.length != 2) {
            return null;
        }
        if (!parts[1].equals(fingerprint)) {
            throw ApiException.unprocessable("this Idempotency-Key was already used for a different request",
                    List.of(new FieldError("Idempotency-Key", "reused with a different request body")));
        }
        return store.find(tenant.id(), UUID.fromString(parts[0]))
                .map(body -> {
                    count(Rung.REPLAY, null);
                    return new Reply(Rung.REPLAY, parts[0], body);
                })
                .orElse(null);
    }

    private Reply answer(Tenant tenant, ResolvedRequest request, long t0, AnswerDeadline deadline)
            throws InterruptedException {
        String key = namespaced(tenant, request.fingerprint());
        TwoTierCache.Hit<StoredPlan> hit = cache.get(key);
        if (hit != null) {
            return reply(Rung.CACHE, hit.value(), null, t0, null);
        }
        // Every wait below ends in time for a degraded rung to answer by the deadline.
        long reserve = admission.heuristicWait().toNanos();
        Duration fullBudget = request.options().timeLimit().plus(admission.maxQueueWait()).plus(ladder.coalesceGrace());
        Duration solveBudget = atMost(fullBudget, deadline.leftNanos() - reserve);
        Duration search = searchBudget(request);
        long queueRoom = queueRoom(deadline, search, reserve);
        // With too little time left for a full solve (a retry after a server went silent, or a
        // request that queued at the load balancer) this request never leads a solve; it may
        // still take the plan of one in flight here.
        CompletableFuture<StoredPlan> mine = new CompletableFuture<>();
        CompletableFuture<StoredPlan> leader = queueRoom < 0 ? inFlight.get(key) : inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            StoredPlan plan = await(leader, solveBudget);
            if (plan != null) {
                return reply(Rung.COALESCED, plan, null, t0, null);
            }
            return degrade(tenant, request, t0, "coalesced solve did not finish in time", deadline);
        }
        if (queueRoom < 0) {
            return degrade(tenant, request, t0, NO_TIME, deadline);
        }
        Duration queueWait = atMost(admission.maxQueueWait(), queueRoom);
        boolean ownsClusterLock = false;
        try {
            // Saturated: neither a solve nor the heuristic pool could take this request, so it is
            // refused here, after the rungs that cost nothing (cache, a solve in flight here) and
            // before the Redis round trips and the wait that would only end in the same 503.
            if (solvers.saturatedFor(tenant.id(), queueWait, heuristicBudget(request, t0, deadline))) {
                shed.increment();
                count(Rung.SHED, SATURATED);
                throw ApiException.unavailable("overloaded: " + SATURATED, solvers.retryAfterSeconds());
            }
            // Another server may be solving the same problem: wait for its plan in Redis instead.
            Boolean created = shared.setIfAbsent(IN_FLIGHT_KEY + key, utf8(serverName), fullBudget);
            ownsClusterLock = Boolean.TRUE.equals(created);
            if (Boolean.FALSE.equals(created)) {
                StoredPlan plan = awaitShared(key, atMost(solveBudget, deadline.leftNanos() - reserve));
                if (plan != null) {
                    mine.complete(plan);
                    return reply(Rung.COALESCED, plan, null, t0, null);
                }
                search = searchBudget(request);
                queueRoom = queueRoom(deadline, search, reserve);
                if (queueRoom < 0) {
                    mine.complete(null);
                    return degrade(tenant, request, t0, NO_TIME, deadline);
                }
                queueWait = atMost(queueWait, queueRoom);
            }
            SolverOptions options = SolverOptions.timeLimited(search, request.options().seed());
            // A replan starts from its base plan (kept where still feasible): warm, and stable.
            SolveResult result = request.isReplan()
                    ? solvers.solveFull(tenant.id(), request.problem(), options, queueWait, request.base())
                    : solvers.solveFull(tenant.id(), request.problem(), options, queueWait);
            if (result == null) {
                mine.complete(null);
                return degrade(tenant, request, t0, "all solver slots busy", deadline);
            }
            StoredPlan plan = persist(tenant, request, result, Rung.SOLVED, null, null);
            cache.put(key, plan);
            if (!request.isReplan()) {
                similar.put(namespaced(tenant, request.similarity(ladder.approximateQuantum())), hintOf(plan.id(), result));
            }
            mine.complete(plan);
            return reply(Rung.SOLVED, plan, null, t0, null);
        } catch (RuntimeException | InterruptedException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
            if (ownsClusterLock) {
                shared.delete(IN_FLIGHT_KEY + key);
            }
        }
    }

    /** Overloaded: a similar problem's plan repaired for this one, else a fast heuristic, else 503. */
    private Reply degrade(Tenant tenant, ResolvedRequest request, long t0, String reason, AnswerDeadline deadline)
            throws InterruptedException {
        Duration heuristicBudget = heuristicBudget(request, t0, deadline);
        if (request.isReplan()) {
            // The base plan re-timed and repaired for the changes: approximate, but stable by construction.
            SolveResult repaired = solvers.repair(tenant.id(), request.problem(), request.base(), heuristicBudget);
            if (repaired != null) {
                StoredPlan plan = persist(tenant, request, repaired, Rung.APPROXIMATE, reason, request.basedOn());
                return reply(Rung.APPROXIMATE, plan, reason, t0, request.basedOn());
            }
        } else if (request.options().allowApproximate()) {
            TwoTierCache.Hit<String> hint = similar.get(namespaced(tenant, request.similarity(ladder.approximateQuantum())));
            if (hint != null) {
                String[] lines = hint.value().split("\n");
                SolveResult repaired = solvers.repair(tenant.id(), request.problem(), parseHint(lines), heuristicBudget);
                if (repaired != null) {
                    StoredPlan plan = persist(tenant, request, repaired, Rung.APPROXIMATE, reason, lines[0]);
                    return reply(Rung.APPROXIMATE, plan, reason, t0, lines[0]);
                }
            }
        }
        SolveResult result = solvers.solveHeuristic(tenant.id(), request.problem(), heuristicBudget);
        if (result == null) {
            shed.increment();
            count(Rung.SHED, reason);
            throw ApiException.unavailable("overloaded: " + reason + " and the heuristic pool is saturated",
                    solvers.retryAfterSeconds());
        }
        StoredPlan plan = persist(tenant, request, result, Rung.HEURISTIC, reason, null);
        return reply(Rung.HEURISTIC, plan, reason, t0, null);
    }

    /**
     * How long this request may wait for the small pool before it is better refused: the rest of its
     * own time limit (at most the solver queue's wait), and never less than {@code heuristic-wait}.
     * Once it has already waited longer than that (for a solver slot or a coalesced solve), a
     * refusal would be a slow 503 anyway: it may then wait up to the solver queue's wait again. In
     * every case no longer than its deadline leaves (but still {@code heuristic-wait}).
     */
    private Duration heuristicBudget(ResolvedRequest request, long t0, AnswerDeadline deadline) {
        long elapsed = System.nanoTime() - t0;
        long floor = admission.heuristicWait().toNanos();
        if (elapsed > floor) {
            Duration wait = admission.maxQueueWait().compareTo(admission.heuristicWait()) > 0
                    ? admission.maxQueueWait() : admission.heuristicWait();
            return Duration.ofNanos(Math.max(floor, Math.min(wait.toNanos(), deadline.leftNanos())));
        }
        Duration limit = request.options().timeLimit();
        long ownBudget = Math.min(Math.min(limit.toNanos(), admission.maxQueueWait().toNanos()) - elapsed,
                deadline.leftNanos());
        return Duration.ofNanos(Math.max(floor, ownBudget));
    }

    /** How long this request may still wait for a solver slot and answer by its deadline; negative: too late. */
    private long queueRoom(AnswerDeadline deadline, Duration search, long reserve) {
        return deadline.leftNanos() - search.toNanos() - persistNanos.get() - reserve;
    }

    private static Duration atMost(Duration wait, long nanos) {
        return Duration.ofNanos(Math.max(0, Math.min(wait.toNanos(), nanos)));
    }

    /**
     * The search's budget. A replan's time limit covers its whole answer (a planner's screen waits
     * on it): its search gets what is left after the work before it and the expected write of the
     * plan, at least a quarter of the limit. A plan request's limit is its search's, as before.
     */
    private Duration searchBudget(ResolvedRequest request) {
        Duration limit = request.options().timeLimit();
        if (request.receivedNanos() == 0) {
            return limit;
        }
        long left = limit.toNanos() - (System.nanoTime() - request.receivedNanos()) - persistNanos.get();
        return Duration.ofNanos(Math.max(limit.toNanos() / 4, left));
    }

    private StoredPlan persist(Tenant tenant, ResolvedRequest request, SolveResult result, Rung rung, String reason,
                               String basedOn) {
        long t0 = System.nanoTime();
        String id = UUID.randomUUID().toString();
        StoredPlan plan = codec.encode(id, request, result.plan(), result.bound(), clock.instant());
        byte[] body = plan.withQuality(codec.quality(rung, reason, result.stats().totalMillis(), basedOn, plan.bound()));
        store.save(new PlanRecord(id, tenant.id(), request.fingerprint(), request.port(), rung.label(),
                request.problem().vessels().size(), result.plan().objective() / SECONDS_PER_MINUTE,
                result.stats().totalMillis(), body, clock.instant(), codec.requestBytes(request), request.basedOn()));
        long took = System.nanoTime() - t0;
        persistNanos.updateAndGet(m -> (m * 7 + took) / 8);
        return plan;
    }

    /**
     * Stores a plan that an asynchronous job found (its best so far, or its last): an ordinary
     * stored plan, readable by id from any server, labelled {@code solved}. Returns its id.
     */
    public String storeJobPlan(Tenant tenant, ResolvedRequest request, SolveResult result) {
        StoredPlan plan = persist(tenant, request, result, Rung.SOLVED, null, null);
        return plan.id();
    }

    private Reply reply(Rung rung, StoredPlan plan, String reason, long t0, String basedOn) {
        count(rung, reason);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new Reply(rung, plan.id(), plan.withQuality(codec.quality(rung, reason, millis, basedOn, plan.bound())));
    }

    private void count(Rung rung, String reason) {
        Counter.builder(MetricNames.PLANS).tag("source", rung.label())
                .tag("reason", reason == null ? "none" : reason).register(registry).increment();
    }

    private StoredPlan awaitShared(String key, Duration budget) throws InterruptedException {
        long deadline = System.nanoTime() + budget.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(ladder.coalescePoll());
            TwoTierCache.Hit<StoredPlan> hit = cache.get(key);
            if (hit != null) {
                return hit.value();
            }
            if (!shared.isAvailable()) {
                return null;
            }
        }
        return null;
    }

    private static StoredPlan await(CompletableFuture<StoredPlan> leader, Duration budget) throws InterruptedException {
        try {
            return leader.get(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** The plan id, then one {@code vessel, berth, start} line per assignment, for the approximate rung. */
    private static String hintOf(String planId, SolveResult result) {
        StringBuilder s = new StringBuilder(planId);
        for (Assignment a : result.plan().assignments()) {
            s.append('\n').append(a.vessel()).append('\t').append(a.berth()).append('\t').append(a.start());
        }
        return s.toString();
    }

    private static List<Assignment> parseHint(String[] lines) {
        List<Assignment> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            if (f.length == 3) {
                long start = Long.parseLong(f[2]);
                out.add(new Assignment(f[0], f[1], start, start));
            }
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
