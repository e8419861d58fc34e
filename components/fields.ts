import { CronPattern } from "croner";
import { z } from "zod";
import { parseBytes, parseCpu } from "./platform/quantity";

/**
 * Field schemas shared by every config section. Each carries the message a person needs:
 * what is allowed, with an example, so that a bad value can be fixed without reading code.
 */

const rfc1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes object name used as a prefix for derived names, so it is kept short. */
export const resourceName = z
    .string()
    .max(40, "must be at most 40 characters (derived object names add suffixes up to 63)")
    .regex(rfc1123Label, "must be a lower-case RFC 1123 label such as \"ai-engine\"");

export const hostname = z
    .string()
    .max(253, "must be at most 253 characters")
    .refine(
        (host) => host.split(".").length >= 2
            && host.split(".").every((label, i) => (i === 0 && label === "*") || (label.length <= 63 && rfc1123Label.test(label))),
        "must be a lower-case DNS name such as \"api.example.com\" (a leading \"*.\" is allowed)",
    );

export const urlPath = z.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, "must be an absolute URL path such as \"/healthz\"");

export const filesystemPath = z.string().regex(/^\/[A-Za-z0-9._\-/]*$/, "must be an absolute path such as \"/tmp\"");

export const port = z.int("must be a whole number").min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");

export const replicaCount = z.int("must be a whole number").min(1, "must be at least 1");

export const percentage = z.int("must be a whole number").min(1, "must be a percentage from 1 to 100").max(100, "must be a percentage from 1 to 100");

export const cpuQuantity = z
    .string("must be a CPU quantity string such as \"250m\" or \"1\"")
    .refine((value) => (parseCpu(value) ?? 0) > 0, "must be a positive CPU quantity such as \"250m\" or \"1\"");

export const memoryQuantity = z
    .string("must be a memory quantity string such as \"512Mi\" or \"2Gi\"")
    .refine((value) => (parseBytes(value) ?? 0) >= 2 ** 20, "must be a memory quantity of at least 1Mi such as \"512Mi\" or \"2Gi\"");

/**
 * Requests and limits of a container: the one schema of every `resources` block (tiers, their cron
 * jobs, databases, Redis, add-ons). Each request must be at most its limit, reported at the request.
 */
export const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
}).superRefine((resources, ctx) => {
    for (const [field, parse] of [["cpu", parseCpu], ["memory", parseBytes]] as const) {
        const request = parse(resources.requests[field]);
        const limit = parse(resources.limits[field]);
        if (request !== undefined && limit !== undefined && request > limit) {
            ctx.addIssue({ code: "custom", path: ["requests", field], message: `must be <= resources.limits.${field} (${resources.limits[field]})` });
        }
    }
});

export const storageSize = z
    .string("must be a storage size string such as \"10Gi\"")
    .refine((value) => (parseBytes(value) ?? 0) >= 2 ** 20, "must be a storage size of at least 1Mi such as \"10Gi\" (units Ki, Mi, Gi, Ti or k, M, G, T)");

/** An image reference pinned by tag (never "latest") or by digest. */
export const imageReference = z
    .string()
    .regex(
        /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
        "must be an image reference such as \"ghcr.io/acme/api:1.4.2\"",
    )
    .refine((image) => /@sha256:[a-f0-9]{64}$/.test(image) || /:[\w][\w.-]{0,127}$/.test(image.split("/").pop() ?? ""),
        "must be pinned by a tag or a digest, such as \"ghcr.io/acme/api:1.4.2\" or \"…@sha256:<64 hex>\"")
    .refine((image) => !/:latest(@|$)/.test(image), "must not use the \"latest\" tag: pin a version or a digest");

function isIpv4Cidr(value: string): boolean {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    return match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255) && Number(match[5]) <= 32;
}

/**
 * Where a tier may send traffic outside the cluster. NetworkPolicy matches addresses only, so a
 * host name, the natural way to name an API, gets its own explanation.
 */
