package io.portopt.server.plan;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/** Plan persistence: how many plans may wait for PostgreSQL, and how long bodies stay in Redis. */
@ConfigurationProperties("portopt.plans")
public record PlanStoreProperties(
        @DefaultValue("10000") int writeBehindCapacity,
        @DefaultValue("1s") Duration retryInterval,
        @DefaultValue("20000") long recentBodies,
        @DefaultValue("24h") Duration sharedBodyTtl) {
}
