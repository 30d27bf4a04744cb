package io.portopt.server.cache;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portopt.server.RealServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Two "servers" (two cache stacks) sharing the real Redis. */
class TwoTierCacheTest {
    private final List<SharedCache> opened = new ArrayList<>();

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @AfterEach
    void close() {
        opened.forEach(SharedCache::destroy);
    }

    private SharedCache shared(String url) {
        // A generous command timeout: this runs on a busy 2-core machine beside other builds.
        CacheProperties p = new CacheProperties(url, Duration.ofSeconds(2), 100, Duration.ofMinutes(1),
                Duration.ofMinutes(1), 100, Duration.ofMinutes(1), "");
        SharedCache c = new SharedCache(p, new SimpleMeterRegistry());
        opened.add(c);
        return c;
    }

    private static TwoTierCache<String> cache(SharedCache shared) {
        TwoTierCache<String> c = new TwoTierCache<>("test", 100, Duration.ofMinutes(1), shared, Duration.ofMinutes(1),
                s -> s.getBytes(StandardCharsets.UTF_8), b -> new String(b, StandardCharsets.UTF_8), new SimpleMeterRegistry());
        shared.onInvalidation(m -> {
            if (m.startsWith("test:")) {
                c.evictLocal(m.substring(5));
            }
        });
        return c;
    }

    @Test
    void aValuePutOnOneServerIsASharedHitOnAnotherThenLocal() {
        TwoTierCache<String> a = cache(shared(RealServices.REDIS_URL));
        TwoTierCache<String> b = cache(shared(RealServices.REDIS_URL));
        String key = UUID.randomUUID().toString();
        assertThat(b.get(key)).isNull();
        a.put(key, "plan-1");
        // The shared write is asynchronous (off the request path): give it a moment to land.
        TwoTierCache.Hit<String> hit = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (hit == null && System.nanoTime() < deadline) {
            hit = b.get(key);
        }
        assertThat(hit).isEqualTo(new TwoTierCache.Hit<>("plan-1", TwoTierCache.Tier.SHARED));
        assertThat(b.get(key)).isEqualTo(new TwoTierCache.Hit<>("plan-1", TwoTierCache.Tier.LOCAL));
    }

    @Test
    void theFirstValuePutIfAbsentWinsAcrossServersAndTheLaterWriterLearnsIt() {
        TwoTierCache<String> a = cache(shared(RealServices.REDIS_URL));
        TwoTierCache<String> b = cache(shared(RealServices.REDIS_URL));
        String key = UUID.randomUUID().toString();
        assertThat(a.putIfAbsent(key, "first")).isNull();
        assertThat(b.putIfAbsent(key, "second")).isEqualTo("first");
        assertThat(b.get(key).value()).isEqualTo("first");
        assertThat(a.putIfAbsent(key, "third")).isEqualTo("first");
    }

    @Test
    void evictingEverywhereDropsTheOtherServersLocalCopy() throws Exception {
        TwoTierCache<String> a = cache(shared(RealServices.REDIS_URL));
        TwoTierCache<String> b = cache(shared(RealServices.REDIS_URL));
        String key = UUID.randomUUID().toString();
        a.put(key, "v1");
        long landed = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (b.get(key) == null && System.nanoTime() < landed) {
            Thread.sleep(10);
        }
        assertThat(b.get(key)).isNotNull();
        a.evictEverywhere(key);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (b.get(key) != null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(b.get(key)).isNull();
    }

    @Test
    void anUnreachableRedisIsAMissNotAnError() {
        SharedCache down = shared("redis://127.0.0.1:1/0");
        TwoTierCache<String> c = cache(down);
        long t0 = System.nanoTime();
        assertThat(c.get("anything")).isNull();
        c.put("k", "v");
        assertThat(c.get("k")).isEqualTo(new TwoTierCache.Hit<>("v", TwoTierCache.Tier.LOCAL));
        assertThat(down.isAvailable()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
}
