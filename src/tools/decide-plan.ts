import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { clientCaps, DECIDE_PLAN_TOOL } from '../consent/index.js';
import { explain } from '../explain/catalog.js';
import { approvalIdField } from './consent-step.js';
import { errorSchema, failure, success, type ToolContext } from './common.js';
import { defineTool, type ToolCall } from './registry.js';

/**
 * The plan view's Approve and Decline buttons (the `app` consent channel). App-only: hosts keep
 * it from the model, and it is listed only to clients that render MCP Apps. It decides a pending
 * approval that was shown in a plan view; the change itself is made by the tool's own call, which
 * consumes the approval once (bound to the plan's digest), as with every other channel.
 */

export const decidePlanInput = lazySchema(() => z.strictObject({
  ApprovalId: approvalIdField().unwrap().describe('The ApprovalId of the plan shown in the view.'),
  Decision: z.enum(['approve', 'decline']).describe('The person\'s decision.'),
}));

export const decidePlanOutput = lazySchema(() => z.object({
  ApprovalId: z.string(),
  Decision: z.enum(['approved', 'declined']).optional(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof decidePlanInput>>;
type Output = z.input<ReturnType<typeof decidePlanOutput>>;

function refuse(code: 'ApprovalNotPending' | 'AppChannelUnavailable', id: string, message: string) {
  const { error } = explain({ code, message, stage: 'consent' }, { action: DECIDE_PLAN_TOOL });
  return failure(decidePlanOutput(), { ApprovalId: id, Error: error } satisfies Output, `${code}: ${message} Nothing was decided.`);
}

export const decidePlanTool = defineTool({
  name: DECIDE_PLAN_TOOL,
  title: 'Decide a plan (plan view)',
  description: 'The plan view\'s Approve and Decline buttons: records the person\'s decision on a plan shown in the view. For the view only.',
  inputSchema: decidePlanInput,
  outputSchema: decidePlanOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  kind: 'write',
  ramActions: [],
  profileFree: true,
  ui: { visibility: ['app'] },
  async handler(args: Input, call: ToolCall, ctx: ToolContext) {
    const id = args.ApprovalId;
    if (!clientCaps(call.mcp, call.clientCapabilities).app) {
      return refuse('AppChannelUnavailable', id, 'This client did not declare that it renders MCP Apps, so no plan view of it may decide an approval.');
    }
    const store = ctx.approvals?.store;
    const now = ctx.now();
    const a = store ? await store.get(id, now) : undefined;
    if (!store || !a) return refuse('ApprovalNotPending', id, `No approval ${id} waits for a decision: it does not exist or it lapsed.`);
    if (!a.inApp) return refuse('ApprovalNotPending', id, `Approval ${id} was not shown in a plan view; it is decided where it was offered.`);
    if (a.status !== 'pending') return refuse('ApprovalNotPending', id, `Approval ${id} was decided already (${a.status}).`);
    const verdict = args.Decision === 'approve' ? 'approved' : 'declined';
    if (!await store.decide(id, verdict, { channel: 'app' }, now)) {
      return refuse('ApprovalNotPending', id, `Approval ${id} was decided already.`);
    }
    ctx.log.info({ approvalId: id, tool: a.tool, verdict, channel: 'app' }, 'approval decided in the plan view');
    const text = verdict === 'approved'
      ? `Approved in the plan view. Nothing has been sent yet: the change is carried out once, when the assistant continues with ApprovalId ${id}.`
      : 'Declined in the plan view. Nothing was sent, and this plan will not be carried out.';
    return success(decidePlanOutput(), { ApprovalId: id, Decision: verdict } satisfies Output, text);
  },
});
