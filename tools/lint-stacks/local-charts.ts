import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { versions } from "../../components/versions";
import { asRecord, StackFile, StackProblem } from "./stack-files";

/**
 * A stack whose charts come from a local directory (`groundwork:charts.source: local`) must find
 * every chart there at its pinned version: a directory of other versions would change the platform
 * silently. The directory is resolved as `pulumi up` resolves it, from the project directory.
 */
export function localChartProblems({ config }: Pick<StackFile, "config">, projectDirectory: string): StackProblem[] {
    const charts = asRecord(config["groundwork:charts"]);
    if (charts.source !== "local" || typeof charts.directory !== "string") {
        return [];
    }
    const directory = path.resolve(projectDirectory, charts.directory);
    return Object.values(versions.charts).flatMap((chart): StackProblem[] => {
        const manifest = path.join(directory, chart.name, "Chart.yaml");
        let pinned: unknown;
        try {
            pinned = asRecord(YAML.parse(fs.readFileSync(manifest, "utf8"))).version;
        } catch {
            return [{ path: ["charts", "directory"], message: `has no chart "${chart.name}" (expected ${manifest}): unpack ${chart.name} ${chart.version} there` }];
        }
        return String(pinned) === chart.version ? []
            : [{ path: ["charts", "directory"], message: `holds ${chart.name} ${String(pinned)} but Groundwork pins ${chart.version}: replace ${path.dirname(manifest)} with that version` }];
    });
}
