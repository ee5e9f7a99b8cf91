import { Module } from '@nestjs/common';
import { RedisConnectionModule } from '../events/redis-connection.module';
import { AttemptThrottleService } from './attempt-throttle.service';

/** Limits on guessable attempts (passwords, recovery codes), shared by the replicas through the events' Redis. */
@Module({
  imports: [RedisConnectionModule],
  providers: [AttemptThrottleService],
  exports: [AttemptThrottleService],
})
export class ThrottleModule {}
