package io.portopt.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.system.MetricNames;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A Caffeine tier in front of the shared Redis tier, for one kind of value. A shared hit is copied
 * into the local tier. Values cross to Redis as bytes through the given encoder and decoder.
 */
public final class TwoTierCache<V> {
    /** Where a value was found. */
    public enum Tier { LOCAL, SHARED }

    public record Hit<V>(V value, Tier tier) {
    }

    private final String name;
    private final Cache<String, V> local;
    private final SharedCache shared;
    private final Duration sharedTtl;
    private final Function<V, byte[]> encode;
    private final Function<byte[], V> decode;
    private final Counter localHits;
    private final Counter sharedHits;
    private final Counter misses;

    public TwoTierCache(String name, long localEntries, Duration localTtl, SharedCache shared, Duration sharedTtl,
                        Function<V, byte[]> encode, Function<byte[], V> decode, MeterRegistry registry) {
        this.name = name;
        this.local = Caffeine.newBuilder().maximumSize(localEntries).expireAfterWrite(localTtl).build();
        this.shared = shared;
        this.sharedTtl = sharedTtl;
        this.encode = encode;
        this.decode = decode;
        this.localHits = lookups(registry, "local", "hit");
        this.sharedHits = lookups(registry, "redis", "hit");
        this.misses = lookups(registry, "redis", "miss");
    }

    private Counter lookups(MeterRegistry registry, String tier, String result) {
        return Counter.builder(MetricNames.CACHE_LOOKUPS).tag("cache", name).tag("tier", tier).tag("result", result)
                .register(registry);
    }

    public Hit<V> get(String key) {
        V value = local.getIfPresent(key);
        if (value != null) {
            localHits.increment();
            return new Hit<>(value, Tier.LOCAL);
        }
        return sharedResult(key, shared.get(sharedKey(key)));
    }

    /**
     * As {@link #get}, but a local miss only starts the Redis read: the caller overlaps the round
     * trip with its own work and joins the future when it needs the answer (never fails; null = miss).
     */
    public CompletableFuture<Hit<V>> lookup(String key) {
        V value = local.getIfPresent(key);
        if (value != null) {
            localHits.increment();
            return CompletableFuture.completedFuture(new Hit<>(value, Tier.LOCAL));
        }
        return shared.getAsync(sharedKey(key)).thenApply(bytes -> sharedResult(key, bytes));
    }

    private Hit<V> sharedResult(String key, byte[] bytes) {
        V value = null;
        if (bytes != null) {
            try {
                value = decode.apply(bytes);
            } catch (RuntimeException e) {
                // An entry we cannot read (older format) is a miss; the next put replaces it.
                value = null;
            }
        }
        if (value != null) {
            sharedHits.increment();
            local.put(key, value);
            return new Hit<>(value, Tier.SHARED);
        }
        misses.increment();
        return null;
    }

    /**
     * Stores the value unless the key already holds one, in Redis (SET NX) when it can be asked,
     * else locally; returns the value that was there first (null when this one was stored).
     */
    public V putIfAbsent(String key, V value) {
        Boolean created = shared.setIfAbsent(sharedKey(key), encode.apply(value), sharedTtl);
        if (Boolean.FALSE.equals(created)) {
            Hit<V> existing = sharedResult(key, shared.get(sharedKey(key)));
            if (existing != null) {
                return existing.value();
            }
        }
        if (Boolean.TRUE.equals(created)) {
            local.put(key, value);
            return null;
        }
        return local.asMap().putIfAbsent(key, value);
    }

    /** As {@link #putIfAbsent}, without waiting for Redis: the first value stays, unseen here. */
    public void putIfAbsentAsync(String key, V value) {
        local.asMap().putIfAbsent(key, value);
        shared.setIfAbsentAsync(sharedKey(key), encode.apply(value), sharedTtl);
    }

    public void put(String key, V value) {
        local.put(key, value);
        shared.set(sharedKey(key), encode.apply(value), sharedTtl);
    }

    /** Drops the entry here and in Redis; other servers drop theirs on the invalidation message. */
    public void evictEverywhere(String key) {
        evictEverywhere(key, key);
    }

    /** As {@link #evictEverywhere(String)}, with a message body ({@code key[:extra]}) for the listeners. */
    public void evictEverywhere(String key, String message) {
        local.invalidate(key);
        shared.delete(sharedKey(key));
        shared.publishInvalidation(name + ":" + message);
    }

    public void evictLocal(String key) {
        local.invalidate(key);
    }

    public void clearLocal() {
        local.invalidateAll();
    }

    public String name() {
        return name;
    }

    private String sharedKey(String key) {
        return "portopt:" + name + ":" + key;
    }
}
