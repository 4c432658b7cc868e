/**
 * A value made on first use and kept only while memory allows it (a WeakRef), for the compiled
 * ajv validators of the config file and of the whitelist: a node validates its config once at start and need not
 * keep their generated code (the config schema's is ~150 KB of source) for weeks; repeated loads
 * (tests, `config validate`) reuse it while it lives.
 */
export function onDemand<T extends object>(make: () => T): () => T {
  let ref: WeakRef<T> | null = null;
  return () => {
    let value = ref?.deref();
    if (!value) {
      value = make();
      ref = new WeakRef(value);
    }
    return value;
  };
}
