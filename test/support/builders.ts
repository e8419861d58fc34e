/**
 * Stack config built in the test that reads it, as a stack file's YAML would hold it (objects, not
 * the strings Pulumi passes; asEngineConfig encodes them). Each builder starts from the smallest
 * config that validates, so a test states only what its assertions depend on:
 *
 *     aStack("production").withTier(aTier("api").public("api.example.com").withDatabase()).build()
 *
 * Committed stack files are for the tests that hold for every stack (validation, URN inventories,
 * the network matrix, quotas, examples); the other tests build their input here.
 */
import type { environments } from "../../components/config";

export type Environment = (typeof environments)[number];
export type RawConfig = Record<string, unknown>;
type Fields = Record<string, unknown>;

/** Requests below limits, small enough for every quota a test derives. */
export const smallResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** A tier database: `storage` is its one required field. */
export function aDatabase(fields: Fields = {}): Fields {
    return { storage: "1Gi", ...fields };
}

export class TierBuilder {
    private readonly fields: Fields;

    constructor(readonly name: string) {
        this.fields = { name, image: `registry.example.com/${name}:1.0.0`, port: 8080, resources: structuredClone(smallResources) };
    }

    /** Served by the ingress on these hosts. */
    public(...hosts: string[]): this {
        return this.with({ public: { hosts } });
    }

    withDatabase(database: Fields = aDatabase()): this {
        return this.with({ database });
    }

    /** A client of the stack's shared Redis (aStack().withRedis()). */
    withRedis(): this {
        return this.with({ redis: true });
    }

    /** Metrics on a port of their own, which the public Ingress never routes. */
    withMetrics(metrics: Fields = { path: "/metrics", port: 9090 }): this {
        return this.with({ metrics });
    }

    autoscaled(minReplicas: number, maxReplicas: number): this {
        return this.with({ hpa: { minReplicas, maxReplicas, cpuUtilization: 70 } });
    }

    calledBy(...callers: string[]): this {
        return this.with({ callers });
    }

    /** Any other tier key, as the stack file spells it; `undefined` removes a key. */
    with(fields: Fields): this {
        for (const [key, value] of Object.entries(fields)) {
            if (value === undefined) {
                delete this.fields[key];
            } else {
                this.fields[key] = structuredClone(value);
            }
        }
        return this;
    }

    build(): Fields {
        return structuredClone(this.fields);
    }
}

/** One tier: a pinned image, a port and resources; private, without database, Redis or metrics. */
export function aTier(name = "api"): TierBuilder {
    return new TierBuilder(name);
}

/** A Cloudflare edge in zone example.com (owner of its zone unless `fields` says otherwise). */
export function anEdge(fields: Fields = {}): Fields {
    return { enabled: true, plan: "business", zone: { name: "example.com", accountId: "0123456789abcdef0123456789abcdef" }, zoneOwner: true, ...fields };
}

export class StackBuilder {
    private readonly tiers: TierBuilder[] = [];
    private readonly keys: Fields = {};

    constructor(readonly environment: Environment) {}

    withTier(...tiers: TierBuilder[]): this {
        this.tiers.push(...tiers);
        return this;
    }

    /** The shared Redis the tiers marked withRedis() use. */
    withRedis(redis: Fields = { storage: "1Gi" }): this {
        return this.with("redis", redis);
    }

    /** groundwork:addons; add-ons the stack does not name keep their defaults (ingress-nginx, cert-manager, Argo CD and Tekton on, monitoring off). */
    withAddons(addons: Fields): this {
        return this.with("addons", addons);
    }

    withEdge(edge: Fields = anEdge()): this {
        return this.with("edge", edge);
    }

    /** Any other `groundwork:<key>`; `undefined` removes it. */
    with(key: string, value: unknown): this {
        this.keys[key] = structuredClone(value);
        return this;
    }

    /** The stack's `groundwork:*` config; one tier named "api" when the test adds none. */
    build(): RawConfig {
        const tiers = this.tiers.length > 0 ? this.tiers : [aTier()];
        const config: RawConfig = { "groundwork:environment": this.environment, "groundwork:tiers": tiers.map((tier) => tier.build()) };
        for (const [key, value] of Object.entries(this.keys)) {
            if (value === undefined) {
                delete config[`groundwork:${key}`];
            } else {
                config[`groundwork:${key}`] = structuredClone(value);
            }
        }
        return config;
    }
}

export function aStack(environment: Environment = "staging"): StackBuilder {
    return new StackBuilder(environment);
}
