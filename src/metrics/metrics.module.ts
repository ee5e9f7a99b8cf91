import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerBuildInfo } from './build-info';
import { MetricsController } from './metrics.controller';
import { METRICS_REGISTRY } from './metrics-registry';

export { METRICS_REGISTRY };

/** One registry per application (tests run several in one process), with Node's process metrics and build_info. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: METRICS_REGISTRY,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        registerBuildInfo(registry);
        return registry;
      },
    },
  ],
  exports: [METRICS_REGISTRY],
})
export class MetricsModule {}