export const egressCidr = z.string().superRefine((value, ctx) => {
    if (isIpv4Cidr(value)) {
        return;
    }
    const message = /^(?=.*[a-z])[a-z0-9.-]+(\.[a-z0-9-]+)+$/i.test(value)
        ? "is a host name, and a NetworkPolicy matches IP addresses only: use the CIDR ranges the service publishes (one rule each), or send the traffic through an egress proxy whose address you list here"
        : "must be an IPv4 CIDR such as \"10.0.0.0/16\"";
    ctx.addIssue({ code: "custom", message });
});

/**
 * A key of a Secret, which a tier also reads as the variable of that name: letters, digits, "-", "_"
 * and ".". Kubernetes accepts such variable names from 1.32 on; a program reads "webhook-secret"
 * from its environment by that exact name (a shell cannot).
 */
export const secretKeyName = z.string().regex(/^(?!\.\.?$)[-._A-Za-z0-9]+$/, "must be a Secret key such as \"JWT_SECRET\" or \"webhook-secret\" (letters, digits, -, _ and .)");

/** Environment variable names for the ConfigMap and secret references. */
export const environmentVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name such as \"FEATURE_FLAGS\"");

/** The five cron fields with the numbers the CronJob controller accepts in each (Sunday is 0 only). */
const cronFields = [["minute", 0, 59], ["hour", 0, 23], ["day", 1, 31], ["month", 1, 12], ["weekday", 0, 6]] as const;

/**
 * Why `schedule` is not a schedule the Kubernetes CronJob controller accepts, or undefined. Croner
 * parses it (field count, ranges, steps, lists, names); what Croner accepts beyond the controller's
 * dialect (L, W and # modifiers, weekday 7) is refused here, and numbers out of range are named in
 * the config's own terms, so that nothing fails only at the API server.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
    const trimmed = schedule.trim();
    if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(trimmed)) {
        return undefined;
    }
    const fields = trimmed.split(/\s+/);
    if (fields.length === cronFields.length) {
        for (const [i, field] of fields.entries()) {
            const [name, min, max] = cronFields[i];
            // Each list item is a value, a range or "*", with an optional step, which is no value of the field.
            for (const [base, step = "1"] of field.split(",").map((item) => item.split("/"))) {
                for (const atom of [...base.split("-"), step]) {
                    if (!/^(\*|\?|\d+|[A-Za-z]{3})$/.test(atom)) {
                        return `"${atom}" is not Kubernetes cron syntax (numbers, names, *, ?, ranges, lists and steps; no L, W or #)`;
                    }
                }
                const outside = base.split("-").find((atom) => /^\d+$/.test(atom) && (Number(atom) < min || Number(atom) > max));
                if (outside !== undefined) {
                    return `${name} ${outside} is outside ${min}-${max}`;
                }
            }
        }
    }
    try {
        // sloppyRanges: "15/2" (from 15, every 2) is standard cron, and the controller accepts it.
        new CronPattern(trimmed, undefined, { mode: "5-part", sloppyRanges: true });
    } catch (error) {
        return (error as Error).message.replace(/^CronPattern: /, "");
    }
    return undefined;
}

export const cronSchedule = z.string().superRefine((schedule, ctx) => {
    const problem = cronScheduleProblem(schedule);
    if (problem !== undefined) {
        ctx.addIssue({ code: "custom", message: `must be a five-field cron schedule such as "0 2 * * *" (minute hour day month weekday): ${problem}` });
    }
});

export const gitRepositoryUrl = z.string().regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/,
    "must be a Git repository URL such as \"https://github.com/acme/app.git\" or \"git@github.com:acme/app.git\"");

/** Secret config arrives as JSON text, or already decoded when it was a structured value. */
export function decodedJson<T extends z.ZodType>(schema: T) {
    return z.preprocess((value) => {
        if (typeof value !== "string") {
            return value;
        }
        try {
            return JSON.parse(value) as unknown;
        } catch {
            return value;
        }
    }, schema);
}

/** Adds a problem at a path below `groundwork:` (e.g. ["tiers", 1, "hpa"]); cross-field checks use it. */
export type ReportIssue = (path: (string | number)[], message: string) => void;

/** Indexes of the entries that repeat an earlier one: the places to report in a list whose entries must be unique. */
export function repeatedIndexes(values: readonly string[]): number[] {
    return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
