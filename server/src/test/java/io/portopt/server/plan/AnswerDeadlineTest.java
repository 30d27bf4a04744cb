package io.portopt.server.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerDeadlineTest {
    private static final Duration LIMIT = Duration.ofSeconds(1);
    private static final Duration SLACK = Duration.ofMillis(1200);
    private static final long NANOS = 5_000_000_000L;
    private static final long EPOCH_MS = 1_800_000_000_000L;
    private static final long FRESH = NANOS + 2_200_000_000L;

    @Test
    void withoutAStampTheAnswerIsDueTheTimeLimitPlusTheSlackAfterArrival() {
        assertThat(AnswerDeadline.of(null, LIMIT, SLACK, NANOS, EPOCH_MS).atNanos()).isEqualTo(FRESH);
    }

    @Test
    void aStampFromTheLoadBalancerIsFollowedEvenWhenItHasPassed() {
        assertThat(AnswerDeadline.of(String.valueOf(EPOCH_MS + 900), LIMIT, SLACK, NANOS, EPOCH_MS).atNanos())
                .isEqualTo(NANOS + 900_000_000L);
        assertThat(AnswerDeadline.of(String.valueOf(EPOCH_MS - 300), LIMIT, SLACK, NANOS, EPOCH_MS).atNanos())
                .isEqualTo(NANOS - 300_000_000L);
    }

    @Test
    void aStampCanOnlyShortenTheWaitAndNonsenseIsIgnored() {
        assertThat(AnswerDeadline.of(String.valueOf(EPOCH_MS + 60_000), LIMIT, SLACK, NANOS, EPOCH_MS).atNanos())
                .isEqualTo(FRESH);
        for (String nonsense : new String[] {"", "soon", "-1", "12345678901234567890123", String.valueOf(EPOCH_MS - 3_600_000)}) {
            assertThat(AnswerDeadline.of(nonsense, LIMIT, SLACK, NANOS, EPOCH_MS).atNanos()).as(nonsense).isEqualTo(FRESH);
        }
    }
}
