/**
 * The app's facegate client: lib/facegate.js (generated from core/*.ts) over wx.request,
 * wx.uploadFile and wx.getRandomValues, with the session kept in storage.
 */
import { FacegateError, MiniClient } from '../lib/facegate.js';
import config from '../config.js';

const SESSION_KEY = 'facegate.session';

const wxTransport = {
  request({ method, url, headers, body }) {
    return new Promise((resolve, reject) => {
      wx.request({
        url,
        method,
        header: headers,
        // A string is sent as is: the exact bytes that were signed.
        data: body,
        success: (res) => resolve({ status: res.statusCode, body: res.data, headers: res.header || {} }),
        fail: (err) => reject(new Error(err.errMsg)),
      });
    });
  },
  randomBytes(length) {
    return new Promise((resolve, reject) =>
      wx.getRandomValues({
        length,
        success: (res) => resolve(new Uint8Array(res.randomValues)),
        fail: (err) => reject(new Error(err.errMsg)),
      }),
    );
  },
  uploadFile({ url, filePath, fields }, onProgress) {
    return new Promise((resolve, reject) => {
      const task = wx.uploadFile({
        url,
        filePath,
        name: 'file',
        formData: fields,
        success: (res) => resolve({ status: res.statusCode, body: res.data }),
        fail: (err) => reject(new Error(err.errMsg)),
      });
      if (onProgress) task.onProgressUpdate((update) => onProgress(update.progress));
    });
  },
};

// Payloads sealed with the session's key (X-Payload-Encryption) on top of TLS.
export const client = new MiniClient(
  config.apiBaseUrl,
  wxTransport,
  wx.getStorageSync(SESSION_KEY) || undefined,
  true,
);

export const isSignedIn = () =>
  Boolean(client.session) && Date.parse(client.session.expiresAt) > Date.now() + 60000;

const wxLogin = () =>
  new Promise((resolve, reject) =>
    wx.login({ success: (res) => resolve(res.code), fail: (err) => reject(new Error(err.errMsg)) }),
  );

export async function signIn() {
  // A function, not a code: a sign-in asked for a proof of work retries with a fresh wx.login code.
  const session = await client.login(config.devLoginCode || wxLogin);
  wx.setStorageSync(SESSION_KEY, session);
  return session;
}

/** A readable sentence for an error; an expired session goes back to the login page. */
export function describe(error) {
  if (!(error instanceof FacegateError)) return error.message || String(error);
  if (error.code === 'UNAUTHENTICATED') {
    wx.removeStorageSync(SESSION_KEY);
    wx.reLaunch({ url: '/pages/login/login' });
  }
  const fields = error.details && error.details.fields;
  const list = fields
    ? ' ' +
      Object.keys(fields)
        .map((name) => `${name}: ${fields[name]}`)
        .join('; ')
    : '';
  return `${error.message} (${error.code})${list}`;
}

export const fileSize = (filePath) =>
  new Promise((resolve, reject) =>
    wx.getFileSystemManager().getFileInfo({
      filePath,
      success: (res) => resolve(res.size),
      fail: (err) => reject(new Error(err.errMsg)),
    }),
  );

export const contentTypeOf = (path) =>
  /\.png$/i.test(path) ? 'image/png' : /\.webp$/i.test(path) ? 'image/webp' : 'image/jpeg';
