import type { ToolDefinition, ToolKind } from './tools/registry.js';

const GROUPS: readonly [ToolKind, string][] = [
  ['read', 'Find and wait'],
  ['write', 'Make and keep'],
  ['destructive', 'Delete and re-install (the operator allowed them)'],
  ['purchase', 'Buy servers (the operator allowed it)'],
];

/**
 * The server's instructions, built from the tools this instance offers: a tool not offered (read-only
 * mode, no --allow-destructive, --tools) is never named, and a new tool is named without editing
 * prose. The few lines of how-to are kept only where their tool is offered.
 */
export function serverInstructions(tools: readonly Pick<ToolDefinition, 'name' | 'kind'>[]): string {
  const offered = new Set(tools.map((t) => t.name));
  const lines = ['Manages custom images of Alibaba Cloud Simple Application Server (SWAS) servers, the whole lifecycle.'];
  for (const [kind, label] of GROUPS) {
    const names = tools.filter((t) => t.kind === kind).map((t) => t.name);
    if (names.length) lines.push(`${label}: ${names.join(', ')}.`);
  }
  if (tools.some((t) => t.name.startsWith('list_'))) lines.push('List tools take RegionId "all" to search every region.');
  if (offered.has('create_custom_image')) {
    lines.push('create_custom_image captures a server as it is now (new snapshots of its disks, then the image); repeat the ContinueWith call it answers until Operation.State is Done. Repeating a create call is safe.');
  }
  if (offered.has('wait_for_resources')) {
    lines.push('Snapshots and images take minutes to tens of minutes: when a call\'s wait ends first, call wait_for_resources with the IDs it names, again until AllDone.');
  }
  if (tools.some((t) => t.kind !== 'read')) {
    lines.push('Changes that cannot be undone need consent, as the answer says: a person approves in a form or on a page (AwaitingApproval: call again with the ApprovalId once they decided), or, where the operator chose it, with the ConfirmToken of a ConfirmationRequired answer after the user agreed.');
  }
  return lines.join('\n');
}
