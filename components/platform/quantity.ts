/**
 * Kubernetes resource quantities, parsed the way the API server reads them, so that config
 * can be compared (requests <= limits, quotas >= what the tiers need) before anything is sent.
 */

const cpuPattern = /^(\d+(?:\.\d+)?)(m?)$/;
const bytesPattern = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const byteMultipliers: Record<string, number> = {
    "": 1,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Millicores of a CPU quantity ("250m", "1", "0.5"), or undefined when it is not one. */
export function parseCpu(quantity: string): number | undefined {
    const match = cpuPattern.exec(quantity);
    if (!match) {
        return undefined;
    }
    const value = Number(match[1]);
    return match[2] === "m" ? value : value * 1000;
}

/** Bytes of a memory or storage quantity ("512Mi", "2Gi", "1G"), or undefined when it is not one. */
export function parseBytes(quantity: string): number | undefined {
    const match = bytesPattern.exec(quantity);
    if (!match) {
        return undefined;
    }
    return Number(match[1]) * byteMultipliers[match[2] ?? ""];
}

/** Millicores as the shortest exact quantity string ("1500m", "2"). */
export function formatCpu(millicores: number): string {
    const rounded = Math.ceil(millicores);
    return rounded % 1000 === 0 ? String(rounded / 1000) : `${rounded}m`;
}

/** Bytes as a binary-suffixed quantity string, rounded up to whole Mi ("768Mi", "3Gi"). */
export function formatBytes(bytes: number): string {
    const mebibytes = Math.ceil(bytes / 2 ** 20);
    return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}
