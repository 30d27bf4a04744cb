package io.portopt.server.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/** Input limits; beyond them a request gets 413 (body) or 422 (content). */
@ConfigurationProperties("portopt.limits")
public record LimitsProperties(
        @DefaultValue("10MB") DataSize maxBody,
        @DefaultValue("2000") int maxVessels,
        @DefaultValue("200") int maxBerths,
        @DefaultValue("500") int maxClosuresPerBerth,
        @DefaultValue("5000") int maxTideWindows,
        @DefaultValue("1s") Duration defaultTimeLimit,
        @DefaultValue("30s") Duration maxTimeLimit) {
}
