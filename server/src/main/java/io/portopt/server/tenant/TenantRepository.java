package io.portopt.server.tenant;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Tenants and API keys in PostgreSQL. Plain JDBC so that the {@code ./portopt keys} command can use
 * it without starting a server; every statement is parameterised.
 */
public final class TenantRepository {
    private static final String KEY_COLUMNS = """
            SELECT k.id, k.tenant_id, k.key_hash, k.created_at, k.revoked_at, t.rate_per_second
            FROM api_key k JOIN tenant t ON t.id = k.tenant_id
            """;

    private final JdbcClient jdbc;

    public TenantRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the tenant, or updates its rate when one is given; null keeps an existing rate. */
    public void upsertTenant(String tenantId, Double ratePerSecond, boolean setRate) {
        if (setRate) {
            jdbc.sql("""
                    INSERT INTO tenant (id, rate_per_second) VALUES (?, ?)
                    ON CONFLICT (id) DO UPDATE SET rate_per_second = excluded.rate_per_second
                    """).params(tenantId, ratePerSecond).update();
        } else {
            jdbc.sql("INSERT INTO tenant (id) VALUES (?) ON CONFLICT (id) DO NOTHING").param(tenantId).update();
        }
    }

    public void insertKey(ApiKey key, String tenantId) {
        jdbc.sql("INSERT INTO api_key (id, tenant_id, key_hash) VALUES (?, ?, ?)")
                .params(key.id(), tenantId, key.hash()).update();
    }

    /** Marks the key revoked; false when no such key exists (or it was revoked before). */
    public boolean revoke(String keyId) {
        return jdbc.sql("UPDATE api_key SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")
                .param(keyId).update() == 1;
    }

    public List<KeyRecord> list() {
        return jdbc.sql(KEY_COLUMNS + " ORDER BY k.tenant_id, k.created_at").query(TenantRepository::row).list();
    }

    public static Optional<KeyRecord> find(JdbcClient db, String keyId) {
        return db.sql(KEY_COLUMNS + " WHERE k.id = ?").param(keyId).query(TenantRepository::row).optional();
    }

    public Optional<KeyRecord> find(String keyId) {
        return find(jdbc, keyId);
    }

    private static KeyRecord row(ResultSet rs, int n) throws SQLException {
        return new KeyRecord(rs.getString(1), rs.getString(2), rs.getBytes(3), instant(rs, 4), instant(rs, 5),
                (Double) rs.getObject(6));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
