/**
 * A known answer for payload encryption, computed outside this code base (every implementation is tested
 * against it: node:crypto, Web Crypto, the mini-program's pure JS), with Python's `cryptography` 48 (and the key
 * cross-checked with OpenSSL 3.0's `openssl kdf`):
 *
 *   key = HKDF(SHA256(), length=32, salt=None, info=b'facegate-payload-v1').derive(SIGNING_KEY.encode())
 *   ct  = AESGCM(key).encrypt(bytes(range(12)), PLAINTEXT.encode(), None)   # ciphertext || 16-byte tag
 *
 *   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt key:<SIGNING_KEY> \
 *     -kdfopt info:facegate-payload-v1 HKDF
 */
export const SIGNING_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff';
export const KEY_HEX = '8069b19d432fb46c76d1ce116b4582c7ab0803efb88f596bed7aa70d305571c3';
export const PLAINTEXT = '{"name":"张三","consent":{"purpose":"door"}}';
export const IV = Uint8Array.from({ length: 12 }, (_, i) => i);
export const SEALED = {
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'mVApjF6rlrBy0/mOyVw7oPpd7F8u3BEzLDRR+PMBQSfY3uDDSXJE+eTXfylRqw==',
  tag: '0pBtXgyOwIxlqmXQ+57dFQ==',
};
