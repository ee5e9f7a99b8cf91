import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { CloudEvent, startConsumer } from '../examples/consumer/consumer';
import { TEST_REDIS_URL } from './support/test-app';

describe('examples/consumer', () => {
  it('handles each event once, even when it is delivered twice', async () => {
    const queueName = `consumer-test-${randomUUID().slice(0, 8)}`;
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const queue = new Queue(queueName, { connection });
    const handled: string[] = [];
    const consumer = startConsumer({
      redisUrl: TEST_REDIS_URL,
      queue: queueName,
      consumerName: queueName,
      handle: (e) => Promise.resolve(void handled.push(e.id)),
    });
    try {
      const event: CloudEvent = {
        specversion: '1.0',
        id: randomUUID(),
        source: 'test',
        type: 'identity.created',
        subject: randomUUID(),
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: {},
      };
      // The same event twice under different job ids: what a republish after job retention looks like.
      await queue.add(event.type, event, { jobId: `${event.id}-a` });
      await queue.add(event.type, event, { jobId: `${event.id}-b` });
      await queue.add('identity.updated', { ...event, id: randomUUID(), type: 'identity.updated' });
      const deadline = Date.now() + 10_000;
      while ((await queue.getCompletedCount()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await queue.getCompletedCount()).toBe(3);
      expect(handled.filter((id) => id === event.id)).toHaveLength(1);
      expect(handled).toHaveLength(2);
    } finally {
      await consumer.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
