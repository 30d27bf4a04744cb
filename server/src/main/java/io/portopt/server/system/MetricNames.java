package io.portopt.server.system;

/** Every portopt metric name, in one place; dashboards and alert rules use exactly these. */
public final class MetricNames {
    /** Plan responses by rung ({@code source}) and degradation reason. */
    public static final String PLANS = "portopt.plans";
    /** Time to answer a plan request, by rung. */
    public static final String PLAN_LATENCY = "portopt.plan.latency";
    /** Wall time of solver runs, by kind (full, heuristic, repair). */
    public static final String SOLVE_DURATION = "portopt.solve.duration";
    /** Cache lookups by cache (plan, port), tier (local, redis) and result (hit, miss). */
    public static final String CACHE_LOOKUPS = "portopt.cache.lookups";
    public static final String CACHE_ERRORS = "portopt.cache.errors";
    /** Solves running now, and requests waiting for a solver slot. */
    public static final String SOLVES_IN_FLIGHT = "portopt.solves.in.flight";
    public static final String SOLVER_QUEUE_DEPTH = "portopt.solver.queue.depth";
    public static final String SOLVER_QUEUE_WAIT = "portopt.solver.queue.wait";
    /** Heuristic constructions and repairs running or queued on the small pool. */
    public static final String HEURISTIC_IN_FLIGHT = "portopt.heuristic.in.flight";
    /** Requests refused with 429 because their tenant was over its rate. */
    public static final String RATE_LIMITED = "portopt.rate.limited";
    /** Requests refused with 401 (no key, an unknown key or a revoked one). */
    public static final String UNAUTHENTICATED = "portopt.unauthenticated";
    /** Requests refused with 503 + Retry-After. */
    public static final String SHED = "portopt.shed";
    /** Plans waiting to be written to PostgreSQL, and plans dropped because that buffer was full. */
    public static final String WRITE_BEHIND_BACKLOG = "portopt.write.behind.backlog";
    public static final String WRITE_BEHIND_DROPPED = "portopt.write.behind.dropped";
    /** Request-log rows dropped because the log buffer was full. */
    public static final String REQUEST_LOG_DROPPED = "portopt.request.log.dropped";
    /** WAL bytes the read replica is behind the primary. */
    public static final String REPLICA_LAG_BYTES = "portopt.replica.lag.bytes";
    /** 1 when a dependency (tag {@code dependency}) answers. */
    public static final String DEPENDENCY_UP = "portopt.dependency.up";

    private MetricNames() {
    }
}
