package dev.relay.signaling.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Origin check of the WebSocket upgrade, as a table: configured list, Origin, Host -> allowed. */
class OriginPolicyTest {

    @ParameterizedTest(name = "[{0}] Origin {1} Host {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // default: same origin, loopback on any port, no Origin
        "                          | -                             | relay.example:8080 | true",
        "                          | http://relay.example:8080     | relay.example:8080 | true",
        "                          | https://relay.example         | relay.example      | true",
        "                          | https://RELAY.example         | relay.example:443  | true",
        "                          | http://relay.example          | relay.example:8080 | false",
        "                          | https://relay.example:8443    | relay.example      | false",
        "                          | http://localhost:3000         | relay.example:8080 | true",
        "                          | https://127.0.0.1:9999        | relay.example:8080 | true",
        "                          | http://[::1]:5173             | relay.example:8080 | true",
        "                          | http://localhost.evil.example | relay.example:8080 | false",
        "                          | https://evil.example          | relay.example:8080 | false",
        "                          | https://evil.example          | -                  | false",
        "                          | null                          | relay.example:8080 | false",
        "                          | file://                       | relay.example:8080 | false",
        "                          | chrome-extension://abc        | relay.example:8080 | false",
        "                          | http://relay.example:8080/x   | relay.example:8080 | false",
        "                          | not an origin                 | relay.example:8080 | false",
        "                          | http://[::1]:5173             | [::1]:8080         | true",
        "                          | http://[::1]:8080             | [::1]:8080         | true",
        // a list: those, and same origin; loopback no longer implied
        "https://meet.example.com  | https://meet.example.com      | relay.example      | true",
        "https://meet.example.com  | https://meet.example.com:443  | relay.example      | true",
        "https://meet.example.com  | http://meet.example.com       | relay.example      | false",
        "https://meet.example.com  | https://relay.example         | relay.example      | true",
        "https://meet.example.com  | http://localhost:3000         | relay.example      | false",
        "https://a.example,http://b.example:8080 | http://b.example:8080 | relay.example | true",
        // any
        "*                         | https://evil.example          | relay.example      | true",
        "*                         | null                          | relay.example      | true",
    })
    void shouldAllowOnlyConfiguredOrigins(String configured, String origin, String host, boolean allowed) {
        OriginPolicy policy = OriginPolicy.parse(configured == null ? List.of() : Arrays.asList(configured.split(",")));
        assertEquals(allowed, policy.allows(origin, host));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"meet.example.com", "ftp://meet.example.com", "https://meet.example.com/app",
        "https://"})
    void shouldRejectConfiguredEntryThatIsNotAnOrigin(String entry) {
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parse(List.of(entry)));
    }
}
