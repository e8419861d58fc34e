/** Restricted: no pod or container runs as user 0 (PodSecurity's check_runAsUser). */
import { integerAt, pathAt } from "../fields";
import { PssControl } from "../model";
import { ownerLabel } from "../pod";
import { eachSecurityContext, exceptUserNamespaces } from "../rules";

const RUN_AS_USER = ".securityContext.runAsUser";

const forbidRoot = eachSecurityContext((context, owner, place, report) => {
    if (integerAt(context.runAsUser, place, RUN_AS_USER) === 0) {
        report.add(owner, pathAt(place, RUN_AS_USER), `${ownerLabel(owner)} sets securityContext.runAsUser=0 (root); use a non-zero user id or remove runAsUser`);
    }
});

export const runAsUser: PssControl = {
    id: "runAsUser",
    level: "restricted",
    policyName: "pss-run-as-user",
    title: "Running as Non-root user",
    description: "Pods and containers must not set runAsUser to 0.",
    severity: "high",
    versions: [
        { since: 23, rule: forbidRoot },
        { since: 35, rule: exceptUserNamespaces(forbidRoot) },
    ],
};
