package io.portopt.client;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The token bucket behind a client's retry budget (see {@link RetryPolicy}). Thread-safe and
 * lock-free; tokens are kept in thousandths so that 0.1-token deposits add up exactly.
 */
public final class RetryBudget {
    private static final long SCALE = 1000;

    private final long deposit;
    private final long capacity;
    private final AtomicLong milliTokens;

    public RetryBudget(double tokensPerCall, double maxTokens) {
        this.deposit = Math.round(tokensPerCall * SCALE);
        this.capacity = Math.round(maxTokens * SCALE);
        this.milliTokens = new AtomicLong(capacity);
    }

    public static RetryBudget of(RetryPolicy policy) {
        return new RetryBudget(policy.budgetTokensPerCall(), policy.budgetMaxTokens());
    }

    /** A call started: deposit its share, up to the capacity. */
    public void onCall() {
        if (deposit > 0) {
            milliTokens.updateAndGet(t -> Math.min(capacity, t + deposit));
        }
    }

    /** Takes one token for a retry; false, and nothing taken, when less than one token is left. */
    public boolean tryAcquire() {
        while (true) {
            long t = milliTokens.get();
            if (t < SCALE) {
                return false;
            }
            if (milliTokens.compareAndSet(t, t - SCALE)) {
                return true;
            }
        }
    }

    public double tokens() {
        return milliTokens.get() / (double) SCALE;
    }
}
