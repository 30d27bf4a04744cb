package io.portopt.server.tenant;

import java.time.Instant;

/** A stored API key: the hash of the key, never the key itself. */
public record KeyRecord(String id, String tenantId, byte[] keyHash, Instant createdAt, Instant revokedAt,
                        Double ratePerSecond) {
    public boolean revoked() {
        return revokedAt != null;
    }

    public Tenant tenant() {
        return new Tenant(tenantId, ratePerSecond);
    }
}
