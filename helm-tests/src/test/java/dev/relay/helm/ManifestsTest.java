package dev.relay.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The check every rendered manifest goes through must fail on what Kubernetes would refuse. */
class ManifestsTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: s
            spec:
              selector: {app: x}
              ports:
                - name: http
                  port: 80
                  targetPort: http
            """;

    @Test
    void shouldParseAValidService() throws Exception {
        assertEquals(80, Manifests.parse(SERVICE).one(Service.class).getSpec().getPorts().get(0).getPort());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown field in a port       | targetPort: http      | targetPort: http\\n      protocoll: UDP    | protocoll
            unknown field in spec         | selector: {app: x}    | selector: {app: x}\\n  clusterIPP: None  | clusterIPP
            port as a string              | port: 80              | port: "80"                             | port
            unknown kind                  | kind: Service         | kind: Servise                          | Servise
            """)
    void shouldRejectWhatKubernetesRejects(String what, String from, String to, String named) {
        String broken = SERVICE.replace(from, to.replace("\\n", "\n"));
        AssertionError error = assertThrows(AssertionError.class, () -> Manifests.parse(broken), what);
        assertTrue(error.getMessage().contains(named), error.getMessage());
    }

    @Test
    void shouldRejectAnUnknownFieldDeepInAStatefulSet() {
        String set = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: r}
                spec:
                  serviceName: r
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          securityContext: {readOnlyRootFileSystem: true}
                """;
        AssertionError error = assertThrows(AssertionError.class, () -> Manifests.parse(set));
        assertTrue(error.getMessage().contains("readOnlyRootFileSystem"), error.getMessage());
    }

    @Test
    void shouldRejectAnUnknownServiceMonitorField() {
        String monitor = """
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: m}
                spec:
                  selector: {matchLabels: {a: b}}
                  endpoints: [{port: metrics, intervall: 15s}]
                """;
        AssertionError error = assertThrows(AssertionError.class, () -> Manifests.parse(monitor));
        assertTrue(error.getMessage().contains("intervall"), error.getMessage());
    }
}
