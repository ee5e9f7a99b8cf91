/** The application's prom-client Registry (one per application: tests run several in one process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
