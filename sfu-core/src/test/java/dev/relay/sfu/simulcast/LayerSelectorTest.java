package dev.relay.sfu.simulcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerSelectorTest {
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT_MS = 1500;

    /**
     * Steps, in order:
     * <ul>
     * <li>a packet: its spatial layer, then K (first packet of a keyframe, TID 0), F (first
     *     packet of another frame) or c (a later packet of a frame), then its TID if it has one,
     *     then y if the layer-sync bit is set: {@code 2K}, {@code 0F2}, {@code 1F1y}, {@code 0c2};</li>
     * <li>{@code @ms}: the clock (packets take the current time); {@code =s/t}: setTarget(s, t);
     *     {@code R}: restart.</li>
     * </ul>
     * Expected, one per packet: + (forward) or - (drop), then s if it switched the spatial layer,
     * ! if the effective target moved, kN if a keyframe of layer N is wanted. Three layers, timeout
     * 1.5 s; the preferred target is the top layer until set.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "starts only on a keyframe of the target | =0/2 0F0 0c0 0F2 0K 0F2 | -k0 -k0 -k0 +s +",
        "start follows the layers as they appear | 0F0 1F0 2F0 2F2 2K 2F2 | -!k0 -!k1 -!k2 -k2 +s +",
        "a keyframe of a layer not targeted switches nothing | 0F0 1F0 2F0 1K 0K 2K | -!k0 -!k1 -!k2 -k2 -k2 +s",
        "down: the current layer goes on until the keyframe "
                + "| 0F0 1F0 2K =0/2 2F2 0F0 2F1 0K 2F0 0F2 "
                + "| -!k0 -!k1 +s! +k0 -k0 +k0 +s - +",
        "up: the same, towards the higher layer "
                + "| =0/2 0K 1F0 2F0 =2/2 0F0 2F0 1K 0F0 2K 0F0 "
                + "| +s - - +k2 -k2 -k2 +k2 +s -",
        "target set back to the current layer needs nothing | =0/2 0K 1F0 =1/2 0F0 =0/2 0F0 1K | +s - +k1 + -",
        "temporal down at the next frame start, not mid-frame "
                + "| =0/2 0K 0F2 0c2 =0/0 0c2 0F1 0c1 0F0 0F2 "
                + "| +s + + + - - + -",
        "temporal up one layer at a time on layer-sync frames "
                + "| =0/0 0K 0F2 0F1 0F2 =0/2 0F2y 0F1 0F1y 0F2 0F2y 0F2 0F0 "
                + "| +s - - - - - + - + + +",
        "a sync frame above the target does not go out | =0/1 0K 0F2y 0F1y 0F2y 0F0 | +s - + - +",
        "a keyframe raises the temporal layer at once | =0/0 0K 0F1 =0/2 0F1 0F2 0K 0F2 0F1 | +s - - - + + +",
        "a packet without TID always goes out | =0/0 0K 0F 0c 0F | +s + + +",
        "restart waits for a keyframe again | =0/2 0K 0F0 R 0F0 0c0 0K 0F0 | +s + -k0 -k0 +s +",
        "a layer out of range is ignored | =0/2 0K 5F0 0F0 | +s - +",
    })
    void shouldSelectLayers(String name, String steps, String expected) {
        assertEquals(expected.trim(), run(steps));
    }

    /**
     * A layer stops: after the timeout the target falls to the best layer still arriving, and
     * comes back when the layer does.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "current layer stops: fall to the best arriving at the timeout, not before "
                + "| 0F0 1F0 2K @100 0F0 1F0 2F0 @1600 0F0 1F0 @1601 0F0 1F0 1K 1F0 "
                + "| -!k0 -!k1 +s! - - + - - -!k1 -k1 +s +",
        "the layer comes back: the target follows it up "
                + "| 0F0 1F0 2K @100 2F0 @1601 1K 1F0 @1700 2F0 2F0 2K 1F0 "
                + "| -!k0 -!k1 +s! + +s! + -!k2 -k2 +s -",
        "nothing arriving at or below the preferred: the lowest above it "
                + "| =0/2 1F0 2F0 1K 2K "
                + "| -!k1 -k1 +s -",
        "the preferred layer never sent: start on what arrives, move up when it appears "
                + "| =1/2 0F0 0K @2000 0F0 1F0 1K "
                + "| -!k0 +s + -!k1 +s",
        "layers below the current one stop: nothing changes while it arrives "
                + "| 0F0 1F0 2K @1000 2F0 @2000 2F0 "
                + "| -!k0 -!k1 +s! + +",
    })
    void shouldFallBackWhenLayerStops(String name, String steps, String expected) {
        assertEquals(expected.trim(), run(steps));
    }

    private static String run(String steps) {
        LayerSelector selector = new LayerSelector(3, TIMEOUT_MS * MS);
        long now = 0;
        StringBuilder out = new StringBuilder();
        for (String step : steps.trim().split("\\s+")) {
            switch (step.charAt(0)) {
                case '@' -> now = Long.parseLong(step.substring(1)) * MS;
                case '=' -> {
                    String[] layers = step.substring(1).split("/");
                    selector.setTarget(Integer.parseInt(layers[0]), Integer.parseInt(layers[1]));
                }
                case 'R' -> selector.restart();
                default -> {
                    int layer = step.charAt(0) - '0';
                    char kind = step.charAt(1);
                    String rest = step.substring(2);
                    boolean sync = rest.endsWith("y");
                    String tid = sync ? rest.substring(0, rest.length() - 1) : rest;
                    int temporal = tid.isEmpty() ? (kind == 'K' ? 0 : -1) : Integer.parseInt(tid);
                    int decision = selector.onPacket(layer, kind == 'K', kind != 'c', temporal, sync, now);
                    out.append(out.length() == 0 ? "" : " ").append(describe(selector, decision));
                }
            }
        }
        return out.toString();
    }

    private static String describe(LayerSelector selector, int decision) {
        StringBuilder s = new StringBuilder(LayerSelector.isForward(decision) ? "+" : "-");
        if ((decision & LayerSelector.SWITCHED) != 0) {
            s.append('s');
        }
        if ((decision & LayerSelector.TARGET_CHANGED) != 0) {
            s.append('!');
        }
        if ((decision & LayerSelector.KEYFRAME_NEEDED) != 0) {
            s.append('k').append(selector.keyframeLayer());
        }
        return s.toString();
    }
}
