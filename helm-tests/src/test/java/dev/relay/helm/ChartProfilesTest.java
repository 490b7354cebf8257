package dev.relay.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code helm lint --strict} and {@code helm template} of helm/relay for the default values and
 * each documented profile (helm/relay/ci/*-values.yaml), every rendered object checked against
 * its Kubernetes type ({@link Manifests}), then what an operator would check by hand.
 */
class ChartProfilesTest {
    private static final String RELEASE = "relay";

    static Stream<String> profiles() throws Exception {
        try (Stream<Path> files = Files.list(Helm.CHART.resolve("ci"))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith("-values.yaml")).sorted()
                    .toList().stream();
        }
    }

    static Manifests render(String profile, String... sets) throws Exception {
        Helm.Result result = Helm.template(List.of("ci/" + profile), List.of(sets)).assertOk("helm template " + profile);
        return Manifests.parse(result.stdout());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void shouldLintAndRenderObjectsKubernetesAccepts(String profile) throws Exception {
        Helm.lint(List.of("ci/" + profile)).assertOk("helm lint --strict -f ci/" + profile);
        Manifests manifests = render(profile);

        for (JsonNode doc : manifests.documents()) {
            JsonNode labels = doc.path("metadata").path("labels");
            String what = doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
            assertEquals("relay", labels.path("app.kubernetes.io/name").asText(), what);
            assertEquals(RELEASE, labels.path("app.kubernetes.io/instance").asText(), what);
            assertEquals("Helm", labels.path("app.kubernetes.io/managed-by").asText(), what);
            assertFalse(labels.path("app.kubernetes.io/version").asText().isEmpty(), what);
        }

        StatefulSet set = manifests.one(StatefulSet.class);
        assertEquals("relay-headless", set.getSpec().getServiceName());
        manifests.named(Service.class, "relay-headless");
        PodSpec pod = set.getSpec().getTemplate().getSpec();
        assertEquals("relay", set.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/name"));
        assertEquals(set.getSpec().getSelector().getMatchLabels(), Map.of("app.kubernetes.io/name", "relay",
                "app.kubernetes.io/instance", RELEASE));
        Container relay = pod.getContainers().get(0);

        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        SecurityContext sc = relay.getSecurityContext();
        assertTrue(sc.getRunAsNonRoot());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        assertTrue(relay.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")
                && volume(pod, m.getName()).getEmptyDir() != null), "an emptyDir at /tmp");

        assertEquals("/healthz", relay.getLivenessProbe().getHttpGet().getPath());
        assertEquals("http", relay.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("/readyz", relay.getReadinessProbe().getHttpGet().getPath());
        assertEquals("http", relay.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals(List.of("sleep", "5"), relay.getLifecycle().getPreStop().getExec().getCommand());
        long drain = Long.parseLong(env(relay, "RELAY_DRAIN_TIMEOUT").getValue().replace("s", ""));
        long grace = Long.parseLong(env(relay, "RELAY_SHUTDOWN_GRACE").getValue().replace("s", ""));
        assertTrue(pod.getTerminationGracePeriodSeconds() > 5 + drain + grace + 1,
                "terminationGracePeriodSeconds " + pod.getTerminationGracePeriodSeconds() + " must cover preStop 5 s, "
                        + "drain " + drain + " s, grace " + grace + " s and the relay's 1 s");

        assertPort(relay, "http", 8080, "TCP");
        assertPort(relay, "metrics", 9090, "TCP");
        assertEquals("8080", env(relay, "RELAY_HTTP_PORT").getValue());
        assertEquals("9090", env(relay, "RELAY_METRICS_PORT").getValue(), "/metrics off the public port");
        Service signaling = manifests.named(Service.class, "relay");
        assertEquals("http", signaling.getSpec().getPorts().get(0).getTargetPort().getStrVal());

        PodDisruptionBudget pdb = manifests.one(PodDisruptionBudget.class);
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
        assertEquals(set.getSpec().getSelector(), pdb.getSpec().getSelector());

        boolean devMode = profile.startsWith("devmode");
        if (!devMode) {
            String secret = volume(pod, "keys").getSecret().getSecretName();
            assertEquals("/etc/relay/keys/keys", env(relay, "RELAY_KEYS_FILE").getValue());
            assertTrue(relay.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("keys")
                    && m.getMountPath().equals("/etc/relay/keys") && m.getReadOnly()));
            if (profile.startsWith("default")) {
                assertEquals("relay-keys", secret);
                Secret keys = manifests.named(Secret.class, "relay-keys");
                assertTrue(keys.getStringData().get("keys").contains("main: ci-secret-"), "key: secret lines");
            } else {
                assertEquals("relay-api-keys", secret, "the existing Secret");
            }
        }
    }

    @Test
    void shouldAdvertiseTheNodeWithHostNetwork() throws Exception {
        PodSpec pod = render("default-values.yaml").one(StatefulSet.class).getSpec().getTemplate().getSpec();
        assertTrue(pod.getHostNetwork());
        assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy());
        Container relay = pod.getContainers().get(0);
        assertEquals("status.hostIP", env(relay, "RELAY_ADVERTISE").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("10000", env(relay, "RELAY_MEDIA_PORT").getValue());
        assertPort(relay, "media", 10000, "UDP");
        assertPort(relay, "media-tcp", 10000, "TCP");
        assertTrue(relay.getEnv().stream().noneMatch(e -> e.getName().equals("RELAY_MEDIA_TCP_PORT")),
                "ICE-TCP follows the media port's number");
        // Two relays on one node would want the same ports.
        assertEquals("kubernetes.io/hostname", pod.getAffinity().getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().get(0).getTopologyKey());

        Container fixed = render("hostnetwork-values.yaml").one(StatefulSet.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertEquals("203.0.113.10", env(fixed, "RELAY_ADVERTISE").getValue());
    }

    @Test
    void shouldGiveEachPodItsOwnLoadBalancerAndAddress() throws Exception {
        Manifests manifests = render("loadbalancer-values.yaml");
        PodSpec pod = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec();
        assertNull(pod.getHostNetwork());
        Container relay = pod.getContainers().get(0);
        String script = relay.getArgs().get(0);
        assertTrue(script.contains("set -- 198.51.100.10 198.51.100.11 198.51.100.12"), script);
        assertTrue(script.contains("shift \"$ordinal\"") && script.contains("export RELAY_ADVERTISE=\"$1\""), script);
        assertEquals("metadata.name", env(relay, "POD_NAME").getValueFrom().getFieldRef().getFieldPath());
        List<String> addresses = List.of("198.51.100.10", "198.51.100.11", "198.51.100.12");
        for (int i = 0; i < 3; i++) {
            Service media = manifests.named(Service.class, "relay-media-" + i);
            assertEquals("LoadBalancer", media.getSpec().getType());
            assertEquals("Local", media.getSpec().getExternalTrafficPolicy());
            assertEquals(addresses.get(i), media.getSpec().getLoadBalancerIP());
            assertEquals("relay-" + i, media.getSpec().getSelector().get("statefulset.kubernetes.io/pod-name"));
            ServicePort port = media.getSpec().getPorts().get(0);
            assertEquals("UDP", port.getProtocol());
            assertEquals(10000, port.getPort());
            assertEquals(10000, port.getTargetPort().getIntVal());
            ServicePort tcp = media.getSpec().getPorts().get(1);
            assertEquals("TCP", tcp.getProtocol(), "ICE-TCP on the same Service and number");
            assertEquals(10000, tcp.getPort());
        }
        assertEquals(3 + 2, manifests.all(Service.class).size(), "signaling, headless and one media Service per pod");
    }

    @Test
    void shouldGiveEachPodItsOwnNodePort() throws Exception {
        Manifests manifests = render("nodeport-values.yaml");
        Container relay = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(relay.getArgs().get(0).contains("export RELAY_MEDIA_PORT=$(( 31000 + ordinal ))"));
        assertEquals("status.hostIP", env(relay, "RELAY_ADVERTISE").getValueFrom().getFieldRef().getFieldPath());
        for (int i = 0; i < 2; i++) {
            Service media = manifests.named(Service.class, "relay-media-" + i);
            assertEquals("NodePort", media.getSpec().getType());
            ServicePort port = media.getSpec().getPorts().get(0);
            assertEquals("UDP", port.getProtocol());
            assertEquals(31000 + i, port.getNodePort(), "the node port is the port the relay advertises");
            assertEquals(31000 + i, port.getTargetPort().getIntVal());
            ServicePort tcp = media.getSpec().getPorts().get(1);
            assertEquals("TCP", tcp.getProtocol());
            assertEquals(31000 + i, tcp.getNodePort(), "ICE-TCP on the same node port number");
        }
    }

    @Test
    void shouldHandOutTurnServersWithTheSecretFromASecret() throws Exception {
        Container relay = render("default-values.yaml", "turn.urls[0]=turns:turn.example.com:443?transport=tcp",
                "turn.existingSecret=turn-shared").one(StatefulSet.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertEquals("turns:turn.example.com:443?transport=tcp", env(relay, "RELAY_TURN_URLS").getValue());
        assertEquals("turn-shared", env(relay, "RELAY_TURN_SECRET").getValueFrom().getSecretKeyRef().getName());
        assertEquals("secret", env(relay, "RELAY_TURN_SECRET").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("12h", env(relay, "RELAY_TURN_TTL").getValue());
        Helm.Result noSecret = Helm.template(List.of("ci/default-values.yaml"),
                List.of("turn.urls[0]=turns:turn.example.com:443?transport=tcp"));
        assertTrue(noSecret.exitCode() != 0 && noSecret.stderr().contains("turn.existingSecret"),
                "no TURN without the shared secret: " + noSecret.stderr());
    }

    @Test
    void shouldMakeThePodsOneClusterOverRedisWithAUrlPerPod() throws Exception {
        StatefulSet set = render("cluster-values.yaml").one(StatefulSet.class);
        assertEquals(3, set.getSpec().getReplicas());
        Container relay = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("relay-redis", env(relay, "RELAY_REDIS_URL").getValueFrom().getSecretKeyRef().getName());
        assertEquals("redis-url", env(relay, "RELAY_REDIS_URL").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("80000", env(relay, "RELAY_CAPACITY_PPS").getValue());
        // Kubernetes expands $(POD_NAME) only from a variable defined before it in the same list.
        List<String> names = relay.getEnv().stream().map(EnvVar::getName).toList();
        assertEquals("wss://$(POD_NAME).relay.example.com/ws", env(relay, "RELAY_PUBLIC_URL").getValue());
        assertTrue(names.indexOf("POD_NAME") >= 0 && names.indexOf("POD_NAME") < names.indexOf("RELAY_PUBLIC_URL"),
                "POD_NAME comes before RELAY_PUBLIC_URL: " + names);
        assertEquals("https://meet.example.com", env(relay, "RELAY_ALLOWED_ORIGINS").getValue());
        // Rooms spanning pods: the shared secret from its Secret, pipes to the pod IP.
        assertEquals("relay-cluster", env(relay, "RELAY_CLUSTER_SECRET").getValueFrom().getSecretKeyRef().getName());
        assertEquals("when-full", env(relay, "RELAY_CLUSTER_SPAN").getValue());
        assertEquals("status.podIP", env(relay, "RELAY_CLUSTER_ADDRESS").getValueFrom().getFieldRef().getFieldPath());
        Helm.Result noSecret = Helm.template(List.of("ci/cluster-values.yaml"), List.of("cluster.pipes.existingSecret="));
        assertTrue(noSecret.exitCode() != 0 && noSecret.stderr().contains("cluster.pipes.secret"),
                "no pipes without the shared secret: " + noSecret.stderr());
        Helm.Result badSpan = Helm.template(List.of("ci/cluster-values.yaml"), List.of("cluster.pipes.span=sometimes"));
        assertTrue(badSpan.exitCode() != 0, "span is never, whenFull or always: " + badSpan.stderr());

        Container plain = render("default-values.yaml", "cluster.enabled=true", "cluster.redisUrl=redis://redis:6379/0",
                "cluster.publicUrlTemplate=wss://$(POD_NAME).example.com/ws").one(StatefulSet.class).getSpec()
                .getTemplate().getSpec().getContainers().get(0);
        assertEquals("redis://redis:6379/0", env(plain, "RELAY_REDIS_URL").getValue());
        assertTrue(plain.getEnv().stream().noneMatch(e -> e.getName().equals("RELAY_CLUSTER_SECRET")),
                "no pipes unless enabled");

        Helm.Result noRedis = Helm.template(List.of("ci/default-values.yaml"),
                List.of("cluster.enabled=true", "cluster.publicUrlTemplate=wss://$(POD_NAME).example.com/ws"));
        assertTrue(noRedis.exitCode() != 0 && noRedis.stderr().contains("cluster.redisUrl"),
                "no cluster without Redis: " + noRedis.stderr());
        Helm.Result noUrl = Helm.template(List.of("ci/default-values.yaml"),
                List.of("cluster.enabled=true", "cluster.redisUrl=redis://redis:6379/0"));
        assertTrue(noUrl.exitCode() != 0 && noUrl.stderr().contains("cluster.publicUrlTemplate"),
                "no cluster without a URL per pod: " + noUrl.stderr());
        assertTrue(render("default-values.yaml").one(StatefulSet.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getEnv().stream().noneMatch(e -> e.getName().equals("RELAY_REDIS_URL")),
                "off by default");
    }

    @Test
    void shouldTurnIceTcpOffEverywhere() throws Exception {
        Manifests manifests = render("nodeport-values.yaml", "media.tcp.enabled=false");
        Container relay = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("-1", env(relay, "RELAY_MEDIA_TCP_PORT").getValue());
        for (int i = 0; i < 2; i++) {
            List<ServicePort> ports = manifests.named(Service.class, "relay-media-" + i).getSpec().getPorts();
            assertEquals(List.of("UDP"), ports.stream().map(ServicePort::getProtocol).toList());
        }
        Container hostNetwork = render("default-values.yaml", "media.tcp.enabled=false").one(StatefulSet.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(hostNetwork.getPorts().stream().noneMatch(p -> "TCP".equals(p.getProtocol())
                && p.getContainerPort() == 10000), "no TCP media port");
    }

    @Test
    void shouldRouteEveryRoomToOnePodAtTheIngress() throws Exception {
        Manifests manifests = render("ingress-tls-values.yaml");
        Ingress ingress = manifests.one(Ingress.class);
        assertEquals("$arg_room", ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/upstream-hash-by"));
        assertEquals("letsencrypt", ingress.getMetadata().getAnnotations().get("cert-manager.io/cluster-issuer"));
        assertEquals("nginx", ingress.getSpec().getIngressClassName());
        assertEquals("meet-example-com-tls", ingress.getSpec().getTls().get(0).getSecretName());
        assertEquals(List.of("meet.example.com"), ingress.getSpec().getTls().get(0).getHosts());
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertEquals("relay", backend.getName());
        assertEquals("http", backend.getPort().getName());
        Container relay = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("https://meet.example.com", env(relay, "RELAY_ALLOWED_ORIGINS").getValue());

        // The hash key is only there if clients send it: the web client adds ?room= to /ws.
        String client = Files.readString(Helm.CHART.resolve("../../signaling/src/main/resources/web/client.js"));
        assertTrue(client.contains("url.searchParams.set('room', roomName)"), "client.js must put room= on /ws");

        // Several pods without room routing would split rooms: the chart refuses.
        Helm.Result split = Helm.template(List.of("ci/default-values.yaml"), List.of("replicaCount=2"));
        assertTrue(split.exitCode() != 0 && split.stderr().contains("a room lives on one pod"), split.stderr());
    }

    @Test
    void shouldMountKafkaClientPropertiesFromASecret() throws Exception {
        Manifests manifests = render("kafka-values.yaml");
        Container relay = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        PodSpec pod = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec();
        assertEquals("kafka-0.kafka:9093,kafka-1.kafka:9093", env(relay, "RELAY_KAFKA_BOOTSTRAP").getValue());
        assertEquals("relay.session-events", env(relay, "RELAY_KAFKA_TOPIC").getValue());
        assertEquals("/etc/relay/kafka/client.properties", env(relay, "RELAY_KAFKA_PROPERTIES_FILE").getValue());
        assertEquals("relay-kafka", volume(pod, "kafka").getSecret().getSecretName());
        String properties = manifests.named(Secret.class, "relay-kafka").getStringData().get("client.properties");
        assertTrue(properties.contains("security.protocol=SASL_SSL"), properties);
        assertTrue(properties.contains("sasl.mechanism=SCRAM-SHA-512"), properties);
        assertTrue(properties.contains("ssl.truststore.location=/etc/relay/kafka/ca.crt"), properties);
        assertFalse(relay.getEnv().stream().anyMatch(e -> e.getValue() != null && e.getValue().contains("ci-password")),
                "SASL credentials stay in the Secret");

        Container existing = render("kafka-values.yaml", "kafka.existingSecret=kafka-client", "kafka.properties=null")
                .one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("/etc/relay/kafka/client.properties", env(existing, "RELAY_KAFKA_PROPERTIES_FILE").getValue());
    }

    @Test
    void shouldPutTheEventSpoolOnAClaimPerPodOrAnEmptyDir() throws Exception {
        StatefulSet set = render("kafka-spool-values.yaml").one(StatefulSet.class);
        Container relay = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("/var/lib/relay/spool", env(relay, "RELAY_EVENTS_SPOOL").getValue());
        assertEquals("512Mi", env(relay, "RELAY_EVENTS_SPOOL_SIZE").getValue());
        assertTrue(relay.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("spool")
                && m.getMountPath().equals("/var/lib/relay/spool") && !Boolean.TRUE.equals(m.getReadOnly())));
        assertEquals(1, set.getSpec().getVolumeClaimTemplates().size());
        var claim = set.getSpec().getVolumeClaimTemplates().get(0);
        assertEquals("spool", claim.getMetadata().getName());
        assertEquals("fast-ssd", claim.getSpec().getStorageClassName());
        assertEquals(List.of("ReadWriteOnce"), claim.getSpec().getAccessModes());
        assertEquals("600Mi", claim.getSpec().getResources().getRequests().get("storage").toString());

        StatefulSet emptyDir = render("kafka-spool-values.yaml", "kafka.spool.volume=emptyDir").one(StatefulSet.class);
        assertTrue(emptyDir.getSpec().getVolumeClaimTemplates().isEmpty());
        assertEquals("600Mi", volume(emptyDir.getSpec().getTemplate().getSpec(), "spool").getEmptyDir().getSizeLimit()
                .toString());

        Container without = render("kafka-values.yaml").one(StatefulSet.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertTrue(without.getEnv().stream().noneMatch(e -> e.getName().startsWith("RELAY_EVENTS_SPOOL")));
        Helm.Result noKafka = Helm.template(List.of("ci/default-values.yaml"), List.of("kafka.spool.enabled=true"));
        assertTrue(noKafka.exitCode() != 0 && noKafka.stderr().contains("kafka.spool.enabled"), noKafka.stderr());
    }

    @Test
    void shouldShipServiceMonitorAlertsAndEveryDashboard() throws Exception {
        Manifests manifests = render("monitoring-values.yaml");
        JsonNode monitor = doc(manifests, "ServiceMonitor");
        assertEquals("metrics", monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("/metrics", monitor.at("/spec/endpoints/0/path").asText());
        assertEquals("kube-prometheus-stack", monitor.at("/metadata/labels/release").asText());
        JsonNode rule = doc(manifests, "PrometheusRule");
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(Helm.CHART.resolve("files/alerts.yaml").toFile());
        assertEquals(alerts.path("groups"), rule.at("/spec/groups"), "files/alerts.yaml as it is");
        assertTrue(rule.at("/spec/groups").toString().contains("RelayDown"));
        assertEquals("9090", manifests.named(Service.class, "relay").getSpec().getPorts().stream()
                .filter(p -> p.getName().equals("metrics")).findFirst().orElseThrow().getPort().toString());

        ConfigMap dashboards = manifests.one(ConfigMap.class);
        assertEquals("1", dashboards.getMetadata().getLabels().get("grafana_dashboard"));
        try (Stream<Path> files = Files.list(Helm.CHART.resolve("dashboards"))) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
            assertFalse(json.isEmpty());
            assertEquals(json.size(), dashboards.getData().size());
            for (Path file : json) {
                String shipped = dashboards.getData().get("relay-" + file.getFileName());
                assertNotNull(shipped, file + " in the ConfigMap");
                assertEquals(new ObjectMapper().readTree(file.toFile()), new ObjectMapper().readTree(shipped));
            }
        }
    }

    @Test
    void shouldScaleWithAnHpaAndAMediaServicePerPossiblePod() throws Exception {
        Manifests manifests = render("hpa-values.yaml");
        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);
        assertEquals("StatefulSet", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("relay", hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(5, hpa.getSpec().getMaxReplicas());
        assertNull(manifests.one(StatefulSet.class).getSpec().getReplicas(), "replicas belong to the HPA");
        assertEquals(5, manifests.all(Service.class).stream()
                .filter(s -> s.getMetadata().getName().startsWith("relay-media-")).count());
    }

    @Test
    void shouldRunWithoutKeysOnlyInDevMode() throws Exception {
        Manifests manifests = render("devmode-values.yaml");
        Container relay = manifests.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(relay.getEnv().stream().noneMatch(e -> e.getName().equals("RELAY_KEYS_FILE")));
        assertTrue(manifests.all(Secret.class).isEmpty());
    }

    private static JsonNode doc(Manifests manifests, String kind) {
        return manifests.documents().stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static void assertPort(Container container, String name, int number, String protocol) {
        var port = container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port " + name));
        assertEquals(number, port.getContainerPort());
        assertEquals(protocol, port.getProtocol());
    }
}
