// One shutdown path for both transports: stop taking calls and let those in flight finish (within
// the transport's bound), stop what still runs (a stopped call answers with what it knows), and
// answer whatever is still open with a JSON-RPC error that says the server is shutting down and
// what may have been applied. stdio and HTTP differ only in how they drain and how they answer.
import type { CallLifecycle } from './server.js';
import type { ToolKind } from './tools/registry.js';

/** How long calls stopped at shutdown get to write their answer before the server answers for them. */
export const STOP_BOUND_MS = 5_000;

/** What the shutdown answer says about a tool: whether it changes anything, and which tool shows whether it did. */
export interface ShutdownToolInfo { kind: ToolKind; checkWith?: string }

export interface JsonRpcErrorBody { code: number; message: string; data: Record<string, unknown> }

/** JSON-RPC's implementation-defined server error range; the same code as the HTTP layer's 503 answers. */
const SHUTTING_DOWN = -32000;

/**
 * The JSON-RPC error for a call the server could not finish before it stopped. Pure. A read is said
 * to have changed nothing; a write (or an unknown tool) may have been applied if its request had
 * reached the API, and the answer names where to check.
 */
export function shuttingDownError(tool: string | undefined, info: ShutdownToolInfo | undefined): JsonRpcErrorBody {
  const name = tool ?? 'the call';
  const read = info?.kind === 'read';
  const check = info?.checkWith;
  const applied = read
    ? 'It only reads, so nothing was changed.'
    : `If its request had already reached Alibaba Cloud, the change may have been applied; ${check ? `call ${check} to see whether it was` : 'check its resources'} before calling again.`;
  return {
    code: SHUTTING_DOWN,
    message: `The server is shutting down and stopped ${name} before it could answer. ${applied}`,
    data: {
      Code: 'ServerShuttingDown',
      Stage: 'cancelled',
      Retryable: true,
      MayHaveBeenApplied: !read,
      NextSteps: [
        ...(read ? [] : [check ? `Call ${check} to see whether the change was made.` : 'Check whether the change was made before repeating it.']),
        'Call again: another replica, or this server once restarted, will answer.',
      ],
    },
  };
}

/** One transport as the shutdown sees it. */
export interface Serving {
  /** Takes no new calls and waits, within the transport's own bound, for those in flight to finish. */
  drain(): Promise<void>;
  /** Answers every call still open with the shutting-down error, then stops serving. */
  close(): Promise<void>;
}

/** The shutdown sequence of both transports. */
export async function shutDown(serving: Serving, lifecycle: CallLifecycle | undefined, stopBoundMs: number): Promise<void> {
  await serving.drain();
  if (lifecycle && lifecycle.inFlight > 0) await lifecycle.stopAndDrain(stopBoundMs);
  await serving.close();
}
