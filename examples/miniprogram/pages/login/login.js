import { describe, isSignedIn, signIn } from '../../utils/facegate.js';

Page({
  data: { busy: false, error: '' },

  onLoad() {
    if (isSignedIn()) wx.switchTab({ url: '/pages/camera/camera' });
  },

  async signIn() {
    this.setData({ busy: true, error: '' });
    try {
      await signIn();
      wx.switchTab({ url: '/pages/camera/camera' });
    } catch (error) {
      this.setData({ error: describe(error) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
