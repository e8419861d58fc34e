import { z } from "zod";

/**
 * How fast a tier's HorizontalPodAutoscaler may move, per direction: a window over which the
 * autoscaler keeps its highest recommendation (scale-down) or lowest (scale-up), and how many pods
 * it may add or remove per period, as a percentage of the current replicas or a pod count,
 * whichever allows more. The bounds are the API server's.
 */
function scalingRulesSchema(defaults: ScalingRules) {
    return z.strictObject({
        stabilizationSeconds: z.int().min(0, "must be 0 or more").max(3600, "must be at most 3600 (the API server's limit)")
            .default(defaults.stabilizationSeconds),
        percent: z.int().min(1, "must be at least 1").max(1000, "must be at most 1000").default(defaults.percent),
        pods: z.int().min(1, "must be at least 1").default(defaults.pods),
        periodSeconds: z.int().min(1, "must be at least 1").max(1800, "must be at most 1800 (the API server's limit)").default(defaults.periodSeconds),
    }).prefault({});
}

export interface ScalingRules {
    stabilizationSeconds: number;
    percent: number;
    pods: number;
    periodSeconds: number;
}

// Up within a minute by half again or 4 pods; down slowly, 10% or 2 pods a minute after 5 minutes of
// lower load, so that a short lull does not drop capacity the next burst needs.
const scaleUpDefaults: ScalingRules = { stabilizationSeconds: 60, percent: 50, pods: 4, periodSeconds: 60 };
const scaleDownDefaults: ScalingRules = { stabilizationSeconds: 300, percent: 10, pods: 2, periodSeconds: 60 };

export const hpaBehaviorSchema = z.strictObject({
    scaleUp: scalingRulesSchema(scaleUpDefaults),
    scaleDown: scalingRulesSchema(scaleDownDefaults),
}).prefault({}).describe("How fast the autoscaler scales up and down: stabilizationSeconds, percent, pods and periodSeconds per direction.");

export interface HpaBehavior {
    scaleUp: ScalingRules;
    scaleDown: ScalingRules;
}

/** The HorizontalPodAutoscaler's `spec.behavior` for the tier's rules. */
export function hpaBehaviorSpec(behavior: HpaBehavior) {
    const direction = (rules: ScalingRules) => ({
        stabilizationWindowSeconds: rules.stabilizationSeconds,
        selectPolicy: "Max",
        policies: [
            { type: "Percent", value: rules.percent, periodSeconds: rules.periodSeconds },
            { type: "Pods", value: rules.pods, periodSeconds: rules.periodSeconds },
        ],
    });
    return { scaleUp: direction(behavior.scaleUp), scaleDown: direction(behavior.scaleDown) };
}
