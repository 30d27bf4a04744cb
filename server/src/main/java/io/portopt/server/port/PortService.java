package io.portopt.server.port;

import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.cache.CacheProperties;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.cache.TwoTierCache;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Optional;

/**
 * Port constraint data: PostgreSQL is the truth, both cache tiers sit in front. A PUT evicts the
 * entry here and in Redis and tells the other servers to drop their local copy.
 */
@Service
public class PortService {
    private static final String CACHE_NAME = "port";
    private final PortRepository repository;
    private final TwoTierCache<PortData> cache;

    public PortService(PortRepository repository, SharedCache shared, CacheProperties properties,
                       JsonMapper mapper, MeterRegistry registry) {
        this.repository = repository;
        this.cache = new TwoTierCache<>(CACHE_NAME, properties.localPortEntries(), properties.portTtl(),
                shared, properties.portTtl(), mapper::writeValueAsBytes, b -> mapper.readValue(b, PortData.class),
                registry);
        shared.onInvalidation(message -> {
            if (message.startsWith(CACHE_NAME + ":")) {
                cache.evictLocal(message.substring(CACHE_NAME.length() + 1));
            }
        });
        shared.onReconnect(cache::clearLocal);
    }

    public Optional<PortData> find(String code) {
        TwoTierCache.Hit<PortData> hit = cache.get(code);
        if (hit != null) {
            return Optional.of(hit.value());
        }
        Optional<PortData> port = repository.find(code);
        port.ifPresent(p -> cache.put(code, p));
        return port;
    }

    public PortData save(String code, PortBody body) {
        PortData saved = repository.upsert(code, body);
        cache.evictEverywhere(code);
        return saved;
    }

    public List<PortSummary> list(int limit) {
        return repository.list(limit);
    }
}
