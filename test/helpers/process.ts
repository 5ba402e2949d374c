import { spawn } from 'node:child_process';

export interface Ran { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/**
 * Runs a command to its end and gives what spawnSync gives, without blocking: a test file's worker
 * runs other files' tests meanwhile, and a file can run several such commands at once.
 */
export function runProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    // 'close', not 'exit': the pipes are drained by then, so the output is whole.
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    // A child that exits without reading its input closes the pipe: that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
