import * as assert from "node:assert/strict";
import { Budget, budgetOf, quotaFor, quotaShortfalls, sumBudgets } from "../../components/platform/sizing";

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const small = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
const zero: Budget = { requestsCpu: 0, limitsCpu: 0, requestsMemory: 0, limitsMemory: 0, pods: 0, persistentVolumeClaims: 0, storage: 0 };

describe("quota maths", () => {
    const workloads: { name: string; workloads: Parameters<typeof budgetOf>[0]; budget: Budget }[] = [
        { name: "nothing", workloads: [], budget: zero },
        {
            name: "pods of one sizing multiply it",
            workloads: [{ resources: small, pods: 3 }],
            budget: { requestsCpu: 300, limitsCpu: 1500, requestsMemory: 384 * Mi, limitsMemory: 1536 * Mi, pods: 3, persistentVolumeClaims: 0, storage: 0 },
        },
        {
            name: "each volume is a claim, counted once whatever the pods",
            workloads: [{ resources: small, pods: 1, volumes: ["20Gi", "512Mi"] }],
            budget: { requestsCpu: 100, limitsCpu: 500, requestsMemory: 128 * Mi, limitsMemory: 512 * Mi, pods: 1, persistentVolumeClaims: 2, storage: 20 * Gi + 512 * Mi },
        },
        {
            name: "no pods claim nothing but their volumes",
            workloads: [{ resources: small, pods: 0, volumes: ["1Gi"] }],
            budget: { ...zero, persistentVolumeClaims: 1, storage: Gi },
        },
    ];
    for (const { name, workloads: given, budget } of workloads) {
        it(`budgets ${name}`, () => assert.deepEqual(budgetOf(given), budget));
    }

    it("sums budgets field by field", () => {
        const app: Budget = { requestsCpu: 200, limitsCpu: 1000, requestsMemory: 256 * Mi, limitsMemory: Gi, pods: 2, persistentVolumeClaims: 0, storage: 0 };
        const database: Budget = { requestsCpu: 250, limitsCpu: 1000, requestsMemory: 256 * Mi, limitsMemory: Gi, pods: 1, persistentVolumeClaims: 1, storage: 20 * Gi };
        assert.deepEqual(sumBudgets([app, database]), {
            requestsCpu: 450, limitsCpu: 2000, requestsMemory: 512 * Mi, limitsMemory: 2 * Gi, pods: 3, persistentVolumeClaims: 1, storage: 20 * Gi,
        });
        assert.deepEqual(sumBudgets([]), zero);
    });

    const peak = budgetOf([{ resources: small, pods: 4, volumes: ["10Gi", "10Gi"] }]);
    it("takes the peak as the quota when none is given", () => assert.deepEqual(quotaFor(peak), peak));

    it("takes an explicit quota for requests and limits alike, but always counts the claims", () => {
        assert.deepEqual(quotaFor(peak, { cpu: "8", memory: "16Gi", pods: 40, storage: "100Gi" }), {
            requestsCpu: 8000, limitsCpu: 8000, requestsMemory: 16 * Gi, limitsMemory: 16 * Gi, pods: 40, persistentVolumeClaims: 2, storage: 100 * Gi,
        });
    });

    const explicit: { name: string; quota: Parameters<typeof quotaShortfalls>[0]; short: ReturnType<typeof quotaShortfalls> }[] = [
        { name: "exactly the peak", quota: { cpu: "2", memory: "2Gi", pods: 4, storage: "20Gi" }, short: [] },
        { name: "headroom above it", quota: { cpu: "8", memory: "16Gi", pods: 40, storage: "100Gi" }, short: [] },
        {
            name: "less of everything",
            quota: { cpu: "1999m", memory: "1Gi", pods: 3, storage: "19Gi" },
            short: [{ field: "cpu", needed: "2" }, { field: "memory", needed: "2Gi" }, { field: "pods", needed: "4" }, { field: "storage", needed: "20Gi" }],
        },
        { name: "too few pods only", quota: { cpu: "2", memory: "2Gi", pods: 2, storage: "20Gi" }, short: [{ field: "pods", needed: "4" }] },
    ];
    for (const { name, quota, short } of explicit) {
        it(`compares an explicit quota with the peak (limits): ${name}`, () => assert.deepEqual(quotaShortfalls(quota, peak), short));
    }
});
