export function packBundle(out: string, opts?: { silent?: boolean }): Promise<number>;
