package io.portopt.server.plan;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portopt.server.cache.CacheProperties;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.db.ReadRouting;
import io.portopt.server.db.ReplicaProperties;
import io.portopt.server.system.ApiException;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The write-behind buffer against a PostgreSQL that cannot be reached (a real driver connecting to
 * a port nothing listens on): plans wait in the buffer and stay readable; once the buffer is full a
 * new plan is refused with 503 rather than handed out with an id that could be lost.
 */
class PlanStoreTest {
    private static PlanRecord plan(String body) {
        return new PlanRecord(UUID.randomUUID().toString(), "t1", "fp", null, "solved", 1, 1.0, 1,
                body.getBytes(StandardCharsets.UTF_8), Instant.now());
    }

    @Test
    void plansWaitInTheBufferWhileTheDatabaseIsDownAndAreRefusedWith503WhenItIsFull() {
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setURL("jdbc:postgresql://127.0.0.1:1/portopt?connectTimeout=1");
        unreachable.setUser("postgres");
        JdbcClient jdbc = JdbcClient.create(unreachable);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ReadRouting reads = new ReadRouting(jdbc, unreachable, new ReplicaProperties("", Duration.ofSeconds(1),
                Duration.ofSeconds(2), 1), meters);
        SharedCache noRedis = new SharedCache(new CacheProperties("", Duration.ofMillis(200), 10, Duration.ofMinutes(1),
                Duration.ofMinutes(1), 10, Duration.ofMinutes(1), ""), meters);
        PlanStore store = new PlanStore(new PlanRepository(jdbc), reads, noRedis,
                new PlanStoreProperties(2, Duration.ofSeconds(30), 100, Duration.ofHours(1)), meters,
                CircuitBreakerRegistry.ofDefaults());
        try {
            PlanRecord first = plan("{\"id\":1}");
            PlanRecord second = plan("{\"id\":2}");
            store.save(first);
            store.save(second);
            assertThat(store.backlog()).isEqualTo(2);
            assertThat(meters.get("portopt.write.behind.backlog").gauge().value()).isEqualTo(2.0);
            assertThat(store.find("t1", UUID.fromString(first.id()))).hasValue(first.body());

            PlanRecord third = plan("{\"id\":3}");
            assertThatThrownBy(() -> store.save(third))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.retryAfterSeconds()).isPositive();
                    });
            assertThat(meters.get("portopt.write.behind.dropped").counter().count()).isEqualTo(1.0);
            // The refused plan was never handed out, and is not readable: reads answer 503 while the
            // database is down rather than a misleading 404.
            assertThatThrownBy(() -> store.find("t1", UUID.fromString(third.id())))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        } finally {
            store.destroy();
            reads.destroy();
            noRedis.destroy();
        }
    }
}
