/**
 * Cron schedules as the API server judges them: validation (components/fields.ts) must accept
 * exactly what the CronJob API accepts, so that a schedule never fails only at deploy time.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { ControlPlane, httpRequest } from "../../tools/cluster/control-plane";
import { cronScheduleProblem } from "../../components/fields";
import { startTestControlPlane } from "./support";

/** Kubernetes runs these; validation refuses them on purpose (@every has no place in a daily-maintenance schedule). */
const stricterOnPurpose = new Set(["@every 1h"]);

const schedules = [
    "0 2 * * *", "0 3 * * *", "0 4 * * 0", "0 4 * * SUN", "*/15 0-23/2 1,15 JAN-JUN MON-FRI", "0 0 ? * *", "5/15 * * * *", "0 0 31 2 *",
    "@daily", "@hourly", "@weekly", "@midnight", "@every 1h",
    "61 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 7", "0 0 * * 8", "*/0 * * * *", "5-1 * * * *",
    "0 2 * *", "0 0 2 * * *", "0 0 L * *", "0 0 * * 5#2", "0 0 15W * *", "0 0 * FOO *", "TZ=UTC 0 2 * * *", "@fortnightly",
];

describe("engine: cron schedules, judged by the API server", () => {
    let cluster: ControlPlane;

    before(async function () {
        cluster = await startTestControlPlane(this, "cron-cluster");
    });

    after(async () => {
        await cluster?.stop();
    });

    it("validation accepts exactly the schedules the CronJob API accepts", async () => {
        const token = (YAML.parse(fs.readFileSync(cluster.kubeconfig, "utf8")) as { users: { user: { token: string } }[] }).users[0].user.token;
        const disagreements: string[] = [];
        for (const [i, schedule] of schedules.entries()) {
            const cronJob = {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: `schedule-${i}` },
                spec: {
                    schedule,
                    timeZone: "Etc/UTC",
                    jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "job", image: "registry.groundwork.test/job:1.0.0" }] } } } },
                },
            };
            // A dry run: validated and admitted as a create, stored nowhere.
            const { status, body } = await httpRequest(`${cluster.server}/apis/batch/v1/namespaces/default/cronjobs?dryRun=All`, "POST", token, cronJob);
            assert.ok(status === 201 || status === 422, `${schedule}: HTTP ${status}: ${body}`);
            const api = status === 201;
            const ours = cronScheduleProblem(schedule) === undefined;
            if (api !== ours && !(api && stricterOnPurpose.has(schedule))) {
                disagreements.push(`${JSON.stringify(schedule)}: API server ${api ? "accepts" : "refuses"}, validation ${ours ? "accepts" : `refuses (${cronScheduleProblem(schedule)})`}`);
            }
        }
        assert.deepEqual(disagreements, []);
    });
});
