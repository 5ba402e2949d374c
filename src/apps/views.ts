import type { McpUiResourceMeta } from '@modelcontextprotocol/ext-apps';

/** The MCP App views this server ships; each is built into dist/apps/<name>.html from views/<name>/. */
export const APP_VIEWS = {
  inventory: {
    title: 'SWAS images, snapshots and quota',
    description: 'Custom images per region with the image quota, snapshots per server, sortable by age; refreshes itself.',
  },
  plan: {
    title: 'SWAS change plan',
    description: 'A change that needs a person\'s approval: its steps, what cannot be undone, and Approve / Decline.',
  },
  progress: {
    title: 'SWAS operation progress',
    description: 'Follows snapshots, images and server resets until they finish; resumes from the operation\'s IDs when reopened.',
  },
} as const satisfies Record<string, { title: string; description: string }>;

export type AppViewName = keyof typeof APP_VIEWS;

export function appViewUri(name: AppViewName): string {
  return `ui://swas-image-mcp/${name}`;
}

/**
 * No external domain of any kind: the pages are self-contained and talk only to the host.
 * (Each page also carries its own Content-Security-Policy with the same effect.)
 */
export const APP_VIEW_UI_META: McpUiResourceMeta = {
  csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] },
  prefersBorder: true,
};
