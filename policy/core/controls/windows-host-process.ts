/** Baseline: no Windows HostProcess containers (PodSecurity's check_windowsHostProcess). */
import { booleanAt, objectAt, pathAt } from "../fields";
import { PssControl } from "../model";
import { ownerLabel } from "../pod";
import { eachSecurityContext } from "../rules";

const HOST_PROCESS = ".securityContext.windowsOptions.hostProcess";

export const windowsHostProcess: PssControl = {
    id: "windowsHostProcess",
    level: "baseline",
    policyName: "pss-host-process",
    title: "HostProcess",
    description: "Windows pods and containers must not run as HostProcess containers.",
    severity: "critical",
    versions: [{
        since: 0,
        rule: eachSecurityContext((context, owner, place, report) => {
            const options = objectAt(context.windowsOptions, place, ".securityContext.windowsOptions");
            if (options === undefined || booleanAt(options.hostProcess, place, HOST_PROCESS) !== true) {
                return;
            }
            report.add(
                owner,
                pathAt(place, HOST_PROCESS),
                `${ownerLabel(owner)} sets securityContext.windowsOptions.hostProcess=true; remove it or set it to false (HostProcess containers run with full access to the Windows node)`,
            );
        }),
    }],
};
