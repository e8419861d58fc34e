/** Restricted: containers drop ALL capabilities and add at most NET_BIND_SERVICE (PodSecurity's check_capabilities_restricted). */
import { listAt, stringAt } from "../fields";
import { PodRule, PssControl, quoteList } from "../model";
import { exceptWindows } from "../rules";
import { ADDED_CAPABILITIES, addedBeyond, capabilitiesBaseline, capabilitiesOf } from "./capabilities-baseline";

const DROPPED_CAPABILITIES = ".securityContext.capabilities.drop";

const isNetBindService = (name: string) => name === "NET_BIND_SERVICE";

const dropAllAddLittle: PodRule = {
    container: (container, report) => {
        const capabilities = capabilitiesOf(container.securityContext, container);
        const dropped = capabilities === undefined ? undefined : listAt(capabilities.drop, container, DROPPED_CAPABILITIES);
        let dropsAll = false;
        for (let index = 0; dropped !== undefined && index < dropped.length; index++) {
            if ((stringAt(dropped[index], container, DROPPED_CAPABILITIES, index) ?? "") === "ALL") {
                dropsAll = true;
            }
        }
        if (!dropsAll) {
            const caseVariant = (dropped as readonly string[] | undefined)?.find((name) => typeof name === "string" && name.toUpperCase() === "ALL");
            const caseHint = caseVariant === undefined ? "" : ` (capability names are case-sensitive: ${JSON.stringify(caseVariant)} is not "ALL")`;
            report.add(
                container.name,
                container.path() + DROPPED_CAPABILITIES,
                `${container.label()} does not drop ALL capabilities${caseHint}; set securityContext.capabilities.drop=["ALL"]`,
            );
        }
        const forbidden = addedBeyond(capabilities, container, isNetBindService);
        if (forbidden !== undefined) {
            report.add(
                container.name,
                container.path() + ADDED_CAPABILITIES,
                `${container.label()} adds ${quoteList(forbidden)}; restricted containers may only add "NET_BIND_SERVICE"`,
            );
        }
    },
};

export const capabilitiesRestricted: PssControl = {
    id: "capabilities_restricted",
    level: "restricted",
    policyName: "pss-capabilities-restricted",
    title: "Capabilities",
    description: "Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.",
    severity: "high",
    versions: [
        { since: 22, rule: dropAllAddLittle, overrides: [capabilitiesBaseline.id] },
        { since: 25, rule: exceptWindows(dropAllAddLittle), overrides: [capabilitiesBaseline.id] },
    ],
};
