// Several Alibaba Cloud accounts in one simulator: each access key belongs to one account, each
// account has its own state (servers, snapshots, images), and an image one account shares with
// another shows up in the other's ListCustomImages as shared in. STS (2015-04-01) answers
// GetCallerIdentity and AssumeRole for them.
import { randomBytes } from 'node:crypto';
import { SimulatedApiError } from './errors.js';
import { formatTime } from './ids.js';
import type { KeyPair } from './signature.js';
import type { SimState } from './state.js';
import type { CustomImage } from './types.js';

export const STS_VERSION = '2015-04-01';
/** AssumeRole's DurationSeconds: 900 to 43200, default 3600 (STS documentation). */
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43_200;
const ROLE_ARN_RE = /^acs:ram::(\d{1,20}):role\/([A-Za-z0-9._-]{1,64})$/;
const SESSION_NAME_RE = /^[A-Za-z0-9._@-]{2,64}$/;

interface KeyOwner { accountId: string; assumed?: { roleName: string; sessionName: string } }

export class SimAccounts {
  private readonly owners = new Map<string, KeyOwner>();

  constructor(
    private readonly states: ReadonlyMap<string, SimState>,
    /** The simulator's key map: AssumeRole adds its temporary keys here. */
    private readonly keys: Map<string, KeyPair>,
    private readonly defaultAccount: string,
    private readonly now: () => number,
  ) {}

  /** Records which account an access key belongs to. */
  own(accessKeyId: string, accountId: string): void {
    if (!this.states.has(accountId)) throw new Error(`simulator accounts: no account ${accountId}`);
    this.owners.set(accessKeyId, { accountId });
  }

  accountOf(accessKeyId: string): string {
    return this.owners.get(accessKeyId)?.accountId ?? this.defaultAccount;
  }

  stateFor(accessKeyId: string): SimState {
    return this.states.get(this.accountOf(accessKeyId))!;
  }

  /** The images other accounts shared with `accountId` in a region, as the recipient sees them. */
  sharedWith(accountId: string, regionId: string): CustomImage[] {
    const out: CustomImage[] = [];
    for (const [owner, state] of this.states) {
      if (owner === accountId) continue;
      for (const m of state.images(regionId)) {
        if (m.shareAccounts.some((a) => a.userId === accountId)) out.push({ ...m, sharedIn: true, inShare: false, shareAccounts: [] });
      }
    }
    return out;
  }

  /** One STS action for the caller's key. */
  sts(action: string, accessKeyId: string, params: ReadonlyMap<string, string>): Record<string, unknown> {
    const owner = this.owners.get(accessKeyId) ?? { accountId: this.defaultAccount };
    if (action === 'GetCallerIdentity') {
      const id = owner.accountId;
      return owner.assumed
        ? { AccountId: id, IdentityType: 'AssumedRoleUser', Arn: `acs:ram::${id}:assumed-role/${owner.assumed.roleName}/${owner.assumed.sessionName}`, UserId: `3${id.slice(-8)}:${owner.assumed.sessionName}`, PrincipalId: `3${id.slice(-8)}:${owner.assumed.sessionName}`, RoleId: `3${id.slice(-8)}` }
        : { AccountId: id, IdentityType: 'Account', Arn: `acs:ram::${id}:root`, UserId: id, PrincipalId: id };
    }
    if (action === 'AssumeRole') return this.assumeRole(params);
    throw new SimulatedApiError(404, 'InvalidAction.NotFound', `Specified api "${action}" is not found, please check your url and method.`);
  }

  private assumeRole(params: ReadonlyMap<string, string>): Record<string, unknown> {
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    if (!roleArn) throw new SimulatedApiError(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.');
    if (!sessionName) throw new SimulatedApiError(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.');
    if (!SESSION_NAME_RE.test(sessionName)) throw new SimulatedApiError(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
    const m = ROLE_ARN_RE.exec(roleArn);
    if (!m) throw new SimulatedApiError(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
    const [, accountId, roleName] = m as unknown as [string, string, string];
    if (!this.states.has(accountId)) throw new SimulatedApiError(404, 'EntityNotExist.Role', 'The specified Role not exists.');
    const duration = params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : 3600;
    if (!Number.isInteger(duration) || duration < MIN_DURATION_S || duration > MAX_DURATION_S) {
      throw new SimulatedApiError(400, 'InvalidParameter.DurationSeconds', `The parameter DurationSeconds must be between ${MIN_DURATION_S} and ${MAX_DURATION_S}.`);
    }
    const key: KeyPair = {
      accessKeyId: `STS.${randomBytes(12).toString('hex')}`,
      accessKeySecret: randomBytes(20).toString('hex'),
      securityToken: `CAIS${randomBytes(24).toString('base64url')}`,
    };
    this.keys.set(key.accessKeyId, key);
    this.owners.set(key.accessKeyId, { accountId, assumed: { roleName, sessionName } });
    return {
      Credentials: { AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret, SecurityToken: key.securityToken, Expiration: formatTime(this.now() + duration * 1000) },
      AssumedRoleUser: { Arn: `acs:ram::${accountId}:role/${roleName}/${sessionName}`, AssumedRoleId: `3${accountId.slice(-8)}:${sessionName}` },
    };
  }
}
