/**
 * Every setting the server reads, declared once: the README's configuration table and `--help`
 * are generated from this list, and a test holds it equal to what `config.ts` reads. Parsing and
 * validation stay in `config.ts`; this says what each setting is for, in words for the operator.
 */
export interface Setting {
  /** Environment variable(s). */
  env: string;
  /** The flag of the same meaning, if any. */
  flag?: string;
  /** Default, or the values it takes, in a few words. */
  value: string;
  meaning: string;
  /** Shown in `--help` (the rest only in the docs). */
  help?: boolean;
}

export const CREDENTIAL_VARIABLES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'ALIBABA_CLOUD_CREDENTIALS_URI',
  'ALIBABA_CLOUD_ECS_METADATA', 'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
] as const;

export const SETTINGS: readonly Setting[] = [
  { env: 'ALIBABA_CLOUD_*', value: 'unset', meaning: 'credentials, from only the sources that are set: AccessKey, STS token, CLI profile, OIDC, credentials URI, ECS RAM role', help: true },
  { env: 'ALIBABA_CLOUD_REGION_ID', flag: '--region', value: 'unset', meaning: 'default region of the tools whose RegionId is optional', help: true },
  { env: 'SWAS_ENDPOINT', flag: '--endpoint', value: 'Alibaba Cloud', meaning: 'base URL replacing https://swas.<region>.aliyuncs.com; plain http: only on loopback', help: true },
  { env: 'SWAS_MCP_ALLOW_INSECURE_ENDPOINT', value: 'false', meaning: 'allow a plain http: endpoint on another host (credentials in clear text; warned at start)' },
  { env: 'SWAS_MCP_READ_ONLY', flag: '--read-only', value: 'false', meaning: 'offer only the tools that read', help: true },
  { env: 'SWAS_MCP_ALLOW_DESTRUCTIVE', flag: '--allow-destructive', value: 'false', meaning: 'also offer the tools that delete or re-install (read-only wins)', help: true },
  { env: 'SWAS_MCP_ALLOW_PURCHASE', flag: '--allow-purchase', value: 'false', meaning: 'also offer create_servers_from_image, which buys servers (read-only wins)', help: true },
  { env: 'SWAS_MCP_MAX_ORDER_COST', value: 'unset', meaning: 'most one purchase may cost, in the plans\' currency; required unless SWAS_MCP_CONSENT is human', help: true },
  { env: 'SWAS_MCP_TOOLS', flag: '--tools', value: 'all', meaning: 'offer only these tools (comma list), within the mode', help: true },
  { env: 'SWAS_MCP_AUDIT_LOG', value: '~/.local/state/swas-image-mcp/audit.jsonl', meaning: 'the audit ledger file, or off', help: true },
  { env: 'SWAS_MCP_SIMULATE', flag: '--simulate', value: 'false', meaning: 'use the embedded simulator with demo data; nothing reaches Alibaba Cloud', help: true },
  { env: 'SWAS_MCP_HTTP', flag: '--http', value: 'stdio', meaning: 'serve Streamable HTTP at /mcp on [HOST:]PORT (host 127.0.0.1 by default)', help: true },
  { env: 'SWAS_MCP_HTTP_TOKEN, SWAS_MCP_HTTP_TOKEN_FILE', value: 'unset', meaning: 'static bearer token every HTTP request carries (one operator); off loopback this or SWAS_MCP_OAUTH_ISSUER is required', help: true },
  { env: 'SWAS_MCP_OAUTH_ISSUER', value: 'unset', meaning: 'HTTP: accept OAuth access tokens (JWT) from this issuer instead of a static token; one identity per user (docs/identity.md)', help: true },
  { env: 'SWAS_MCP_PUBLIC_URL', value: 'unset', meaning: 'HTTP with OAuth: this server\'s public MCP URL, e.g. https://mcp.example.com/mcp (the RFC 9728 resource)' },
  { env: 'SWAS_MCP_OAUTH_AUDIENCE', value: 'SWAS_MCP_PUBLIC_URL', meaning: 'HTTP with OAuth: the aud tokens must carry, when the issuer uses another value' },
  { env: 'SWAS_MCP_HTTP_ALLOWED_HOSTS, SWAS_MCP_HTTP_ALLOWED_ORIGINS', value: 'the bind address', meaning: 'Host and Origin values accepted (DNS-rebinding protection)' },
  { env: 'SWAS_MCP_HTTP_MAX_BODY_BYTES', value: '1048576', meaning: 'largest HTTP request body' },
  { env: 'SWAS_MCP_HTTP_MAX_CONCURRENT', value: '32', meaning: 'MCP requests in flight on one replica; past it 503 with Retry-After' },
  { env: 'SWAS_MCP_HTTP_SHUTDOWN_MS', value: '10000', meaning: 'how long SIGTERM waits for HTTP calls in flight' },
  { env: 'SWAS_MCP_CONSENT_KEY_FILE', value: 'random per process', meaning: 'key (0600, ≥ 32 bytes) that signs consent state; shared by HTTP replicas', help: true },
  { env: 'SWAS_MCP_DATABASE_URL', value: 'unset', meaning: 'PostgreSQL URL of the record shared by replicas (ledger, approvals, used tokens) instead of the ledger file (docs/team.md)', help: true },
  { env: 'SWAS_MCP_CONSENT', value: 'human', meaning: 'who agrees to a change: human (a person, by form, approval page or passkey), confirm (a second call with a ConfirmToken; not proof a person agreed) or off', help: true },
  { env: 'SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS', value: '180000', meaning: 'how long a call waits for the client to answer a consent question (then ConsentTimedOut)' },
  { env: 'SWAS_MCP_PASSKEY_FILE', value: '~/.local/state/swas-image-mcp/passkeys.json', meaning: 'passkeys enrolled with "swas-image-mcp passkey add" for the approval page' },
  { env: 'SWAS_MCP_APPROVAL_BASE_URL', value: 'the bind address', meaning: 'HTTP mode: public origin of the approval page (behind a proxy)' },
  { env: 'SWAS_MCP_APPROVAL_CLIENT_ID, SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE', value: 'unset', meaning: 'HTTP mode with OAuth: the approval page\'s client at the issuer; approvers then log in and need swas:approve (docs/consent.md)' },
  { env: 'SWAS_MCP_APPROVAL_SEPARATE', value: 'false', meaning: 'with approver login: nobody approves a change they asked for' },
  { env: 'SWAS_MCP_ECS_METADATA', value: 'false', meaning: 'ask the ECS metadata service for a RAM role\'s credentials' },
  { env: 'SWAS_MCP_WAIT_TIMEOUT_MS', value: '50000', meaning: 'how long one call may wait for a resource' },
  { env: 'SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS', value: '24', meaning: 'create_custom_image: an existing snapshot older than this is a warning to relay' },
  { env: 'SWAS_MCP_POLL_INTERVAL_MS', value: '1000', meaning: 'first pause between status polls (then ×1.5 up to 5 s)' },
  { env: 'SWAS_MCP_REQUEST_TIMEOUT_MS', value: '10000', meaning: 'deadline of one API request' },
  { env: 'SWAS_MCP_RETRY_BUDGET_MS', value: '25000', meaning: 'time for all attempts of one API call' },
  { env: 'SWAS_MCP_RETRY_BASE_DELAY_MS', value: '400', meaning: 'first back-off pause between attempts' },
  { env: 'SWAS_SIM_TIME_SCALE', value: '20', meaning: 'simulator: the realistic timing profile runs this many times faster' },
  { env: 'SWAS_SIM_IMAGE_READY_MS, SWAS_SIM_SNAPSHOT_READY_MS', value: 'realistic profile', meaning: 'simulator: fixed times for a new image / snapshot instead' },
  { env: 'LOG_LEVEL', flag: '--log-level', value: 'info', meaning: 'stderr log level: fatal, error, warn, info, debug, trace, silent', help: true },
  { env: 'SWAS_MCP_PROFILES', value: 'unset', meaning: 'act on these aliyun CLI profiles (comma list, first = default; docs/profiles.md)', help: true },
  { env: 'SWAS_MCP_PROFILE_POLICY', value: 'write each', meaning: 'per-profile ceiling, e.g. prod:read,staging:destructive; never above the switches' },
  { env: 'SWAS_MCP_PROFILE_USERS', value: 'every user, every profile', meaning: 'with OAuth: which users may use which profiles, e.g. prod=alice,bob;staging=* (docs/identity.md)' },
  { env: 'SWAS_MCP_STS_ENDPOINT', value: 'sts.aliyuncs.com', meaning: 'STS endpoint for the profiles\' account IDs; plain http: only on loopback' },
];

/** Every environment variable the list names, one by one. */
export function settingVariables(): string[] {
  return SETTINGS.flatMap((s) => s.env.split(',').map((v) => v.trim())).filter((v) => !v.endsWith('*')).concat(CREDENTIAL_VARIABLES);
}
