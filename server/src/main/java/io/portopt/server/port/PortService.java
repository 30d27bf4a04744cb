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

    public Optional<PortData> find(String code) {
        TwoTierCache.Hit<PortData> hit = cache.get(code);
        if (hit != null) {
            return Optional.of(hit.value());
        }
        long floor = newestVersion.getOrDefault(code, 0L);
        Optional<PortData> port = reads.read(db -> PortRepository.find(db, code).filter(p -> p.version() >= floor));
        port.ifPresent(p -> cache.put(code, p));
        return port;
    }

    public PortData save(String code, PortBody body) {
        PortData saved = repository.upsert(code, body);
        newestVersion.merge(code, saved.version(), Math::max);
        cache.evictEverywhere(code, code + ":" + saved.version());
        return saved;
    }

    private static long parseVersion(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public List<PortSummary> list(int limit) {
        return repository.list(limit);
    }
}
