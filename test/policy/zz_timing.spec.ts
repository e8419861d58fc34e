import * as fs from "fs";
import * as path from "path";
import { checkWorkload } from "../../policy/core";
import { readWorkloads } from "../../policy/manifests";
import { WORKLOAD_SHAPES } from "./helpers";
it("timing", function () {
    this.timeout(120000);
    for (const root of ["/work/shared/conformance/pss", "/tmp/psa-full/test/testdata"]) {
        const items: any[] = [];
        for (const level of ["baseline", "restricted"]) for (const version of fs.readdirSync(path.join(root, level))) for (const v of ["pass", "fail"]) { const d = path.join(root, level, version, v); for (const f of fs.readdirSync(d)) { const file = path.join(d, f); items.push({ level, version, m: readWorkloads(file, fs.readFileSync(file, "utf8"))[0].manifest }); } }
        const wrapped = items.flatMap((i) => WORKLOAD_SHAPES.map((s) => ({ ...i, s, w: s.wrap(i.m) })));
        for (let r = 0; r < 3; r++) {
            const t = process.hrtime.bigint();
            for (const x of wrapped) checkWorkload(x.s.typeToken, x.w, { level: x.level, version: x.version });
            console.log(root, "fixtures", items.length, "evaluations", wrapped.length, "check ms", Number(process.hrtime.bigint() - t) / 1e6);
        }
    }
});
