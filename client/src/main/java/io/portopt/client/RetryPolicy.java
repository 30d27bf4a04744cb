package io.portopt.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PortoptClient} retries a call: at most {@code maxAttempts} attempts (the first one
 * included), exponential backoff with full jitter between them, a cap on the total time a call may
 * spend retrying, and a retry budget shared by all calls of one client.
 *
 * <p>Backoff: before retry {@code n} (0 for the first retry) the client sleeps a uniformly random
 * time in {@code [0, min(maxDelay, baseDelay * 2^n)]} ("full jitter", AWS Architecture Blog). A
 * {@code 503} or {@code 429} with a {@code Retry-After} header is not retried before that time. A
 * retry whose sleep would end after {@code maxTotalTime} (counted from the start of the call) is not
 * made; the last answer or error goes to the caller instead.
 *
 * <p>Retry budget: a token bucket holding at most {@code budgetMaxTokens} tokens, full at start.
 * Every call deposits {@code budgetTokensPerCall}; every retry withdraws one token; with less than
 * one token left no retry is made. With the defaults (0.1 per call) retries stay under about 10 % of
 * the calls once the initial tokens are spent, so a struggling server never sees a retry storm
 * (Google SRE book, "Handling Overload"; the gRPC retry throttling design).
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxTotalTime,
                          double budgetTokensPerCall, double budgetMaxTokens) {
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_MAX_TOTAL_TIME = Duration.ofSeconds(10);
    public static final double DEFAULT_BUDGET_TOKENS_PER_CALL = 0.1;
    public static final double DEFAULT_BUDGET_MAX_TOKENS = 10;
    /** Upper bound on attempts, so a typo cannot turn one call into a flood. */
    public static final int MAX_MAX_ATTEMPTS = 20;

    private static final RetryPolicy DEFAULTS = builder().build();
    private static final RetryPolicy NONE = builder().maxAttempts(1).build();

    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxTotalTime, "maxTotalTime");
        if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
            throw new IllegalArgumentException("maxAttempts must be between 1 and " + MAX_MAX_ATTEMPTS + ", got " + maxAttempts);
        }
        if (baseDelay.isNegative() || baseDelay.isZero()) {
            throw new IllegalArgumentException("baseDelay must be positive, got " + baseDelay);
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must be at least baseDelay (" + baseDelay + ")");
        }
        if (maxTotalTime.isNegative() || maxTotalTime.isZero()) {
            throw new IllegalArgumentException("maxTotalTime must be positive, got " + maxTotalTime);
        }
        if (!(budgetTokensPerCall >= 0) || budgetTokensPerCall > 1) {
            throw new IllegalArgumentException("budgetTokensPerCall must be between 0 and 1, got " + budgetTokensPerCall);
        }
        if (!(budgetMaxTokens >= 0) || budgetMaxTokens > 1_000_000) {
            throw new IllegalArgumentException("budgetMaxTokens must be between 0 and 1e6, got " + budgetMaxTokens);
        }
    }

    /** 4 attempts, 100 ms base, 2 s max delay, 10 s total, 0.1 token per call, 10 tokens at most. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** A single attempt: no retries at all. */
    public static RetryPolicy none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxAttempts(maxAttempts).baseDelay(baseDelay).maxDelay(maxDelay)
                .maxTotalTime(maxTotalTime).budgetTokensPerCall(budgetTokensPerCall).budgetMaxTokens(budgetMaxTokens);
    }

    public boolean retries() {
        return maxAttempts > 1;
    }

    /** The upper end of the jitter range before retry {@code retry} (0-based): min(maxDelay, base * 2^retry). */
    public Duration backoffCeiling(int retry) {
        if (retry < 0) {
            throw new IllegalArgumentException("retry must be >= 0");
        }
        long base = baseDelay.toNanos();
        long max = maxDelay.toNanos();
        if (retry >= 62 || base > (max >> Math.min(retry, 62))) {
            return maxDelay;
        }
        return Duration.ofNanos(Math.min(max, base << retry));
    }

    /** 429, 502, 503 and 504 are retried; every other status (500 and the other 4xx included) is not. */
    public static boolean isRetryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration baseDelay = DEFAULT_BASE_DELAY;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private Duration maxTotalTime = DEFAULT_MAX_TOTAL_TIME;
        private double budgetTokensPerCall = DEFAULT_BUDGET_TOKENS_PER_CALL;
        private double budgetMaxTokens = DEFAULT_BUDGET_MAX_TOKENS;

        private Builder() {
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = baseDelay;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        public Builder maxTotalTime(Duration maxTotalTime) {
            this.maxTotalTime = maxTotalTime;
            return this;
        }

        public Builder budgetTokensPerCall(double budgetTokensPerCall) {
            this.budgetTokensPerCall = budgetTokensPerCall;
            return this;
        }

        public Builder budgetMaxTokens(double budgetMaxTokens) {
            this.budgetMaxTokens = budgetMaxTokens;
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxTotalTime, budgetTokensPerCall, budgetMaxTokens);
        }
    }
}
