import { describe, expect, test } from 'vitest';
import {
  EMPTY_SHA256,
  NonceStore,
  canonicalQueryString,
  parseAuthorization,
  percentEncode,
  signV2,
  signV3,
  verifyV2,
  verifyV3,
  type HeaderMap,
  type KeyPair,
  type QueryPairs,
} from '../../src/simulator/signature.js';

// Test vectors of /work/shared/reference/swas-api.md §1.8 (POST /, empty body).
const MINIMAL = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
const NONCE = '3156853299f313e23d1673dc12e1703d';
const DATE = '2024-01-01T00:00:00Z';
const TEST_KEY: KeyPair = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' };

function swasHeaders(action: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    host: 'swas.cn-hangzhou.aliyuncs.com',
    'x-acs-action': action,
    'x-acs-version': '2020-06-01',
    'x-acs-date': DATE,
    'x-acs-signature-nonce': NONCE,
    'x-acs-content-sha256': EMPTY_SHA256,
    ...extra,
  };
}

const CCI_QUERY: QueryPairs = [
  ['RegionId', 'cn-hangzhou'],
  ['InstanceId', 'ace0706b2ac4454d984295a942130000'],
  ['ImageName', 'my-image:v1_test'],
  ['SystemSnapshotId', 's-bp1aaaaaaaaaaaaaaaaa'],
  ['Description', 'nightly backup (v1) *test* ~ok'],
  ['ClientToken', '123e4567-e89b-12d3-a456-426655440000'],
  ['Tag.1.Key', 'env'],
  ['Tag.1.Value', 'prod'],
  ['Tag.2.Key', 'team'],
  ['Tag.2.Value', 'a b'],
];
const LS_QUERY: QueryPairs = [
  ['RegionId', 'cn-hangzhou'],
  ['InstanceId', 'ace0706b2ac4454d984295a942130000'],
  ['PageSize', '100'],
  ['PageNumber', '1'],
];
const F_QUERY: QueryPairs = [
  ['ImageIds', '["m-aaa","m-bbb"]'],
  ['RegionId', 'cn-hangzhou'],
];
const SDK_AK = { 'x-acs-credentials-provider': 'static_ak' };
const SDK_STS = { 'x-acs-credentials-provider': 'static_sts', 'x-acs-accesskey-id': 'testAccessKeyId', 'x-acs-security-token': 'testSecurityToken' };

function sign(query: QueryPairs, headers: HeaderMap, secret = TEST_KEY.accessKeySecret) {
  const signedHeaders = Object.keys(headers).filter((h) => h === 'host' || h.startsWith('x-acs-'));
  return signV3({ method: 'POST', path: '/', query, headers, signedHeaders, hashedPayload: EMPTY_SHA256 }, secret);
}

/** Runs the full server-side check on a request carrying the given Authorization header. */
function verify(query: QueryPairs, headers: Record<string, string>, authorization: string, key: KeyPair = TEST_KEY) {
  return verifyV3(
    { method: 'POST', path: '/', query, headers: { ...headers, authorization }, body: Buffer.alloc(0) },
    { lookupKey: (id) => (id === key.accessKeyId ? key : undefined), now: Date.parse(headers['x-acs-date']!) },
  );
}

