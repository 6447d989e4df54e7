// Where this service is reached, known only once it listens (the port may be 0 until then): the
// base URL of the API, the URL workers report to, and the URL of each asset's directory. One
// object holds the late binding so the wiring does not.
import { assetDirUrl, type AssetDirUrl } from '../../jobs/asset-urls.ts';
import type { Config } from '../../config/schema.ts';

export class ServiceAddress {
  #base: string | undefined;
  #dirUrl: AssetDirUrl | undefined;
  readonly #config: Config;
  readonly #mediaKey: Buffer | undefined;

  constructor(config: Config, mediaKey: Buffer | undefined) {
    this.#config = config;
    this.#mediaKey = mediaKey;
    if (config.server.publicUrl) this.#bind(config.server.publicUrl);
  }

  /** The address the server listens on; a configured public URL wins over it. */
  listening(address: string): void {
    this.#bind(this.#config.server.publicUrl ?? address);
  }

  get baseUrl(): string {
    if (this.#base === undefined) throw new Error('the service URL is known once the server listens');
    return this.#base;
  }

  /** Kubernetes workers report to the URL configured for them (the manifests use the pod's own IP). */
  get callbackBase(): string {
    const { executor } = this.#config;
    return executor.kind === 'kubernetes' && executor.callbackUrl ? executor.callbackUrl.replace(/\/+$/, '') : this.baseUrl;
  }

  readonly dirUrl: AssetDirUrl = (job) => {
    if (this.#dirUrl === undefined) throw new Error('asset URLs are known once the server listens');
    return this.#dirUrl(job);
  };

  #bind(url: string): void {
    const base = url.replace(/\/+$/, '');
    const { storage } = this.#config;
    this.#base = base;
    this.#dirUrl = assetDirUrl(storage.publicBaseUrl ? { kind: 'public', baseUrl: storage.publicBaseUrl }
      : this.#mediaKey ? { kind: 'signed', mediaBaseUrl: `${base}/media`, key: this.#mediaKey, ttlSeconds: storage.presignSeconds }
      : { kind: 'public', baseUrl: `${base}/media` });
  }
}
