package io.portopt.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ops/k8s renders ({@code kubectl kustomize}) and every object in it validates, offline, against
 * the Kubernetes object model: fabric8's model classes are generated from the Kubernetes OpenAPI
 * schemas, so a kind that does not exist, a field of the wrong type or a field the schema does not
 * have (read into the model's catch-all {@code additionalProperties}) fails here. Then what the
 * manifests promise: probes, the disruption budget and the autoscaler pointing at the servers.
 */
class KubernetesManifestsTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static List<HasMetadata> render(String dir) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", Launcher.ROOT.resolve(dir).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String yaml = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("kubectl kustomize " + dir).isZero();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---$")) {
            if (!doc.isBlank()) {
                objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
            }
        }
        return objects;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops/k8s/base", "ops/k8s/overlays/production"})
    void everyRenderedObjectIsAKnownKindWithOnlyFieldsItsSchemaHas(String dir) throws Exception {
        List<HasMetadata> objects = render(dir);
        assertThat(objects).hasSizeGreaterThanOrEqualTo(10);
        for (HasMetadata o : objects) {
            String name = o.getKind() + "/" + o.getMetadata().getName();
            assertThat(o).as(name + " is a kind of the Kubernetes API").isNotInstanceOf(GenericKubernetesResource.class);
            List<String> unknown = new ArrayList<>();
            unknownFields(o, name, unknown, new IdentityHashMap<>());
            assertThat(unknown).as("fields not in the schema").isEmpty();
            if (!o.getKind().equals("Namespace")) {
                assertThat(o.getMetadata().getNamespace()).as(name).isEqualTo("portopt");
            }
        }
    }

    @Test
    void theProductionOverlayKeepsWhatTheClusterPromises() throws Exception {
        List<HasMetadata> objects = render("ops/k8s/overlays/production");
        Deployment servers = find(objects, Deployment.class, "portopt-server");
        Container server = servers.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(server.getImage()).isEqualTo("ghcr.io/portopt/server:1.0.0");
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(server.getResources().getRequests().get("cpu").toString()).isEqualTo("1");
        assertThat(server.getResources().getLimits()).containsKey("memory").doesNotContainKey("cpu");
        assertThat(servers.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("longer than the 30 s drain").isGreaterThan(30);

        Map<String, String> podLabels = servers.getSpec().getTemplate().getMetadata().getLabels();
        PodDisruptionBudget pdb = find(objects, PodDisruptionBudget.class, "portopt-server");
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        Service headless = find(objects, Service.class, "portopt-server-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(podLabels).containsAllEntriesOf(headless.getSpec().getSelector());

        HorizontalPodAutoscaler hpa = find(objects, HorizontalPodAutoscaler.class, "portopt-server");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("portopt-server");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getPods().getMetric().getName())
                .containsExactly("portopt_degraded_share");
        String haproxyConfig = objects.stream().filter(o -> o.getKind().equals("ConfigMap")
                        && o.getMetadata().getName().startsWith("haproxy-") && !o.getMetadata().getName().startsWith("haproxy-errors"))
                .map(o -> ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData().get("haproxy.cfg"))
                .findFirst().orElseThrow();
        int slots = Integer.parseInt(haproxyConfig.replaceAll("(?s).*server-template server- (\\d+) .*", "$1"));
        assertThat(hpa.getSpec().getMaxReplicas()).as("no more pods than HAProxy has slots for").isLessThanOrEqualTo(slots);
        assertThat(haproxyConfig).contains("X-Portopt-Answer-By", "retry-on conn-failure empty-response response-timeout",
                "option httpchk GET /health/ready");
    }

    @Test
    void theKubernetesHaproxyConfigIsTheClustersTemplateRenderedAndValid() throws Exception {
        Process p = new ProcessBuilder("bash", Launcher.ROOT.resolve("ops/k8s/render-haproxy.sh").toString(), "--check")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    /** Walks the model's getters and reports every non-empty additionalProperties: fields the schema lacks. */
    private static void unknownFields(Object node, String path, List<String> out, Map<Object, Boolean> seen) throws Exception {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!(node instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
                continue;
            }
            unknownFields(value, path + "." + getter.getName().substring(3), out, seen);
        }
    }
}
