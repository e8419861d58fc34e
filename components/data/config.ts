import { z } from "zod";
import { cronSchedule, resourceName, resourcesSchema, storageSize } from "../fields";
import { placementSchema } from "../platform/placement";

/**
 * The stores' sections: a tier's own PostgreSQL (`groundwork:tiers[].database`), its backups
 * (`groundwork:backups`) and the shared Redis (`groundwork:redis`), with their defaults and messages.
 */

export const databaseSchema = z.strictObject({
    storage: storageSize,
    storageClass: resourceName.optional(),
    resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }),
    placement: placementSchema.optional(),
});

export const redisSchema = z.strictObject({
    namespace: resourceName.default("redis"),
    storage: storageSize,
    storageClass: resourceName.optional(),
    placement: placementSchema.optional(),
    resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
});

export const backupsSchema = z.strictObject({
    schedule: cronSchedule.default("0 2 * * *"),
    retentionDays: z.int().min(1, "must keep at least 1 day").max(365, "must be at most 365 days").default(7),
    /** Size of each tier's backup volume; defaults to the database volume's size. */
    storage: storageSize.optional(),
}).default({ schedule: "0 2 * * *", retentionDays: 7 });
