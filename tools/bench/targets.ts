/**
 * The targets the bench's ratios are held to (issue 21), in one table, and the last line that reads
 * each measured ratio against its target.
 */
export interface BenchRatios {
    programOverBaseline?: number;
    packOverPlain?: number;
    tiers50OverTiers10PerResource?: number;
    pssCoreOverReference?: number;
}

interface Target {
    readonly ratio: keyof BenchRatios;
    readonly label: string;
    /** "at most" for a cost compared with its floor, "at least" for a speed compared with the reference. */
    readonly bound: "at most" | "at least";
    readonly value: number;
}

export const TARGETS: readonly Target[] = [
    { ratio: "programOverBaseline", label: "program/baseline", bound: "at most", value: 1.3 },
    { ratio: "packOverPlain", label: "pack", bound: "at most", value: 1.1 },
    { ratio: "tiers50OverTiers10PerResource", label: "50/10 tiers per-resource", bound: "at most", value: 1.05 },
    { ratio: "pssCoreOverReference", label: "pss core/reference", bound: "at least", value: 0.5 },
];

const times = (value: number) => `${value.toFixed(2)}x`;

/** `bench: program/baseline 1.52x (target <= 1.30x: missed), …`; a section not run reads n/a. */
export function verdictLine(ratios: BenchRatios): string {
    const parts = TARGETS.map(({ ratio, label, bound, value }) => {
        const measured = ratios[ratio];
        const target = `${bound === "at most" ? "<=" : ">="} ${times(value)}`;
        if (measured === undefined) {
            return `${label} n/a (target ${target})`;
        }
        const met = bound === "at most" ? measured <= value : measured >= value;
        return `${label} ${times(measured)} (target ${target}: ${met ? "met" : "missed"})`;
    });
    return `bench: ${parts.join(", ")}`;
}
