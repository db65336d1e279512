package dev.reef.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The kubernetes driver, chosen by {@code REEF_COMPUTE_DRIVER=kubernetes}. The client finds the cluster as
 * {@code kubectl} would: in a pod, its service account; elsewhere {@code KUBECONFIG} or {@code ~/.kube/config}.
 * Start-up fails, saying why, when the cluster cannot be reached or the settings are wrong.
 */
@AutoConfiguration
@ConditionalOnClass(KubernetesClient.class)
@ConditionalOnProperty(name = "reef.compute.driver", havingValue = KubernetesComputeDriver.NAME)
@EnableConfigurationProperties(KubernetesDriverProperties.class)
public final class KubernetesAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(KubernetesAutoConfiguration.class);

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  KubernetesClient reefKubernetesClient() {
    return new KubernetesClientBuilder().build();
  }

  @Bean
  TenantNamespaces reefTenantNamespaces(KubernetesClient client, KubernetesDriverProperties properties) {
    return new TenantNamespaces(client, new TenantObjects(settled(properties, client)));
  }

  @Bean(destroyMethod = "close")
  KubernetesComputeDriver kubernetesComputeDriver(KubernetesClient client, KubernetesDriverProperties properties,
      TenantNamespaces tenants, Clock clock) {
    KubernetesDriverProperties settled = settled(properties, client);
    try {
      KubernetesComputeDriver driver = new KubernetesComputeDriver(client, settled, tenants, clock);
      log.info("Kubernetes driver: cluster {}, agents in namespaces {}<tenant id>, image {}, Reef's pods {} in {}",
          client.getMasterUrl(), settled.namespacePrefix(), settled.image(), settled.reefPodSelector(),
          settled.reefNamespace());
      return driver;
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("REEF_COMPUTE_DRIVER=kubernetes: cannot watch agents' pods and StatefulSets "
          + "on the cluster at " + client.getMasterUrl() + " (" + rootCause(e) + "). Reef finds the cluster from "
          + "its pod's service account, or KUBECONFIG / ~/.kube/config; it needs to list and watch pods and "
          + "StatefulSets in every namespace (see docs/kubernetes-driver.md).", e);
    }
  }

  /** What went wrong at the bottom: fabric8's own message is often only "An error has occurred". */
  static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage())
        : e.getMessage() + ": " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
            : " " + root.getMessage());
  }

  /** The settings, checked, with Reef's namespace filled in from the client's when it is not set. */
  static KubernetesDriverProperties settled(KubernetesDriverProperties p, KubernetesClient client) {
    String namespace = p.reefNamespace() != null ? p.reefNamespace()
        : client.getNamespace() != null ? client.getNamespace() : "reef";
    return new KubernetesDriverProperties(p.namespacePrefix(), p.image(), p.imagePullPolicy(), p.runtimeClassName(),
        p.storageClass(), p.storageSize(), p.tmpSize(), p.runAsUser(), p.readOnlyRootFilesystem(), namespace,
        p.reefPodSelector(), p.proxyUrl(), p.egressUrl(), p.reefPort(), p.agentPort(), p.clusterDomain(),
        p.dnsNamespace(),
        p.dnsPodSelector(), p.startTimeout()).validated();
  }
}
