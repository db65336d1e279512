package dev.reef.kubernetes;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The kubernetes driver's settings ({@code REEF_KUBERNETES_*}). Bound whenever the module is on the classpath, so
 * nothing here may fail for a Reef that runs another driver: values are checked by {@link #validated}, which the
 * driver calls when it is chosen.
 *
 * @param namespacePrefix a tenant's namespace is this followed by its id
 * @param image the agents' image; {@code {runtime}} and {@code {version}} stand for the agent's runtime and its version
 * @param imagePullPolicy {@code IfNotPresent}, {@code Always} or {@code Never}
 * @param runtimeClassName the RuntimeClass of agents' pods (gVisor, Kata), or empty for the cluster's default
 * @param storageClass the StorageClass of agents' volumes, or empty for the cluster's default
 * @param storageSize the size of each agent's volume (state, workspace, home), e.g. {@code 5Gi}
 * @param tmpSize the size limit of each agent's temporary directory
 * @param runAsUser the user (and group) agents run as; the image's files must be readable by it
 * @param readOnlyRootFilesystem whether agents' root filesystem is read-only (their volumes are writable)
 * @param reefNamespace the namespace Reef's own pods run in (empty: the client's namespace, in a pod its own)
 * @param reefPodSelector the labels of Reef's own pods, as {@code key=value,key=value}: the only pods that may talk
 *     to agents, and the only ones agents may talk to
 * @param proxyUrl how agents reach Reef's LLM proxy, an in-cluster Service of Reef
 * @param egressUrl how agents reach Reef's egress proxy (Reef's {@code REEF_EGRESS_PORT} behind a Service), their
 *     only way to anything but the LLM proxy; they show their agent token there
 * @param reefPort the port Reef's pods listen on (their container port, which network policies see), or 0 for the
 *     port of {@code proxyUrl}
 * @param agentPort the port agents listen on in their pods, when orchestration leaves it to the driver
 * @param clusterDomain the cluster's DNS domain, for agents' addresses
 * @param dnsNamespace and {@code dnsPodSelector}: where the cluster's DNS runs, the one other thing agents may reach
 * @param startTimeout how long a start may take to get the agent's container running (scheduling, pulling the image)
 */
@ConfigurationProperties("reef.kubernetes")
record KubernetesDriverProperties(
    String namespacePrefix,
    String image,
    String imagePullPolicy,
    String runtimeClassName,
    String storageClass,
    String storageSize,
    String tmpSize,
    long runAsUser,
    Boolean readOnlyRootFilesystem,
    String reefNamespace,
    String reefPodSelector,
    String proxyUrl,
    String egressUrl,
    int reefPort,
    int agentPort,
    String clusterDomain,
    String dnsNamespace,
    String dnsPodSelector,
    Duration startTimeout) {

  static final String DEFAULT_IMAGE = "ghcr.io/reef-dev/{runtime}-agent:{version}";

  private static final Pattern DNS_LABEL_PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]{0,24})");
  private static final Pattern LABEL_PART = Pattern.compile("([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  KubernetesDriverProperties {
    namespacePrefix = orDefault(namespacePrefix, "reef-t-");
    image = orDefault(image, DEFAULT_IMAGE);
    imagePullPolicy = orDefault(imagePullPolicy, "IfNotPresent");
    runtimeClassName = blankToNull(runtimeClassName);
    storageClass = blankToNull(storageClass);
    storageSize = orDefault(storageSize, "5Gi");
    tmpSize = orDefault(tmpSize, "1Gi");
    runAsUser = runAsUser <= 0 ? 1000 : runAsUser;
    readOnlyRootFilesystem = readOnlyRootFilesystem == null || readOnlyRootFilesystem;
    reefNamespace = blankToNull(reefNamespace);
    reefPodSelector = orDefault(reefPodSelector, "app.kubernetes.io/name=reef");
    proxyUrl = orDefault(proxyUrl, "http://reef.reef.svc:8080/v1");
    egressUrl = orDefault(egressUrl, "http://reef.reef.svc:3128");
    agentPort = agentPort <= 0 ? 18799 : agentPort;
    clusterDomain = orDefault(clusterDomain, "cluster.local");
    dnsNamespace = orDefault(dnsNamespace, "kube-system");
    dnsPodSelector = orDefault(dnsPodSelector, "k8s-app=kube-dns");
    startTimeout = startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()
        ? Duration.ofMinutes(5) : startTimeout;
  }

  /** These settings, checked; throws with the variable to fix when one is wrong. */
  KubernetesDriverProperties validated() {
    if (!DNS_LABEL_PREFIX.matcher(namespacePrefix).matches()) {
      throw new IllegalStateException("REEF_KUBERNETES_NAMESPACE_PREFIX='" + namespacePrefix + "' must be lower-case "
          + "letters, digits and '-', at most 25 characters, so that the prefix and a tenant id make a namespace name");
    }
    labels(reefPodSelector, "REEF_KUBERNETES_REEF_POD_SELECTOR");
    labels(dnsPodSelector, "REEF_KUBERNETES_DNS_POD_SELECTOR");
    URI proxy = URI.create(proxyUrl);
    if (proxy.getHost() == null || !(proxy.getScheme().equals("http") || proxy.getScheme().equals("https"))) {
      throw new IllegalStateException("REEF_KUBERNETES_PROXY_URL='" + proxyUrl + "' must be an http(s) URL of Reef's "
          + "Service inside the cluster, such as http://reef.reef.svc:8080/v1");
    }
    URI egress = URI.create(egressUrl);
    if (egress.getHost() == null || !"http".equals(egress.getScheme()) || egress.getPort() <= 0
        || egress.getUserInfo() != null) {
      throw new IllegalStateException("REEF_KUBERNETES_EGRESS_URL='" + egressUrl + "' must be http://host:port of "
          + "Reef's egress proxy inside the cluster (REEF_EGRESS_PORT behind a Service), such as "
          + "http://reef.reef.svc:3128");
    }
    return this;
  }

  /** The port of Reef's egress proxy, which agents may reach on Reef's pods. */
  int egressPort() {
    return URI.create(egressUrl).getPort();
  }

  /** The port agents may reach Reef's pods on. */
  int reefPodPort() {
    if (reefPort > 0) {
      return reefPort;
    }
    URI proxy = URI.create(proxyUrl);
    return proxy.getPort() > 0 ? proxy.getPort() : proxy.getScheme().equals("https") ? 443 : 80;
  }

  /** The agents' image for a runtime and version. */
  String imageFor(String runtime, String version) {
    return image.replace("{runtime}", runtime).replace("{version}", version == null ? "latest" : version);
  }

  Map<String, String> reefPodLabels() {
    return labels(reefPodSelector, "REEF_KUBERNETES_REEF_POD_SELECTOR");
  }

  Map<String, String> dnsPodLabels() {
    return labels(dnsPodSelector, "REEF_KUBERNETES_DNS_POD_SELECTOR");
  }

  /** {@code key=value,key=value} as labels; throws naming {@code variable} when it is not that. */
  static Map<String, String> labels(String selector, String variable) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String part : selector.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2 || !LABEL_PART.matcher(kv[0].trim()).matches()
          || !LABEL_VALUE.matcher(kv[1].trim()).matches()) {
        throw new IllegalStateException(variable + "='" + selector + "' must be labels as key=value,key=value");
      }
      labels.put(kv[0].trim(), kv[1].trim());
    }
    return Collections.unmodifiableMap(labels);
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
