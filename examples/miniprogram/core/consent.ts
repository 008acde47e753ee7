/**
 * Separate consent for face enrolment (PIPL Art. 29, the CAC face-recognition rules): the consent page
 * states the purpose, what is kept and for how long, and how to withdraw; enrolment happens only after
 * the person explicitly agreed, and the consent record travels with the person (api-v1.md requires it
 * on POST /v1/persons). Withdrawal deletes the person, which erases their face templates at once.
 * An operator adapts the wording to their own purpose and privacy notice.
 */
import { FacegateError, type MiniClient } from './client.ts';

/** What the consent page shows, and what the consent record states. */
export const CONSENT_NOTICE = {
  version: 'facegate-sample-consent-v1',
  purpose: 'Recognise my face to open the door of this site',
  stored:
    'A face template (numbers computed from your photo), not the photo. The photo is deleted within 24 hours.',
  retention: 'Until you withdraw, or the site deletes your record.',
  withdraw:
    'Tap "Withdraw and erase" on this page at any time: your record and face template are deleted at once.',
};

export interface Enrolment {
  personId: string;
  faceId: string;
  name: string;
  consentedAt: string;
}

/**
 * Creates the person with the consent just given, then enrols the uploaded photo. Refuses without an
 * explicit agreement; if enrolment fails the person is deleted again, so nothing half-done remains.
 */
export async function enrolWithConsent(
  client: MiniClient,
  input: { name: string; uploadId: string; agreed: boolean },
  now = new Date(),
): Promise<Enrolment> {
  if (input.agreed !== true)
    throw new FacegateError(0, 'CONSENT_REQUIRED', 'Read the notice and tick "I agree" first.');
  const consent = {
    obtainedAt: now.toISOString(),
    method: `mini-program consent page (${CONSENT_NOTICE.version})`,
    purpose: CONSENT_NOTICE.purpose,
  };
  const person = await client.call<{ personId: string; name: string }>('POST', '/v1/persons', {
    body: { name: input.name, consent },
  });
  try {
    const face = await client.call<{ faceId: string }>('POST', `/v1/persons/${person.personId}/faces`, {
      body: { uploadId: input.uploadId },
    });
    return {
      personId: person.personId,
      faceId: face.faceId,
      name: person.name,
      consentedAt: consent.obtainedAt,
    };
  } catch (error) {
    await withdrawConsent(client, person.personId).catch(() => {});
    throw error;
  }
}

/** Withdrawal: deletes the person and with them every face template (idempotent: gone is gone). */
export async function withdrawConsent(client: MiniClient, personId: string): Promise<void> {
  try {
    await client.call('DELETE', `/v1/persons/${encodeURIComponent(personId)}`);
  } catch (error) {
    if (!(error instanceof FacegateError && error.code === 'NOT_FOUND')) throw error;
  }
}
