/** Baseline: no host ports (PodSecurity's check_hostPorts). */
import { integerAt, listAt, objectAt, pathAt } from "../fields";
import { PssControl } from "../model";

export const hostPorts: PssControl = {
    id: "hostPorts",
    level: "baseline",
    policyName: "pss-host-ports",
    title: "Host Ports",
    description: "Containers must not bind host ports.",
    severity: "high",
    versions: [{
        since: 0,
        rule: {
            container: (container, report) => {
                const ports = listAt(container.object.ports, container, ".ports");
                if (ports === undefined) {
                    return;
                }
                for (let index = 0; index < ports.length; index++) {
                    const port = objectAt(ports[index], container, ".ports", index);
                    const hostPort = port === undefined ? 0 : integerAt(port.hostPort, container, ".ports", index, ".hostPort") ?? 0;
                    if (hostPort !== 0) {
                        report.add(
                            container.name,
                            pathAt(container, ".ports", index, ".hostPort"),
                            `${container.label()} binds hostPort ${hostPort}; remove hostPort and expose the port through a Service`,
                        );
                    }
                }
            },
        },
    }],
};
