import { client, describe } from '../../utils/facegate.js';

/**
 * Live view by snapshot polling: a mini-program <image> cannot play MJPEG, so it shows the camera's
 * latest JPEG once a second, through the site's tunnel, with a short-lived token from the API.
 */
const TOKEN_TTL_SECONDS = 300;

Page({
  data: { cameras: [], loaded: false, watching: null, snapshot: '', status: '', error: '' },

  onShow() {
    this.load();
  },

  onHide() {
    this.stop();
  },

  onUnload() {
    this.stop();
  },

  async onPullDownRefresh() {
    await this.load();
    wx.stopPullDownRefresh();
  },

  async load() {
    try {
      const res = await client.call('GET', '/v1/cameras');
      this.setData({ cameras: res.items, loaded: true, error: '' });
    } catch (error) {
      this.setData({ error: describe(error), loaded: true });
    }
  },

  async watch(event) {
    this.stop();
    const camera = this.data.cameras[event.currentTarget.dataset.index];
    this.setData({ watching: camera, status: 'connecting…', error: '' });
    try {
      await this.renewToken(camera);
      this.poll();
    } catch (error) {
      this.setData({ error: describe(error), watching: null });
    }
  },

  async renewToken(camera) {
    this.token = await client.call(
      'POST',
      `/v1/cameras/${encodeURIComponent(camera.cameraId)}/stream-token`,
      {
        body: { siteId: camera.siteId, ttlSeconds: TOKEN_TTL_SECONDS },
      },
    );
    // Renew 30 s before it expires.
    const renewIn = Math.max(10000, Date.parse(this.token.expiresAt) - Date.now() - 30000);
    this.renewTimer = setTimeout(
      () => this.renewToken(camera).catch((e) => this.setData({ error: describe(e) })),
      renewIn,
    );
  },

  poll() {
    this.setData({ snapshot: `${this.token.snapshotUrl}&_=${Date.now()}` });
    this.pollTimer = setTimeout(() => this.poll(), 1000);
  },

  onSnapshotLoad() {
    this.setData({ status: `snapshot ${new Date().toLocaleTimeString()}` });
  },

  onSnapshotError() {
    this.setData({ status: 'the camera is not answering; retrying…' });
  },

  stop() {
    clearTimeout(this.pollTimer);
    clearTimeout(this.renewTimer);
    this.token = null;
    if (this.data.watching) this.setData({ watching: null, snapshot: '' });
  },
});
