import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurityLabels, standardLabels } from "../../platform/security";
import { AddonContext, ChartValues, HelmAddon, restrictedContainer, restrictedPod } from "../helm-addon";
import { TektonSettings } from "./config";

export interface TektonArgs {
    context: AddonContext;
    settings: TektonSettings;
}

/**
 * Tekton through the Tekton Operator's chart (Tekton Pipelines has no official chart): the operator
 * and a TektonConfig installing Pipelines and Triggers. The CI namespace and its pipelines are
 * CiPipelines' (../ci/pipelines.ts).
 *
 * Namespace levels: the operator namespace and Tekton's own namespace are restricted.
 */
export class Tekton extends HelmAddon {
    readonly chart: k8s.helm.v4.Chart;
    /** Ready once Pipelines and Triggers, and their CRDs, are installed. */
    readonly tektonConfig: k8s.apiextensions.CustomResource;

    constructor(name: string, args: TektonArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings, context } = args;
        super("groundwork:addons:Tekton", name, context, { name: settings.operatorNamespace, podSecurityLevel: "restricted" }, opts);
        const labels = standardLabels("tekton", "addon", context.environment);

        this.chart = this.installChart({ chart: "tektonOperator", values: this.chartValues(settings), overrides: settings.values });

        // The operator installs Pipelines and Triggers (and their CRDs) when it reconciles this;
        // waiting for Ready makes every Tekton object that depends on it wait for those CRDs.
        this.tektonConfig = new k8s.apiextensions.CustomResource(`${name}-config`, {
            apiVersion: "operator.tekton.dev/v1alpha1",
            kind: "TektonConfig",
            metadata: {
                name: "config",
                labels,
                annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" },
            },
            spec: {
                profile: "basic",
                targetNamespace: settings.pipelinesNamespace,
                targetNamespaceMetadata: { labels: podSecurityLabels("restricted", context.podSecurityVersion) },
                pipeline: { "set-security-context": true, "enable-api-fields": "stable" },
                trigger: { "enable-api-fields": "stable" },
                chain: { disabled: true },
                result: { disabled: true },
                // The CI namespace's quota counts the workspace volumes of the runs kept (CiPipelines.budget).
                pruner: { disabled: false, resources: ["pipelinerun", "taskrun"], keep: settings.keepRuns, schedule: "0 3 * * *" },
            },
        }, { parent: this, dependsOn: [this.chart] });

        this.registerOutputs({ namespace: this.namespace });
    }

    private chartValues(settings: TektonSettings): ChartValues {
        const resources = { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } };
        const replicas = this.replicas(undefined);
        return {
            // Chart v4 renders the operator's CRDs as ordinary objects; TektonConfig depends on them.
            installCRDs: true,
            operator: {
                replicas,
                resources,
                // The TektonConfig below is the only one: the operator must not create its own.
                autoInstallComponents: false,
                defaultTargetNamespace: settings.pipelinesNamespace,
            },
            webhook: { replicas, resources },
            podSecurityContext: restrictedPod,
            securityContext: restrictedContainer,
        };
    }
}
