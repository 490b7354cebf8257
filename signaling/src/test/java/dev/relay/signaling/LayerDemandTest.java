package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerDemandTest {
    private static final int U = LayerDemand.UNCHANGED;
    private static final int N = LayerDemand.NONE;

    /**
     * Each row: a track with layers 0-2 (all active at first), then "needed@seconds" steps and
     * what each step tells the publisher (U: nothing).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "everyone takes the top layer       | 2@0 2@5                 | U U",
        "less demand waits 3 s              | 0@0 0@2.9 0@3           | U U 0",
        "a dip shorter than 3 s is not told | 0@0 0@2 2@2.5 0@4 0@6.9 0@7 | U U U U U 0",
        "more demand is told at once        | 0@0 0@3 2@3.1           | U 0 2",
        "no subscriber stops the track      | -1@0 -1@3               | U -1",
        "a subscriber brings it back        | -1@0 -1@3 0@3.2         | U -1 0",
        "one step at a time                 | 1@0 1@3 0@3.5 0@6.5     | U 1 U 0",
    })
    void shouldTellMoreAtOnceAndLessAfterItHeld(String name, String steps, String told) {
        LayerDemand demand = new LayerDemand(2);
        String[] in = steps.trim().split("\\s+");
        String[] out = told.trim().split("\\s+");
        for (int i = 0; i < in.length; i++) {
            String[] step = in[i].split("@");
            long nanos = (long) (Double.parseDouble(step[1]) * 1e9);
            int expected = out[i].equals("U") ? U : Integer.parseInt(out[i]);
            assertEquals(expected, demand.update(Integer.parseInt(step[0]), nanos), name + ", step " + in[i]);
        }
    }

    @ParameterizedTest(name = "a single stream: {0}")
    @CsvSource({"-1, -1", "0, 0"})
    void shouldTreatASingleStreamAsLayerZero(int needed, int told) {
        LayerDemand demand = new LayerDemand(0);
        demand.update(needed, 0);
        assertEquals(needed == 0 ? U : told, demand.update(needed, LayerDemand.DOWN_AFTER_NANOS));
        assertEquals(told == N ? N : 0, demand.told());
    }
}
