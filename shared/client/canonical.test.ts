import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuery, parseQuery, rfc3986, stringToSign } from './canonical.ts';

test('canonical query sorts by name, RFC 3986 encodes, and is empty without parameters', () => {
  assert.equal(canonicalQuery([]), '');
  assert.equal(
    canonicalQuery(parseQuery('limit=10&cursor=a%2Bb&z=1&a=x%20y')),
    'a=x%20y&cursor=a%2Bb&limit=10&z=1',
  );
  assert.equal(rfc3986("it's (a)*!"), 'it%27s%20%28a%29%2A%21');
});

test('string to sign joins the six parts with newlines', () => {
  const s = stringToSign({
    method: 'post',
    path: '/v1/faces/detect',
    query: [],
    timestamp: '1700000000',
    nonce: 'abcdefghijklmnop',
    bodySha256Hex: 'e3b0',
  });
  assert.equal(s, 'POST\n/v1/faces/detect\n\n1700000000\nabcdefghijklmnop\ne3b0');
});
