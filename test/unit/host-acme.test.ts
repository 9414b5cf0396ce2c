import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainFailure, retryDelay } from '../../host/acme.js';

const where = {
  domains: ['photos.example.org'],
  directory: 'https://ca.example/dir',
  httpPort: 80,
  duringChallenge: false,
};

test('retryDelay: 1 minute after the first failure, doubling, at most 24 hours', () => {
  const minutes = [1, 2, 3, 4, 5, 11, 12, 100].map((n) => retryDelay(n) / 60_000);
  assert.deepEqual(minutes, [1, 2, 4, 8, 16, 1024, 1440, 1440]);
});

test('explainFailure: a rate limit, a wrong domain, an unreachable challenge, an unreachable or untrusted CA', () => {
  assert.match(
    explainFailure(
      new Error('Error creating new order :: too many certificates (5) already issued for this exact set of domains'),
      where,
    ),
    /^the certificate authority's rate limit was reached for photos\.example\.org/,
  );
  assert.match(
    explainFailure(new Error('DNS problem: NXDOMAIN looking up A for photos.example.org'), {
      ...where,
      duringChallenge: true,
    }),
    /^the domain photos\.example\.org is wrong or its DNS does not point to this server .*check server\.acme\.domains$/,
  );
  assert.match(
    explainFailure(new Error('Fetching http://photos.example.org/.well-known/acme-challenge/x: Connection refused'), {
      ...where,
      duringChallenge: true,
    }),
    /^the certificate authority could not fetch the challenge from http:\/\/photos\.example\.org:80\/\.well-known\/acme-challenge\/ .*port 80 must be reachable/,
  );
  assert.match(
    explainFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), where),
    /^the certificate authority at https:\/\/ca\.example\/dir cannot be reached \(ECONNREFUSED\)/,
  );
  assert.match(
    explainFailure(Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), where),
    /does not trust \(SELF_SIGNED_CERT_IN_CHAIN\); for a test CA, name its certificate in server\.acme\.cacert$/,
  );
  assert.equal(
    explainFailure(new Error('Account is deactivated'), where),
    'the certificate authority at https://ca.example/dir refused: Account is deactivated',
  );
});
