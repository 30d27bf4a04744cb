package io.portopt.server.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FairSlotsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static CompletableFuture<FairSlots.Permit> acquireLater(FairSlots slots, String tenant, long maxWait, long mean) {
        // A thread of its own: the common pool may have a single worker on a 2-core machine.
        CompletableFuture<FairSlots.Permit> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(slots.acquire(tenant, maxWait, mean));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static void awaitWaiting(FairSlots slots, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5 * SECOND;
        while (slots.waiting() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(slots.waiting()).isEqualTo(n);
    }

    @Test
    void aFreedSlotGoesToTheTenantWithFewerSolvesRunningNotToTheFlood() throws Exception {
        FairSlots slots = new FairSlots(1);
        FairSlots.Permit floodRunning = slots.acquire("flood", SECOND, SECOND);
        assertThat(floodRunning).isNotNull();
        CompletableFuture<FairSlots.Permit> floodQueued = acquireLater(slots, "flood", 10 * SECOND, 100_000);
        awaitWaiting(slots, 1);
        CompletableFuture<FairSlots.Permit> quiet = acquireLater(slots, "quiet", 10 * SECOND, 100_000);
        awaitWaiting(slots, 2);

        slots.release(floodRunning);
        assertThat(quiet.get(5, TimeUnit.SECONDS)).as("the quiet tenant goes first although it came later").isNotNull();
        assertThat(floodQueued).isNotDone();
        slots.release(quiet.get());
        assertThat(floodQueued.get(5, TimeUnit.SECONDS)).isNotNull();
        slots.release(floodQueued.get());
        assertThat(slots.running()).isZero();
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void aRequestThatCannotStartInTimeIsRefusedAtOnce() throws Exception {
        FairSlots slots = new FairSlots(1);
        long mean = 10 * SECOND;
        FairSlots.Permit running = slots.acquire("a", SECOND, mean);
        long t0 = System.nanoTime();
        assertThat(slots.acquire("b", SECOND, mean)).as("the slot frees in ~10 s, we may wait 1 s").isNull();
        assertThat(System.nanoTime() - t0).isLessThan(SECOND / 2);
        slots.release(running);
        assertThat(slots.acquire("b", SECOND, mean)).isNotNull();
    }

    @Test
    void aWaiterThatTimesOutLeavesTheQueue() throws Exception {
        FairSlots slots = new FairSlots(1);
        FairSlots.Permit running = slots.acquire("a", SECOND, 1);
        assertThat(slots.acquire("b", TimeUnit.MILLISECONDS.toNanos(50), 1)).isNull();
        assertThat(slots.waiting()).isZero();
        slots.release(running);
        slots.release(running);
        assertThat(slots.running()).isZero();
    }

    @Test
    void aWaiterInterruptedJustAsItIsGrantedASlotGivesTheSlotBack() throws Exception {
        FairSlots slots = new FairSlots(1);
        for (int round = 0; round < 300; round++) {
            FairSlots.Permit holder = slots.acquire("a", SECOND, 1);
            CompletableFuture<FairSlots.Permit> waiter = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    waiter.complete(slots.acquire("b", 10 * SECOND, 1));
                } catch (Throwable e) {
                    waiter.completeExceptionally(e);
                }
            });
            awaitWaiting(slots, 1);
            // Race the grant against the interrupt: whichever wins, no slot may stay taken.
            if (round % 2 == 0) {
                t.interrupt();
                slots.release(holder);
            } else {
                slots.release(holder);
                t.interrupt();
            }
            t.join();
            if (!waiter.isCompletedExceptionally()) {
                FairSlots.Permit granted = waiter.get();
                if (granted != null) {
                    slots.release(granted);
                }
            }
            assertThat(slots.running()).as("round %d", round).isZero();
            assertThat(slots.waiting()).as("round %d", round).isZero();
        }
    }
}
