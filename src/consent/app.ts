import type { ClientCapabilities } from '@modelcontextprotocol/server';
import { appViewUri } from '../apps/views.js';

/**
 * The `app` consent channel: a host that renders MCP Apps shows the plan in a view, and the view's
 * buttons call an app-only tool (`_meta.ui.visibility: ["app"]`) that hosts keep from the model.
 * The server cannot tell the view's call from the model's: the boundary is the host. So the tool
 * is offered only to clients that declare the UI extension, and it decides only approvals that
 * were shown in a view.
 */

/** The MCP Apps extension, as clients declare it under `capabilities.extensions`. */
export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
/** The MIME type of a view (ext-apps' RESOURCE_MIME_TYPE). */
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';
/** The view that shows a plan and its Approve and Decline buttons. */
export const PLAN_VIEW_URI = appViewUri('plan');
/** The app-only tool the plan view's buttons call. */
export const DECIDE_PLAN_TOOL = 'decide_plan';

/** Whether the client renders MCP App views: it declared the extension with the app MIME type (as ext-apps' getUiCapability is read). */
export function clientShowsApps(caps: ClientCapabilities | undefined): boolean {
  const ext = (caps as { extensions?: Record<string, unknown> } | undefined)?.extensions?.[UI_EXTENSION];
  if (ext === undefined || ext === null || typeof ext !== 'object') return false;
  const types = (ext as { mimeTypes?: unknown }).mimeTypes;
  return Array.isArray(types) && types.includes(APP_MIME_TYPE);
}
