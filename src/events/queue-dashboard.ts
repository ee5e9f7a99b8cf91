import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';

export const QUEUE_DASHBOARD_PATH = '/queues';

/**
 * bull-board's dashboard of the event queues at /queues. The surface hook serves it on the admin port only and,
 * when ADMIN_API_KEYS is set, only with an admin key. Read-only: the dashboard cannot retry, clean or delete jobs.
 */
export async function mountQueueDashboard(app: NestFastifyApplication, queues: Queue[]): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}
