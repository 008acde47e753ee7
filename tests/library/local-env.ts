import { apiEnv } from '../../scripts/stack/env.ts';

/**
 * Domain tests run in-process against the local stack's services (dynalite, Redis REST, s3rver): the
 * environment the API gets, unless the caller's environment already says otherwise.
 */
for (const [name, value] of Object.entries(apiEnv)) process.env[name] ??= value;
