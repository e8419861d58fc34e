/**
 * The pure Pod Security Standards checker: no Pulumi runtime, no I/O. The CrossGuard policies, the
 * CLI and the tests all evaluate workloads through this module.
 */
export { activeChecks, controlById, NEWEST_MINOR, parseVersion, PSS_CONTROLS } from "./check-table";
export type { ActiveCheck } from "./check-table";
export { checkControl, checkPod, checkWorkload } from "./evaluate";
export type { CheckOptions } from "./evaluate";
export { DEFAULT_EXTRA_SETTINGS, EXTRA_CONTROLS, imageReference, PROBE_KINDS } from "./extras";
export type { ExtraControl, ExtraSettings, ProbeKind } from "./extras";
export {
    annotationExemptionReason,
    containerImages,
    EXEMPTION_ANNOTATION_PREFIX,
    exemptionApplies,
    findExemption,
    globMatches,
} from "./exemptions";
export type { ExemptedViolation, Exemption, WorkloadIdentity } from "./exemptions";
export { ManifestError } from "./fields";
export type { JsonObject } from "./fields";
export { isLevel, isVersionLabel, LEVEL_RANK, LEVELS, VERSION_PATTERN } from "./levels";
export type { CheckedLevel, Level, PolicyVersion } from "./levels";
export type { Finding, PssControl, Severity, Violation } from "./model";
export { containersOf } from "./pod";
export type { PodView } from "./pod";
export { apiVersionsOfKind, podSpecOf, typeTokenOf, WORKLOAD_TYPE_TOKENS, workloadKindOf } from "./workloads";
