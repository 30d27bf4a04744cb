package io.portopt.solver.model;

/**
 * A vessel held at {@code berth} from exactly {@code start} (already alongside, or fixed by the
 * planner). Its end follows the timing rule: start + handling there, later if it must wait for a
 * tidal window to sail. A pin may start before the vessel's arrival as given.
 */
public record Pin(String berth, long start) {
}
