/**
 * Preloaded into every Node process of a `npm run bench -- --profile` run: the engine stops its
 * plugins (the policy analyzer, stand-in providers) with a signal, and Node writes a --cpu-prof
 * profile only when a process exits on its own.
 */
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => process.exit(0));
}
