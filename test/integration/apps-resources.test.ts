import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_VIEWS, appViewUri } from '../../src/apps/views.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
// @ts-expect-error the build script is plain JavaScript
import { viewNames } from '../../scripts/build-views.mjs';

/** What a host reads before it shows a view: the resource, its CSP, and which tools point at it. */
describe('MCP App resources', () => {
  let s: InProcess;
  beforeAll(async () => { s = await startInProcess(); });
  afterAll(async () => { await s?.close(); });

  it('builds exactly the views the server registers', async () => {
    expect(await (viewNames as () => Promise<string[]>)()).toEqual(Object.keys(APP_VIEWS).sort());
  });

  it('lists each view as text/html;profile=mcp-app with a CSP naming no domain, and serves one self-contained page', async () => {
    const { resources } = await s.client.listResources();
    for (const name of Object.keys(APP_VIEWS) as Array<keyof typeof APP_VIEWS>) {
      const uri = appViewUri(name);
      expect(uri).toBe(`ui://swas-image-mcp/${name}`);
      const listed = resources.find((r) => r.uri === uri);
      expect(listed?.mimeType).toBe('text/html;profile=mcp-app');
      const read = await s.client.readResource({ uri });
      const content = read.contents[0] as { mimeType?: string; text?: string; _meta?: { ui?: { csp?: Record<string, string[]> } } };
      expect(content.mimeType).toBe('text/html;profile=mcp-app');
      const csp = content._meta?.ui?.csp ?? {};
      expect(Object.values(csp).flat()).toEqual([]);
      expect(Object.keys(csp).sort()).toEqual(['baseUriDomains', 'connectDomains', 'frameDomains', 'resourceDomains']);
      const html = content.text ?? '';
      // Inlined, not loaded: no src= or href= anywhere, and a policy of its own that allows no network.
      expect(html).not.toMatch(/\s(src|href)=/i);
      expect(html).toMatch(/http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';[^"]*connect-src 'none'/);
      expect(html.match(/<script>/g)).toHaveLength(1);
    }
  });

  it('points the list, create and wait tools at their views with both metadata keys, and leaves results as they were', async () => {
    const { tools } = await s.client.listTools();
    const uriOf = (name: string) => {
      const meta = tools.find((t) => t.name === name)?._meta as { ui?: { resourceUri?: string }; 'ui/resourceUri'?: string } | undefined;
      expect(meta?.['ui/resourceUri']).toBe(meta?.ui?.resourceUri);
      return meta?.ui?.resourceUri;
    };
    for (const t of ['list_custom_images', 'list_snapshots', 'list_instances']) expect(uriOf(t)).toBe(appViewUri('inventory'));
    for (const t of ['create_snapshot', 'create_custom_image', 'wait_for_resources']) expect(uriOf(t)).toBe(appViewUri('progress'));
    // A reset is approved in the plan view, which then follows it with the progress panel.
    expect(uriOf('reset_system')).toBe(appViewUri('plan'));
    expect(tools.find((t) => t.name === 'list_images')?._meta).toBeUndefined();
    const result = await s.call('list_custom_images', { RegionId: 'all' });
    expect(Object.keys(result).sort()).toEqual(['content', 'structuredContent']);
  });
});
