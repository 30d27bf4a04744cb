package io.portopt.server.port;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Port constraint data in PostgreSQL: a PUT replaces the port's berths, closures and tide in one transaction. */
@Repository
class PortRepository {
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    PortRepository(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Stores the port and returns its new version; true in {@code created} when it did not exist. */
    PortData upsert(String tenant, String code, PortBody body) {
        return tx.execute(status -> {
            Double threshold = body.tide() == null ? null : body.tide().draftThresholdM();
            long version = jdbc.sql("""
                    INSERT INTO port (tenant_id, code, name, tide_draft_threshold_m, version, updated_at)
                    VALUES (?, ?, ?, ?, 1, now())
                    ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name,
                        tide_draft_threshold_m = excluded.tide_draft_threshold_m,
                        version = port.version + 1, updated_at = now()
                    RETURNING version
                    """).params(tenant, code, body.name(), threshold).query(Long.class).single();
            jdbc.sql("DELETE FROM berth WHERE tenant_id = ? AND port_code = ?").params(tenant, code).update();
            jdbc.sql("DELETE FROM tide_window WHERE tenant_id = ? AND port_code = ?").params(tenant, code).update();
            List<BerthData> berths = body.berths() == null ? List.of() : body.berths();
            for (int i = 0; i < berths.size(); i++) {
                BerthData b = berths.get(i);
                jdbc.sql("""
                        INSERT INTO berth (tenant_id, port_code, id, position, length_m, depth_m, opens_at, closes_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """).params(tenant, code, b.id(), i, b.lengthM(), b.depthM(), ts(b.opensAt()), ts(b.closesAt())).update();
                if (b.closures() != null) {
                    for (TimeWindow c : b.closures()) {
                        jdbc.sql("""
                                        INSERT INTO berth_closure (tenant_id, port_code, berth_id, from_at, to_at)
                                        VALUES (?, ?, ?, ?, ?)
                                        """)
                                .params(tenant, code, b.id(), ts(c.from()), ts(c.to())).update();
                    }
                }
            }
            if (body.tide() != null && body.tide().windows() != null) {
                for (TimeWindow w : body.tide().windows()) {
                    jdbc.sql("INSERT INTO tide_window (tenant_id, port_code, from_at, to_at) VALUES (?, ?, ?, ?)")
                            .params(tenant, code, ts(w.from()), ts(w.to())).update();
                }
            }
            return find(jdbc, tenant, code).orElseThrow();
        });
    }

    /** Reads a port from the given database (the replica or the primary). */
    static Optional<PortData> find(JdbcClient jdbc, String tenant, String code) {
        record Head(String code, String name, Double threshold, long version, Instant updatedAt) {
        }
        Optional<Head> head = jdbc.sql("SELECT code, name, tide_draft_threshold_m, version, updated_at FROM port WHERE tenant_id = ? AND code = ?")
                .params(tenant, code)
                .query((rs, n) -> new Head(rs.getString(1), rs.getString(2), (Double) rs.getObject(3),
                        rs.getLong(4), instant(rs, 5)))
                .optional();
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<TimeWindow>> closures = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT berth_id, from_at, to_at FROM berth_closure
                        WHERE tenant_id = ? AND port_code = ? ORDER BY berth_id, from_at
                        """)
                .params(tenant, code)
                .query(rs -> {
                    closures.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new TimeWindow(instant(rs, 2), instant(rs, 3)));
                });
        List<BerthData> berths = jdbc.sql("""
                        SELECT id, length_m, depth_m, opens_at, closes_at FROM berth
                        WHERE tenant_id = ? AND port_code = ? ORDER BY position
                        """)
                .params(tenant, code)
                .query((rs, n) -> new BerthData(rs.getString(1), (Double) rs.getObject(2), (Double) rs.getObject(3),
                        instant(rs, 4), instant(rs, 5),
                        closures.getOrDefault(rs.getString(1), List.of())))
                .list();
        TideData tide = null;
        Head h = head.get();
        if (h.threshold() != null) {
            List<TimeWindow> windows = jdbc.sql("""
                            SELECT from_at, to_at FROM tide_window WHERE tenant_id = ? AND port_code = ? ORDER BY from_at
                            """)
                    .params(tenant, code)
                    .query((rs, n) -> new TimeWindow(instant(rs, 1), instant(rs, 2)))
                    .list();
            tide = new TideData(h.threshold(), windows);
        }
        return Optional.of(new PortData(h.code(), h.name(), berths, tide, h.version(), h.updatedAt()));
    }

    List<PortSummary> list(String tenant, int limit) {
        return jdbc.sql("""
                        SELECT p.code, p.name, p.version, p.updated_at,
                               (SELECT count(*) FROM berth b WHERE b.tenant_id = p.tenant_id AND b.port_code = p.code)
                        FROM port p WHERE p.tenant_id = ? ORDER BY p.code LIMIT ?
                        """)
                .params(tenant, limit)
                .query((rs, n) -> new PortSummary(rs.getString(1), rs.getString(2), rs.getInt(5),
                        rs.getLong(3), instant(rs, 4)))
                .list();
    }

    private static OffsetDateTime ts(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
