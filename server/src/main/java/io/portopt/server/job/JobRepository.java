package io.portopt.server.job;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The job queue in PostgreSQL (always the primary: a job's state must be read where it is written).
 * Every write of a running job is conditional on its lease: a server that lost the lease (it was
 * frozen, partitioned, or just slow) can neither checkpoint nor finish a job another server now holds.
 */
@Repository
class JobRepository {
    private static final String VIEW_COLUMNS = """
            id, state, time_limit_ms,
            (EXTRACT(EPOCH FROM (coalesce(finished_at, now()) - started_at)) * 1000)::bigint AS elapsed_ms,
            solved_ms, best_objective, best_assigned, best_plan_id, attempts, cancel_requested, error,
            created_at, started_at, finished_at, callback_state
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    JobRepository(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** A claimed job: what a server needs to run or resume it. */
    record Claimed(UUID id, String tenant, String request, String port, long timeLimitMs, long seed, long solvedMs,
                   String checkpoint, Double bestObjective, Integer bestAssigned, UUID bestPlanId, int attempts,
                   boolean cancelRequested, String callbackUrl) {
    }

    enum Submitted { CREATED, EXISTING, TOO_MANY }

    record Submission(Submitted outcome, UUID id, String fingerprint) {
    }

    /**
     * Queues a job unless the tenant already has {@code maxActive} queued or running, or the
     * Idempotency-Key was used before (then the existing job is named). Serialised per tenant by a
     * transaction-scoped advisory lock, so concurrent submissions cannot both pass the limit.
     */
    Submission submit(UUID id, String tenant, String idempotencyKey, String fingerprint, String request, String port,
                      long timeLimitMs, long seed, String callbackUrl, int maxActive) {
        return tx.execute(status -> {
            jdbc.sql("SELECT 1 FROM pg_advisory_xact_lock(hashtext('portopt-job:' || ?))").param(tenant).query(Integer.class).single();
            if (idempotencyKey != null) {
                Optional<Submission> existing = jdbc.sql("SELECT id, fingerprint FROM job WHERE tenant_id = ? AND idempotency_key = ?")
                        .params(tenant, idempotencyKey)
                        .query((rs, n) -> new Submission(Submitted.EXISTING, rs.getObject(1, UUID.class), rs.getString(2)))
                        .optional();
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            Integer active = jdbc.sql("SELECT count(*) FROM job WHERE tenant_id = ? AND state IN ('queued', 'running')")
                    .param(tenant).query(Integer.class).single();
            if (active >= maxActive) {
                return new Submission(Submitted.TOO_MANY, null, null);
            }
            jdbc.sql("""
                    INSERT INTO job (id, tenant_id, idempotency_key, fingerprint, state, request, port_code, time_limit_ms,
                                     seed, callback_url)
                    VALUES (?, ?, ?, ?, 'queued', ?::json, ?, ?, ?, ?)
                    """)
                    .params(id, tenant, idempotencyKey, fingerprint, request, port, timeLimitMs, seed, callbackUrl)
                    .update();
            return new Submission(Submitted.CREATED, id, fingerprint);
        });
    }

    Optional<JobView> find(String tenant, UUID id) {
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM job WHERE id = ? AND tenant_id = ?")
                .params(id, tenant)
                .query(JobRepository::view)
                .optional();
    }

    /**
     * Takes the oldest job that is queued, or running under a lease that ran out (its server died
     * or froze), and leases it to {@code owner}. SKIP LOCKED: servers claiming at the same moment
     * take different jobs instead of queueing on one row.
     */
    Optional<Claimed> claim(String owner, long leaseMillis) {
        return jdbc.sql("""
                UPDATE job SET state = 'running', lease_owner = ?, lease_until = now() + ? * interval '1 millisecond',
                               attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
                WHERE id = (SELECT id FROM job
                            WHERE state = 'queued' OR (state = 'running' AND lease_until < now())
                            ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
                RETURNING id, tenant_id, request::text, port_code, time_limit_ms, seed, solved_ms, checkpoint,
                          best_objective, best_assigned, best_plan_id, attempts, cancel_requested, callback_url
                """)
                .params(owner, leaseMillis)
                .query((rs, n) -> new Claimed(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getString(8), nullableDouble(rs, 9),
                        nullableInt(rs, 10), rs.getObject(11, UUID.class), rs.getInt(12), rs.getBoolean(13), rs.getString(14)))
                .optional();
    }

    /**
     * Renews the lease and records the progress; empty when the lease is no longer this server's,
     * else whether a cancel was requested.
     */
    Optional<Boolean> heartbeat(UUID id, String owner, long leaseMillis, long solvedMs, Double bestObjective,
                                Integer bestAssigned) {
        return jdbc.sql("""
                UPDATE job SET lease_until = now() + ? * interval '1 millisecond', solved_ms = ?,
                               best_objective = coalesce(?, best_objective), best_assigned = coalesce(?, best_assigned),
                               updated_at = now()
                WHERE id = ? AND lease_owner = ? AND state = 'running'
                RETURNING cancel_requested
                """)
                .params(leaseMillis, solvedMs, bestObjective, bestAssigned, id, owner)
                .query((rs, n) -> rs.getBoolean(1))
                .optional();
    }

    /** Records a checkpoint (a stored plan and its assignments); false when the lease is lost. */
    boolean checkpoint(UUID id, String owner, long solvedMs, double objective, int assigned, UUID planId, String assignments) {
        return jdbc.sql("""
                UPDATE job SET solved_ms = ?, best_objective = ?, best_assigned = ?, best_plan_id = ?, checkpoint = ?,
                               updated_at = now()
                WHERE id = ? AND lease_owner = ? AND state = 'running'
                """)
                .params(solvedMs, objective, assigned, planId, assignments, id, owner)
                .update() == 1;
    }

    /**
     * Ends a job held by {@code owner}: exactly one server can do this for a job, however many
     * believed they held it. A callback, when configured, becomes due at once.
     */
    boolean finish(UUID id, String owner, String state, long solvedMs, Double objective, Integer assigned, UUID planId,
                   String error) {
        return jdbc.sql("""
                UPDATE job SET state = ?, solved_ms = ?, best_objective = coalesce(?, best_objective),
                               best_assigned = coalesce(?, best_assigned), best_plan_id = coalesce(?, best_plan_id),
                               error = ?, finished_at = now(), lease_owner = NULL, lease_until = NULL, updated_at = now(),
                               callback_state = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END,
                               callback_next_at = CASE WHEN callback_url IS NULL THEN NULL ELSE now() END
                WHERE id = ? AND lease_owner = ? AND state = 'running'
                """)
                .params(state, solvedMs, objective, assigned, planId, error, id, owner)
                .update() == 1;
    }

    /** Gives a job back (a server shutting down): another server may claim it at once. */
    void release(UUID id, String owner, long solvedMs) {
        jdbc.sql("UPDATE job SET lease_until = now(), solved_ms = ?, updated_at = now() WHERE id = ? AND lease_owner = ? AND state = 'running'")
                .params(solvedMs, id, owner)
                .update();
    }

    /**
     * Asks a job to stop. A queued one is cancelled at once; a running one is flagged and stops at
     * its server's next heartbeat, keeping the best plan it found. Empty when not this tenant's.
     */
    Optional<JobView> requestCancel(String tenant, UUID id) {
        jdbc.sql("""
                UPDATE job SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
                               finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END,
                               cancel_requested = cancel_requested OR state IN ('queued', 'running'),
                               callback_state = CASE WHEN state = 'queued' AND callback_url IS NOT NULL THEN 'pending'
                                                     ELSE callback_state END,
                               callback_next_at = CASE WHEN state = 'queued' AND callback_url IS NOT NULL THEN now()
                                                       ELSE callback_next_at END,
                               updated_at = now()
                WHERE id = ? AND tenant_id = ?
                """)
                .params(id, tenant)
                .update();
        return find(tenant, id);
    }

    /** A finished job whose callback is due, leased for a while to this server so no other sends it too. */
    record DueCallback(UUID id, String tenant, String url, int attempts) {
    }

    Optional<DueCallback> claimCallback(long leaseMillis) {
        return jdbc.sql("""
                UPDATE job SET callback_next_at = now() + ? * interval '1 millisecond', callback_attempts = callback_attempts + 1
                WHERE id = (SELECT id FROM job WHERE callback_state = 'pending' AND callback_next_at <= now()
                            ORDER BY callback_next_at FOR UPDATE SKIP LOCKED LIMIT 1)
                RETURNING id, tenant_id, callback_url, callback_attempts
                """)
                .param(leaseMillis)
                .query((rs, n) -> new DueCallback(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getInt(4)))
                .optional();
    }

    void callbackDone(UUID id, boolean delivered) {
        jdbc.sql("UPDATE job SET callback_state = ?, callback_next_at = NULL WHERE id = ?")
                .params(delivered ? "delivered" : "failed", id).update();
    }

    void callbackRetryIn(UUID id, long delayMillis) {
        jdbc.sql("UPDATE job SET callback_next_at = now() + ? * interval '1 millisecond' WHERE id = ?")
                .params(delayMillis, id).update();
    }

    private static JobView view(ResultSet rs, int n) throws SQLException {
        long elapsed = Math.max(0, rs.getLong("elapsed_ms"));   // 0 (SQL NULL) until a server starts it
        return new JobView(rs.getObject("id", UUID.class).toString(), rs.getString("state"), rs.getLong("time_limit_ms"),
                elapsed, rs.getLong("solved_ms"), nullableDouble(rs, "best_objective"),
                nullableInt(rs, "best_assigned"), Optional.ofNullable(rs.getObject("best_plan_id", UUID.class)).map(UUID::toString).orElse(null),
                rs.getInt("attempts"), rs.getBoolean("cancel_requested"), rs.getString("error"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("finished_at")), rs.getString("callback_state"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double d = rs.getDouble(column);
        return rs.wasNull() ? null : d;
    }

    private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double d = rs.getDouble(column);
        return rs.wasNull() ? null : d;
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int i = rs.getInt(column);
        return rs.wasNull() ? null : i;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int i = rs.getInt(column);
        return rs.wasNull() ? null : i;
    }
}
