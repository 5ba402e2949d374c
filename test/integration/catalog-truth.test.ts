import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText, explain } from '../../src/explain/catalog.js';
import { DEMO } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf, type ToolResult } from '../helpers/stack.js';

function words(code: string, action: string): string {
  const { error, why } = explain({ code, message: 'm', stage: 'api', httpStatus: 404 }, { action, regionId: 'cn-hangzhou', instanceId: 'srv-1' });
  return errorText(error, why);
}

describe('InvalidInstanceId.NotFound speaks of the action that ran', () => {
  it('an image only for CreateCustomImage; snapshot and reset words for theirs', () => {
    expect(words('InvalidInstanceId.NotFound', 'CreateCustomImage')).toContain('The image must be made in the server\'s own region');
    for (const action of ['CreateSnapshot', 'ResetSystem', 'ListInstances']) {
      expect(words('InvalidInstanceId.NotFound', action), action).not.toMatch(/image must be made/);
    }
    expect(words('InvalidInstanceId.NotFound', 'CreateSnapshot')).toContain('snapshot');
    expect(words('InvalidInstanceId.NotFound', 'ResetSystem')).toContain('re-installed');
  });
});

describe('a call stopped by the server\'s shutdown says so, not "cancelled by the client"', () => {
  let s: InProcess;
  beforeAll(async () => { s = await startInProcess(); });
  afterAll(async () => { await s?.close(); });

  it('wait_for_resources stopped by the shutdown answers ServerShuttingDown', async () => {
    const image = s.sim.state.addImage({ instanceId: DEMO.blogServerId, name: 'shutdown-wait', status: '4' });
    let stopped: Promise<void> | undefined;
    const res = (await s.client.callTool({ name: 'wait_for_resources', arguments: { RegionId: DEMO.region, ImageIds: [image.imageId], TimeoutSeconds: 30 } },
      { onprogress: () => { stopped ??= s.lifecycle.stopAndDrain(5_000); } })) as ToolResult;
    await stopped;
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'ServerShuttingDown', Stage: 'cancelled', Retryable: true });
    expect(textOf(res)).toContain('shutting down');
    expect(textOf(res)).not.toContain('cancelled by the client');
  });
});
