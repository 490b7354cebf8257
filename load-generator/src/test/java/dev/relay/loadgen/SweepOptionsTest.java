package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Options that do not make a sweep are refused (exit 2) before any server or peer starts. */
class SweepOptionsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--sweep subscribers=50,200 --scenario meeting        | is for --scenario broadcast",
        "--sweep participants=5,10                            | is for --scenario meeting or audio",
        "--sweep subscribers=50,200 --subscribers 10          | leave it out",
        "--sweep rooms=1,10 --rooms 2                         | leave it out",
        "--sweep rooms=1,300 --scenario meeting --participants 5 | caps a run at 1000",
        "--sweep subscribers=50,200 --relay http://127.0.0.1:1 | does not go with --relay",
        "--sweep viewers=1,2                                  | unknown key",
        "--plot /tmp/x.png                                    | --plot goes with --sweep",
    })
    void shouldRefuseWithoutRunning(String args, String reason) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LoadGenerator());
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute(args.trim().split("\\s+")), err::toString);
        assertTrue(err.toString().contains(reason), err::toString);
    }
}
