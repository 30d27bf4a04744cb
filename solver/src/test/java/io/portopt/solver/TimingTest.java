package io.portopt.solver;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.UnassignedReason;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.portopt.solver.Fixtures.berth;
import static io.portopt.solver.Fixtures.tide;
import static io.portopt.solver.Fixtures.vessel;
import static org.assertj.core.api.Assertions.assertThat;

/** The timing rule {@link CompiledProblem#earliestStart}: exact start and end for one vessel at one berth. */
class TimingTest {
    private static final long FREE = Long.MIN_VALUE;
    /** Windows [20, 30] and [50, 60], threshold 12 m. */
    private static final Tide TWO_WINDOWS = tide(12.0, 20, 30, 50, 60);

    /** {start, end} of the only vessel at the only berth, or null when no start is feasible. */
    private static long[] timing(Vessel v, Berth b, Tide tide, long ready) {
        CompiledProblem p = new CompiledProblem(new Problem(List.of(b), List.of(v), tide));
        long start = p.earliestStart(0, 0, ready);
        return start == CompiledProblem.NONE ? null : new long[] {start, p.lastEnd};
    }

    private static long[] timing(Vessel v, Berth b) {
        return timing(v, b, null, FREE);
    }

    @Test
    void plainVesselStartsAtArrivalAndEndsAfterItsHandling() {
        assertThat(timing(vessel("V").arrival(10).handling(5).build(), Berth.open("B"))).containsExactly(10, 15);
    }

    @Test
    void busyBerthDelaysTheStartUntilItIsFree() {
        long[] t = timing(vessel("V").arrival(10).handling(5).build(), Berth.open("B"), null, 22);
        assertThat(t).containsExactly(22, 27);
    }

    @Test
    void berthFreedBeforeArrivalDoesNotMoveTheStartEarlier() {
        long[] t = timing(vessel("V").arrival(10).handling(5).build(), Berth.open("B"), null, 3);
        assertThat(t).containsExactly(10, 15);
    }

    @Test
    void berthOpeningAfterArrivalDelaysTheStart() {
        long[] t = timing(vessel("V").arrival(10).handling(5).build(), berth("B").opensAt(30).build());
        assertThat(t).containsExactly(30, 35);
    }

    @Test
    void handlingTimeIsTakenFromTheBerthSpecificList() {
        Vessel v = vessel("V").arrival(0).handlingAt("A", 7).handlingAt("B", 3).build();
        CompiledProblem p = new CompiledProblem(new Problem(List.of(Berth.open("A"), Berth.open("B")), List.of(v), null));
        assertThat(p.earliestStart(0, 0, FREE)).isZero();
        assertThat(p.lastEnd).isEqualTo(7);
        assertThat(p.earliestStart(0, 1, FREE)).isZero();
        assertThat(p.lastEnd).isEqualTo(3);
        assertThat(p.compatible[0]).containsExactly(1, 0);
    }

    @Test
    void closurePushesStartToItsEnd() {
        long[] t = timing(vessel("V").arrival(14).handling(5).build(), berth("B").closure(12, 20).build());
        assertThat(t).containsExactly(20, 25);
    }

    @Test
    void serviceThatWouldStraddleAClosureStartsAfterIt() {
        long[] t = timing(vessel("V").arrival(10).handling(5).build(), berth("B").closure(12, 20).build());
        assertThat(t).containsExactly(20, 25);
    }

    @Test
    void serviceEndingExactlyWhenAClosureBeginsIsAllowed() {
        long[] t = timing(vessel("V").arrival(7).handling(5).build(), berth("B").closure(12, 20).build());
        assertThat(t).containsExactly(7, 12);
    }

    @Test
    void serviceStartingExactlyWhenAClosureEndsIsAllowed() {
        long[] t = timing(vessel("V").arrival(20).handling(5).build(), berth("B").closure(12, 20).build());
        assertThat(t).containsExactly(20, 25);
    }

    @Test
    void adjacentClosuresPushTheStartPastBoth() {
        Berth b = berth("B").closure(15, 18).closure(10, 15).build();
        assertThat(timing(vessel("V").arrival(9).handling(3).build(), b)).containsExactly(18, 21);
    }

    @Test
    void gapBetweenClosuresTooShortForTheServiceIsSkipped() {
        Berth b = berth("B").closure(10, 15).closure(18, 30).build();
        assertThat(timing(vessel("V").arrival(11).handling(3).build(), b)).containsExactly(15, 18);
        assertThat(timing(vessel("V").arrival(11).handling(4).build(), b)).containsExactly(30, 34);
    }

    @Test
    void tidalVesselWaitsForAWindowToStart() {
        long[] t = timing(vessel("V").arrival(10).handling(5).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE);
        assertThat(t).containsExactly(20, 25);
    }

    @Test
    void tidalVesselWhoseHandlingEndsOutsideAWindowStaysAtTheBerthUntilTheNextWindow() {
        long[] t = timing(vessel("V").arrival(25).handling(10).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE);
        assertThat(t).containsExactly(25, 50);
        assertThat(t[1]).isGreaterThan(t[0] + 10);
    }

