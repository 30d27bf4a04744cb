package io.portopt.server.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.admission.SolverPool;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.PlanService;
import io.portopt.server.plan.RequestMapper;
import io.portopt.server.plan.ResolvedRequest;
import io.portopt.server.tenant.Tenant;
import io.portopt.solver.BerthPlanner;
import io.portopt.solver.Bound;
import io.portopt.solver.SolveResult;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.UnassignedReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs asynchronous jobs on this server: claims queued (or abandoned) jobs from PostgreSQL, holds
 * each by a lease renewed every heartbeat, solves in slices on the same solver slots as synchronous
 * requests, checkpoints the best plan as an ordinary stored plan, and finishes it exactly once.
 *
 * <p>Sharing the cores: a job is a tenant of its own in the solver pool's round-robin ({@code job/}
 * + tenant) and solves in slices of {@code portopt.jobs.slice}. While a synchronous request waits
 * for a slot, a running slice ends after {@code min-slice}: a request waits at most that long for a
 * job, never for a whole long solve; the job queues again and gets its next turn in the round-robin,
 * so neither starves. Each slice resumes from the best plan so far (a warm start).
 */
@Component
class JobRunner implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final double SECONDS_PER_MINUTE = 60.0;

    private final JobRepository jobs;
    private final JobProperties properties;
    private final SolverPool solvers;
    private final PlanService plans;
    private final RequestMapper mapper;
    private final JsonMapper json;
    private final String owner;
    private final Map<UUID, Run> running = new ConcurrentHashMap<>();
    private final HttpClient http;
    private final Counter finished;
    private final Counter resumed;
    private volatile boolean active;
    private Thread claimer;
    private Thread callbacks;

    JobRunner(JobRepository jobs, JobProperties properties, SolverPool solvers, PlanService plans, RequestMapper mapper,
              JsonMapper json, MeterRegistry registry, @Value("${portopt.server-name:portopt}") String serverName) {
        this.jobs = jobs;
        this.properties = properties;
        this.solvers = solvers;
        this.plans = plans;
        this.mapper = mapper;
        this.json = json;
        this.owner = serverName + "/" + UUID.randomUUID();
        this.http = HttpClient.newBuilder().connectTimeout(properties.callbackTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.finished = Counter.builder("portopt_jobs_finished").description("Jobs this server finished").register(registry);
        this.resumed = Counter.builder("portopt_jobs_resumed")
                .description("Jobs this server took over from a checkpoint another run left").register(registry);
        Gauge.builder("portopt_jobs_running", running, Map::size).description("Jobs running on this server").register(registry);
    }

    /** One job being run here, and what its heartbeat learns. */
    private static final class Run {
        final UUID id;
        volatile boolean cancel;
        volatile boolean lost;
        volatile long solvedMs;
        volatile Double liveObjective;
        volatile Integer liveAssigned;

        Run(UUID id, long solvedMs) {
            this.id = id;
            this.solvedMs = solvedMs;
        }
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            return;
        }
        active = true;
        claimer = Thread.ofVirtual().name("job-claimer").start(this::claimLoop);
        callbacks = Thread.ofVirtual().name("job-callbacks").start(this::callbackLoop);
    }

    /** On shutdown: stop claiming; running jobs checkpoint and hand their lease back for another server. */
    @Override
    public void stop() {
        active = false;
        if (claimer != null) {
            claimer.interrupt();
            callbacks.interrupt();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleep(50);
        }
    }

    @Override
    public boolean isRunning() {
        return active;
    }

    private void claimLoop() {
        while (active) {
            try {
                if (running.size() < properties.maxRunningPerServer()) {
                    var claimed = jobs.claim(owner, properties.lease().toMillis());
                    if (claimed.isPresent()) {
                        var job = claimed.get();
                        Run run = new Run(job.id(), job.solvedMs());
                        running.put(job.id(), run);
                        Thread.ofVirtual().name("job-" + job.id()).start(() -> {
                            try {
                                execute(job, run);
                            } finally {
                                running.remove(job.id());
                            }
                        });
                        continue;
                    }
                }
            } catch (DataAccessException e) {
                log.debug("job claim failed: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.warn("job claim failed", e);
            }
            sleep(properties.poll().toMillis());
        }
    }

    private void execute(JobRepository.Claimed job, Run run) {
        Thread heartbeat = null;
        try {
            if (job.cancelRequested()) {
                jobs.finish(job.id(), owner, "cancelled", job.solvedMs(), null, null, null, null);
                return;
            }
            if (job.attempts() > properties.maxAttempts()) {
                jobs.finish(job.id(), owner, "failed", job.solvedMs(), null, null, null,
                        "claimed " + (job.attempts() - 1) + " times without finishing");
                return;
            }
            PlanRequest request = json.readValue(job.request(), PlanRequest.class);
            RequestMapper.Outcome outcome = mapper.map(request, code -> null, mapper.job(properties.maxTimeLimit(), job.port()));
            if (!outcome.valid()) {
                jobs.finish(job.id(), owner, "failed", job.solvedMs(), null, null, null, "the stored request is no longer valid");
                return;
            }
            if (job.checkpoint() != null) {
                resumed.increment();
                log.info("job {} resumed from its checkpoint ({} ms of {} solved, attempt {})", job.id(), job.solvedMs(),
                        job.timeLimitMs(), job.attempts());
            }
            heartbeat = Thread.ofVirtual().name("job-heartbeat-" + job.id()).start(() -> heartbeat(run));
            solve(job, run, outcome.request());
        } catch (DataAccessException e) {
            // PostgreSQL is out of reach: the lease runs out and a server resumes the job from its checkpoint.
            log.warn("job {}: database unavailable ({}); it will be resumed from its checkpoint", job.id(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("job {} failed", job.id(), e);
            try {
                jobs.finish(job.id(), owner, "failed", run.solvedMs, null, null, null, "internal error");
            } catch (RuntimeException ignored) {
                // the lease runs out and another server tries again, up to max-attempts
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (heartbeat != null) {
                heartbeat.interrupt();
            }
        }
    }

    private void solve(JobRepository.Claimed job, Run run, ResolvedRequest request) throws InterruptedException {
        Tenant tenant = new Tenant(job.tenant(), null);
        List<Assignment> hint = parseCheckpoint(job.checkpoint());
        SolveResult best = null;
        SolveResult checkpointed = null;
        UUID checkpointPlan = job.bestPlanId();
        long lastCheckpoint = System.nanoTime();
        int slices = 0;
        while (!run.cancel && !run.lost && active) {
            long remaining = job.timeLimitMs() - run.solvedMs;
            if (remaining <= 0) {
                break;
            }
            Duration slice = Duration.ofMillis(Math.min(properties.slice().toMillis(), remaining));
            boolean bounded = best != null && best.bound() != null;
            List<Assignment> start = hint;
            long seed = job.seed() + 7919L * (job.attempts() * 1000L + slices++);
            SolveResult result = solvers.solveSlice("job/" + job.tenant(), Duration.ofSeconds(2), properties.minSlice(),
                    yield -> {
                        SolverOptions options = SolverOptions.timeLimited(slice, seed)
                                .withStop(() -> run.cancel || run.lost || !active || yield.getAsBoolean())
                                .withProgress((millis, objective, assigned, plan) -> live(run, objective, assigned));
                        // The bound is the problem's: one slice proves it, the later ones search.
                        options = bounded ? options.withoutLowerBound() : options;
                        return start == null ? BerthPlanner.solve(request.problem(), options)
                                : BerthPlanner.repair(request.problem(), start, options);
                    });
            if (result == null) {
                continue;   // no slot within the wait: queue again
            }
            run.solvedMs += Math.max(1, result.stats().totalMillis());
            Bound earlier = best == null ? null : best.bound();
            if (better(result, best)) {
                best = result;
                hint = result.plan().assignments();
                live(run, result.plan().objective(), result.plan().assignments().size());
            }
            best = withStrongerBound(best, earlier, result);
            if (best.bound() != null && best.bound().optimal()) {
                break;   // proven optimal: more slices cannot improve it
            }
            if (best != checkpointed && System.nanoTime() - lastCheckpoint >= properties.checkpointInterval().toNanos()) {
                checkpointPlan = UUID.fromString(plans.storeJobPlan(tenant, request, best));
                if (!jobs.checkpoint(job.id(), owner, run.solvedMs, best.plan().objective() / SECONDS_PER_MINUTE,
                        best.plan().assignments().size(), checkpointPlan, checkpointText(best))) {
                    run.lost = true;
                }
                checkpointed = best;
                lastCheckpoint = System.nanoTime();
            }
        }
        if (run.lost) {
            log.info("job {}: lease lost; another server holds it now", job.id());
            return;
        }
        boolean handOver = !active && !run.cancel && run.solvedMs < job.timeLimitMs();
        if (best != null && best != checkpointed) {
            checkpointPlan = UUID.fromString(plans.storeJobPlan(tenant, request, best));
            if (handOver) {
                jobs.checkpoint(job.id(), owner, run.solvedMs, best.plan().objective() / SECONDS_PER_MINUTE,
                        best.plan().assignments().size(), checkpointPlan, checkpointText(best));
            }
        }
        if (handOver) {
            jobs.release(job.id(), owner, run.solvedMs);
            log.info("job {}: handed back at shutdown after {} ms of {}", job.id(), run.solvedMs, job.timeLimitMs());
            return;
        }
        Double objective = best == null ? null : best.plan().objective() / SECONDS_PER_MINUTE;
        Integer assigned = best == null ? null : best.plan().assignments().size();
        if (jobs.finish(job.id(), owner, run.cancel ? "cancelled" : "done", run.solvedMs, objective, assigned,
                checkpointPlan, null)) {
            finished.increment();
        }
    }

    /**
     * The best plan with the strongest bound any slice proved. A slice's bound holds for every plan
     * placing at least as many vessels as that slice's plan, so it holds for the best plan (which
     * places at least as many) as well.
     */
    private static SolveResult withStrongerBound(SolveResult best, Bound earlier, SolveResult latest) {
        Bound strongest = best.bound();
        for (Bound b : new Bound[] {earlier, latest.bound()}) {
            if (b != null && (strongest == null || b.lowerBound() > strongest.lowerBound())) {
                strongest = b;
            }
        }
        if (strongest == null || strongest == best.bound()) {
            return best;
        }
        double objective = best.plan().objective();
        double lower = Math.min(strongest.lowerBound(), objective);
        double gap = objective <= 0 ? 0 : (objective - lower) / objective;
        boolean optimal = best.plan().unassigned().stream().allMatch(u -> u.reason() != UnassignedReason.BERTH_CAPACITY)
                && gap <= 1e-9;
        return new SolveResult(best.plan(), best.stats(), new Bound(lower, optimal ? 0 : gap, optimal,
                strongest.iterations(), strongest.bucketWidth(), strongest.millis()));
    }

    /** More vessels placed first, then a lower weighted turnaround. */
    private static boolean better(SolveResult a, SolveResult b) {
        if (b == null) {
            return true;
        }
        int placedA = a.plan().assignments().size();
        int placedB = b.plan().assignments().size();
        return placedA != placedB ? placedA > placedB : a.plan().objective() < b.plan().objective() - 1e-9;
    }

    private static void live(Run run, double objectiveSeconds, int assigned) {
        double minutes = objectiveSeconds / SECONDS_PER_MINUTE;
        Integer was = run.liveAssigned;
        if (was == null || assigned > was || (assigned == was && minutes < run.liveObjective)) {
            run.liveAssigned = assigned;
            run.liveObjective = minutes;
        }
    }

    private void heartbeat(Run run) {
        while (!run.lost) {
            try {
                Thread.sleep(properties.heartbeat().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                var answer = jobs.heartbeat(run.id, owner, properties.lease().toMillis(), run.solvedMs, run.liveObjective,
                        run.liveAssigned);
                if (answer.isEmpty()) {
                    run.lost = true;
                } else if (answer.get()) {
                    run.cancel = true;
                }
            } catch (RuntimeException e) {
                log.debug("job {} heartbeat failed: {}", run.id, e.getMessage());
            }
        }
    }

    private static String checkpointText(SolveResult result) {
        StringBuilder s = new StringBuilder();
        for (Assignment a : result.plan().assignments()) {
            s.append(a.vessel()).append('\t').append(a.berth()).append('\t').append(a.start()).append('\n');
        }
        return s.toString();
    }

    private static List<Assignment> parseCheckpoint(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        List<Assignment> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                long start = Long.parseLong(f[2]);
                out.add(new Assignment(f[0], f[1], start, start));
            }
        }
        return out;
    }

    private void callbackLoop() {
        while (active) {
            try {
                var due = jobs.claimCallback(properties.callbackTimeout().toMillis() * 3);
                if (due.isPresent()) {
                    deliver(due.get());
                    continue;
                }
            } catch (DataAccessException e) {
                log.debug("callback claim failed: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.warn("callback delivery failed", e);
            }
            sleep(properties.poll().toMillis());
        }
    }

    private void deliver(JobRepository.DueCallback due) {
        JobView view = jobs.find(due.tenant(), due.id()).orElse(null);
        if (view == null) {
            jobs.callbackDone(due.id(), false);
            return;
        }
        byte[] body = json.writeValueAsBytes(view);
        long now = System.currentTimeMillis() / 1000;
        int status;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(due.url()))
                    .timeout(properties.callbackTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "portopt-webhook")
                    .header(Webhooks.SIGNATURE_HEADER, Webhooks.signature(properties.webhookSecret(), now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            status = -1;
        }
        if (status >= 200 && status < 300) {
            jobs.callbackDone(due.id(), true);
        } else if (due.attempts() >= properties.callbackAttempts()) {
            log.warn("job {}: webhook failed {} times (last status {}); giving up", due.id(), due.attempts(), status);
            jobs.callbackDone(due.id(), false);
        } else {
            // Exponential backoff with full jitter: 1 s, 2 s, 4 s ... capped at a minute.
            long cap = Math.min(60_000, 1000L << Math.min(16, due.attempts() - 1));
            jobs.callbackRetryIn(due.id(), ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(10, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
