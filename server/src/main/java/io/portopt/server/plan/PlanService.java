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
import io.portopt.server.system.MetricNames;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers a plan request by walking the degradation ladder: exact cache hit, a coalesced identical
 * solve already in flight, a full solve when a slot frees up in time, a fast heuristic when not,
 * and a 503 with Retry-After when even the heuristic pool is saturated.
 */
@Service
public class PlanService {
    private static final String CACHE_NAME = "plan";
    /** Extra time a coalesced request waits beyond the leader's budget (queueing, storing). */
    private static final Duration COALESCE_GRACE = Duration.ofMillis(500);

    private final SolverPool solvers;
    private final PlanStore store;
    private final TwoTierCache<StoredPlan> cache;
    private final PlanCodec codec;
    private final AdmissionProperties admission;
    private final Clock clock;
    private final Map<String, CompletableFuture<StoredPlan>> inFlight = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Counter shed;

    public PlanService(SolverPool solvers, PlanStore store, SharedCache shared, CacheProperties cacheProperties,
                       AdmissionProperties admission, JsonMapper mapper, MeterRegistry registry, Clock clock) {
        this.solvers = solvers;
        this.store = store;
        this.admission = admission;
        this.clock = clock;
        this.registry = registry;
        this.codec = new PlanCodec(mapper);
        this.cache = new TwoTierCache<>(CACHE_NAME, cacheProperties.localPlanEntries(), cacheProperties.localPlanTtl(),
                shared, cacheProperties.sharedPlanTtl(), StoredPlan::encode, StoredPlan::decode, registry);
        this.shed = Counter.builder(MetricNames.SHED).description("Plan requests answered 503 + Retry-After").register(registry);
    }

    /** The answer to one plan request: the response bytes and the rung that produced them. */
    public record Reply(Rung rung, String planId, byte[] body) {
    }

    public Reply plan(ResolvedRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        Reply reply = answer(request, t0);
        Timer.builder(MetricNames.PLAN_LATENCY).tag("source", reply.rung().label()).publishPercentileHistogram()
                .register(registry).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return reply;
    }

    private Reply answer(ResolvedRequest request, long t0) throws InterruptedException {
        String key = request.fingerprint();
        TwoTierCache.Hit<StoredPlan> hit = cache.get(key);
        if (hit != null) {
            return reply(Rung.CACHE, hit.value(), hit.tier() == TwoTierCache.Tier.LOCAL ? "local" : "redis", t0, null);
        }
        CompletableFuture<StoredPlan> mine = new CompletableFuture<>();
        CompletableFuture<StoredPlan> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            StoredPlan plan = await(leader, request.options().timeLimit().plus(admission.maxQueueWait()).plus(COALESCE_GRACE));
            if (plan != null) {
                return reply(Rung.COALESCED, plan, null, t0, null);
            }
            return degrade(request, t0, "coalesced solve did not finish in time");
        }
        try {
            SolveResult result = solvers.solveFull(request.problem(),
                    SolverOptions.timeLimited(request.options().timeLimit(), request.options().seed()),
                    admission.maxQueueWait());
            if (result == null) {
                mine.complete(null);
                return degrade(request, t0, "all solver slots busy");
            }
            StoredPlan plan = persist(request, result, Rung.SOLVED, null);
            cache.put(key, plan);
            mine.complete(plan);
            return reply(Rung.SOLVED, plan, null, t0, null);
        } catch (RuntimeException | InterruptedException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private Reply degrade(ResolvedRequest request, long t0, String reason) throws InterruptedException {
        SolveResult result = solvers.solveHeuristic(request.problem());
        if (result == null) {
            shed.increment();
            count(Rung.SHED, reason);
            throw ApiException.unavailable("overloaded: " + reason + " and the heuristic pool is saturated",
                    solvers.retryAfterSeconds());
        }
        StoredPlan plan = persist(request, result, Rung.HEURISTIC, reason);
        return reply(Rung.HEURISTIC, plan, reason, t0, null);
    }

    private StoredPlan persist(ResolvedRequest request, SolveResult result, Rung rung, String reason) {
        String id = UUID.randomUUID().toString();
        StoredPlan plan = codec.encode(id, request, result.plan(), clock.instant());
        byte[] body = plan.withQuality(codec.quality(rung, reason, result.stats().totalMillis(), null));
        store.save(new PlanRecord(id, request.fingerprint(), request.port(), rung.label(),
                request.problem().vessels().size(), result.plan().objective() / 60.0,
                result.stats().totalMillis(), body, clock.instant()));
        return plan;
    }

    private Reply reply(Rung rung, StoredPlan plan, String reason, long t0, String basedOn) {
        count(rung, reason);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new Reply(rung, plan.id(), plan.withQuality(codec.quality(rung, reason, millis, basedOn)));
    }

    private void count(Rung rung, String reason) {
        Counter.builder(MetricNames.PLANS).tag("source", rung.label())
                .tag("reason", reason == null ? "none" : reason).register(registry).increment();
    }

    private static StoredPlan await(CompletableFuture<StoredPlan> leader, Duration budget) throws InterruptedException {
        try {
            return leader.get(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }
}
