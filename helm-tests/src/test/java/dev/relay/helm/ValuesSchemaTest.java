package dev.relay.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values the chart must refuse: {@code helm template} fails, with a message naming the value,
 * from values.schema.json (types, enums, minimums, unknown keys) or from the chart's own checks
 * (keys required without devMode, an address per pod, room routing for several pods).
 */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            replicaCount=two                          | replicaCount
            replicaCount=0                            | replicaCount
            unknownTopLevel=1                         | unknownTopLevel
            media.mode=hostPort                       | media.mode
            media.port=70000                          | media.port
            media.portt=10000                         | portt
            media.nodePort.base=8080                  | media.nodePort.base
            auth.keys.main=too-short                  | auth.keys.main
            auth.devMode=yes                          | auth.devMode
            ingress.tls.bogus=true                    | bogus
            relay.drainTimeoutSeconds=-1              | relay.drainTimeoutSeconds
            relay.shutdownGraceSeconds=0              | relay.shutdownGraceSeconds
            image.pullPolicy=Sometimes                | image.pullPolicy
            service.type=ExternalName                 | service.type
            autoscaling.targetCPUUtilizationPercentage=150 | targetCPUUtilizationPercentage
            monitoring.serviceMonitor.interval=often  | interval
            auth.allowedOrigins[0]=meet.example.com   | allowedOrigins
            """)
    void shouldRejectBadValues(String set, String named) throws Exception {
        Helm.Result result = Helm.template(List.of("ci/default-values.yaml"), List.of(set));
        assertNotEquals(0, result.exitCode(), set + " rendered:\n" + result.stdout());
        assertTrue(result.stderr().contains(named), set + ": the error should name " + named + ":\n" + result.stderr());
    }

    @Test
    void shouldRequireKeysUnlessDevMode() throws Exception {
        Helm.Result none = Helm.template(List.of(), List.of());
        assertNotEquals(0, none.exitCode(), "rendered without API keys:\n" + none.stdout());
        assertTrue(none.stderr().contains("auth"), none.stderr());
        Helm.Result empty = Helm.template(List.of(), List.of("auth.existingSecret="));
        assertNotEquals(0, empty.exitCode());
        assertEquals(0, Helm.template(List.of(), List.of("auth.devMode=true")).exitCode());
        assertEquals(0, Helm.template(List.of(), List.of("auth.existingSecret=mine")).exitCode());
    }

    @Test
    void shouldRequireAnAddressForEveryLoadBalancedPod() throws Exception {
        Helm.Result result = Helm.template(List.of("ci/loadbalancer-values.yaml"), List.of("replicaCount=4"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("3 address(es) for up to 4 pods"), result.stderr());
    }

    @Test
    void shouldRequireAKafkaBootstrapWhenKafkaIsOn() throws Exception {
        Helm.Result result = Helm.template(List.of("ci/default-values.yaml"), List.of("kafka.enabled=true"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("kafka.bootstrap"), result.stderr());
    }
}
