package io.portopt.server.job;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/** Knobs of asynchronous solver jobs. */
@ConfigurationProperties("portopt.jobs")
public record JobProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("10m") Duration maxTimeLimit,
        @DefaultValue("60s") Duration defaultTimeLimit,
        @DefaultValue("5s") Duration lease,
        @DefaultValue("1s") Duration heartbeat,
        @DefaultValue("500ms") Duration poll,
        @DefaultValue("1") int maxRunningPerServer,
        @DefaultValue("4") int maxActivePerTenant,
        @DefaultValue("2s") Duration slice,
        @DefaultValue("250ms") Duration minSlice,
        @DefaultValue("2s") Duration checkpointInterval,
        @DefaultValue("5") int maxAttempts,
        @DefaultValue("") List<String> callbackAllow,
        @DefaultValue("") String webhookSecret,
        @DefaultValue("6") int callbackAttempts,
        @DefaultValue("5s") Duration callbackTimeout) {
}
