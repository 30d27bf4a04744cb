package io.portopt.server.plan;

import java.time.Duration;

/**
 * When a plan request's answer is due, as a {@link System#nanoTime()} instant.
 *
 * <p>The load balancer stamps every plan request once, on arrival, with {@value #HEADER}: epoch
 * milliseconds of its arrival plus the request's time limit plus the answer slack. It gives up on a
 * server a little after that instant and retries on another, and the retry carries the same stamp.
 * So a server that is alive but silent (stopped, swapping, cut off) costs a request at most its
 * time limit plus a bounded wait: the second server sees how little time is left and answers from a
 * rung that fits (a similar plan repaired, the heuristic) instead of starting the full solve again.
 *
 * <p>The stamp can only shorten the wait: a value later than a fresh request's own deadline, or one
 * that is not a plausible epoch time, is ignored, and a request without it (a server called
 * directly) is timed from when it arrived here.
 */
public record AnswerDeadline(long atNanos) {
    public static final String HEADER = "X-Portopt-Answer-By";
    /** A stamp further in the past than this is not a retry of a live request but a wrong clock or a forged header. */
    private static final long MAX_AGE_MS = 10 * 60_000L;

    /**
     * @param header     the {@value #HEADER} value, or null
     * @param receivedNanos {@link System#nanoTime()} when the request arrived here
     * @param receivedEpochMs wall-clock time of the same moment
     */
    public static AnswerDeadline of(String header, Duration limit, Duration slack, long receivedNanos,
                                    long receivedEpochMs) {
        long fresh = receivedNanos + limit.plus(slack).toNanos();
        if (header == null || header.isEmpty() || header.length() > 19) {
            return new AnswerDeadline(fresh);
        }
        long stampMs;
        try {
            stampMs = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return new AnswerDeadline(fresh);
        }
        long aheadMs = stampMs - receivedEpochMs;
        if (aheadMs < -MAX_AGE_MS) {
            return new AnswerDeadline(fresh);
        }
        return new AnswerDeadline(Math.min(fresh, receivedNanos + aheadMs * 1_000_000L));
    }

    /** Time left until the answer is due; negative once it is overdue. */
    public long leftNanos() {
        return atNanos - System.nanoTime();
    }
}
