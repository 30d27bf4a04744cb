package io.portopt.server.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.db.ReadRouting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Verifies bearer keys against PostgreSQL, with a short-lived local cache in front. Revocation
 * reaches every server at once through the Redis invalidation channel; the cache lifetime bounds it
 * when Redis is down. When PostgreSQL cannot be asked, the last answer this server had stays valid
 * (a database outage must not lock every client out), but only for keys it had verified before.
 */
@Service
public class KeyVerifier {
    /** Invalidation message prefixes: a key changed, or a tenant's settings changed. */
    public static final String KEY_MESSAGE = "key:";
    public static final String TENANT_MESSAGE = "tenant:";
    private static final Logger log = LoggerFactory.getLogger(KeyVerifier.class);
    private static final Duration FRESH_FOR = Duration.ofSeconds(3);
    private static final int MAX_ENTRIES = 100_000;
    private static final int MAX_CONCURRENT_LOOKUPS = 3;
    private static final Duration LOOKUP_WAIT = Duration.ofMillis(250);
    private final java.util.concurrent.Semaphore lookups = new java.util.concurrent.Semaphore(MAX_CONCURRENT_LOOKUPS);

    private final ReadRouting reads;
    /** keyId -> the stored key, or empty for "no such key"; re-read after {@link #FRESH_FOR}. */
    private final Cache<String, Optional<KeyRecord>> fresh;
    /**
     * Whole bearer token -> its tenant, for tokens verified in the last {@link #FRESH_FOR}: the hot
     * path skips parsing and hashing. Only verified tokens get here, so guessing cannot fill it.
     */
    private final Cache<String, Verified> verified;
    /** keyId -> the last stored key seen, served while the database is unreachable. */
    private final ConcurrentMap<String, KeyRecord> lastKnown = new ConcurrentHashMap<>();
    /** Key ids being re-read in the background (one read per key at a time). */
    private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();

    public KeyVerifier(ReadRouting reads, SharedCache shared) {
        this.reads = reads;
        this.fresh = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(FRESH_FOR).build();
        this.verified = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(FRESH_FOR).build();
        shared.onInvalidation(message -> {
            if (message.startsWith(KEY_MESSAGE)) {
                String id = message.substring(KEY_MESSAGE.length());
                fresh.invalidate(id);
                verified.asMap().values().removeIf(v -> v.keyId().equals(id));
                lastKnown.remove(id);
            } else if (message.startsWith(TENANT_MESSAGE)) {
                fresh.invalidateAll();
                verified.invalidateAll();
            }
        });
        // Messages sent while disconnected are lost: start over from the database.
        shared.onReconnect(() -> {
            fresh.invalidateAll();
            verified.invalidateAll();
        });
    }

    /** The tenant the bearer token belongs to; empty when the token is malformed, unknown or revoked. */
    public Optional<Tenant> verify(String token) {
        Verified known = verified.getIfPresent(token);
        if (known != null) {
            return Optional.of(known.tenant());
        }
        Optional<ApiKey> key = ApiKey.parse(token);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        Optional<KeyRecord> stored = lookup(key.get().id());
        Optional<Tenant> tenant = stored.filter(r -> !r.revoked() && key.get().matches(r.keyHash())).map(KeyRecord::tenant);
        tenant.ifPresent(t -> verified.put(token, new Verified(key.get().id(), t)));
        return tenant;
    }

    private record Verified(String keyId, Tenant tenant) {
    }

    /** Thrown when too many unknown keys are being looked up at once; the caller answers 503. */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("API key verification is busy", null, false, false);
        }
    }

    /**
     * The stored key: from the 3-second cache; else, for a key this server has seen, the last answer
     * at once while one background read refreshes it (a slow or stopped primary must not stall or
     * refuse every request of a valid key); else, for an id never seen, a database read now.
     */
    private Optional<KeyRecord> lookup(String keyId) {
        Optional<KeyRecord> cached = fresh.getIfPresent(keyId);
        if (cached != null) {
            return cached;
        }
        KeyRecord known = lastKnown.get(keyId);
        if (known != null) {
            if (refreshing.add(keyId)) {
                Thread.ofVirtual().name("key-refresh").start(() -> {
                    try {
                        read(keyId);
                    } catch (RuntimeException e) {
                        // Still unreachable: keep the last answer, and try again in a few seconds.
                        fresh.put(keyId, Optional.of(known));
                    } finally {
                        refreshing.remove(keyId);
                    }
                });
            }
            return Optional.of(known);
        }
        try {
            return read(keyId);
        } catch (DataAccessException e) {
            // Not "unknown": the key may well be valid. A 503 with Retry-After lets the client try
            // again (on another server, or once the database answers); a 401 would tell it to give up.
            log.warn("API key {} cannot be verified: PostgreSQL unreachable ({})", keyId, e.getMessage());
            throw new Busy();
        }
    }

    /**
     * Reads a key from the database and caches the answer. Made-up key ids each cost a query: a
     * flood of them may use a few connections, never the whole pool that plan writes and port reads
     * share, so at most {@value #MAX_CONCURRENT_LOOKUPS} run at once and the rest are {@link Busy}.
     */
    private Optional<KeyRecord> read(String keyId) {
        boolean permitted;
        try {
            permitted = lookups.tryAcquire(LOOKUP_WAIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy();
        }
        if (!permitted) {
            throw new Busy();
        }
        Optional<KeyRecord> stored;
        try {
            stored = reads.readFresh(db -> TenantRepository.find(db, keyId));
        } finally {
            lookups.release();
        }
        fresh.put(keyId, stored);
        stored.ifPresentOrElse(r -> lastKnown.put(keyId, r), () -> lastKnown.remove(keyId));
        return stored;
    }
}
