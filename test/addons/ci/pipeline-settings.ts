import { PipelineSettings } from "../../../components/addons/ci/tasks";
import { tektonSchema } from "../../../components/addons/tekton/config";

/** A tier's pipeline settings as validation resolves them: `web` from its GitHub repository, `deploy` on top of the defaults. */
export function aPipeline(overrides: { repository?: string; branch?: string; crds?: string[] } = {}): PipelineSettings {
    return tektonSchema.parse({
        pipelines: [{
            tier: "web",
            repository: overrides.repository ?? "https://git.example.com/acme/web.git",
            ...(overrides.branch === undefined ? {} : { branch: overrides.branch }),
            image: "ghcr.io/acme/web",
            test: { image: "node:22", command: "npm test" },
            deploy: { crds: overrides.crds ?? [] },
        }],
    }).pipelines[0];
}
