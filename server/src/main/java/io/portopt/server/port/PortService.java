package io.portopt.server.port;

import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.cache.CacheProperties;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.cache.TwoTierCache;
import io.portopt.server.db.ReadRouting;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Port constraint data: PostgreSQL is the truth, both cache tiers sit in front. A PUT evicts the
 * entry here and in Redis and tells the other servers to drop their local copy. Reads prefer the
 * replica; the invalidation carries the new version, and a replica answer older than the newest
 * version this server has heard of is read again from the primary, so a lagging replica cannot put a
 * stale port back into the cache.
 */
@Service
public class PortService {
    private static final String CACHE_NAME = "port";
    private final PortRepository repository;
    private final TwoTierCache<PortData> cache;
    private final ReadRouting reads;
    private final Map<String, Long> newestVersion = new ConcurrentHashMap<>();

    public PortService(PortRepository repository, ReadRouting reads, SharedCache shared, CacheProperties properties,
                       JsonMapper mapper, MeterRegistry registry) {
        this.repository = repository;
        this.reads = reads;
        this.cache = new TwoTierCache<>(CACHE_NAME, properties.localPortEntries(), properties.portTtl(),
                shared, properties.portTtl(), mapper::writeValueAsBytes, b -> mapper.readValue(b, PortData.class),
                registry);
        // Messages are "port:<tenant>/<code>:<version>"; codes and tenant ids contain neither ':' nor '/'.
        shared.onInvalidation(message -> {
            if (message.startsWith(CACHE_NAME + ":")) {
                String[] parts = message.substring(CACHE_NAME.length() + 1).split(":", 2);
                if (parts.length == 2) {
                    newestVersion.merge(parts[0], parseVersion(parts[1]), Math::max);
                }
                cache.evictLocal(parts[0]);
            }
        });
        shared.onReconnect(cache::clearLocal);
    }

    /** A port belongs to its tenant; another tenant's port of the same code is a different port. */
    private static String key(String tenant, String code) {
        return tenant + "/" + code;
    }

    public Optional<PortData> find(String tenant, String code) {
        String key = key(tenant, code);
        TwoTierCache.Hit<PortData> hit = cache.get(key);
        if (hit != null) {
            return Optional.of(hit.value());
        }
        long floor = newestVersion.getOrDefault(key, 0L);
        Optional<PortData> port = reads.read(db -> PortRepository.find(db, tenant, code).filter(p -> p.version() >= floor));
        port.ifPresent(p -> cache.put(key, p));
        return port;
    }

    public PortData save(String tenant, String code, PortBody body) {
        String key = key(tenant, code);
        PortData saved = repository.upsert(tenant, code, body);
        newestVersion.merge(key, saved.version(), Math::max);
        cache.evictEverywhere(key, key + ":" + saved.version());
        return saved;
    }

    private static long parseVersion(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public List<PortSummary> list(String tenant, int limit) {
        return repository.list(tenant, limit);
    }
}
