import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalPath, canonicalQuery, parseQuery, rfc3986, stringToSign } from './canonical.ts';

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

test('canonicalPath: the path as sent, percent-encoding in one form, nothing else changed', () => {
  // Paths clients normally send are unchanged.
  assert.equal(canonicalPath('/v1/faces/detect'), '/v1/faces/detect');
  assert.equal(canonicalPath('/v1/.well-known/jwks.json'), '/v1/.well-known/jwks.json');
  // Spellings of the same resource agree, whether a gateway decoded them or not.
  assert.equal(canonicalPath('/v1/persons/%70abc'), '/v1/persons/pabc');
  assert.equal(canonicalPath('/v1/persons/%7e'), '/v1/persons/~');
  assert.equal(canonicalPath('/v1/a b/%e4%bd%a0'), '/v1/a%20b/%E4%BD%A0');
  assert.equal(canonicalPath('/v1/a%20b/你'), '/v1/a%20b/%E4%BD%A0');
  assert.equal(canonicalPath('/v1/x:y@z!(1)'), '/v1/x%3Ay%40z%21%281%29');
  // A trailing slash, dot segments and encoded slashes are kept: they are different paths.
  assert.equal(canonicalPath('/v1/persons/'), '/v1/persons/');
  assert.notEqual(canonicalPath('/v1/persons/'), canonicalPath('/v1/persons'));
  assert.equal(canonicalPath('/v1/persons/..'), '/v1/persons/..');
  assert.equal(canonicalPath('/v1/a%2Fb'), '/v1/a%2Fb');
  // Malformed escapes stay as sent (hex upper-cased); the query is not part of the path.
  assert.equal(canonicalPath('/v1/%zz%4a'), '/v1/%zz%4A');
  assert.equal(canonicalPath('/v1/a?b=c#d'), '/v1/a');
  // stringToSign applies it; the server's literalPath variant does not.
  const input = {
    method: 'GET',
    path: '/v1/persons/%70',
    query: [],
    timestamp: '1',
    nonce: 'n',
    bodySha256Hex: 'h',
  };
  assert.equal(stringToSign(input).split('\n')[1], '/v1/persons/p');
  assert.equal(stringToSign({ ...input, literalPath: true }).split('\n')[1], '/v1/persons/%70');
});
