import { CONSENT_NOTICE, enrolWithConsent, withdrawConsent } from '../../lib/facegate.js';
import { client, contentTypeOf, describe, fileSize } from '../../utils/facegate.js';

/**
 * The separate consent screen for face enrolment (core/consent.ts): the notice, an unticked "I agree",
 * and only then a photo and the enrolment, which carries the consent record. "Withdraw and erase"
 * deletes the person and their face template.
 */

const ENROLMENT_KEY = 'facegate.enrolment';

const selfie = () =>
  new Promise((resolve, reject) =>
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['camera'],
      camera: 'front',
      sizeType: ['compressed'],
      success: (res) => resolve(res.tempFiles[0].tempFilePath),
      fail: (err) => reject(new Error(err.errMsg)),
    }),
  );

Page({
  data: {
    notice: CONSENT_NOTICE,
    name: '',
    agreed: false,
    busy: false,
    uploading: false,
    progress: 0,
    enrolment: null,
    error: '',
  },

  onShow() {
    this.setData({ enrolment: wx.getStorageSync(ENROLMENT_KEY) || null });
  },

  onName(event) {
    this.setData({ name: event.detail.value.trim() });
  },

  onAgree(event) {
    this.setData({ agreed: event.detail.value.includes('agree') });
  },

  async enrol() {
    this.setData({ busy: true, error: '' });
    try {
      const path = await selfie();
      this.setData({ uploading: true, progress: 0 });
      const upload = await client.uploadImage(
        { path, size: await fileSize(path), contentType: contentTypeOf(path) },
        (progress) => this.setData({ progress }),
      );
      const enrolment = await enrolWithConsent(client, {
        name: this.data.name,
        uploadId: upload.uploadId,
        agreed: this.data.agreed,
      });
      wx.setStorageSync(ENROLMENT_KEY, enrolment);
      this.setData({ enrolment, agreed: false });
    } catch (error) {
      this.setData({ error: describe(error) });
    } finally {
      this.setData({ busy: false, uploading: false });
    }
  },

  withdraw() {
    wx.showModal({
      title: 'Withdraw consent?',
      content: 'Your record and face template will be erased now.',
      confirmText: 'Erase',
      success: async ({ confirm }) => {
        if (!confirm) return;
        this.setData({ busy: true, error: '' });
        try {
          await withdrawConsent(client, this.data.enrolment.personId);
          wx.removeStorageSync(ENROLMENT_KEY);
          this.setData({ enrolment: null });
        } catch (error) {
          this.setData({ error: describe(error) });
        } finally {
          this.setData({ busy: false });
        }
      },
    });
  },
});
