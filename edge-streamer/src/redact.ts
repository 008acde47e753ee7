/**
 * Camera credentials never leave the site: anything logged, exported as a metric or sent in a
 * heartbeat goes through here. User info becomes `***@` and query strings (where cheap cameras put
 * `user=` and `pwd=`) become `?***`.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi;
const QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi;

export function redact(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(QUERY, '$1?***');
}
