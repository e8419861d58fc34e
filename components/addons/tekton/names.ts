/** The Tasks Groundwork's own pipelines run in the CI namespace, by role; the stack's own Tasks may not take these names. */
export const ciTaskNames = {
    clone: "git-clone",
    test: "run-tests",
    build: "build-and-push",
    deploy: "deploy-manifests",
    cleanup: "cleanup-manifests",
} as const;
