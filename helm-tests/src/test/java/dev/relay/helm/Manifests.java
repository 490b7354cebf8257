package dev.relay.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects {@code helm template} printed, each checked against its Kubernetes type: parsed
 * into the fabric8 kubernetes-model class of its apiVersion/kind with scalars not coerced (a
 * port given as a string fails), and every field the class does not declare is an error. fabric8
 * keeps unknown fields in {@code additionalProperties} instead of failing, so the whole object
 * graph is walked and any non-empty {@code additionalProperties} fails with its path. The two
 * prometheus-operator kinds have no fabric8 model here: their fields are checked against the
 * monitoring.coreos.com/v1 CRD's field names (the subset a chart uses).
 */
final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/Service", Service.class,
            "v1/Secret", Secret.class,
            "v1/ConfigMap", ConfigMap.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/Ingress", Ingress.class);

    private final List<JsonNode> documents;
    private final List<HasMetadata> objects;

    private Manifests(List<JsonNode> documents, List<HasMetadata> objects) {
        this.documents = documents;
        this.objects = objects;
    }

    static Manifests parse(String rendered) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        List<HasMetadata> objects = new ArrayList<>();
        try (var parser = YAML.createParser(rendered)) {
            for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                documents.add(doc);
                String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                String name = type + " " + doc.path("metadata").path("name").asText();
                if (type.equals("monitoring.coreos.com/v1/ServiceMonitor")
                        || type.equals("monitoring.coreos.com/v1/PrometheusRule")) {
                    PrometheusOperatorFields.check(name, doc);
                    continue;
                }
                Class<? extends HasMetadata> kind = TYPES.get(type);
                if (kind == null) {
                    throw new AssertionError("the chart rendered a kind this test does not know: " + type);
                }
                HasMetadata object;
                try {
                    object = STRICT.treeToValue(doc, kind);
                } catch (IOException e) {
                    throw new AssertionError(name + " does not match its Kubernetes type: " + e.getMessage(), e);
                }
                List<String> unknown = new ArrayList<>();
                walk(object, name, unknown, new IdentityHashMap<>());
                if (!unknown.isEmpty()) {
                    throw new AssertionError(name + " has fields Kubernetes does not know: " + unknown);
                }
                objects.add(object);
            }
        }
        return new Manifests(documents, objects);
    }

    List<JsonNode> documents() {
        return documents;
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind) {
        List<T> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind.getSimpleName() + ", rendered " + found.size());
        }
        return found.get(0);
    }

    <T extends HasMetadata> T named(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }

    /** Every fabric8 object reachable from {@code value}: its additionalProperties must be empty. */
    private static void walk(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
                continue;
            }
            walk(field, path + "." + decapitalize(getter.getName().substring(3)), unknown, seen);
        }
    }

    private static String decapitalize(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** Field names of monitoring.coreos.com/v1 (prometheus-operator's CRDs) that this chart may use. */
    private static final class PrometheusOperatorFields {
        private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
        private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");
        private static final Set<String> SERVICE_MONITOR = Set.of("jobLabel", "selector", "endpoints",
                "namespaceSelector", "podTargetLabels", "targetLabels", "sampleLimit", "attachMetadata");
        private static final Set<String> ENDPOINT = Set.of("port", "targetPort", "path", "scheme", "interval",
                "scrapeTimeout", "honorLabels", "honorTimestamps", "relabelings", "metricRelabelings", "params",
                "tlsConfig", "bearerTokenSecret", "basicAuth", "followRedirects", "enableHttp2");
        private static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
        private static final Set<String> RULE_SPEC = Set.of("groups");
        private static final Set<String> GROUP = Set.of("name", "interval", "rules", "limit", "partial_response");
        private static final Set<String> RULE = Set.of("alert", "record", "expr", "for", "keep_firing_for",
                "labels", "annotations");

        static void check(String name, JsonNode doc) {
            only(name, doc, TOP);
            only(name + ".metadata", doc.path("metadata"), METADATA);
            JsonNode spec = doc.path("spec");
            if (doc.path("kind").asText().equals("ServiceMonitor")) {
                only(name + ".spec", spec, SERVICE_MONITOR);
                only(name + ".spec.selector", spec.path("selector"), SELECTOR);
                if (!spec.path("endpoints").isArray() || spec.path("endpoints").isEmpty()) {
                    throw new AssertionError(name + ": spec.endpoints must be a non-empty list");
                }
                spec.path("endpoints").forEach(e -> {
                    only(name + ".spec.endpoints[]", e, ENDPOINT);
                    text(name + ".spec.endpoints[].port", e.path("port"));
                });
            } else {
                only(name + ".spec", spec, RULE_SPEC);
                if (!spec.path("groups").isArray() || spec.path("groups").isEmpty()) {
                    throw new AssertionError(name + ": spec.groups must be a non-empty list");
                }
                spec.path("groups").forEach(g -> {
                    only(name + ".spec.groups[]", g, GROUP);
                    text(name + ".spec.groups[].name", g.path("name"));
                    g.path("rules").forEach(r -> {
                        only(name + ".spec.groups[].rules[]", r, RULE);
                        text(name + ".spec.groups[].rules[].expr", r.path("expr"));
                    });
                });
            }
        }

        private static void only(String path, JsonNode node, Set<String> allowed) {
            if (!node.isObject()) {
                throw new AssertionError(path + " must be an object");
            }
            node.fieldNames().forEachRemaining(f -> {
                if (!allowed.contains(f)) {
                    throw new AssertionError(path + " has a field monitoring.coreos.com/v1 does not know: " + f);
                }
            });
        }

        private static void text(String path, JsonNode node) {
            if (!node.isTextual() || node.asText().isEmpty()) {
                throw new AssertionError(path + " must be a non-empty string");
            }
        }
    }
}
