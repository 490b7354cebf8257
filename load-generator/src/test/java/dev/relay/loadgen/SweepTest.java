package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing {@code --sweep KEY=V1,V2,...}. */
class SweepTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "subscribers=50,200,400,800 | SUBSCRIBERS  | 50 200 400 800",
        "rooms=1,10,50              | ROOMS        | 1 10 50",
        "Participants=5, 10         | PARTICIPANTS | 5 10",
        "rooms=10,1                 | ROOMS        | 10 1",
    })
    void shouldParseKeyAndValuesInOrder(String text, Sweep.Parameter parameter, String values) {
        Sweep sweep = Sweep.parse(text);
        assertEquals(parameter, sweep.parameter());
        assertEquals(Arrays.stream(values.split(" ")).map(Integer::valueOf).collect(Collectors.toList()),
                sweep.values());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "subscribers                | KEY=V1",
        "viewers=1,2                | unknown key 'viewers'",
        "subscribers=50,abc         | 'abc' is not a whole number",
        "subscribers=50,,200        | '' is not a whole number",
        "subscribers=0,5            | at least 1",
        "rooms=-1,5                 | at least 1",
        "rooms=5,5                  | 5 is given twice",
        "rooms=5                    | 2..12 values, got 1",
        "rooms=1,2,3,4,5,6,7,8,9,10,11,12,13 | 2..12 values, got 13",
    })
    void shouldRejectMalformedSweeps(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sweep.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"subscribers=50,200 | subscribers=50,200", "ROOMS= 1 ,10 | rooms=1,10"})
    void shouldPrintTheSweepAsGiven(String text, String label) {
        assertEquals(label, Sweep.parse(text).label());
    }
}
