import { DynamicModule, Module } from '@nestjs/common';
import { LifecycleState } from '../lifecycle/lifecycle-state';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({})
export class HealthModule {
  /** `lifecycle` is the process's: readiness turns 503 as soon as a stop begins. */
  static forRoot(lifecycle: LifecycleState): DynamicModule {
    return { module: HealthModule, controllers: [HealthController], providers: [HealthService, { provide: LifecycleState, useValue: lifecycle }] };
  }
}
