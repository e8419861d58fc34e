import { PolicyPackArgs } from "@pulumi/policy";
import { EXEMPTIONS_POLICY } from "./exemptions";
import { EXTRA_POLICIES } from "./extras";
import { PSS_POLICIES } from "./pss";

/** The pack's name as the Pulumi CLI shows it; must match ^[a-zA-Z0-9-_.]{1,100}$. */
export const PACK_NAME = "groundwork-pod-security";

export const PACK_ARGS: PolicyPackArgs = {
    description: "Kubernetes Pod Security Standards (baseline and restricted, as PodSecurity admission evaluates them) on every workload the program creates, Helm chart children included, plus advisory hardening checks.",
    displayName: "Groundwork Pod Security",
    enforcementLevel: "mandatory",
    tags: ["kubernetes", "pod-security-standards"],
    policies: [...PSS_POLICIES, ...EXTRA_POLICIES, EXEMPTIONS_POLICY],
};
