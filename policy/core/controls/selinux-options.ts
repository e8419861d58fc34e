/** Baseline: only the container SELinux types, no custom user or role (PodSecurity's check_seLinuxOptions). */
import { objectAt, pathAt, stringAt } from "../fields";
import { PodRule, PssControl, quoteList } from "../model";
import { ownerLabel } from "../pod";
import { eachSecurityContext } from "../rules";

const OPTIONS = ".securityContext.seLinuxOptions";
const TYPE = ".securityContext.seLinuxOptions.type";
const USER = ".securityContext.seLinuxOptions.user";
const ROLE = ".securityContext.seLinuxOptions.role";

const TYPES_1_0 = ["container_t", "container_init_t", "container_kvm_t"];
const TYPES_1_31 = [...TYPES_1_0, "container_engine_t"];

function allowingTypes(allowedTypes: readonly string[]): PodRule {
    const allowed: ReadonlySet<string> = new Set(["", ...allowedTypes]);
    const allowedList = quoteList(allowedTypes);
    return eachSecurityContext((context, owner, place, report) => {
        const options = objectAt(context.seLinuxOptions, place, OPTIONS);
        if (options === undefined) {
            return;
        }
        const type = stringAt(options.type, place, TYPE) ?? "";
        if (!allowed.has(type)) {
            report.add(owner, pathAt(place, TYPE), `${ownerLabel(owner)} sets securityContext.seLinuxOptions.type to ${JSON.stringify(type)}; use one of ${allowedList} or leave it empty`);
        }
        if ((stringAt(options.user, place, USER) ?? "") !== "") {
            report.add(owner, pathAt(place, USER), `${ownerLabel(owner)} sets securityContext.seLinuxOptions.user; remove it (custom SELinux users are forbidden)`);
        }
        if ((stringAt(options.role, place, ROLE) ?? "") !== "") {
            report.add(owner, pathAt(place, ROLE), `${ownerLabel(owner)} sets securityContext.seLinuxOptions.role; remove it (custom SELinux roles are forbidden)`);
        }
    });
}

export const seLinuxOptions: PssControl = {
    id: "seLinuxOptions",
    level: "baseline",
    policyName: "pss-selinux",
    title: "SELinux",
    description: "Pods and containers may only use the container SELinux types and must not set a custom SELinux user or role.",
    severity: "high",
    versions: [
        { since: 0, rule: allowingTypes(TYPES_1_0) },
        { since: 31, rule: allowingTypes(TYPES_1_31) },
    ],
};
