package io.portopt.server.db;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The streaming read replica. Empty {@code url}: every read goes to the primary. The replica is
 * used only while it has replayed what the primary had written {@code maxLag} ago.
 */
@ConfigurationProperties("portopt.replica")
public record ReplicaProperties(
        @DefaultValue("") String url,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("2s") Duration maxLag,
        @DefaultValue("4") int poolSize) {
}
