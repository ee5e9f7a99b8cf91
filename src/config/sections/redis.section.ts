import { z } from 'zod';
import { booleanFlag, ConfigError, defineSection } from './config-section';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Which Redis: one node (`url`, which also carries credentials, TLS and the database number), a Redis Cluster (`nodes`
 * to start from) or a Sentinel set (`sentinels` watching `masterName`). `username`, `password` and `tls` apply to the
 * data nodes of a cluster or of a Sentinel set; `keyPrefix` starts the service's own keys (attempt limits), so that
 * deployments can share a Redis.
 */
export type RedisConfig = { keyPrefix: string; url: string; username?: string; password?: string; tls: boolean } & (
  { mode: 'single' } | { mode: 'cluster'; nodes: RedisNode[] } | { mode: 'sentinel'; sentinels: RedisNode[]; masterName: string; sentinelPassword?: string }
);

function parseRedisNodes(name: string, value: string): RedisNode[] {
  const nodes = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(?:rediss?:\/\/)?([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(entry);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new ConfigError(`${name}: "${entry}" is not host:port`);
      return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
    });
  if (nodes.length === 0) throw new ConfigError(`${name}: list at least one host:port`);
  return nodes;
}

export const redisSection = defineSection(
  {
    REDIS_URL: z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), { error: 'must be redis://host:port[/db] or rediss://…' })
      .default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: z.string().optional(),
    REDIS_SENTINELS: z.string().optional(),
    REDIS_SENTINEL_MASTER: z.string().min(1).default('mymaster'),
    REDIS_SENTINEL_PASSWORD: z.string().optional(),
    REDIS_USERNAME: z.string().optional(),
    REDIS_PASSWORD: z.string().optional(),
    REDIS_TLS: booleanFlag.prefault('false'),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._:{}-]+$/, 'may contain letters, digits, ".", "_", ":", "-", "{" and "}" only')
      .default('kratos'),
  },
  (v): RedisConfig => {
    const common = { keyPrefix: v.REDIS_KEY_PREFIX, url: v.REDIS_URL, username: v.REDIS_USERNAME, password: v.REDIS_PASSWORD, tls: v.REDIS_TLS };
    if (v.REDIS_CLUSTER_NODES && v.REDIS_SENTINELS) throw new ConfigError('REDIS_SENTINELS: set either REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
    if (v.REDIS_CLUSTER_NODES) return { ...common, mode: 'cluster', nodes: parseRedisNodes('REDIS_CLUSTER_NODES', v.REDIS_CLUSTER_NODES) };
    if (v.REDIS_SENTINELS) {
      return {
        ...common,
        mode: 'sentinel',
        sentinels: parseRedisNodes('REDIS_SENTINELS', v.REDIS_SENTINELS),
        masterName: v.REDIS_SENTINEL_MASTER,
        sentinelPassword: v.REDIS_SENTINEL_PASSWORD,
      };
    }
    return { ...common, mode: 'single' };
  },
);
