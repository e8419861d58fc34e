/** Pulumi type tokens of the Kubernetes kinds the tests look up, in one table. */
export const kinds = {
    namespace: "kubernetes:core/v1:Namespace",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    cronJob: "kubernetes:batch/v1:CronJob",
    job: "kubernetes:batch/v1:Job",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    chart: "kubernetes:helm.sh/v4:Chart",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    issuer: "kubernetes:cert-manager.io/v1:Issuer",
    pipeline: "kubernetes:tekton.dev/v1:Pipeline",
    task: "kubernetes:tekton.dev/v1:Task",
    triggerBinding: "kubernetes:triggers.tekton.dev/v1beta1:TriggerBinding",
    triggerTemplate: "kubernetes:triggers.tekton.dev/v1beta1:TriggerTemplate",
    eventListener: "kubernetes:triggers.tekton.dev/v1beta1:EventListener",
    prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    crd: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
} as const;

/**
 * Cluster-scoped kinds a stack can create (Namespace aside): what a stack with every add-on off,
 * deployed with namespace-level rights, must not register. A Helm chart is among them, since the
 * add-on charts render webhooks, ClusterRoles and CRDs.
 */
export const clusterScopedKinds = [
    kinds.clusterRole,
    kinds.clusterRoleBinding,
    kinds.crd,
    kinds.clusterIssuer,
    "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
    "kubernetes:networking.k8s.io/v1:IngressClass",
    "kubernetes:scheduling.k8s.io/v1:PriorityClass",
    "kubernetes:storage.k8s.io/v1:StorageClass",
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig",
    kinds.chart,
] as const;
