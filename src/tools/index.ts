import { createCustomImageTool } from './create-custom-image.js';
import { createServersFromImageTool } from './create-servers-from-image.js';
import { createSnapshotTool } from './create-snapshot.js';
import { deleteCustomImagesTool } from './delete-custom-images.js';
import { deleteSnapshotsTool } from './delete-snapshots.js';
import { listCustomImagesTool } from './list-custom-images.js';
import { listImagesTool } from './list-images.js';
import { listInstancesTool } from './list-instances.js';
import { listPlansTool } from './list-plans.js';
import { listSnapshotsTool } from './list-snapshots.js';
import { waitForResourcesTool } from './wait-for-resources.js';
import { shareCustomImageTool } from './share-custom-image.js';
import { tagCustomImagesTool } from './tag-custom-images.js';
import type { ToolDefinition } from './registry.js';
import { resetSystemTool } from './reset-system.js';

/**
 * Every tool the server has, in the order tools/list shows them. Adding a tool is one file in
 * this folder and one line here (see CONTRIBUTING.md). The cast widens each tool's own argument
 * type to the registry's: a handler only ever receives what its own schema validated.
 */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  listInstancesTool,
  listSnapshotsTool,
  listCustomImagesTool,
  listImagesTool,
  listPlansTool,
  waitForResourcesTool,
  createSnapshotTool,
  createCustomImageTool,
  shareCustomImageTool,
  tagCustomImagesTool,
  deleteCustomImagesTool,
  deleteSnapshotsTool,
  resetSystemTool,
  createServersFromImageTool,
] as unknown as readonly ToolDefinition[];
