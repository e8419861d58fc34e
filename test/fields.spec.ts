import * as assert from "node:assert/strict";
import { cronScheduleProblem } from "../components/fields";

describe("cron schedules, as the Kubernetes CronJob controller reads them", () => {
    const accepted = ["0 2 * * *", "0 3 * * *", "0 4 * * 0", "0 4 * * SUN", "*/15 0-23/2 1,15 JAN-JUN MON-FRI", "0 0 ? * *", "*/5 * * * *", "0 0 1,15/2 * *", "@daily", "@hourly", "@midnight", " 0 2 * * * "];
    for (const schedule of accepted) {
        it(`accepts ${JSON.stringify(schedule)}`, () => assert.equal(cronScheduleProblem(schedule), undefined));
    }

    const rejected: [string, RegExp][] = [
        ["61 * * * *", /^minute 61 is outside 0-59$/],
        ["0 24 * * *", /^hour 24 is outside 0-23$/],
        ["0 0 0 * *", /^day 0 is outside 1-31$/],
        ["0 0 32 * *", /^day 32 is outside 1-31$/],
        ["0 0 * 13 *", /^month 13 is outside 1-12$/],
        ["0 0 * * 7", /^weekday 7 is outside 0-6$/],
        ["0-61 0 * * *", /^minute 61 is outside 0-59$/],
        ["*/90 * * * *", /./],
        ["0 0 1,15/2,32 * *", /^day 32 is outside 1-31$/],
        ["5-1 * * * *", /./],
        ["*/0 * * * *", /./],
        ["0 0 * FOO *", /./],
        ["0 2 * *", /five, six, or seven/],
        ["0 0 2 * * *", /exactly 5 parts/],
        ["0 0 L * *", /"L" is not Kubernetes cron syntax/],
        ["0 0 * * 5#2", /"5#2" is not Kubernetes cron syntax/],
        ["0 0 15W * *", /"15W" is not Kubernetes cron syntax/],
        ["@every 1h", /five, six, or seven/],
        ["TZ=UTC 0 2 * * *", /exactly 5 parts/],
        ["", /./],
    ];
    for (const [schedule, problem] of rejected) {
        it(`rejects ${JSON.stringify(schedule)}`, () => assert.match(cronScheduleProblem(schedule) ?? "(accepted)", problem));
    }
});
