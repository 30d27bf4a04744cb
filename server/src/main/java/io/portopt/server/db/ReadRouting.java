package io.portopt.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.system.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Function;

/**
 * Chooses where a read goes. Reads prefer the streaming replica while it is reachable and caught
 * up: a monitor compares the replica's replay position with the primary's write position as it was
 * {@code maxLag} ago. Callers fall back to the primary on a replica miss (a row written a moment ago
 * may not be replayed yet) or error, so replica trouble costs latency, never answers.
 */
@Component
public class ReadRouting implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(ReadRouting.class);

    private final JdbcClient primary;
    private final HikariDataSource replicaSource;
    private final JdbcClient replica;
    private final ReplicaProperties properties;
    private final Thread monitor;
    private volatile boolean replicaUsable;
    private volatile long replicaLagBytes = -1;
    private volatile boolean running = true;

    public ReadRouting(JdbcClient primary, DataSource primarySource, ReplicaProperties properties, MeterRegistry registry) {
        this.primary = primary;
        this.properties = properties;
        if (properties.url() == null || properties.url().isBlank()) {
            replicaSource = null;
            replica = null;
            monitor = null;
        } else {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(properties.url());
            config.setUsername(primarySource instanceof HikariDataSource h ? h.getUsername() : "postgres");
            config.setPassword(primarySource instanceof HikariDataSource h ? h.getPassword() : "");
            config.setMaximumPoolSize(properties.poolSize());
            config.setConnectionTimeout(1000);
            config.setValidationTimeout(500);
            config.setInitializationFailTimeout(-1);
            config.setReadOnly(true);
            config.setPoolName("replica");
            replicaSource = new HikariDataSource(config);
            replica = JdbcClient.create(replicaSource);
            monitor = Thread.ofVirtual().name("replica-monitor").start(this::watch);
        }
        Gauge.builder(MetricNames.DEPENDENCY_UP, this, r -> r.replicaUsable ? 1 : 0).tag("dependency", "postgres-replica")
                .description("1 when the dependency answers").register(registry);
        Gauge.builder(MetricNames.REPLICA_LAG_BYTES, this, r -> r.replicaLagBytes)
                .description("WAL bytes the replica is behind the primary; -1 when unknown").register(registry);
    }

    /** Runs a read on the replica when usable, falling back to the primary on a miss or an error. */
    public <T> Optional<T> read(Function<JdbcClient, Optional<T>> query) {
        if (replicaUsable) {
            try {
                Optional<T> found = query.apply(replica);
                if (found.isPresent()) {
                    return found;
                }
            } catch (RuntimeException e) {
                replicaUsable = false;
                log.warn("Replica read failed ({}); reading from the primary", e.getMessage());
            }
        }
        return query.apply(primary);
    }

    /**
     * Runs a read that must see the newest committed data (revocations, say) on the primary; only
     * when the primary cannot answer does it fall back to the replica, which is better than nothing.
     */
    public <T> Optional<T> readFresh(Function<JdbcClient, Optional<T>> query) {
        try {
            return query.apply(primary);
        } catch (RuntimeException e) {
            if (replica == null) {
                throw e;
            }
            return query.apply(replica);
        }
    }

    public boolean replicaUsable() {
        return replicaUsable;
    }

    private void watch() {
        Deque<long[]> primaryHistory = new ArrayDeque<>();
        long maxLagNanos = properties.maxLag().toNanos();
        while (running) {
            try {
                long now = System.nanoTime();
                Long primaryLsn = lsn(primary, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
                if (primaryLsn != null) {
                    primaryHistory.addLast(new long[] {now, primaryLsn});
                }
                while (primaryHistory.size() > 1 && now - primaryHistory.peekFirst()[0] > maxLagNanos
                        && now - primaryHistory.toArray(new long[0][])[1][0] >= maxLagNanos) {
                    primaryHistory.removeFirst();
                }
                Long replayed = lsn(replica, "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn");
                boolean usable;
                if (replayed == null) {
                    usable = false;
                    replicaLagBytes = -1;
                    if (Boolean.FALSE.equals(inRecovery(replica))) {
                        // The node these connections reach was promoted (a failover): new ones go where
                        // the replica URL points now (targetServerType=preferSecondary).
                        replicaSource.getHikariPoolMXBean().softEvictConnections();
                    }
                } else {
                    long[] old = primaryHistory.peekFirst();
                    // Usable when it has replayed what the primary had written maxLag ago (or primary unknown).
                    usable = old == null || replayed >= old[1];
                    replicaLagBytes = primaryLsn == null ? -1 : Math.max(0, primaryLsn - replayed);
                }
                if (usable != replicaUsable) {
                    log.info("Read replica is now {}", usable ? "in use" : "bypassed (down or lagging)");
                }
                replicaUsable = usable;
                Thread.sleep(properties.pollInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Boolean inRecovery(JdbcClient db) {
        try {
            return db.sql("SELECT pg_is_in_recovery()").query(Boolean.class).optional().orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Long lsn(JdbcClient db, String sql) {
        try {
            return db.sql(sql).query(Long.class).optional().orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void destroy() {
        running = false;
        if (monitor != null) {
            monitor.interrupt();
        }
        if (replicaSource != null) {
            replicaSource.close();
        }
    }
}
