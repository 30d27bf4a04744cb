package io.portopt.server;

import io.portopt.server.tenant.ApiKey;
import io.portopt.server.tenant.TenantRepository;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.security.SecureRandom;
import java.util.UUID;

/** Tenants and keys for tests, made the way {@code ./portopt keys create} makes them. */
public final class TestTenants {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestTenants() {
    }

    /** A new tenant (unique name with the given prefix) without a rate limit; returns its key. */
    public static String newKey(JdbcClient jdbc, String prefix) {
        return newKey(jdbc, prefix, null);
    }

    /** A new tenant with the given rate (null: unlimited); returns its key. */
    public static String newKey(JdbcClient jdbc, String prefix, Double ratePerSecond) {
        String tenant = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return keyFor(jdbc, tenant, ratePerSecond);
    }

    public static String keyFor(JdbcClient jdbc, String tenant, Double ratePerSecond) {
        TenantRepository repository = new TenantRepository(jdbc);
        repository.upsertTenant(tenant, ratePerSecond, true);
        ApiKey key = ApiKey.generate(RANDOM);
        repository.insertKey(key, tenant);
        return key.token();
    }
}
