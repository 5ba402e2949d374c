import { readFile } from 'node:fs/promises';
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/server';
import { APP_VIEWS, APP_VIEW_UI_META, appViewUri, type AppViewName } from './views.js';

const pages = new Map<AppViewName, Promise<string>>();

/**
 * A view's page, built by `npm run build`: beside the bundled server (dist/apps), from a chunk
 * (dist/chunks → ../apps), or from the sources (src/apps → ../../dist/apps, in tests).
 */
export function appViewHtml(name: AppViewName): Promise<string> {
  let page = pages.get(name);
  if (!page) {
    page = (async () => {
      for (const dir of ['./apps/', '../apps/', '../../dist/apps/']) {
        try { return await readFile(new URL(`${dir}${name}.html`, import.meta.url), 'utf8'); } catch { /* next */ }
      }
      throw new Error(`The ${name} view is not built: run npm run build.`);
    })();
    page.catch(() => pages.delete(name));
    pages.set(name, page);
  }
  return page;
}

/** Registers every view as a ui:// resource (text/html;profile=mcp-app) with a CSP that allows no domain. */
export function registerAppViews(server: McpServer): void {
  for (const name of Object.keys(APP_VIEWS) as AppViewName[]) {
    const uri = appViewUri(name);
    const { title, description } = APP_VIEWS[name];
    registerAppResource(server, title, uri, { description, _meta: { ui: APP_VIEW_UI_META } }, async () => ({
      contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text: await appViewHtml(name), _meta: { ui: APP_VIEW_UI_META } }],
    }));
  }
}
