package io.portopt.server.admission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Solver slots shared fairly between tenants. A freed slot goes to the waiting request whose tenant
 * has the fewest solves running, and among equals to the tenant served least recently (then the
 * oldest request): round-robin between tenants. A tenant flooding distinct problems so only ever
 * competes with itself: another tenant's request goes ahead of the flood's queue and waits at most
 * for one running solve to finish. Queueing is deadline-aware: a request whose estimated wait
 * (from the running solves' start times and the mean solve time) exceeds what it may wait is refused
 * at once, so the caller can degrade instead of waiting in vain. An asynchronous job's slice holds
 * its slot as a yielding permit: it ends soon after a request starts to wait, and estimates count
 * on that.
 */
final class FairSlots {
    /** A granted slot; give it back with {@link #release}. */
    static final class Permit {
        private final String tenant;
        private final long startedNanos;
        /** How long its holder runs at most once another request waits (a job's slice); else MAX_VALUE. */
        private final long yieldsAfterNanos;

        private Permit(String tenant, long startedNanos, long yieldsAfterNanos) {
            this.tenant = tenant;
            this.startedNanos = startedNanos;
            this.yieldsAfterNanos = yieldsAfterNanos;
        }
    }

    private static final class Waiter {
        private final String tenant;
        private final long seq;
        private final Condition granted;
        private final long yieldsAfterNanos;
        private Permit permit;

        private Waiter(String tenant, long seq, Condition granted, long yieldsAfterNanos) {
            this.tenant = tenant;
            this.seq = seq;
            this.granted = granted;
            this.yieldsAfterNanos = yieldsAfterNanos;
        }
    }

    private final int slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Permit> running = new HashSet<>();
    private final Map<String, Integer> runningByTenant = new HashMap<>();
    /** Tenant -> number of the grant it last received (grants are numbered in order). */
    private final Map<String, Long> lastGrant = new HashMap<>();
    private long grants;
    private final List<Waiter> waiters = new ArrayList<>();
    private long nextSeq;

    FairSlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        this.slots = slots;
    }

    /**
     * A slot for one of {@code tenant}'s solves, waiting at most {@code maxWaitNanos}; null when none
     * can be had in time (refused at once when the estimate already says so).
     */
    Permit acquire(String tenant, long maxWaitNanos, long meanSolveNanos) throws InterruptedException {
        return acquire(tenant, maxWaitNanos, meanSolveNanos, Long.MAX_VALUE);
    }

    /**
     * As {@link #acquire(String, long, long)} for work that gives its slot up within
     * {@code yieldsAfterNanos} of a request starting to wait (an asynchronous job's slice), which
     * the wait estimates of the requests behind it count on.
     */
    Permit acquire(String tenant, long maxWaitNanos, long meanSolveNanos, long yieldsAfterNanos) throws InterruptedException {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (running.size() < slots && waiters.isEmpty()) {
                return grant(tenant, now, yieldsAfterNanos);
            }
            if (estimatedWaitNanos(tenant, now, meanSolveNanos) > maxWaitNanos) {
                return null;
            }
            Waiter me = new Waiter(tenant, nextSeq++, lock.newCondition(), yieldsAfterNanos);
            waiters.add(me);
            long left = maxWaitNanos;
            try {
                while (me.permit == null && left > 0) {
                    left = me.granted.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                // A slot may have been granted while this thread waited to get the lock back:
                // give it to the next in line, or it would count as running for ever.
                if (me.permit != null) {
                    releaseLocked(me.permit);
                    me.permit = null;
                }
                throw e;
            } finally {
                if (me.permit == null) {
                    waiters.remove(me);
                }
            }
            return me.permit;
        } finally {
            lock.unlock();
        }
    }

    /** True when {@link #acquire} would refuse this tenant at once. */
    boolean wouldRefuse(String tenant, long maxWaitNanos, long meanSolveNanos) {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (running.size() < slots && waiters.isEmpty()) {
                return false;
            }
            return estimatedWaitNanos(tenant, now, meanSolveNanos) > maxWaitNanos;
        } finally {
            lock.unlock();
        }
    }

    void release(Permit permit) {
        lock.lock();
        try {
            releaseLocked(permit);
        } finally {
            lock.unlock();
        }
    }

    private void releaseLocked(Permit permit) {
        if (!running.remove(permit)) {
            return;
        }
        runningByTenant.merge(permit.tenant, -1, (a, b) -> a + b == 0 ? null : a + b);
        Waiter next = null;
        for (Waiter w : waiters) {
            if (next == null || goesBefore(w.tenant, next.tenant)) {
                next = w;
            }
        }
        if (next != null) {
            waiters.remove(next);
            next.permit = grant(next.tenant, System.nanoTime(), next.yieldsAfterNanos);
            next.granted.signal();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    int running() {
        lock.lock();
        try {
            return running.size();
        } finally {
            lock.unlock();
        }
    }

    private Permit grant(String tenant, long now, long yieldsAfterNanos) {
        Permit permit = new Permit(tenant, now, yieldsAfterNanos);
        running.add(permit);
        runningByTenant.merge(tenant, 1, Integer::sum);
        lastGrant.put(tenant, ++grants);
        return permit;
    }

    /** Strictly before: fewer solves running, or as many and served longer ago. */
    private boolean goesBefore(String a, String b) {
        int ra = runningOf(a);
        int rb = runningOf(b);
        if (ra != rb) {
            return ra < rb;
        }
        return lastGrant.getOrDefault(a, 0L) < lastGrant.getOrDefault(b, 0L);
    }

    private int runningOf(String tenant) {
        return runningByTenant.getOrDefault(tenant, 0);
    }

    /**
     * When this tenant's next request would start: the waiting requests dispatched before it are
     * its own tenant's and those of tenants that go before it; each slot frees when its solve has
     * run for about the mean solve time.
     */
    private long estimatedWaitNanos(String tenant, long now, long meanSolveNanos) {
        int ahead = 0;
        for (Waiter w : waiters) {
            if (w.tenant.equals(tenant) || goesBefore(w.tenant, tenant)) {
                ahead++;
            }
        }
        long[] freeAt = new long[slots];
        int i = 0;
        for (Permit p : running) {
            // A yielding holder (a job's slice) frees its slot soon after a request starts to wait.
            long expectedEnd = p.yieldsAfterNanos == Long.MAX_VALUE ? p.startedNanos + meanSolveNanos
                    : Math.max(now, p.startedNanos) + Math.min(meanSolveNanos, p.yieldsAfterNanos);
            freeAt[i++] = Math.max(now, Math.min(p.startedNanos + meanSolveNanos, expectedEnd));
        }
        for (; i < slots; i++) {
            freeAt[i] = now;
        }
        Arrays.sort(freeAt);
        int rounds = ahead / slots;
        return freeAt[ahead % slots] + (long) rounds * meanSolveNanos - now;
    }
}
