/** Value rules shared by the schema and its messages, so a rule and its explanation cannot drift. */

export const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dns1123LabelRule = "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";

/** SPIFFE trust domain names: lowercase letters, digits, '.', '-' and '_' (SPIFFE ID spec, section 2.1). */
export const spiffeTrustDomain = /^[a-z0-9._-]+$/;
export const spiffeTrustDomainRule = "a SPIFFE trust domain: at most 255 of lowercase letters, digits, '.', '-' and '_', without 'spiffe://'";

/** Kubernetes label values (the network is written as topology.istio.io/network). */
export const labelValue = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const labelValueRule = "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

export const istioVersion = /^\d+\.\d+\.\d+$/;
export const repoKey = /^[a-z0-9]{12}$/;
export const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Where a chart comes from: a Helm repository, an OCI registry, or (anything without a scheme) a directory. */
export const helmRepositoryUrl = /^https?:\/\/\S+$/;
export const ociRegistryUrl = /^oci:\/\/\S+$/;
export const chartSourceRule = "https://… (a Helm repository), oci://… (an OCI registry holding the chart) or the path of a chart directory, relative to the project directory";

/** An image registry path such as registry.example.com:5000/istio (no scheme, no tag). */
export const imageRegistry = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/;
export const imageRegistryRule = "a registry path such as registry.example.com/istio, without https:// and without a tag";

/** A stack a StackReference can name: `stack`, `project/stack` or `org/project/stack`. */
export const stackName = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;
export const stackNameRule = "a stack name such as dev, or fully qualified as <org>/ambient-spire/<stack>";
