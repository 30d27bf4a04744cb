package io.portopt.server.plan;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/** Plans in PostgreSQL; the body is stored as the JSON text that was served. */
@Repository
class PlanRepository {
    private final JdbcClient jdbc;

    PlanRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(PlanRecord plan) {
        jdbc.sql("""
                INSERT INTO plan (id, tenant_id, fingerprint, port_code, source, vessels, objective, solve_millis, body,
                                  created_at, request, based_on)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?::json, ?)
                ON CONFLICT (id) DO NOTHING
                """)
                .params(UUID.fromString(plan.id()), plan.tenant(), plan.fingerprint(), plan.port(), plan.source(), plan.vessels(),
                        plan.objective(), plan.solveMillis(), new String(plan.body(), StandardCharsets.UTF_8),
                        plan.createdAt().atOffset(java.time.ZoneOffset.UTC),
                        plan.request() == null ? null : new String(plan.request(), StandardCharsets.UTF_8),
                        plan.basedOn() == null ? null : UUID.fromString(plan.basedOn()))
                .update();
    }

    /** The request a plan answers, as stored with it (null for plans stored before requests were). */
    static Optional<byte[]> findRequest(JdbcClient db, String tenant, UUID id) {
        return db.sql("SELECT request::text FROM plan WHERE id = ? AND tenant_id = ? AND request IS NOT NULL")
                .params(id, tenant)
                .query((rs, n) -> rs.getString(1).getBytes(StandardCharsets.UTF_8))
                .optional();
    }

    /** Reads a body from the given database (the replica or the primary). */
    static Optional<byte[]> findBody(JdbcClient db, String tenant, UUID id) {
        return db.sql("SELECT body::text FROM plan WHERE id = ? AND tenant_id = ?")
                .params(id, tenant)
                .query((rs, n) -> rs.getString(1).getBytes(StandardCharsets.UTF_8))
                .optional();
    }
}