    @Test
    void tidalWindowsIncludeBothEnds() {
        long[] t = timing(vessel("V").arrival(30).handling(20).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE);
        assertThat(t).containsExactly(30, 50);
        long[] sailAtWindowEnd = timing(vessel("V").arrival(20).handling(10).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE);
        assertThat(sailAtWindowEnd).containsExactly(20, 30);
    }

    @Test
    void tidalVesselWithNoWindowLeftCannotStart() {
        assertThat(timing(vessel("V").arrival(61).handling(1).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE)).isNull();
    }

    @Test
    void tidalVesselWithNoWindowLeftToSailCannotStart() {
        assertThat(timing(vessel("V").arrival(55).handling(10).draft(14).build(), Berth.open("B"), TWO_WINDOWS, FREE)).isNull();
    }

    @Test
    void tidalVesselWithoutAnyWindowCannotStart() {
        assertThat(timing(vessel("V").arrival(0).handling(1).draft(14).build(), Berth.open("B"), new Tide(12.0, List.of()), FREE)).isNull();
    }

    @Test
    void closurePushesATidalVesselIntoTheNextWindow() {
        long[] t = timing(vessel("V").arrival(20).handling(5).draft(14).build(), berth("B").closure(22, 40).build(), TWO_WINDOWS, FREE);
        assertThat(t).containsExactly(50, 55);
    }

    @Test
    void closureDuringTheTidalWaitCountsAsOccupied() {
        // Handling 25..35 ends outside a window; waiting until 50 would overlap the closure [40, 45).
        long[] t = timing(vessel("V").arrival(25).handling(10).draft(14).build(), berth("B").closure(40, 45).build(), TWO_WINDOWS, FREE);
        assertThat(t).containsExactly(50, 60);
    }

    @Test
    void vesselWithDraftAtOrBelowTheThresholdIgnoresTides() {
        Vessel shallow = vessel("V").arrival(10).handling(5).draft(10).build();
        Vessel atThreshold = vessel("V").arrival(10).handling(5).draft(12).build();
        Vessel unknownDraft = vessel("V").arrival(10).handling(5).build();
        assertThat(timing(shallow, Berth.open("B"), TWO_WINDOWS, FREE)).containsExactly(10, 15);
        assertThat(timing(atThreshold, Berth.open("B"), TWO_WINDOWS, FREE)).containsExactly(10, 15);
        assertThat(timing(unknownDraft, Berth.open("B"), TWO_WINDOWS, FREE)).containsExactly(10, 15);
    }

    @Test
    void latestDepartureBeforeTheEndMakesThePlacementInfeasible() {
        assertThat(timing(vessel("V").arrival(10).handling(5).latestDeparture(14).build(), Berth.open("B"))).isNull();
        assertThat(timing(vessel("V").arrival(10).handling(5).latestDeparture(15).build(), Berth.open("B"))).containsExactly(10, 15);
    }

    @Test
    void latestDepartureCutsOffAStartThatAClosurePushedLate() {
        Vessel v = vessel("V").arrival(10).handling(5).latestDeparture(24).build();
        assertThat(timing(v, berth("B").closure(12, 20).build())).isNull();
    }

    @Test
    void tidalWaitPastTheLatestDepartureMakesThePlacementInfeasible() {
        Vessel v = vessel("V").arrival(25).handling(10).draft(14).latestDeparture(49).build();
        assertThat(timing(v, Berth.open("B"), TWO_WINDOWS, FREE)).isNull();
    }

    @Test
    void berthClosingBeforeTheEndMakesThePlacementInfeasible() {
        assertThat(timing(vessel("V").arrival(10).handling(5).build(), berth("B").closesAt(14).build())).isNull();
        assertThat(timing(vessel("V").arrival(10).handling(5).build(), berth("B").closesAt(15).build())).containsExactly(10, 15);
    }

    @Test
    void busyBerthPushingTheEndPastTheLatestDepartureMakesThePlacementInfeasible() {
        Vessel v = vessel("V").arrival(10).handling(5).latestDeparture(20).build();
        assertThat(timing(v, Berth.open("B"), null, 15)).containsExactly(15, 20);
        assertThat(timing(v, Berth.open("B"), null, 16)).isNull();
    }

    @Test
    void vesselThatFitsNoBerthAloneGetsAnIntrinsicReason() {
        Vessel late = vessel("L").arrival(10).handling(5).latestDeparture(12).build();
        Vessel tooLong = vessel("T").arrival(0).handling(5).length(400).build();
        Vessel fine = vessel("F").arrival(0).handling(5).length(100).build();
        CompiledProblem p = new CompiledProblem(new Problem(List.of(berth("B").length(300).build()),
                List.of(late, tooLong, fine), null));
        assertThat(p.intrinsicReason).containsExactly(UnassignedReason.NO_FEASIBLE_WINDOW,
                UnassignedReason.NO_COMPATIBLE_BERTH, null);
    }
}
