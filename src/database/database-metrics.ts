import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { METRICS_REGISTRY } from '../metrics/metrics.module';
import { readPoolStats } from './pool-stats';

/**
 * The connection pool's gauges, read from the pool at each scrape (nothing is counted on the query path). SQLite has
 * no pool: the gauges are absent there.
 */
@Injectable()
export class DatabaseMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @InjectDataSource() dataSource: DataSource) {
    const gauge = (name: string, help: string, read: (stats: NonNullable<ReturnType<typeof readPoolStats>>) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const stats = readPoolStats(dataSource);
          if (stats) this.set(read(stats));
          else this.remove(); // no series at all (rather than a 0 that looks like an idle pool)
        },
      });
    gauge('db_pool_connections_in_use', 'Database connections handed out by the pool', (s) => s.inUse);
    gauge('db_pool_connections_idle', 'Open database connections idle in the pool', (s) => s.idle);
    gauge('db_pool_connections_max', 'The database pool connection limit (DATABASE_POOL_SIZE)', (s) => s.max);
    gauge('db_pool_waiting_requests', 'Callers waiting for a database connection because the pool is exhausted', (s) => s.waiting);
  }
}
