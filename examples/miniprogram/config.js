/**
 * Where the sample finds the API. A real mini-program needs an HTTPS API whose domain is listed in the
 * WeChat admin console (request, uploadFile and downloadFile domains: the API, the S3 bucket, the
 * camera tunnel). In WeChat DevTools, "do not check domains" lets it use the local stack.
 */
export default {
  apiBaseUrl: 'http://127.0.0.1:3000',
  /**
   * The local stack's fake WeChat accepts `test:<name>` instead of a real wx.login code. Leave empty
   * against a deployed API, which exchanges the real code with WeChat.
   */
  devLoginCode: 'test:miniprogram',
};