describe('V3 test vectors (swas-api.md §1.8)', () => {
  test('A: the official V3 documentation example', () => {
    const headers = {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': NONCE,
      'x-acs-content-sha256': EMPTY_SHA256,
    };
    const query: QueryPairs = [
      ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
      ['RegionId', 'cn-shanghai'],
    ];
    const s = sign(query, headers, 'YourAccessKeySecret');
    expect(s.canonicalRequestHash).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(s.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    const auth =
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0';
    expect(verify(query, headers, auth, { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' }).accessKeyId).toBe('YourAccessKeyId');
  });

  test('B: CreateCustomImage with minimal headers (canonical request byte for byte)', () => {
    const headers = swasHeaders('CreateCustomImage');
    const s = sign(CCI_QUERY, headers);
    expect(s.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ClientToken=123e4567-e89b-12d3-a456-426655440000&Description=nightly%20backup%20%28v1%29%20%2Atest%2A%20~ok&ImageName=my-image%3Av1_test&InstanceId=ace0706b2ac4454d984295a942130000&RegionId=cn-hangzhou&SystemSnapshotId=s-bp1aaaaaaaaaaaaaaaaa&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team&Tag.2.Value=a%20b',
        'host:swas.cn-hangzhou.aliyuncs.com',
        'x-acs-action:CreateCustomImage',
        `x-acs-content-sha256:${EMPTY_SHA256}`,
        `x-acs-date:${DATE}`,
        `x-acs-signature-nonce:${NONCE}`,
        'x-acs-version:2020-06-01',
        '',
        MINIMAL.join(';'),
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(s.stringToSign).toBe('ACS3-HMAC-SHA256\nd913111caa980ea177a00ff1982acce3f3cc887ef8938df36625dbfaf5c606dd');
    expect(s.signature).toBe('66b27d85a69feaefec9d6f6963224ede0764e9d4dcc7d51bc73000bf41146dc3');
    const auth = `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${MINIMAL.join(';')},Signature=66b27d85a69feaefec9d6f6963224ede0764e9d4dcc7d51bc73000bf41146dc3`;
    expect(verify(CCI_QUERY, headers, auth).signatureVersion).toBe('v3');
  });

  test('C: SDK 4.0.0 end to end, decoded from the raw wire URL', () => {
    const wire =
      'ClientToken=123e4567-e89b-12d3-a456-426655440000&Description=nightly%20backup%20(v1)%20*test*%20~ok&ImageName=my-image%3Av1_test&InstanceId=ace0706b2ac4454d984295a942130000&RegionId=cn-hangzhou&SystemSnapshotId=s-bp1aaaaaaaaaaaaaaaaa&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team&Tag.2.Value=a%20b';
    const query = [...new URLSearchParams(wire)];
    const headers = swasHeaders('CreateCustomImage', SDK_AK);
    const signed = 'host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version';
    expect(sign(query, headers).signature).toBe('a44fb6c2d43fe89642f45809105b23c4c7a303ae3d68be87c2f6383385224b46');
    expect(() =>
      verify(query, headers, `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${signed},Signature=a44fb6c2d43fe89642f45809105b23c4c7a303ae3d68be87c2f6383385224b46`),
    ).not.toThrow();
  });

  test('D: STS variant (token header signed and checked)', () => {
    const headers = swasHeaders('CreateCustomImage', SDK_STS);
    const signed = 'host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version';
    const sig = '61cafaeb9d37af082fd531ed39807e0ccd5fd4b018c568440f2cbc30af8ebcf5';
    expect(sign(CCI_QUERY, headers).signature).toBe(sig);
    const auth = `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${signed},Signature=${sig}`;
    const stsKey = { ...TEST_KEY, securityToken: 'testSecurityToken' };
    expect(verify(CCI_QUERY, headers, auth, stsKey).accessKeyId).toBe('testAccessKeyId');
    expect(() => verify(CCI_QUERY, headers, auth, { ...TEST_KEY, securityToken: 'otherToken' })).toThrow(
      expect.objectContaining({ code: 'InvalidSecurityToken.Mismatch', status: 400 }),
    );
  });

  test('E: ListSnapshots, minimal headers and SDK end to end', () => {
    expect(canonicalQueryString(LS_QUERY)).toBe('InstanceId=ace0706b2ac4454d984295a942130000&PageNumber=1&PageSize=100&RegionId=cn-hangzhou');
    const minimal = sign(LS_QUERY, swasHeaders('ListSnapshots'));
    expect(minimal.canonicalRequestHash).toBe('a3b74002c071be1e187fd8dffe35e46384b1d06bdf9464018dd94ad9e88f3c5c');
    expect(minimal.signature).toBe('147efe1dc6b72e60044c65b10eee4d7a891031da4fe02588cf72648f852249ab');
    const sdkHeaders = swasHeaders('ListSnapshots', SDK_AK);
    const sdk = sign(LS_QUERY, sdkHeaders);
    expect(sdk.signature).toBe('765bbab8705ec12398021662766c48c82e894f8d0725b706f6a35b2dee36637e');
    const signed = 'host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version';
    expect(() => verify(LS_QUERY, sdkHeaders, `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${signed},Signature=${sdk.signature}`)).not.toThrow();
  });

  test('F: a JSON-array parameter', () => {
    expect(canonicalQueryString(F_QUERY)).toBe('ImageIds=%5B%22m-aaa%22%2C%22m-bbb%22%5D&RegionId=cn-hangzhou');
    const minimal = sign(F_QUERY, swasHeaders('DeleteCustomImages'));
    expect(minimal.canonicalRequestHash).toBe('1358cea2a4cf6ffe6105842467f5600cdebdbc98401259c258ee7dac9abc2601');
    expect(minimal.signature).toBe('517f85a78d9c65dcc61bb97027b70644495d640bf5e9e7c83dbd81236c8a721b');
    expect(sign(F_QUERY, swasHeaders('DeleteCustomImages', SDK_AK)).signature).toBe('01bcf694c98655ec00058dfa885838112c4ef0735dc23c6f6747c98c7254abe9');
    const auth = `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${MINIMAL.join(';')},Signature=517f85a78d9c65dcc61bb97027b70644495d640bf5e9e7c83dbd81236c8a721b`;
    expect(() => verify(F_QUERY, swasHeaders('DeleteCustomImages'), auth)).not.toThrow();
  });

  test('G: V2 HMAC-SHA1', () => {
    const params: QueryPairs = [
      ['AccessKeyId', 'testAccessKeyId'],
      ['Action', 'ListSnapshots'],
      ['Format', 'json'],
      ...LS_QUERY,
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureNonce', NONCE],
      ['SignatureVersion', '1.0'],
      ['Timestamp', DATE],
      ['Version', '2020-06-01'],
    ];
    expect(signV2('POST', params, 'testAccessKeySecret')).toBe('fjF7M4H7QPouXL7oHzVIHvLyQ1s=');
    const withSig: QueryPairs = [...params, ['Signature', 'fjF7M4H7QPouXL7oHzVIHvLyQ1s=']];
    const opts = { lookupKey: () => TEST_KEY, now: Date.parse(DATE) };
    expect(verifyV2('POST', withSig, opts).signatureVersion).toBe('v2');
    expect(() => verifyV2('POST', [...params, ['Signature', 'AAAA']], opts)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });
});

describe('V3 verifier failures', () => {
  const headers = swasHeaders('CreateCustomImage');
  const good = `ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=${MINIMAL.join(';')},Signature=66b27d85a69feaefec9d6f6963224ede0764e9d4dcc7d51bc73000bf41146dc3`;

  test('a changed parameter, a wrong secret or a changed signed header breaks the signature', () => {
    const tampered: QueryPairs = CCI_QUERY.map(([k, v]) => [k, k === 'ImageName' ? 'other' : v]);
    expect(() => verify(tampered, headers, good)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch', status: 400 }));
    expect(() => verify(CCI_QUERY, headers, good, { ...TEST_KEY, accessKeySecret: 'wrong' })).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
    expect(() => verify(CCI_QUERY, { ...headers, host: 'swas.cn-beijing.aliyuncs.com' }, good)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });

  test('unknown key, skewed date, missing auth, unsigned required header, malformed header', () => {
    expect(() => verify(CCI_QUERY, headers, good.replace('testAccessKeyId', 'nobody'))).toThrow(
      expect.objectContaining({ code: 'InvalidAccessKeyId.NotFound', status: 404 }),
    );
    const req = { method: 'POST', path: '/', query: CCI_QUERY, headers: { ...headers, authorization: good }, body: Buffer.alloc(0) };
    const lookupKey = (): KeyPair => TEST_KEY;
    expect(() => verifyV3(req, { lookupKey, now: Date.parse(DATE) + 16 * 60_000 })).toThrow(expect.objectContaining({ code: 'InvalidTimeStamp.Expired' }));
    expect(() => verifyV3(req, { lookupKey, now: Date.parse(DATE) + 14 * 60_000 })).not.toThrow();
    expect(() => verifyV3({ ...req, headers }, { lookupKey, now: Date.parse(DATE) })).toThrow(expect.objectContaining({ code: 'MissingAuthorization' }));
    const noNonce = good.replace('x-acs-signature-nonce;', '');
    expect(() => verify(CCI_QUERY, headers, noNonce)).toThrow(expect.objectContaining({ code: 'IncompleteSignature' }));
    expect(() => verify(CCI_QUERY, headers, 'ACS3-HMAC-SHA256 garbage')).toThrow(expect.objectContaining({ code: 'IncompleteSignature' }));
    expect(() => verify(CCI_QUERY, headers, good.replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3'))).toThrow(expect.objectContaining({ code: 'InvalidSignatureMethod' }));
  });

  test('body hash must match x-acs-content-sha256', () => {
    const req = { method: 'POST', path: '/', query: CCI_QUERY, headers: { ...headers, authorization: good }, body: Buffer.from('x') };
    expect(() => verifyV3(req, { lookupKey: () => TEST_KEY, now: Date.parse(DATE) })).toThrow(
      expect.objectContaining({ code: 'InvalidContentSHA256', status: 400 }),
    );
  });

  test('a nonce is accepted once', () => {
    const nonces = new NonceStore();
    const req = { method: 'POST', path: '/', query: CCI_QUERY, headers: { ...headers, authorization: good }, body: Buffer.alloc(0) };
    const opts = { lookupKey: () => TEST_KEY, now: Date.parse(DATE), nonces };
    expect(() => verifyV3(req, opts)).not.toThrow();
    expect(() => verifyV3(req, opts)).toThrow(expect.objectContaining({ code: 'SignatureNonceUsed', status: 400 }));
  });

  test('helpers: percent-encoding and Authorization parsing', () => {
    expect(percentEncode("a b*~!'()/:")).toBe('a%20b%2A~%21%27%28%29%2F%3A');
    expect(percentEncode('中')).toBe('%E4%B8%AD');
    expect(parseAuthorization(good)).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'testAccessKeyId',
      signedHeaders: MINIMAL,
      signature: '66b27d85a69feaefec9d6f6963224ede0764e9d4dcc7d51bc73000bf41146dc3',
    });
    expect(parseAuthorization('nonsense')).toBeNull();
  });
});
