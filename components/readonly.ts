/** Settings as components receive them: the loaded config is frozen, so nothing downstream may mutate it. */
export type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[]
    : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
