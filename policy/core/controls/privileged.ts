/** Baseline: no privileged containers (PodSecurity's check_privileged). */
import { booleanAt } from "../fields";
import { PssControl } from "../model";

const PRIVILEGED = ".securityContext.privileged";

export const privileged: PssControl = {
    id: "privileged",
    level: "baseline",
    policyName: "pss-privileged",
    title: "Privileged Containers",
    description: "Containers must not run privileged.",
    severity: "critical",
    versions: [{
        since: 0,
        rule: {
            container: (container, report) => {
                const context = container.securityContext;
                if (context !== undefined && booleanAt(context.privileged, container, PRIVILEGED) === true) {
                    report.add(container.name, container.path() + PRIVILEGED, `${container.label()} sets securityContext.privileged=true; remove it or set it to false`);
                }
            },
        },
    }],
};
