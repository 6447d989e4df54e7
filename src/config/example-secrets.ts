// Secrets copied from deploy/live2vod.example.yaml and never changed: anyone who has read the
// example knows them. Pure: names the settings that still hold one, for a warning at start-up.
import type { Config } from './schema.ts';

/** The example's placeholder tokens all start so; its webhook secret is this one. */
const placeholderPrefix = 'CHANGE-ME';
const exampleWebhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export function settingsWithExampleSecrets(config: Config): string[] {
  const isExample = (value: string | undefined): boolean => value !== undefined && (value.startsWith(placeholderPrefix) || value === exampleWebhookSecret);
  const { ingest } = config;
  const found = [
    ...config.auth.tokens.flatMap((token, i) => (isExample(token) ? [`auth.tokens[${i}]`] : [])),
    ...(isExample(ingest.nginxRtmp.token) ? ['ingest.nginxRtmp.token'] : []),
    ...(isExample(ingest.srs.token) ? ['ingest.srs.token'] : []),
    ...(isExample(ingest.mediamtx.token) ? ['ingest.mediamtx.token'] : []),
    ...(isExample(ingest.s3.token) ? ['ingest.s3.token'] : []),
    ...(isExample(ingest.generic.secret) ? ['ingest.generic.secret'] : []),
    ...config.notifications.endpoints.flatMap((endpoint, i) => (isExample(endpoint.secret) ? [`notifications.endpoints[${i}].secret`] : [])),
  ];
  return found;
}
